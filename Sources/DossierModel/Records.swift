/// A record inside a dossier: identified, and carrying the metadata that decides where it may go.
public protocol DossierRecord: Hashable, Sendable, Codable {
    /// Unique within the dossier, and stable across exports of the same source so that a receiver
    /// can update rather than duplicate.
    var id: String { get set }
    var meta: RecordMeta { get set }
}

/// A legal representative or authorised person (seed 002 art. 5).
public struct Representative: DossierRecord {
    public var id: String
    public var kind: RepresentativeKind
    public var name: PersonName
    public var relationship: String?
    /// True for a curator, mentor, guardian or parent with authority: they may act for the client.
    public var hasLegalAuthority: Bool = false
    public var validFrom: LocalDate?
    public var validUntil: LocalDate?
    public var address: Address?
    public var contacts: [ContactPoint] = []
    /// The document id of a written authorisation or court decision, when there is one.
    public var documentRef: String?
    public var meta: RecordMeta

    public init(id: String, kind: RepresentativeKind, name: PersonName, meta: RecordMeta) {
        self.id = id; self.kind = kind; self.name = name; self.meta = meta
    }
}

public enum RepresentativeKind: String, Hashable, Sendable, Codable, CaseIterable {
    case curator, mentor, parentWithAuthority, guardian, authorisedPerson, partner, child, sibling, other
}

/// A referral or entitlement decision: GP letter, municipal "beschikking" (Jeugdwet, Wmo), CIZ (Wlz).
public struct Referral: DossierRecord {
    public var id: String
    public var referrerType: ReferrerType
    public var referrerName: String?
    /// AGB code of the referring professional or organisation.
    public var referrerCode: String?
    public var framework: FundingFramework?
    public var decisionNumber: String?
    public var productCode: String?
    public var productDescription: String?
    public var validFrom: LocalDate?
    public var validUntil: LocalDate?
    public var meta: RecordMeta

    public init(id: String, referrerType: ReferrerType, meta: RecordMeta) {
        self.id = id; self.referrerType = referrerType; self.meta = meta
    }
}

public enum ReferrerType: String, Hashable, Sendable, Codable, CaseIterable {
    case generalPractitioner, municipality, ciz, medicalSpecialist, youthDoctor, court, selfReferral, other
}

/// The law or scheme that pays for the care.
public enum FundingFramework: String, Hashable, Sendable, Codable, CaseIterable {
    case wlz, zvw, wmo, jeugdwet, pgb, selfPay, other
}

public struct Insurance: DossierRecord {
    public var id: String
    public var framework: FundingFramework
    public var insurerName: String?
    /// UZOVI code of a health insurer.
    public var insurerCode: String?
    public var policyNumber: String?
    public var validFrom: LocalDate?
    public var validUntil: LocalDate?
    public var meta: RecordMeta

    public init(id: String, framework: FundingFramework, meta: RecordMeta) {
        self.id = id; self.framework = framework; self.meta = meta
    }
}

/// Consent to share with a recipient (seed 002 art. 22); a withdrawal keeps the record, dated.
public struct Consent: DossierRecord {
    public var id: String
    public var purpose: ConsentPurpose
    public var recipient: String?
    public var status: ConsentStatus
    /// `client`, or the id of the representative who gave it (for minors under 16: a parent), or
    /// `representative` when the giver's record is not part of this export (a portability export
    /// leaves representatives out but keeps the consent).
    public var givenBy: String
    public var givenOn: LocalDate?
    public var withdrawnOn: LocalDate?
    public var meta: RecordMeta

    public init(id: String, purpose: ConsentPurpose, status: ConsentStatus, givenBy: String = "client", meta: RecordMeta) {
        self.id = id; self.purpose = purpose; self.status = status; self.givenBy = givenBy; self.meta = meta
    }
}

extension Consent {
    /// The `givenBy` value for a representative whose record is not in the export.
    public static let representativeNotIncluded = "representative"
}

public enum ConsentPurpose: String, Hashable, Sendable, Codable, CaseIterable {
    case shareWithGeneralPractitioner, shareWithPharmacy, shareWithSupervisor, shareWithReferrer,
         shareWithCIZ, shareWithInsurer, research, other
}

public enum ConsentStatus: String, Hashable, Sendable, Codable, CaseIterable { case given, refused, withdrawn }

/// A client's objection, notably to the transfer of their registration to a new holder (seed 002 art. 27).
public struct Objection: DossierRecord {
    public var id: String
    public var scope: ObjectionScope
    public var madeOn: LocalDate?
    public var upheld: Bool = true
    public var meta: RecordMeta

    public init(id: String, scope: ObjectionScope, meta: RecordMeta) {
        self.id = id; self.scope = scope; self.meta = meta
    }
}

public enum ObjectionScope: String, Hashable, Sendable, Codable, CaseIterable {
    case transfer, processing, research, other
}

/// Rapportage: the day-to-day progress notes that make up most of a care dossier.
public struct ProgressReport: DossierRecord {
    public var id: String
    public var recordedAt: Timestamp?
    public var discipline: String?
    public var text: String = ""
    public var meta: RecordMeta

    public init(id: String, meta: RecordMeta) { self.id = id; self.meta = meta }
}

public struct CarePlan: DossierRecord {
    public var id: String
    public var title: String = ""
    public var startDate: LocalDate?
    public var endDate: LocalDate?
    public var goals: [String] = []
    public var text: String?
    /// The date the client (or representative) agreed to the plan.
    public var agreedOn: LocalDate?
    public var meta: RecordMeta

    public init(id: String, meta: RecordMeta) { self.id = id; self.meta = meta }
}

public struct Diagnosis: DossierRecord {
    public var id: String
    /// The coding system: "DSM-5", "ICD-10", "Omaha", or local.
    public var system: String?
    public var code: String?
    public var description: String = ""
    public var diagnosedOn: LocalDate?
    public var resolvedOn: LocalDate?
    public var meta: RecordMeta

    public init(id: String, meta: RecordMeta) { self.id = id; self.meta = meta }
}

/// One line of a medication administration list (kept 2 years, 15 after an incident).
public struct MedicationAdministration: DossierRecord {
    public var id: String
    public var medication: String = ""
    public var dose: String?
    public var route: String?
    public var scheduledAt: Timestamp?
    public var administeredAt: Timestamp?
    public var status: AdministrationStatus
    public var note: String?
    public var meta: RecordMeta

    public init(id: String, status: AdministrationStatus, meta: RecordMeta) {
        self.id = id; self.status = status; self.meta = meta
    }
}

public enum AdministrationStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case given, refused, missed, withheld
}

public struct Incident: DossierRecord {
    public var id: String
    public var occurredAt: Timestamp?
    /// MIC/MIM type: fall, medication, aggression, other.
    public var type: String = ""
    public var description: String = ""
    public var injury: String?
    public var measures: String?
    public var meta: RecordMeta

    public init(id: String, meta: RecordMeta) { self.id = id; self.meta = meta }
}

/// A freedom-restricting measure (Wzd/Wvggz): the law wants type, time, duration, reason, who, where.
public struct RestrictiveMeasure: DossierRecord {
    public var id: String
    public var type: String = ""
    public var startedAt: Timestamp?
    public var durationMinutes: Int?
    public var reason: String = ""
    public var responsiblePerson: String?
    public var location: String?
    public var legalFramework: String?
    public var meta: RecordMeta

    public init(id: String, meta: RecordMeta) { self.id = id; self.meta = meta }
}

/// A step taken under the domestic-violence and child-abuse reporting code (meldcode): very sensitive.
public struct DomesticViolenceReport: DossierRecord {
    public var id: String
    public var date: LocalDate?
    /// Meldcode step 1–5.
    public var step: Int?
    public var text: String = ""
    public var reportedToVeiligThuis: Bool = false
    public var meta: RecordMeta

    public init(id: String, meta: RecordMeta) { self.id = id; self.meta = meta }
}

/// A professional's personal work note: not part of what a client may inspect (seed 002 art. 12.3).
public struct WorkNote: DossierRecord {
    public var id: String
    public var recordedAt: Timestamp?
    public var text: String = ""
    public var meta: RecordMeta

    public init(id: String, meta: RecordMeta) { self.id = id; self.meta = meta }
}

/// Declarations and invoices (kept 7 years, fiscal).
public struct FinancialRecord: DossierRecord {
    public var id: String
    public var kind: FinancialKind
    public var number: String?
    public var date: LocalDate?
    public var periodStart: LocalDate?
    public var periodEnd: LocalDate?
    public var amount: Amount?
    /// ISO 4217; EUR in practice.
    public var currency: String = "EUR"
    public var status: String?
    public var description: String?
    public var meta: RecordMeta

    public init(id: String, kind: FinancialKind, meta: RecordMeta) { self.id = id; self.kind = kind; self.meta = meta }
}

public enum FinancialKind: String, Hashable, Sendable, Codable, CaseIterable { case invoice, declaration, payment, other }

public struct Appointment: DossierRecord {
    public var id: String
    public var start: Timestamp?
    public var end: Timestamp?
    public var kind: String?
    public var professional: String?
    public var location: String?
    public var status: AppointmentStatus
    public var meta: RecordMeta

    public init(id: String, status: AppointmentStatus, meta: RecordMeta) { self.id = id; self.status = status; self.meta = meta }
}

public enum AppointmentStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case planned, attended, noShow, cancelled
}

/// A binary document (letter, referral letter, scanned form): described here, its bytes travel beside.
public struct Document: DossierRecord {
    public var id: String
    public var title: String = ""
    public var kind: String?
    public var mediaType: String = "application/octet-stream"
    public var fileName: String?
    public var size: Int = 0
    /// Lower-case hex SHA-256 of the bytes, so a receiver can check each document on its own.
    public var sha256: String = ""
    /// Path of the bytes relative to the root of the export that carries them (the folder holding
    /// the dossier files, or a bundle's `data/` folder): `documents/<dossier id>/<id>.pdf`.
    public var path: String?
    public var documentDate: LocalDate?
    public var meta: RecordMeta

    public init(id: String, meta: RecordMeta) { self.id = id; self.meta = meta }
}

/// A correction or addition the client asked for (art. 16): kept beside the original, never over it
/// (seed 002 art. 13.2).
public struct Correction: DossierRecord {
    public var id: String
    /// The id of the record it concerns.
    public var targetRecord: String
    public var field: String?
    public var kind: CorrectionKind
    public var requestedOn: LocalDate?
    public var text: String = ""
    public var status: CorrectionStatus
    public var decidedOn: LocalDate?
    public var meta: RecordMeta

    public init(id: String, targetRecord: String, kind: CorrectionKind, status: CorrectionStatus, meta: RecordMeta) {
        self.id = id; self.targetRecord = targetRecord; self.kind = kind; self.status = status; self.meta = meta
    }
}

public enum CorrectionKind: String, Hashable, Sendable, Codable, CaseIterable { case correction, addition, statement }
public enum CorrectionStatus: String, Hashable, Sendable, Codable, CaseIterable { case requested, accepted, rejected }

/// A restriction of processing the client asked for (art. 18): which records, since when, why.
public struct Restriction: DossierRecord {
    public var id: String
    /// The ids of the records concerned; empty means the whole dossier.
    public var targetRecords: [String] = []
    public var requestedOn: LocalDate?
    public var until: LocalDate?
    public var reason: String?
    public var active: Bool = true
    public var meta: RecordMeta

    public init(id: String, meta: RecordMeta) { self.id = id; self.meta = meta }
}

/// One line of the access log (NEN 7513): who did what to which record, when, from where, on whose behalf.
public struct AccessLogEntry: DossierRecord {
    public var id: String
    public var at: Timestamp
    public var user: String
    public var role: String?
    /// The responsible user on whose behalf `user` acted, when different.
    public var responsibleUser: String?
    public var organisation: String?
    public var action: AccessAction
    /// The id of the record acted on; nil for the dossier as a whole.
    public var recordRef: String?
    /// NEN 7513's access point: the workstation or network address the event came from.
    public var accessPoint: String?
    /// The "noodknop": access under the emergency procedure.
    public var emergency: Bool = false
    public var meta: RecordMeta

    public init(id: String, at: Timestamp, user: String, action: AccessAction, meta: RecordMeta) {
        self.id = id; self.at = at; self.user = user; self.action = action; self.meta = meta
    }
}

public enum AccessAction: String, Hashable, Sendable, Codable, CaseIterable {
    case view, create, update, delete, print, export, `import`
}
