public import DossierModel
internal import DossierIO

/// Reads one CSV file (or standard input, `-`) as rows, strictly per RFC 4180 unless told otherwise.
///
/// Bytes stream through `ByteReader` and `TextDecoder`, then a byte-level state machine, so memory
/// is bounded by one chunk plus one record whatever the file size. What the reader decides on its
/// own (encoding, delimiter) is public, so the import report can show it. Semantics, beyond
/// RFC 4180, follow csv-spectrum and the Rust `csv` crate:
/// - CRLF, LF and a lone CR all end a record; inside quotes they are data. A last record needs no
///   line end. Blank lines are no records (counted in `blankLinesSkipped`), which is why a
///   one-column CSV cannot express an empty value with a blank line: write `""`.
/// - A first line `sep=X` sets the delimiter and is not the header.
/// - Strict by default: a quote inside an unquoted field (`ab"c`, and `a, "b"`, where the space
///   starts the field), text after a closing quote, a quote open at the end of the input and a
///   record whose field count differs from the header are errors with line and column (the
///   1-based byte column in the UTF-8 text) and the record and field number. See
///   `CSVReadOptions.lenient` for what lenient mode does with them instead.
/// - A NUL byte in a field is always an error (C15): it is never data in a care record, C tools
///   downstream would cut the value at it, and keeping it silently would hide a binary file.
/// - Values are `.text`, never typed here: the mapping profile decides what "1.234,56" means.
///   Empty fields follow `CSVReadOptions.emptyField`.
/// - Warnings (in `diagnostics`, never with the value): bidirectional controls and invisible
///   characters in a field (C19), and numbers in the scientific notation Excel turns long
///   identifiers into (C18), both kept verbatim.
public final class CSVReader: RowReader {
    /// The path as given, or `<stdin>`.
    public let file: String
    public let table: String
    public private(set) var dialect = CSVDialect(delimiter: UInt8(ascii: ","), evidence: .singleColumn)
    public private(set) var columns: [String] = []
    /// Warnings about accepted rows, at most `diagnosticLimit`; `suppressedDiagnostics` counts the rest.
    public private(set) var diagnostics: [Diagnostic] = []
    public private(set) var suppressedDiagnostics = 0
    public let diagnosticLimit = 1000
    public private(set) var blankLinesSkipped = 0
    /// Data records returned so far.
    public private(set) var recordCount = 0

    public var encoding: EncodingChoice { decoder.choice! }
    public var tables: [String: SourceTable] {
        [table: SourceTable(name: table, columns: columns.map { SourceColumn(name: $0) })]
    }

    private let options: CSVReadOptions
    private var delimiter: UInt8 { dialect.delimiter }
    private let input: ByteReader
    private var decoder: TextDecoder
    /// Decoded UTF-8 not yet parsed starts at `buf[pos]`; `bufBase` is the decoded offset of `buf[0]`.
    private var buf: [UInt8] = []
    private var pos = 0
    private var bufBase: Int64 = 0
    private var inputDone = false

    private var line = 1
    /// Decoded offset where the current physical line starts, for columns.
    private var lineStart: Int64 = 0
    /// Decoded offset of the last CR, so that the LF of a CRLF does not count as a second line.
    private var lastCR: Int64 = -2

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
    private var state = State.fieldStart
    /// The record being read: its fields' bytes back to back, where each ends, which were quoted.
    private var recordBytes: [UInt8] = []
    private var fieldEnds: [Int] = []
    private var fieldQuoted: [Bool] = []
    private var fieldStart = 0
    private var recordLine = 1
    private var fieldLine = 1
    private var fieldColumn = 1

    private static let quote = UInt8(ascii: "\""), cr: UInt8 = 0x0D, lf: UInt8 = 0x0A

    /// Opens `path` (`-` for standard input), settles encoding and delimiter from the first
    /// 64 KiB, and reads the header, so that errors in those surface here.
    public init(path: String, options: CSVReadOptions = CSVReadOptions()) throws {
        self.options = options
        input = try ByteReader(path: path)
        file = input.path
        table = options.table ?? CSVReader.tableName(path)
        decoder = TextDecoder(file: input.path, encoding: options.encoding)
        while buf.count < 64 * 1024, try readChunk() {}
        let sepLine = takeSepLine()
        if let d = options.delimiter {
            dialect = CSVDialect(delimiter: d, evidence: .caller)
        } else if let d = sepLine {
            dialect = CSVDialect(delimiter: d, evidence: .sepLine)
        } else {
            dialect = buf.withUnsafeBufferPointer {
                CSVDialect.detect(sample: UnsafeBufferPointer(rebasing: $0[pos...]), complete: inputDone)
            }
        }
        guard delimiter < 0x80, delimiter != CSVReader.quote, delimiter != CSVReader.cr, delimiter != CSVReader.lf,
              delimiter != 0 else {
            throw DossierError("csv.bad-delimiter", "the delimiter must be an ASCII byte other than a quote, CR, LF or NUL",
                               at: SourceLocation(file: file))
        }
        switch options.header {
        case .firstRow:
            guard try nextRecord() else {
                throw DossierError("csv.no-header", "the file has no header row", at: SourceLocation(file: file, line: line))
            }
            columns = try CSVReader.validated(names: headerNames(), file: file, line: recordLine)
        case .names(let names):
            columns = try CSVReader.validated(names: names, file: file, line: nil)
        case .none:
            break
        }
    }

    /// `clienten` for `exports/clienten.csv`.
    static func tableName(_ path: String) -> String {
        if path == "-" { return "stdin" }
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// Column names must be unique and not blank, so that `SourceRow[column]` is unambiguous and a
    /// profile can name every column (C17).
    static func validated(names: [String], file: String, line: Int?) throws -> [String] {
        var seen: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            let at = SourceLocation(file: file, line: line)
            if name.allSatisfy({ $0.isWhitespace }) {
                throw DossierError("csv.header-empty", "column \(i + 1) of the header has no name", at: at)
            }
            if let first = seen[name] {
                throw DossierError("csv.header-duplicate",
                                   "columns \(first + 1) and \(i + 1) of the header have the same name", at: at)
            }
            seen[name] = i
        }
        return names
    }

    public func nextRow() throws -> SourceRow? {
        guard try nextRecord() else { return nil }
        recordCount += 1
        var values = makeValues()
        if columns.isEmpty { columns = (1...values.count).map { "column\($0)" } }
        var rowColumns = columns
        if values.count != columns.count {
            let message = "record \(recordCount) has \(values.count) fields where the header has \(columns.count)"
            guard options.lenient else {
                throw DossierError("csv.ragged", message, at: SourceLocation(file: file, line: recordLine))
            }
            warn("csv.ragged", message, line: recordLine, column: nil)
            if values.count < columns.count {
                values += Array(repeating: .null, count: columns.count - values.count)
            } else {
                rowColumns += (columns.count + 1...values.count).map { "column\($0)" }
            }
        }
        flagSuspiciousFields()
        return SourceRow(table: table, columns: rowColumns, values: values,
                         location: SourceLocation(file: file, line: recordLine, table: table))
    }

    // MARK: Input

    /// Reads and decodes one more chunk into `buf`; false at the end of the input.
    private func readChunk() throws -> Bool {
        if inputDone { return false }
        if let chunk = try input.nextChunk() {
            try decoder.decode(chunk, into: &buf)
        } else {
            try decoder.finish(into: &buf)
            inputDone = true
        }
        return true
    }

    /// Drops the parsed buffer and decodes more; false at the end of the input.
    private func refill() throws -> Bool {
        bufBase += Int64(buf.count)
        buf.removeAll(keepingCapacity: true)
        pos = 0
        while buf.isEmpty {
            guard try readChunk() else { return false }
        }
        return true
    }

    /// Consumes a first line `sep=X` (any case, as Excel accepts it) and returns X.
    private func takeSepLine() -> UInt8? {
        let b = buf
        guard b.count >= 5, b[0] | 0x20 == UInt8(ascii: "s"), b[1] | 0x20 == UInt8(ascii: "e"),
              b[2] | 0x20 == UInt8(ascii: "p"), b[3] == UInt8(ascii: "=") else { return nil }
        var end = 5
        guard end == b.count || b[end] == CSVReader.cr || b[end] == CSVReader.lf else { return nil }
        if end < b.count && b[end] == CSVReader.cr { end += 1 }
        if end < b.count && b[end] == CSVReader.lf { end += 1 }
        pos = end
        line = 2
        lineStart = Int64(end)
        return b[4]
    }

    // MARK: Records

    /// Reads the next record into `recordBytes`/`fieldEnds`; false at the end of the input.
    private func nextRecord() throws -> Bool {
        recordBytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        fieldQuoted.removeAll(keepingCapacity: true)
        fieldStart = 0
        while true {
            if try scan() { return true }
            if try refill() { continue }
            switch state {
            case .fieldStart:
                if fieldEnds.isEmpty { return false }
                try endField(quoted: false)
            case .unquoted:
                try endField(quoted: false)
            case .quoteInQuoted:
                try endField(quoted: true)
            case .quoted:
                let message = "record \(recordCount + 1), field \(fieldEnds.count + 1): the quote opened here is never closed"
                guard options.lenient else {
                    throw DossierError("csv.unterminated-quote", message,
                                       at: SourceLocation(file: file, line: fieldLine, column: fieldColumn))
                }
                warn("csv.unterminated-quote", message, line: fieldLine, column: fieldColumn)
                try endField(quoted: true)
            }
            state = .fieldStart
            return true
        }
    }

    /// Runs the state machine over `buf` from `pos` until a record ends (true) or the buffer is
    /// used up (false). Runs of ordinary bytes are copied in one go.
    private func scan() throws -> Bool {
        let d = delimiter, quote = CSVReader.quote, cr = CSVReader.cr, lf = CSVReader.lf
        return try buf.withUnsafeBufferPointer { p -> Bool in
            var i = pos
            defer { pos = i }
            let n = p.count
            while i < n {
                let b = p[i]
                switch state {
                case .fieldStart:
                    if fieldEnds.isEmpty && b != cr && b != lf { recordLine = line }
                    if b == quote {
                        markField(at: i); state = .quoted; i += 1
                    } else if b == d {
                        markField(at: i); try endField(quoted: false); i += 1
                    } else if b == cr || b == lf {
                        let crlf = b == lf && lastCR == bufBase + Int64(i) - 1
                        newline(b, at: i)
                        i += 1
                        if fieldEnds.isEmpty {
                            if !crlf { blankLinesSkipped += 1 }
                            continue
                        }
                        try endField(quoted: false)
                        return true
                    } else {
                        markField(at: i); state = .unquoted
                    }
                case .unquoted:
                    var j = i
                    while j < n {
                        let c = p[j]
                        if c == d || c == quote || c == cr || c == lf || c == 0 { break }
                        j += 1
                    }
                    try append(UnsafeBufferPointer(rebasing: p[i..<j]))
                    i = j
                    guard j < n else { break }
                    let c = p[j]
                    i += 1
                    if c == d {
                        try endField(quoted: false); state = .fieldStart
                    } else if c == cr || c == lf {
                        newline(c, at: j)
                        try endField(quoted: false); state = .fieldStart
                        return true
                    } else if c == quote {
                        try bareQuote(at: j)
                        try append(quote)
                    } else {
                        throw nulError(at: j)
                    }
                case .quoted:
                    var j = i
                    while j < n {
                        let c = p[j]
                        if c == quote || c == cr || c == lf || c == 0 { break }
                        j += 1
                    }
                    try append(UnsafeBufferPointer(rebasing: p[i..<j]))
                    i = j
                    guard j < n else { break }
                    let c = p[j]
                    i += 1
                    if c == quote {
                        state = .quoteInQuoted
                    } else if c == cr || c == lf {
                        newline(c, at: j)
                        try append(c)
                    } else {
                        throw nulError(at: j)
                    }
                case .quoteInQuoted:
                    if b == quote {
                        try append(quote); state = .quoted; i += 1
                    } else if b == d {
                        try endField(quoted: true); state = .fieldStart; i += 1
                    } else if b == cr || b == lf {
                        newline(b, at: i); i += 1
                        try endField(quoted: true); state = .fieldStart
                        return true
                    } else {
                        let message = "record \(recordCount + 1), field \(fieldEnds.count + 1): text after the closing quote"
                        guard options.lenient else {
                            throw DossierError("csv.text-after-quote", message, at: location(at: i))
                        }
                        warn("csv.text-after-quote", message, line: line, column: column(at: i))
                        try append(quote); state = .unquoted
                    }
                }
            }
            return false
        }
    }

    private func markField(at i: Int) {
        fieldStart = recordBytes.count
        fieldLine = line
        fieldColumn = column(at: i)
    }

    private func append(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        recordBytes.append(contentsOf: bytes)
        try checkSize()
    }

    private func append(_ byte: UInt8) throws {
        recordBytes.append(byte)
        try checkSize()
    }

    private func checkSize() throws {
        if recordBytes.count - fieldStart > options.maxFieldBytes {
            throw DossierError("csv.field-too-large",
                               "record \(recordCount + 1), field \(fieldEnds.count + 1) is larger than \(options.maxFieldBytes) bytes",
                               at: SourceLocation(file: file, line: fieldLine, column: fieldColumn))
        }
        if recordBytes.count > options.maxRecordBytes {
            throw DossierError("csv.record-too-large",
                               "record \(recordCount + 1) is larger than \(options.maxRecordBytes) bytes",
                               at: SourceLocation(file: file, line: recordLine))
        }
    }

    private func endField(quoted: Bool) throws {
        fieldEnds.append(recordBytes.count)
        fieldQuoted.append(quoted)
        fieldStart = recordBytes.count
        if fieldEnds.count > options.maxColumns {
            throw DossierError("csv.too-many-columns", "record \(recordCount + 1) has more than \(options.maxColumns) fields",
                               at: SourceLocation(file: file, line: recordLine))
        }
    }

    /// Counts a line end at `buf[i]`: CR, LF, or the LF of a CRLF, which is the same line end.
    private func newline(_ b: UInt8, at i: Int) {
        let at = bufBase + Int64(i)
        if b == CSVReader.cr {
            lastCR = at
        } else if lastCR == at - 1 {
            lineStart = at + 1
            return
        }
        line += 1
        lineStart = at + 1
    }

    private func column(at i: Int) -> Int { Int(bufBase + Int64(i) - lineStart) + 1 }

    private func location(at i: Int) -> SourceLocation { SourceLocation(file: file, line: line, column: column(at: i)) }

    private func bareQuote(at i: Int) throws {
        let field = recordBytes[fieldStart...]
        let why = field.allSatisfy({ $0 == 0x20 }) ? "a quote after a space (quote the whole field, without the space)"
                                                    : "a quote inside an unquoted field"
        let message = "record \(recordCount + 1), field \(fieldEnds.count + 1): \(why)"
        guard options.lenient else { throw DossierError("csv.bare-quote", message, at: location(at: i)) }
        warn("csv.bare-quote", message, line: line, column: column(at: i))
    }

    private func nulError(at i: Int) -> DossierError {
        DossierError("csv.nul", "record \(recordCount + 1), field \(fieldEnds.count + 1) contains a NUL byte",
                     at: location(at: i))
    }

    // MARK: Values

    private func headerNames() -> [String] {
        makeValues().map { if case .text(let s) = $0 { s } else { "" } }
    }

    private func makeValues() -> [SourceValue] {
        let empty: SourceValue = options.emptyField == .emptyText ? .text("") : .null
        return recordBytes.withUnsafeBufferPointer { p in
            var start = 0
            return fieldEnds.indices.map { k in
                defer { start = fieldEnds[k] }
                if start == fieldEnds[k] { return fieldQuoted[k] ? .text("") : empty }
                return .text(String(decoding: UnsafeBufferPointer(rebasing: p[start..<fieldEnds[k]]), as: UTF8.self))
            }
        }
    }

    private func warn(_ code: String, _ message: String, line: Int, column: Int?) {
        guard diagnostics.count < diagnosticLimit else { suppressedDiagnostics += 1; return }
        diagnostics.append(.warning(code, message, at: SourceLocation(file: file, line: line, column: column, table: table)))
    }

    /// Flags fields that hide characters (C19) or look like Excel damaged a number (C18), naming
    /// only the record and field.
    private func flagSuspiciousFields() {
        var start = 0
        for (k, end) in fieldEnds.enumerated() {
            defer { start = end }
            let field = recordBytes[start..<end]
            if CSVReader.hasInvisibleCharacter(field) {
                warn("csv.invisible-character",
                     "record \(recordCount), field \(k + 1) contains a bidirectional control or invisible character",
                     line: recordLine, column: nil)
            }
            if CSVReader.looksScientific(field) {
                warn("csv.excel-scientific",
                     "record \(recordCount), field \(k + 1) is a number in scientific notation, as Excel writes long "
                     + "numbers after rounding them: digits may be lost", line: recordLine, column: nil)
            }
        }
    }

    /// U+061C, U+200B–U+200F, U+202A–U+202E, U+2060, U+2066–U+2069 and U+FEFF, found by their
    /// UTF-8 bytes: all start with 0xD8, 0xE2 or 0xEF, so ordinary text is passed over quickly.
    static func hasInvisibleCharacter(_ f: ArraySlice<UInt8>) -> Bool {
        var i = f.startIndex
        while i < f.endIndex {
            let b = f[i]
            if b >= 0xD8, i + 1 < f.endIndex {
                let c = f[i + 1]
                if b == 0xD8 && c == 0x9C { return true }
                if i + 2 < f.endIndex {
                    let e = f[i + 2]
                    if b == 0xE2 && c == 0x80 && ((0x8B...0x8F).contains(e) || (0xAA...0xAE).contains(e)) { return true }
                    if b == 0xE2 && c == 0x81 && (e == 0xA0 || (0xA6...0xA9).contains(e)) { return true }
                    if b == 0xEF && c == 0xBB && e == 0xBF { return true }
                }
            }
            i += 1
        }
        return false
    }

    /// `9.1E+08`, `6,12346E+8`: a digit, an optional fraction (dot or comma), E, a signed exponent.
    static func looksScientific(_ f: ArraySlice<UInt8>) -> Bool {
        guard f.count >= 4, f.count <= 24 else { return false }
        var i = f.startIndex
        if f[i] == UInt8(ascii: "-") { i += 1 }
        func digits() -> Int { let s = i; while i < f.endIndex, (0x30...0x39).contains(f[i]) { i += 1 }; return i - s }
        guard digits() >= 1 else { return false }
        if i < f.endIndex, f[i] == UInt8(ascii: ".") || f[i] == UInt8(ascii: ",") { i += 1; _ = digits() }
        guard i < f.endIndex, f[i] | 0x20 == UInt8(ascii: "e") else { return false }
        i += 1
        guard i < f.endIndex, f[i] == UInt8(ascii: "+") || f[i] == UInt8(ascii: "-") else { return false }
        i += 1
        return digits() >= 1 && i == f.endIndex
    }
}
