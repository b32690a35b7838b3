#if canImport(Glibc)
import Glibc
#endif
public import DossierModel
import DossierIO
import DossierCrypto
import DossierFormats

/// One line of the export log: who did what with whose dossiers, when, from where and why.
///
/// The fields follow NEN 7513's minimum (event, date-time, client, user, responsible user, access
/// point) plus what a GDPR processing record needs (purpose, legal basis, counts, bundle digest).
/// Clients are named by dossier id only: the log must not become a second copy of the data.
public struct ExportLogEntry: Hashable, Sendable, Codable {
    public var seq: Int
    public var at: Timestamp
    /// `export`, `bundle`, `import`.
    public var event: String
    /// `success` or `failure`: a refused import is logged too.
    public var outcome: String
    public var user: String
    /// The person on whose behalf the user acted (`--on-behalf-of`), when different.
    public var responsibleUser: String?
    /// The workstation the event came from (host name).
    public var accessPoint: String
    public var organisation: String?
    public var purpose: String?
    public var legalBasis: String?
    public var clients: IDList
    public var records: Int
    public var output: String?
    /// SHA-256 of the bundle file written or read, when there is one.
    public var bundleSHA256: String?
    /// The `hash` of the previous entry (64 zeros for the first): the chain that makes removal,
    /// editing and reordering detectable.
    public var previous: String
    /// SHA-256 over this entry's canonical JSON with `hash` left out.
    public var hash: String

    public init(seq: Int = 0, at: Timestamp, event: String, outcome: String, user: String, responsibleUser: String? = nil,
                accessPoint: String, organisation: String? = nil, purpose: String? = nil, legalBasis: String? = nil,
                clients: IDList = [], records: Int = 0, output: String? = nil, bundleSHA256: String? = nil) {
        self.seq = seq; self.at = at; self.event = event; self.outcome = outcome; self.user = user
        self.responsibleUser = responsibleUser; self.accessPoint = accessPoint; self.organisation = organisation
        self.purpose = purpose; self.legalBasis = legalBasis; self.clients = clients; self.records = records
        self.output = output; self.bundleSHA256 = bundleSHA256; self.previous = ""; self.hash = ""
    }

    func computedHash() throws -> String {
        var copy = self
        copy.hash = ""
        return try Digester.hash(.sha256, JSONByteEncoder.encode(copy, style: .compact)).hexString
    }
}

extension ExportLogEntry {
    /// An entry for a run by the current OS user on this host, at the current time.
    public static func now(event: String, outcome: String, responsibleUser: String? = nil) -> ExportLogEntry {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let user = getpwuid(geteuid()).map { String(cString: $0.pointee.pw_name) } ?? String(geteuid())
        return ExportLogEntry(at: Clock.nowUTC, event: event, outcome: outcome, user: user, responsibleUser: responsibleUser,
                              accessPoint: String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
}

/// The append-only, hash-chained log of every export, bundle and import (GDPR art. 30, NEN 7513).
///
/// One JSON object per line. Appends take an exclusive lock, write one line with O_APPEND and
/// fsync, so concurrent runs cannot interleave or lose entries. `verify` recomputes the chain and
/// names the first line where it breaks; the last entry's hash is also kept in `<log>.head` so that
/// cutting lines off the end is detected too.
public enum ExportLog {
    public static let genesis = String(repeating: "0", count: 64)

    /// `$DOSSIERPORT_LOG`, else `$XDG_STATE_HOME/dossierport/export-log.ndjson` (`~/.local/state/…`).
    public static var defaultPath: String {
        if let p = getenv("DOSSIERPORT_LOG") { return String(cString: p) }
        let state = getenv("XDG_STATE_HOME").map { String(cString: $0) }
            ?? ((getenv("HOME").map { String(cString: $0) } ?? ".") + "/.local/state")
        return state + "/dossierport/export-log.ndjson"
    }

    /// Appends `entry`, filling in its sequence number, chain link and hash.
    @discardableResult
    public static func append(_ entry: ExportLogEntry, to path: String = defaultPath) throws -> ExportLogEntry {
        try makeParents(of: path)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw IOFailure.error("open", path: path, errno: errno) }
        defer { close(fd) }
        guard flock(fd, LOCK_EX) == 0 else { throw IOFailure.error("flock", path: path, errno: errno) }
        let last = try lastEntry(path)
        var e = entry
        e.seq = (last?.seq ?? 0) + 1
        e.previous = last?.hash ?? genesis
        e.hash = try e.computedHash()
        var line = try JSONByteEncoder.encode(e, style: .compact)
        line.append(0x0A)
        try line.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let n = write(fd, b.baseAddress! + off, b.count - off)
                guard n > 0 else { throw IOFailure.error("write", path: path, errno: errno) }
                off += n
            }
        }
        guard fsync(fd) == 0 else { throw IOFailure.error("fsync", path: path, errno: errno) }
        try AtomicFile.write(Array("\(e.seq) \(e.hash)\n".utf8), to: path + ".head", mode: 0o600)
        return e
    }

    /// Checks every line: its own hash, its link to the one before, its sequence number, and the
    /// head file. Returns one diagnostic per break, each naming the line.
    public static func verify(_ path: String) -> (entries: Int, problems: [Diagnostic]) {
        var problems: [Diagnostic] = []
        var previous = genesis
        var expectedSeq = 1
        var count = 0
        let reader: NDJSONReader
        do { reader = try NDJSONReader(path: path) } catch { return (0, [(error as? DossierError)?.diagnostic ?? .error("log.unreadable", "\(error)")]) }
        while true {
            let entry: ExportLogEntry
            do {
                guard let e = try reader.next(ExportLogEntry.self) else { break }
                entry = e
            } catch {
                problems.append((error as? DossierError)?.diagnostic ?? .error("log.syntax", "\(error)", at: SourceLocation(file: path, line: reader.lineNumber)))
                continue
            }
            count += 1
            let at = SourceLocation(file: path, line: reader.lineNumber)
            if (try? entry.computedHash()) != entry.hash {
                problems.append(.error("log.edited", "entry \(entry.seq) does not match its hash: it was edited", at: at))
            }
            if entry.previous != previous {
                problems.append(.error("log.chain", "entry \(entry.seq) does not follow the entry before it: a line was removed, inserted or moved", at: at))
            }
            if entry.seq != expectedSeq {
                problems.append(.error("log.sequence", "expected entry \(expectedSeq) here, found \(entry.seq)", at: at))
            }
            previous = entry.hash
            expectedSeq = entry.seq + 1
        }
        if let head = try? ByteReader.readAll(path: path + ".head", limit: 256) {
            let want = String(decoding: head.prefix { $0 != 0x0A && $0 != 0x0D }, as: UTF8.self)
            if want != "\(expectedSeq - 1) \(previous)" {
                problems.append(.error("log.truncated", "the log ends at entry \(expectedSeq - 1) but \(path).head records a different last entry: lines were removed from the end",
                                       at: SourceLocation(file: path, line: count + 1)))
            }
        } else if count > 0 {
            problems.append(.warning("log.no-head", "no head file beside the log; removal of the last lines cannot be detected",
                                     at: SourceLocation(file: path + ".head")))
        }
        return (count, problems)
    }

    /// The raw lines of the log, for `log show`.
    public static func lines(_ path: String) throws -> [String] {
        let reader = try ByteReader(path: path)
        var out: [String] = []
        while let (line, _) = try reader.nextLine() { out.append(String(decoding: line, as: UTF8.self)) }
        return out
    }

    /// The last entry, read from the end of the file: an append costs the same however long the
    /// log has grown. (`verify` is what reads every line.)
    private static func lastEntry(_ path: String) throws -> ExportLogEntry? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOFailure.error("open", path: path, errno: errno) }
        defer { close(fd) }
        var end = lseek(fd, 0, SEEK_END)
        guard end > 0 else { return nil }
        var tail: [UInt8] = []
        let chunk = 64 * 1024
        // Read backwards until the line before the final newline is complete.
        while end > 0 {
            let start = max(0, end - off_t(chunk))
            var buffer = [UInt8](repeating: 0, count: Int(end - start))
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, start) }
            guard n == buffer.count else { throw IOFailure.error("pread", path: path, errno: errno) }
            tail = buffer + tail
            end = start
            let body = tail.last == 0x0A ? tail.dropLast() : tail[...]
            if body.contains(0x0A) || end == 0 { break }
        }
        let body = tail.last == 0x0A ? tail.dropLast() : tail[...]
        let line = body.lastIndex(of: 0x0A).map { body[($0 + 1)...] } ?? body
        guard !line.isEmpty else { return nil }
        return try JSONByteDecoder.decode(ExportLogEntry.self, from: Array(line), file: path)
    }

    private static func makeParents(of path: String) throws {
        let parent = AtomicFile.split(path).dir
        var dir = parent.hasPrefix("/") ? "" : "."
        for part in parent.split(separator: "/") {
            dir += "/" + part
            if mkdir(dir, 0o700) != 0 && errno != EEXIST { throw IOFailure.error("mkdir", path: dir, errno: errno) }
        }
    }
}

