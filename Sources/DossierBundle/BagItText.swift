import DossierModel
import DossierIO

/// The text files of a BagIt 1.0 bag (RFC 8493): `bagit.txt`, `bag-info.txt` and the manifests.
///
/// Parsing is strict where the RFC is (UTF-8, `label: value` syntax, one digest per line) and
/// lenient where real bags differ (CRLF endings, several spaces between digest and path), because
/// bags arrive from bagit.py, bagit-java and hand-made scripts.
public enum BagItText {
    public static let declaration = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"

    /// Splits a tag file into lines, accepting LF, CRLF and CR endings (RFC 8493 §2.1.1 allows all three).
    static func lines(_ bytes: [UInt8], file: String) throws -> [(line: Int, text: String)] {
        var out: [(Int, String)] = []
        try forEachLine(bytes, file: file) { out.append(($0, String($1))) }
        return out
    }


    /// The lines of a tag file one at a time, trailing empty lines left out.
    static func forEachLine(_ bytes: [UInt8], file: String, _ body: (Int, Substring) throws -> Void) throws {
        var lines = TagFileLines(file: file)
        try bytes.withUnsafeBufferPointer { try lines.split($0, final: true, body) }
    }
}

/// Splits a tag file into lines, in as many parts as it arrives in.
///
/// A payload manifest has a line per file; materialised, its lines (or even one `String` of
/// the whole file) cost more than the manifest itself at the peak of verification, so the
/// bytes are split where a `String` splits into `Character`s: at an LF that does not follow
/// a CR, then at a CR that no LF follows (CR LF is one `Character`, and stays in the line).
/// Every part but the last must end just after such an LF, where no line is cut.
struct TagFileLines {
    let file: String
    /// Lines so far.
    private var n = 0
    /// Empty lines held back until a line follows them: trailing ones are dropped.
    private var blank: [Int] = []

    init(file: String) { self.file = file }

    static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    /// Where in `p` the last LF that does not follow a CR is, if any: a part may end after it.
    static func lastBreak(_ p: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = p.count - 1
        while i >= 0 {
            if p[i] == lf && (i == 0 || p[i - 1] != cr) { return i }
            i -= 1
        }
        return nil
    }

    mutating func split(_ p: UnsafeBufferPointer<UInt8>, final: Bool, _ body: (Int, Substring) throws -> Void) throws {
        guard UTF8Validation.firstInvalid(p) == nil else {
            throw DossierError("bag.encoding", "tag file is not valid UTF-8", at: SourceLocation(file: file))
        }
        let cr = Self.cr, lf = Self.lf
        var start = 0
        while true {
            var end: Int?
            var i = start
            while i < p.count {
                if p[i] == lf && (i == 0 || p[i - 1] != cr) { end = i; break }
                i += 1
            }
            if end == nil && !final { return }
            var stop = end ?? p.count
            n += 1
            if stop > start && p[stop - 1] == cr { stop -= 1 }
            var k = 0, partStart = start
            for j in start...stop where j == stop || (p[j] == cr && (j + 1 >= p.count || p[j + 1] != lf)) {
                if j == partStart {
                    blank.append(n + k)
                } else {
                    for b in blank { try body(b, "") }
                    blank.removeAll()
                    try body(n + k, String(decoding: UnsafeBufferPointer(rebasing: p[partStart..<j]), as: UTF8.self)[...])
                }
                k += 1
                partStart = j + 1
            }
            guard let end else { return }
            start = end + 1
        }
    }
}

/// A tag file's lines as its bytes arrive from a bag (`TagFileLines` over a stream), holding one
/// part at a time, so a payload manifest is read again for each pass rather than kept.
final class TagFileLineSink: ByteSink {
    /// No line of a manifest is longer: a zip entry name has at most 65,535 bytes.
    static let maxLine = 1 << 20
    private var lines: TagFileLines
    private var pending: [UInt8] = []
    private let body: (Int, Substring) throws -> Void

    init(file: String, _ body: @escaping (Int, Substring) throws -> Void) {
        lines = TagFileLines(file: file); self.body = body
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        pending.append(contentsOf: bytes)
        let cut = try pending.withUnsafeBufferPointer { p -> Int? in
            guard let cut = TagFileLines.lastBreak(p) else { return nil }
            try lines.split(UnsafeBufferPointer(rebasing: p[...cut]), final: false, body)
            return cut
        }
        if let cut {
            pending.removeFirst(cut + 1)
        } else if pending.count > Self.maxLine {
            throw DossierError("bag.too-large", "a line of the tag file is longer than \(Self.maxLine) bytes",
                               at: SourceLocation(file: lines.file))
        }
    }

    func finish() throws {
        try pending.withUnsafeBufferPointer { try lines.split($0, final: true, body) }
        pending = []
    }
}

/// A tag file to read line by line: bytes in memory, or a file of a bag, read again on each pass.
struct TagFileSource {
    let file: String
    private let read: (any ByteSink) throws -> Void

    init(_ bytes: [UInt8], file: String) {
        self.file = file
        read = { try $0.write(bytes) }
    }

    init(_ store: any BagStore, path: String) {
        file = path
        read = { try store.read(path, to: $0) }
    }

    func forEachLine(_ body: (Int, Substring) throws -> Void) throws {
        // The sink is gone when this returns, so `body` does not in fact escape.
        try withoutActuallyEscaping(body) { body in
            let sink = TagFileLineSink(file: file, body)
            try read(sink)
            try sink.finish()
        }
    }
}

/// `bag-info.txt`: ordered `Label: value` metadata, repeated labels allowed (RFC 8493 §2.2.2).
public struct BagInfo: Hashable, Sendable {
    public var fields: [(label: String, value: String)]

    public init(_ fields: [(label: String, value: String)] = []) { self.fields = fields }

    public static func == (a: BagInfo, b: BagInfo) -> Bool {
        a.fields.map(\.label) == b.fields.map(\.label) && a.fields.map(\.value) == b.fields.map(\.value)
    }

    public func hash(into h: inout Hasher) {
        for f in fields { h.combine(f.label); h.combine(f.value) }
    }

    public subscript(label: String) -> String? {
        fields.first { $0.label.lowercased() == label.lowercased() }?.value
    }

    public func values(_ label: String) -> [String] {
        fields.filter { $0.label.lowercased() == label.lowercased() }.map(\.value)
    }

    /// Continuation lines start with whitespace and join the previous value with one space.
    public static func parse(_ bytes: [UInt8], file: String = "bag-info.txt") throws -> BagInfo {
        var fields: [(String, String)] = []
        for (n, line) in try BagItText.lines(bytes, file: file) {
            if line.first == " " || line.first == "\t" {
                guard !fields.isEmpty else {
                    throw DossierError("bag.info-syntax", "continuation line before any label",
                                       at: SourceLocation(file: file, line: n))
                }
                fields[fields.count - 1].1 += " " + line.trimmingWhitespace()
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw DossierError("bag.info-syntax", "line is not 'Label: value'", at: SourceLocation(file: file, line: n))
            }
            let label = String(line[..<colon]).trimmingWhitespace()
            guard !label.isEmpty else {
                throw DossierError("bag.info-syntax", "empty label", at: SourceLocation(file: file, line: n))
            }
            fields.append((label, String(line[line.index(after: colon)...]).trimmingWhitespace()))
        }
        return BagInfo(fields)
    }

    /// One `Label: value` line per field, LF endings; values never contain line breaks here.
    public func serialized() -> [UInt8] {
        var s = ""
        for f in fields { s += "\(f.label): \(f.value.replacingLineBreaks())\n" }
        return Array(s.utf8)
    }
}

/// A payload or tag manifest: one `digest  path` line per file (RFC 8493 §2.1.3, §2.2.1).
public struct BagManifest: Hashable, Sendable {
    /// Paths relative to the bag root, decoded; digests lower-case hex.
    public var entries: [(path: String, digest: String)]

    public init(_ entries: [(path: String, digest: String)] = []) { self.entries = entries }

    public static func == (a: BagManifest, b: BagManifest) -> Bool {
        a.entries.map(\.path) == b.entries.map(\.path) && a.entries.map(\.digest) == b.entries.map(\.digest)
    }

    public func hash(into h: inout Hasher) {
        for e in entries { h.combine(e.path); h.combine(e.digest) }
    }

    /// Parses a manifest; duplicate paths, unsafe paths and malformed digests are errors naming the line.
    public static func parse(_ bytes: [UInt8], file: String, digestLength: Int) throws -> BagManifest {
        var entries: [(String, String)] = []
        let source = TagFileSource(bytes, file: file)
        try check(source, digestLength: digestLength)
        try forEachCheckedEntry(source, digestLength: digestLength) { entries.append(($0, $1)) }
        return BagManifest(entries)
    }

    /// Checks a manifest as `parse` does, for a verifier that reads it again for each pass and
    /// keeps none of it.
    ///
    /// Duplicates are found by a sorted list of path hashes, sixteen bytes a line, rather than a
    /// set of every path; the error still names the first line that repeats a path, unless a
    /// malformed line comes first.
    static func check(_ source: TagFileSource, digestLength: Int) throws {
        var hashes: [(hash: UInt64, line: Int)] = []
        var failure: (any Error)?
        do {
            try source.forEachLine { n, line in
                var path = try entry(line, n, source.file, digestLength).path
                hashes.append((path.withUTF8 { PackedNameIndex.hash(UnsafeRawBufferPointer($0)) }, n))
            }
        } catch { failure = error }
        if let line = firstRepeat(source, digestLength: digestLength, hashes) {
            throw DossierError("bag.manifest-duplicate", "path is listed twice", at: SourceLocation(file: source.file, line: line))
        }
        if let failure { throw failure }
    }

    /// The entries of a manifest `check` has already accepted, without checking it again.
    static func forEachCheckedEntry(_ source: TagFileSource, digestLength: Int, _ body: (String, String) throws -> Void) throws {
        try source.forEachLine { n, line in
            let (path, digest) = try entry(line, n, source.file, digestLength)
            try body(path, digest)
        }
    }

    /// The first line whose path an earlier line already listed; paths compare as strings do.
    private static func firstRepeat(_ source: TagFileSource, digestLength: Int, _ hashes: [(hash: UInt64, line: Int)]) -> Int? {
        let sorted = hashes.sorted { $0.hash != $1.hash ? $0.hash < $1.hash : $0.line < $1.line }
        var candidates: Set<Int> = []
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.hash == b.hash { candidates.insert(a.line); candidates.insert(b.line) }
        guard !candidates.isEmpty else { return nil }
        var paths: [Int: String] = [:]
        try? source.forEachLine { n, line in
            if candidates.contains(n) { paths[n] = try entry(line, n, source.file, digestLength).path }
        }
        var seen: Set<String> = []
        return candidates.sorted().first { !seen.insert(paths[$0] ?? "").inserted }
    }

    private static func entry(_ line: Substring, _ n: Int, _ file: String, _ digestLength: Int) throws -> (path: String, digest: String) {
        let at = SourceLocation(file: file, line: n)
        guard let sep = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else {
            throw DossierError("bag.manifest-syntax", "line is not 'digest path'", at: at)
        }
        let digest = String(line[..<sep]).lowercased()
        let rawPath = String(line[sep...].drop { $0 == " " || $0 == "\t" })
        guard digest.utf8.count == digestLength, digest.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw DossierError("bag.manifest-syntax", "digest is not \(digestLength) hex digits", at: at)
        }
        guard let path = percentDecode(rawPath), isSafeRelativePath(path) else {
            throw DossierError("bag.path", "manifest path is absolute, climbs with '..', or is malformed", at: at)
        }
        return (path, digest)
    }

    /// `digest  path` lines sorted by path, so the same payload always gives the same bytes.
    public func serialized() -> [UInt8] {
        var s = ""
        for e in entries.sorted(by: { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }) {
            s += "\(e.digest)  \(BagManifest.percentEncode(e.path))\n"
        }
        return Array(s.utf8)
    }

    /// RFC 8493 §2.1.3: CR, LF and `%` in paths are written as %0D, %0A and %25.
    static func percentEncode(_ path: String) -> String {
        var out = ""
        for c in path.unicodeScalars {
            switch c {
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            case "%": out += "%25"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Decodes only the three escapes the RFC defines; any other `%` sequence is kept as written.
    static func percentDecode(_ path: String) -> String? {
        var out = ""
        var rest = Substring(path)
        while let p = rest.firstIndex(of: "%") {
            out += rest[..<p]
            let code = rest[p...].prefix(3).uppercased()
            switch code {
            case "%0D": out += "\r"
            case "%0A": out += "\n"
            case "%25": out += "%"
            default: out += "%"; rest = rest[rest.index(after: p)...]; continue
            }
            rest = rest[rest.index(p, offsetBy: 3)...]
        }
        return out + rest
    }
}

/// `Payload-Oxum: octets.streamcount`: the cheap completeness check done before hashing.
public struct PayloadOxum: Hashable, Sendable, CustomStringConvertible {
    public var octets: Int64
    public var streams: Int

    public init(octets: Int64, streams: Int) { self.octets = octets; self.streams = streams }

    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let o = Int64(parts[0]), let s = Int(parts[1]), o >= 0, s >= 0 else { return nil }
        octets = o; streams = s
    }

    public var description: String { "\(octets).\(streams)" }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }

    func replacingLineBreaks() -> String {
        String(map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
    }
}
