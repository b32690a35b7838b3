/// Semantic checks the schemas cannot express: the elfproef, references between records, date order.
///
/// Returns diagnostics instead of throwing so that `validate` can report every problem in a file
/// at once. Messages name paths and record ids, never values.
public enum DossierValidator {
    public static func validate(_ d: Dossier) -> [Diagnostic] {
        var v = Checker()
        v.check(d)
        return v.diagnostics
    }

    /// As `validate`, for a caller that built the dossier holding its record ids as `ids`: each
    /// record's id, none empty, none twice (the assembler refuses such rows as it adds them). The
    /// ids are then not hashed and collected a second time for every record. When the number of
    /// records is not `ids.count`, the ids are checked as by `validate`.
    package static func validate(_ d: Dossier, recordIDs ids: Set<String>) -> [Diagnostic] {
        var v = Checker()
        v.check(d, recordIDs: ids)
        return v.diagnostics
    }
}

/// Checks every record's id and meta, section by section as its concrete type.
///
/// Visiting the typed arrays avoids boxing every record as `any DossierRecord`, and a record's
/// path is only spelt out when a diagnostic needs it: both used to cost more than all other checks.
private struct RecordChecker: SectionVisitor {
    var checker: Checker
    /// Record id → where it first occurs (section, index); not kept when `collectIDs` is false.
    var ids: [String: (entity: Entity, index: Int)] = [:]
    var collectIDs = true
    var count = 0

    static func path(_ entity: Entity, _ i: Int) -> String {
        entity == .client ? "$.client" : "$.\(entity.rawValue)[\(i)]"
    }

    mutating func visit<R: DossierRecord>(_ entity: Entity, _ records: inout [R]) {
        count += records.count
        if collectIDs, !records.isEmpty { ids.reserveCapacity(ids.count + records.count) }
        // By index, not `for r in records`: a copy of each record would retain every string in it.
        for i in records.indices {
            let id = records[i].id
            if id.isEmpty { checker.error("id.empty", "record has an empty id", Self.path(entity, i) + ".id") }
            else if collectIDs, let first = ids.updateValue((entity, i), forKey: id) {
                ids[id] = first
                checker.error("id.duplicate", "record id is already used at \(Self.path(first.entity, first.index))",
                              Self.path(entity, i) + ".id", id)
            }
            if let created = records[i].meta.createdAt, let until = records[i].meta.retentionUntil, until < created.date {
                checker.error("date.order", "retentionUntil is before createdAt", Self.path(entity, i) + ".meta.retentionUntil", id)
            }
        }
    }
}

private struct Checker {
    var diagnostics: [Diagnostic] = []

    mutating func error(_ code: String, _ message: String, _ path: String, _ id: String? = nil) {
        diagnostics.append(.error(code, message, path: path, recordID: id))
    }

    mutating func warning(_ code: String, _ message: String, _ path: String, _ id: String? = nil) {
        diagnostics.append(.warning(code, message, path: path, recordID: id))
    }

    /// `recordIDs`: see `DossierValidator.validate(_:recordIDs:)`.
    mutating func check(_ d: Dossier, recordIDs known: Set<String>? = nil) {
        if !Dossier.canRead(schemaVersion: d.schemaVersion) {
            error("schema.version", "unsupported schema version (this build reads \(Dossier.schemaVersion) and older minors)", "$.schemaVersion")
        }
        nonEmpty(d.id, "$.id", nil)
        checkController(d.controller)

        // Identifiers: unique and non-empty across all sections, since references do not name the section.
        let start = self
        var records = RecordChecker(checker: self, collectIDs: known == nil)
        var sections = d
        sections.visitSections(&records)
        if let known, records.count != known.count {
            records = RecordChecker(checker: start)
            sections.visitSections(&records)
        }
        self = records.checker
        let ids = records.ids
        let trusted = records.collectIDs ? nil : known
        func resolves(_ ref: String) -> Bool { trusted?.contains(ref) ?? (ids[ref] != nil) }

        let c = d.client
        nonEmpty(c.clientNumber, "$.client.clientNumber", c.id)
        nonEmpty(c.name.familyName, "$.client.name.familyName", c.id)
        if let bsn = c.bsn, !bsn.isValid {
            error("bsn.elfproef", "BSN fails the elfproef (11-test)", "$.client.bsn", c.id)
        }
        if let birth = c.dateOfBirth, let created = c.meta.createdAt, created.date < birth {
            warning("date.order", "record created before the client's date of birth", "$.client.meta.createdAt", c.id)
        }
        for (i, a) in c.addresses.enumerated() { checkAddress(a, "$.client.addresses[\(i)]", c.id) }
        for (i, p) in c.contacts.enumerated() { checkContact(p, "$.client.contacts[\(i)]", c.id) }

        for (i, r) in d.representatives.enumerated() {
            func p() -> String { "$.representatives[\(i)]" }
            nonEmpty(r.name.familyName, p() + ".name.familyName", r.id)
            period(r.validFrom, r.validUntil, p(), r.id)
            if let a = r.address { checkAddress(a, p() + ".address", r.id) }
            for (j, cp) in r.contacts.enumerated() { checkContact(cp, p() + ".contacts[\(j)]", r.id) }
            if let doc = r.documentRef, !d.documents.contains(where: { $0.id == doc }) {
                error("reference.unresolved", "documentRef names no document in this dossier", p() + ".documentRef", r.id)
            }
        }
        for (i, r) in d.referrals.enumerated() { period(r.validFrom, r.validUntil, "$.referrals[\(i)]", r.id) }
        for (i, r) in d.insurances.enumerated() { period(r.validFrom, r.validUntil, "$.insurances[\(i)]", r.id) }
        for (i, r) in d.consents.enumerated() {
            func p() -> String { "$.consents[\(i)]" }
            if r.givenBy != "client", r.givenBy != Consent.representativeNotIncluded,
               !d.representatives.contains(where: { $0.id == r.givenBy }) {
                error("reference.unresolved", "givenBy is neither 'client', 'representative' nor a representative id", p() + ".givenBy", r.id)
            }
            if r.status == .withdrawn, r.withdrawnOn == nil {
                error("consent.withdrawal", "withdrawn consent has no withdrawnOn date", p() + ".withdrawnOn", r.id)
            }
            if r.status != .withdrawn, r.withdrawnOn != nil {
                error("consent.withdrawal", "withdrawnOn is set but status is not 'withdrawn'", p() + ".status", r.id)
            }
            period(r.givenOn, r.withdrawnOn, p(), r.id, from: "givenOn", until: "withdrawnOn")
        }
        for (i, r) in d.carePlans.enumerated() {
            nonEmpty(r.title, "$.carePlans[\(i)].title", r.id)
            period(r.startDate, r.endDate, "$.carePlans[\(i)]", r.id, from: "startDate", until: "endDate")
        }
        for (i, r) in d.diagnoses.enumerated() {
            period(r.diagnosedOn, r.resolvedOn, "$.diagnoses[\(i)]", r.id, from: "diagnosedOn", until: "resolvedOn")
        }
        for (i, r) in d.medicationAdministrations.enumerated() { nonEmpty(r.medication, "$.medicationAdministrations[\(i)].medication", r.id) }
        for (i, r) in d.restrictiveMeasures.enumerated() {
            if let m = r.durationMinutes, m < 0 { error("value.range", "durationMinutes is negative", "$.restrictiveMeasures[\(i)].durationMinutes", r.id) }
        }
        for (i, r) in d.domesticViolenceReports.enumerated() {
            if let s = r.step, !(1...5).contains(s) { error("value.range", "meldcode step must be 1 to 5", "$.domesticViolenceReports[\(i)].step", r.id) }
        }
        // By index, reading the fields in place: binding each record copied it (a reference count
        // per text), and dossiers hold many financial records.
        for i in d.financialRecords.indices {
            func p() -> String { "$.financialRecords[\(i)]" }
            period(d.financialRecords[i].periodStart, d.financialRecords[i].periodEnd, p(), d.financialRecords[i].id,
                   from: "periodStart", until: "periodEnd")
            if !isUpperAlpha(d.financialRecords[i].currency, count: 3) {
                error("value.format", "currency is not an ISO 4217 code", p() + ".currency", d.financialRecords[i].id)
            }
        }
        for (i, r) in d.appointments.enumerated() {
            if let s = r.start, let e = r.end, e < s { error("date.order", "appointment ends before it starts", "$.appointments[\(i)].end", r.id) }
        }
        for (i, r) in d.documents.enumerated() {
            func p() -> String { "$.documents[\(i)]" }
            if r.size < 0 { error("value.range", "size is negative", p() + ".size", r.id) }
            if !isLowerHex(r.sha256, count: 64) { error("value.format", "sha256 is not 64 lower-case hex digits", p() + ".sha256", r.id) }
            if let path = r.path, !isSafeRelativePath(path) {
                error("value.format", "path must be relative, without '..', backslashes or empty segments", p() + ".path", r.id)
            }
        }
        for (i, r) in d.corrections.enumerated() {
            if !resolves(r.targetRecord) { error("reference.unresolved", "targetRecord names no record in this dossier", "$.corrections[\(i)].targetRecord", r.id) }
        }
        for (i, r) in d.restrictions.enumerated() {
            for (j, t) in r.targetRecords.enumerated() where !resolves(t) {
                error("reference.unresolved", "targetRecords entry names no record in this dossier", "$.restrictions[\(i)].targetRecords[\(j)]", r.id)
            }
            period(r.requestedOn, r.until, "$.restrictions[\(i)]", r.id, from: "requestedOn", until: "until")
        }
        for (i, r) in d.accessLog.enumerated() {
            nonEmpty(r.user, "$.accessLog[\(i)].user", r.id)
            if let ref = r.recordRef, !resolves(ref) {
                error("reference.unresolved", "recordRef names no record in this dossier", "$.accessLog[\(i)].recordRef", r.id)
            }
        }
    }

    mutating func checkController(_ c: Controller) {
        nonEmpty(c.name, "$.controller.name", nil)
        if !isDigits(c.kvkNumber, count: 8) { error("value.format", "kvkNumber is not 8 digits", "$.controller.kvkNumber") }
        if let a = c.address { checkAddress(a, "$.controller.address", nil) }
    }

    mutating func checkAddress(_ a: Address, _ path: @autoclosure () -> String, _ id: String?) {
        if !isUpperAlpha(a.country, count: 2) { error("value.format", "country is not an ISO 3166-1 alpha-2 code", path() + ".country", id) }
        if a.country == "NL", let pc = a.postalCode, !DutchPostalCode.isCanonical(pc) {
            error("value.format", "Dutch postal code is not in the form '1234 AB'", path() + ".postalCode", id)
        }
        period(a.validFrom, a.validUntil, path(), id)
    }

    mutating func checkContact(_ c: ContactPoint, _ path: @autoclosure () -> String, _ id: String?) {
        if c.value.isEmpty { error("value.empty", "contact value is empty", path() + ".value", id) }
        if c.system == .email, !c.value.contains("@") { error("value.format", "e-mail address has no '@'", path() + ".value", id) }
    }

    mutating func nonEmpty(_ s: String, _ path: @autoclosure () -> String, _ id: String?) {
        if s.allSatisfy(\.isWhitespace) { error("value.empty", "required text is empty", path(), id) }
    }

    mutating func period(_ from: LocalDate?, _ until: LocalDate?, _ path: @autoclosure () -> String, _ id: String?,
                         from fromName: String = "validFrom", until untilName: String = "validUntil") {
        if let f = from, let u = until, u < f {
            error("date.order", "\(untilName) is before \(fromName)", "\(path()).\(untilName)", id)
        }
    }
}

func isDigits(_ s: String, count: Int) -> Bool {
    s.utf8.count == count && s.utf8.allSatisfy { (0x30...0x39).contains($0) }
}

func isUpperAlpha(_ s: String, count: Int) -> Bool {
    s.utf8.count == count && s.utf8.allSatisfy { (0x41...0x5A).contains($0) }
}

func isLowerHex(_ s: String, count: Int) -> Bool {
    s.utf8.count == count && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
}

/// A relative path that cannot climb out of the folder it is resolved in; shared by documents in a
/// dossier and entries in a bundle, which must obey the same rule.
public func isSafeRelativePath(_ path: String) -> Bool {
    guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(0x5C), !path.utf8.contains(0) else { return false }
    return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { $0 != "" && $0 != "." && $0 != ".." }
}
