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
    let indices: [Int]

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
        guard !pattern.isEmpty else { return nil }
        self.pattern = pattern; self.indices = indices
    }
}

/// One settable model field: its kind and how to store a converted value into a record.
struct Slot<R> {
    let kind: FieldKind
    /// Stores the value; `indices` are the array positions of the path, outermost first.
    let set: (inout R, Converted, ArraySlice<Int>) -> Void

    static func text(_ kp: WritableKeyPath<R, String>) -> Slot {
        Slot(kind: .text) { r, v, _ in if case .text(let s) = v { r[keyPath: kp] = s } }
    }
    static func text(_ kp: WritableKeyPath<R, String?>) -> Slot {
        Slot(kind: .text) { r, v, _ in if case .text(let s) = v { r[keyPath: kp] = s } }
    }
    static func date(_ kp: WritableKeyPath<R, LocalDate?>) -> Slot {
        Slot(kind: .date) { r, v, _ in if case .date(let d) = v { r[keyPath: kp] = d } }
    }
    static func timestamp(_ kp: WritableKeyPath<R, Timestamp?>) -> Slot {
        Slot(kind: .timestamp) { r, v, _ in if case .timestamp(let t) = v { r[keyPath: kp] = t } }
    }
    static func timestamp(_ kp: WritableKeyPath<R, Timestamp>) -> Slot {
        Slot(kind: .timestamp) { r, v, _ in if case .timestamp(let t) = v { r[keyPath: kp] = t } }
    }
    static func integer(_ kp: WritableKeyPath<R, Int?>) -> Slot {
        Slot(kind: .integer) { r, v, _ in if case .integer(let i) = v { r[keyPath: kp] = i } }
    }
    static func boolean(_ kp: WritableKeyPath<R, Bool>) -> Slot {
        Slot(kind: .boolean) { r, v, _ in if case .boolean(let b) = v { r[keyPath: kp] = b } }
    }
    static func amount(_ kp: WritableKeyPath<R, Amount?>) -> Slot {
        Slot(kind: .amount) { r, v, _ in if case .amount(let a) = v { r[keyPath: kp] = a } }
    }
    static func bsn(_ kp: WritableKeyPath<R, BSN?>) -> Slot {
        Slot(kind: .bsn) { r, v, _ in if case .bsn(let b) = v { r[keyPath: kp] = b } }
    }
    static func enumeration<E: RawRepresentable & CaseIterable>(_ kp: WritableKeyPath<R, E>) -> Slot where E.RawValue == String {
        Slot(kind: .enumeration(E.allCases.map(\.rawValue))) { r, v, _ in
            if case .text(let s) = v, let e = E(rawValue: s) { r[keyPath: kp] = e }
        }
    }
    static func enumeration<E: RawRepresentable & CaseIterable>(_ kp: WritableKeyPath<R, E?>) -> Slot where E.RawValue == String {
        Slot(kind: .enumeration(E.allCases.map(\.rawValue))) { r, v, _ in
            if case .text(let s) = v, let e = E(rawValue: s) { r[keyPath: kp] = e }
        }
    }
    /// `goals[0]`: one entry of a list of texts.
    static func textList(_ kp: WritableKeyPath<R, [String]>) -> Slot {
        Slot(kind: .text) { r, v, idx in
            guard case .text(let s) = v, let i = idx.first else { return }
            while r[keyPath: kp].count <= i { r[keyPath: kp].append("") }
            r[keyPath: kp][i] = s
        }
    }
}

/// Re-roots a sub-structure's slots under `prefix.` so the same address or name slots serve every record.
func lift<R, S>(_ prefix: String, _ kp: WritableKeyPath<R, S>, _ sub: [String: Slot<S>]) -> [String: Slot<R>] {
    sub.reduce(into: [:]) { out, e in
        let inner = e.value
        out[prefix + "." + e.key] = Slot(kind: inner.kind) { r, v, idx in inner.set(&r[keyPath: kp], v, idx) }
    }
}

/// Like `lift` for an optional structure, created on first use.
func liftOptional<R, S>(_ prefix: String, _ kp: WritableKeyPath<R, S?>, make: @escaping () -> S,
                        _ sub: [String: Slot<S>]) -> [String: Slot<R>] {
    sub.reduce(into: [:]) { out, e in
        let inner = e.value
        out[prefix + "." + e.key] = Slot(kind: inner.kind) { r, v, idx in
            var s = r[keyPath: kp] ?? make()
            inner.set(&s, v, idx)
            r[keyPath: kp] = s
        }
    }
}

/// Like `lift` for an array element addressed as `prefix[i]`, growing the array as needed.
func liftArray<R, S>(_ prefix: String, _ kp: WritableKeyPath<R, [S]>, make: @escaping () -> S,
                     _ sub: [String: Slot<S>]) -> [String: Slot<R>] {
    sub.reduce(into: [:]) { out, e in
        let inner = e.value
        out[prefix + "[]." + e.key] = Slot(kind: inner.kind) { r, v, idx in
            guard let i = idx.first else { return }
            while r[keyPath: kp].count <= i { r[keyPath: kp].append(make()) }
            inner.set(&r[keyPath: kp][i], v, idx.dropFirst())
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
    let make: (_ id: String, _ meta: RecordMeta) -> R
    let append: (inout Dossier, R) -> Void

    init(_ slots: [String: Slot<R>], required: [String] = [], make: @escaping (String, RecordMeta) -> R,
         append: @escaping (inout Dossier, R) -> Void) {
        let all = slots.merging(lift("meta", \R.meta, Catalog.metaSlots)) { a, _ in a }
        self.slots = all
        let paths = all.keys.sorted()
        ordered = paths.map { all[$0]! }
        positions = Dictionary(uniqueKeysWithValues: paths.enumerated().map { ($1, $0) })
        self.required = required
        self.make = make
        self.append = append
    }

    static var metaSlots: [String: Slot<RecordMeta>] {
        ["category": .enumeration(\.category), "provenance": .enumeration(\.provenance),
         "legalBasis": .enumeration(\.legalBasis), "createdAt": .timestamp(\.createdAt), "author": .text(\.author),
         "retentionUntil": .date(\.retentionUntil), "restricted": .boolean(\.restricted),
         "containsThirdPartyData": .boolean(\.containsThirdPartyData)]
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
        "initials": .text(\.initials), "givenNames": .text(\.givenNames), "callName": .text(\.callName),
        "prefix": .text(\.prefix), "familyName": .text(\.familyName), "partnerPrefix": .text(\.partnerPrefix),
        "partnerFamilyName": .text(\.partnerFamilyName),
    ] }

    static var addressSlots: [String: Slot<Address>] {
        ["use": .enumeration(\.use), "street": .text(\.street), "houseNumber": .text(\.houseNumber),
         "houseNumberAddition": .text(\.houseNumberAddition), "city": .text(\.city), "country": .text(\.country),
         "validFrom": .date(\.validFrom), "validUntil": .date(\.validUntil),
         // Dutch codes are stored in the canonical `1234 AB` form the validator expects.
         "postalCode": Slot(kind: .text) { a, v, _ in
             if case .text(let s) = v { a.postalCode = DutchPostalCode.normalise(s) ?? s }
         }]
    }

    static var contactSlots: [String: Slot<ContactPoint>] {
        ["system": .enumeration(\.system), "value": .text(\.value), "use": .text(\.use)]
    }

    static var client: Catalog<Client> {
        var s: [String: Slot<Client>] = [
            "clientNumber": .text(\.clientNumber), "bsn": .bsn(\.bsn), "dateOfBirth": .date(\.dateOfBirth),
            "placeOfBirth": .text(\.placeOfBirth), "gender": .enumeration(\.gender),
            "civilStatus": .enumeration(\.civilStatus), "nationality": .text(\.nationality),
            "livingSituation": .text(\.livingSituation),
        ]
        s.merge(lift("name", \.name, nameSlots)) { a, _ in a }
        s.merge(liftArray("addresses", \.addresses, make: { Address() }, addressSlots)) { a, _ in a }
        s.merge(liftArray("contacts", \.contacts, make: { ContactPoint(system: .phone, value: "") }, contactSlots)) { a, _ in a }
        return Catalog(s, required: ["name.familyName"],
                       make: { Client(id: $0, clientNumber: "", name: PersonName(familyName: ""), meta: $1) },
                       append: { $0.client = $1 })
    }

    static func catalog(_ entity: Entity) -> any CatalogProtocol {
        switch entity {
        case .client: return client
        case .representatives:
            var s: [String: Slot<Representative>] = [
                "kind": .enumeration(\.kind), "relationship": .text(\.relationship),
                "hasLegalAuthority": .boolean(\.hasLegalAuthority), "validFrom": .date(\.validFrom),
                "validUntil": .date(\.validUntil), "documentRef": .text(\.documentRef),
            ]
            s.merge(lift("name", \.name, nameSlots)) { a, _ in a }
            s.merge(liftOptional("address", \.address, make: { Address() }, addressSlots)) { a, _ in a }
            s.merge(liftArray("contacts", \.contacts, make: { ContactPoint(system: .phone, value: "") }, contactSlots)) { a, _ in a }
            return Catalog(s, required: ["kind", "name.familyName"],
                           make: { Representative(id: $0, kind: .other, name: PersonName(familyName: ""), meta: $1) },
                           append: { $0.representatives.append($1) })
        case .referrals:
            return Catalog<Referral>([
                "referrerType": .enumeration(\.referrerType), "referrerName": .text(\.referrerName),
                "referrerCode": .text(\.referrerCode), "framework": .enumeration(\.framework),
                "decisionNumber": .text(\.decisionNumber), "productCode": .text(\.productCode),
                "productDescription": .text(\.productDescription), "validFrom": .date(\.validFrom),
                "validUntil": .date(\.validUntil),
            ], required: ["referrerType"], make: { Referral(id: $0, referrerType: .other, meta: $1) },
               append: { $0.referrals.append($1) })
        case .insurances:
            return Catalog<Insurance>([
                "framework": .enumeration(\.framework), "insurerName": .text(\.insurerName),
                "insurerCode": .text(\.insurerCode), "policyNumber": .text(\.policyNumber),
                "validFrom": .date(\.validFrom), "validUntil": .date(\.validUntil),
            ], required: ["framework"], make: { Insurance(id: $0, framework: .other, meta: $1) },
               append: { $0.insurances.append($1) })
        case .consents:
            return Catalog<Consent>([
                "purpose": .enumeration(\.purpose), "recipient": .text(\.recipient), "status": .enumeration(\.status),
                "givenBy": .text(\.givenBy), "givenOn": .date(\.givenOn), "withdrawnOn": .date(\.withdrawnOn),
            ], required: ["purpose", "status"], make: { Consent(id: $0, purpose: .other, status: .given, meta: $1) },
               append: { $0.consents.append($1) })
        case .objections:
            return Catalog<Objection>([
                "scope": .enumeration(\.scope), "madeOn": .date(\.madeOn), "upheld": .boolean(\.upheld),
            ], required: ["scope"], make: { Objection(id: $0, scope: .other, meta: $1) },
               append: { $0.objections.append($1) })
        case .progressReports:
            return Catalog<ProgressReport>([
                "recordedAt": .timestamp(\.recordedAt), "discipline": .text(\.discipline), "text": .text(\.text),
            ], make: { ProgressReport(id: $0, meta: $1) }, append: { $0.progressReports.append($1) })
        case .carePlans:
            return Catalog<CarePlan>([
                "title": .text(\.title), "startDate": .date(\.startDate), "endDate": .date(\.endDate),
                "goals[]": .textList(\.goals), "text": .text(\.text), "agreedOn": .date(\.agreedOn),
            ], make: { CarePlan(id: $0, meta: $1) }, append: { $0.carePlans.append($1) })
        case .diagnoses:
            return Catalog<Diagnosis>([
                "system": .text(\.system), "code": .text(\.code), "description": .text(\.description),
                "diagnosedOn": .date(\.diagnosedOn), "resolvedOn": .date(\.resolvedOn),
            ], make: { Diagnosis(id: $0, meta: $1) }, append: { $0.diagnoses.append($1) })
        case .medicationAdministrations:
            return Catalog<MedicationAdministration>([
                "medication": .text(\.medication), "dose": .text(\.dose), "route": .text(\.route),
                "scheduledAt": .timestamp(\.scheduledAt), "administeredAt": .timestamp(\.administeredAt),
                "status": .enumeration(\.status), "note": .text(\.note),
            ], required: ["status"], make: { MedicationAdministration(id: $0, status: .given, meta: $1) },
               append: { $0.medicationAdministrations.append($1) })
        case .incidents:
            return Catalog<Incident>([
                "occurredAt": .timestamp(\.occurredAt), "type": .text(\.type), "description": .text(\.description),
                "injury": .text(\.injury), "measures": .text(\.measures),
            ], make: { Incident(id: $0, meta: $1) }, append: { $0.incidents.append($1) })
        case .restrictiveMeasures:
            return Catalog<RestrictiveMeasure>([
                "type": .text(\.type), "startedAt": .timestamp(\.startedAt), "durationMinutes": .integer(\.durationMinutes),
                "reason": .text(\.reason), "responsiblePerson": .text(\.responsiblePerson),
                "location": .text(\.location), "legalFramework": .text(\.legalFramework),
            ], make: { RestrictiveMeasure(id: $0, meta: $1) }, append: { $0.restrictiveMeasures.append($1) })
        case .domesticViolenceReports:
            return Catalog<DomesticViolenceReport>([
                "date": .date(\.date), "step": .integer(\.step), "text": .text(\.text),
                "reportedToVeiligThuis": .boolean(\.reportedToVeiligThuis),
            ], make: { DomesticViolenceReport(id: $0, meta: $1) }, append: { $0.domesticViolenceReports.append($1) })
        case .workNotes:
            return Catalog<WorkNote>(["recordedAt": .timestamp(\.recordedAt), "text": .text(\.text)],
                                     make: { WorkNote(id: $0, meta: $1) }, append: { $0.workNotes.append($1) })
        case .financialRecords:
            return Catalog<FinancialRecord>([
                "kind": .enumeration(\.kind), "number": .text(\.number), "date": .date(\.date),
                "periodStart": .date(\.periodStart), "periodEnd": .date(\.periodEnd), "amount": .amount(\.amount),
                "currency": .text(\.currency), "status": .text(\.status), "description": .text(\.description),
            ], required: ["kind"], make: { FinancialRecord(id: $0, kind: .other, meta: $1) },
               append: { $0.financialRecords.append($1) })
        case .appointments:
            return Catalog<Appointment>([
                "start": .timestamp(\.start), "end": .timestamp(\.end), "kind": .text(\.kind),
                "professional": .text(\.professional), "location": .text(\.location), "status": .enumeration(\.status),
            ], required: ["status"], make: { Appointment(id: $0, status: .planned, meta: $1) },
               append: { $0.appointments.append($1) })
        case .documents:
            return Catalog<Document>([
                "title": .text(\.title), "kind": .text(\.kind), "mediaType": .text(\.mediaType),
                "fileName": .text(\.fileName), "documentDate": .date(\.documentDate),
            ], make: { Document(id: $0, meta: $1) }, append: { $0.documents.append($1) })
        case .corrections:
            return Catalog<Correction>([
                "targetRecord": .text(\.targetRecord), "field": .text(\.field), "kind": .enumeration(\.kind),
                "requestedOn": .date(\.requestedOn), "text": .text(\.text), "status": .enumeration(\.status),
                "decidedOn": .date(\.decidedOn),
            ], required: ["targetRecord", "kind", "status"],
               make: { Correction(id: $0, targetRecord: "", kind: .correction, status: .requested, meta: $1) },
               append: { $0.corrections.append($1) })
        case .restrictions:
            return Catalog<Restriction>([
                "targetRecords[]": .textList(\.targetRecords), "requestedOn": .date(\.requestedOn),
                "until": .date(\.until), "reason": .text(\.reason), "active": .boolean(\.active),
            ], make: { Restriction(id: $0, meta: $1) }, append: { $0.restrictions.append($1) })
        case .accessLog:
            let epoch = Timestamp(date: LocalDate(daysSinceEpoch: 0), hour: 0, minute: 0, second: 0)!
            return Catalog<AccessLogEntry>([
                "at": .timestamp(\.at), "user": .text(\.user), "role": .text(\.role),
                "responsibleUser": .text(\.responsibleUser), "organisation": .text(\.organisation),
                "action": .enumeration(\.action), "recordRef": .text(\.recordRef),
                "accessPoint": .text(\.accessPoint), "emergency": .boolean(\.emergency),
            ], required: ["at", "user", "action"],
               make: { AccessLogEntry(id: $0, at: epoch, user: "", action: .view, meta: $1) },
               append: { $0.accessLog.append($1) })
        }
    }
}
