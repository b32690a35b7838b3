public import DossierModel

/// What an organisation configures once: who it is, why it processes, whom it shares with, and how
/// long it keeps each kind of data.
///
/// Retention is policy, not code (domain.md): the terms live here so that an organisation can set
/// them, and art. 15's information (purposes, recipients, retention) is printed from the same file
/// the export logic obeys.
public struct Organisation: Hashable, Sendable, Codable {
    public var controller: Controller
    public var processingPurposes: [ProcessingPurpose]
    public var recipientCategories: [String]
    public var retention: RetentionPolicy

    public init(controller: Controller, processingPurposes: [ProcessingPurpose] = [],
                recipientCategories: [String] = [], retention: RetentionPolicy = .wgbo2020) {
        self.controller = controller
        self.processingPurposes = processingPurposes
        self.recipientCategories = recipientCategories
        self.retention = retention
    }
}

/// A purpose of processing with its legal basis, as the privacy statement names it.
public struct ProcessingPurpose: Hashable, Sendable, Codable {
    public var purpose: String
    public var legalBasis: LegalBasis
    /// The GDPR art. 9(2) exception for health data, e.g. "art. 9(2)(h) GDPR with art. 30 UAVG".
    public var specialCategoryBasis: String?

    public init(purpose: String, legalBasis: LegalBasis, specialCategoryBasis: String? = nil) {
        self.purpose = purpose; self.legalBasis = legalBasis; self.specialCategoryBasis = specialCategoryBasis
    }
}

/// A retention term in years and months, counted from the record's creation date.
public struct RetentionTerm: Hashable, Sendable, Codable, CustomStringConvertible {
    public var years: Int
    public var months: Int

    public init(years: Int = 0, months: Int = 0) { self.years = years; self.months = months }

    public func end(from start: LocalDate) -> LocalDate { start.adding(years: years, months: months) }

    public var description: String {
        switch (years, months) {
        case (_, 0): "\(years) years"
        case (0, _): "\(months) months"
        default: "\(years) years \(months) months"
        }
    }
}

/// Terms per record category, with per-entity overrides such as medication administration lists.
public struct RetentionPolicy: Hashable, Sendable, Codable {
    public var categories: [RecordCategory: RetentionTerm]
    public var entities: [Entity: RetentionTerm]
    /// Medication administration lists are kept longer when an incident happened that day
    /// (2 years, 15 after an incident: seed 002 art. 17).
    public var medicationAfterIncident: RetentionTerm?

    public init(categories: [RecordCategory: RetentionTerm], entities: [Entity: RetentionTerm] = [:],
                medicationAfterIncident: RetentionTerm? = nil) {
        self.categories = categories; self.entities = entities; self.medicationAfterIncident = medicationAfterIncident
    }

    /// The defaults of the WGBO as amended in 2020: care 20 years, financial 7 (fiscal),
    /// medication administration lists 2 (15 after an incident), access logs 5 (NEN 7513 leaves
    /// the term to the organisation; set it to match its own policy).
    public static let wgbo2020 = RetentionPolicy(
        categories: [.care: RetentionTerm(years: 20), .personal: RetentionTerm(years: 20),
                     .administrative: RetentionTerm(years: 20), .log: RetentionTerm(years: 5),
                     .financial: RetentionTerm(years: 7)],
        entities: [.medicationAdministrations: RetentionTerm(years: 2)],
        medicationAfterIncident: RetentionTerm(years: 15))

    /// The term for one record: entity override first, then category.
    public func term(for entity: Entity, category: RecordCategory, incidentSameDay: Bool = false) -> RetentionTerm? {
        if entity == .medicationAdministrations, incidentSameDay, let t = medicationAfterIncident { return t }
        return entities[entity] ?? categories[category]
    }

    /// Fills `retentionUntil` where the source gave none, from the creation date.
    ///
    /// A source's own date wins: it may know of a legal hold or an extension this policy cannot see.
    /// Records without `createdAt` cannot be dated; each becomes a warning in `log`, at `origin`.
    /// A profile that maps no creation dates gives one for every record (2.4 million for a 246 MB
    /// dump), so past the log's limit they are counted without being made.
    public func fillRetention(in dossier: inout Dossier, log: inout DiagnosticLog, origin: SourceLocation? = nil) {
        struct Filler: SectionVisitor {
            let policy: RetentionPolicy
            let incidentDays: Set<LocalDate>
            let origin: SourceLocation?
            var log: DiagnosticLog
            mutating func visit<R: DossierRecord>(_ entity: Entity, _ records: inout [R]) {
                // Read through the buffer, in place: `records[i]` in this unspecialised code copied
                // the whole record for each property read. Written afterwards, and only where a
                // date was found, since writing copies the section (the caller still holds it).
                var ends: [(index: Int, end: LocalDate)] = []
                records.withUnsafeBufferPointer { records in
                    for i in records.indices {
                        let meta = records[i].meta
                        guard meta.retentionUntil == nil else { continue }
                        guard let created = meta.createdAt?.date else {
                            log.append(RetentionPolicy.undated, .warning,
                                       .warning(RetentionPolicy.undated, "record has no createdAt, so no retention date could be computed",
                                                at: origin, path: "$.\(entity.rawValue)", recordID: records[i].id))
                            continue
                        }
                        let m = records[i] as? MedicationAdministration
                        let day = m?.administeredAt?.date ?? m?.scheduledAt?.date
                        let term = policy.term(for: entity, category: meta.category,
                                               incidentSameDay: day.map(incidentDays.contains) ?? false)
                        if let term { ends.append((i, term.end(from: created))) }
                    }
                }
                for (i, end) in ends { records[i].meta.retentionUntil = end }
            }
        }
        var filler = Filler(policy: self, incidentDays: Set(dossier.incidents.compactMap { $0.occurredAt?.date }), origin: origin,
                            log: DiagnosticLog(limit: 0))
        // The log is moved in and out rather than copied, so that appending does not copy its list.
        swap(&filler.log, &log)
        dossier.visitSections(&filler)
        swap(&filler.log, &log)
    }

    static let undated = "retention.undated"
}
