public import DossierModel
import DossierFormats
import DossierCrypto

/// A column of the staging schema.
struct SQLColumn: Sendable {
    let name: String
    let type: SQLType
    var notNull = false
}

/// One row to load: its values in column order, and for a document the payload path whose bytes
/// fill the trailing `content` column.
struct SQLRow {
    var values: [SQLValue]
    var payload: String?
}

/// A table of the staging schema and how a dossier fills it.
protocol SQLTable: Sendable {
    var name: String { get }
    /// Nil for `dossiers`, which is not a section but what sections hang from.
    var entity: Entity? { get }
    var columns: [SQLColumn] { get }
    var keys: [String] { get }
    /// Hands `body` the rows of `d` one at a time. `json` writes each record's canonical JSON (one
    /// reused buffer for the whole bundle), and the row's storage is reused for the next row, so
    /// it is valid only during the call: a fresh array per row was a tenth of the import.
    func forEachRow(of d: Dossier, json: RecordJSONWriter, _ body: (SQLRow) throws -> Void) throws
}

/// A value a record contributes to one column.
struct SQLField<R>: Sendable {
    let name: String
    let type: SQLType
    let value: @Sendable (R) throws -> SQLValue

    init(_ name: String, _ type: SQLType = .text, _ value: @escaping @Sendable (R) throws -> SQLValue) {
        self.name = name; self.type = type; self.value = value
    }

    static func json(_ name: String, _ get: @escaping @Sendable (R) -> any Encodable) -> SQLField {
        SQLField(name, .json) { .text(String(decoding: try JSONByteEncoder.encode(get($0), style: .compact), as: UTF8.self)) }
    }

    static func name(_ get: @escaping @Sendable (R) -> PersonName) -> [SQLField] {
        [SQLField("initials") { .init(get($0).initials) }, SQLField("given_names") { .init(get($0).givenNames) },
         SQLField("call_name") { .init(get($0).callName) }, SQLField("name_prefix") { .init(get($0).prefix) },
         SQLField("family_name") { .init(get($0).familyName) }, SQLField("partner_prefix") { .init(get($0).partnerPrefix) },
         SQLField("partner_family_name") { .init(get($0).partnerFamilyName) }]
    }
}

/// The table of one section: keys, the section's own fields, the metadata every record carries,
/// and the record's canonical JSON with its digest, which is what decides "changed".
struct RecordTable<R: DossierRecord>: SQLTable {
    let name: String
    let section: Entity
    let fields: [SQLField<R>]
    var payload: (@Sendable (R) -> String?)?

    var entity: Entity? { section }
    static var keyColumns: [SQLColumn] {
        ["origin_kvk", "dossier_id", "record_id"].map { SQLColumn(name: $0, type: .key, notNull: true) }
    }
    static var metaColumns: [SQLColumn] {
        let spec: [(String, SQLType)] = [("category", .key), ("provenance", .key), ("legal_basis", .key), ("created_at", .key), ("author", .text),
         ("retention_until", .date), ("restricted", .boolean), ("contains_third_party_data", .boolean),
         ("source_file", .text), ("source_line", .integer), ("source_column", .integer), ("source_table", .text),
         ("source_key", .text), ("source_entry", .text)]
        return spec.map { SQLColumn(name: $0.0, type: $0.1) }
    }

    var keys: [String] { Self.keyColumns.map(\.name) }
    var columns: [SQLColumn] {
        Self.keyColumns + fields.map { SQLColumn(name: $0.name, type: $0.type) } + Self.metaColumns
            + [SQLColumn(name: "record_json", type: .json, notNull: true), SQLColumn(name: "row_digest", type: .digest, notNull: true)]
            + (payload == nil ? [] : [SQLColumn(name: "content", type: .blob)])
    }

    func forEachRow(of d: Dossier, json: RecordJSONWriter, _ body: (SQLRow) throws -> Void) throws {
        var row = SQLRow(values: [], payload: nil)
        for any in d.records(section) {
            let r = any as! R
            let (text, digest) = try json.withJSON(of: r) { bytes in
                let h = try Digester(.sha256)
                try h.write(bytes)
                return (String(decoding: bytes, as: UTF8.self), try h.finalize().hexString)
            }
            let m = r.meta, s = m.source
            row.values.removeAll(keepingCapacity: true)
            row.values.append(.text(d.controller.kvkNumber))
            row.values.append(.text(d.id))
            row.values.append(.text(r.id))
            for f in fields { row.values.append(try f.value(r)) }
            row.values.append(.init(m.category)); row.values.append(.init(m.provenance)); row.values.append(.init(m.legalBasis))
            row.values.append(.init(m.createdAt)); row.values.append(.init(m.author)); row.values.append(.init(m.retentionUntil))
            row.values.append(.init(m.restricted)); row.values.append(.init(m.containsThirdPartyData))
            row.values.append(.init(s?.file)); row.values.append(.init(s?.line)); row.values.append(.init(s?.column))
            row.values.append(.init(s?.table)); row.values.append(.init(s?.key)); row.values.append(.init(s?.entry))
            row.values.append(.text(text)); row.values.append(.text(digest))
            row.payload = payload.flatMap { $0(r) }
            try body(row)
        }
    }
}

/// `dossiers`: one row per (sender, dossier), the parent every record row refers to.
struct DossierTable: SQLTable {
    var name: String { "dossiers" }
    var entity: Entity? { nil }
    var keys: [String] { ["origin_kvk", "dossier_id"] }
    var columns: [SQLColumn] {
        keys.map { SQLColumn(name: $0, type: .key, notNull: true) }
            + ["controller_name", "controller_agb", "controller_ura", "source_system", "schema_version"].map { SQLColumn(name: $0, type: .text) }
            + [SQLColumn(name: "row_digest", type: .digest, notNull: true)]
    }

    func forEachRow(of d: Dossier, json: RecordJSONWriter, _ body: (SQLRow) throws -> Void) throws {
        let own: [String?] = [d.controller.name, d.controller.agbCode, d.controller.uraNumber, d.sourceSystem, d.schemaVersion]
        let digest = try Digester.hash(.sha256, try JSONByteEncoder.encode(own, style: .compact)).hexString
        try body(SQLRow(values: [.text(d.controller.kvkNumber), .text(d.id)] + own.map { SQLValue($0) } + [.text(digest)]))
    }
}

/// The staging schema: `formats/staging/README.md` documents it; `formats/staging/<dialect>.sql`
/// is `SQLStagingSchema.ddl(for:)` written out, and a test keeps the two equal.
public enum SQLStagingSchema {
    static let dossiers = DossierTable()

    /// Section tables in model order; the client table comes first because conflicts are judged on it.
    static let records: [any SQLTable] = [
        RecordTable<Client>(name: "clients", section: .client, fields: [
            SQLField("client_number") { .init($0.clientNumber) }, SQLField("bsn", .key) { .init($0.bsn?.digits) },
        ] + SQLField.name(\.name) + [
            SQLField("date_of_birth", .date) { .init($0.dateOfBirth) }, SQLField("place_of_birth") { .init($0.placeOfBirth) },
            SQLField("gender") { .init($0.gender) }, SQLField("civil_status") { .init($0.civilStatus) },
            SQLField("nationality") { .init($0.nationality) }, SQLField("living_situation") { .init($0.livingSituation) },
            .json("addresses") { $0.addresses }, .json("contacts") { $0.contacts },
        ]),
        RecordTable<Representative>(name: "representatives", section: .representatives, fields: [
            SQLField("kind") { .init($0.kind) },
        ] + SQLField.name(\.name) + [
            SQLField("relationship") { .init($0.relationship) }, SQLField("has_legal_authority", .boolean) { .init($0.hasLegalAuthority) },
            SQLField("valid_from", .date) { .init($0.validFrom) }, SQLField("valid_until", .date) { .init($0.validUntil) },
            .json("address") { $0.address }, .json("contacts") { $0.contacts }, SQLField("document_ref") { .init($0.documentRef) },
        ]),
        RecordTable<Referral>(name: "referrals", section: .referrals, fields: [
            SQLField("referrer_type") { .init($0.referrerType) }, SQLField("referrer_name") { .init($0.referrerName) },
            SQLField("referrer_code") { .init($0.referrerCode) }, SQLField("framework") { .init($0.framework) },
            SQLField("decision_number") { .init($0.decisionNumber) }, SQLField("product_code") { .init($0.productCode) },
            SQLField("product_description") { .init($0.productDescription) },
            SQLField("valid_from", .date) { .init($0.validFrom) }, SQLField("valid_until", .date) { .init($0.validUntil) },
        ]),
        RecordTable<Insurance>(name: "insurances", section: .insurances, fields: [
            SQLField("framework") { .init($0.framework) }, SQLField("insurer_name") { .init($0.insurerName) },
            SQLField("insurer_code") { .init($0.insurerCode) }, SQLField("policy_number") { .init($0.policyNumber) },
            SQLField("valid_from", .date) { .init($0.validFrom) }, SQLField("valid_until", .date) { .init($0.validUntil) },
        ]),
        RecordTable<Consent>(name: "consents", section: .consents, fields: [
            SQLField("purpose") { .init($0.purpose) }, SQLField("recipient") { .init($0.recipient) },
            SQLField("status") { .init($0.status) }, SQLField("given_by") { .init($0.givenBy) },
            SQLField("given_on", .date) { .init($0.givenOn) }, SQLField("withdrawn_on", .date) { .init($0.withdrawnOn) },
        ]),
        RecordTable<Objection>(name: "objections", section: .objections, fields: [
            SQLField("scope") { .init($0.scope) }, SQLField("made_on", .date) { .init($0.madeOn) },
            SQLField("upheld", .boolean) { .init($0.upheld) },
        ]),
        RecordTable<ProgressReport>(name: "progress_reports", section: .progressReports, fields: [
            SQLField("recorded_at", .key) { .init($0.recordedAt) }, SQLField("discipline") { .init($0.discipline) },
            SQLField("text") { .init($0.text) },
        ]),
        RecordTable<CarePlan>(name: "care_plans", section: .carePlans, fields: [
            SQLField("title") { .init($0.title) }, SQLField("start_date", .date) { .init($0.startDate) },
            SQLField("end_date", .date) { .init($0.endDate) }, .json("goals") { $0.goals }, SQLField("text") { .init($0.text) },
            SQLField("agreed_on", .date) { .init($0.agreedOn) },
        ]),
        RecordTable<Diagnosis>(name: "diagnoses", section: .diagnoses, fields: [
            SQLField("coding_system") { .init($0.system) }, SQLField("code") { .init($0.code) },
            SQLField("description") { .init($0.description) }, SQLField("diagnosed_on", .date) { .init($0.diagnosedOn) },
            SQLField("resolved_on", .date) { .init($0.resolvedOn) },
        ]),
        RecordTable<MedicationAdministration>(name: "medication_administrations", section: .medicationAdministrations, fields: [
            SQLField("medication") { .init($0.medication) }, SQLField("dose") { .init($0.dose) }, SQLField("route") { .init($0.route) },
            SQLField("scheduled_at", .key) { .init($0.scheduledAt) }, SQLField("administered_at", .key) { .init($0.administeredAt) },
            SQLField("status") { .init($0.status) }, SQLField("note") { .init($0.note) },
        ]),
        RecordTable<Incident>(name: "incidents", section: .incidents, fields: [
            SQLField("occurred_at", .key) { .init($0.occurredAt) }, SQLField("incident_type") { .init($0.type) },
            SQLField("description") { .init($0.description) }, SQLField("injury") { .init($0.injury) },
            SQLField("measures") { .init($0.measures) },
        ]),
        RecordTable<RestrictiveMeasure>(name: "restrictive_measures", section: .restrictiveMeasures, fields: [
            SQLField("measure_type") { .init($0.type) }, SQLField("started_at", .key) { .init($0.startedAt) },
            SQLField("duration_minutes", .integer) { .init($0.durationMinutes) }, SQLField("reason") { .init($0.reason) },
            SQLField("responsible_person") { .init($0.responsiblePerson) }, SQLField("location") { .init($0.location) },
            SQLField("legal_framework") { .init($0.legalFramework) },
        ]),
        RecordTable<DomesticViolenceReport>(name: "domestic_violence_reports", section: .domesticViolenceReports, fields: [
            SQLField("report_date", .date) { .init($0.date) }, SQLField("step", .integer) { .init($0.step) },
            SQLField("text") { .init($0.text) }, SQLField("reported_to_veilig_thuis", .boolean) { .init($0.reportedToVeiligThuis) },
        ]),
        RecordTable<WorkNote>(name: "work_notes", section: .workNotes, fields: [
            SQLField("recorded_at", .key) { .init($0.recordedAt) }, SQLField("text") { .init($0.text) },
        ]),
        RecordTable<FinancialRecord>(name: "financial_records", section: .financialRecords, fields: [
            SQLField("kind") { .init($0.kind) }, SQLField("number") { .init($0.number) },
            SQLField("record_date", .date) { .init($0.date) }, SQLField("period_start", .date) { .init($0.periodStart) },
            SQLField("period_end", .date) { .init($0.periodEnd) },
            SQLField("amount_cents", .integer) { $0.amount.map { .integer($0.cents) } ?? .null },
            SQLField("currency", .key) { .init($0.currency) }, SQLField("status") { .init($0.status) },
            SQLField("description") { .init($0.description) },
        ]),
        RecordTable<Appointment>(name: "appointments", section: .appointments, fields: [
            SQLField("starts_at", .key) { .init($0.start) }, SQLField("ends_at", .key) { .init($0.end) },
            SQLField("kind") { .init($0.kind) }, SQLField("professional") { .init($0.professional) },
            SQLField("location") { .init($0.location) }, SQLField("status") { .init($0.status) },
        ]),
        RecordTable<Document>(name: "documents", section: .documents, fields: [
            SQLField("title") { .init($0.title) }, SQLField("kind") { .init($0.kind) }, SQLField("media_type") { .init($0.mediaType) },
            SQLField("file_name") { .init($0.fileName) }, SQLField("size", .integer) { .init($0.size) },
            SQLField("sha256", .key) { .init($0.sha256) }, SQLField("path") { .init($0.path) },
            SQLField("document_date", .date) { .init($0.documentDate) },
        ], payload: { $0.path.map { "data/" + $0 } }),
        RecordTable<Correction>(name: "corrections", section: .corrections, fields: [
            SQLField("target_record", .key) { .init($0.targetRecord) }, SQLField("field") { .init($0.field) },
            SQLField("kind") { .init($0.kind) }, SQLField("requested_on", .date) { .init($0.requestedOn) },
            SQLField("text") { .init($0.text) }, SQLField("status") { .init($0.status) },
            SQLField("decided_on", .date) { .init($0.decidedOn) },
        ]),
        RecordTable<Restriction>(name: "restrictions", section: .restrictions, fields: [
            .json("target_records") { $0.targetRecords }, SQLField("requested_on", .date) { .init($0.requestedOn) },
            SQLField("restricted_until", .date) { .init($0.until) }, SQLField("reason") { .init($0.reason) },
            SQLField("active", .boolean) { .init($0.active) },
        ]),
        RecordTable<AccessLogEntry>(name: "access_log", section: .accessLog, fields: [
            SQLField("logged_at", .key) { .init($0.at) }, SQLField("user_name") { .init($0.user) }, SQLField("role") { .init($0.role) },
            SQLField("responsible_user") { .init($0.responsibleUser) }, SQLField("organisation") { .init($0.organisation) },
            SQLField("action") { .init($0.action) }, SQLField("record_ref", .key) { .init($0.recordRef) },
            SQLField("access_point") { .init($0.accessPoint) }, SQLField("emergency", .boolean) { .init($0.emergency) },
        ]),
    ]

    /// Every table a bundle fills, parents first: the order of staging, merging and the summary.
    static var tables: [any SQLTable] { [dossiers] + records }

    /// The table of a section.
    public static func tableName(_ e: Entity) -> String { records.first { $0.entity == e }!.name }

    /// `CREATE TABLE IF NOT EXISTS` for every table, so the script may run against a database that
    /// already holds the schema (or earlier imports).
    public static func ddl(for dialect: SQLDialect) -> String {
        var s = "-- Dossierport staging schema (\(dialect.rawValue)): formats/staging/README.md describes it.\n"
        for t in tables {
            var lines = t.columns.map { "  \($0.name) \(dialect.type($0.type))\($0.notNull ? " NOT NULL" : "")" }
            lines.append("  PRIMARY KEY (\(t.keys.joined(separator: ", ")))")
            if t.entity != nil {
                lines.append("  FOREIGN KEY (origin_kvk, dossier_id) REFERENCES dossiers (origin_kvk, dossier_id)")
            }
            if t.entity == .client && dialect == .mysql { lines.append("  INDEX clients_bsn (bsn)") }
            s += "CREATE TABLE IF NOT EXISTS \(t.name) (\n\(lines.joined(separator: ",\n"))\n)\(dialect.tableOptions);\n"
            if t.entity == .client && dialect != .mysql { s += "CREATE INDEX IF NOT EXISTS clients_bsn ON clients (bsn);\n" }
        }
        let key = dialect.type(.key), digest = dialect.type(.digest), int = dialect.type(.integer), json = dialect.type(.json)
        s += """
        CREATE TABLE IF NOT EXISTS imports (
          bundle_digest \(digest) NOT NULL,
          bundle_id \(key) NOT NULL,
          sender_name \(dialect.type(.text)),
          sender_kvk \(key) NOT NULL,
          purpose \(key) NOT NULL,
          created_at \(key) NOT NULL,
          imported_at \(dialect.loadedAtColumn),
          dossiers \(int) NOT NULL,
          records \(int) NOT NULL,
          documents \(int) NOT NULL,
          counts_json \(json) NOT NULL,
          conflicts \(int) NOT NULL,
          PRIMARY KEY (bundle_digest)
        )\(dialect.tableOptions);
        CREATE TABLE IF NOT EXISTS import_conflicts (
          bundle_digest \(digest) NOT NULL,
          origin_kvk \(key) NOT NULL,
          dossier_id \(key) NOT NULL,
          bundle_id \(key) NOT NULL,
          client_record_id \(key) NOT NULL,
          reason \(key) NOT NULL,
          detected_at \(dialect.loadedAtColumn),
          PRIMARY KEY (bundle_digest, origin_kvk, dossier_id)
        )\(dialect.tableOptions);

        """
        return s
    }
}
