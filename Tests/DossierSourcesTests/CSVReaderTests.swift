#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import DossierIO
import DossierModel
import DossierSources

// MARK: Helpers shared by the CSV tests

/// The package root, found from this file so tests run from any working directory.
let csvPackageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func csvFixture(_ relative: String) -> String {
    csvPackageRoot.appendingPathComponent("fixtures").appendingPathComponent(relative).path
}

/// Opens `path` and reads every row.
func csvReadAll(_ path: String, _ options: CSVReadOptions = CSVReadOptions()) throws -> (CSVReader, [SourceRow]) {
    let reader = try CSVReader(path: path, options: options)
    var rows: [SourceRow] = []
    while let row = try reader.nextRow() { rows.append(row) }
    return (reader, rows)
}

/// This test process's scratch folder (0700), removed with what tests leave in it when the process exits.
let csvScratchFolder = try! PrivateFolder(under: NSTemporaryDirectory(), prefix: "dossierport-csv")
var csvScratch: URL { URL(fileURLWithPath: csvScratchFolder.path) }

/// A fresh temporary folder for one test.
func csvTempDirectory() throws -> URL {
    let url = csvScratch.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func csvTempFile(_ bytes: [UInt8], name: String = "input.csv") throws -> String {
    let url = try csvTempDirectory().appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url.path
}

func csvTexts(_ row: SourceRow) -> [String?] {
    row.values.map { if case .text(let s) = $0 { s } else { nil } }
}

// MARK: Reader behaviour

@Suite struct CSVReaderTests {
    @Test func dutchExcelSampleInWindows1252() throws {
        let (reader, rows) = try csvReadAll(csvFixture("csv/samples/clienten-excel-nl.csv"))
        #expect(reader.encoding == EncodingChoice(.windows1252, .heuristic))
        #expect(reader.dialect == CSVDialect(delimiter: UInt8(ascii: ";"), evidence: .detected))
        #expect(reader.columns == ["cliënt", "naam", "geboortedatum", "bedrag", "notitie"])
        #expect(reader.table == "clienten-excel-nl")
        #expect(rows.count == 2)
        #expect(csvTexts(rows[0]) == ["1001", "Ëlla de Vries", "03-02-1950", "1.234,56", "zegt: \"prima\"; komt terug"])
        #expect(rows[1]["cliënt"] == .text("1002"))
        #expect(rows[1]["naam"] == .text("Jürgen Muñoz"))
        #expect(rows[1]["geboortedatum"] == .null)
        #expect(rows[1]["notitie"] == .text("café € 5"))
        #expect(rows[1].location == SourceLocation(file: reader.file, line: 3, table: "clienten-excel-nl"))
        #expect(reader.tables["clienten-excel-nl"]?.columns.map(\.name) == reader.columns)
        #expect(reader.report.recordCount == 2)
        #expect(reader.report.encoding == reader.encoding && reader.report.dialect == reader.dialect)
    }

    @Test func callerOverridesDelimiterEncodingAndHeader() throws {
        let path = csvFixture("csv/samples/clienten-excel-nl.csv")
        let options = CSVReadOptions(delimiter: UInt8(ascii: ";"), encoding: .windows1252,
                                     header: .names(["a", "b", "c", "d", "e"]), table: "x")
        let (reader, rows) = try csvReadAll(path, options)
        #expect(reader.dialect.evidence == .caller)
        #expect(reader.encoding == EncodingChoice(.windows1252, .caller))
        #expect(rows.count == 3)
        #expect(rows[0]["a"] == .text("cliënt"))
        #expect(rows[0].table == "x")
        // The same bytes as UTF-8 fail at the first ë: line 1, byte column 5, offset 4.
        let error = #expect(throws: DossierError.self) { try csvReadAll(path, CSVReadOptions(encoding: .utf8)) }
        #expect(error?.code == "encoding.invalid-utf8")
        #expect(error?.location == SourceLocation(file: path, line: 1, column: 5))
        #expect(error?.diagnostic.message.contains("byte offset 4") == true)
    }

    @Test func withoutHeaderColumnsAreNumbered() throws {
        let path = try csvTempFile(Array("1,2\n3,4\n".utf8))
        let (reader, rows) = try csvReadAll(path, CSVReadOptions(header: .numbered))
        #expect(reader.columns == ["column1", "column2"])
        #expect(rows.map(csvTexts) == [["1", "2"], ["3", "4"]])
        #expect(rows[0].location.line == 1)
    }

    /// `-` reads standard input; the test puts a file on descriptor 0 and restores it after.
    @Test func dashReadsStandardInput() throws {
        let path = try csvTempFile(Array("id;naam\n1;Anna\n".utf8))
        let saved = dup(0)
        let file = open(path, O_RDONLY)
        #expect(dup2(file, 0) == 0)
        close(file)
        defer { dup2(saved, 0); close(saved) }
        let (reader, rows) = try csvReadAll("-")
        #expect(reader.table == "stdin")
        #expect(reader.file == "<stdin>")
        #expect(rows.map(csvTexts) == [["1", "Anna"]])
        #expect(rows[0].location == SourceLocation(file: "<stdin>", line: 2, table: "stdin"))
    }

    @Test func callerNamesAreCheckedLikeAHeader() throws {
        let path = try csvTempFile(Array("1,2\n".utf8))
        let error = #expect(throws: DossierError.self) {
            try CSVReader(path: path, options: CSVReadOptions(header: .names(["a", "a"])))
        }
        #expect(error?.code == "csv.header-duplicate")
    }

    @Test func emptyFieldPolicies() throws {
        let path = try csvTempFile(Array("a,b,c\n,\"\",x\n".utf8))
        let (_, strictRows) = try csvReadAll(path)
        #expect(strictRows[0].values == [.null, .text(""), .text("x")])
        let (_, textRows) = try csvReadAll(path, CSVReadOptions(emptyField: .emptyText))
        #expect(textRows[0].values == [.text(""), .text(""), .text("x")])
    }

    @Test func lineNumbersCountPhysicalLines() throws {
        let path = try csvTempFile(Array("a,b\r\n\"x\r\ny\",1\r\n\r\n2,\"p\nq\rr\"\n3,4".utf8))
        let (reader, rows) = try csvReadAll(path)
        #expect(rows.map(\.location.line) == [2, 5, 8])
        #expect(rows.map(csvTexts) == [["x\r\ny", "1"], ["2", "p\nq\rr"], ["3", "4"]])
        #expect(reader.blankLinesSkipped == 1)
    }

    @Test func dialectDetectionPrefersConsistentWellQuotedSplits() throws {
        let cases: [(String, UInt8, CSVDialect.Evidence)] = [
            ("a,b,c\n1,2,3\n", UInt8(ascii: ","), .detected),
            ("a;b\n1,5;2,5\n3,0;4\n", UInt8(ascii: ";"), .detected),
            ("a\tb\n\"x,y\"\tz\n", 0x09, .detected),
            ("a|b|c\n1|2|3\n", UInt8(ascii: "|"), .detected),
            ("naam\nJan, Piet\nKees\n", UInt8(ascii: ","), .singleColumn),
            ("SEP=|\na,b|c\n", UInt8(ascii: "|"), .sepLine),
        ]
        for (text, delimiter, evidence) in cases {
            let reader = try CSVReader(path: try csvTempFile(Array(text.utf8)))
            #expect(reader.dialect == CSVDialect(delimiter: delimiter, evidence: evidence), "\(text)")
        }
    }

    @Test func fieldsLargerThanTheCapFail() throws {
        let path = try csvTempFile(Array("a,b\n1,\(String(repeating: "x", count: 2000))\n".utf8))
        let error = #expect(throws: DossierError.self) { try csvReadAll(path, CSVReadOptions(maxFieldBytes: 1000)) }
        #expect(error?.code == "csv.field-too-large")
        #expect(error?.location == SourceLocation(file: path, line: 2, column: 3))
        let recordError = #expect(throws: DossierError.self) {
            try csvReadAll(path, CSVReadOptions(maxFieldBytes: 5000, maxRecordBytes: 1500))
        }
        #expect(recordError?.code == "csv.record-too-large")
    }

    @Test func directorySourceReadsCSVFilesInNameOrder() throws {
        let folder = csvFixture("csv/samples/export")
        let source = try CSVDirectorySource(directory: folder)
        #expect(source.files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["clienten.csv", "rapportages.csv"])
        var rows: [SourceRow] = []
        while let row = try source.nextRow() { rows.append(row) }
        #expect(rows.map(\.table) == ["clienten", "clienten", "rapportages"])
        #expect(rows[2]["tekst"] == .text("Eerste gesprek; goed"))
        #expect(source.reports.map(\.dialect.delimiter) == [UInt8(ascii: ","), UInt8(ascii: ";")])
        #expect(source.reports.map(\.recordCount) == [2, 1])
        #expect(source.tables.keys.sorted() == ["clienten", "rapportages"])
        #expect(source.tables["rapportages"]?.columns.map(\.name) == ["id", "client", "tekst"])
        #expect(try source.nextRow() == nil)
    }

    @Test func directorySourceRefusesTwoFilesForOneTable() throws {
        let folder = try csvTempDirectory()
        try Data("a\n1\n".utf8).write(to: folder.appendingPathComponent("x.csv"))
        try Data("a\n1\n".utf8).write(to: folder.appendingPathComponent("x.CSV"))
        let error = #expect(throws: DossierError.self) { try CSVDirectorySource(directory: folder.path) }
        #expect(error?.code == "csv.duplicate-table")
    }

    /// Excel's `sep=` line can name a byte that cannot be a delimiter; the error points at it
    /// (found by `DossierportFuzz run csv`: it named only the file).
    @Test func unusableSepLineNamesLineOne() throws {
        let folder = try csvTempDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sep.csv").path
        for sep: [UInt8] in [[0x00], [0x22], [0x0D]] {
            try Data(Array("sep=".utf8) + sep + Array("\r\nnaam;plaats\r\nJan;Utrecht\r\n".utf8)).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: DossierError.self) { _ = try csvReadAll(path, CSVReadOptions()) }
            #expect(error?.code == "csv.bad-delimiter" && error?.location?.file == path && error?.location?.line == 1,
                    "\(String(describing: error)) \(sep)")
        }
    }

    /// Random bytes from an alphabet of everything that matters to the parser and decoder: the
    /// reader must return rows or throw a `DossierError`, never trap, in either mode.
    @Test func randomInputsEndInRowsOrErrors() throws {
        let alphabet: [[UInt8]] = [[0x22], [0x2C], [0x3B], [0x09], [0x7C], [0x0D], [0x0A], [0x20], [0x00], [0x61],
                                   [0xC3, 0xAB], [0xE9], [0x81], [0xEF, 0xBB, 0xBF], [0xFF, 0xFE], Array("sep=".utf8)]
        var rng = SplitMix64(seed: 20_260_522)
        var outcomes: [Bool: Int] = [:]
        let folder = try csvTempDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("random.csv").path
        for round in 0..<300 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).flatMap { _ in alphabet.randomElement(using: &rng)! }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                let (reader, rows) = try csvReadAll(path, CSVReadOptions(lenient: round % 2 == 1))
                #expect(rows.allSatisfy { $0.values.count == $0.columns.count && $0.columns.count >= reader.columns.count })
                outcomes[true, default: 0] += 1
            } catch is DossierError {
                outcomes[false, default: 0] += 1
            }
        }
        // Both outcomes occur, so the alphabet exercises the error paths and the happy path.
        #expect(outcomes[true, default: 0] > 0 && outcomes[false, default: 0] > 0)
    }

    /// Reads a generated ~200 MB CSV and checks that the peak resident set stays far below the
    /// file size (VmHWM, reset through /proc/self/clear_refs before reading).
    @Test func streamingKeepsMemoryFlat() throws {
        var block: [UInt8] = []
        var n = 0
        while block.count < 1 << 20 {
            n += 1
            block += Array("\(n);Client \(n);\"Woonachtig in \"\"'s-Hertogenbosch\"\";\nsinds 2001\";2024-01-0\(n % 9 + 1);café\r\n".utf8)
        }
        let url = try csvTempDirectory().appendingPathComponent("large.csv")
        _ = FileManager.default.createFile(atPath: url.path, contents: Data("id;naam;notitie;datum;plaats\r\n".utf8))
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        let blocks = 200
        for _ in 0..<blocks { try handle.write(contentsOf: block) }
        try handle.close()
        defer { try? FileManager.default.removeItem(at: url) }

        let clear = try #require(FileHandle(forWritingAtPath: "/proc/self/clear_refs"))
        try clear.write(contentsOf: Data("5".utf8))
        try clear.close()
        let before = try csvStatusKiB("VmRSS")
        let reader = try CSVReader(path: url.path)
        var count = 0
        while let row = try reader.nextRow() {
            count += 1
            if count == 1 { #expect(row["notitie"] == .text("Woonachtig in \"'s-Hertogenbosch\";\nsinds 2001")) }
        }
        let peak = try csvStatusKiB("VmHWM")
        #expect(count == blocks * n)
        print("CSV streaming: \(blocks) MiB, \(count) rows, RSS before \(before / 1024) MiB, peak \(peak / 1024) MiB")
        // VmHWM is process-wide and other suites (some generating hundreds of MB) run in parallel in
        // this process, so the bound is loose: a reader that kept the 2.5 million rows as Strings
        // would need several GiB. Run alone, the figure is about 1 MiB above the baseline.
        #expect(peak - before < 768 * 1024)
    }
}

/// A `/proc/self/status` figure in KiB.
func csvStatusKiB(_ key: String) throws -> Int {
    let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    let line = status.split(separator: "\n").first { $0.hasPrefix(key + ":") }!
    return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])!
}
