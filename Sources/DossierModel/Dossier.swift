/// Everything one controller holds about one client, in the canonical form every adapter produces
/// and every writer consumes.
///
/// Sections are plain arrays in a fixed order; that order is the order of the JSON keys, the XML
/// elements and the XSD sequence, which is what makes output byte-for-byte reproducible.
public struct Dossier: Hashable, Sendable, Codable {
    /// The format version this build writes. Readers accept the same major version with a minor
    /// not newer than this one; anything else is "from the future" and refused.
    public static let schemaVersion = "1.0"

    public var schemaVersion: String
    public var id: String
    public var controller: Controller
    /// The EPD the data came from ("Ons", "Nedap", a vendor's export name), for art. 15's "source".
    public var sourceSystem: String?
    public var client: Client
    public var representatives: [Representative] = []
    public var referrals: [Referral] = []
    public var insurances: [Insurance] = []
    public var consents: [Consent] = []
    public var objections: [Objection] = []
    public var progressReports: [ProgressReport] = []
    public var carePlans: [CarePlan] = []
    public var diagnoses: [Diagnosis] = []
    public var medicationAdministrations: [MedicationAdministration] = []
    public var incidents: [Incident] = []
    public var restrictiveMeasures: [RestrictiveMeasure] = []
    public var domesticViolenceReports: [DomesticViolenceReport] = []
    public var workNotes: [WorkNote] = []
    public var financialRecords: [FinancialRecord] = []
    public var appointments: [Appointment] = []
    public var documents: [Document] = []
    public var corrections: [Correction] = []
    public var restrictions: [Restriction] = []
    public var accessLog: [AccessLogEntry] = []

    public init(id: String, controller: Controller, client: Client, sourceSystem: String? = nil,
                schemaVersion: String = Dossier.schemaVersion) {
        self.schemaVersion = schemaVersion
        self.id = id
        self.controller = controller
        self.client = client
        self.sourceSystem = sourceSystem
    }

    /// True when `version` is one this build can read: same major, minor not newer.
    public static func canRead(schemaVersion version: String) -> Bool {
        // Every dossier is asked; nearly all carry this build's own version.
        if version == schemaVersion { return true }
        let mine = schemaVersion.split(separator: ".").compactMap { Int($0) }
        let theirs = version.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard theirs.count == 2, let major = theirs[0], let minor = theirs[1] else { return false }
        return major == mine[0] && minor <= mine[1]
    }
}

/// The sections of a dossier, named as their JSON keys: the unit for counts, purposes and reports.
public enum Entity: String, Hashable, Sendable, Codable, CaseIterable, CodingKey, CodingKeyRepresentable {
    case client, representatives, referrals, insurances, consents, objections, progressReports, carePlans,
         diagnoses, medicationAdministrations, incidents, restrictiveMeasures, domesticViolenceReports,
         workNotes, financialRecords, appointments, documents, corrections, restrictions, accessLog

    /// The case's position in `allCases`, which is what it hashes: the default for a `String`
    /// raw value hashes the text, and runs key per-section counts by entity for every dossier.
    @inlinable public var ordinal: Int {
        switch self {
        case .client: 0
        case .representatives: 1
        case .referrals: 2
        case .insurances: 3
        case .consents: 4
        case .objections: 5
        case .progressReports: 6
        case .carePlans: 7
        case .diagnoses: 8
        case .medicationAdministrations: 9
        case .incidents: 10
        case .restrictiveMeasures: 11
        case .domesticViolenceReports: 12
        case .workNotes: 13
        case .financialRecords: 14
        case .appointments: 15
        case .documents: 16
        case .corrections: 17
        case .restrictions: 18
        case .accessLog: 19
        }
    }

    @inlinable public func hash(into hasher: inout Hasher) { hasher.combine(ordinal) }
    @inlinable public static func == (a: Entity, b: Entity) -> Bool { a.ordinal == b.ordinal }
}

extension Dossier {
    /// The records of one section, type-erased, for code that treats all records alike.
    public func records(_ entity: Entity) -> [any DossierRecord] {
        switch entity {
        case .client: [client]
        case .representatives: representatives
        case .referrals: referrals
        case .insurances: insurances
        case .consents: consents
        case .objections: objections
        case .progressReports: progressReports
        case .carePlans: carePlans
        case .diagnoses: diagnoses
        case .medicationAdministrations: medicationAdministrations
        case .incidents: incidents
        case .restrictiveMeasures: restrictiveMeasures
        case .domesticViolenceReports: domesticViolenceReports
        case .workNotes: workNotes
        case .financialRecords: financialRecords
        case .appointments: appointments
        case .documents: documents
        case .corrections: corrections
        case .restrictions: restrictions
        case .accessLog: accessLog
        }
    }

    /// The record a path into the dossier's JSON form points into (`$.progressReports[3].text`,
    /// `$.client.name`), nil when it points outside every record; so that a writer's refusal,
    /// which knows only the path, can name the record and the source row it came from.
    public func record(at path: String) -> (any DossierRecord)? {
        guard path.hasPrefix("$.") else { return nil }
        let rest = path.dropFirst(2)
        let name = rest.prefix { $0 != "." && $0 != "[" }
        guard let entity = Entity(rawValue: String(name)) else { return nil }
        if entity == .client { return client }
        let after = rest.dropFirst(name.count)
        guard after.first == "[", let close = after.firstIndex(of: "]"),
              let i = Int(after[after.index(after: after.startIndex)..<close]) else { return nil }
        let records = records(entity)
        return records.indices.contains(i) ? records[i] : nil
    }

    /// Every record with its section, in document order.
    public var allRecords: [(entity: Entity, record: any DossierRecord)] {
        Entity.allCases.flatMap { e in records(e).map { (e, $0) } }
    }

    /// Number of records per section; the unit in which runs reconcile.
    ///
    /// Through the typed visitor rather than `records(_:)`, which would box every record of a
    /// dossier as `any DossierRecord` just to count it, twice per dossier in an export.
    public var counts: [Entity: Int] {
        struct Counter: SectionVisitor {
            var counts = [Entity: Int](minimumCapacity: Entity.allCases.count)
            mutating func visit<R: DossierRecord>(_ entity: Entity, _ records: inout [R]) { counts[entity] = records.count }
        }
        var counter = Counter()
        var view = self
        view.visitSections(&counter)
        return counter.counts
    }

    /// Makes room for `counts[e]` more records in each section, so that a dossier filled a record
    /// at a time does not copy its sections as they grow.
    public mutating func reserveCapacity(_ counts: [Entity: Int]) {
        struct Reserver: SectionVisitor {
            let counts: [Entity: Int]
            mutating func visit<R: DossierRecord>(_ entity: Entity, _ records: inout [R]) {
                if entity != .client, let n = counts[entity] { records.reserveCapacity(records.count + n) }
            }
        }
        var reserver = Reserver(counts: counts)
        visitSections(&reserver)
    }

    /// Removes the records for which `drop` is true from every section except the client itself,
    /// which a dossier cannot be without.
    public mutating func removeRecords(where drop: (Entity, any DossierRecord) -> Bool) {
        struct Remover: SectionVisitor {
            let drop: (Entity, any DossierRecord) -> Bool
            mutating func visit<R: DossierRecord>(_ entity: Entity, _ records: inout [R]) {
                guard entity != .client else { return }
                records.removeAll { drop(entity, $0) }
            }
        }
        withoutActuallyEscaping(drop) { drop in
            var remover = Remover(drop: drop)
            visitSections(&remover)
        }
    }

    /// Hands every section, typed, to a visitor that may change it: the one place that lists the
    /// sections for code that must treat each record as its concrete type (retention, redaction).
    /// The client is passed as a one-element section and must stay one element. Inlinable, so
    /// that each visitor's `visit` is specialised for each record type: unspecialised, it copied
    /// a whole record to read a property of it.
    @inlinable public mutating func visitSections<V: SectionVisitor>(_ v: inout V) {
        var c = [client]
        v.visit(.client, &c)
        precondition(c.count == 1, "a visitor must not add or remove the client")
        client = c[0]
        v.visit(.representatives, &representatives)
        v.visit(.referrals, &referrals)
        v.visit(.insurances, &insurances)
        v.visit(.consents, &consents)
        v.visit(.objections, &objections)
        v.visit(.progressReports, &progressReports)
        v.visit(.carePlans, &carePlans)
        v.visit(.diagnoses, &diagnoses)
        v.visit(.medicationAdministrations, &medicationAdministrations)
        v.visit(.incidents, &incidents)
        v.visit(.restrictiveMeasures, &restrictiveMeasures)
        v.visit(.domesticViolenceReports, &domesticViolenceReports)
        v.visit(.workNotes, &workNotes)
        v.visit(.financialRecords, &financialRecords)
        v.visit(.appointments, &appointments)
        v.visit(.documents, &documents)
        v.visit(.corrections, &corrections)
        v.visit(.restrictions, &restrictions)
        v.visit(.accessLog, &accessLog)
    }
}

/// Something that works on each section of a dossier as its concrete record type.
public protocol SectionVisitor {
    mutating func visit<R: DossierRecord>(_ entity: Entity, _ records: inout [R])
}

/// A value per section, encoded as an object in the model's section order, so that counts in
/// reports and manifests come out byte-for-byte the same on every run.
///
/// Kept by section position rather than hashed, and inlinable so that callers in other modules
/// get it specialised: an export adds each dossier's counts to one.
public struct EntityMap<Value: Sendable & Codable & Hashable>: Sendable, Codable, Hashable {
    @usableFromInline var values = [Value?](repeating: nil, count: Entity.allCases.count)

    public init() {}

    @inlinable public subscript(entity: Entity) -> Value? {
        get { values[entity.ordinal] }
        set { values[entity.ordinal] = newValue }
    }

    @inlinable public subscript(entity: Entity, default d: @autoclosure () -> Value) -> Value {
        get { values[entity.ordinal] ?? d() }
        set { values[entity.ordinal] = newValue }
    }

    /// Sections that have a value, in section order.
    public var entries: [(entity: Entity, value: Value)] {
        Entity.allCases.compactMap { e in values[e.ordinal].map { (e, $0) } }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Entity.self)
        for k in c.allKeys { values[k.ordinal] = try c.decode(Value.self, forKey: k) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Entity.self)
        for (e, v) in entries { try c.encode(v, forKey: e) }
    }
}
