/// How to read a CSV file; every default is the strict, RFC 4180 one.
///
/// Everything a sniffer could get wrong (delimiter, encoding, header) can be overridden, because a
/// privacy officer who knows the export better than a heuristic must be able to say so.
public struct CSVReadOptions: Hashable, Sendable {
    /// Where column names come from.
    public enum Header: Hashable, Sendable {
        /// The first record names the columns (after a `sep=` line, if any).
        case firstRow
        /// No header: columns are named `column1`, `column2`, … after the first record's width.
        case numbered
        /// The caller names the columns; the first record is data.
        case names([String])
    }

    /// What an empty field becomes.
    public enum EmptyField: Hashable, Sendable {
        /// An empty unquoted field (`a,,b`) is `.null` and a quoted one (`a,"",b`) is `.text("")`,
        /// the only way CSV can tell "no value" from "an empty text"; `CSVWriter` writes them so.
        case nullUnlessQuoted
        /// Every empty field is `.text("")`, as most spreadsheet tools see it.
        case emptyText
    }

    /// A single ASCII byte, or nil to honour a `sep=` line or detect among `,` `;` tab `|`.
    public var delimiter: UInt8?
    /// Nil to decide from a byte-order mark or the first chunk (see `TextDecoder`).
    public var encoding: TextEncoding?
    public var header: Header
    public var emptyField: EmptyField
    /// Accept malformed quoting and ragged records, with a warning each, instead of failing.
    ///
    /// What lenient mode makes of them: a quote inside an unquoted field (`ab"c`, `a, "b"`) is
    /// kept as a literal character; a character after a closing quote (`"ab"c`) keeps the quote
    /// and continues the field unquoted (`ab"c`); a quote left open at the end of the input closes there;
    /// a short record is padded with `.null`, a long one keeps its extra fields under the names
    /// `column<N>` (N its 1-based position). Field and column caps and NUL still fail.
    public var lenient: Bool
    /// The largest field in bytes (UTF-8), so a file with one unclosed quote cannot make the reader
    /// buffer the rest of the file. 1 MiB by default: far above any real field, far below memory.
    public var maxFieldBytes: Int
    /// The largest record in bytes (UTF-8), 16 MiB by default, for the same reason across fields.
    public var maxRecordBytes: Int
    /// The most fields a record may have (C17): 10,000 by default, beyond any real export.
    public var maxColumns: Int
    /// The table name for rows; nil for the file name without extension (`stdin` for `-`).
    public var table: String?

    public init(delimiter: UInt8? = nil, encoding: TextEncoding? = nil, header: Header = .firstRow,
                emptyField: EmptyField = .nullUnlessQuoted, lenient: Bool = false, maxFieldBytes: Int = 1 << 20,
                maxRecordBytes: Int = 16 << 20, maxColumns: Int = 10_000, table: String? = nil) {
        self.delimiter = delimiter; self.encoding = encoding; self.header = header
        self.emptyField = emptyField; self.lenient = lenient; self.maxFieldBytes = maxFieldBytes
        self.maxRecordBytes = maxRecordBytes; self.maxColumns = maxColumns; self.table = table
    }
}

/// The delimiter a reader used and why, for the import report.
public struct CSVDialect: Hashable, Sendable, CustomStringConvertible {
    public enum Evidence: String, Hashable, Sendable {
        case caller
        /// A first line `sep=;`, as Excel writes and reads it.
        case sepLine = "sep-line"
        /// The candidate that splits the sampled records into the most equal, well-quoted rows.
        case detected
        /// No candidate split the sample into more than one column.
        case singleColumn = "single-column"
    }

    public var delimiter: UInt8
    public var evidence: Evidence

    public init(delimiter: UInt8, evidence: Evidence) { self.delimiter = delimiter; self.evidence = evidence }

    public var description: String {
        let shown = delimiter == 0x09 ? "tab" : "'\(Character(Unicode.Scalar(delimiter)))'"
        return "delimiter \(shown) (\(evidence.rawValue))"
    }

    /// The delimiters Dossierport detects, in the order that breaks ties.
    public static let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, UInt8(ascii: "|")]

    /// Picks the delimiter that splits the sample into the most consistent table (a simplified
    /// Table Uniformity Method, van den Burg et al. 2019).
    ///
    /// For each candidate the sample's records are split with quote awareness; a record in which
    /// a quote appears inside an unquoted field counts as badly formed. The score is the share of
    /// records that are well formed and have the modal field count; higher modal counts break
    /// ties, then the order of `candidates`. A modal count of one means the candidate does not
    /// split the file. Dutch Excel's `1.234,56;"a;b"` thus goes to `;`: split on `,` its quotes
    /// sit mid-field. `complete` says the sample is the whole input, so its last record counts.
    static func detect(sample: UnsafeBufferPointer<UInt8>, complete: Bool) -> CSVDialect {
        var best: (score: Double, width: Int, delimiter: UInt8)?
        for d in candidates {
            let records = split(sample, delimiter: d, complete: complete)
            guard !records.isEmpty else { continue }
            var tally: [Int: Int] = [:]
            for r in records where r.wellFormed { tally[r.fields, default: 0] += 1 }
            guard let (width, count) = tally.max(by: { ($0.value, $0.key) < ($1.value, $1.key) }), width > 1 else {
                continue
            }
            let score = Double(count) / Double(records.count)
            if best == nil || score > best!.score || (score == best!.score && width > best!.width) {
                best = (score, width, d)
            }
        }
        guard let best else { return CSVDialect(delimiter: UInt8(ascii: ","), evidence: .singleColumn) }
        return CSVDialect(delimiter: best.delimiter, evidence: .detected)
    }

    /// Field counts of up to 50 sample records, skipping blank lines.
    private static func split(_ p: UnsafeBufferPointer<UInt8>, delimiter: UInt8, complete: Bool)
        -> [(fields: Int, wellFormed: Bool)] {
        let quote = UInt8(ascii: "\""), cr: UInt8 = 0x0D, lf: UInt8 = 0x0A
        var records: [(fields: Int, wellFormed: Bool)] = []
        var fields = 1, wellFormed = true, inQuotes = false, atFieldStart = true, empty = true
        // Just after a closing quote: another quote is an escaped one (`"a ""b"" c"`), anything
        // but a delimiter or line end is text after the quotes, which is badly formed.
        var afterClose = false
        for b in p {
            if inQuotes {
                if b == quote { inQuotes = false; afterClose = true }
                continue
            }
            if b == quote {
                if atFieldStart || afterClose { inQuotes = true } else { wellFormed = false }
                atFieldStart = false; empty = false
            } else if b == delimiter {
                fields += 1; atFieldStart = true; empty = false
            } else if b == cr || b == lf {
                if !empty { records.append((fields, wellFormed)) }
                if records.count == 50 { return records }
                fields = 1; wellFormed = true; atFieldStart = true; empty = true
            } else {
                if afterClose { wellFormed = false }
                atFieldStart = false; empty = false
            }
            afterClose = false
        }
        if complete && !empty && !inQuotes { records.append((fields, wellFormed)) }
        return records
    }
}
