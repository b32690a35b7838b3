public import DossierIO
import DossierModel

/// Decodes a document whose top-level member `key` is a long array of `E` as its bytes arrive:
/// each element is decoded and handed to `each` as soon as it is complete, and `T` is decoded at
/// the end with that array empty. `alsoStreaming` adds more such members, of other types.
///
/// A bundle's export.json lists every dossier; read whole, a list of 250,000 dossiers held its
/// 24 MB of text and a byte range per element until the last one was decoded. Its `scope` lists
/// every record a purpose cut, 15 a client in a transfer: read whole, 168,000 of them (24 MB)
/// took a verify of 11,200 dossiers to 320 MB. Here memory holds one element and the rest of the
/// document around the arrays.
///
/// Strictness is that of `JSONByteDecoder`: every byte of the document is parsed by the strict
/// parser, either inside one element (parsed as a document of its own) or in the rest (where the
/// array stands as `[]`). What this type decides alone is only where an element ends and that the
/// array between elements holds nothing but whitespace and single commas. Errors name the line and
/// column in the whole document. An array whose member name is written with escapes is not
/// recognised, and arrives in `T` instead.
public final class JSONArrayStream<T: Decodable, E: Decodable>: ByteSink {
    private let file: String?
    /// The streamed members: each one's name and how its elements are decoded and handed on.
    private var lists: [List] = []
    private struct List {
        let key: [UInt8]
        /// Decodes one element, calling `parsed` once its syntax has passed, and hands it on if
        /// asked to: after a failed element the rest are still decoded (see `elementFailure`).
        let take: (UnsafeRawBufferPointer, TextPosition, JSONParser, Bool, () -> Void) throws -> Void
        var name: String { String(decoding: key, as: UTF8.self) }
    }
    /// Which of `lists` the array being read (or the member name just read) is.
    private var current = 0
    /// Bytes the document may have around the array, which are held until `finish`.
    private let restLimit: Int
    /// Bytes one element may have: it is held whole while it arrives.
    private let elementLimit: Int
    private let elementParser = JSONParser()

    /// The document without the array's contents.
    private var rest: [UInt8] = []
    private var gaps: [TextGap] = []
    /// Position of the next byte in the document.
    private var line = 1, column = 1

    // Around the array (in `rest`).
    private var depth = 0
    /// The open containers around the array, `{` or `[`, outermost first.
    private var containers: [UInt8] = []
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
    /// The first element that is not well-formed JSON. A whole-document parse reports the first
    /// fault of syntax anywhere before any fault of decoding, so this outranks a later separator
    /// or truncation error and every decoding error.
    private var syntaxFailure: DossierError?
    /// The first element that could not be decoded (or that `each` refused); later elements are
    /// still parsed, since a syntax error in one of them would be what a whole-document parse reports.
    private var elementFailure: (any Error)?
    /// Where the array's `[` is in `rest`: the document before it is parsed when a fault is
    /// found in the array, as a whole-document parse would have found any fault there first.
    private var arrayStart = 0

    public init(_ type: T.Type, file: String?, streaming key: StaticString, of element: E.Type, restLimit: Int = 256 << 20,
                elementLimit: Int = 16 << 20, each: @escaping (E) throws -> Void) {
        self.file = file
        self.restLimit = restLimit
        self.elementLimit = elementLimit
        alsoStreaming(key, of: element, each: each)
    }

    /// Streams the top-level member `key` too, an array of `F`, as the first one is; call before
    /// the first `write`.
    public func alsoStreaming<F: Decodable>(_ key: StaticString, of element: F.Type, each: @escaping (F) throws -> Void) {
        lists.append(List(key: Array(UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))) { input, at, parser, handOn, parsed in
            let value = try JSONByteDecoder.decode(F.self, from: input, parser: parser, at: at, check: { _ in parsed() })
            if handOn { try each(value) }
        })
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
            throw earliest(DossierError("json.truncated", "document ends inside an array", at: SourceLocation(file: file, line: line, column: column)))
        }
        var parsed = false
        let value: T
        do {
            value = try rest.withUnsafeBytes { input in
                try JSONByteDecoder.decode(T.self, from: input, parser: JSONParser(),
                                           at: TextPosition(input: input, file: file, firstLine: 1, gaps: gaps), check: { _ in parsed = true })
            }
        } catch {
            // An element's fault of syntax outranks any fault of decoding here, and a fault of
            // syntax here that lies after it.
            guard let syntaxFailure else { throw error }
            if !parsed, let restError = error as? DossierError, restError.isBefore(syntaxFailure) { throw restError }
            throw syntaxFailure
        }
        if let syntaxFailure { throw syntaxFailure }
        try check(value)
        if let elementFailure { throw elementFailure }
        return value
    }

    /// The fault a whole-document parse would report instead of `error`, found in the array: a
    /// fault of syntax in the document before the array, else in an earlier element, else `error`.
    private func earliest(_ error: DossierError) -> DossierError {
        faultBeforeArray() ?? syntaxFailure ?? error
    }

    /// A fault of syntax in the document before the array, found by parsing what came before it
    /// with the array and the containers around it closed (`[]`, then `}` or `]` each).
    private func faultBeforeArray() -> DossierError? {
        var closed = Array(rest[..<arrayStart]) + [0x5D]
        closed += containers.reversed().map { $0 == 0x7B ? 0x7D : 0x5D }
        return closed.withUnsafeBytes { input -> DossierError? in
            do {
                try JSONParser().parse(input)
                return nil
            } catch let error as JSONSyntaxError {
                guard error.offset < arrayStart else { return nil }
                return DossierError(error.code, error.message,
                                    at: TextPosition(input: input, file: file, firstLine: 1, gaps: gaps).location(error.offset))
            } catch {
                return nil
            }
        }
    }

    private func restByte(_ b: UInt8) throws {
        guard rest.count < restLimit else {
            throw DossierError("json.too-large", "document holds more than \(restLimit) bytes besides its \(lists.map { "'\($0.name)'" }.joined(separator: " and ")) list\(lists.count > 1 ? "s" : "")",
                               at: SourceLocation(file: file, line: line, column: column))
        }
        rest.append(b)
        if inString {
            if escaped { escaped = false; return }
            if b == 0x5C { escaped = true; keyStart = nil; return }
            guard b == 0x22 else { return }
            inString = false
            if let start = keyStart, let i = lists.firstIndex(where: { rest.count - start - 2 == $0.key.count && rest[(start + 1)..<(rest.count - 1)].elementsEqual($0.key) }) {
                afterKey = .colon
                current = i
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
            arrayStart = rest.count - 1
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
            containers.append(b)
            expectKey = depth == 1 && topIsObject
        case 0x7D, 0x5D:
            depth -= 1
            if !containers.isEmpty { containers.removeLast() }
        case 0x2C:
            if depth == 1 { expectKey = topIsObject }
        default:
            break
        }
    }

    private func arrayByte(_ b: UInt8) throws {
        if inElement && element.count >= elementLimit {
            throw earliest(DossierError("json.too-large", "an element of the '\(lists[current].name)' list is longer than \(elementLimit) bytes",
                                        at: SourceLocation(file: file, line: elementLine, column: elementColumn)))
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
        guard syntaxFailure == nil else { return }
        var parsed = false
        do {
            let list = lists[current]
            try element.withUnsafeBytes { input in
                try list.take(input, TextPosition(input: input, file: file, firstLine: elementLine, firstColumn: elementColumn),
                              elementParser, elementFailure == nil) { parsed = true }
            }
        } catch let e as DossierError where !parsed {
            syntaxFailure = e
        } catch {
            if elementFailure == nil { elementFailure = error }
        }
    }

    private func unexpected(_ b: UInt8, _ context: String) -> DossierError {
        let what = (0x21...0x7E).contains(b) ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x\(String(b, radix: 16))"
        return earliest(DossierError("json.syntax", "unexpected \(what) \(context)", at: SourceLocation(file: file, line: line, column: column)))
    }

    private func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 }
}

private extension DossierError {
    /// Whether this fault's place comes before `other`'s in the same document.
    func isBefore(_ other: DossierError) -> Bool {
        (location?.line ?? 0, location?.column ?? 0) < (other.location?.line ?? 0, other.location?.column ?? 0)
    }
}
