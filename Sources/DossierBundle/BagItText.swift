public import DossierModel

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
    ///
    /// A payload manifest has a line per file; materialised, its lines cost more than the
    /// manifest itself at the peak of verification.
    static func forEachLine(_ bytes: [UInt8], file: String, _ body: (Int, Substring) throws -> Void) throws {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw DossierError("bag.encoding", "tag file is not valid UTF-8", at: SourceLocation(file: file))
        }
        var blank: [Int] = []
        var n = 0
        var rest = text[...]
        while true {
            let end = rest.firstIndex(of: "\n")
            var l = end.map { rest[..<$0] } ?? rest
            n += 1
            if l.hasSuffix("\r") { l = l.dropLast() }
            for (k, part) in l.split(separator: "\r", omittingEmptySubsequences: false).enumerated() {
                // Empty lines are held back until a line follows them: trailing ones are dropped.
                if part.isEmpty { blank.append(n + k); continue }
                for b in blank { try body(b, "") }
                blank.removeAll()
                try body(n + k, part)
            }
            guard let end else { break }
            rest = rest[rest.index(after: end)...]
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
        try forEachEntry(bytes, file: file, digestLength: digestLength) { entries.append(($0, $1)) }
        return BagManifest(entries)
    }

    /// The entries one at a time, checked as `parse` checks them, for a verifier that keeps them
    /// more compactly than `entries` does.
    static func forEachEntry(_ bytes: [UInt8], file: String, digestLength: Int, _ body: (String, String) throws -> Void) throws {
        var seen: Set<String> = []
        try BagItText.forEachLine(bytes, file: file) { n, line in
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
            guard seen.insert(path).inserted else {
                throw DossierError("bag.manifest-duplicate", "path is listed twice", at: at)
            }
            try body(path, digest)
        }
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
