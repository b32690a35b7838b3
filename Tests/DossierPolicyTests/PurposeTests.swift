import Foundation
import Testing
import DossierModel
@testable import DossierPolicy

/// The fixture organisation, found from this file so tests run from any working directory.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures")

    static var dossierFiles: [URL] {
        let dir = root.appendingPathComponent("dossiers")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { dir.appendingPathComponent($0) }
    }

    static func dossier(_ url: URL) throws -> Dossier {
        try JSONDecoder().decode(Dossier.self, from: Data(contentsOf: url))
    }

    static func organisation() throws -> Organisation {
        try JSONDecoder().decode(Organisation.self, from: Data(contentsOf: root.appendingPathComponent("organisation.json")))
    }
}

/// The export date all purpose tests use, so that "past retention" is stable.
let today = LocalDate(iso: "2026-11-22")!

/// The matrix of formats/purposes.md, written out independently of `PurposePolicy.decide` so that
/// a change to one without the other fails here.
func expected(_ e: Entity, _ r: any DossierRecord, _ p: ExportPurpose) -> String {
    let m = r.meta
    if e != .client, let u = m.retentionUntil, u < today { return "excluded" }
    if e == .workNotes { return "excluded" }
    if p == .portability && e != .client && (m.provenance != .client || !(m.legalBasis == .consent || m.legalBasis == .contract)) {
        return "excluded"
    }
    if m.containsThirdPartyData && p != .transfer { return "redacted" }
    return "included"
}

@Suite struct PurposeTests {
    @Test func fixturesExist() {
        #expect(Fixtures.dossierFiles.count >= 5)
    }

    @Test(arguments: ExportPurpose.allCases)
    func everyFixtureRecordFollowsTheMatrix(_ purpose: ExportPurpose) throws {
        var sawExcluded = false, sawRedacted = false
        for file in Fixtures.dossierFiles {
            let original = try Fixtures.dossier(file)
            let scoped = PurposePolicy.apply(purpose, to: original, today: today)
            if purpose == .transfer, original.objections.contains(where: { $0.scope == .transfer && $0.upheld }) {
                #expect(scoped.dossier == nil, "\(file.lastPathComponent): objected client must stay out of a transfer")
                continue
            }
            let result = try #require(scoped.dossier)
            let out = Dictionary(uniqueKeysWithValues: result.allRecords.map { ($0.record.id, $0.record) })
            let cutTargets = Set(scoped.notes.filter { $0.action == .excluded }.map(\.recordID))
            for (entity, record) in original.allRecords {
                let want = expected(entity, record, purpose)
                if entity == .corrections, let c = record as? Correction, cutTargets.contains(c.targetRecord), want != "excluded" {
                    #expect(out[record.id] == nil, "correction \(record.id) of a cut record must go with it")
                    continue
                }
                switch want {
                case "excluded":
                    sawExcluded = true
                    #expect(out[record.id] == nil, "\(purpose) \(entity) \(record.id) should be excluded")
                    #expect(scoped.notes.contains { $0.recordID == record.id && $0.action == .excluded })
                case "redacted":
                    sawRedacted = true
                    let got = try #require(out[record.id], "\(purpose) \(entity) \(record.id) should be present, redacted")
                    #expect(String(describing: got).contains(PurposePolicy.placeholder) || entity == .documents)
                    #expect(scoped.notes.contains { $0.recordID == record.id && $0.action == .redacted })
                default:
                    #expect(out[record.id] != nil, "\(purpose) \(entity) \(record.id) should be included")
                }
            }
            #expect(result.workNotes.isEmpty)
            #expect(DossierValidator.validate(result).filter { $0.severity == .error }.isEmpty,
                    "\(file.lastPathComponent) no longer validates after scoping for \(purpose)")
            if purpose == .portability {
                #expect(result.allRecords.allSatisfy { $0.entity == .client || $0.record.meta.provenance == .client })
            }
        }
        #expect(sawExcluded, "the fixtures should exercise exclusion for \(purpose)")
        if purpose == .access { #expect(sawRedacted, "the fixtures should exercise redaction for \(purpose)") }
    }

    @Test func redactedDocumentsLeaveTheirBytesBehind() {
        var doc = Document(id: "d1", meta: RecordMeta(category: .care, provenance: .thirdParty, legalBasis: .legalObligation,
                                                      containsThirdPartyData: true))
        doc.path = "documents/d1.pdf"
        let r = Redaction.redacted(doc, with: PurposePolicy.placeholder)
        #expect(r.path == nil && r.title == PurposePolicy.placeholder && r.id == "d1")
    }
}

@Suite struct RetentionTests {
    func meta(_ c: RecordCategory, _ created: String) -> RecordMeta {
        RecordMeta(category: c, provenance: .professional, legalBasis: .legalObligation,
                   createdAt: Timestamp(rfc3339: created + "T10:00:00+01:00"))
    }

    @Test func termsFollowTheOrganisationPolicy() throws {
        let org = try Fixtures.organisation()
        let controller = org.controller
        var d = Dossier(id: "x", controller: controller,
                        client: Client(id: "c", clientNumber: "1", name: PersonName(familyName: "Test"), meta: meta(.personal, "2024-02-29")))
        var report = ProgressReport(id: "r", meta: meta(.care, "2024-02-29"))
        report.text = "t"
        d.progressReports = [report]
        d.financialRecords = [FinancialRecord(id: "f", kind: .invoice, meta: meta(.financial, "2024-03-01"))]
        var plain = MedicationAdministration(id: "m1", status: .given, meta: meta(.care, "2024-03-02"))
        plain.administeredAt = Timestamp(rfc3339: "2024-03-02T08:00:00+01:00")
        var afterIncident = MedicationAdministration(id: "m2", status: .given, meta: meta(.care, "2024-03-03"))
        afterIncident.administeredAt = Timestamp(rfc3339: "2024-03-03T08:00:00+01:00")
        d.medicationAdministrations = [plain, afterIncident]
        var incident = Incident(id: "i", meta: meta(.care, "2024-03-03"))
        incident.occurredAt = Timestamp(rfc3339: "2024-03-03T09:00:00+01:00")
        d.incidents = [incident]
        var kept = Diagnosis(id: "g", meta: meta(.care, "2024-01-01"))
        kept.meta.retentionUntil = LocalDate(iso: "2099-01-01")
        d.diagnoses = [kept]
        var undated = Appointment(id: "a", status: .planned, meta: meta(.care, "2024-01-01"))
        undated.meta.createdAt = nil
        d.appointments = [undated]

        var log = DiagnosticLog()
        org.retention.fillRetention(in: &d, log: &log)
        #expect(d.progressReports[0].meta.retentionUntil == LocalDate(iso: "2044-02-29"))
        #expect(d.client.meta.retentionUntil == LocalDate(iso: "2044-02-29"))
        #expect(d.financialRecords[0].meta.retentionUntil == LocalDate(iso: "2031-03-01"))
        #expect(d.medicationAdministrations[0].meta.retentionUntil == LocalDate(iso: "2026-03-02"))
        #expect(d.medicationAdministrations[1].meta.retentionUntil == LocalDate(iso: "2039-03-03"))
        #expect(d.diagnoses[0].meta.retentionUntil == LocalDate(iso: "2099-01-01"), "a source's own date wins")
        #expect(log.listed.map(\.recordID) == ["a"] && log.counts["retention.undated"] == 1)

        // Located at the dossier's origin; past the log's limit, counted and not listed.
        var located = DiagnosticLog(), full = DiagnosticLog(limit: 0)
        org.retention.fillRetention(in: &d, log: &located, origin: SourceLocation(file: "epd.sql", line: 3))
        org.retention.fillRetention(in: &d, log: &full)
        #expect(located.listed.map(\.location?.line) == [3])
        #expect(full.listed.isEmpty && full.warnings == 1 && full.counts["retention.undated"] == 1)
    }

    @Test func leapDayPlusOneYearFallsOnTheLastOfFebruary() {
        #expect(RetentionTerm(years: 1).end(from: LocalDate(iso: "2024-02-29")!) == LocalDate(iso: "2025-02-28"))
        #expect(RetentionTerm(months: 3).end(from: LocalDate(iso: "2024-11-30")!) == LocalDate(iso: "2025-02-28"))
    }
}
