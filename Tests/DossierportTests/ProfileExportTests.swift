import Foundation
import Testing
import DossierModel
import DossierCrypto
import DossierIO
import DossierBundle
import Dossierport

/// A noncharacter as text: Swift's string literals refuse them in `\u{…}` escapes.
fileprivate func nonchar(_ value: UInt32) -> String { String(Unicode.Scalar(value)!) }

/// Profile runs through the facade: raw sources in, the same destinations as canonical exports out.
enum ProfileEnv {
    static let dumps = TestEnv.fixtures.appendingPathComponent("dumps")
    static let profiles = TestEnv.fixtures.appendingPathComponent("profiles")
    static let today = LocalDate(iso: "2026-11-22")!

    static func dump(_ name: String) -> String { dumps.appendingPathComponent(name).path }
    static func profile(_ name: String) -> String { profiles.appendingPathComponent(name).path }

    /// Runs a profile export into a new folder under `dir`; returns the result and the folder.
    static func export(_ profile: String, source: String, into dir: URL, format: DossierFileFormat = .ndjson,
                       keepGoing: Bool = true, client: String? = nil,
                       heldDocuments: Int = ProfileExportOptions().heldDocumentBudget) throws -> (ProfileExportResult, String) {
        let out = dir.appendingPathComponent("out-\(UUID().uuidString)").path
        let result = try ProfileExport.run(try ProfileExport.loadProfile(profile), source: source,
                                           to: try FolderDestination(path: out, format: format),
                                           options: ExportOptions(client: client, today: today, keepGoing: keepGoing),
                                           profileOptions: ProfileExportOptions(workDirectory: dir.path, heldDocumentBudget: heldDocuments))
        return (result, out)
    }

    /// The NDJSON bytes without `meta.source`, the one part that names the dump file and line.
    static func dossiersWithoutSource(_ folder: String) throws -> String {
        let text = String(decoding: try ByteReader.readAll(path: folder + "/dossiers.ndjson", limit: 1 << 26), as: UTF8.self)
        return text.replacingOccurrences(of: #","source":\{[^{}]*\}"#, with: "", options: .regularExpression)
    }

    /// The error a strict export of `source` into `out` fails with; nil, with an issue recorded,
    /// when it does not fail.
    static func failure(_ source: String, into dir: URL, out: String, format: DossierFileFormat = .json) throws -> DossierError? {
        do {
            _ = try ProfileExport.run(try ProfileExport.loadProfile(profile("seed-dumps.json")), source: source,
                                      to: try FolderDestination(path: out, format: format),
                                      options: ExportOptions(today: today), profileOptions: ProfileExportOptions(workDirectory: dir.path))
            Issue.record("\(source) was accepted")
            return nil
        } catch let e as DossierError {
            return e
        }
    }

    /// A copy of a fixture dump with `edit` applied to its text, in `dir`.
    static func edited(_ name: String, in dir: URL, _ edit: (inout [UInt8]) -> Void) throws -> String {
        var bytes = try ByteReader.readAll(path: dump(name), limit: 1 << 24)
        edit(&bytes)
        let path = dir.appendingPathComponent("\(UUID().uuidString)-" + name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

extension Array where Element == UInt8 {
    mutating func replace(_ old: String, with new: [UInt8]) {
        let o = Array(old.utf8)
        guard let i = indices.first(where: { self[$0...].starts(with: o) }) else { Issue.record("'\(old)' not in the dump"); return }
        replaceSubrange(i..<i + o.count, with: new)
    }
}

@Test func everySeedDumpGivesTheSameDossiers() throws {
    let dir = try TestEnv.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let profile = ProfileEnv.profile("seed-dumps.json")
    var outputs: [String: String] = [:]
    for name in ["pg-default.sql", "pg-inserts.sql", "pg-column-inserts.sql", "mariadb-default.sql", "mariadb-hex-blob.sql", "sqlite.sql"] {
        let (result, out) = try ProfileEnv.export(profile, source: ProfileEnv.dump(name), into: dir)
        let a = result.account
        #expect(a.reconciles, "\(name)")
        #expect(a.dossiers == 36, "\(name)")
        #expect(a.tables.map { "\($0.table):\($0.read)/\($0.mapped)/\($0.rejected)" } == ["clients:36/36/0", "documents:8/7/1", "reports:72/72/0"],
                "\(name)")
        // The seed's one document without content is the only rejected row, named by table and key.
        #expect(result.report.sourceErrors == 1, "\(name)")
        let rejected = result.report.diagnostics.listed.filter { $0.severity == .error }
        #expect(rejected.map { "\($0.location?.table ?? "")#\($0.location?.key ?? "")" } == ["documents#3"], "\(name)")
        #expect(rejected.first?.location?.file == ProfileEnv.dump(name) && rejected.first?.location?.line != nil)
        outputs[name] = try ProfileEnv.dossiersWithoutSource(out)
    }
    let reference = outputs["pg-default.sql"]!
    #expect(reference.split(separator: "\n").count == 36)
    for (name, text) in outputs { #expect(text == reference, "\(name) differs from pg-default.sql") }
}

@Test func documentBytesArriveWithTheirSHA256() throws {
    let dir = try TestEnv.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    // The seed documents (fixtures/dumps/seed.py): 1 holds every byte value 0…255, 5 holds 255…0 three
    // times, 4 is one NUL byte, 2 is empty, 8 is 70,000 bytes; documents go to client (index mod 5) + 1.
    let everyByte = [UInt8](0...255)
    let expected: [(client: Int, doc: Int, bytes: [UInt8])] = [
        (1, 1, everyByte), (2, 2, []), (4, 4, [0]), (5, 5, Array(Array(everyByte.reversed()) + everyByte.reversed() + everyByte.reversed())),
    ]
    // Blobs are kept in memory (the default), staged as files (budget 0), or some of each (300 bytes
    // hold the first few only): the same bytes arrive every way.
    for held in [ProfileExportOptions().heldDocumentBudget, 0, 300] {
        for name in ["pg-default.sql", "mariadb-default.sql", "mariadb-hex-blob.sql", "sqlite.sql"] {
            let (_, out) = try ProfileEnv.export(ProfileEnv.profile("seed-dumps.json"), source: ProfileEnv.dump(name), into: dir,
                                                 format: .json, heldDocuments: held)
            for e in expected {
                let file = "\(out)/documents/dossier-seed-client-\(e.client)/seed-doc-\(e.doc)"
                #expect(try ByteReader.readAll(path: file, limit: 1 << 20) == e.bytes, "\(name) doc \(e.doc), budget \(held)")
                let json = String(decoding: try ByteReader.readAll(path: "\(out)/dossier-seed-client-\(e.client).json", limit: 1 << 22), as: UTF8.self)
                #expect(json.contains(try Digester.hash(.sha256, e.bytes).hexString), "\(name) doc \(e.doc)")
            }
            let big = try ByteReader.readAll(path: "\(out)/documents/dossier-seed-client-3/seed-doc-8", limit: 1 << 20)
            #expect(big.count == 70_000)
        }
    }
    // Nothing staged or kept outlives the run: the work folder holds only the outputs.
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { $0.hasPrefix("out-") })
}

@Test func heldAndStagedDocumentsGoIntoABundleChecked() throws {
    let dir = try TestEnv.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let everyByte = [UInt8](0...255)
    for held in [ProfileExportOptions().heldDocumentBudget, 0] {
        let zip = dir.appendingPathComponent("seed-\(held).zip").path
        let options = BundleOptions(createdAt: TestEnv.createdAt)
        _ = try ProfileExport.run(try ProfileExport.loadProfile(ProfileEnv.profile("seed-dumps.json")), source: ProfileEnv.dump("pg-default.sql"),
                                  to: try BundleDestination(path: zip, options: options),
                                  options: ExportOptions(today: ProfileEnv.today, keepGoing: true),
                                  profileOptions: ProfileExportOptions(workDirectory: dir.path, heldDocumentBudget: held))
        let check = BundleInspection.check(path: zip, keys: BundleKeys())
        #expect(check.isValid, "budget \(held): \(check.allProblems)")
        let target = dir.appendingPathComponent("unpacked-\(held)").path
        try ZipReader(path: zip).extract(to: target)
        let root = target + "/" + (try FileManager.default.contentsOfDirectory(atPath: target)[0])
        #expect(try ByteReader.readAll(path: root + "/data/documents/dossier-seed-client-1/seed-doc-1", limit: 1 << 20) == everyByte)
        #expect(try ByteReader.readAll(path: root + "/data/documents/dossier-seed-client-3/seed-doc-8", limit: 1 << 20).count == 70_000)
    }
}

@Test func clientKeySelectsOneDossier() throws {
    let dir = try TestEnv.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let (result, out) = try ProfileEnv.export(ProfileEnv.profile("seed-dumps.json"), source: ProfileEnv.dump("pg-default.sql"),
                                              into: dir, keepGoing: false, client: "7")
    #expect(result.report.written == ["dossier-seed-client-7"])
    #expect(result.report.sourceErrors == 0)
    #expect(result.account.table("clients")?.filtered == 35)
    #expect(try ProfileEnv.dossiersWithoutSource(out).contains("\"id\":\"dossier-seed-client-7\""))
    #expect(throws: DossierError.self) {
        try ProfileEnv.export(ProfileEnv.profile("seed-dumps.json"), source: ProfileEnv.dump("pg-default.sql"), into: dir, client: "999")
    }
}

@Test func malformedSourcesFailWithTheirLineAndLeaveNothing() throws {
    let dir = try TestEnv.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let truncated = try ProfileEnv.edited("pg-default.sql", in: dir) { $0.removeLast($0.count / 2) }
    let wrongColumns = try ProfileEnv.edited("sqlite.sql", in: dir) { $0.replace("VALUES(2,'Zoë',", with: Array("VALUES(2,".utf8)) }
    let badUTF8 = try ProfileEnv.edited("sqlite.sql", in: dir) { $0.replace("Zoë", with: [0x5A, 0x6F, 0xEB]) }
    for (path, line) in [(truncated, nil), (wrongColumns, 5), (badUTF8, 5)] as [(String, Int?)] {
        let out = dir.appendingPathComponent("out-\(UUID().uuidString)").path
        let e = try ProfileEnv.failure(path, into: dir, out: out)
        #expect(e?.location?.file == path)
        #expect(e?.location?.line != nil)
        if let line { #expect(e?.location?.line == line) }
        #expect(!FileManager.default.fileExists(atPath: out))
    }
    // Only the staging and spill folders' parent is left: the run cleaned up after itself.
    let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("dossierport-") }
    #expect(left.isEmpty)
}

@Test func aTableOutsideTheProfileFailsTheRunUnlessKeepGoing() throws {
    let dir = try TestEnv.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let extra = try ProfileEnv.edited("sqlite.sql", in: dir) {
        $0.replace("COMMIT;", with: Array("CREATE TABLE extra (id INTEGER);\nINSERT INTO extra VALUES(1);\nCOMMIT;".utf8))
    }
    let (strict, out) = try ProfileEnv.export(ProfileEnv.profile("seed-dumps.json"), source: extra, into: dir, keepGoing: false)
    #expect(strict.account.table("extra")?.disposition.rawValue == "unmapped")
    #expect(strict.report.diagnostics.listed.contains { $0.code == "table.unmapped" && $0.severity == .error })
    #expect(strict.report.hasErrors)
    #expect(!FileManager.default.fileExists(atPath: out))
    let (_, kept) = try ProfileEnv.export(ProfileEnv.profile("seed-dumps.json"), source: extra, into: dir, keepGoing: true)
    #expect(FileManager.default.fileExists(atPath: kept + "/dossiers.ndjson"))
}

@Test func xmlAndCSVExportsCarryTheirDocumentFiles() throws {
    let dir = try TestEnv.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let letter = TestEnv.fixtures.appendingPathComponent("xml-epd/bestanden/verwijsbrief.pdf").path
    let letterHash = try Digester.hash(.sha256, fileAt: letter).hexString

    let (xml, xmlOut) = try ProfileEnv.export(ProfileEnv.profile("xml-epd.json"), source: TestEnv.fixtures.appendingPathComponent("xml-epd/export.xml").path,
                                              into: dir, format: .json, keepGoing: false)
    #expect(xml.report.written == ["dossier-x-client-101", "dossier-x-client-102"])
    #expect(xml.report.sourceErrors == 0)
    #expect(xml.report.diagnostics.listed.map(\.code) == ["xml.repeated"])
    for client in ["101", "102"] {
        let copied = "\(xmlOut)/documents/dossier-x-client-\(client)/x-doc-9001.pdf"
        #expect(try Digester.hash(.sha256, fileAt: copied).hexString == letterHash)
    }

    // The CSV fixture is Windows-1252: the profile says so, the dossier holds proper UTF-8.
    let profileText = String(decoding: try ByteReader.readAll(path: ProfileEnv.profile("zorgdossier-csv.json"), limit: 1 << 20), as: UTF8.self)
    let cp1252 = dir.appendingPathComponent("zorgdossier-1252.json").path
    try Data(profileText.replacingOccurrences(of: #""encoding": "utf-8""#, with: #""encoding": "windows-1252""#).utf8)
        .write(to: URL(fileURLWithPath: cp1252))
    let (csv, csvOut) = try ProfileEnv.export(cp1252, source: TestEnv.fixtures.appendingPathComponent("csv-epd").path, into: dir,
                                              format: .json, keepGoing: false)
    #expect(csv.report.written == ["dossier-zd-client-2001", "dossier-zd-client-2002"])
    #expect(csv.account.reconciles)
    let jan = String(decoding: try ByteReader.readAll(path: csvOut + "/dossier-zd-client-2002.json", limit: 1 << 20), as: UTF8.self)
    #expect(jan.contains("Coöperatie Müller"))
    let copied = csvOut + "/documents/dossier-zd-client-2001/zd-doc-8001.pdf"
    #expect(try Digester.hash(.sha256, fileAt: copied).hexString == letterHash)

    // Read as UTF-8 (the profile as shipped), the same bytes are refused with their position.
    #expect(throws: DossierError.self) {
        try ProfileEnv.export(ProfileEnv.profile("zorgdossier-csv.json"), source: TestEnv.fixtures.appendingPathComponent("csv-epd").path, into: dir)
    }
}

@Test func profileCheckNamesAnUnknownColumn() throws {
    let dir = try TestEnv.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let text = String(decoding: try ByteReader.readAll(path: ProfileEnv.profile("seed-dumps.json"), limit: 1 << 20), as: UTF8.self)
    let broken = dir.appendingPathComponent("broken.json").path
    try Data(text.replacingOccurrences(of: #""dateOfBirth": "birth_date""#, with: #""dateOfBirth": "geboren""#).utf8)
        .write(to: URL(fileURLWithPath: broken))
    let problems = try ProfileExport.check(try ProfileExport.loadProfile(broken), source: ProfileEnv.dump("pg-default.sql"))
    let unknown = problems.listed.filter { $0.code == "profile.unknown-column" }
    #expect(unknown.count == 1)
    #expect(unknown.first?.path == "$.client.fields['dateOfBirth']")
    #expect(unknown.first?.location?.table == "clients")
    let clean = try ProfileExport.check(try ProfileExport.loadProfile(ProfileEnv.profile("seed-dumps.json")), source: ProfileEnv.dump("pg-default.sql"))
    #expect(clean.errors == 0)
}

@Test func aDocumentLinkOutOfTheSourceFolderIsRefused() throws {
    let dir = try TestEnv.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let source = dir.appendingPathComponent("source")
    try FileManager.default.createDirectory(at: source.appendingPathComponent("bestanden"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: TestEnv.fixtures.appendingPathComponent("xml-epd/export.xml"), to: source.appendingPathComponent("export.xml"))
    let secret = dir.appendingPathComponent("secret.txt")
    try Data("not part of the export".utf8).write(to: secret)
    try FileManager.default.createSymbolicLink(atPath: source.appendingPathComponent("bestanden/verwijsbrief.pdf").path,
                                               withDestinationPath: secret.path)
    let (result, out) = try ProfileEnv.export(ProfileEnv.profile("xml-epd.json"), source: source.appendingPathComponent("export.xml").path,
                                              into: dir, keepGoing: false)
    let refused = result.report.diagnostics.listed.filter { $0.code == "document.unreadable" }
    #expect(refused.count == 2)
    #expect(refused.allSatisfy { $0.message.contains("document.path") && $0.location?.key == "9001" })
    #expect(result.account.table("/export/documenten/document")?.rejected == 1)
    #expect(!FileManager.default.fileExists(atPath: out))
}

/// Past `keptDiagnostics` errors and as many warnings a run counts its diagnostics by code without
/// listing them; the errors still fail it, and the validator's findings are listed once, at their
/// record's row.
@Test func diagnosticsPastTheLimitAreCountedNotListed() throws {
    let dir = try TestEnv.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let caresys = TestEnv.fixtures.appendingPathComponent("epd/caresys")
    func run(keeping limit: Int) throws -> ExportReport {
        var options = ExportOptions(today: ProfileEnv.today, keepGoing: true, organisation: try TestEnv.organisation())
        options.keptDiagnostics = limit
        return try ProfileExport.run(try ProfileExport.loadProfile(caresys.appendingPathComponent("caresys.json").path),
                                     source: caresys.appendingPathComponent("caresys-dirty.sql").path,
                                     to: try FolderDestination(path: dir.appendingPathComponent("out-\(limit)").path, format: .ndjson),
                                     options: options, profileOptions: ProfileExportOptions(workDirectory: dir.path)).report
    }
    let allReport = try run(keeping: 10_000), cutReport = try run(keeping: 10)
    let all = allReport.diagnostics, cut = cutReport.diagnostics
    #expect(all.omitted == 0 && all.listed.count == all.total)
    #expect(all.counts["retention.undated"] > 10 && all.counts["bsn.elfproef"] == 1)
    #expect(all.listed.filter { $0.code == "bsn.elfproef" }.map { $0.location?.line } == [252])
    // Each severity has a limit of its own: the warnings on every record leave the errors listed.
    var warnings = 0
    let expected = all.listed.filter { d in
        if d.severity == .error { return true }
        warnings += 1
        return warnings <= 10
    }
    #expect(all.errors == 9 && all.listed.filter { $0.severity == .error }.count == 9)
    #expect(cut.listed == expected && expected.count == 19)
    #expect(cut.omitted == all.total - 19)
    #expect(cut.counts == all.counts && cut.errors == all.errors)
    #expect(cutReport.sourceErrors == allReport.sourceErrors && cutReport.sourceErrors > 0 && cutReport.hasErrors)
}

/// A reader lists its first 1,000 warnings; the report still counts every one. Before, a profile
/// run counted only the listed ones, and the rest vanished from the report.
@Test func readerWarningsPastItsLimitAreCountedInTheReport() throws {
    let dir = try TestEnv.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let zorgdossier = TestEnv.fixtures.appendingPathComponent("epd/zorgdossier")
    let export = dir.appendingPathComponent("export")
    try FileManager.default.copyItem(at: zorgdossier.appendingPathComponent("export"), to: export)
    // Excel's scientific notation in a report's text: accepted, with a warning per row.
    let rows = (1...1_200).map { "\(90_000 + $0);ZB-1001;01-02-2026 09:53;RAP;psychologie;J. Bakker (VPK);1,2E+08\r\n" }.joined()
    let reports = try FileHandle(forWritingTo: export.appendingPathComponent("rapportages.csv"))
    try reports.seekToEnd()
    try reports.write(contentsOf: Data(("\r\n" + rows).utf8))
    try reports.close()
    let (result, _) = try ProfileEnv.export(zorgdossier.appendingPathComponent("zorgdossier.json").path, source: export.path, into: dir)
    let log = result.report.diagnostics
    #expect(log.counts["csv.excel-scientific"] == 1_200)
    #expect(log.listed.filter { $0.code == "csv.excel-scientific" }.count == 1_000)
    #expect(log.omitted == 200 && log.errors == 0)
    #expect(result.account.reconciles && result.report.sourceErrors == 0)
}

/// A client's name holding U+FDD0, in each of the six dump forms: that client row is refused at
/// its line (its reports and documents with it) and the other 35 dossiers come out as from the
/// clean dump. The same character in a column no rule reads (the note) changes nothing.
@Test func aNoncharacterRefusesItsRowAndTheRunGoesOn() throws {
    let dir = try TestEnv.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let profile = ProfileEnv.profile("seed-dumps.json")
    for name in ["pg-default.sql", "pg-inserts.sql", "pg-column-inserts.sql", "mariadb-default.sql", "mariadb-hex-blob.sql", "sqlite.sql"] {
        let (clean, cleanOut) = try ProfileEnv.export(profile, source: ProfileEnv.dump(name), into: dir)
        let named = try ProfileEnv.edited(name, in: dir) { $0.replace("Cliënt de Vries", with: Array("Cliënt\(nonchar(0xFDD0)) de Vries".utf8)) }
        let (result, out) = try ProfileEnv.export(profile, source: named, into: dir)
        #expect(result.account.reconciles, "\(name)")
        #expect(result.account.dossiers == 35, "\(name)")
        #expect(result.account.table("clients")?.rejected == 1, "\(name)")
        let refused = result.report.diagnostics.listed.filter { $0.code == "value.noncharacter" }
        #expect(refused.map { "\($0.location?.table ?? "")#\($0.location?.key ?? "")" } == ["clients#1"], "\(name)")
        #expect(refused.first?.message == "column name holds a Unicode noncharacter, which JSON (I-JSON, RFC 7493) and XML cannot carry")
        let lines = try ByteReader.readAll(path: named, limit: 1 << 24).split(separator: 0x0A, omittingEmptySubsequences: false)
        let line = try #require(refused.first?.location?.line)
        #expect(refused.first?.location?.file == named, "\(name)")
        #expect(String(decoding: lines[line - 1], as: UTF8.self).contains("Cliënt\(nonchar(0xFDD0))"), "\(name)")
        let kept = try ProfileEnv.dossiersWithoutSource(cleanOut).split(separator: "\n")
            .filter { !$0.contains(#""id":"dossier-seed-client-1","#) }
        #expect(kept.count == 35)
        #expect(try ProfileEnv.dossiersWithoutSource(out).split(separator: "\n") == kept, "\(name)")

        let noted = try ProfileEnv.edited(name, in: dir) { $0.replace("$$dollar$$", with: Array("$$dol\(nonchar(0xFFFF))lar$$".utf8)) }
        let (quiet, quietOut) = try ProfileEnv.export(profile, source: noted, into: dir)
        #expect(quiet.report.diagnostics.listed.map(\.code) == clean.report.diagnostics.listed.map(\.code), "\(name)")
        #expect(quiet.account.tables.map(\.rejected) == clean.account.tables.map(\.rejected), "\(name)")
        #expect(try ProfileEnv.dossiersWithoutSource(quietOut) == ProfileEnv.dossiersWithoutSource(cleanOut), "\(name)")
    }
}

/// A control character is a valid JSON text but XML 1.0 cannot carry one: the seed's client 24
/// is named "ctrl" followed by four of them, so its XML export fails, and the error names the dump
/// line and record the text came from, not only a path inside some dossier of the run. Nothing is
/// left under the output name. (As JSON the same dump exports whole: `everySeedDumpGivesTheSameDossiers`.)
@Test func anXMLRefusalNamesTheRowItCameFrom() throws {
    let dir = try TestEnv.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = ProfileEnv.dump("pg-default.sql")
    let out = dir.appendingPathComponent("out").path
    let e = try #require(try ProfileEnv.failure(path, into: dir, out: out, format: .xml))
    #expect(e.code == "xml.unrepresentable")
    #expect(e.diagnostic.path == "$.client.name.givenNames")
    #expect(e.diagnostic.recordID == "seed-client-24")
    #expect(e.location == SourceLocation(file: path, line: 130, table: "clients", key: "24"))
    #expect(e.description.hasPrefix("\(path):130: clients#24: error: text contains U+0001"))
    #expect(!FileManager.default.fileExists(atPath: out))
}
