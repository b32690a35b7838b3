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
    /// head file. Gives a diagnostic per break, each naming the line, the first `keeping` of each
    /// severity listed and all of them counted: a log edited throughout breaks on every line.
    public static func verify(_ path: String, keeping: Int = 10_000) -> (entries: Int, problems: DiagnosticLog) {
        var problems = DiagnosticLog(limit: keeping)
        var previous = genesis
        var expectedSeq = 1
        var count = 0
        let reader: NDJSONReader
        do { reader = try NDJSONReader(path: path) } catch {
            problems.append((error as? DossierError)?.diagnostic ?? .error("log.unreadable", "\(error)"))
            return (0, problems)
        }
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

    /// The raw lines of the log, for `log show`, one at a time: after years of migrations, whose
    /// entries list every client, a log can be larger than memory.
    public static func forEachLine(_ path: String, _ body: (String) throws -> Void) throws {
        let reader = try ByteReader(path: path)
        var number = 0
        while let (line, _) = try reader.nextLine(limit: 1 << 30, line: number + 1, code: "log.line-too-large") {
            number += 1
            try body(String(decoding: line, as: UTF8.self))
        }
    }

    /// The last entry, read from the end of the file: an append costs the same however long the
    /// log has grown. (`verify` is what reads every line.)
    /// The sequence number and hash of the log's last entry, which the next one chains onto.
    ///
    /// A run's entry lists every client it exported, so after a migration the last line can be
    /// tens of MB. The line is found by reading backwards a chunk at a time, each chunk searched
    /// once. A line under 64 KiB is decoded whole, as any entry. A longer one is read only at its
    /// two ends when they have the shape this encoder writes (`{"seq":N,` … `,"hash":"<64 hex>"}`;
    /// a JSON string cannot hold that unescaped `"`), and decoded whole otherwise, so a line of
    /// another shape is refused as before.
    private static func lastEntry(_ path: String) throws -> (seq: Int, hash: String)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOFailure.error("open", path: path, errno: errno) }
        defer { close(fd) }
        func read(_ start: off_t, _ count: Int) throws -> [UInt8] {
            var buffer = [UInt8](repeating: 0, count: count)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, start) }
            guard n == count else { throw IOFailure.error("pread", path: path, errno: errno) }
            return buffer
        }
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return nil }
        // The last line ends before a final newline; it starts after the newline before that.
        let lineEnd = try read(size - 1, 1) == [0x0A] ? size - 1 : size
        var lineStart: off_t = 0
        var end = lineEnd
        let chunk: off_t = 64 * 1024
        while end > 0 {
            let start = max(0, end - chunk)
            if let nl = try read(start, Int(end - start)).lastIndex(of: 0x0A) {
                lineStart = start + off_t(nl) + 1
                break
            }
            end = start
        }
        let length = Int(lineEnd - lineStart)
        guard length > 0 else { return nil }
        if length > Int(chunk), let link = Self.link(head: try read(lineStart, 32), tail: try read(lineEnd - 75, 75)) {
            return link
        }
        let e = try JSONByteDecoder.decode(ExportLogEntry.self, from: try read(lineStart, length), file: path)
        return (e.seq, e.hash)
    }

    /// `seq` and `hash` from the first 32 and last 75 bytes of an entry as `JSONByteEncoder`
    /// writes it, or nil when they do not have that shape.
    private static func link(head: [UInt8], tail: [UInt8]) -> (seq: Int, hash: String)? {
        let opening = Array(#"{"seq":"#.utf8), closing = Array(#","hash":""#.utf8)
        guard head.starts(with: opening), tail.count == closing.count + 66, tail.starts(with: closing),
              tail.suffix(2) == [0x22, 0x7D] else { return nil }
        let digits = head.dropFirst(opening.count).prefix { (0x30...0x39).contains($0) }
        guard (1...18).contains(digits.count), head.count > opening.count + digits.count,
              head[opening.count + digits.count] == 0x2C, let seq = Int(String(decoding: digits, as: UTF8.self)) else { return nil }
        let hash = tail.dropFirst(closing.count).prefix(64)
        guard hash.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        return (seq, String(decoding: hash, as: UTF8.self))
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

