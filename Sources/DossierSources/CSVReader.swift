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
///   identifiers into (C18), both kept verbatim. Excel's other damage, lost leading zeros and
///   re-formatted dates, only shows against a column's meaning, so the mapping profile flags it.
public final class CSVReader: RowReader {
    /// The path as given, or `<stdin>`.
    public let file: String
    public let table: String
    public private(set) var dialect = CSVDialect(delimiter: UInt8(ascii: ","), evidence: .singleColumn)
    @exclusivity(unchecked) public private(set) var columns: [String] = []
    /// Warnings about accepted rows, the first 1000 listed.
    public var diagnostics: DiagnosticLog { scanner.diagnostics }
    public var blankLinesSkipped: Int { scanner.blankLinesSkipped }
    /// Data records returned so far.
    public var recordCount: Int { scanner.recordCount }

    public var encoding: EncodingChoice { decoder.choice! }
    public var tables: [String: SourceTable] {
        [table: SourceTable(name: table, columns: columns.map { SourceColumn(name: $0) })]
    }
    public var report: CSVFileReport {
        CSVFileReport(file: file, table: SourceTable(name: table, columns: columns.map { SourceColumn(name: $0) }),
                      encoding: encoding, dialect: dialect, recordCount: recordCount,
                      blankLinesSkipped: blankLinesSkipped, diagnostics: diagnostics)
    }

    private let lenient: Bool
    private let input: ByteReader
    private var decoder: TextDecoder
    // Unchecked exclusivity on the state touched for every record (and on `columns`): a reader is
    // used by one thread, each access stays inside one method call, and the runtime's check (a
    // thread-local lookup per access, as `XMLOutput` found) was about a tenth of reading a record.
    @exclusivity(unchecked) private var scanner: CSVScanner
    /// Decoded UTF-8 not yet parsed starts at `buf[pos]`; `bufBase` is the decoded offset of `buf[0]`.
    @exclusivity(unchecked) private var buf: [UInt8] = []
    @exclusivity(unchecked) private var pos = 0
    @exclusivity(unchecked) private var bufBase: Int64 = 0
    private var inputDone = false

    /// Opens `path` (`-` for standard input), settles encoding and delimiter from the first
    /// chunks (at least 64 KiB, or the whole input), and reads the header, so that errors in
    /// those surface here.
    public init(path: String, options: CSVReadOptions = CSVReadOptions()) throws {
        lenient = options.lenient
        input = try ByteReader(path: path)
        file = input.path
        table = options.table ?? CSVReader.tableName(path)
        decoder = TextDecoder(file: input.path, encoding: options.encoding)
        scanner = CSVScanner(file: input.path, table: table, options: options)
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
        let d = dialect.delimiter
        guard d < 0x80, d != UInt8(ascii: "\""), d != 0x0D, d != 0x0A, d != 0 else {
            // From a `sep=` line (always the first) or from the caller, whose option has no line.
            throw DossierError("csv.bad-delimiter", "the delimiter must be an ASCII byte other than a quote, CR, LF or NUL",
                               at: SourceLocation(file: file, line: dialect.evidence == .sepLine ? 1 : nil))
        }
        scanner.delimiter = d
        switch options.header {
        case .firstRow:
            scanner.readingHeader = true
            guard try nextRecord() else {
                throw DossierError("csv.no-header", "the file has no header row",
                                   at: SourceLocation(file: file, line: scanner.line))
            }
            scanner.readingHeader = false
            columns = try CSVReader.validated(names: scanner.names(), file: file, line: scanner.recordLine)
        case .names(let names):
            columns = try CSVReader.validated(names: names, file: file, line: nil)
        case .numbered:
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
        var values = scanner.values()
        let line = scanner.recordLine
        if columns.isEmpty { columns = (1...values.count).map { "column\($0)" } }
        var rowColumns = columns
        if values.count != columns.count {
            let message = "record \(recordCount) has \(values.count) fields where the header has \(columns.count)"
            guard lenient else { throw DossierError("csv.ragged", message, at: SourceLocation(file: file, line: line)) }
            scanner.warn("csv.ragged", message, line: line, column: nil)
            if values.count < columns.count {
                values += Array(repeating: .null, count: columns.count - values.count)
            } else {
                rowColumns += (columns.count + 1...values.count).map { "column\($0)" }
            }
        }
        return SourceRow(table: table, columns: rowColumns, values: values,
                         location: SourceLocation(file: file, line: line, table: table))
    }

    /// Reads the next record into the scanner; false at the end of the input.
    private func nextRecord() throws -> Bool {
        scanner.startRecord()
        while true {
            let ended = try buf.withUnsafeBufferPointer { p in
                try scanner.scan(p, from: &pos, base: bufBase)
            }
            if ended { return true }
            if try !refill() { return try scanner.finish() }
        }
    }

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
        guard end == b.count || b[end] == 0x0D || b[end] == 0x0A else { return nil }
        if end < b.count && b[end] == 0x0D { end += 1 }
        if end < b.count && b[end] == 0x0A { end += 1 }
        pos = end
        scanner.line = 2
        scanner.lineStart = Int64(end)
        return b[4]
    }
}

/// What a reader decided and found in one file, for the import report; it outlives the reader and
/// its buffers.
public struct CSVFileReport: Hashable, Sendable {
    public var file: String
    public var table: SourceTable
    public var encoding: EncodingChoice
    public var dialect: CSVDialect
    public var recordCount: Int
    public var blankLinesSkipped: Int
    public var diagnostics: DiagnosticLog
}
