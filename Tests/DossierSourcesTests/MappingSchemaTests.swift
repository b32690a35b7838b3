import Testing
import DossierModel
@testable import DossierSources

/// "ZorgDossier": Dutch table names, one CSV file per table (one reader each), all values text,
/// Dutch dates, decimal commas, and one rapportages table split into reports and work notes.
func zorgDossier() -> [LiteralRowReader] {
    [
        LiteralRowReader(file: "clienten.csv", [(name: "clienten",
            columns: untypedColumns("clientnr", "bsn", "voorletters", "voornamen", "tussenvoegsel", "achternaam", "geboortedatum", "geslacht",
                          "straat", "huisnummer", "toevoeging", "postcode", "woonplaats", "telefoon"),
            rows: [[.text("Z7"), .text("111222333"), .text("M."), .text("Maria"), .text("de"), .text("Vries"), .text("29-02-2024"), .text("V"),
                    .text("Kerkstraat"), .text("3"), .text("bis"), .text("3511 ab"), .text("Utrecht"), .text("06-12345678")],
                   [.text("Z8"), .text(""), .text(""), .text("Ahmed"), .text(""), .text("Yilmaz"), .text("31-02-2024"), .text("X"),
                    .text(""), .text(""), .text(""), .text(""), .text(""), .text("")]])]),
        LiteralRowReader(file: "rapportages.csv", [(name: "rapportages",
            columns: untypedColumns("rapportage_id", "clientnr", "datum", "medewerker", "soort", "discipline", "tekst"),
            rows: [[.text("1"), .text("Z7"), .text("31-03-2024 14:05"), .text("mw. K"), .text("RAP"), .text("verpleging"), .text("Goed geslapen.")],
                   [.text("2"), .text("Z7"), .text("01-02-2024 08:00"), .text("mw. K"), .text("WN"), .text(""), .text("Eigen notitie.")],
                   [.text("3"), .text("Z7"), .text("01-02-2024 08:00"), .text("mw. K"), .text("ZZ"), .text(""), .text("Onbekende soort.")],
                   [.text("4"), .text("Z9"), .text("01-02-2024 08:00"), .text("mw. K"), .text("RAP"), .text(""), .text("Client bestaat niet.")]])]),
        LiteralRowReader(file: "vertegenwoordigers.csv", [(name: "vertegenwoordigers",
            columns: untypedColumns("id", "clientnr", "rol", "wettelijk", "tussenvoegsel", "achternaam", "geldig_vanaf"),
            rows: [[.text("v1"), .text("Z7"), .text("CUR"), .text("J"), .text("van"), .text("Dijk"), .text("01-01-2023")],
                   [.text("v2"), .text("Z7"), .text("BUUR"), .text("N"), .text(""), .text("Smit"), .text("")]])]),
        LiteralRowReader(file: "declaraties.csv", [(name: "declaraties",
            columns: untypedColumns("declaratie_id", "clientnr", "nummer", "datum", "bedrag", "status"),
            rows: [[.text("d1"), .text("Z7"), .text("2024-001"), .text("15-01-2024"), .text("1.234,56"), .text("betaald")],
                   [.text("d2"), .text("Z7"), .text("2024-002"), .text("15-02-2024"), .text("-12,5"), .text("")],
                   [.text("d3"), .text("Z7"), .text("2024-003"), .text("15-03-2024"), .text("12,345"), .text("")]])]),
        LiteralRowReader(file: "documenten.csv", [(name: "documenten",
            columns: untypedColumns("document_id", "clientnr", "titel", "bestandsnaam", "datum"),
            rows: [[.text("doc1"), .text("Z7"), .text("Indicatie"), .text("docs/indicatie.pdf"), .text("02-01-2024")],
                   [.text("doc2"), .text("Z7"), .text("Kwaadaardig"), .text("../../etc/passwd"), .text("")],
                   [.text("doc3"), .text("Z7"), .text("Kwijt"), .text("docs/missing.pdf"), .text("")]])]),
        LiteralRowReader(file: "gebruikers.csv", [(name: "gebruikers", columns: untypedColumns("id"), rows: [[.text("u1")]])]),
    ]
}

/// A third EPD exporting XML: tables are element paths and columns attribute or child paths, and
/// a document can belong to several clients through a link table that comes after the documents.
func xmlEPD() -> LiteralRowReader {
    LiteralRowReader(file: "export.xml", [
        (name: "/export/clienten/client", columns: untypedColumns("@id", "@nummer", "bsn", "naam/voornamen", "naam/voorvoegsel", "naam/achternaam", "geboortedatum", "@geslacht"),
         rows: [[.text("a"), .text("1"), .text("111222333"), .text("Anna"), .text(""), .text("Bakker"), .text("1990-01-01"), .text("v")],
                [.text("b"), .text("2"), .null, .text("Bram"), .text("de"), .text("Boer"), .text("1991-02-02"), .text("m")]]),
        (name: "/export/rapportages/rapportage", columns: untypedColumns("@id", "@client", "@tijdstip", "tekst", "auteur/@code"),
         rows: [[.text("r1"), .text("b"), .text("2024-07-01T10:00:00"), .text("Zomer."), .text("K12")],
                [.text("r2"), .text("a"), .text("2024-01-15 10:00:00+01:00"), .text("Winter."), .text("K12")]]),
        (name: "/export/documenten/document", columns: untypedColumns("@id", "@type", "titel", "bestand"),
         rows: [[.text("d1"), .text("application/pdf"), .text("Gezinsplan"), .text("bijlagen/d1.pdf")],
                [.text("d2"), .text("image/png"), .text("Scan"), .text("bijlagen/d2.png")],
                [.text("d3"), .text("application/pdf"), .text("Los"), .text("bijlagen/d3.pdf")]]),
        (name: "/export/koppelingen/koppeling", columns: untypedColumns("@document", "@client"),
         rows: [[.text("d1"), .text("a")], [.text("d1"), .text("b")], [.text("d2"), .text("a")], [.text("d1"), .text("a")]]),
    ])
}

@Suite struct MappingSchemaTests {
    @Test func zorgDossierDutchConventions() throws {
        let resolver = RecordingResolver()
        let (dossiers, account) = try exportDossiers(try fixtureProfile("zorgdossier-csv.json"), zorgDossier(),
                                             options: ExportOptions(bucketCount: 2), documents: resolver)
        #expect(dossiers.map(\.client.id).sorted() == ["zd-client-Z7", "zd-client-Z8"])
        let d = try #require(dossiers.first { $0.client.id == "zd-client-Z7" })
        let c = d.client
        #expect(c.dateOfBirth == LocalDate(year: 2024, month: 2, day: 29))
        #expect(c.gender == .female)
        #expect(c.name.prefix == "de" && c.name.familyName == "Vries" && c.name.formal == "M. de Vries")
        #expect(c.addresses.first?.houseNumberAddition == "bis")
        #expect(c.addresses.first?.postalCode == "3511 AB")
        #expect(c.clientNumber == "Z7")
        // CSV empty fields are absent values: Z8 gets no address, no contact, no BSN.
        let z8 = try #require(dossiers.first { $0.client.id == "zd-client-Z8" }).client
        #expect(z8.bsn == nil && z8.addresses.isEmpty && z8.contacts.isEmpty && z8.dateOfBirth == nil && z8.gender == nil)

        #expect(d.progressReports.map(\.id) == ["zd-rap-1"])
        #expect(d.progressReports[0].recordedAt?.description == "2024-03-31T14:05:00+02:00")
        #expect(d.workNotes.map(\.id) == ["zd-wn-2"])
        #expect(d.workNotes[0].recordedAt?.description == "2024-02-01T08:00:00+01:00")
        #expect(d.representatives.map(\.id) == ["zd-vert-v1"])
        #expect(d.representatives[0].kind == .curator && d.representatives[0].hasLegalAuthority)
        #expect(d.representatives[0].validFrom == LocalDate(year: 2023, month: 1, day: 1))
        #expect(d.financialRecords.map(\.amount) == [Amount(cents: 123_456), Amount(cents: -1250), nil])
        #expect(d.financialRecords.allSatisfy { $0.kind == .declaration })
        #expect(d.documents.map(\.id) == ["zd-doc-doc1"])
        #expect(d.documents[0].documentDate == LocalDate(year: 2024, month: 1, day: 2))
        if case .file(let p)? = resolver.seen["zd-doc-doc1"] { #expect(p == "docs/indicatie.pdf") }
        else { Issue.record("resolver did not get the document path") }
        #expect(resolver.seen["zd-doc-doc2"] == nil)

        #expect(account.reconciles)
        let rap = try #require(account.table("rapportages"))
        #expect([rap.read, rap.mapped, rap.rejected] == [4, 2, 2])
        #expect(account.entity(.workNotes).map { [$0.read, $0.mapped] } == [1, 1])
        #expect(account.table("vertegenwoordigers").map { [$0.mapped, $0.rejected] } == [1, 1])
        #expect(account.table("documenten").map { [$0.mapped, $0.rejected] } == [1, 2])
        #expect(account.table("gebruikers")?.disposition == .ignored)
        let codes = Set(account.diagnostics.listed.map(\.code))
        #expect(codes.isSuperset(of: ["row.unmatched", "row.orphan", "value.unmapped-code", "value.date", "value.number",
                                      "document.path", "document.unreadable"]))
        let impossible = account.diagnostics.listed.first { $0.code == "value.date" }
        #expect(impossible?.location?.file == "clienten.csv" && impossible?.location?.key == "Z8" && impossible?.path == "dateOfBirth")
    }

    @Test func xmlManyToManyDocumentsAndLinkTableAfterTheRows() throws {
        let resolver = RecordingResolver()
        let (dossiers, account) = try exportDossiers(try fixtureProfile("xml-epd.json"), [xmlEPD()],
                                             options: ExportOptions(bucketCount: 1), documents: resolver)
        #expect(dossiers.map(\.client.id) == ["x-client-a", "x-client-b"])
        #expect(dossiers[0].documents.map(\.id) == ["x-doc-d1", "x-doc-d2"])
        #expect(dossiers[1].documents.map(\.id) == ["x-doc-d1"])
        #expect(dossiers[0].documents[0].mediaType == "application/pdf" && dossiers[0].documents[0].title == "Gezinsplan")
        #expect(dossiers[0].client.name.familyName == "Bakker" && dossiers[1].client.gender == .male)
        #expect(dossiers[1].progressReports[0].recordedAt?.description == "2024-07-01T10:00:00+02:00")
        #expect(dossiers[0].progressReports[0].recordedAt?.description == "2024-01-15T10:00:00+01:00")
        #expect(dossiers[0].progressReports[0].meta.author == "K12")
        let docs = try #require(account.entity(.documents))
        #expect([docs.read, docs.mapped, docs.rejected, docs.records] == [3, 2, 1, 3])
        #expect(account.table("/export/koppelingen/koppeling").map { [$0.read, $0.notMapped] } == [4, 4])
        #expect(account.table("/export/koppelingen/koppeling")?.disposition == .link)
        #expect(account.reconciles)
        let orphan = account.diagnostics.listed.first { $0.code == "row.orphan" }
        #expect(orphan?.location?.key == "d3" && orphan?.location?.table == "/export/documenten/document")

        let onlyB = try exportDossiers(try fixtureProfile("xml-epd.json"), [xmlEPD()], options: ExportOptions(clientKey: "b"), documents: resolver)
        #expect(onlyB.dossiers.map(\.client.id) == ["x-client-b"])
        #expect(onlyB.dossiers[0].documents.map(\.id) == ["x-doc-d1"])
        #expect(onlyB.account.entity(.documents).map { [$0.mapped, $0.rejected, $0.filtered] } == [1, 1, 1])
        #expect(onlyB.account.reconciles)
    }

    /// Fields inside nested structures: an optional one made on first use (a representative's
    /// address), a later element of an array (the client's second address), entries of a list of
    /// texts (a care plan's goals, with a gap filled by an empty goal) and the records' metadata.
    @Test func nestedFieldsAreSetInPlace() throws {
        let meta = #""meta": {"category": "care", "provenance": "client", "legalBasis": "legalObligation"}"#
        let json = profileJSON(clientFields: """
            {"name.familyName": "achternaam", "addresses[1].city": "plaats2", "addresses[1].postalCode": "pc2",
             "addresses[1].use": {"constant": "postal"}, "meta.author": "invoerder", "meta.restricted": "afgeschermd"}
            """, mappings: """
            [{"entity": "representatives", "table": "vert", "key": "id", "clientKey": "nr", "recordId": {"prefix": "v-"}, \(meta),
              "fields": {"kind": {"constant": "mentor"}, "name.familyName": "naam", "address.street": "straat",
                         "address.postalCode": "pc"}},
             {"entity": "carePlans", "table": "plan", "key": "id", "clientKey": "nr", "recordId": {"prefix": "p-"}, \(meta),
              "fields": {"title": "titel", "goals[0]": "doel1", "goals[2]": "doel3"}}]
            """)
        let profile = try MappingProfile.decode(Array(json.utf8), file: "inline.json")
        let reader = LiteralRowReader(file: "n.csv", [
            (name: "clienten", columns: untypedColumns("nr", "achternaam", "plaats2", "pc2", "invoerder", "afgeschermd"),
             rows: [[.text("1"), .text("Kok"), .text("Zwolle"), .text("8011ab"), .text("JB"), .text("ja")]]),
            (name: "vert", columns: untypedColumns("id", "nr", "naam", "straat", "pc"),
             rows: [[.text("3"), .text("1"), .text("Smit"), .text("Kade 1"), .text("1234 AB")]]),
            (name: "plan", columns: untypedColumns("id", "nr", "titel", "doel1", "doel3"),
             rows: [[.text("4"), .text("1"), .text("Plan"), .text("Lopen"), .text("Koken")]]),
        ])
        let (dossiers, account) = try exportDossiers(profile, [reader])
        let d = try #require(dossiers.first)
        #expect(d.client.addresses.count == 2)
        #expect(d.client.addresses[1] == Address(use: .postal, postalCode: "8011 AB", city: "Zwolle"))
        #expect(d.client.meta.author == "JB" && d.client.meta.restricted)
        #expect(d.representatives.first?.address == Address(street: "Kade 1", postalCode: "1234 AB"))
        #expect(d.representatives.first?.kind == .mentor)
        #expect(d.carePlans.first?.goals == ["Lopen", "", "Koken"])
        #expect(account.reconciles)
    }

    /// A correction names the report it corrects by source key; `prefix` makes that the record id.
    @Test func prefixTurnsSourceKeysIntoRecordReferences() throws {
        let meta = #""meta": {"category": "care", "provenance": "client", "legalBasis": "legalObligation"}"#
        let json = profileJSON(mappings: """
            [{"entity": "progressReports", "table": "rap", "key": "id", "clientKey": "nr", "recordId": {"prefix": "rap-"}, \(meta),
              "fields": {"text": "tekst"}},
             {"entity": "corrections", "table": "corr", "key": "id", "clientKey": "nr", "recordId": {"prefix": "corr-"}, \(meta),
              "fields": {"targetRecord": {"column": "rap_id", "prefix": "rap-"}, "kind": {"constant": "addition"},
                         "status": {"constant": "accepted"}, "text": "tekst"}}]
            """)
        let profile = try MappingProfile.decode(Array(json.utf8), file: "inline.json")
        let reader = LiteralRowReader(file: "p.csv", [
            (name: "clienten", columns: untypedColumns("nr", "achternaam"), rows: [[.text("1"), .text("Kok")]]),
            (name: "rap", columns: untypedColumns("id", "nr", "tekst"), rows: [[.text("5"), .text("1"), .text("Verslag.")]]),
            (name: "corr", columns: untypedColumns("id", "nr", "rap_id", "tekst"), rows: [[.text("9"), .text("1"), .text("5"), .text("Aanvulling.")]]),
        ])
        let (dossiers, account) = try exportDossiers(profile, [reader])
        #expect(dossiers.first?.corrections.first?.targetRecord == "rap-5")
        #expect(dossiers.first?.corrections.first?.kind == .addition)
        #expect(account.diagnostics.isEmpty)
        let misuse = profileLoadError(profileJSON(clientFields: #"{"name.familyName": "a", "dateOfBirth": {"column": "d", "prefix": "x"}}"#))
        #expect(misuse?.diagnostic.path == "$.client.fields['dateOfBirth'].prefix")
    }

    @Test func duplicateClientKeysAreRejected() throws {
        let reader = LiteralRowReader(file: "dup.xml", [
            (name: "/export/clienten/client", columns: untypedColumns("@id", "naam/achternaam"),
             rows: [[.text("a"), .text("Een")], [.text("a"), .text("Twee")], [.null, .text("Drie")]]),
        ])
        let (dossiers, account) = try exportDossiers(try fixtureProfile("xml-epd.json"), [reader], documents: RecordingResolver())
        #expect(dossiers.count == 1 && dossiers[0].client.name.familyName == "Een")
        #expect(account.table("/export/clienten/client").map { [$0.read, $0.mapped, $0.rejected] } == [3, 1, 2])
        #expect(account.diagnostics.listed.map(\.code).sorted() == ["row.duplicate-key", "value.missing"])
        #expect(account.reconciles)
    }

    @Test func profileCheckComparesTheProfileWithTheSource() throws {
        let profile = try fixtureProfile("caresys-postgres.json")
        var tables = careSys().tables
        tables["reports"]!.columns.removeAll { $0.name == "discipline" }
        tables["attachments"]!.columns = tables["attachments"]!.columns.map { $0.name == "content" ? SourceColumn(name: "content", type: "text") : $0 }
        tables["invoices"]!.columns = tables["invoices"]!.columns.map { $0.name == "invoice_date" ? SourceColumn(name: "invoice_date", type: "integer") : $0 }
        tables["clients"]!.columns.append(SourceColumn(name: "notes", type: "text"))
        // A CSV file without a header row has its first record taken for one: such names are data.
        tables["clients"]!.columns.append(SourceColumn(name: "j.jansen@example.nl", type: nil))
        tables["consents"] = nil
        let samples = [SourceRow(table: "clients", columns: ["id", "last_name", "birth_date", "gender"],
                                 values: [.number("5"), .text("Pieters"), .text("31-02-2024"), .text("?")], location: SourceLocation(file: "caresys.sql", line: 9))]
        let found = ProfileCheck.check(profile, tables: tables, samples: samples)
        func has(_ code: String, _ path: String?, _ severity: Diagnostic.Severity = .error) -> Bool {
            found.contains { $0.code == code && $0.path == path && $0.severity == severity }
        }
        #expect(has("profile.unknown-column", "$.mappings[1].fields['discipline']"))
        #expect(has("profile.type-mismatch", "$.mappings[4].document.blobColumn"))
        #expect(has("profile.type-mismatch", "$.mappings[2].fields['date']"))
        #expect(has("profile.unknown-table", "$.mappings[3].table"))
        #expect(has("profile.unknown-table", "$.ignore[1]", .warning))
        #expect(found.contains { $0.code == "profile.unused-column" && $0.message.contains("'notes'") && $0.severity == .warning })
        #expect(found.contains { $0.code == "table.unmapped" && $0.location?.table == "extra_table" })
        #expect(has("value.date", "dateOfBirth"))
        #expect(has("value.unmapped-code", "gender"))
        #expect(!found.contains { $0.message.contains("Pieters") || $0.message.contains("jansen") })
        #expect(found.contains { $0.code == "profile.unused-column" && $0.message.contains("'<a name of 19 bytes>'") })

        let clean = ProfileCheck.check(profile, tables: careSys().tables)
        #expect(clean.filter { $0.severity == .error }.isEmpty)
        let viaReader = try ProfileCheck.check(profile, readers: [careSys()], sampleRows: 10)
        #expect(viaReader.contains { $0.code == "value.date" && $0.location?.key == "2" })
    }
}
