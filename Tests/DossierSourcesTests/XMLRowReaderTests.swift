import Foundation
import Testing
import DossierModel
@testable import DossierSources

private let xmlExport = csvFixture("xml-epd/export.xml")

private func allRows(_ reader: XMLRowReader) throws -> [SourceRow] {
    var rows: [SourceRow] = []
    while let r = try reader.nextRow() { rows.append(r) }
    return rows
}

/// Writes `text` to a fresh temporary file and returns its path.
private func tempXML(_ text: String) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("xmlrows-\(UUID().uuidString).xml")
    try Data(text.utf8).write(to: url)
    return url.path
}

@Test func xmlRowsFollowTheProfilePaths() throws {
    let specs = XMLTableSpec.specs(for: try fixtureProfile("xml-epd.json"))
    #expect(specs.map(\.path) == ["/export/clienten/client", "/export/rapportages/rapportage", "/export/documenten/document",
                                  "/export/koppelingen/koppeling"])
    let reader = try XMLRowReader(path: xmlExport, tables: specs)
    let rows = try allRows(reader)
    #expect(rows.map(\.table) == ["/export/clienten/client", "/export/clienten/client", "/export/rapportages/rapportage",
                                  "/export/rapportages/rapportage", "/export/documenten/document",
                                  "/export/koppelingen/koppeling", "/export/koppelingen/koppeling"])
    let anna = rows[0]
    #expect(anna["@id"] == .text("101"))
    #expect(anna["naam/achternaam"] == .text("Berg"))
    #expect(anna["naam/voorvoegsel"] == .text("van der"))
    #expect(anna["bsn"] == .text("111222333"))
    #expect(anna.location == SourceLocation(file: xmlExport, line: 5, table: "/export/clienten/client", entry: "/export/clienten/client[1]"))
    let jan = rows[1]
    #expect(jan["naam/voorvoegsel"] == .null)
    #expect(jan["bsn"] == .null)
    #expect(jan["naam/achternaam"] == .text("Jansen & Zn"))
    #expect(rows[2]["tekst"] == .text("Rustige nacht <geen> bijzonderheden."))
    #expect(rows[2]["auteur/@code"] == .text("MW-7"))
    #expect(rows[4]["bestand"] == .text("bestanden/verwijsbrief.pdf"))
    #expect(rows[6]["@client"] == .text("102"))
}

@Test func aRepeatedColumnKeepsTheFirstValueAndWarns() throws {
    let reader = try XMLRowReader(path: xmlExport, tables: [XMLTableSpec(path: "/export/rapportages/rapportage", columns: ["@id", "auteur/@code"])])
    let rows = try allRows(reader)
    #expect(rows[1]["auteur/@code"] == .text("MW-9"))
    #expect(reader.diagnostics.listed.map(\.code) == ["xml.repeated"])
    #expect(reader.diagnostics.listed[0].severity == .warning)
    #expect(reader.diagnostics.listed[0].location?.line == 28)
    #expect(reader.diagnostics.listed[0].location?.entry == "/export/rapportages/rapportage[2]")
}

@Test func seenColumnsListAttributesAndLeafElements() throws {
    let reader = try XMLRowReader(path: xmlExport, tables: [XMLTableSpec(path: "/export/clienten/client", columns: ["@id"])])
    _ = try allRows(reader)
    let columns = reader.tables["/export/clienten/client"]!.columns.map(\.name)
    #expect(columns == ["@id", "@nummer", "@geslacht", "bsn", "naam/voornamen", "naam/voorvoegsel", "naam/achternaam",
                        "geboortedatum", "telefoon"])
    #expect(reader.tables.count == 1)
}

@Test func nestedTablesYieldTheInnerRowFirst() throws {
    let path = try tempXML("<e><c id=\"1\"><n>A</n><r id=\"7\"><t>x</t></r><r id=\"8\"/></c></e>")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let reader = try XMLRowReader(path: path, tables: [XMLTableSpec(path: "/e/c", columns: ["@id", "n", "r/@id"]),
                                                       XMLTableSpec(path: "/e/c/r", columns: ["@id", "t"])])
    let rows = try allRows(reader)
    #expect(rows.map(\.table) == ["/e/c/r", "/e/c/r", "/e/c"])
    #expect(rows[0]["t"] == .text("x"))
    #expect(rows[1]["t"] == .null)
    #expect(rows[2]["n"] == .text("A"))
    #expect(rows[2]["r/@id"] == .text("7"))
}

@Test func unsafeOrMalformedXMLFailsWithItsLine() throws {
    let doctype = try tempXML("<?xml version=\"1.0\"?>\n<!DOCTYPE e [<!ENTITY x \"y\">]>\n<e><c id=\"1\">&x;</c></e>")
    let truncated = try tempXML("<e>\n<c id=\"1\">\n<n>A</n>\n")
    defer { for p in [doctype, truncated] { try? FileManager.default.removeItem(atPath: p) } }
    let spec = [XMLTableSpec(path: "/e/c", columns: ["@id", "n"])]
    #expect(throws: DossierError.self) { _ = try allRows(try XMLRowReader(path: doctype, tables: spec)) }
    do {
        _ = try allRows(try XMLRowReader(path: truncated, tables: spec))
        Issue.record("a truncated document was accepted")
    } catch let e as DossierError {
        #expect(e.location?.file == truncated)
        #expect(e.location?.line != nil)
    }
}

@Test func badPathsAreRefused() throws {
    #expect(throws: DossierError.self) { try XMLRowReader(path: xmlExport, tables: [XMLTableSpec(path: "export/client", columns: [])]) }
    #expect(throws: DossierError.self) { try XMLRowReader(path: xmlExport, tables: [XMLTableSpec(path: "/e/c", columns: ["@a/b"])]) }
    #expect(throws: DossierError.self) { try XMLRowReader(path: xmlExport, tables: [XMLTableSpec(path: "/e/c", columns: ["a//b"])]) }
}

@Test func theXMLProfileAssemblesDossiers() throws {
    let profile = try fixtureProfile("xml-epd.json")
    let reader = try XMLRowReader(path: xmlExport, tables: XMLTableSpec.specs(for: profile))
    let (dossiers, account) = try exportDossiers(profile, [reader], documents: RecordingResolver())
    #expect(dossiers.map(\.id) == ["dossier-x-client-101", "dossier-x-client-102"])
    #expect(dossiers[0].client.name.familyName == "Berg")
    #expect(dossiers[0].documents.map(\.id) == ["x-doc-9001"])
    #expect(dossiers[1].documents.map(\.id) == ["x-doc-9001"])
    #expect(dossiers[1].progressReports.first?.meta.author == "MW-9")
    #expect(account.reconciles)
    #expect(account.diagnostics.listed.filter { $0.severity == .error }.isEmpty)
}
