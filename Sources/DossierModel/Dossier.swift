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
        let mine = schemaVersion.split(separator: ".").compactMap { Int($0) }
        let theirs = version.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard theirs.count == 2, let major = theirs[0], let minor = theirs[1] else { return false }
        return major == mine[0] && minor <= mine[1]
    }
}

/// The sections of a dossier, named as their JSON keys: the unit for counts, purposes and reports.
public enum Entity: String, Hashable, Sendable, Codable, CaseIterable {
    case client, representatives, referrals, insurances, consents, objections, progressReports, carePlans,
         diagnoses, medicationAdministrations, incidents, restrictiveMeasures, domesticViolenceReports,
         workNotes, financialRecords, appointments, documents, corrections, restrictions, accessLog
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

    /// Every record with its section, in document order.
    public var allRecords: [(entity: Entity, record: any DossierRecord)] {
        Entity.allCases.flatMap { e in records(e).map { (e, $0) } }
    }

    /// Number of records per section; the unit in which runs reconcile.
    public var counts: [Entity: Int] {
        Dictionary(uniqueKeysWithValues: Entity.allCases.map { ($0, records($0).count) })
    }

    /// Removes the records for which `drop` is true from every section except the client itself,
    /// which a dossier cannot be without.
    public mutating func removeRecords(where drop: (Entity, any DossierRecord) throws -> Bool) rethrows {
        func filter<R: DossierRecord>(_ e: Entity, _ list: inout [R]) throws {
            list = try list.filter { try !drop(e, $0) }
        }
        try filter(.representatives, &representatives)
        try filter(.referrals, &referrals)
        try filter(.insurances, &insurances)
        try filter(.consents, &consents)
        try filter(.objections, &objections)
        try filter(.progressReports, &progressReports)
        try filter(.carePlans, &carePlans)
        try filter(.diagnoses, &diagnoses)
        try filter(.medicationAdministrations, &medicationAdministrations)
        try filter(.incidents, &incidents)
        try filter(.restrictiveMeasures, &restrictiveMeasures)
        try filter(.domesticViolenceReports, &domesticViolenceReports)
        try filter(.workNotes, &workNotes)
        try filter(.financialRecords, &financialRecords)
        try filter(.appointments, &appointments)
        try filter(.documents, &documents)
        try filter(.corrections, &corrections)
        try filter(.restrictions, &restrictions)
        try filter(.accessLog, &accessLog)
    }
}
