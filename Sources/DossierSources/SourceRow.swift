public import DossierModel
import DossierIO

/// One value as a source gave it, before a mapping profile gives it meaning.
///
/// Kept close to what dumps and CSV files can express: the profile, not the parser, decides that a
/// text "M" is a gender or that "01-02-2003" is a date.
public enum SourceValue: Hashable, Sendable {
    case null
    /// Text, already decoded and validated as Unicode.
    case text(String)
    /// A numeric literal exactly as written ("42", "-1.50", "1e999"), so no precision is lost.
    case number(String)
    /// Binary data: bytea, BLOB, `X'..'`, `0x..`.
    case bytes([UInt8])
    case boolean(Bool)
}

/// A column as the source declares it (from `CREATE TABLE`, a CSV header, or an XML path).
public struct SourceColumn: Hashable, Sendable {
    public var name: String
    /// The declared type, lower-cased as written (`character varying(64)`, `blob`), or nil when the
    /// source has no types (CSV).
    public var type: String?

    public init(name: String, type: String? = nil) { self.name = name; self.type = type }
}

/// A table (or CSV file, or repeated XML element) and its columns, in source order.
public struct SourceTable: Hashable, Sendable {
    public var name: String
    public var columns: [SourceColumn]

    public init(name: String, columns: [SourceColumn]) { self.name = name; self.columns = columns }
}

/// One row of a table, with where it was found, so that a row that cannot be mapped can be reported.
public struct SourceRow: Hashable, Sendable {
    public var table: String
    /// Column names in the order of `values`.
    public var columns: [String]
    public var values: [SourceValue]
    public var location: SourceLocation

    public init(table: String, columns: [String], values: [SourceValue], location: SourceLocation) {
        self.table = table; self.columns = columns; self.values = values; self.location = location
    }

    /// The value of a named column, or nil when the row has no such column.
    public subscript(column: String) -> SourceValue? {
        columns.firstIndex(of: column).map { values[$0] }
    }

    /// A row of a SQL dump: located at its line and keyed by its first value, as the reader makes
    /// it, and as a carried line is made again when it is decoded later.
    init(dumpTable table: String, columns: [String], values: [SourceValue], file: String?, line: Int) {
        var location = SourceLocation()
        location.place(file: file, line: line, table: table, key: Self.dumpKey(values))
        self.init(table: table, columns: columns, values: values, location: location)
    }

    /// What a dump row is keyed by in its location: its first value.
    static func dumpKey(_ values: [SourceValue]) -> String? {
        switch values.first { case .text(let s)?, .number(let s)?: s; default: nil }
    }
}

extension SourceLocation {
    /// Makes this the place of a dump row (its file, line, table and first value), replacing only
    /// what differs from the row before: file and table seldom change, and an equal text compares
    /// by its storage, cheaper than releasing the old one and counting the new.
    mutating func place(file: String?, line: Int, table: String, key: String?) {
        if self.file != file { self.file = file }
        self.line = line
        if column != nil { column = nil }
        if self.table != table { self.table = table }
        self.key = key
        if entry != nil { entry = nil }
    }

    /// This location without a key or entry that holds a noncharacter, so that the report naming
    /// a refused row can itself be written; the file, line and table still find the row.
    var reportable: SourceLocation {
        func carried(_ s: String?) -> Bool {
            guard var s else { return true }
            return s.withUTF8 { UTF8Validation.firstNoncharacter($0) == nil }
        }
        guard !carried(key) || !carried(entry) else { return self }
        var l = self
        if !carried(key) { l.key = nil }
        if !carried(entry) { l.entry = nil }
        return l
    }
}

/// A pull-based stream of rows from one source file, read without loading the file.
///
/// Pull rather than push so that an adapter can interleave reading with mapping and stop early,
/// and so that memory stays bounded by one row, whatever the size of the dump.
public protocol RowReader: AnyObject {
    /// The next row, or nil at the end of the input. Throws `DossierError` with a file/line
    /// location for input that is malformed, truncated, or in the wrong encoding.
    func nextRow() throws -> SourceRow?
    /// The tables the reader has seen declared so far.
    var tables: [String: SourceTable] { get }
    /// Lets `sieve` decide, table by table, which rows are decoded; rows it turns away are never
    /// returned by `nextRow`. Held until replaced, so pass nil when the run ends.
    func setSieve(_ sieve: (any RowSieve)?)
}

/// What a reader's consumer says about the rows of one table before they are decoded.
public enum RowPlan: Sendable, Equatable {
    /// Every row is decoded and returned by `nextRow`.
    case decode
    /// Rows are only counted: each is announced to `RowSieve.admit` with no fields, and the sieve
    /// must account for it and answer false. A reader decodes such a row only when it looks
    /// malformed, so that its error is reported as for any decoded row.
    case count
    /// Each row's raw values in these columns (indices into the statement's column list) go to
    /// `RowSieve.admit`, which decides whether the row is decoded.
    case probe([Int])
    /// As `probe`, but a row whose line the reader checked to decode without error goes whole to
    /// `RowSieve.carry` as raw bytes, so that the sieve can move it on undecoded and have it decoded
    /// later, elsewhere (on another thread); other rows are decoded. Readers that cannot carry
    /// decode every row.
    case carry([Int])
}

/// A consumer that can tell a reader which rows it does not need decoded.
///
/// Decoding a row (unescaping, validating, building a `String` per value) costs far more than
/// finding where it ends; an export that ignores a table, or wants one client out of thousands,
/// would otherwise pay that for rows it only counts. The sieve, not the reader, keeps the count of
/// the rows it turns away, so its account stays the same as if every row had been decoded.
public protocol RowSieve: AnyObject {
    /// How rows of `table`, with `columns` as the COPY or INSERT lists them, are to be read; asked
    /// when such a statement starts.
    func plan(table: String, columns: [String], file: String) -> RowPlan
    /// Whether the row that starts on `line` must be decoded; false means the sieve has accounted
    /// for it. `fields` are the raw values of the planned columns, in plan order (nil for SQL
    /// NULL): valid UTF-8 without escapes, exactly the bytes the decoded row's text would hold.
    func admit(_ fields: RawFields, line: Int) throws -> Bool
    /// Accounts for `rows` more rows of a `.count` table, as if `admit` had passed over each: a
    /// reader that finds whole runs of plain rows hands them over at once, and only after `admit`
    /// passed over a row of the same statement.
    func passOver(_ rows: Int)
    /// Takes a row of a `.carry` table as its raw line; false means the sieve has taken it, true
    /// that it must be decoded after all. `fields` are as for `admit`.
    func carry(_ fields: RawFields, line: Int, raw: CarriedLine) throws -> Bool
}

extension RowSieve {
    /// A sieve that never plans `.carry` has every row decoded.
    public func carry(_ fields: RawFields, line: Int, raw: CarriedLine) throws -> Bool { true }
}

/// A COPY line (PostgreSQL's text format) that its reader has checked: the table's column count
/// of tab-separated fields, valid UTF-8, no NUL or CR, and no backslash but in fields that are
/// exactly `\N` (NULL) and in text fields whose escapes are all `\\ \b \f \n \r \t \v`. So it
/// decodes without error, by `CarriedLine.values`, into what the reader's own decoding gives.
/// Valid only during the call.
///
/// A quarter of the report lines of a real dump hold a line break or a tab; decoding them in the
/// reading phase, which runs on one core, and spilling them decoded cost more than carrying them.
public struct CarriedLine {
    public let bytes: UnsafeBufferPointer<UInt8>
    /// Per column, whether its values are `.number`s (else `.text`).
    public let numeric: [Bool]
    /// Whether every byte is ASCII, as the reader's scan of the line found on the way: such a
    /// line holds no noncharacter, so phase 2 need not search it for one (80% of a real dump's
    /// lines; the search was about 1% of an export's instructions).
    public let ascii: Bool

    /// The values of a checked line, as the reader would decode them.
    static func values(_ bytes: UnsafeBufferPointer<UInt8>, numeric: [Bool]) -> [SourceValue] {
        var out: [SourceValue] = []
        values(bytes, numeric: numeric, into: &out)
        return out
    }

    /// As `values`, appended to `values`; a column `read` marks false is left `.null` (see
    /// `ColumnDemand`), else every column is decoded. False when the line does not have one field
    /// per column, which a checked line always has: only a spill file damaged on disk gives one.
    @discardableResult
    static func values(_ bytes: UnsafeBufferPointer<UInt8>, numeric: [Bool], read: [Bool]? = nil, into values: inout [SourceValue]) -> Bool {
        // A row of no columns is an empty line; an empty line of one column, one empty field.
        guard !numeric.isEmpty else { return bytes.isEmpty }
        guard let p = bytes.baseAddress else {
            values += numeric.map { $0 ? .number("") : .text("") }
            return numeric.count == 1
        }
        values.reserveCapacity(values.count + numeric.count)
        var start = 0
        for (i, isNumber) in numeric.enumerated() {
            guard start <= bytes.count else { return false }
            // By memchr: these run on every carried line of the export's second phase.
            let end = find(0x09, p, from: start, to: bytes.count) ?? bytes.count
            let field = UnsafeBufferPointer(start: p + start, count: end - start)
            if let read, !read[i] {
                values.append(.null)
            } else if field.count == 2, field[0] == 0x5C, field[1] == UInt8(ascii: "N") {
                values.append(.null)
            } else if find(0x5C, p, from: start, to: end) != nil {
                values.append(.text(unescaped(field)))
            } else {
                let s = String(validatedUTF8: field)
                values.append(isNumber ? .number(s) : .text(s))
            }
            start = end + 1
        }
        return start == bytes.count + 1
    }

    /// Whether a `read` mask (see `ColumnDemand`; nil for every column) takes `column`.
    @inline(__always) static func reads(_ read: [Bool]?, _ column: Int) -> Bool {
        read.map { column < $0.count && $0[column] } ?? true
    }

    /// The first column whose field holds a Unicode noncharacter, among those `read` marks true
    /// (all when nil): nil when there is none. Escapes cannot make one (they stand for ASCII
    /// bytes), so the line's bytes are searched as they are.
    static func noncharacterColumn(_ bytes: UnsafeBufferPointer<UInt8>, read: [Bool]? = nil) -> Int? {
        guard let p = bytes.baseAddress else { return nil }
        var from = 0
        while let at = UTF8Validation.firstNoncharacter(bytes, from: from) {
            var column = 0, i = 0
            while let tab = find(0x09, p, from: i, to: at) { column += 1; i = tab + 1 }
            if reads(read, column) { return column }
            // A field no rule reads is not written anywhere: search on from the next field.
            guard let next = find(0x09, p, from: at, to: bytes.count) else { return nil }
            from = next + 1
        }
        return nil
    }

    /// Whether every backslash in `p[from..<to]` starts one of the escapes a carried line may
    /// hold; `from` is the first backslash.
    static func plainEscapes(_ p: UnsafePointer<UInt8>, from: Int, to end: Int) -> Bool {
        var i = from
        while i < end {
            guard p[i] == 0x5C else { i += 1; continue }
            guard i + 1 < end, unescape(p[i + 1]) != nil else { return false }
            i += 2
        }
        return true
    }

    /// What the escape `\c` stands for, if it is one a carried line may hold.
    @inline(__always) static func unescape(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x5C: 0x5C
        case UInt8(ascii: "b"): 0x08
        case UInt8(ascii: "f"): 0x0C
        case UInt8(ascii: "n"): 0x0A
        case UInt8(ascii: "r"): 0x0D
        case UInt8(ascii: "t"): 0x09
        case UInt8(ascii: "v"): 0x0B
        default: nil
        }
    }

    /// A text field of a carried line, its escapes (all checked by `plainEscapes`) decoded.
    static func unescaped(_ field: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: field.count) { out in
            var i = 0, n = 0
            while i < field.count {
                if field[i] == 0x5C, i + 1 < field.count, let b = unescape(field[i + 1]) {
                    out[n] = b
                    i += 2
                } else {
                    out[n] = field[i]
                    i += 1
                }
                n += 1
            }
            return n
        }
    }
}

/// The raw values a reader hands a `RowSieve`, valid only during the call.
///
/// A view of the reader's own buffer rather than an array, so that asking about a row allocates,
/// retains and copies nothing.
public struct RawFields {
    let base: UnsafePointer<UnsafeBufferPointer<UInt8>?>
    public let count: Int

    init(_ base: UnsafePointer<UnsafeBufferPointer<UInt8>?>, count: Int) { self.base = base; self.count = count }

    /// Field `i`'s bytes, or nil for SQL NULL.
    public subscript(i: Int) -> UnsafeBufferPointer<UInt8>? { base[i] }
}

extension RowReader {
    /// Readers that cannot pass over rows cheaply decode every one, which is always correct.
    public func setSieve(_ sieve: (any RowSieve)?) {}
}
