import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import DossierModel
import DossierFormats
import DossierCrypto
@testable import DossierSources

/// `fixtures/epd/`: one invented organisation's clients in three EPDs (made by `make.sh`).
let epdRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("fixtures/epd").path

func epdPath(_ relative: String) -> String { epdRoot + "/" + relative }

/// A CareSys dump of `clients` clients from the benchmark generator, in a fresh folder that the
/// caller removes (the dump's folder).
func generatedCareSysDump(clients: Int) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("epd-large-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let out = dir.appendingPathComponent("large.sql").path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", epdPath("generate-large.py"), String(clients), out]
    try p.run()
    p.waitUntilExit()
    try #require(p.terminationStatus == 0)
    return out
}

/// Hashes document bytes as an export does, so a bytea blob and a file in `bijlagen/` compare by content.
final class HashingResolver: DocumentResolver {
    let folder: String
    init(folder: String) { self.folder = folder }

    func resolve(_ content: DocumentContent, recordID: String, at location: SourceLocation) throws -> ResolvedDocument {
        let bytes: [UInt8]
        switch content {
        case .bytes(let b): bytes = b
        case .file(let p):
            guard let data = FileManager.default.contents(atPath: folder + "/" + p) else {
                throw DossierError("io.open", "cannot read the document", at: SourceLocation(file: p))
            }
            bytes = [UInt8](data)
        }
        let hex = try Digester.hash(.sha256, bytes).map { String(format: "%02x", $0) }.joined()
        return ResolvedDocument(size: bytes.count, sha256: hex, path: "documents/\(recordID)")
    }
}

/// One EPD export run through its profile: the dossiers by id, and the account.
struct EPDRun {
    let dossiers: [String: Dossier]
    let order: [String]
    let account: ExportAccount

    init(profile: String, documents folder: String, _ readers: () throws -> [any RowReader]) throws {
        var all: [Dossier] = []
        account = try DossierAssembler(profile: try MappingProfile.load(path: epdPath(profile)),
                                       options: ExportOptions(bucketCount: 4), documents: HashingResolver(folder: folder))
            .run(try readers()) { d, _ in all.append(d) }
        order = all.map(\.id)
        dossiers = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
    }

    var errors: [Diagnostic] { account.diagnostics.listed.filter { $0.severity == .error } }
}

func careSysRun(_ file: String) throws -> EPDRun {
    try EPDRun(profile: "caresys/caresys.json", documents: epdPath("caresys")) { [try SQLDumpReader(path: epdPath("caresys/\(file)"))] }
}

func zorgDossierRun(_ folder: String) throws -> EPDRun {
    let profile = try MappingProfile.load(path: epdPath("zorgdossier/zorgdossier.json"))
    let options = CSVReadOptions(delimiter: profile.source.delimiter!.utf8.first!, encoding: TextEncoding(rawValue: profile.source.encoding)!)
    return try EPDRun(profile: "zorgdossier/zorgdossier.json", documents: epdPath("zorgdossier/\(folder)")) {
        [try CSVDirectorySource(directory: epdPath("zorgdossier/\(folder)"), options: options)]
    }
}

/// A dossier as JSON with what legitimately differs between EPDs taken out: the source system's
/// name and each record's `meta.source` (file, line, table and key of the row it came from; the
/// `source` of an object that has a `category` is a record's meta).
/// `transform` is applied to every text value, for an export that could not hold some characters.
func comparable(_ d: Dossier, transform: (String) -> String = { $0 }) throws -> String {
    var d = d
    d.sourceSystem = nil
    func strip(_ v: Any) -> Any {
        if let o = v as? [String: Any] {
            var r: [String: Any] = [:]
            for (k, x) in o where k != "source" || o["category"] == nil { r[k] = strip(x) }
            return r
        }
        if let a = v as? [Any] { return a.map(strip) }
        if let s = v as? String { return transform(s) }
        return v
    }
    let tree = try JSONSerialization.jsonObject(with: Data(try JSONByteEncoder.encode(d, style: .compact)))
    return String(decoding: try JSONSerialization.data(withJSONObject: strip(tree), options: [.sortedKeys, .prettyPrinted]), as: UTF8.self)
}

/// What Dutch Excel saves in Windows-1252: a character the code page lacks (an emoji) becomes '?'.
func windows1252Lossy(_ s: String) -> String {
    String(String.UnicodeScalarView(s.unicodeScalars.map { String($0).data(using: .windowsCP1252) == nil ? "?" : $0 }))
}

/// Compares per dossier id, so a difference names the dossier instead of one long list, and
/// dossier order (which follows the bucket hash of each EPD's own client keys) does not matter.
func expectSameDossiers(_ a: EPDRun, _ b: EPDRun, transform: (String) -> String = { $0 }, except: Set<String> = [],
                        sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    #expect(Set(a.dossiers.keys).subtracting(except) == Set(b.dossiers.keys).subtracting(except), sourceLocation: sourceLocation)
    for id in a.order where !except.contains(id) {
        guard let other = b.dossiers[id] else { continue }
        #expect(try comparable(a.dossiers[id]!, transform: transform) == (try comparable(other)), "dossier \(id)", sourceLocation: sourceLocation)
    }
}

/// The XML-EPD through the streaming `XMLRowReader`, reading the element paths its profile names.
func xmlRun(_ file: String) throws -> EPDRun {
    let profile = try MappingProfile.load(path: epdPath("xml-epd/xml-epd.json"))
    return try EPDRun(profile: "xml-epd/xml-epd.json", documents: epdPath("xml-epd")) {
        [try XMLRowReader(path: epdPath("xml-epd/\(file)"), tables: XMLTableSpec.specs(for: profile))]
    }
}

let epdClientIDs = (1...10).map { "zorgbrug-client-ZB-\(1000 + $0)" }

@Suite struct EPDFixtureTests {
    @Test(arguments: ["caresys.sql", "caresys-mariadb.sql", "caresys-sqlite.sql"])
    func careSysDumpIsCleanAndReconciles(file: String) throws {
        let run = try careSysRun(file)
        #expect(Set(run.dossiers.keys) == Set(epdClientIDs))
        #expect(run.account.reconciles)
        #expect(run.account.tables.allSatisfy { $0.rejected == 0 && $0.filtered == 0 })
        #expect(run.account.validationErrors == 0)
        #expect(run.account.diagnostics.isEmpty, "\(run.account.diagnostics.listed)")
        #expect(run.account.table("audit_log")?.disposition == .ignored)
        #expect(run.account.table("attachment_clients")?.disposition == .link)
    }

    @Test func careSysContent() throws {
        let run = try careSysRun("caresys.sql")
        let minor = try #require(run.dossiers["zorgbrug-client-ZB-1003"])
        #expect(minor.client.name == PersonName(initials: "D.", givenNames: "Daan", familyName: "Özdemir"))
        #expect(minor.client.dateOfBirth == LocalDate(year: 2012, month: 6, day: 1))
        #expect(minor.representatives.map(\.kind) == [.parentWithAuthority, .parentWithAuthority])
        #expect(minor.representatives.allSatisfy { $0.hasLegalAuthority == true })
        #expect(minor.consents.map(\.givenBy) == ["rep-301", "rep-302"])

        let c2 = try #require(run.dossiers["zorgbrug-client-ZB-1002"])
        #expect(c2.consents[0].status == .withdrawn && c2.consents[0].withdrawnOn == LocalDate(year: 2024, month: 3, day: 15))
        #expect(c2.client.addresses[0].houseNumberAddition == "A")

        let c4 = try #require(run.dossiers["zorgbrug-client-ZB-1004"])
        #expect(c4.client.name.prefix == "van 't")
        #expect(c4.financialRecords.map(\.amount) == [Amount(cents: -4500)])
        #expect(c4.carePlans[0].title == "Behandeling \"Grip op stress\"")
        let shared = try #require(run.dossiers["zorgbrug-client-ZB-1009"]?.documents.first)
        #expect(c4.documents == [shared])
        #expect(shared.fileName == "verslag \"samen\".pdf")

        let c9 = try #require(run.dossiers["zorgbrug-client-ZB-1009"])
        #expect(c9.client.bsn?.digits.hasPrefix("0") == true)

        let c6 = try #require(run.dossiers["zorgbrug-client-ZB-1006"])
        #expect(c6.documents.map(\.size) == [0, 519])
        #expect(c6.documents[0].sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") // SHA-256 of "" (FIPS 180-4)

        let texts = run.dossiers.values.flatMap { $0.progressReports.map(\.text) + $0.workNotes.map(\.text) }
        #expect(texts.contains { $0.contains("👍") })
        #expect(texts.contains { $0.contains("\n") && $0.contains("\"") })
        #expect(run.dossiers["zorgbrug-client-ZB-1001"]?.financialRecords.map(\.amount) == [Amount(cents: 123_450), Amount(cents: 8_725)])
        #expect(run.account.entity(.workNotes)!.records > 0)
    }

    @Test(arguments: ["caresys-mariadb.sql", "caresys-sqlite.sql"])
    func careSysDialectsGiveTheSameDossiers(file: String) throws {
        try expectSameDossiers(try careSysRun("caresys.sql"), try careSysRun(file))
    }

    @Test func zorgDossierCSVGivesTheSameDossiers() throws {
        let csv = try zorgDossierRun("export")
        #expect(csv.account.reconciles)
        #expect(csv.account.tables.allSatisfy { $0.rejected == 0 && $0.filtered == 0 })
        #expect(csv.account.diagnostics.isEmpty, "\(csv.account.diagnostics.listed)")
        try expectSameDossiers(try careSysRun("caresys.sql"), csv, transform: windows1252Lossy)
    }
    /// The diagnostics of rows that were rejected or lost a value, as (code, table, line, key);
    /// lines were checked against the files with grep.
    static func problems(_ run: EPDRun) -> Set<String> {
        Set(run.errors.map { "\($0.code) \($0.location?.table ?? "-") \($0.location?.line ?? 0) \($0.location?.key ?? "-")" })
    }

    @Test func careSysDirtyDumpRejectsExactlyTheBrokenRows() throws {
        let run = try careSysRun("caresys-dirty.sql")
        #expect(run.account.reconciles)
        #expect(Self.problems(run) == [
            "row.orphan invoices 320 699",            // no client_id
            "row.orphan reports 363 5901",            // episode 999 does not exist
            "value.unmapped-code consents 274 499",   // purpose XX, required
            "bsn.elfproef clients 252 7",             // kept, reported by the validator
            "value.missing clients 256 11",           // no family name: client rejected …
            "client.rejected episodes 294 299",       // … with its episode
            "client.rejected reports 364 5902",       // … and the report filed under it
            "row.orphan attachments 216 706",         // linked to client 42 as well, which does not exist
            "table.unmapped import_staging 303 -",
        ])
        #expect(run.account.tables.map { "\($0.table) \($0.rejected)" } == [
            "attachment_clients 0", "attachments 0", "audit_log 0", "clients 1", "consents 1", "episodes 1",
            "import_staging 0", "invoices 1", "relations 0", "reports 2",
        ])
        #expect(run.account.table("import_staging")?.notMapped == 2)
        #expect(run.account.validationErrors == 1)
        let clean = try careSysRun("caresys.sql")
        try expectSameDossiers(clean, run, except: ["zorgbrug-client-ZB-1007"])
        let c7 = try #require(run.dossiers["zorgbrug-client-ZB-1007"])
        #expect(c7.client.bsn != clean.dossiers["zorgbrug-client-ZB-1007"]?.client.bsn && c7.consents.isEmpty)
        #expect(run.dossiers["zorgbrug-client-ZB-1009"]?.documents.map(\.id) == ["doc-706"])
    }

    @Test func zorgDossierDirtyExportRejectsExactlyTheBrokenRows() throws {
        let run = try zorgDossierRun("export-dirty")
        #expect(run.account.reconciles)
        #expect(Self.problems(run) == [
            "row.orphan declaraties 9 699",                 // empty cliëntnr
            "value.number declaraties 10 698",              // 12,345: three decimals, amount left empty
            "row.orphan rapportages 34 5901",               // client ZB-9999 does not exist
            "client.rejected rapportages 35 5902",          // client ZB-1011 has no family name
            "value.date rapportages 36 5903",               // 31-02-2024, recordedAt left empty
            "row.unmatched rapportages 37 5904",            // soort XX
            "value.unmapped-code toestemmingen 11 499",
            "bsn.elfproef clienten 8 ZB-1007",
            "value.missing clienten 12 ZB-1011",
            "row.duplicate-key clienten 13 ZB-1002",        // ZB-1002 a second time
            "client.rejected zorgplannen 13 299",
            "document.path documenten 10 798-ZB-1002",      // ../../make.py
            "document.unreadable documenten 11 799-ZB-1002", // file missing
            "table.unmapped notities 2 -",
        ])
        #expect(run.account.tables.map { "\($0.table) \($0.rejected)" } == [
            "clienten 2", "declaraties 1", "documenten 2", "gebruikers 0", "notities 0", "rapportages 3",
            "toestemmingen 1", "vertegenwoordigers 0", "zorgplannen 1",
        ])
        let clean = try zorgDossierRun("export")
        try expectSameDossiers(clean, run, except: ["zorgbrug-client-ZB-1001", "zorgbrug-client-ZB-1002", "zorgbrug-client-ZB-1007"])
        let c1 = try #require(run.dossiers["zorgbrug-client-ZB-1001"])
        #expect(c1.progressReports.last?.id == "report-5903" && c1.progressReports.last?.recordedAt == nil)
        let c2 = try #require(run.dossiers["zorgbrug-client-ZB-1002"])
        #expect(c2.financialRecords.last?.id == "invoice-698" && c2.financialRecords.last?.amount == nil)
        #expect(c2.documents.isEmpty)
        // The first of the two ZB-1002 rows is the client; the duplicate adds nothing.
        #expect(c2.client.meta.source?.line == 3)
    }
    /// The benchmark generator writes what the CareSys profile reads: a small output is checked
    /// row for row, so a 1 GB one differs only in size.
    @Test func largeGeneratorOutputAssembles() throws {
        let out = try generatedCareSysDump(clients: 40)
        let dir = URL(fileURLWithPath: out).deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: dir) }

        let run = try EPDRun(profile: "caresys/caresys.json", documents: dir.path) { [try SQLDumpReader(path: out)] }
        #expect(run.dossiers.count == 40)
        #expect(run.account.reconciles)
        #expect(run.account.diagnostics.isEmpty, "\(run.account.diagnostics.listed.prefix(5))")
        #expect(run.account.tables.map { "\($0.table) \($0.read)" } == [
            "attachment_clients 44", "attachments 40", "audit_log 7200", "clients 40", "consents 120", "episodes 160",
            "invoices 2400", "relations 8", "reports 6000",
        ])
        let d = try #require(run.dossiers["zorgbrug-client-ZB-10"])
        #expect(d.progressReports.count + d.workNotes.count == 150 && d.workNotes.count == 15)
        #expect(d.financialRecords.count == 60 && d.carePlans.count == 4 && d.consents.count == 3)
        #expect(d.representatives.map(\.id) == ["rep-10"] && d.consents[0].givenBy == "rep-10")
        #expect(d.documents.map(\.id) == ["doc-10"])
        #expect(run.dossiers["zorgbrug-client-ZB-9"]?.documents.map(\.id) == ["doc-9", "doc-10"])
    }
    @Test func xmlExportGivesTheSameDossiers() throws {
        let xml = try xmlRun("export.xml")
        #expect(xml.account.reconciles)
        #expect(xml.account.diagnostics.isEmpty, "\(xml.account.diagnostics.listed)")
        #expect(xml.account.table("/export/koppelingen/koppeling")?.disposition == .link)
        try expectSameDossiers(try careSysRun("caresys.sql"), xml)
    }

    @Test func xmlDirtyExportRejectsExactlyTheBrokenRows() throws {
        let run = try xmlRun("export-dirty.xml")
        #expect(run.account.reconciles)
        #expect(Set(run.errors.map { "\($0.code) \($0.location?.table ?? "-") \($0.location?.key ?? "-")" }) == [
            "row.orphan /export/financieel/factuur 699",
            "row.orphan /export/rapportages/rapportage 5901",
            "value.unmapped-code /export/toestemmingen/toestemming 499",
            "bsn.elfproef /export/clienten/client K0259",
            "value.missing /export/clienten/client K0407",
            "client.rejected /export/zorgplannen/zorgplan 299",
            "client.rejected /export/rapportages/rapportage 5902",
            "row.orphan /export/documenten/document 706",
        ])
        try expectSameDossiers(try xmlRun("export.xml"), run, except: ["zorgbrug-client-ZB-1007"])
    }
    /// Checked with the Python `jsonschema` package (Draft 2020-12), as the example profiles are.
    @Test(arguments: ["caresys/caresys.json", "zorgdossier/zorgdossier.json", "xml-epd/xml-epd.json"])
    func profilesPassTheSchema(profile: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import json, sys, jsonschema; jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))",
                       epdPath("../../formats/profile.schema.json"), epdPath(profile)]
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
    }
}
