import Foundation
import Testing
import DossierModel
import DossierIO
@testable import DossierSources

/// A noncharacter as text: Swift's string literals refuse them in `\u{…}` escapes.
fileprivate func nonchar(_ value: UInt32) -> String { String(Unicode.Scalar(value)!) }

/// A source value holding a Unicode noncharacter: valid UTF-8, so every reader lets it through,
/// but neither JSON (I-JSON) nor XML can carry it. The row is refused at its file and line, as a
/// value the model refuses is, and the run goes on; before, the writer stopped the whole export
/// with only a JSON path to go by.
@Suite struct NoncharacterTests {
    func column(_ line: String, read: [Bool]? = nil) -> Int? {
        Array(line.utf8).withUnsafeBufferPointer { CarriedLine.noncharacterColumn($0, read: read) }
    }

    @Test func aCarriedLineNamesTheColumnHoldingOne() {
        #expect(column("1\tplain\tZoë 👍\t\\N") == nil)
        #expect(column("1\tpl\(nonchar(0xFFFF))ain\tx") == 1)
        #expect(column("\(nonchar(0xFDD0))\tb") == 0)
        #expect(column("1\tb\tc\(nonchar(0x10FFFF))") == 2)
        // A column no rule reads is passed over, and the search goes on in the next field.
        #expect(column("1\tpl\(nonchar(0xFFFF))ain\tx", read: [true, false, true]) == nil)
        #expect(column("1\tpl\(nonchar(0xFFFF))ain\tx\(nonchar(0xFFFE))", read: [true, false, true]) == 2)
        #expect(column("1\tpl\(nonchar(0xFFFF))ain\tx\(nonchar(0xFFFE))", read: [true, false, false]) == nil)
        // Escapes stand for ASCII bytes and cannot make one.
        #expect(column("1\tline\\none\\t\\\\") == nil)
    }

    @Test func aReportedLocationDropsAKeyHoldingOne() {
        let plain = SourceLocation(file: "d.sql", line: 9, table: "t", key: "ZB-1")
        #expect(plain.reportable == plain)
        let bad = SourceLocation(file: "d.sql", line: 9, table: "t", key: "ZB\(nonchar(0xFFFF))", entry: "/a\(nonchar(0xFDD0))")
        #expect(bad.reportable == SourceLocation(file: "d.sql", line: 9, table: "t"))
    }

    /// Report 5002's text gets a U+FFFF in the PostgreSQL dump (a COPY line, carried to phase 2
    /// undecoded), the MariaDB one and the SQLite one (rows the reader decodes): that one row is
    /// refused at its line, everything else comes out as from the clean dump.
    @Test(arguments: [("caresys.sql", 315), ("caresys-mariadb.sql", 345), ("caresys-sqlite.sql", 33)])
    func aReportHoldingOneIsRefusedAtItsLine(file: String, line: Int) throws {
        let folder = try PrivateFolder(under: NSTemporaryDirectory())
        defer { folder.remove() }
        var bytes = try ByteReader.readAll(path: epdPath("caresys/\(file)"), limit: 1 << 24)
        let target = Array("Goede week".utf8)
        let at = try #require(bytes.indices.first { bytes[$0...].starts(with: target) })
        bytes.replaceSubrange(at..<at + target.count, with: Array("Goede\(nonchar(0xFFFF))week".utf8))
        let path = folder.file(file)
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let run = try EPDRun(profile: "caresys/caresys.json", documents: epdPath("caresys")) { [try SQLDumpReader(path: path)] }
        #expect(run.account.reconciles)
        #expect(EPDFixtureTests.problems(run) == ["value.noncharacter reports \(line) 5002"])
        let error = try #require(run.errors.first)
        #expect(error.message.hasPrefix("column body holds a Unicode noncharacter"))
        #expect(error.location?.file == path)
        #expect(run.account.table("reports")?.rejected == 1)

        let clean = try careSysRun(file)
        let owner = try #require(clean.dossiers.values.first { $0.progressReports.contains { $0.id == "report-5002" } }).id
        try expectSameDossiers(clean, run, except: [owner])
        var expected = try #require(clean.dossiers[owner])
        expected.progressReports.removeAll { $0.id == "report-5002" }
        #expect(try comparable(try #require(run.dossiers[owner])) == (try comparable(expected)))
    }
}
