internal import DossierModel

/// The type a model field expects, which decides how a source value is converted.
enum FieldKind: Equatable, Sendable {
    case text, date, timestamp, integer, boolean, amount, bsn
    case enumeration([String])

    var name: String {
        switch self {
        case .text: "text"
        case .date: "date"
        case .timestamp: "timestamp"
        case .integer: "integer"
        case .boolean: "boolean"
        case .amount: "amount"
        case .bsn: "BSN"
        case .enumeration(let cases): "value of " + cases.joined(separator: "|")
        }
    }
}

/// A converted value, ready to store into a record.
enum Converted: Equatable {
    case text(String), date(LocalDate), timestamp(Timestamp), integer(Int), boolean(Bool), amount(Amount), bsn(BSN)
}

/// `addresses[0].postalCode` split into the catalogue pattern `addresses[].postalCode` and its indices.
struct FieldPath: Equatable {
    /// Array positions a profile may address; more would only be a typo.
    static let maxIndex = 99
    let pattern: String
    let indices: PathIndices

    init?(_ path: String) {
        var pattern = "", indices: [Int] = []
        var rest = Substring(path)
        while let open = rest.firstIndex(of: "[") {
            guard let close = rest[open...].firstIndex(of: "]"), let i = Int(rest[rest.index(after: open)..<close]),
                  (0...FieldPath.maxIndex).contains(i) else { return nil }
            pattern += rest[..<open] + "[]"
            indices.append(i)
            rest = rest[rest.index(after: close)...]
        }
        pattern += rest
        guard !pattern.isEmpty, let packed = PathIndices(indices) else { return nil }
        self.pattern = pattern; self.indices = packed
    }
}

/// The array positions of a field path, outermost first, packed a byte each into one word.
///
/// A setter is handed them for every value mapped; as an array slice they counted a reference
/// on their storage each time (twice per value, with the release), where this is copied as an
/// integer. Catalogues nest arrays one deep (`addresses[0].city`), so eight levels leave room,
/// and a position is at most `FieldPath.maxIndex`.
struct PathIndices: Equatable {
    static let maxDepth = 8
    private var packed: UInt64
    private(set) var count: Int

    /// Nil when there are more positions than `maxDepth`, or one does not fit a byte.
    init?(_ indices: [Int]) {
        guard indices.count <= Self.maxDepth, indices.allSatisfy({ (0...0xFF).contains($0) }) else { return nil }
        packed = indices.reversed().reduce(0) { $0 << 8 | UInt64($1) }
        count = indices.count
    }

    var first: Int? { count > 0 ? Int(packed & 0xFF) : nil }

    func dropFirst() -> PathIndices {
        var rest = self
        if count > 0 { rest.packed >>= 8; rest.count -= 1 }
        return rest
    }
}

/// One settable model field: its kind and how to store a converted value into a record.
///
/// A class so that mapping can lend a slot to its setter's call (`Unmanaged`) instead of holding
/// a strong reference to the closure's context for it, an atomic count up and down per value.
final class Slot<R> {
    let kind: FieldKind
    /// Stores the value; `indices` are the array positions of the path, outermost first.
    let set: (inout R, consuming Converted, PathIndices) -> Void

    init(kind: FieldKind, set: @escaping (inout R, consuming Converted, PathIndices) -> Void) {
        self.kind = kind; self.set = set
    }

    // Setters are closures rather than key paths: applying a key path is a runtime call that
    // looks up generic metadata, and mapping sets several fields of every row.
    static func text(_ set: @escaping (inout R, consuming String) -> Void) -> Slot {
        Slot(kind: .text) { r, v, _ in if case .text(let s) = consume v { set(&r, s) } }
    }
    static func date(_ set: @escaping (inout R, LocalDate) -> Void) -> Slot {
        Slot(kind: .date) { r, v, _ in if case .date(let d) = v { set(&r, d) } }
    }
    static func timestamp(_ set: @escaping (inout R, Timestamp) -> Void) -> Slot {
        Slot(kind: .timestamp) { r, v, _ in if case .timestamp(let t) = v { set(&r, t) } }
    }
    static func integer(_ set: @escaping (inout R, Int) -> Void) -> Slot {
        Slot(kind: .integer) { r, v, _ in if case .integer(let i) = v { set(&r, i) } }
    }
    static func boolean(_ set: @escaping (inout R, Bool) -> Void) -> Slot {
        Slot(kind: .boolean) { r, v, _ in if case .boolean(let b) = v { set(&r, b) } }
    }
    static func amount(_ set: @escaping (inout R, Amount) -> Void) -> Slot {
        Slot(kind: .amount) { r, v, _ in if case .amount(let a) = v { set(&r, a) } }
    }
    static func bsn(_ set: @escaping (inout R, BSN) -> Void) -> Slot {
        Slot(kind: .bsn) { r, v, _ in if case .bsn(let b) = v { set(&r, b) } }
    }
    static func enumeration<E: RawRepresentable & CaseIterable>(_: E.Type, _ set: @escaping (inout R, E) -> Void) -> Slot
    where E.RawValue == String {
        Slot(kind: .enumeration(E.allCases.map(\.rawValue))) { r, v, _ in
            if case .text(let s) = v, let e = E(rawValue: s) { set(&r, e) }
        }
    }
    /// `goals[0]`: one entry of a list of texts.
    static func textList(_ list: @escaping (inout R, (inout [String]) -> Void) -> Void) -> Slot {
        Slot(kind: .text) { r, v, idx in
            guard case .text(let s) = v, let i = idx.first else { return }
            list(&r) { l in
                while l.count <= i { l.append("") }
                l[i] = s
            }
        }
    }
}

/// Re-roots a sub-structure's slots under `prefix.` so the same address or name slots serve every
/// record. `access` hands the sub-structure over in place: a closure, not a key path, because a
/// key path to a protocol requirement such as `meta` copies the whole structure out and back for
/// every value set, and mapping sets several per row.
func lift<R, S>(_ prefix: String, _ sub: [String: Slot<S>], _ access: @escaping (inout R, (inout S) -> Void) -> Void) -> [String: Slot<R>] {
    sub.reduce(into: [:]) { out, e in
        let inner = e.value
        out[prefix + "." + e.key] = Slot(kind: inner.kind) { r, v, idx in
            // Moved into the closure through an optional: a captured value is borrowed, so
            // handing it on would copy it (a retain per text set through `meta`, `name`).
            var moved = Optional(consume v)
            access(&r) { inner.set(&$0, moved.take()!, idx) }
        }
    }
}

/// Like `lift` for an optional structure, created on first use.
func liftOptional<R, S>(_ prefix: String, _ sub: [String: Slot<S>], make: @escaping () -> S,
                        _ access: @escaping (inout R, (inout S?) -> Void) -> Void) -> [String: Slot<R>] {
    lift(prefix, sub) { r, set in
        access(&r) { optional in
            var s = optional ?? make()
            set(&s)
            optional = s
        }
    }
}

/// Like `lift` for an array element addressed as `prefix[i]`, growing the array as needed.
func liftArray<R, S>(_ prefix: String, _ sub: [String: Slot<S>], make: @escaping () -> S,
                     _ access: @escaping (inout R, (inout [S]) -> Void) -> Void) -> [String: Slot<R>] {
    sub.reduce(into: [:]) { out, e in
        let inner = e.value
        out[prefix + "[]." + e.key] = Slot(kind: inner.kind) { r, v, idx in
            guard let i = idx.first else { return }
            var moved = Optional(consume v)  // as in `lift`
            access(&r) { list in
                while list.count <= i { list.append(make()) }
                inner.set(&list[i], moved.take()!, idx.dropFirst())
            }
        }
    }
}

/// The settable fields of one record type, how to create it, and where it goes in a dossier.
struct Catalog<R: DossierRecord> {
    let slots: [String: Slot<R>]
    /// The slots in the order of their sorted paths, which is the same for every instance of a
    /// catalogue, so a compiled field finds its slot by position rather than by hashing its path.
    let ordered: [Slot<R>]
    let positions: [String: Int]
    /// Fields the record cannot be without; a profile must map each (column or constant).
    let required: [String]
    /// Both take their values over rather than copy them: a record and its metadata hold several
    /// strings each, and copying would count a reference on each for every row.
    let make: (_ id: consuming String, _ meta: consuming RecordMeta) -> R
    let append: (inout Dossier, consuming R) -> Void

    init(_ slots: [String: Slot<R>], required: [String] = [], make: @escaping (consuming String, consuming RecordMeta) -> R,
         append: @escaping (inout Dossier, consuming R) -> Void) {
        let all = slots.merging(lift("meta", Catalog.metaSlots) { r, set in set(&r.meta) }) { a, _ in a }
        self.slots = all
        let paths = all.keys.sorted()
        ordered = paths.map { all[$0]! }
        positions = Dictionary(uniqueKeysWithValues: paths.enumerated().map { ($1, $0) })
        self.required = required
        self.make = make
        self.append = append
    }

    static var metaSlots: [String: Slot<RecordMeta>] {
        ["category": .enumeration(RecordCategory.self) { $0.category = $1 }, "provenance": .enumeration(Provenance.self) { $0.provenance = $1 },
         "legalBasis": .enumeration(LegalBasis.self) { $0.legalBasis = $1 }, "createdAt": .timestamp { $0.createdAt = $1 }, "author": .text { $0.author = $1 },
         "retentionUntil": .date { $0.retentionUntil = $1 }, "restricted": .boolean { $0.restricted = $1 },
         "containsThirdPartyData": .boolean { $0.containsThirdPartyData = $1 }]
    }
}

/// The model's field catalogue: which dotted paths each entity has, and their kinds.
enum FieldCatalog {
    static func kind(of entity: Entity, _ pattern: String) -> FieldKind? {
        catalog(entity).kind(pattern)
    }

    static func required(_ entity: Entity) -> [String] {
        catalog(entity).required
    }

    static var nameSlots: [String: Slot<PersonName>] { [
        "initials": .text { $0.initials = $1 }, "givenNames": .text { $0.givenNames = $1 }, "callName": .text { $0.callName = $1 },
        "prefix": .text { $0.prefix = $1 }, "familyName": .text { $0.familyName = $1 }, "partnerPrefix": .text { $0.partnerPrefix = $1 },
        "partnerFamilyName": .text { $0.partnerFamilyName = $1 },
    ] }

    static var addressSlots: [String: Slot<Address>] {
        ["use": .enumeration(AddressUse.self) { $0.use = $1 }, "street": .text { $0.street = $1 }, "houseNumber": .text { $0.houseNumber = $1 },
         "houseNumberAddition": .text { $0.houseNumberAddition = $1 }, "city": .text { $0.city = $1 }, "country": .text { $0.country = $1 },
         "validFrom": .date { $0.validFrom = $1 }, "validUntil": .date { $0.validUntil = $1 },
         // Dutch codes are stored in the canonical `1234 AB` form the validator expects.
         "postalCode": Slot(kind: .text) { a, v, _ in
             if case .text(let s) = v { a.postalCode = DutchPostalCode.normalise(s) ?? s }
         }]
    }

    static var contactSlots: [String: Slot<ContactPoint>] {
        ["system": .enumeration(ContactSystem.self) { $0.system = $1 }, "value": .text { $0.value = $1 }, "use": .text { $0.use = $1 }]
    }

    static var client: Catalog<Client> {
        var s: [String: Slot<Client>] = [
            "clientNumber": .text { $0.clientNumber = $1 }, "bsn": .bsn { $0.bsn = $1 }, "dateOfBirth": .date { $0.dateOfBirth = $1 },
            "placeOfBirth": .text { $0.placeOfBirth = $1 }, "gender": .enumeration(Gender.self) { $0.gender = $1 },
            "civilStatus": .enumeration(CivilStatus.self) { $0.civilStatus = $1 }, "nationality": .text { $0.nationality = $1 },
            "livingSituation": .text { $0.livingSituation = $1 },
        ]
        s.merge(lift("name", nameSlots) { r, set in set(&r.name) }) { a, _ in a }
        s.merge(liftArray("addresses", addressSlots, make: { Address() }) { r, set in set(&r.addresses) }) { a, _ in a }
        s.merge(liftArray("contacts", contactSlots, make: { ContactPoint(system: .phone, value: "") }) { r, set in set(&r.contacts) }) { a, _ in a }
        return Catalog(s, required: ["name.familyName"],
                       make: { Client(id: $0, clientNumber: "", name: PersonName(familyName: ""), meta: $1) },
                       append: { $0.client = $1 })
    }

    static func catalog(_ entity: Entity) -> any CatalogProtocol {
        switch entity {
        case .client: return client
        case .representatives:
            var s: [String: Slot<Representative>] = [
                "kind": .enumeration(RepresentativeKind.self) { $0.kind = $1 }, "relationship": .text { $0.relationship = $1 },
                "hasLegalAuthority": .boolean { $0.hasLegalAuthority = $1 }, "validFrom": .date { $0.validFrom = $1 },
                "validUntil": .date { $0.validUntil = $1 }, "documentRef": .text { $0.documentRef = $1 },
            ]
            s.merge(lift("name", nameSlots) { r, set in set(&r.name) }) { a, _ in a }
            s.merge(liftOptional("address", addressSlots, make: { Address() }) { r, set in set(&r.address) }) { a, _ in a }
            s.merge(liftArray("contacts", contactSlots, make: { ContactPoint(system: .phone, value: "") }) { r, set in set(&r.contacts) }) { a, _ in a }
            return Catalog(s, required: ["kind", "name.familyName"],
                           make: { Representative(id: $0, kind: .other, name: PersonName(familyName: ""), meta: $1) },
                           append: { $0.representatives.append($1) })
        case .referrals:
            return Catalog<Referral>([
                "referrerType": .enumeration(ReferrerType.self) { $0.referrerType = $1 }, "referrerName": .text { $0.referrerName = $1 },
                "referrerCode": .text { $0.referrerCode = $1 }, "framework": .enumeration(FundingFramework.self) { $0.framework = $1 },
                "decisionNumber": .text { $0.decisionNumber = $1 }, "productCode": .text { $0.productCode = $1 },
                "productDescription": .text { $0.productDescription = $1 }, "validFrom": .date { $0.validFrom = $1 },
                "validUntil": .date { $0.validUntil = $1 },
            ], required: ["referrerType"], make: { Referral(id: $0, referrerType: .other, meta: $1) },
               append: { $0.referrals.append($1) })
        case .insurances:
            return Catalog<Insurance>([
                "framework": .enumeration(FundingFramework.self) { $0.framework = $1 }, "insurerName": .text { $0.insurerName = $1 },
                "insurerCode": .text { $0.insurerCode = $1 }, "policyNumber": .text { $0.policyNumber = $1 },
                "validFrom": .date { $0.validFrom = $1 }, "validUntil": .date { $0.validUntil = $1 },
            ], required: ["framework"], make: { Insurance(id: $0, framework: .other, meta: $1) },
               append: { $0.insurances.append($1) })
        case .consents:
            return Catalog<Consent>([
                "purpose": .enumeration(ConsentPurpose.self) { $0.purpose = $1 }, "recipient": .text { $0.recipient = $1 }, "status": .enumeration(ConsentStatus.self) { $0.status = $1 },
                "givenBy": .text { $0.givenBy = $1 }, "givenOn": .date { $0.givenOn = $1 }, "withdrawnOn": .date { $0.withdrawnOn = $1 },
            ], required: ["purpose", "status"], make: { Consent(id: $0, purpose: .other, status: .given, meta: $1) },
               append: { $0.consents.append($1) })
        case .objections:
            return Catalog<Objection>([
                "scope": .enumeration(ObjectionScope.self) { $0.scope = $1 }, "madeOn": .date { $0.madeOn = $1 }, "upheld": .boolean { $0.upheld = $1 },
            ], required: ["scope"], make: { Objection(id: $0, scope: .other, meta: $1) },
               append: { $0.objections.append($1) })
        case .progressReports:
            return Catalog<ProgressReport>([
                "recordedAt": .timestamp { $0.recordedAt = $1 }, "discipline": .text { $0.discipline = $1 }, "text": .text { $0.text = $1 },
            ], make: { ProgressReport(id: $0, meta: $1) }, append: { $0.progressReports.append($1) })
        case .carePlans:
            return Catalog<CarePlan>([
                "title": .text { $0.title = $1 }, "startDate": .date { $0.startDate = $1 }, "endDate": .date { $0.endDate = $1 },
                "goals[]": .textList { r, set in set(&r.goals) }, "text": .text { $0.text = $1 }, "agreedOn": .date { $0.agreedOn = $1 },
            ], make: { CarePlan(id: $0, meta: $1) }, append: { $0.carePlans.append($1) })
        case .diagnoses:
            return Catalog<Diagnosis>([
                "system": .text { $0.system = $1 }, "code": .text { $0.code = $1 }, "description": .text { $0.description = $1 },
                "diagnosedOn": .date { $0.diagnosedOn = $1 }, "resolvedOn": .date { $0.resolvedOn = $1 },
            ], make: { Diagnosis(id: $0, meta: $1) }, append: { $0.diagnoses.append($1) })
        case .medicationAdministrations:
            return Catalog<MedicationAdministration>([
                "medication": .text { $0.medication = $1 }, "dose": .text { $0.dose = $1 }, "route": .text { $0.route = $1 },
                "scheduledAt": .timestamp { $0.scheduledAt = $1 }, "administeredAt": .timestamp { $0.administeredAt = $1 },
                "status": .enumeration(AdministrationStatus.self) { $0.status = $1 }, "note": .text { $0.note = $1 },
            ], required: ["status"], make: { MedicationAdministration(id: $0, status: .given, meta: $1) },
               append: { $0.medicationAdministrations.append($1) })
        case .incidents:
            return Catalog<Incident>([
                "occurredAt": .timestamp { $0.occurredAt = $1 }, "type": .text { $0.type = $1 }, "description": .text { $0.description = $1 },
                "injury": .text { $0.injury = $1 }, "measures": .text { $0.measures = $1 },
            ], make: { Incident(id: $0, meta: $1) }, append: { $0.incidents.append($1) })
        case .restrictiveMeasures:
            return Catalog<RestrictiveMeasure>([
                "type": .text { $0.type = $1 }, "startedAt": .timestamp { $0.startedAt = $1 }, "durationMinutes": .integer { $0.durationMinutes = $1 },
                "reason": .text { $0.reason = $1 }, "responsiblePerson": .text { $0.responsiblePerson = $1 },
                "location": .text { $0.location = $1 }, "legalFramework": .text { $0.legalFramework = $1 },
            ], make: { RestrictiveMeasure(id: $0, meta: $1) }, append: { $0.restrictiveMeasures.append($1) })
        case .domesticViolenceReports:
            return Catalog<DomesticViolenceReport>([
                "date": .date { $0.date = $1 }, "step": .integer { $0.step = $1 }, "text": .text { $0.text = $1 },
                "reportedToVeiligThuis": .boolean { $0.reportedToVeiligThuis = $1 },
            ], make: { DomesticViolenceReport(id: $0, meta: $1) }, append: { $0.domesticViolenceReports.append($1) })
        case .workNotes:
            return Catalog<WorkNote>(["recordedAt": .timestamp { $0.recordedAt = $1 }, "text": .text { $0.text = $1 }],
                                     make: { WorkNote(id: $0, meta: $1) }, append: { $0.workNotes.append($1) })
        case .financialRecords:
            return Catalog<FinancialRecord>([
                "kind": .enumeration(FinancialKind.self) { $0.kind = $1 }, "number": .text { $0.number = $1 }, "date": .date { $0.date = $1 },
                "periodStart": .date { $0.periodStart = $1 }, "periodEnd": .date { $0.periodEnd = $1 }, "amount": .amount { $0.amount = $1 },
                "currency": .text { $0.currency = $1 }, "status": .text { $0.status = $1 }, "description": .text { $0.description = $1 },
            ], required: ["kind"], make: { FinancialRecord(id: $0, kind: .other, meta: $1) },
               append: { $0.financialRecords.append($1) })
        case .appointments:
            return Catalog<Appointment>([
                "start": .timestamp { $0.start = $1 }, "end": .timestamp { $0.end = $1 }, "kind": .text { $0.kind = $1 },
                "professional": .text { $0.professional = $1 }, "location": .text { $0.location = $1 }, "status": .enumeration(AppointmentStatus.self) { $0.status = $1 },
            ], required: ["status"], make: { Appointment(id: $0, status: .planned, meta: $1) },
               append: { $0.appointments.append($1) })
        case .documents:
            return Catalog<Document>([
                "title": .text { $0.title = $1 }, "kind": .text { $0.kind = $1 }, "mediaType": .text { $0.mediaType = $1 },
                "fileName": .text { $0.fileName = $1 }, "documentDate": .date { $0.documentDate = $1 },
            ], make: { Document(id: $0, meta: $1) }, append: { $0.documents.append($1) })
        case .corrections:
            return Catalog<Correction>([
                "targetRecord": .text { $0.targetRecord = $1 }, "field": .text { $0.field = $1 }, "kind": .enumeration(CorrectionKind.self) { $0.kind = $1 },
                "requestedOn": .date { $0.requestedOn = $1 }, "text": .text { $0.text = $1 }, "status": .enumeration(CorrectionStatus.self) { $0.status = $1 },
                "decidedOn": .date { $0.decidedOn = $1 },
            ], required: ["targetRecord", "kind", "status"],
               make: { Correction(id: $0, targetRecord: "", kind: .correction, status: .requested, meta: $1) },
               append: { $0.corrections.append($1) })
        case .restrictions:
            return Catalog<Restriction>([
                "targetRecords[]": .textList { r, set in set(&r.targetRecords) }, "requestedOn": .date { $0.requestedOn = $1 },
                "until": .date { $0.until = $1 }, "reason": .text { $0.reason = $1 }, "active": .boolean { $0.active = $1 },
            ], make: { Restriction(id: $0, meta: $1) }, append: { $0.restrictions.append($1) })
        case .accessLog:
            let epoch = Timestamp(date: LocalDate(daysSinceEpoch: 0), hour: 0, minute: 0, second: 0)!
            return Catalog<AccessLogEntry>([
                "at": .timestamp { $0.at = $1 }, "user": .text { $0.user = $1 }, "role": .text { $0.role = $1 },
                "responsibleUser": .text { $0.responsibleUser = $1 }, "organisation": .text { $0.organisation = $1 },
                "action": .enumeration(AccessAction.self) { $0.action = $1 }, "recordRef": .text { $0.recordRef = $1 },
                "accessPoint": .text { $0.accessPoint = $1 }, "emergency": .boolean { $0.emergency = $1 },
            ], required: ["at", "user", "action"],
               make: { AccessLogEntry(id: $0, at: epoch, user: "", action: .view, meta: $1) },
               append: { $0.accessLog.append($1) })
        }
    }
}
