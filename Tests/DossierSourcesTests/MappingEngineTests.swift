import Foundation
import Testing
import DossierModel
@testable import DossierSources

/// Stands in for the hashing module: records what the engine handed over and answers with
/// recognisable facts, so tests can see both directions of the protocol. Locked: the engine's
/// workers resolve from several threads.
final class RecordingResolver: DocumentResolver, @unchecked Sendable {
    private let lock = NSLock()
    private var contents: [String: DocumentContent] = [:]
    var seen: [String: DocumentContent] { lock.withLock { contents } }

    func resolve(_ content: DocumentContent, recordID: String, at location: SourceLocation) throws -> ResolvedDocument {
        lock.withLock { contents[recordID] = content }
        switch content {
        case .bytes(let b):
            return ResolvedDocument(size: b.count, sha256: String(repeating: "b", count: 64), path: "documents/\(recordID).bin")
        case .file(let p):
            guard !p.hasSuffix("missing.pdf") else { throw DossierError("io.open", "open failed", at: SourceLocation(file: p)) }
            return ResolvedDocument(size: p.utf8.count, sha256: String(repeating: "f", count: 64), path: "documents/\(recordID).pdf")
        }
    }
}

/// "CareSys": English table names, PostgreSQL-typed columns, reports reach their client through
/// the episodes link table. `reportsFirst` puts reports before episodes, forcing the deferred path.
func careSys(reportsFirst: Bool = false, moreConsents: [[SourceValue]] = []) -> LiteralRowReader {
    let clients: LiteralTable = (name: "clients", columns: [SourceColumn(name: "id", type: "integer"), SourceColumn(name: "client_no", type: "character varying(16)"),
                                              SourceColumn(name: "bsn", type: "character(9)"), SourceColumn(name: "initials", type: "text"),
                                              SourceColumn(name: "first_names", type: "text"), SourceColumn(name: "name_prefix", type: "text"),
                                              SourceColumn(name: "last_name", type: "text"), SourceColumn(name: "birth_date", type: "date"),
                                              SourceColumn(name: "gender", type: "character(1)"), SourceColumn(name: "street", type: "text"),
                                              SourceColumn(name: "house_no", type: "text"), SourceColumn(name: "postcode", type: "text"),
                                              SourceColumn(name: "city", type: "text"), SourceColumn(name: "phone", type: "text"),
                                              SourceColumn(name: "email", type: "text"), SourceColumn(name: "created_at", type: "timestamp without time zone")],
                   rows: [
                    [.number("1"), .text("C-0001"), .text("111222333"), .text("J.A."), .text("Jan Arie"), .text("van der"), .text("Berg"), .text("1980-05-17"), .text("M"),
                     .text("Dorpsstraat"), .text("12"), .text("1234ab"), .text("Utrecht"), .text("030-1234567"), .text("jan@example.nl"), .text("2024-03-31 01:30:00")],
                    [.number("2"), .text("C-0002"), .text("123456789"), .text("P."), .text("Petra"), .null, .text("Jansen"), .text("1975-02-30"), .text("Q"),
                     .null, .null, .null, .null, .null, .null, .text("2024-03-31 03:30:00")],
                    [.number("10"), .text("C-0010"), .null, .null, .null, .null, .text("Visser"), .null, .text("F"),
                     .null, .null, .null, .null, .null, .null, .null],
                   ])
    let episodes: LiteralTable = (name: "episodes", columns: untypedColumns("id", "client_id", "title", "start_date", "end_date"),
                    rows: [[.number("100"), .number("1"), .text("Begeleiding"), .text("2024-01-01"), .null],
                           [.number("101"), .number("2"), .text("Behandeling"), .text("2024-02-01"), .text("2024-06-30")],
                           [.number("102"), .number("2"), .text("Nazorg"), .text("2024-07-01"), .null],
                           [.number("103"), .number("99"), .text("Onbekend"), .text("2024-01-01"), .null]])
    let reports: LiteralTable = (name: "reports", columns: untypedColumns("id", "episode_id", "written_at", "author", "discipline", "body"),
                   rows: [[.number("1000"), .number("100"), .text("2024-10-27 01:30:00"), .text("dr. A"), .text("psychology"), .text("Gesprek gevoerd.")],
                          [.number("1001"), .number("101"), .text("2024-10-27 03:30:00"), .text("dr. B"), .null, .text("Intake afgerond.")],
                          [.number("1002"), .number("555"), .text("2024-01-01 09:00:00"), .text("dr. A"), .null, .text("Zwevend verslag.")],
                          [.number("1003"), .number("103"), .text("2024-01-01 09:00:00"), .text("dr. A"), .null, .text("Verslag zonder client.")],
                          [.number("1004"), .number("100"), .text("2024-13-01 00:00:00"), .text("dr. A"), .null, .text("Datum kapot.")]])
    let invoices: LiteralTable = (name: "invoices", columns: untypedColumns("id", "client_id", "invoice_no", "invoice_date", "amount"),
                    rows: [[.number("5000"), .number("1"), .text("F-1"), .text("2024-02-01"), .number("1234.50")],
                           [.number("5001"), .number("1"), .text("F-2"), .text("2024-03-01"), .number("99.999")],
                           [.number("5000"), .number("1"), .text("F-1b"), .text("2024-02-01"), .number("1.00")]])
    let consents: LiteralTable = (name: "consents", columns: untypedColumns("id", "client_id", "purpose", "status", "given_on", "withdrawn_on"),
                    rows: [[.number("1"), .number("1"), .text("GP"), .text("Y"), .text("2024-01-02"), .null],
                           [.number("2"), .number("2"), .text("XX"), .text("Y"), .text("2024-01-02"), .null],
                           [.number("3"), .number("1"), .text("PHARM"), .text("W"), .text("2024-01-01"), .text("2024-02-01")]] + moreConsents)
    let attachments: LiteralTable = (name: "attachments", columns: untypedColumns("id", "client_id", "title", "mime", "file_name", "content"),
                       rows: [[.number("7"), .number("1"), .text("Verwijsbrief"), .text("application/pdf"), .text("brief.pdf"), .bytes([1, 2, 3])]])
    let audit: LiteralTable = (name: "audit_log", columns: untypedColumns("id", "what"), rows: [[.number("1"), .text("x")], [.number("2"), .text("y")]])
    let extra: LiteralTable = (name: "extra_table", columns: untypedColumns("id"), rows: [[.number("1")]])
    let middle = reportsFirst ? [reports, episodes] : [episodes, reports]
    return LiteralRowReader(file: "caresys.sql", [clients] + middle + [invoices, consents, attachments, audit, extra])
}

@Suite struct MappingEngineTests {
    @Test func careSysFieldByField() throws {
        let (dossiers, account) = try exportDossiers(try fixtureProfile("caresys-postgres.json"), [careSys()],
                                             options: ExportOptions(bucketCount: 1), documents: RecordingResolver())
        #expect(dossiers.map(\.id) == ["caresys-client-1", "caresys-client-2", "caresys-client-10"])
        let d = dossiers[0]
        #expect(d.sourceSystem == "CareSys")
        #expect(d.controller.kvkNumber == "12345678")
        let c = d.client
        #expect(c.id == "client-1")
        #expect(c.clientNumber == "C-0001")
        #expect(c.bsn?.digits == "111222333")
        #expect(c.name == PersonName(initials: "J.A.", givenNames: "Jan Arie", prefix: "van der", familyName: "Berg"))
        #expect(c.dateOfBirth == LocalDate(year: 1980, month: 5, day: 17))
        #expect(c.gender == .male)
        #expect(c.addresses == [Address(use: .home, street: "Dorpsstraat", houseNumber: "12", postalCode: "1234 AB", city: "Utrecht")])
        #expect(c.contacts == [ContactPoint(system: .phone, value: "030-1234567"), ContactPoint(system: .email, value: "jan@example.nl")])
        #expect(c.meta.category == .personal && c.meta.provenance == .client && c.meta.legalBasis == .contract)
        #expect(c.meta.source == SourceLocation(file: "caresys.sql", line: 1, table: "clients", key: "1"))
        // Winter time before the spring-forward switch of 31 March 2024 (02:00 CET → 03:00 CEST).
        #expect(c.meta.createdAt?.description == "2024-03-31T01:30:00+01:00")
        #expect(dossiers[1].client.meta.createdAt?.description == "2024-03-31T03:30:00+02:00")

        #expect(d.carePlans.map(\.id) == ["episode-100"])
        #expect(d.carePlans[0].title == "Begeleiding" && d.carePlans[0].startDate == LocalDate(year: 2024, month: 1, day: 1))
        #expect(d.progressReports.map(\.id) == ["report-1000", "report-1004"])
        // Summer time before the fall-back switch of 27 October 2024 (03:00 CEST → 02:00 CET).
        #expect(d.progressReports[0].recordedAt?.description == "2024-10-27T01:30:00+02:00")
        #expect(d.progressReports[0].text == "Gesprek gevoerd.")
        #expect(d.progressReports[0].discipline == "psychology")
        #expect(d.progressReports[0].meta.author == "dr. A")
        #expect(d.progressReports[1].recordedAt == nil)
        #expect(dossiers[1].progressReports.map(\.id) == ["report-1001"])
        #expect(dossiers[1].progressReports[0].recordedAt?.description == "2024-10-27T03:30:00+01:00")

        #expect(d.financialRecords.map(\.id) == ["invoice-5000", "invoice-5001"])
        #expect(d.financialRecords[0].amount == Amount(cents: 123_450))
        #expect(d.financialRecords[0].kind == .invoice)
        #expect(d.financialRecords[1].amount == nil)
        #expect(d.consents.map(\.purpose) == [.shareWithGeneralPractitioner, .shareWithPharmacy])
        #expect(d.consents[1].status == .withdrawn && d.consents[1].withdrawnOn == LocalDate(year: 2024, month: 2, day: 1))
        #expect(d.documents.count == 1)
        #expect(d.documents[0].size == 3 && d.documents[0].path == "documents/doc-7.bin" && d.documents[0].fileName == "brief.pdf")
        #expect(DossierValidator.validate(d).isEmpty)

        let c2 = dossiers[1].client
        #expect(c2.dateOfBirth == nil && c2.gender == nil)
        #expect(c2.contacts.isEmpty && c2.addresses.isEmpty)
        #expect(account.dossiers == 3)
    }

    /// A value one rule alone reads is moved out of the row into the record; a column two rules
    /// read (or a rule and the document) must reach both, and the key column a field reads must
    /// still key the record.
    @Test func aColumnReadTwiceReachesEveryReader() throws {
        let path = profileFixtureRoot.appendingPathComponent("fixtures/profiles/caresys-postgres.json").path
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var mappings = json["mappings"] as! [[String: Any]]
        for i in mappings.indices {
            var fields = mappings[i]["fields"] as! [String: Any]
            switch mappings[i]["table"] as? String {
            case "invoices": fields["description"] = "invoice_no"  // beside "number"
            case "reports": fields["meta.author"] = "id"           // the key column, also a field
            case "attachments": mappings[i]["document"] = ["pathColumn": "file_name"]  // beside "fileName"
            default: break
            }
            mappings[i]["fields"] = fields
        }
        json["mappings"] = mappings
        let profile = try MappingProfile.decode(Array(try JSONSerialization.data(withJSONObject: json)), file: "twice.json")
        let resolver = RecordingResolver()
        let (dossiers, account) = try exportDossiers(profile, [careSys()], options: ExportOptions(bucketCount: 1), documents: resolver)
        let d = try #require(dossiers.first)
        #expect(d.financialRecords.map(\.number) == ["F-1", "F-2"])
        #expect(d.financialRecords.map(\.description) == ["F-1", "F-2"])
        #expect(d.progressReports.map(\.id) == ["report-1000", "report-1004"])
        #expect(d.progressReports.map(\.meta.author) == ["1000", "1004"])
        #expect(d.progressReports.map(\.meta.source?.key) == ["1000", "1004"])
        #expect(d.documents.map(\.fileName) == ["brief.pdf"])
        guard case .file(let p)? = resolver.seen["doc-7"] else { Issue.record("doc-7 did not reach the resolver as a file"); return }
        #expect(p == "brief.pdf")
        #expect(account.reconciles)
    }

    @Test func careSysAccountReconciles() throws {
        let (_, account) = try exportDossiers(try fixtureProfile("caresys-postgres.json"), [careSys()], documents: RecordingResolver())
        #expect(account.reconciles)
        func counts(_ table: String) -> [Int] {
            let a = account.table(table)!
            return [a.read, a.mapped, a.rejected, a.filtered, a.notMapped]
        }
        #expect(counts("clients") == [3, 3, 0, 0, 0])
        #expect(counts("episodes") == [4, 3, 1, 0, 0])
        #expect(counts("reports") == [5, 3, 2, 0, 0])
        #expect(counts("invoices") == [3, 2, 1, 0, 0])
        #expect(counts("consents") == [3, 2, 1, 0, 0])
        #expect(counts("attachments") == [1, 1, 0, 0, 0])
        #expect(counts("audit_log") == [2, 0, 0, 0, 2] && account.table("audit_log")?.disposition == .ignored)
        #expect(counts("extra_table") == [1, 0, 0, 0, 1] && account.table("extra_table")?.disposition == .unmapped)
        #expect(account.entity(.progressReports).map { [$0.read, $0.mapped, $0.rejected, $0.records] } == [5, 3, 2, 3])

        let codes = account.diagnostics.listed.map(\.code)
        #expect(codes.filter { $0 == "row.orphan" }.count == 3)
        #expect(codes.contains("row.duplicate-key"))
        #expect(codes.filter { $0 == "value.date" }.count == 2)
        #expect(codes.filter { $0 == "value.unmapped-code" }.count == 2)
        #expect(codes.contains("value.number"))
        #expect(codes.contains("bsn.elfproef"))
        #expect(codes.contains("table.unmapped"))
        #expect(account.validationErrors == 1)
        let orphan = account.diagnostics.listed.first { $0.code == "row.orphan" && $0.location?.table == "reports" }
        #expect(orphan?.location?.key == "1002" && orphan?.location?.file == "caresys.sql")
        #expect(account.diagnostics.listed.first { $0.code == "bsn.elfproef" }?.location?.key == "2")
        // Messages name tables, columns, keys and record ids, never the values themselves.
        for d in account.diagnostics.listed {
            for secret in ["Berg", "Jansen", "111222333", "123456789", "Q", "1975-02-30", "99.999", "XX", "Gesprek"] {
                #expect(!d.message.contains(secret), "\(d.code) leaks a value")
            }
        }
    }

    /// The validator's findings about a record other than the client are placed at that record's
    /// own row: file, line, table and key.
    @Test func recordFindingsCarryTheirRowsLocation() throws {
        // Withdrawn without a withdrawal date: mapped, then found wrong by the validator.
        let reader = careSys(moreConsents: [[.number("4"), .number("1"), .text("GP"), .text("W"), .text("2024-01-03"), .null]])
        let (_, account) = try exportDossiers(try fixtureProfile("caresys-postgres.json"), [reader], documents: RecordingResolver())
        let finding = account.diagnostics.listed.first { $0.code == "consent.withdrawal" }
        #expect(finding?.recordID == "consent-4")
        // The literal reader numbers rows through all tables: this is its 19th.
        #expect(finding?.location == SourceLocation(file: "caresys.sql", line: 19, table: "consents", key: "4"))
        #expect(account.validationErrors == 2)
    }

    /// Reports before episodes go to the deferred spill; several buckets split the clients. The
    /// dossiers must be the same as on the direct path, records in input order.
    @Test func deferredRowsAndManyBucketsGiveTheSameDossiers() throws {
        let profile = try fixtureProfile("caresys-postgres.json")
        let direct = try exportDossiers(profile, [careSys()], options: ExportOptions(bucketCount: 1), documents: RecordingResolver())
        let spilled = try exportDossiers(profile, [careSys(reportsFirst: true)], options: ExportOptions(bucketCount: 3), documents: RecordingResolver())
        // Line numbers differ with the table order; ids per section, in order, must not.
        func ids(_ ds: [Dossier]) -> [String: [String]] {
            Dictionary(uniqueKeysWithValues: ds.map { ($0.id, $0.allRecords.map { "\($0.entity.rawValue)/\($0.record.id)" }) })
        }
        #expect(ids(direct.dossiers) == ids(spilled.dossiers))
        #expect(direct.dossiers.map(\.progressReports.count) == [2, 1, 0])
        #expect(spilled.dossiers.count == 3)
        #expect(spilled.account.reconciles)
        #expect(spilled.account.table("reports") == direct.account.table("reports"))
        let again = try exportDossiers(profile, [careSys(reportsFirst: true)], options: ExportOptions(bucketCount: 3), documents: RecordingResolver())
        #expect(again.dossiers == spilled.dossiers)
        #expect(again.account == spilled.account)
    }

    @Test func singleClientFilter() throws {
        let (dossiers, account) = try exportDossiers(try fixtureProfile("caresys-postgres.json"), [careSys(reportsFirst: true)],
                                             options: ExportOptions(clientKey: "2", bucketCount: 4), documents: RecordingResolver())
        #expect(dossiers.map(\.client.id) == ["client-2"])
        #expect(dossiers[0].progressReports.map(\.id) == ["report-1001"])
        #expect(dossiers[0].carePlans.map(\.id) == ["episode-101", "episode-102"])
        #expect(account.reconciles)
        #expect(account.table("clients").map { [$0.read, $0.mapped, $0.filtered] } == [3, 1, 2])
        // 1002 names no episode at all: still an orphan; 1003 belongs to client 99: filtered.
        #expect(account.table("reports").map { [$0.mapped, $0.rejected, $0.filtered] } == [1, 1, 3])
    }

    /// Spill files hold health data: they live in a private folder that is gone after the run,
    /// whether it succeeded or failed.
    @Test func spillFolderIsRemoved() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("spill-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let profile = try fixtureProfile("caresys-postgres.json")
        var sawPrivateFolder = false
        _ = try DossierAssembler(profile: profile, options: ExportOptions(spillDirectory: parent, bucketCount: 2), documents: RecordingResolver())
            .run([careSys(reportsFirst: true)]) { _, _ in
                let folders = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
                let mode = folders.first.flatMap { try? FileManager.default.attributesOfItem(atPath: parent + "/" + $0)[.posixPermissions] as? Int }
                sawPrivateFolder = folders.count == 1 && mode == 0o700
            }
        #expect(sawPrivateFolder)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).isEmpty)
        #expect(throws: DossierError.self) {
            _ = try DossierAssembler(profile: profile, options: ExportOptions(spillDirectory: parent), documents: RecordingResolver())
                .run([careSys()]) { _, _ in throw DossierError("test.stop", "stop") }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).isEmpty)
    }

    /// A link table split in two runs cannot be trusted as complete when the first run ends.
    @Test func splitLinkTableIsRefused() throws {
        let reader = LiteralRowReader(file: "split.sql", [
            (name: "clients", columns: untypedColumns("id", "last_name"), rows: [[.number("1"), .text("A")]]),
            (name: "episodes", columns: untypedColumns("id", "client_id", "title", "start_date", "end_date"), rows: [[.number("1"), .number("1"), .text("x"), .null, .null]]),
            (name: "invoices", columns: untypedColumns("id", "client_id"), rows: [[.number("1"), .number("1")]]),
            (name: "episodes", columns: untypedColumns("id", "client_id", "title", "start_date", "end_date"), rows: [[.number("2"), .number("1"), .text("y"), .null, .null]]),
        ])
        #expect(throws: DossierError.self) { _ = try exportDossiers(try fixtureProfile("caresys-postgres.json"), [reader], documents: RecordingResolver()) }
    }

    @Test func missingResolverIsRefusedUpFront() throws {
        #expect(throws: DossierError.self) {
            _ = try DossierAssembler(profile: try fixtureProfile("caresys-postgres.json"))
        }
    }
}
