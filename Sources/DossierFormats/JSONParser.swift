#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import DossierIO

/// One JSON value in the flat tape the parser produces, in document order.
///
/// A tape instead of a tree of enums means one allocation for a whole document and no strings
/// materialised until the decoder asks for them; keys are compared as bytes.
struct JSONNode {
    enum Kind: UInt8 { case object, array, string, number, bool, null }
    var kind: Kind
    /// A string whose bytes contain escapes, so it must be unescaped before use.
    var escaped = false
    /// A member name (the node after it is its value).
    var isKey = false
    /// The decoder read this member; what is left unread after decoding is an unknown field.
    var consumed = false
    /// Byte offset of the token (for strings: of the opening quote).
    var offset: Int
    /// Strings and numbers: content bytes `start..<end`. Booleans: `start` is 1 for true.
    var start = 0
    var end = 0
    /// Containers: index of the node after the last descendant; scalars: their own index + 1.
    var next = 0
    /// Containers: number of elements (members for objects).
    var count = 0
    /// Objects: the member index where the last key lookup matched, so in-order lookups hit first.
    var hint = 0
}

/// A strict RFC 8259 parser with the I-JSON (RFC 7493) profile, producing a `JSONNode` tape.
///
/// Strict because a dossier reader that guesses loses or invents data, and because tools that
/// disagree on duplicate keys or lone surrogates let a file mean different things to different
/// readers: duplicates, lone surrogates, noncharacters, invalid UTF-8, a BOM, control characters
/// in strings, nesting deeper than `maxDepth` and trailing bytes are all errors. One parser is
/// reused across NDJSON lines so that its buffers are allocated once.
final class JSONParser {
    static let maxDepth = 128

    @exclusivity(unchecked) private(set) var nodes: [JSONNode] = []

    /// Parses `input`; a failure is reported at a byte offset, turned into line:column by the caller.
    func parse(_ input: UnsafeRawBufferPointer) throws(JSONSyntaxError) {
        nodes.removeAll(keepingCapacity: true)
        guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count > 0 else {
            throw JSONSyntaxError("json.truncated", "document is empty", offset: 0)
        }
        if input.count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF {
            throw JSONSyntaxError("json.bom", "document starts with a UTF-8 byte order mark, which JSON (RFC 8259 §8.1) forbids; remove the first three bytes", offset: 0)
        }
        var scanner = Scanner(base: base, count: input.count)
        try parseDocument(&scanner)
    }

    /// Gives the decoder the tape as a pointer: no copy, no exclusivity check per access.
    func withTape<R>(_ body: (UnsafeMutablePointer<JSONNode>) throws -> R) throws -> R {
        try nodes.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }

    private struct Frame {
        var node: Int
        var isObject: Bool
        /// Index into `keys` where this object's member names start.
        var firstKey: Int
        /// One bit per hash of the member names seen so far: a name whose bit is new cannot be a
        /// duplicate, so most names skip the pairwise comparison.
        var seen: UInt64 = 0
        /// An escaped name can equal an unescaped one with other bytes, so it disables the shortcut.
        var anyEscaped = false
    }

    private func parseDocument(_ s: inout Scanner) throws(JSONSyntaxError) {
        var stack: [Frame] = []
        stack.reserveCapacity(16)
        /// Node indices of member names of the open objects, for duplicate detection.
        var keys: [Int] = []
        var bigObjectKeys: [Int: Set<[UInt8]>] = [:]

        s.skipWhitespace()
        value: while true {
            // Expecting a value.
            guard s.i < s.count else { throw s.error("json.truncated", "document ends where a value was expected") }
            let c = s.base[s.i]
            switch c {
            case 0x7B, 0x5B:
                if stack.count >= JSONParser.maxDepth {
                    throw s.error("json.depth", "nesting is deeper than \(JSONParser.maxDepth) levels")
                }
                let isObject = c == 0x7B
                stack.append(Frame(node: nodes.count, isObject: isObject, firstKey: keys.count))
                nodes.append(JSONNode(kind: isObject ? .object : .array, offset: s.i))
                s.i += 1
                s.skipWhitespace()
                if s.i < s.count && s.base[s.i] == (isObject ? 0x7D : 0x5D) {
                    s.i += 1
                    close(stack.removeLast(), &keys, &bigObjectKeys)
                } else if isObject {
                    try member(&s, &stack[stack.count - 1], &keys, &bigObjectKeys)
                    continue value
                } else {
                    continue value
                }
            case 0x22:
                try string(&s, isKey: false)
            case 0x2D, 0x30...0x39:
                try number(&s)
            case 0x74:
                try literal(&s, "true", kind: .bool, flag: 1)
            case 0x66:
                try literal(&s, "false", kind: .bool, flag: 0)
            case 0x6E:
                try literal(&s, "null", kind: .null, flag: 0)
            default:
                throw s.unexpected("where a value was expected")
            }

            // After a value: a separator, the end of a container, or the end of the document.
            while true {
                s.skipWhitespace()
                guard let top = stack.last else {
                    guard s.i == s.count else { throw s.unexpected("after the end of the document") }
                    return
                }
                guard s.i < s.count else { throw s.error("json.truncated", "document ends inside \(top.isObject ? "an object" : "an array")") }
                let c = s.base[s.i]
                s.i += 1
                nodes[top.node].count += 1
                if c == 0x2C {
                    s.skipWhitespace()
                    if top.isObject { try member(&s, &stack[stack.count - 1], &keys, &bigObjectKeys) }
                    continue value
                }
                if c == (top.isObject ? 0x7D : 0x5D) {
                    close(stack.removeLast(), &keys, &bigObjectKeys)
                    continue
                }
                s.i -= 1
                throw s.unexpected(top.isObject ? "where ',' or '}' was expected" : "where ',' or ']' was expected")
            }
        }
    }

    private func close(_ f: Frame, _ keys: inout [Int], _ big: inout [Int: Set<[UInt8]>]) {
        nodes[f.node].next = nodes.count
        if f.isObject {
            keys.removeSubrange(f.firstKey...)
            big[f.node] = nil
        }
    }

    /// Parses `"name" :` and checks the name is new in its object.
    private func member(_ s: inout Scanner, _ f: inout Frame, _ keys: inout [Int], _ big: inout [Int: Set<[UInt8]>]) throws(JSONSyntaxError) {
        guard s.i < s.count else { throw s.error("json.truncated", "document ends where a member name was expected") }
        guard s.base[s.i] == 0x22 else { throw s.unexpected("where a member name was expected") }
        let keyOffset = s.i
        try string(&s, isKey: true)
        let k = nodes.count - 1
        if try isDuplicate(k, s, &f, &keys, &big) {
            throw JSONSyntaxError("json.duplicate-key", "member name occurs twice in the same object", offset: keyOffset)
        }
        s.skipWhitespace()
        guard s.i < s.count else { throw s.error("json.truncated", "document ends where ':' was expected") }
        guard s.base[s.i] == 0x3A else { throw s.unexpected("where ':' was expected") }
        s.i += 1
        s.skipWhitespace()
    }

    /// Small objects compare names pairwise (cheap, no allocation); large ones switch to a set so a
    /// hostile object with many members cannot make this quadratic.
    private func isDuplicate(_ k: Int, _ s: Scanner, _ f: inout Frame, _ keys: inout [Int], _ big: inout [Int: Set<[UInt8]>]) throws(JSONSyntaxError) -> Bool {
        if keys.count - f.firstKey < 32 {
            let kn = nodes[k]
            let length = kn.end - kn.start
            let hash = length &* 31 &+ Int(s.base[kn.start]) &* 7 &+ Int(s.base[kn.end - 1])
            let bit: UInt64 = 1 << UInt64(hash & 63)
            f.anyEscaped = f.anyEscaped || kn.escaped
            defer { f.seen |= bit }
            if f.seen & bit == 0 && !f.anyEscaped {
                keys.append(k)
                return false
            }
            for index in f.firstKey..<keys.count {
                let o = nodes[keys[index]]
                if kn.escaped || o.escaped {
                    if unescapedName(keys[index], s) == unescapedName(k, s) { return true }
                } else if o.end - o.start == length && s.base[o.start] == s.base[kn.start]
                            && memcmp(s.base + o.start, s.base + kn.start, length) == 0 {
                    return true
                }
            }
            keys.append(k)
            return false
        }
        if big[f.node] == nil {
            big[f.node] = Set(keys[f.firstKey...].map { unescapedName($0, s) })
        }
        return !big[f.node]!.insert(unescapedName(k, s)).inserted
    }

    private func unescapedName(_ k: Int, _ s: Scanner) -> [UInt8] {
        let n = nodes[k]
        let raw = UnsafeBufferPointer(start: s.base + n.start, count: n.end - n.start)
        guard n.escaped else { return Array(raw) }
        var out: [UInt8] = []
        JSONParser.unescape(raw, into: &out)
        return out
    }

    private func literal(_ s: inout Scanner, _ word: StaticString, kind: JSONNode.Kind, flag: Int) throws(JSONSyntaxError) {
        let n = word.utf8CodeUnitCount
        guard s.count - s.i >= n, memcmp(s.base + s.i, word.utf8Start, n) == 0 else {
            throw s.unexpected("where a value was expected")
        }
        nodes.append(JSONNode(kind: kind, offset: s.i, start: flag, next: nodes.count + 1))
        s.i += n
    }

    /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`; range is checked on decode.
    private func number(_ s: inout Scanner) throws(JSONSyntaxError) {
        let start = s.i
        let b = s.base, end = s.count
        var i = s.i
        if b[i] == 0x2D { i += 1 }
        func digit(_ i: Int) -> Bool { i < end && b[i] >= 0x30 && b[i] <= 0x39 }
        guard digit(i) else { s.i = i; throw s.unexpected("where a digit was expected") }
        if b[i] == 0x30 {
            i += 1
            if digit(i) { s.i = i; throw s.error("json.syntax", "number has a leading zero") }
        } else {
            while digit(i) { i += 1 }
        }
        if i < end && b[i] == 0x2E {
            i += 1
            guard digit(i) else { s.i = i; throw s.unexpected("where a digit was expected") }
            while digit(i) { i += 1 }
        }
        if i < end && (b[i] == 0x65 || b[i] == 0x45) {
            i += 1
            if i < end && (b[i] == 0x2B || b[i] == 0x2D) { i += 1 }
            guard digit(i) else { s.i = i; throw s.unexpected("where a digit was expected") }
            while digit(i) { i += 1 }
        }
        nodes.append(JSONNode(kind: .number, offset: start, start: start, end: i, next: nodes.count + 1))
        s.i = i
    }

    /// Scans a string, validating escapes and UTF-8 as it goes; the content is not copied.
    private func string(_ s: inout Scanner, isKey: Bool) throws(JSONSyntaxError) {
        let open = s.i
        let b = s.base, end = s.count
        var i = open + 1
        var escaped = false
        while true {
            // Fast path: plain ASCII.
            while true {
                while end - i >= 8 && ASCIIWord.isPlain(b + i) { i += 8 }
                guard i < end && JSONParser.isPlainASCII(b[i]) else { break }
                i += 1
            }
            guard i < end else { s.i = i; throw s.error("json.truncated", "document ends inside a string") }
            let c = b[i]
            if c == 0x22 { break }
            if c == 0x5C {
                escaped = true
                i = try escape(s, i)
            } else if c < 0x20 {
                s.i = i
                throw s.error("json.syntax", "control character U+00\(JSONParser.hex2(c)) must be escaped inside a string")
            } else {
                i = try utf8(s, i)
            }
        }
        nodes.append(JSONNode(kind: .string, escaped: escaped, isKey: isKey, offset: open,
                              start: open + 1, end: i, next: nodes.count + 1))
        s.i = i + 1
    }

    /// Validates the escape at `i` (the backslash); returns the index after it.
    private func escape(_ s: Scanner, _ i: Int) throws(JSONSyntaxError) -> Int {
        let b = s.base
        guard i + 1 < s.count else { throw s.error("json.truncated", "document ends inside a string", at: i) }
        switch b[i + 1] {
        case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: return i + 2
        case 0x75: break
        default: throw s.error("json.syntax", "invalid escape sequence", at: i)
        }
        guard let u = s.hex4(i + 2) else { throw s.error("json.syntax", "\\u must be followed by four hex digits", at: i) }
        if (0xDC00...0xDFFF).contains(u) {
            throw s.error("json.surrogate", "escape \\u\(JSONParser.hex4(u)) is a lone low surrogate", at: i)
        }
        if (0xD800...0xDBFF).contains(u) {
            guard i + 8 <= s.count, b[i + 6] == 0x5C, b[i + 7] == 0x75, let low = s.hex4(i + 8), (0xDC00...0xDFFF).contains(low) else {
                throw s.error("json.surrogate", "escape \\u\(JSONParser.hex4(u)) is a lone high surrogate", at: i)
            }
            let scalar = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)
            if JSONParser.isNoncharacter(scalar) { throw s.error("json.noncharacter", "escape encodes a Unicode noncharacter, which I-JSON (RFC 7493) forbids", at: i) }
            return i + 12
        }
        if JSONParser.isNoncharacter(u) { throw s.error("json.noncharacter", "escape encodes a Unicode noncharacter, which I-JSON (RFC 7493) forbids", at: i) }
        return i + 6
    }

    /// Validates one UTF-8 sequence by the shared rule, then refuses noncharacters, which only
    /// I-JSON forbids and so only the JSON reader checks.
    private func utf8(_ s: Scanner, _ i: Int) throws(JSONSyntaxError) -> Int {
        guard case .valid(let len) = UTF8Validation.sequence(UnsafeBufferPointer(start: s.base, count: s.count), at: i) else {
            throw s.invalidUTF8(at: i)
        }
        if len >= 3 {
            var scalar = Int(s.base[i] & (len == 3 ? 0x0F : 0x07))
            for k in 1..<len { scalar = scalar << 6 | Int(s.base[i + k] & 0x3F) }
            if JSONParser.isNoncharacter(scalar) {
                throw s.error("json.noncharacter", "text contains a Unicode noncharacter, which I-JSON (RFC 7493) forbids", at: i)
            }
        }
        return i + len
    }

    static func isNoncharacter(_ u: Int) -> Bool {
        (0xFDD0...0xFDEF).contains(u) || u & 0xFFFE == 0xFFFE
    }

    /// Appends the unescaped form of validated string content.
    static func unescape(_ raw: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var i = 0
        let n = raw.count
        while i < n {
            var j = i
            while j < n && raw[j] != 0x5C { j += 1 }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: raw[i..<j]))
            guard j < n else { return }
            i = j
            let e = raw[i + 1]
            switch e {
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var u = hexValue(raw, i + 2)
                if (0xD800...0xDBFF).contains(u) {
                    u = 0x10000 + ((u - 0xD800) << 10) + (hexValue(raw, i + 8) - 0xDC00)
                    i += 6
                }
                appendUTF8(u, &out)
                i += 6
                continue
            default: out.append(e)
            }
            i += 2
        }
    }

    private static func hexValue(_ raw: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var v = 0
        for k in i..<(i + 4) { v = v << 4 | Scanner.hexDigit(raw[k])! }
        return v
    }

    private static func appendUTF8(_ u: Int, _ out: inout [UInt8]) {
        switch u {
        case ..<0x80: out.append(UInt8(u))
        case ..<0x800: out.append(UInt8(0xC0 | u >> 6)); out.append(UInt8(0x80 | u & 0x3F))
        case ..<0x10000:
            out.append(UInt8(0xE0 | u >> 12)); out.append(UInt8(0x80 | u >> 6 & 0x3F)); out.append(UInt8(0x80 | u & 0x3F))
        default:
            out.append(UInt8(0xF0 | u >> 18)); out.append(UInt8(0x80 | u >> 12 & 0x3F))
            out.append(UInt8(0x80 | u >> 6 & 0x3F)); out.append(UInt8(0x80 | u & 0x3F))
        }
    }

    private static func hex2(_ c: UInt8) -> String {
        let h = Array("0123456789ABCDEF".utf8)
        return String(decoding: [h[Int(c >> 4)], h[Int(c & 0xF)]], as: UTF8.self)
    }

    private static func hex4(_ u: Int) -> String { hex2(UInt8(u >> 8)) + hex2(UInt8(u & 0xFF)) }

    /// Bytes a string may contain without a closer look: printable ASCII except `"` and `\`.
    @inline(__always)
    private static func isPlainASCII(_ c: UInt8) -> Bool { c >= 0x20 && c < 0x80 && c != 0x22 && c != 0x5C }
}

/// Eight bytes tested at once (SWAR), so long runs of plain text cost one check per word.
enum ASCIIWord {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// True when none of the eight bytes at `p` is a control character, `"`, `\` or non-ASCII;
    /// such bytes are copied as they are by the writer and skipped by the parser.
    @inline(__always)
    static func isPlain(_ p: UnsafePointer<UInt8>) -> Bool {
        let w = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
        let quote = w ^ (ones &* 0x22), backslash = w ^ (ones &* 0x5C)
        // Per byte, the high bit of `(x - 1) & ~x` is set exactly when x is zero (for x < 0x80),
        // and of `x - 0x20` when x < 0x20; any high bit in `w` itself means non-ASCII.
        let special = ((w &- ones &* 0x20) | (quote &- ones) | (backslash &- ones) | w) & highs
        return special == 0
    }

    /// `isPlainUTF8(word:)` of the eight bytes at `p`.
    @inline(__always)
    static func isPlainUTF8(_ p: UnsafePointer<UInt8>) -> Bool {
        isPlainUTF8(word: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    /// The words of the `count` (1 to 16) bytes at `p` when all may be copied as they are
    /// (`isPlainUTF8`), else nil: `head` holds the first eight (a shorter text padded with
    /// spaces, so storing it writes past the text), `tail` the last eight when there are more.
    /// Nothing is read outside the text.
    @inline(__always)
    static func plainShort(_ p: UnsafePointer<UInt8>, _ count: Int) -> (head: UInt64, tail: UInt64)? {
        let raw = UnsafeRawPointer(p)
        if count >= 8 {
            let head = raw.loadUnaligned(as: UInt64.self), tail = raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
            return isPlainUTF8(word: head) && isPlainUTF8(word: tail) ? (head, tail) : nil
        }
        // Little-endian: byte k of the text is bits 8k ..< 8k + 8 of the word.
        var w: UInt64 = ones &* 0x20, at = 0
        if count & 4 != 0 { w = (w & ~0xFFFF_FFFF) | UInt64(raw.loadUnaligned(as: UInt32.self)); at = 4 }
        if count & 2 != 0 {
            w = (w & ~(0xFFFF << UInt64(at * 8))) | UInt64(raw.loadUnaligned(fromByteOffset: at, as: UInt16.self)) << UInt64(at * 8)
            at += 2
        }
        if count & 1 != 0 { w = (w & ~(0xFF << UInt64(at * 8))) | UInt64(p[at]) << UInt64(at * 8) }
        return isPlainUTF8(word: w) ? (w, 0) : nil
    }

    /// True when the writer may copy all eight bytes of `w` as they are (`JSONWriter.isPlain`):
    /// no control character, `"` or `\`, and no byte from 0xEF up, which may start a noncharacter.
    /// Other UTF-8 stays in the fast loop, which matters for Dutch text (ë, é, ï on every line).
    ///
    /// Each test works on the low seven bits so that no carry crosses into the next byte: a byte
    /// `x` is zero exactly when the high bit of `((x & 0x7F) + 0x7F) | x` is clear.
    @inline(__always)
    static func isPlainUTF8(word w: UInt64) -> Bool {
        let low7: UInt64 = ones &* 0x7F
        let low = w & low7
        let quote = w ^ (ones &* 0x22), backslash = w ^ (ones &* 0x5C)
        let notQuote = ((quote & low7) &+ low7) | quote
        let notBackslash = ((backslash & low7) &+ low7) | backslash
        let notControl = (low &+ ones &* 0x60) | w
        let fromEF = (low &+ ones &* 0x11) & w
        return (~(notQuote & notBackslash & notControl) | fromEF) & highs == 0
    }
}

/// A parse failure at a byte offset; the caller knows the file and turns it into a `DossierError`.
struct JSONSyntaxError: Error {
    var code: String
    var message: String
    var offset: Int
    init(_ code: String, _ message: String, offset: Int) { self.code = code; self.message = message; self.offset = offset }
}

/// A cursor over the input bytes.
struct Scanner {
    let base: UnsafePointer<UInt8>
    let count: Int
    var i = 0

    init(base: UnsafePointer<UInt8>, count: Int) { self.base = base; self.count = count }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < count {
            let c = base[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    func hex4(_ at: Int) -> Int? {
        guard at + 4 <= count else { return nil }
        var v = 0
        for k in at..<(at + 4) {
            guard let d = Scanner.hexDigit(base[k]) else { return nil }
            v = v << 4 | d
        }
        return v
    }

    static func hexDigit(_ c: UInt8) -> Int? {
        switch c {
        case 0x30...0x39: Int(c - 0x30)
        case 0x41...0x46: Int(c - 0x37)
        case 0x61...0x66: Int(c - 0x57)
        default: nil
        }
    }

    func error(_ code: String, _ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(code, message, offset: offset ?? i)
    }

    /// Names the offending byte only when it is printable ASCII structure, never document text.
    func unexpected(_ context: String) -> JSONSyntaxError {
        guard i < count else { return error("json.truncated", "document ends \(context)") }
        let c = base[i]
        if c >= 0x80 { return error("json.syntax", "unexpected non-ASCII byte \(context)") }
        let what = (0x21...0x7E).contains(c) ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16))"
        return error("json.syntax", "unexpected \(what) \(context)")
    }

    func invalidUTF8(at offset: Int) -> JSONSyntaxError {
        error("json.utf8", "invalid UTF-8 (byte 0x\(String(base[offset], radix: 16, uppercase: true)) at byte offset \(offset)); the file must be UTF-8, not e.g. Windows-1252", at: offset)
    }
}
