public import DossierIO
import DossierModel

/// Decodes a document whose top-level member `key` is a long array of `E` as its bytes arrive:
/// each element is decoded and handed to `each` as soon as it is complete, and `T` is decoded at
/// the end with that array empty.
///
/// A bundle's export.json lists every dossier; read whole, a list of 250,000 dossiers held its
/// 24 MB of text and a byte range per element until the last one was decoded. Here memory holds
/// one element and the rest of the document around the array.
///
/// Strictness is that of `JSONByteDecoder`: every byte of the document is parsed by the strict
/// parser, either inside one element (parsed as a document of its own) or in the rest (where the
/// array stands as `[]`). What this type decides alone is only where an element ends and that the
/// array between elements holds nothing but whitespace and single commas. Errors name the line and
/// column in the whole document. An array whose member name is written with escapes is not
/// recognised, and arrives in `T` instead.
public final class JSONArrayStream<T: Decodable, E: Decodable>: ByteSink {
    private let file: String?
    private let key: [UInt8]
    /// Bytes the document may have around the array, which are held until `finish`.
    private let restLimit: Int
    /// Bytes one element may have: it is held whole while it arrives.
    private let elementLimit: Int
    private let each: (E) throws -> Void
    private let elementParser = JSONParser()

    /// The document without the array's contents.
    private var rest: [UInt8] = []
    private var gaps: [TextGap] = []
    /// Position of the next byte in the document.
    private var line = 1, column = 1

    // Around the array (in `rest`).
    private var depth = 0
    private var topIsObject = false
    private var inString = false, escaped = false
    private var expectKey = false
    /// Where in `rest` the member name being read starts, when it is read at depth 1 as a name.
    private var keyStart: Int?
    private enum AfterKey { case none, colon, value }
    private var afterKey = AfterKey.none

    // Inside the array.
    private var inArray = false
    private enum Between { case first, value, comma }
    private var between = Between.first
    private var element: [UInt8] = []
    private var inElement = false
    private var elementDepth = 0
    private var elementLine = 1, elementColumn = 1
    private var gap = TextGap(offset: 0)
    /// The first element that could not be decoded (or that `each` refused).
    private var elementFailure: (any Error)?

    public init(_ type: T.Type, file: String?, streaming key: StaticString, of element: E.Type, restLimit: Int = 256 << 20,
                elementLimit: Int = 16 << 20, each: @escaping (E) throws -> Void) {
        self.file = file
        self.restLimit = restLimit
        self.elementLimit = elementLimit
        self.key = Array(UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        self.each = each
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        for b in bytes {
            if inArray { try arrayByte(b) } else { try restByte(b) }
            if b == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
    }

    /// The document without the array, decoded; call once, after the last `write`.
    ///
    /// An element that failed stops the elements after it from being decoded, but its error is
    /// thrown only after `check` has passed the rest of the document: a document of a version
    /// this build does not read says so (in `check`), not that its elements look wrong.
    public func finish(check: (T) throws -> Void = { _ in }) throws -> T {
        if inArray {
            throw DossierError("json.truncated", "document ends inside an array", at: SourceLocation(file: file, line: line, column: column))
        }
        let value = try rest.withUnsafeBytes { input in
            try JSONByteDecoder.decode(T.self, from: input, parser: JSONParser(),
                                       at: TextPosition(input: input, file: file, firstLine: 1, gaps: gaps))
        }
        try check(value)
        if let elementFailure { throw elementFailure }
        return value
    }

    private func restByte(_ b: UInt8) throws {
        guard rest.count < restLimit else {
            throw DossierError("json.too-large", "document holds more than \(restLimit) bytes besides its '\(String(decoding: key, as: UTF8.self))' list",
                               at: SourceLocation(file: file, line: line, column: column))
        }
        rest.append(b)
        if inString {
            if escaped { escaped = false; return }
            if b == 0x5C { escaped = true; keyStart = nil; return }
            guard b == 0x22 else { return }
            inString = false
            if let start = keyStart, rest.count - start - 2 == key.count, rest[(start + 1)..<(rest.count - 1)].elementsEqual(key) {
                afterKey = .colon
            }
            keyStart = nil
            return
        }
        if isWhitespace(b) { return }
        if afterKey == .colon && b == 0x3A { afterKey = .value; return }
        if afterKey == .value && b == 0x5B {
            afterKey = .none
            inArray = true
            between = .first
            gap = TextGap(offset: rest.count)
            return
        }
        afterKey = .none
        switch b {
        case 0x22:
            inString = true
            if depth == 1 && topIsObject && expectKey { keyStart = rest.count - 1; expectKey = false }
        case 0x7B, 0x5B:
            if depth == 0 { topIsObject = b == 0x7B }
            depth += 1
            expectKey = depth == 1 && topIsObject
        case 0x7D, 0x5D:
            depth -= 1
        case 0x2C:
            if depth == 1 { expectKey = topIsObject }
        default:
            break
        }
    }

    private func arrayByte(_ b: UInt8) throws {
        if inElement && element.count >= elementLimit {
            throw DossierError("json.too-large", "an element of the '\(String(decoding: key, as: UTF8.self))' list is longer than \(elementLimit) bytes",
                               at: SourceLocation(file: file, line: elementLine, column: elementColumn))
        }
        if inElement {
            if inString {
                element.append(b)
                if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
                gap.add(b)
                return
            }
            if elementDepth > 0 || !(b == 0x2C || b == 0x5D || isWhitespace(b)) {
                element.append(b)
                switch b {
                case 0x22: inString = true
                case 0x7B, 0x5B: elementDepth += 1
                case 0x7D, 0x5D: elementDepth = max(0, elementDepth - 1)
                default: break
                }
                gap.add(b)
                return
            }
            emitElement()
        }
        switch b {
        case _ where isWhitespace(b):
            gap.add(b)
        case 0x5D where between != .comma:
            gaps.append(gap)
            rest.append(b)
            inArray = false
        case 0x2C where between == .value:
            between = .comma
            gap.add(b)
        case 0x2C, 0x5D:
            throw unexpected(b, between == .comma ? "where a value was expected" : "where a value or ']' was expected")
        default:
            guard between != .value else { throw unexpected(b, "where ',' or ']' was expected") }
            inElement = true
            element.removeAll(keepingCapacity: true)
            element.append(b)
            (elementLine, elementColumn) = (line, column)
            switch b {
            case 0x22: inString = true
            case 0x7B, 0x5B: elementDepth = 1
            default: elementDepth = 0
            }
            gap.add(b)
        }
    }

    private func emitElement() {
        inElement = false
        between = .value
        guard elementFailure == nil else { return }
        do {
            let value = try element.withUnsafeBytes { input in
                try JSONByteDecoder.decode(E.self, from: input, parser: elementParser,
                                           at: TextPosition(input: input, file: file, firstLine: elementLine, firstColumn: elementColumn))
            }
            try each(value)
        } catch {
            elementFailure = error
        }
    }

    private func unexpected(_ b: UInt8, _ context: String) -> DossierError {
        let what = (0x21...0x7E).contains(b) ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x\(String(b, radix: 16))"
        return DossierError("json.syntax", "unexpected \(what) \(context)", at: SourceLocation(file: file, line: line, column: column))
    }

    private func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
}
