import Foundation
import Testing
import DossierModel
@testable import DossierSources

/// Swift Testing has its own `SourceLocation`; the tests mean the model's.
typealias SourceLocation = DossierModel.SourceLocation

/// A table written out in a test: name, columns, rows.
typealias LiteralTable = (name: String, columns: [SourceColumn], rows: [[SourceValue]])

/// A `RowReader` over literal rows, so the engine is tested without any parser.
final class LiteralRowReader: RowReader {
    private var rows: [SourceRow] = []
    private var next = 0
    private(set) var tables: [String: SourceTable] = [:]

    /// `file` goes into each row's location with a running line number, as a dump reader would.
    init(file: String, _ tables: [LiteralTable]) {
        var line = 0
        for t in tables {
            self.tables[t.name] = SourceTable(name: t.name, columns: t.columns)
            let names = t.columns.map(\.name)
            for values in t.rows {
                line += 1
                rows.append(SourceRow(table: t.name, columns: names, values: values,
                                      location: SourceLocation(file: file, line: line)))
            }
        }
    }

    func nextRow() throws -> SourceRow? {
        guard next < rows.count else { return nil }
        defer { next += 1 }
        return rows[next]
    }
}

/// Untyped columns, as a CSV header gives them.
func untypedColumns(_ names: String...) -> [SourceColumn] { names.map { SourceColumn(name: $0) } }

let profileFixtureRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func fixtureProfile(_ name: String) throws -> MappingProfile {
    try MappingProfile.load(path: profileFixtureRoot.appendingPathComponent("fixtures/profiles/\(name)").path)
}

/// Runs the engine and collects what it emits.
func exportDossiers(_ profile: MappingProfile, _ readers: [any RowReader], options: ExportOptions = ExportOptions(),
            documents: (any DocumentResolver)? = nil) throws -> (dossiers: [Dossier], account: ExportAccount) {
    var dossiers: [Dossier] = []
    let account = try DossierAssembler(profile: profile, options: options, documents: documents)
        .run(readers) { d, _ in dossiers.append(d) }
    return (dossiers, account)
}

/// A minimal valid profile as JSON text, with `mappings` spliced in, for error tests.
func profileJSON(source: String = #"{"kind": "csv", "timeZone": "Europe/Amsterdam"}"#, clientFields: String = #"{"name.familyName": "achternaam"}"#,
                 mappings: String = "[]") -> String {
    """
    {"profileVersion": 1, "name": "t", "source": \(source),
     "controller": {"name": "X", "kvkNumber": "12345678", "dpo": {"email": "fg@x.example"}},
     "client": {"table": "clienten", "key": "nr", "recordId": {"prefix": "c-"},
                "meta": {"category": "personal", "provenance": "client", "legalBasis": "contract"},
                "fields": \(clientFields)},
     "mappings": \(mappings)}
    """
}

func profileLoadError(_ json: String) -> DossierError? {
    do {
        _ = try MappingProfile.decode(Array(json.utf8), file: "test-profile.json")
        return nil
    } catch let e as DossierError {
        return e
    } catch {
        return nil
    }
}

@Suite struct ProfileLoadingTests {
    @Test(arguments: ["caresys-postgres.json", "zorgdossier-csv.json", "xml-epd.json"])
    func fixtureProfilesLoad(name: String) throws {
        let p = try fixtureProfile(name)
        #expect(p.profileVersion == 1)
        #expect(!p.mappings.isEmpty)
        #expect(p.client.fields.contains { $0.path == "name.familyName" })
    }

    @Test func fixtureDetailsAreRead() throws {
        let z = try fixtureProfile("zorgdossier-csv.json")
        #expect(z.source.kind == .csv)
        #expect(z.source.delimiter == ";")
        #expect(z.source.decimalComma)
        #expect(z.source.dateFormat == "dd-mm-jjjj")
        #expect(z.mappings.filter { $0.table == "rapportages" }.map(\.entity) == [.progressReports, .workNotes])
        let x = try fixtureProfile("xml-epd.json")
        guard case .link(let column, let table, let key, let clientColumn) = x.mappings[1].join else {
            Issue.record("documents should join through a link table"); return
        }
        #expect([column, table, key, clientColumn] == ["@id", "/export/koppelingen/koppeling", "@document", "@client"])
        let c = try fixtureProfile("caresys-postgres.json")
        #expect(c.ignore == ["audit_log", "schema_migrations"])
        #expect(c.controller.kvkNumber == "12345678")
    }

    /// The fixture profiles and the schema itself are checked with the Python `jsonschema` package
    /// (Draft 2020-12), the reference implementation the schema is published for.
    @Test(arguments: ["caresys-postgres.json", "zorgdossier-csv.json", "xml-epd.json"])
    func fixtureProfilesPassTheSchema(name: String) throws {
        let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
        def described(node, where):
            if isinstance(node, dict):
                for k, v in node.get("properties", {}).items():
                    if "description" not in v: sys.exit("no description: " + where + "/" + k)
                for k, v in node.items(): described(v, where + "/" + k)
            elif isinstance(node, list):
                for i, v in enumerate(node): described(v, where + "/" + str(i))
        described(schema, "#")
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, profileFixtureRoot.appendingPathComponent("formats/profile.schema.json").path,
                       profileFixtureRoot.appendingPathComponent("fixtures/profiles/\(name)").path]
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(message)")
    }

    /// The complete example in the guide must stay a working profile.
    @Test func guideExampleLoads() throws {
        let guide = try String(contentsOf: profileFixtureRoot.appendingPathComponent("formats/profile.md"), encoding: .utf8)
        let start = try #require(guide.range(of: "```json\n"))
        let end = try #require(guide.range(of: "\n```", range: start.upperBound..<guide.endIndex))
        let p = try MappingProfile.decode(Array(guide[start.upperBound..<end.lowerBound].utf8), file: "profile.md")
        #expect(p.mappings.map(\.entity) == [.progressReports, .workNotes, .financialRecords, .documents])
    }

    @Test func errorsNameTheFileAndTheJSONPath() {
        let e = profileLoadError(profileJSON(mappings: #"[{"entity": "rapportages", "table": "r", "key": "id", "clientKey": "nr", "recordId": {"prefix": "r-"}, "meta": {"category": "care", "provenance": "professional", "legalBasis": "legalObligation"}, "fields": {}}]"#))
        #expect(e?.location?.file == "test-profile.json")
        #expect(e?.diagnostic.path == "$.mappings[0].entity")
        #expect(e?.code == "profile.invalid")
    }

    @Test func unknownKeysAreNamedUnlessTheyLookLikeData() {
        func unknown(_ key: String) -> DossierError? {
            var json = profileJSON(clientFields: #"{"name.familyName": "achternaam"}"#)
            json.replaceSubrange(json.startIndex...json.startIndex, with: "{\"\(key)\": 1, ")
            return profileLoadError(json)
        }
        #expect(unknown("feilds")?.diagnostic.message == "unknown key 'feilds'")
        #expect(unknown("feilds")?.diagnostic.path == "$.feilds")
        let data = unknown("j.jansen@example.nl")
        #expect(data?.diagnostic.message == "unknown key '<a name of 19 bytes>'" && data?.diagnostic.path == "$.<a name of 19 bytes>")
    }

    @Test func unknownModelFieldPath() {
        let e = profileLoadError(profileJSON(clientFields: #"{"name.familyName": "achternaam", "name.surname": "x"}"#))
        #expect(e?.diagnostic.path == "$.client.fields['name.surname']")
        let indexed = profileLoadError(profileJSON(clientFields: #"{"name.familyName": "a", "addresses[0].postcode": "pc"}"#))
        #expect(indexed?.diagnostic.path == "$.client.fields['addresses[0].postcode']")
    }

    @Test func badEnumValueInAMap() {
        let e = profileLoadError(profileJSON(clientFields: #"{"name.familyName": "a", "gender": {"column": "g", "map": {"M": "male", "V": "vrouw"}}}"#))
        #expect(e?.diagnostic.path == "$.client.fields['gender'].map['V']")
        let constant = profileLoadError(profileJSON(clientFields: #"{"name.familyName": "a", "contacts[0].system": {"constant": "fax"}}"#))
        #expect(constant?.diagnostic.path == "$.client.fields['contacts[0].system'].constant")
    }

    @Test func badDateFormats() {
        let source = profileLoadError(profileJSON(source: #"{"kind": "csv", "timeZone": "Europe/Amsterdam", "dateFormat": "dd-qq-yyyy"}"#))
        #expect(source?.diagnostic.path == "$.source.dateFormat")
        let field = profileLoadError(profileJSON(clientFields: #"{"name.familyName": "a", "dateOfBirth": {"column": "g", "format": "yyyy"}}"#))
        #expect(field?.diagnostic.path == "$.client.fields['dateOfBirth'].format")
        let zone = profileLoadError(profileJSON(source: #"{"kind": "csv", "timeZone": "Europe/Utrecht"}"#))
        #expect(zone?.diagnostic.path == "$.source.timeZone")
    }

    @Test func unknownKeysAndMissingRequiredFields() {
        let typo = profileLoadError(profileJSON(source: #"{"kind": "csv", "timeZone": "UTC", "dateFromat": "yyyy-MM-dd"}"#))
        #expect(typo?.diagnostic.path == "$.source.dateFromat")
        let noStatus = profileLoadError(profileJSON(mappings: #"[{"entity": "consents", "table": "t", "key": "id", "clientKey": "nr", "recordId": {"prefix": "x-"}, "meta": {"category": "care", "provenance": "client", "legalBasis": "consent"}, "fields": {"purpose": {"constant": "research"}}}]"#))
        #expect(noStatus?.diagnostic.path == "$.mappings[0].fields")
        #expect(noStatus?.diagnostic.message.contains("status") == true)
        let xml = profileLoadError(profileJSON(source: #"{"kind": "xml", "timeZone": "UTC"}"#))
        #expect(xml?.diagnostic.path == "$.client.table")
        #expect(profileLoadError("{not json")?.code == "profile.json")
    }
}
