import DossierModel
import Testing

/// A dossier with every section and every optional field filled, and text that exercises escaping:
/// diacritics, emoji, quotes, backslashes, every C0 control, `/`, and a character outside the BMP.
enum Sample {
    static func date(_ y: Int, _ m: Int, _ d: Int) -> LocalDate { LocalDate(year: y, month: m, day: d)! }

    static func time(_ y: Int, _ m: Int, _ d: Int, _ h: Int, _ mi: Int, nanos: Int = 0, offset: Int = 60) -> Timestamp {
        Timestamp(date: date(y, m, d), hour: h, minute: mi, second: 0, nanosecond: nanos, offsetMinutes: offset)!
    }

    static func meta(_ category: RecordCategory = .care, _ provenance: Provenance = .professional,
                     restricted: Bool = false, source: DossierModel.SourceLocation? = nil) -> RecordMeta {
        RecordMeta(category: category, provenance: provenance, legalBasis: .legalObligation,
                   createdAt: time(2024, 3, 1, 9, 30), author: "Zoë de Wit-Ündsø", retentionUntil: date(2044, 3, 1),
                   restricted: restricted, containsThirdPartyData: restricted, source: source)
    }

    /// Every C0 control character, to check each escape form.
    static let controls = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)

    static func dossier() -> Dossier {
        var client = Client(id: "c-1", clientNumber: "K-0001",
                            name: PersonName(initials: "Z.", givenNames: "Zoë Anne", callName: "Zoë", prefix: "van der",
                                             familyName: "Berg", partnerPrefix: "de", partnerFamilyName: "Cliënt"),
                            meta: meta(.personal, .client,
                                       source: DossierModel.SourceLocation(file: "clients.csv", line: 2, column: 1, table: "client", key: "1", entry: "export/clients.csv")))
        client.bsn = BSN("111222333")
        client.dateOfBirth = date(1988, 2, 29)
        client.placeOfBirth = "Zaandam"
        client.gender = .female
        client.civilStatus = .registeredPartnership
        client.nationality = "NL"
        client.livingSituation = "woont zelfstandig"
        client.addresses = [
            Address(use: .home, street: "Oude Gracht", houseNumber: "12", houseNumberAddition: "bis", postalCode: "3511 AB",
                    city: "Utrecht", country: "NL", validFrom: date(2010, 1, 1), validUntil: date(2030, 12, 31)),
            Address(use: .postal, postalCode: "B-1000", city: "Brussel", country: "BE"),
        ]
        client.contacts = [ContactPoint(system: .email, value: "zoe@example.nl", use: "privé"),
                           ContactPoint(system: .mobile, value: "+31 6 12345678")]

        let controller = Controller(name: "Zorggroep \"De Linde\" B.V.", kvkNumber: "12345678", agbCode: "73730001",
                                    uraNumber: "90000001", dpo: ContactPerson(name: "F. G. Jansen", email: "fg@delinde.example", phone: "030-1234567"),
                                    address: Address(street: "Lindelaan", houseNumber: "1", postalCode: "1234 AB", city: "Amersfoort"))
        var d = Dossier(id: "d-1", controller: controller, client: client, sourceSystem: "Ons/Nedap export")

        var rep = Representative(id: "r-1", kind: .curator, name: PersonName(familyName: "Jansen"), meta: meta(.administrative))
        rep.relationship = "curator"
        rep.hasLegalAuthority = true
        rep.validFrom = date(2020, 1, 1)
        rep.validUntil = date(2025, 1, 1)
        rep.address = Address(city: "Gent", country: "BE")
        rep.contacts = [ContactPoint(system: .phone, value: "+32 9 123 45 67")]
        rep.documentRef = "doc-1"
        d.representatives = [rep]

        var ref = Referral(id: "ref-1", referrerType: .municipality, meta: meta(.administrative))
        ref.referrerName = "Gemeente 's-Hertogenbosch"
        ref.referrerCode = "01234567"
        ref.framework = .wmo
        ref.decisionNumber = "WMO/2024/001"
        ref.productCode = "02A01"
        ref.productDescription = "Begeleiding individueel"
        ref.validFrom = date(2024, 1, 1)
        ref.validUntil = date(2024, 12, 31)
        d.referrals = [ref]

        var ins = Insurance(id: "ins-1", framework: .zvw, meta: meta(.financial))
        ins.insurerName = "Zilveren Kruis"
        ins.insurerCode = "3311"
        ins.policyNumber = "P-42"
        ins.validFrom = date(2024, 1, 1)
        ins.validUntil = date(2024, 12, 31)
        d.insurances = [ins]

        var consent = Consent(id: "con-1", purpose: .shareWithGeneralPractitioner, status: .withdrawn, givenBy: "r-1", meta: meta(.administrative, .client))
        consent.recipient = "Huisartsenpraktijk Zuid"
        consent.givenOn = date(2023, 5, 1)
        consent.withdrawnOn = date(2024, 5, 1)
        d.consents = [consent]

        var objection = Objection(id: "obj-1", scope: .transfer, meta: meta(.administrative, .client))
        objection.madeOn = date(2024, 6, 1)
        objection.upheld = false
        d.objections = [objection]

        d.progressReports = (0..<3).map { i in
            var r = ProgressReport(id: "pr-\(i)", meta: meta(restricted: i == 1))
            r.recordedAt = time(2024, 3, 1 + i, 14, 5, nanos: i == 2 ? 120_000_000 : 0, offset: i == 0 ? 0 : -150)
            r.discipline = "verpleging"
            r.text = "Cliënt zegt: \"Ik voel me goed\" 😀 \\ pad C:\\temp / einde\n\tregel 2\r\n" + (i == 0 ? controls : "") + "𝄞 ĳ ß"
            return r
        }

        var plan = CarePlan(id: "cp-1", meta: meta())
        plan.title = "Zorgplan 2024"
        plan.startDate = date(2024, 1, 1)
        plan.endDate = date(2024, 12, 31)
        plan.goals = ["Zelfstandig koken", "Dagritme \"vasthouden\"", ""]
        plan.text = "Afspraken met cliënt en curator."
        plan.agreedOn = date(2024, 1, 15)
        d.carePlans = [plan]

        var dx = Diagnosis(id: "dx-1", meta: meta())
        dx.system = "ICD-10"
        dx.code = "F32.1"
        dx.description = "Matige depressieve episode"
        dx.diagnosedOn = date(2023, 11, 2)
        dx.resolvedOn = date(2024, 11, 2)
        d.diagnoses = [dx]

        var med = MedicationAdministration(id: "med-1", status: .given, meta: meta())
        med.medication = "Paracetamol 500 mg"
        med.dose = "2 tabletten"
        med.route = "oraal"
        med.scheduledAt = time(2024, 3, 1, 8, 0)
        med.administeredAt = time(2024, 3, 1, 8, 7)
        med.note = "met water"
        d.medicationAdministrations = [med]

        var inc = Incident(id: "inc-1", meta: meta())
        inc.occurredAt = time(2024, 3, 2, 22, 15)
        inc.type = "fall"
        inc.description = "Gevallen in badkamer"
        inc.injury = "schaafwond"
        inc.measures = "antislipmat"
        d.incidents = [inc]

        var rm = RestrictiveMeasure(id: "rm-1", meta: meta())
        rm.type = "insluiten"
        rm.startedAt = time(2024, 3, 3, 10, 0)
        rm.durationMinutes = 45
        rm.reason = "ernstig nadeel"
        rm.responsiblePerson = "Wzd-arts"
        rm.location = "eigen kamer"
        rm.legalFramework = "Wzd"
        d.restrictiveMeasures = [rm]

        var dv = DomesticViolenceReport(id: "dv-1", meta: meta(restricted: true))
        dv.date = date(2024, 4, 1)
        dv.step = 3
        dv.text = "Gesprek gevoerd"
        dv.reportedToVeiligThuis = true
        d.domesticViolenceReports = [dv]

        var wn = WorkNote(id: "wn-1", meta: meta())
        wn.recordedAt = time(2024, 4, 2, 11, 0)
        wn.text = "eigen aantekening"
        d.workNotes = [wn]

        var fin = FinancialRecord(id: "fin-1", kind: .invoice, meta: meta(.financial, .system))
        fin.number = "F2024-001"
        fin.date = date(2024, 4, 30)
        fin.periodStart = date(2024, 4, 1)
        fin.periodEnd = date(2024, 4, 30)
        fin.amount = Amount(cents: -123_456)
        fin.status = "betaald"
        fin.description = "Begeleiding april"
        d.financialRecords = [fin]

        var ap = Appointment(id: "ap-1", status: .noShow, meta: meta())
        ap.start = time(2024, 5, 1, 9, 0)
        ap.end = time(2024, 5, 1, 10, 0)
        ap.kind = "huisbezoek"
        ap.professional = "J. Bakker"
        ap.location = "thuis"
        d.appointments = [ap]

        var doc = Document(id: "doc-1", meta: meta(.administrative))
        doc.title = "Beschikking curatele"
        doc.kind = "court-decision"
        doc.mediaType = "application/pdf"
        doc.fileName = "beschikking.pdf"
        doc.size = 12_345
        doc.sha256 = String(repeating: "ab", count: 32)
        doc.path = "documents/doc-1.pdf"
        doc.documentDate = date(2020, 1, 1)
        d.documents = [doc]

        var cor = Correction(id: "cor-1", targetRecord: "pr-0", kind: .addition, status: .accepted, meta: meta(.administrative, .client))
        cor.field = "text"
        cor.requestedOn = date(2024, 6, 1)
        cor.text = "Aanvulling van cliënt"
        cor.decidedOn = date(2024, 6, 15)
        d.corrections = [cor]

        var res = Restriction(id: "res-1", meta: meta(.administrative, .client))
        res.targetRecords = ["pr-1", "dv-1"]
        res.requestedOn = date(2024, 7, 1)
        res.until = date(2025, 7, 1)
        res.reason = "bezwaar lopend"
        res.active = true
        d.restrictions = [res]

        var log = AccessLogEntry(id: "log-1", at: time(2024, 7, 2, 12, 0, nanos: 5), user: "u123", action: .import, meta: meta(.log, .system))
        log.role = "verpleegkundige"
        log.responsibleUser = "u001"
        log.organisation = "De Linde"
        log.recordRef = "pr-0"
        log.accessPoint = "10.0.0.7"
        log.emergency = true
        d.accessLog = [log]
        return d
    }

    /// The smallest valid dossier: every array empty, every optional absent.
    static func minimal() -> Dossier {
        Dossier(id: "d-0",
                controller: Controller(name: "Zorg B.V.", kvkNumber: "87654321", dpo: ContactPerson()),
                client: Client(id: "c-0", clientNumber: "1", name: PersonName(familyName: "Smit"),
                               meta: RecordMeta(category: .personal, provenance: .client, legalBasis: .contract)))
    }
}

@Test func sampleFillsEverySectionAndIsValid() {
    let d = Sample.dossier()
    for entity in Entity.allCases {
        #expect(!d.records(entity).isEmpty, "section \(entity.rawValue) is empty")
    }
    #expect(DossierValidator.validate(d).filter { $0.severity == .error } == [])
}
