public import DossierModel

/// Why an export is made; the reason decides what goes in (formats/purposes.md).
public enum ExportPurpose: String, Hashable, Sendable, Codable, CaseIterable {
    /// GDPR art. 15, inzage en afschrift: everything about the client except work notes.
    case access
    /// GDPR art. 20: only what the client provided, processed on consent or contract.
    case portability
    /// Transfer of the registration to a new holder (seed 002 art. 27): the complete dossier.
    case transfer
}

extension ExportPurpose {
    /// The legal ground an export for this purpose rests on, as the export log records it.
    public var legalReference: String {
        switch self {
        case .access: "GDPR art. 15 (right of access)"
        case .portability: "GDPR art. 20 (data portability)"
        case .transfer: "transfer of the registration to a new holder (GDPR art. 6(1)(f); WGBO)"
        }
    }
}

/// Why a record was left out or redacted; printed in reports and in the access copy.
public enum ScopeReason: String, Hashable, Sendable, Codable, CaseIterable {
    /// A professional's personal work note (seed 002 art. 12.3) never leaves the organisation.
    case workNote
    /// The record names third parties whose weighty interests may outweigh access (art. 15(4), 20(4)).
    case thirdPartyData
    /// Portability covers only data the client provided themselves.
    case notProvidedByClient
    /// Portability covers only processing based on consent or contract (art. 20(1)(a)).
    case notConsentOrContract
    /// Past its retention date: to be destroyed, never sent.
    case pastRetention
    /// The client objected to the transfer of their registration.
    case clientObjected
}

public enum ScopeDecision: Hashable, Sendable {
    case include
    case exclude(ScopeReason)
    case redact(ScopeReason)
}

/// A record left out or redacted by a purpose, named by id only.
public struct ScopeNote: Hashable, Sendable, Codable {
    public var entity: Entity
    public var recordID: String
    public var action: Action
    public var reason: ScopeReason

    public enum Action: String, Hashable, Sendable, Codable { case excluded, redacted, kept }

    public init(entity: Entity, recordID: String, action: Action, reason: ScopeReason) {
        self.entity = entity; self.recordID = recordID; self.action = action; self.reason = reason
    }
}

/// A scope note together with the dossier it belongs to, as reports and bundle manifests list them.
public struct ScopeEntry: Hashable, Sendable, Codable {
    public var dossier: String
    public var note: ScopeNote
    public init(dossier: String, note: ScopeNote) { self.dossier = dossier; self.note = note }
}

/// A dossier cut to a purpose, with the account of what was cut.
public struct ScopedDossier: Sendable {
    /// Nil when the purpose excludes the whole dossier (a client who objected to transfer).
    public var dossier: Dossier?
    public var notes: [ScopeNote]
}

/// The inclusion rules per purpose: the only place they are decided.
///
/// Getting the scope wrong is itself a data breach, so every export path calls `apply` and nothing
/// else filters records by purpose. The matrix in formats/purposes.md is this function in prose;
/// the tests check both against the fixtures.
public enum PurposePolicy {
    /// Shown where redacted text was: visible, so a reader knows something was withheld and why.
    public static let placeholder = "[withheld: contains data about third parties (GDPR art. 15(4))]"

    /// The decision for one record; rules apply in order and the first that matches wins.
    public static func decide(_ entity: Entity, _ record: any DossierRecord, for purpose: ExportPurpose,
                              today: LocalDate) -> ScopeDecision {
        let m = record.meta
        if entity != .client, let until = m.retentionUntil, until < today { return .exclude(.pastRetention) }
        if entity == .workNotes { return .exclude(.workNote) }
        if purpose == .portability, entity != .client {
            if m.provenance != .client { return .exclude(.notProvidedByClient) }
            if m.legalBasis != .consent && m.legalBasis != .contract { return .exclude(.notConsentOrContract) }
        }
        if m.containsThirdPartyData && purpose != .transfer { return .redact(.thirdPartyData) }
        return .include
    }

    /// The dossier as the purpose allows it to leave, with a note for every record cut or redacted.
    public static func apply(_ purpose: ExportPurpose, to dossier: Dossier, today: LocalDate) -> ScopedDossier {
        if purpose == .transfer,
           let objection = dossier.objections.first(where: { $0.scope == .transfer && $0.upheld }) {
            return ScopedDossier(dossier: nil, notes: [ScopeNote(entity: .objections, recordID: objection.id,
                                                                 action: .excluded, reason: .clientObjected)])
        }
        struct Cutter: SectionVisitor {
            let purpose: ExportPurpose
            let today: LocalDate
            var notes: [ScopeNote] = []
            mutating func visit<R: DossierRecord>(_ entity: Entity, _ records: inout [R]) {
                var kept: [R] = []
                for r in records {
                    switch PurposePolicy.decide(entity, r, for: purpose, today: today) {
                    case .include:
                        kept.append(r)
                        if entity == .client, let u = r.meta.retentionUntil, u < today {
                            notes.append(ScopeNote(entity: entity, recordID: r.id, action: .kept, reason: .pastRetention))
                        }
                    case .exclude(let reason):
                        notes.append(ScopeNote(entity: entity, recordID: r.id, action: .excluded, reason: reason))
                    case .redact(let reason):
                        kept.append(Redaction.redacted(r, with: PurposePolicy.placeholder))
                        notes.append(ScopeNote(entity: entity, recordID: r.id, action: .redacted, reason: reason))
                    }
                }
                records = kept
            }
        }
        var d = dossier
        var cutter = Cutter(purpose: purpose, today: today)
        d.visitSections(&cutter)
        // References to records that were cut would dangle; drop them so the result still validates.
        let ids = Set(d.allRecords.map(\.record.id))
        d.corrections.removeAll { c in
            guard !ids.contains(c.targetRecord) else { return false }
            cutter.notes.append(ScopeNote(entity: .corrections, recordID: c.id, action: .excluded,
                                          reason: cutNoteReason(for: c.targetRecord, in: cutter.notes)))
            return true
        }
        for i in d.restrictions.indices { d.restrictions[i].targetRecords.removeAll { !ids.contains($0) } }
        for i in d.accessLog.indices where d.accessLog[i].recordRef.map({ !ids.contains($0) }) ?? false {
            d.accessLog[i].recordRef = nil
        }
        for i in d.consents.indices where d.consents[i].givenBy != "client" && !ids.contains(d.consents[i].givenBy) {
            d.consents[i].givenBy = Consent.representativeNotIncluded
        }
        for i in d.representatives.indices where d.representatives[i].documentRef.map({ !ids.contains($0) }) ?? false {
            d.representatives[i].documentRef = nil
        }
        return ScopedDossier(dossier: d, notes: cutter.notes)
    }

    private static func cutNoteReason(for target: String, in notes: [ScopeNote]) -> ScopeReason {
        notes.first { $0.recordID == target }?.reason ?? .notProvidedByClient
    }
}

/// Replaces a record's free text by a placeholder, keeping its dates, ids and metadata visible.
///
/// The one list of which fields are free text, shared by purpose redaction and pseudonymisation.
enum Redaction {
    static func redacted<R: DossierRecord>(_ record: R, with p: String) -> R {
        switch record {
        case var r as Client: r.livingSituation = r.livingSituation.map { _ in p }; return r as! R
        case var r as WorkNote: r.text = p; return r as! R
        case var r as Consent: r.recipient = r.recipient.map { _ in p }; return r as! R
        case var r as ProgressReport: r.text = p; return r as! R
        case var r as CarePlan: r.text = r.text.map { _ in p }; r.goals = r.goals.map { _ in p }; return r as! R
        case var r as Diagnosis: r.description = p; return r as! R
        case var r as MedicationAdministration: r.note = r.note.map { _ in p }; return r as! R
        case var r as Incident:
            r.description = p; r.injury = r.injury.map { _ in p }; r.measures = r.measures.map { _ in p }
            return r as! R
        case var r as RestrictiveMeasure: r.reason = p; return r as! R
        case var r as DomesticViolenceReport: r.text = p; return r as! R
        case var r as FinancialRecord: r.description = r.description.map { _ in p }; return r as! R
        case var r as Correction: r.text = p; return r as! R
        case var r as Restriction: r.reason = r.reason.map { _ in p }; return r as! R
        case var r as Document:
            // The bytes cannot be redacted line by line, so the file stays behind.
            r.title = p; r.path = nil; r.fileName = nil
            return r as! R
        case var r as Representative:
            r.name = PersonName(familyName: p); r.address = nil; r.contacts = []; r.relationship = nil
            return r as! R
        default:
            return record
        }
    }
}
