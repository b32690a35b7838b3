import DossierModel

// The member lists of the model's types for the direct JSON path (see `JSONObject`): one line per
// stored property, in declaration order, exactly what synthesized `Codable` encodes. Kept
// mechanical on purpose; `JSONDirectTests` checks each list against the type's stored properties
// and the output against the `Codable` path.

extension Dossier: JSONObject {
    static var blank: Dossier { Dossier(id: "", controller: .blank, client: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Dossier) throws {
        try v("schemaVersion", &x.schemaVersion); try v("id", &x.id); try v("controller", &x.controller)
        try v("sourceSystem", &x.sourceSystem); try v("client", &x.client)
        try v("representatives", &x.representatives); try v("referrals", &x.referrals)
        try v("insurances", &x.insurances); try v("consents", &x.consents); try v("objections", &x.objections)
        try v("progressReports", &x.progressReports); try v("carePlans", &x.carePlans)
        try v("diagnoses", &x.diagnoses); try v("medicationAdministrations", &x.medicationAdministrations)
        try v("incidents", &x.incidents); try v("restrictiveMeasures", &x.restrictiveMeasures)
        try v("domesticViolenceReports", &x.domesticViolenceReports); try v("workNotes", &x.workNotes)
        try v("financialRecords", &x.financialRecords); try v("appointments", &x.appointments)
        try v("documents", &x.documents); try v("corrections", &x.corrections)
        try v("restrictions", &x.restrictions); try v("accessLog", &x.accessLog)
    }
}

extension Controller: JSONObject {
    static var blank: Controller { Controller(name: "", kvkNumber: "", dpo: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Controller) throws {
        try v("name", &x.name); try v("kvkNumber", &x.kvkNumber); try v("agbCode", &x.agbCode)
        try v("uraNumber", &x.uraNumber); try v("dpo", &x.dpo); try v("address", &x.address)
    }
}

extension ContactPerson: JSONObject {
    static var blank: ContactPerson { ContactPerson() }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout ContactPerson) throws {
        try v("name", &x.name); try v("email", &x.email); try v("phone", &x.phone)
    }
}

extension Address: JSONObject {
    static var blank: Address { Address() }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Address) throws {
        try v("use", &x.use); try v("street", &x.street); try v("houseNumber", &x.houseNumber)
        try v("houseNumberAddition", &x.houseNumberAddition); try v("postalCode", &x.postalCode)
        try v("city", &x.city); try v("country", &x.country); try v("validFrom", &x.validFrom)
        try v("validUntil", &x.validUntil)
    }
}

extension Client: JSONObject {
    static var blank: Client { Client(id: "", clientNumber: "", name: .blank, meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Client) throws {
        try v("id", &x.id); try v("clientNumber", &x.clientNumber); try v("bsn", &x.bsn); try v("name", &x.name)
        try v("dateOfBirth", &x.dateOfBirth); try v("placeOfBirth", &x.placeOfBirth); try v("gender", &x.gender)
        try v("civilStatus", &x.civilStatus); try v("nationality", &x.nationality)
        try v("livingSituation", &x.livingSituation); try v("addresses", &x.addresses)
        try v("contacts", &x.contacts); try v("meta", &x.meta)
    }
}

extension PersonName: JSONObject {
    static var blank: PersonName { PersonName(familyName: "") }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout PersonName) throws {
        try v("initials", &x.initials); try v("givenNames", &x.givenNames); try v("callName", &x.callName)
        try v("prefix", &x.prefix); try v("familyName", &x.familyName); try v("partnerPrefix", &x.partnerPrefix)
        try v("partnerFamilyName", &x.partnerFamilyName)
    }
}

extension ContactPoint: JSONObject {
    static var blank: ContactPoint { ContactPoint(system: .phone, value: "") }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout ContactPoint) throws {
        try v("system", &x.system); try v("value", &x.value); try v("use", &x.use)
    }
}

extension RecordMeta: JSONObject {
    static var blank: RecordMeta { RecordMeta(category: .care, provenance: .client, legalBasis: .consent) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout RecordMeta) throws {
        try v("category", &x.category); try v("provenance", &x.provenance); try v("legalBasis", &x.legalBasis)
        try v("createdAt", &x.createdAt); try v("author", &x.author); try v("retentionUntil", &x.retentionUntil)
        try v("restricted", &x.restricted); try v("containsThirdPartyData", &x.containsThirdPartyData)
        try v("source", &x.source)
    }
}

/// What the first three members of a record's metadata encode, at a nesting level.
struct RecordMetaHead: Equatable {
    var category: RecordCategory
    var provenance: Provenance
    var legalBasis: LegalBasis
    var level: Int
}

/// What the first member of a source location (its file) encodes, at a nesting level.
struct SourceFileHead: Equatable {
    var file: String
    var level: Int
}

/// What the members of a row's metadata from its flags to its source's `"line":` encode: the same
/// for every record one mapping makes from one file.
struct RecordMetaTail {
    var restricted: Bool
    var containsThirdPartyData: Bool
    var file: String
    var level: Int

    /// Whether this encodes `x`'s members, which `RecordMeta.isRowShaped` has checked.
    @inline(__always)
    func encodes(_ x: inout RecordMeta, level: Int) -> Bool {
        // Compared in place: binding the file to a constant counted a reference on it.
        self.level == level && restricted == x.restricted && containsThirdPartyData == x.containsThirdPartyData
            && file == x.source.unsafelyUnwrapped.file.unsafelyUnwrapped
    }
}

/// What a row's source location encodes from its line to its `"key":`: the same for a table.
struct SourceTableHead {
    var table: String
    var level: Int

    @inline(__always)
    func encodes(_ x: inout RecordMeta, level: Int) -> Bool {
        self.level == level && table == x.source.unsafelyUnwrapped.table.unsafelyUnwrapped
    }
}

extension RecordMeta {
    /// Category, provenance and legal basis are the same for every record one mapping makes;
    /// writing them member by member was about a quarter of writing a record's metadata.
    ///
    /// A record made from a row (a dump's or a CSV file's) has the same shape every time: no
    /// creation or retention date, and a source of file, line, table and key. Around the three
    /// values that change (author, line, key) its metadata is three runs of bytes that repeat from
    /// record to record, copied from where they were kept. Other shapes go member by member.
    static func writeJSON(_ x: inout RecordMeta, to w: JSONWriter, level: Int) throws {
        let head = RecordMetaHead(category: x.category, provenance: x.provenance, legalBasis: x.legalBasis, level: level)
        guard isRowShaped(&x) else {
            return try writeJSON(&x, to: w, level: level, leading: 3, encoding: head, kept: &w.metaHead)
        }
        // What the member lists (`members`) and `MemberWriter` write, call for call. The source's
        // texts are read where they are (`unsafelyUnwrapped`, as checked above), not bound.
        let inner = level + 1, place = level + 2
        w.byte(0x7B)
        if w.copyKept(&w.metaHead, if: { $0 == head }) == false {
            let start = w.used
            w.memberName("category", first: true, level: inner); try w.string(x.category.rawValue)
            w.memberName("provenance", first: false, level: inner); try w.string(x.provenance.rawValue)
            w.memberName("legalBasis", first: false, level: inner); try w.string(x.legalBasis.rawValue)
            w.metaHead = (head, w.written(since: start))
        }
        if x.author != nil {
            w.memberName("author", first: false, level: inner)
            try w.string(x.author.unsafelyUnwrapped)
        }
        if w.copyKept(&w.metaTail, if: { $0.encodes(&x, level: level) }) == false {
            let start = w.used
            w.memberName("restricted", first: false, level: inner); w.bool(x.restricted)
            w.memberName("containsThirdPartyData", first: false, level: inner); w.bool(x.containsThirdPartyData)
            w.memberName("source", first: false, level: inner)
            w.byte(0x7B)
            w.memberName("file", first: true, level: place); try w.string(x.source.unsafelyUnwrapped.file.unsafelyUnwrapped)
            w.memberName("line", first: false, level: place)
            w.metaTail = (RecordMetaTail(restricted: x.restricted, containsThirdPartyData: x.containsThirdPartyData,
                                         file: x.source.unsafelyUnwrapped.file.unsafelyUnwrapped, level: level),
                          w.written(since: start))
        }
        w.integer(x.source.unsafelyUnwrapped.line.unsafelyUnwrapped)
        if w.copyKept(&w.sourceTableHead, if: { $0.encodes(&x, level: level) }) == false {
            let start = w.used
            w.memberName("table", first: false, level: place); try w.string(x.source.unsafelyUnwrapped.table.unsafelyUnwrapped)
            w.memberName("key", first: false, level: place)
            w.sourceTableHead = (SourceTableHead(table: x.source.unsafelyUnwrapped.table.unsafelyUnwrapped, level: level),
                                 w.written(since: start))
        }
        try w.string(x.source.unsafelyUnwrapped.key.unsafelyUnwrapped)
        w.closeContainer(0x7D, level: inner, empty: false)
        w.closeContainer(0x7D, level: level, empty: false)
    }

    /// No creation or retention date, and a source of file, line, table and key only.
    @inline(__always)
    static func isRowShaped(_ x: inout RecordMeta) -> Bool {
        // Matched, not compared with `nil`: `!= nil` took the `Equatable` operator, which copied
        // the location to compare it.
        guard case .none = x.createdAt, case .none = x.retentionUntil, case .some = x.source else { return false }
        return x.source.unsafelyUnwrapped.file != nil && x.source.unsafelyUnwrapped.line != nil
            && x.source.unsafelyUnwrapped.column == nil && x.source.unsafelyUnwrapped.table != nil
            && x.source.unsafelyUnwrapped.key != nil && x.source.unsafelyUnwrapped.entry == nil
    }
}

extension SourceLocation {
    /// Every record read from one file names it.
    static func writeJSON(_ x: inout SourceLocation, to w: JSONWriter, level: Int) throws {
        guard let file = x.file else { return try writeMembers(&x, to: w, level: level) }
        try writeJSON(&x, to: w, level: level, leading: 1, encoding: SourceFileHead(file: file, level: level), kept: &w.sourceFileHead)
    }
}

extension SourceLocation: JSONObject {
    static var blank: SourceLocation { SourceLocation() }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout SourceLocation) throws {
        try v("file", &x.file); try v("line", &x.line); try v("column", &x.column); try v("table", &x.table)
        try v("key", &x.key); try v("entry", &x.entry)
    }
}

extension Representative: JSONObject {
    static var blank: Representative { Representative(id: "", kind: .other, name: .blank, meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Representative) throws {
        try v("id", &x.id); try v("kind", &x.kind); try v("name", &x.name); try v("relationship", &x.relationship)
        try v("hasLegalAuthority", &x.hasLegalAuthority); try v("validFrom", &x.validFrom)
        try v("validUntil", &x.validUntil); try v("address", &x.address); try v("contacts", &x.contacts)
        try v("documentRef", &x.documentRef); try v("meta", &x.meta)
    }
}

extension Referral: JSONObject {
    static var blank: Referral { Referral(id: "", referrerType: .other, meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Referral) throws {
        try v("id", &x.id); try v("referrerType", &x.referrerType); try v("referrerName", &x.referrerName)
        try v("referrerCode", &x.referrerCode); try v("framework", &x.framework)
        try v("decisionNumber", &x.decisionNumber); try v("productCode", &x.productCode)
        try v("productDescription", &x.productDescription); try v("validFrom", &x.validFrom)
        try v("validUntil", &x.validUntil); try v("meta", &x.meta)
    }
}

extension Insurance: JSONObject {
    static var blank: Insurance { Insurance(id: "", framework: .other, meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Insurance) throws {
        try v("id", &x.id); try v("framework", &x.framework); try v("insurerName", &x.insurerName)
        try v("insurerCode", &x.insurerCode); try v("policyNumber", &x.policyNumber)
        try v("validFrom", &x.validFrom); try v("validUntil", &x.validUntil); try v("meta", &x.meta)
    }
}

extension Consent: JSONObject {
    static var blank: Consent { Consent(id: "", purpose: .other, status: .given, meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Consent) throws {
        try v("id", &x.id); try v("purpose", &x.purpose); try v("recipient", &x.recipient)
        try v("status", &x.status); try v("givenBy", &x.givenBy); try v("givenOn", &x.givenOn)
        try v("withdrawnOn", &x.withdrawnOn); try v("meta", &x.meta)
    }
}

extension Objection: JSONObject {
    static var blank: Objection { Objection(id: "", scope: .other, meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Objection) throws {
        try v("id", &x.id); try v("scope", &x.scope); try v("madeOn", &x.madeOn); try v("upheld", &x.upheld)
        try v("meta", &x.meta)
    }
}

extension ProgressReport: JSONObject {
    static var blank: ProgressReport { ProgressReport(id: "", meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout ProgressReport) throws {
        try v("id", &x.id); try v("recordedAt", &x.recordedAt); try v("discipline", &x.discipline)
        try v("text", &x.text); try v("meta", &x.meta)
    }
}

extension CarePlan: JSONObject {
    static var blank: CarePlan { CarePlan(id: "", meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout CarePlan) throws {
        try v("id", &x.id); try v("title", &x.title); try v("startDate", &x.startDate); try v("endDate", &x.endDate)
        try v("goals", &x.goals); try v("text", &x.text); try v("agreedOn", &x.agreedOn); try v("meta", &x.meta)
    }
}

extension Diagnosis: JSONObject {
    static var blank: Diagnosis { Diagnosis(id: "", meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Diagnosis) throws {
        try v("id", &x.id); try v("system", &x.system); try v("code", &x.code); try v("description", &x.description)
        try v("diagnosedOn", &x.diagnosedOn); try v("resolvedOn", &x.resolvedOn); try v("meta", &x.meta)
    }
}

extension MedicationAdministration: JSONObject {
    static var blank: MedicationAdministration { MedicationAdministration(id: "", status: .given, meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout MedicationAdministration) throws {
        try v("id", &x.id); try v("medication", &x.medication); try v("dose", &x.dose); try v("route", &x.route)
        try v("scheduledAt", &x.scheduledAt); try v("administeredAt", &x.administeredAt); try v("status", &x.status)
        try v("note", &x.note); try v("meta", &x.meta)
    }
}

extension Incident: JSONObject {
    static var blank: Incident { Incident(id: "", meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Incident) throws {
        try v("id", &x.id); try v("occurredAt", &x.occurredAt); try v("type", &x.type)
        try v("description", &x.description); try v("injury", &x.injury); try v("measures", &x.measures)
        try v("meta", &x.meta)
    }
}

extension RestrictiveMeasure: JSONObject {
    static var blank: RestrictiveMeasure { RestrictiveMeasure(id: "", meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout RestrictiveMeasure) throws {
        try v("id", &x.id); try v("type", &x.type); try v("startedAt", &x.startedAt)
        try v("durationMinutes", &x.durationMinutes); try v("reason", &x.reason)
        try v("responsiblePerson", &x.responsiblePerson); try v("location", &x.location)
        try v("legalFramework", &x.legalFramework); try v("meta", &x.meta)
    }
}

extension DomesticViolenceReport: JSONObject {
    static var blank: DomesticViolenceReport { DomesticViolenceReport(id: "", meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout DomesticViolenceReport) throws {
        try v("id", &x.id); try v("date", &x.date); try v("step", &x.step); try v("text", &x.text)
        try v("reportedToVeiligThuis", &x.reportedToVeiligThuis); try v("meta", &x.meta)
    }
}

extension WorkNote: JSONObject {
    static var blank: WorkNote { WorkNote(id: "", meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout WorkNote) throws {
        try v("id", &x.id); try v("recordedAt", &x.recordedAt); try v("text", &x.text); try v("meta", &x.meta)
    }
}

extension FinancialRecord: JSONObject {
    static var blank: FinancialRecord { FinancialRecord(id: "", kind: .other, meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout FinancialRecord) throws {
        try v("id", &x.id); try v("kind", &x.kind); try v("number", &x.number); try v("date", &x.date)
        try v("periodStart", &x.periodStart); try v("periodEnd", &x.periodEnd); try v("amount", &x.amount)
        try v("currency", &x.currency); try v("status", &x.status); try v("description", &x.description)
        try v("meta", &x.meta)
    }
}

extension Appointment: JSONObject {
    static var blank: Appointment { Appointment(id: "", status: .planned, meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Appointment) throws {
        try v("id", &x.id); try v("start", &x.start); try v("end", &x.end); try v("kind", &x.kind)
        try v("professional", &x.professional); try v("location", &x.location); try v("status", &x.status)
        try v("meta", &x.meta)
    }
}

extension Document: JSONObject {
    static var blank: Document { Document(id: "", meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Document) throws {
        try v("id", &x.id); try v("title", &x.title); try v("kind", &x.kind); try v("mediaType", &x.mediaType)
        try v("fileName", &x.fileName); try v("size", &x.size); try v("sha256", &x.sha256); try v("path", &x.path)
        try v("documentDate", &x.documentDate); try v("meta", &x.meta)
    }
}

extension Correction: JSONObject {
    static var blank: Correction { Correction(id: "", targetRecord: "", kind: .correction, status: .requested, meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Correction) throws {
        try v("id", &x.id); try v("targetRecord", &x.targetRecord); try v("field", &x.field); try v("kind", &x.kind)
        try v("requestedOn", &x.requestedOn); try v("text", &x.text); try v("status", &x.status)
        try v("decidedOn", &x.decidedOn); try v("meta", &x.meta)
    }
}

extension Restriction: JSONObject {
    static var blank: Restriction { Restriction(id: "", meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Restriction) throws {
        try v("id", &x.id); try v("targetRecords", &x.targetRecords); try v("requestedOn", &x.requestedOn)
        try v("until", &x.until); try v("reason", &x.reason); try v("active", &x.active); try v("meta", &x.meta)
    }
}

extension AccessLogEntry: JSONObject {
    static var blank: AccessLogEntry { AccessLogEntry(id: "", at: .blank, user: "", action: .view, meta: .blank) }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout AccessLogEntry) throws {
        try v("id", &x.id); try v("at", &x.at); try v("user", &x.user); try v("role", &x.role)
        try v("responsibleUser", &x.responsibleUser); try v("organisation", &x.organisation)
        try v("action", &x.action); try v("recordRef", &x.recordRef); try v("accessPoint", &x.accessPoint)
        try v("emergency", &x.emergency); try v("meta", &x.meta)
    }
}

extension Timestamp {
    /// Only `AccessLogEntry.blank` needs one; decoding replaces it.
    fileprivate static let blank = Timestamp(date: LocalDate(daysSinceEpoch: 0), hour: 0, minute: 0, second: 0)!
}

extension Gender: JSONEnum {}
extension CivilStatus: JSONEnum {}
extension AddressUse: JSONEnum {}
extension ContactSystem: JSONEnum {}
extension RecordCategory: JSONEnum {}
extension Provenance: JSONEnum {}
extension LegalBasis: JSONEnum {}
extension RepresentativeKind: JSONEnum {}
extension ReferrerType: JSONEnum {}
extension FundingFramework: JSONEnum {}
extension ConsentPurpose: JSONEnum {}
extension ConsentStatus: JSONEnum {}
extension ObjectionScope: JSONEnum {}
extension AdministrationStatus: JSONEnum {}
extension FinancialKind: JSONEnum {}
extension AppointmentStatus: JSONEnum {}
extension CorrectionKind: JSONEnum {}
extension CorrectionStatus: JSONEnum {}
extension AccessAction: JSONEnum {}
