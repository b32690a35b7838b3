import DossierIO

/// Mutations that change one value of a JSON or XML document, or one field of a pg_dump COPY
/// line or a semicolon-separated CSV record, and keep the syntax around it.
///
/// Byte-level damage almost always breaks the syntax of these formats: most mutated dossiers and
/// profiles were refused by the tokeniser, and the readers behind it (decoding into the model,
/// validation, the round trip, mapping an XML export's rows) saw a few inputs in a hundred. A value
/// swapped for another, or a member or leaf element left out, gets through the tokeniser and
/// reaches them.
enum ValueSyntax: Sendable {
    /// `jsonText` swaps free text only (string values with a space in them), so that most
    /// mutated dossiers stay valid and reach what renders them.
    case json, jsonText, xml, copy, csv

    /// Values that are awkward for a reader of the model: impossible dates, edges of numbers,
    /// codes that are almost right, text that a careless writer would mangle (into JSON, XML,
    /// HTML or an SQL literal).
    static let values: [String] = [
        "", " ", "0", "-1", "-0", "1e999", "0.1", "12345678901234567890", "2024-02-29", "2023-02-29", "1900-01-01", "9999-12-31",
        "0000-00-00", "31-12-1999", "2024-12-31T23:59:60Z", "2024-01-01T00:00:00+25:00", "2024-01-01T00:00:00", "123456782",
        "111222333", "12345678", "M", "V", "O", "X", "true", "null", "EUR", "1.234,56", "-0,001", "NaN", "application/pdf",
        "cli\u{EB}nt", "\u{202E}gnp.exe", "\u{1F44D}", "a\nb", "\t", "\"", "\\", "</a>", "&amp;", "]]>", "../../etc/passwd",
        "x@example.nl", String(repeating: "x", count: 300), "O'Brien", "'); DROP TABLE stage_dossiers; --", "\\'", "\r\n", "\u{1A}",
    ]

    /// JSON literals put in place of a scalar value: the right syntax, often the wrong type.
    static let jsonLiterals: [String] = ["null", "0", "-1", "1e400", "0.5", "true", "false", "\"\"", "\"x\"", "[]", "{}", "[null]"]

    /// Changes one value of `b` (for XML and COPY, the first after a random place), or leaves `b`
    /// as it is when there is none.
    func mutate(_ b: inout [UInt8], extra: [[UInt8]], rng: inout SplitMix64) {
        let from = rng.below(b.count)
        let value: [UInt8] = rng.below(4) == 0 && !extra.isEmpty ? rng.pick(extra) : Array(rng.pick(Self.values).utf8)
        switch self {
        case .json:
            let spans = JSONSpans(b)
            switch rng.below(3) {
            case 0:
                guard !spans.strings.isEmpty else { return }
                b.replaceSubrange(rng.pick(spans.strings), with: Self.jsonEscaped(value))
            case 1:
                guard !spans.scalars.isEmpty else { return }
                b.replaceSubrange(rng.pick(spans.scalars), with: Array(rng.pick(Self.jsonLiterals).utf8))
            default:
                guard !spans.members.isEmpty else { return }
                b.removeSubrange(rng.pick(spans.members))
            }
        case .jsonText:
            let texts = JSONSpans(b).scalars.filter { b[$0.lowerBound] == 0x22 && b[$0].contains(0x20) }
            guard !texts.isEmpty else { return }
            let r = rng.pick(texts)
            b.replaceSubrange((r.lowerBound + 1)..<(r.upperBound - 1), with: Self.jsonEscaped(value))
        case .copy:
            guard let f = Self.field(in: b, from: from, after: 0x09) else { return }
            b.replaceSubrange(f, with: rng.below(8) == 0 ? Array("\\N".utf8) : Self.copyEscaped(value))
        case .csv:
            guard let f = Self.field(in: b, from: from, after: 0x3B) else { return }
            b.replaceSubrange(f, with: Self.csvQuoted(value))
        case .xml:
            switch rng.below(3) {
            case 0:
                guard let t = Self.xmlText(in: b, from: from) else { return }
                b.replaceSubrange(t, with: Self.xmlEscaped(value))
            case 1:
                guard let a = Self.xmlAttribute(in: b, from: from) else { return }
                b.replaceSubrange(a, with: Self.xmlEscaped(value))
            default:
                guard let e = Self.xmlLeaf(in: b, from: from) else { return }
                b.removeSubrange(e)
            }
        }
    }

    // MARK: JSON

    static func jsonEscaped(_ v: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for c in v {
            switch c {
            case 0x22, 0x5C: out += [0x5C, c]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x09: out += [0x5C, 0x74]
            case ..<0x20: out += Array("\\u00\(c < 16 ? "0" : "")\(String(c, radix: 16))".utf8)
            default: out.append(c)
            }
        }
        return out
    }

    // MARK: COPY and CSV

    /// The first field after a `separator` at or after `from`, up to the next one or the line's end.
    static func field(in b: [UInt8], from: Int, after separator: UInt8) -> Range<Int>? {
        guard let start = b[from...].firstIndex(of: separator) else { return nil }
        let end = b[(start + 1)...].firstIndex { $0 == separator || $0 == 0x0A || $0 == 0x0D } ?? b.count
        return (start + 1)..<end
    }

    /// A CSV field: quoted (quotes doubled) when it holds a separator, a quote or a line break.
    static func csvQuoted(_ v: [UInt8]) -> [UInt8] {
        guard v.contains(where: { [0x3B, 0x22, 0x0A, 0x0D].contains($0) }) else { return v }
        return [0x22] + v.flatMap { $0 == 0x22 ? [0x22, 0x22] : [$0] } + [0x22]
    }

    /// A value in COPY's text format: backslash, tab and line breaks escaped.
    static func copyEscaped(_ v: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for c in v {
            switch c {
            case 0x5C: out += [0x5C, 0x5C]
            case 0x09: out += [0x5C, 0x74]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            default: out.append(c)
            }
        }
        return out
    }

    // MARK: XML

    /// The first non-blank text between a `>` and the next `<` at or after `from`.
    static func xmlText(in b: [UInt8], from: Int) -> Range<Int>? {
        var i = from
        while let gt = b[i...].firstIndex(of: 0x3E) {
            guard let lt = b[(gt + 1)...].firstIndex(of: 0x3C) else { return nil }
            if b[(gt + 1)..<lt].contains(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) { return (gt + 1)..<lt }
            i = lt
        }
        return nil
    }

    /// The inside of the first attribute value (`="…"`) at or after `from`.
    static func xmlAttribute(in b: [UInt8], from: Int) -> Range<Int>? {
        var i = from
        while i + 1 < b.count {
            if b[i] == 0x3D, b[i + 1] == 0x22, let close = b[(i + 2)...].firstIndex(of: 0x22) { return (i + 2)..<close }
            i += 1
        }
        return nil
    }

    /// The first leaf element `<name…>text</name>` (or `<name…/>`) that starts at or after `from`.
    static func xmlLeaf(in b: [UInt8], from: Int) -> Range<Int>? {
        var i = from
        while let lt = b[i...].firstIndex(of: 0x3C) {
            i = lt + 1
            guard i < b.count, ![0x2F, 0x3F, 0x21].contains(b[i]), let gt = b[i...].firstIndex(of: 0x3E) else { continue }
            if b[gt - 1] == 0x2F { return lt..<(gt + 1) }
            guard let next = b[(gt + 1)...].firstIndex(of: 0x3C), next + 1 < b.count, b[next + 1] == 0x2F,
                  let close = b[next...].firstIndex(of: 0x3E) else { continue }
            return lt..<(close + 1)
        }
        return nil
    }

    static func xmlEscaped(_ v: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for c in v {
            switch c {
            case 0x26: out += Array("&amp;".utf8)
            case 0x3C: out += Array("&lt;".utf8)
            case 0x22: out += Array("&quot;".utf8)
            default: out.append(c)
            }
        }
        return out
    }
}

/// Where a JSON document's values are, found in one pass over it (strings are skipped whole, so
/// a `:` or `,` inside one is not taken for structure).
struct JSONSpans {
    /// The insides of string literals, keys and values alike.
    var strings: [Range<Int>] = []
    /// Values that are not containers: strings with their quotes, numbers, true, false, null.
    var scalars: [Range<Int>] = []
    /// `"key": scalar,` with its comma: leaving one out keeps the object whole.
    var members: [Range<Int>] = []

    init(_ b: [UInt8]) {
        var i = 0
        var key: Int?
        var afterColon = false
        while i < b.count {
            let c = b[i]
            if c == 0x22 {
                var j = i + 1
                while j < b.count, b[j] != 0x22 { j += b[j] == 0x5C ? 2 : 1 }
                guard j < b.count else { return }
                strings.append((i + 1)..<j)
                var k = j + 1
                while k < b.count, [0x20, 0x0A, 0x0D, 0x09].contains(b[k]) { k += 1 }
                if k < b.count, b[k] == 0x3A, !afterColon {
                    key = i
                } else {
                    scalar(i..<(j + 1), b, key: &key)
                    afterColon = false
                }
                i = j + 1
                continue
            }
            if c == 0x3A { afterColon = true } else if c == 0x7B || c == 0x5B || c == 0x2C { afterColon = false; if c != 0x2C { key = nil } }
            if c == 0x2D || (0x30...0x39).contains(c) || c == 0x74 || c == 0x66 || c == 0x6E {
                var j = i
                while j < b.count, ![0x2C, 0x7D, 0x5D, 0x20, 0x0A, 0x0D, 0x09, 0x3A].contains(b[j]) { j += 1 }
                scalar(i..<j, b, key: &key)
                afterColon = false
                i = j
                continue
            }
            i += 1
        }

    }

    private mutating func scalar(_ r: Range<Int>, _ b: [UInt8], key: inout Int?) {
        scalars.append(r)
        defer { key = nil }
        guard let k = key else { return }
        var end = r.upperBound
        while end < b.count, [0x20, 0x0A, 0x0D, 0x09].contains(b[end]) { end += 1 }
        if end < b.count, b[end] == 0x2C { members.append(k..<(end + 1)) }
    }
}
