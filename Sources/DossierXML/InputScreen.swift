import DossierModel
internal import DossierIO

/// A byte-level gate every input passes before libxml2 sees it: UTF-8 only, no DOCTYPE, bounded shape.
///
/// libxml2 2.9.14 is not safe on untrusted data (reliability.md §2): a DTD brings XXE and entity
/// bombs, its duplicate-attribute check is quadratic, and it quietly falls back to Latin-1 on bad
/// UTF-8. Screening the raw bytes with a small resumable state machine rejects all of these before
/// any parser state exists, and works the same for a memory buffer and a multi-GB stream fed in
/// chunks. It only tracks what it must (tags, quotes, comments, CDATA, PIs); well-formedness is
/// still libxml2's job.
struct InputScreen {
    private enum State {
        case text, lessThan, bang, bangDash, cdataOpen(Int), comment(dashes: Int), cdata(brackets: Int)
        case processingInstruction(question: Bool), startTag(slash: Bool), attributeValue(quote: UInt8), endTag
    }

    private static let cdataOpen = Array("CDATA[".utf8)
    private static let declarationCap = 1024

    let limits: XMLLimits
    let file: String?
    private var state = State.text
    private(set) var offset: Int64 = 0
    private var line = 1
    private var column = 0
    /// UTF-8 continuation bytes still expected, and the range the next one must fall in.
    private var pending = 0
    private var low: UInt8 = 0x80
    private var high: UInt8 = 0xBF
    private var depth = 0
    private var nodes = 0
    private var attributes = 0
    private var lessThanOffset: Int64 = 0
    /// Bytes of the XML declaration while it is being read; nil once it is over or absent.
    private var declaration: [UInt8]?

    init(limits: XMLLimits, file: String?) {
        self.limits = limits
        self.file = file
    }

    /// Screens the next run of bytes; throws at the first byte that breaks a rule.
    mutating func screen(_ bytes: UnsafeRawBufferPointer) throws {
        if let max = limits.maxBytes, offset + Int64(bytes.count) > max {
            throw DossierError(XMLErrorCode.limit, "input is larger than the \(max)-byte limit",
                               at: SourceLocation(file: file))
        }
        var i = 0
        while i < bytes.count {
            i += skipPlainRun(bytes, from: i)
            guard i < bytes.count else { break }
            try step(bytes[i])
            i += 1
        }
    }

    /// Printable ASCII: no line end, control, NUL or UTF-8 byte, so only the markup state matters.
    @inline(__always)
    private static func isPlain(_ b: UInt8) -> Bool { b >= 0x20 && b < 0x80 }

    /// Consumes a run of printable ASCII that cannot change the state (text up to `<`, a tag name,
    /// an attribute value up to its quote), so the common bytes skip `step`; returns its length.
    private mutating func skipPlainRun(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard pending == 0, declaration == nil, offset > 0 else { return 0 }
        var i = start
        switch state {
        case .text:
            i = InputScreen.plainRunEnd(bytes, from: i, before: 0x3C)
        case .startTag(let slash):
            while i < bytes.count, InputScreen.isPlain(bytes[i]), !InputScreen.isTagSpecial(bytes[i]) { i += 1 }
            if slash && i > start { state = .startTag(slash: false) }
        case .endTag:
            i = InputScreen.plainRunEnd(bytes, from: i, before: 0x3E)
        case .attributeValue(let quote):
            i = InputScreen.plainRunEnd(bytes, from: i, before: quote)
        default:
            return 0
        }
        offset += Int64(i - start)
        column += i - start
        return i - start
    }

    /// Where the run of plain bytes (`isPlain`) other than `stop` that starts at `i` ends: eight
    /// bytes at a time while a whole word qualifies, then byte by byte, so it ends exactly where a
    /// byte-by-byte scan ends.
    @inline(__always)
    private static func plainRunEnd(_ bytes: UnsafeRawBufferPointer, from i: Int, before stop: UInt8) -> Int {
        var i = i
        if let base = bytes.baseAddress {
            while bytes.count - i >= 8 && isPlainWord(base.loadUnaligned(fromByteOffset: i, as: UInt64.self), other: stop) { i += 8 }
        }
        while i < bytes.count, isPlain(bytes[i]), bytes[i] != stop { i += 1 }
        return i
    }

    /// `isPlain` and not `stop` for each of the eight bytes of `w` (SWAR; `stop` is ASCII). Each
    /// test works on the low seven bits, so no carry crosses into the next byte.
    @inline(__always)
    static func isPlainWord(_ w: UInt64, other stop: UInt8) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, low7 = ones &* 0x7F, highs = ones &* 0x80
        let x = w ^ (ones &* UInt64(stop))
        let notStop = ((x & low7) &+ low7) | x          // high bit set where the byte is not `stop`
        let fromSpace = (w & low7) &+ ones &* 0x60       // high bit set where the low bits are >= 0x20
        return notStop & fromSpace & ~w & highs == highs  // ~w: high bit set where the byte is < 0x80
    }

    /// Quotes, `=`, `/` and `>`: the bytes inside a start tag that change the state.
    @inline(__always)
    private static func isTagSpecial(_ b: UInt8) -> Bool { b == 0x22 || b == 0x27 || b == 0x3D || b == 0x2F || b == 0x3E }

    /// One byte through the full rules: UTF-8 sequence, line count, declaration, markup state.
    private mutating func step(_ b: UInt8) throws {
        if offset == 0 { try checkFirst(b) }
        offset += 1
        if pending > 0 {
            guard b >= low && b <= high else { throw failure(XMLErrorCode.encoding, "invalid UTF-8 byte sequence (only UTF-8 is accepted)") }
            pending -= 1; low = 0x80; high = 0xBF
            return
        }
        if b == 0x0A { line += 1; column = 0 } else { column += 1 }
        if b >= 0x80 { try startSequence(b) }
        if b == 0 { throw failure(XMLErrorCode.encoding, "NUL byte: UTF-16/32 or binary input (only UTF-8 is accepted)") }
        if declaration != nil { try collectDeclaration(b) }
        try markup(b)
    }

    /// Called at end of input: a multi-byte character cut short is invalid UTF-8.
    func finish() throws {
        if pending > 0 { throw failure(XMLErrorCode.encoding, "input ends inside a UTF-8 sequence") }
    }

    /// The first byte tells UTF-16/32 byte-order marks and gzip's magic number apart from XML text.
    private func checkFirst(_ b: UInt8) throws {
        if b == 0xFE || b == 0xFF { throw failure(XMLErrorCode.encoding, "UTF-16/32 byte-order mark (only UTF-8 is accepted)") }
        if b == 0x1F { throw failure(XMLErrorCode.compressed, "compressed (gzip) input: XML is read only as plain UTF-8") }
    }

    /// Lead byte of a multi-byte sequence: how many continuation bytes follow and the range of the
    /// first, which excludes overlong forms, surrogates and code points above U+10FFFF.
    private mutating func startSequence(_ b: UInt8) throws {
        guard let (need, first, last) = UTF8Validation.lead(b), need > 0 else {
            throw failure(XMLErrorCode.encoding, "invalid UTF-8 byte sequence (only UTF-8 is accepted)")
        }
        pending = need; low = first; high = last
    }

    private mutating func markup(_ b: UInt8) throws {
        switch state {
        case .text:
            if b == 0x3C { state = .lessThan; lessThanOffset = offset - 1 }
        case .lessThan:
            switch b {
            case 0x21: state = .bang
            case 0x3F:
                state = .processingInstruction(question: false)
                // The XML declaration can only start the input, after an optional UTF-8 BOM.
                if lessThanOffset == 0 || lessThanOffset == 3 { declaration = [] }
            case 0x2F: state = .endTag
            default:
                state = .startTag(slash: false)
                if depth >= limits.maxDepth { throw failure(XMLErrorCode.limit, "elements nested deeper than \(limits.maxDepth)") }
                try count(node: 1)
            }
        case .bang:
            switch b {
            case 0x2D: state = .bangDash
            case 0x5B: state = .cdataOpen(0)
            default: throw failure(XMLErrorCode.doctype, "DOCTYPE or markup declaration: DTDs are not accepted")
            }
        case .bangDash:
            state = b == 0x2D ? .comment(dashes: 0) : .text
        case .cdataOpen(let n):
            if b != InputScreen.cdataOpen[n] { state = .text } else if n + 1 == InputScreen.cdataOpen.count { state = .cdata(brackets: 0) } else { state = .cdataOpen(n + 1) }
        case .comment(let dashes):
            state = b == 0x3E && dashes >= 2 ? .text : .comment(dashes: b == 0x2D ? dashes + 1 : 0)
        case .cdata(let brackets):
            state = b == 0x3E && brackets >= 2 ? .text : .cdata(brackets: b == 0x5D ? brackets + 1 : 0)
        case .processingInstruction(let question):
            if b == 0x3E && question {
                state = .text
                declaration = nil  // checked as each of its quoted values closed
            } else {
                state = .processingInstruction(question: b == 0x3F)
            }
        case .startTag(let slash):
            switch b {
            case 0x22, 0x27: state = .attributeValue(quote: b)
            case 0x3D:
                attributes += 1
                if attributes > limits.maxAttributes {
                    throw failure(XMLErrorCode.limit, "more than \(limits.maxAttributes) attributes on one element")
                }
                try count(node: 1)
                state = .startTag(slash: false)
            case 0x3E:
                attributes = 0
                state = .text
                if !slash { depth += 1 }
            default: state = .startTag(slash: b == 0x2F)
            }
        case .attributeValue(let quote):
            if b == quote { state = .startTag(slash: false) }
        case .endTag:
            if b == 0x3E { depth -= 1; state = .text }
        }
    }

    private mutating func count(node n: Int) throws {
        nodes += n
        if let max = limits.maxNodes, nodes > max { throw failure(XMLErrorCode.limit, "more than \(max) elements and attributes") }
    }

    private mutating func collectDeclaration(_ b: UInt8) throws {
        declaration!.append(b)
        if declaration!.count > InputScreen.declarationCap { throw failure(XMLErrorCode.malformed, "XML declaration is longer than \(InputScreen.declarationCap) bytes") }
        // Checked as soon as a quoted value closes, not only at `?>`: libxml2 switches to the
        // declared encoding when it reads the attribute, also in a declaration that never ends
        // (found by `DossierportFuzz run xml`: `encoding="UTF-7"` without `?>` reached iconv).
        if b == 0x22 || b == 0x27 { try checkDeclaration(declaration!) }
    }

    /// Accepts a declaration without `encoding`, or one that names UTF-8 in any letter case.
    private func checkDeclaration(_ d: [UInt8]) throws {
        // `d` is everything after "<?", e.g. `xml version="1.0" encoding="UTF-8"?>`.
        guard d.count > 3, d[0..<3].elementsEqual("xml".utf8), [0x20, 0x09, 0x0A, 0x0D].contains(d[3]) else { return }
        let key = Array("encoding".utf8)
        // A declaration shorter than the word (`<?xml ?>`) has no encoding to check.
        guard d.count >= key.count, let start = (0...(d.count - key.count)).first(where: { d[$0..<($0 + key.count)].elementsEqual(key) }) else { return }
        var i = start + key.count
        func skipSpace() { while i < d.count, [0x20, 0x09, 0x0A, 0x0D].contains(d[i]) { i += 1 } }
        skipSpace()
        guard i < d.count, d[i] == 0x3D else { return }
        i += 1
        skipSpace()
        guard i < d.count, d[i] == 0x22 || d[i] == 0x27 else { return }
        let quote = d[i]
        guard let end = d[(i + 1)...].firstIndex(of: quote) else { return }
        let name = String(decoding: d[(i + 1)..<end], as: UTF8.self)
        if name.lowercased() != "utf-8" {
            throw failure(XMLErrorCode.encoding, "declared encoding is not UTF-8 (only UTF-8 is accepted)")
        }
    }

    private func failure(_ code: String, _ message: String) -> DossierError {
        DossierError(code, message, at: SourceLocation(file: file, line: line, column: max(column, 1)))
    }
}
