import DossierIO
import DossierModel
import DossierXML

/// The canonical XML text: 2-space indentation, leaves on one line, empty containers as `<x/>`.
///
/// Start tags are left open (`<x`) until the first child or text arrives, because the `Encoder`
/// protocol never says in advance whether a value is a leaf, a container or empty. Bytes collect
/// in a buffer that goes to the sink only on `flush`, so a dossier that fails halfway can be rolled
/// back and a `<dossiers>` stream stays well-formed; a single-dossier document, which a failure
/// discards whole, also goes out between a list's items (`flushThreshold`).
final class XMLOutput {
    private let sink: any ByteSink
    // Unchecked exclusivity, as in `JSONWriter`: an output is used by one encoding at a time, and
    // the runtime's check on every append (a thread-local lookup each) was about a quarter of
    // writing a dossier.
    @exclusivity(unchecked) private var buffer = OutputBuffer(capacity: 1 << 16)
    @exclusivity(unchecked) private var open: [(name: Name, hasContent: Bool)] = []
    /// A failure found where the `Encoder` protocol cannot throw (opening a nested container),
    /// thrown when the element being written ends.
    @exclusivity(unchecked) private var deferred: (any Error)?

    /// Bytes after which the direct path hands the buffer to the sink between a list's items,
    /// so that a large dossier is not held whole as text beside its model (see
    /// `element(direct:named:)`); nil keeps each top-level element whole until `flush`.
    private let flushThreshold: Int?
    /// How many times the buffer went to the sink; a mark in it holds while this is unchanged.
    private(set) var flushes = 0

    init(sink: any ByteSink, flushThreshold: Int? = nil) {
        self.sink = sink
        self.flushThreshold = flushThreshold
    }

    deinit { buffer.deallocate() }

    /// An element name: the direct path's are the member lists' static keys, so that no `String`
    /// is made for each element written.
    enum Name {
        case text(String)
        case fixed(StaticString)
    }

    /// Open elements; encoders use it to know which elements are theirs to close.
    var depth: Int { open.count }

    func declaration() {
        buffer.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" as StaticString)
    }

    func openElement(_ name: String, attributes: String = "") {
        openElement(.text(name), attributes: attributes)
    }

    func openElement(_ name: Name, attributes: String = "") {
        startContent()
        indent()
        buffer.append(0x3C)
        append(name)
        if !attributes.isEmpty { buffer.append(attributes) }
        open.append((name, false))
    }

    private func append(_ name: Name) {
        switch name {
        case .text(let s): buffer.append(s)
        case .fixed(let s): buffer.append(s)
        }
    }

    /// Writes `text` as the whole content of the innermost element, which must still be empty, and closes it.
    func leaf(_ text: String, codingPath: [any CodingKey]) throws {
        let name = try openLeaf(text, codingPath)
        try appendEscaped(text, codingPath: codingPath)
        closeLeaf(name)
    }

    /// As `leaf(_:codingPath:)`, for ASCII text that needs no escape, which `write` puts at a
    /// position in at most `maxCount` bytes, returning its end: a value type's `writeText(to:)`,
    /// so that no `String` is made for a date, a timestamp or an amount.
    func leaf(maxCount: Int, _ write: (UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8>) throws {
        let name = try openLeaf("", [])
        buffer.append(writing: maxCount, write)
        closeLeaf(name)
    }

    /// As `leaf(_:codingPath:)`, for an integer, written without a `String`.
    func leaf(integer v: Int) throws {
        let name = try openLeaf(v, [])
        buffer.append(integer: v)
        closeLeaf(name)
    }

    /// As `leaf(_:codingPath:)`, for ASCII that needs no escape (`true`, `false`).
    func leaf(ascii text: StaticString) throws {
        let name = try openLeaf(text.description, [])
        buffer.append(text)
        closeLeaf(name)
    }

    /// `value` only for the error, made only when there is one.
    private func openLeaf(_ value: @autoclosure () -> Any, _ codingPath: [any CodingKey]) throws -> Name {
        guard let top = open.last, !top.hasContent else {
            throw EncodingError.invalidValue(value(), .init(codingPath: codingPath, debugDescription: "a single value in an element that already has content"))
        }
        buffer.append(0x3E)
        return top.name
    }

    private func closeLeaf(_ name: Name) {
        endTag(name)
        open.removeLast()
    }

    private func endTag(_ name: Name) {
        buffer.append("</" as StaticString)
        append(name)
        buffer.append(">\n" as StaticString)
    }

    // MARK: Members copied from the record before (see `XMLDirect.writeObject(_:to:depth:leading:encoding:kept:)`)

    /// The XML of the last record metadata's first members and what it encodes, as
    /// `JSONWriter.metaHead` keeps the JSON.
    @exclusivity(unchecked) var metaHead: (key: RecordMetaHead, bytes: [UInt8])?
    @exclusivity(unchecked) var sourceFileHead: (key: SourceFileHead, bytes: [UInt8])?

    /// Where the next byte goes: a mark for `written(from:)`.
    var position: Int { buffer.count }

    /// The bytes written between two `position`s.
    func written(_ range: Range<Int>) -> [UInt8] {
        Array(UnsafeBufferPointer(start: buffer.base + range.lowerBound, count: range.count))
    }

    /// Writes `bytes`, the first children of the innermost element as `written(_:)` took them
    /// from an element opened at the same depth: they begin by ending its start tag.
    func replayChildren(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { buffer.append($0.baseAddress!, count: $0.count) }
        open[open.count - 1].hasContent = true
    }

    /// Closes elements until `depth` remain open.
    func close(downTo depth: Int) {
        while open.count > depth {
            let element = open.removeLast()
            if element.hasContent {
                indent()
                endTag(element.name)
            } else {
                buffer.append("/>\n" as StaticString)
            }
        }
    }

    /// Writes `value` as the element `name` at the current depth, undoing all its output if it fails.
    func element(_ value: some Encodable, named name: String, attributes: String = "") throws {
        let mark = (bytes: buffer.count, open: open)
        do {
            openElement(name, attributes: attributes)
            try value.encode(to: XMLElementEncoder(output: self, depth: open.count, codingPath: []))
            if let error = deferred { throw error }
            close(downTo: mark.open.count)
        } catch {
            buffer.count = mark.bytes
            open = mark.open
            deferred = nil
            throw error
        }
    }

    /// Writes `value` through the direct path (`XMLDirect`); whatever that path refuses or fails
    /// on is written again through `Codable`, so that a failure is reported as that path reports it.
    ///
    /// When part of the element has gone to the sink already (only with a `flushThreshold`), it
    /// cannot be undone: the failure is then found by the `Codable` path on a throwaway output,
    /// and thrown with the sink holding a partial document, which the caller discards.
    func element<T: JSONObject & Encodable>(direct value: T, named name: String, attributes: String = "") throws {
        let mark = (bytes: buffer.count, open: open, flushes: flushes)
        do {
            openElement(name, attributes: attributes)
            var x = value
            try XMLDirect.writeObject(T.self, &x, to: self, depth: open.count)
            close(downTo: mark.open.count)
        } catch {
            guard flushes == mark.flushes else {
                try XMLOutput(sink: DiscardSink()).element(value, named: name, attributes: attributes)
                throw error
            }
            buffer.count = mark.bytes
            open = mark.open
            try element(value, named: name, attributes: attributes)
        }
    }

    /// Hands the buffer to the sink once it holds `flushThreshold` bytes (see there).
    func flushIfFull() throws {
        if let flushThreshold, buffer.count >= flushThreshold { try flush() }
    }

    func fail(_ error: any Error) {
        if deferred == nil { deferred = error }
    }

    func flush() throws {
        try sink.write(buffer.bytes)
        buffer.count = 0
        flushes += 1
    }

    private func startContent() {
        guard let top = open.last, !top.hasContent else { return }
        buffer.append(">\n" as StaticString)
        open[open.count - 1].hasContent = true
    }

    private func indent() {
        buffer.append(repeating: 0x20, count: 2 * open.count)
    }

    /// Escapes `& < >` and CR (as `&#xD;`, so a CR survives the parser's line-end normalisation),
    /// and refuses what XML 1.0 cannot carry at all. The JSON format carries these characters; a
    /// dossier holding one cannot be written as XML, and the error names the field, not its text.
    private func appendEscaped(_ text: String, codingPath: [any CodingKey]) throws {
        var text = text
        try text.withUTF8 { u in
            guard let p = u.baseAddress else { return }
            var runStart = 0, i = 0
            while i < u.count {
                // Eight plain bytes at a time; the byte rule below decides the rest.
                if u.count - i >= 8 && ASCIIWord.isPlainXML(p + i) {
                    i += 8
                    continue
                }
                let b = u[i]
                let replacement: StaticString
                switch b {
                case 0x26: replacement = "&amp;"
                case 0x3C: replacement = "&lt;"
                case 0x3E: replacement = "&gt;"
                case 0x0D: replacement = "&#xD;"
                case 0x09, 0x0A: i += 1; continue
                case 0x00..<0x20:
                    throw unrepresentable("U+00" + String(b, radix: 16, uppercase: true).leftPadded(2), codingPath)
                case 0xEF where i + 2 < u.count && u[i + 1] == 0xBF && u[i + 2] >= 0xBE:
                    throw unrepresentable(u[i + 2] == 0xBE ? "U+FFFE" : "U+FFFF", codingPath)
                default: i += 1; continue
                }
                buffer.append(p + runStart, count: i - runStart)
                buffer.append(replacement)
                i += 1
                runStart = i
            }
            buffer.append(p + runStart, count: u.count - runStart)
        }
    }

    private func unrepresentable(_ character: String, _ codingPath: [any CodingKey]) -> DossierError {
        DossierError(XMLErrorCode.unrepresentable,
                     "text contains \(character), which XML 1.0 cannot carry (write this dossier as JSON instead)",
                     path: XMLNames.path(codingPath))
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

extension ASCIIWord {
    /// True when `XMLOutput.appendEscaped` may copy all eight bytes at `p` as they are: no `&`, `<`
    /// or `>`, no control character (tab, LF and CR included: the byte rule takes those), and no
    /// byte from 0xEF up, which may start a noncharacter. As in `isPlainUTF8(word:)`, each test
    /// works on the low seven bits so that no carry crosses into the next byte.
    @inline(__always)
    static func isPlainXML(_ p: UnsafePointer<UInt8>) -> Bool {
        let w = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
        let low7 = ones &* 0x7F, low = w & low7
        // The high bit of each byte of `differs(c)` is set where that byte of `w` is not `c`.
        func differs(_ c: UInt64) -> UInt64 {
            let x = w ^ (ones &* c)
            return ((x & low7) &+ low7) | x
        }
        let notControl = (low &+ ones &* 0x60) | w
        let fromEF = (low &+ ones &* 0x11) & w
        let plain = differs(0x26) & differs(0x3C) & differs(0x3E) & notControl & ~fromEF
        return plain & (ones &* 0x80) == ones &* 0x80
    }
}
