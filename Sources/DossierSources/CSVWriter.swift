import DossierModel
public import DossierIO

/// Writes CSV for people who open it in a spreadsheet, and, with neutralisation off, for machines.
///
/// RFC 4180 quoting with CRLF line ends, a chosen delimiter (`;` for Dutch Excel, which reads `,`
/// as the decimal comma) and an optional UTF-8 byte-order mark, without which Excel reads UTF-8 as
/// Windows-1252. A nil field is written empty and an empty text as `""`, so that `CSVReader`
/// (with `.nullUnlessQuoted`) reads back exactly what was written, except in one case: a record
/// of one nil field would be a blank line, which readers skip, so it is written as `""`.
///
/// Formula neutralisation (OWASP "CSV Injection", ASVS 5.0 1.2.10, CWE-1236): a field starting
/// with `=`, `+`, `-`, `@`, tab, CR or LF gets a leading `'` and is quoted, so a spreadsheet shows
/// it as text instead of evaluating it (C1–C4). This changes the data: the Dutch mobile number
/// `+31 6 12345678` becomes `'+31 6 12345678` and `-5` becomes `'-5`. That is right only for
/// spreadsheet-bound CSV; the GDPR portability payload (JSON) always keeps values verbatim, and
/// CSV meant for another program must be written with `neutraliseFormulas: false`.
public final class CSVWriter {
    /// Defaults suit Dutch Excel: `;`, a byte-order mark, formulas neutralised.
    public struct Options: Hashable, Sendable {
        public var delimiter: UInt8
        /// Without the UTF-8 mark Excel reads the file as Windows-1252 and garbles "cliënt".
        public var byteOrderMark: Bool
        /// Off for CSV another program reads, which must get values verbatim.
        public var neutraliseFormulas: Bool

        public init(delimiter: UInt8 = UInt8(ascii: ";"), byteOrderMark: Bool = true, neutraliseFormulas: Bool = true) {
            self.delimiter = delimiter; self.byteOrderMark = byteOrderMark; self.neutraliseFormulas = neutraliseFormulas
        }
    }

    public let options: Options
    private let sink: any ByteSink
    private var record: [UInt8] = []
    public private(set) var recordCount = 0

    /// Writes the byte-order mark, if asked for, at once.
    public init(sink: any ByteSink, options: Options = Options()) throws {
        let d = options.delimiter
        guard d < 0x80, d != UInt8(ascii: "\""), d != 0x0D, d != 0x0A, d != 0, d != UInt8(ascii: "'") else {
            throw DossierError("csv.bad-delimiter", "the delimiter must be an ASCII byte other than a quote, apostrophe, CR, LF or NUL")
        }
        self.sink = sink
        self.options = options
        if options.byteOrderMark { try sink.write([0xEF, 0xBB, 0xBF]) }
    }

    /// Writes one record; nil fields are empty, empty texts are `""`.
    public func write(_ fields: [String?]) throws {
        recordCount += 1
        record.removeAll(keepingCapacity: true)
        try Self.encode(fields, options: options, number: recordCount, into: &record)
        try sink.write(record)
    }

    /// Writes `records` records that `encode` turned into `bytes` elsewhere (on other threads),
    /// none of them the file's first: the same bytes `write` would have written for them.
    public func write(encoded bytes: [UInt8], records: Int) throws {
        recordCount += records
        try sink.write(bytes)
    }

    /// Appends one record to `out` as `write` writes it; `number` is its place in the file
    /// (1 for the first, which has a rule of its own), for the message of a field it refuses.
    public static func encode(_ fields: [String?], options: Options, number: Int, into out: inout [UInt8]) throws {
        for (k, field) in fields.enumerated() {
            if k > 0 { out.append(options.delimiter) }
            guard var text = field else {
                if fields.count == 1 { out += [0x22, 0x22] }
                continue
            }
            if text.utf8.contains(0) {
                throw DossierError("csv.nul", "record \(number), field \(k + 1) contains a NUL byte, which CSV readers refuse")
            }
            let utf8 = text.utf8
            var mustQuote = text.isEmpty
            if options.neutraliseFormulas, let first = utf8.first, CSVWriter.formulaTriggers.contains(first) {
                text = "'" + text
                mustQuote = true
            }
            // A first field `sep=…` on the first line would be read as Excel's delimiter directive.
            if number == 1 && k == 0 && text.utf8.starts(with: "sep=".utf8) { mustQuote = true }
            if !mustQuote {
                mustQuote = utf8.contains { $0 == options.delimiter || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }
            }
            if mustQuote {
                out.append(0x22)
                for b in text.utf8 {
                    out.append(b)
                    if b == 0x22 { out.append(0x22) }
                }
                out.append(0x22)
            } else {
                out += text.utf8
            }
        }
        out += [0x0D, 0x0A]
    }

    /// `=`, `+`, `-`, `@`, tab, CR, LF: the first characters OWASP lists as starting a formula.
    static let formulaTriggers: Set<UInt8> = [0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D, 0x0A]
}
