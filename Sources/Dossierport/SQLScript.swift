import DossierModel
import DossierIO
import DossierFormats
import DossierCrypto
import DossierBundle

/// What the script records about the bundle it loads (the `imports` row and conflict keys).
struct SQLBundleFacts {
    var bundleID: String
    /// Lower-case hex SHA-256 of the bundle's tag manifest: it covers bag-info, the payload
    /// manifest and so every payload byte, which makes it the bundle's identity for "already imported".
    var digest: String
    var manifest: ExportManifest
    var dossiers: DossierList
}

extension SQLBundleFacts {
    init(_ manifest: ExportManifest, _ dossiers: DossierList, _ store: any BagStore) throws {
        let tag = store.fileSize("tagmanifest-sha256.txt") != nil ? "tagmanifest-sha256.txt" : "manifest-sha256.txt"
        self.init(bundleID: manifest.bundleID, digest: try Digester.hash(.sha256, try store.bytes(tag)).hexString, manifest: manifest,
                  dossiers: dossiers)
    }
}

/// One dossier's rows as script text, and where in it each document's bytes (as hex) belong:
/// rendered apart from the script, so several cores can render dossiers while one writes them.
struct RenderedDossier: Sendable {
    var text: [UInt8] = []
    var documents: [(offset: Int, path: String)] = []
}

/// Renders dossiers into script text; one per thread, as it reuses its JSON writer and buffers.
final class SQLDossierRenderer: @unchecked Sendable {
    let dialect: SQLDialect
    /// The bundle, for messages.
    private let location: String
    private let json = RecordJSONWriter()
    /// Per staged table, its `INSERT INTO stage_… (columns) VALUES` line and whether its rows end
    /// in document content: worked out once, not for every dossier and row.
    private let inserts: [(table: any SQLTable, head: [UInt8], blob: Bool)]

    init(dialect: SQLDialect, location: String) {
        self.dialect = dialect; self.location = location
        inserts = SQLStagingSchema.tables.map { t in
            let columns = t.columns
            return (t, Array("INSERT INTO stage_\(t.name) (\(columns.map(\.name).joined(separator: ", "))) VALUES\n".utf8),
                    columns.last?.type == .blob)
        }
    }

    /// One dossier's rows, a multi-row `INSERT` per staged table that has any. `documents` are
    /// the payload paths export.json lists for it: a document record may only pull bytes from those.
    func render(_ d: Dossier, documents: Set<String>) throws -> RenderedDossier {
        var r = RenderedDossier()
        for (t, head, blob) in inserts {
            var first = true
            try t.forEachRow(of: d, json: json) { row in
                if first { r.text.append(contentsOf: head) }
                r.text.append(contentsOf: first ? "(".utf8 : ",\n(".utf8)
                first = false
                for (j, v) in row.values.enumerated() {
                    if j > 0 { r.text.append(contentsOf: ", ".utf8) }
                    try dialect.append(v, to: &r.text)
                }
                if blob { try appendPayload(row.payload, documents: documents, dossier: d.id, to: &r) }
                r.text.append(UInt8(ascii: ")"))
            }
            if !first { r.text.append(contentsOf: ";\n".utf8) }
        }
        return r
    }

    private func appendPayload(_ path: String?, documents: Set<String>, dossier: String, to r: inout RenderedDossier) throws {
        guard let path else { r.text.append(contentsOf: ", NULL".utf8); return }
        guard documents.contains(path) else {
            throw DossierError("import.document-path", "a document record points at a file export.json does not list for its dossier",
                               at: SourceLocation(file: location, entry: path), recordID: dossier)
        }
        r.text.append(contentsOf: ", ".utf8)
        dialect.appendBlobOpen(to: &r.text)
        r.documents.append((r.text.count, path))
        dialect.appendBlobClose(to: &r.text)
    }
}

/// Writes one single-transaction SQL script that merges a bundle into the staging schema.
///
/// The generator cannot see the target database, so every decision that depends on what the
/// database holds is made by the script: rows go first into temporary `stage_*` tables (one
/// dossier at a time, so memory stays flat), then guarded set statements record conflicts, count
/// what will be added/updated/unchanged/rejected, drop rejected dossiers from the stage, and merge
/// with the dialect's upsert, updating a row only when its digest changed and only when it has the
/// same origin (sender KvK, dossier id, record id) — rows the receiver added carry another origin
/// and are never matched.
final class SQLScriptWriter {
    let dialect: SQLDialect
    let facts: SQLBundleFacts
    private let out: any ByteSink
    private let store: any BagStore
    private var buf: [UInt8] = []

    init(dialect: SQLDialect, facts: SQLBundleFacts, store: any BagStore, to out: any ByteSink) {
        self.dialect = dialect; self.facts = facts; self.store = store; self.out = out
    }

    private func emit(_ s: String) { buf.append(contentsOf: s.utf8) }
    private func lit(_ v: SQLValue) throws { try dialect.append(v, to: &buf) }
    private func flush() throws { try out.write(buf); buf.removeAll(keepingCapacity: true) }
    private var digest: String { "'\(facts.digest)'" }

    func begin(includeDDL: Bool) throws {
        emit("-- Dossierport import script (\(dialect.rawValue)), staging schema formats/staging/\(dialect.rawValue).sql\n-- bundle ")
        try lit(.text(facts.bundleID))
        emit(", tag manifest SHA-256 \(facts.digest)\n")
        emit(dialect.prelude)
        // MariaDB commits implicitly on CREATE TABLE, so its schema goes before the transaction;
        // PostgreSQL and SQLite roll the schema back with everything else.
        if dialect == .mysql && includeDDL { emit(SQLStagingSchema.ddl(for: dialect)) }
        emit(dialect.begin)
        if dialect != .mysql && includeDDL { emit(SQLStagingSchema.ddl(for: dialect)) }
        for t in SQLStagingSchema.tables {
            let cols = t.columns.map { "\($0.name) \(dialect.type($0.type))" }.joined(separator: ", ")
            emit("CREATE TEMPORARY TABLE stage_\(t.name) (\(cols))\(tempSuffix);\n")
        }
        let key = dialect.type(.key), int = dialect.type(.integer)
        emit("CREATE TEMPORARY TABLE import_summary (position \(int), entity \(key), added \(int), updated \(int), unchanged \(int), rejected \(int))\(tempSuffix);\n")
        try flush()
    }

    private var tempSuffix: String {
        switch dialect {
        case .postgres: " ON COMMIT DROP"
        case .mysql: dialect.tableOptions
        case .sqlite: ""
        }
    }

    /// Stages one dossier, rendered (on any thread) by a `SQLDossierRenderer` of this writer's
    /// dialect, streaming each document's bytes as hex where the text leaves room for them.
    func write(_ r: RenderedDossier) throws {
        var from = 0
        try r.text.withUnsafeBytes { text in
            for (offset, path) in r.documents {
                try out.write(UnsafeRawBufferPointer(rebasing: text[from..<offset]))
                try store.read(path, to: HexSink(out))
                from = offset
            }
            try out.write(UnsafeRawBufferPointer(rebasing: text[from...]))
        }
    }

    func finish() throws {
        let conflictInsert = "INSERT INTO import_conflicts (bundle_digest, origin_kvk, dossier_id, bundle_id, client_record_id, reason)\n"
        let ignore = dialect == .mysql ? "\nON DUPLICATE KEY UPDATE reason = import_conflicts.reason;\n"
                                       : "\nON CONFLICT (bundle_digest, origin_kvk, dossier_id) DO NOTHING;\n"
        var bid: [UInt8] = []
        try dialect.append(.text(facts.bundleID), to: &bid)
        let bundleID = String(decoding: bid, as: UTF8.self)
        emit("-- Conflicts: a BSN already known with another birth date, a known client whose BSN changed,\n-- or one BSN with two birth dates inside this bundle.\n")
        emit(conflictInsert + "SELECT \(digest), s.origin_kvk, s.dossier_id, \(bundleID), s.record_id, 'bsn-birth-date-mismatch' FROM stage_clients s\n"
             + "WHERE s.bsn IS NOT NULL AND EXISTS (SELECT 1 FROM clients c WHERE c.bsn = s.bsn AND "
             + dialect.distinct("c.date_of_birth", "s.date_of_birth") + ")" + ignore)
        emit(conflictInsert + "SELECT \(digest), s.origin_kvk, s.dossier_id, \(bundleID), s.record_id, 'client-bsn-changed' FROM stage_clients s\n"
             + "WHERE EXISTS (SELECT 1 FROM clients c WHERE c.origin_kvk = s.origin_kvk AND c.dossier_id = s.dossier_id AND c.record_id = s.record_id AND "
             + dialect.distinct("c.bsn", "s.bsn") + ")" + ignore)
        // Two dossiers of this bundle giving one BSN two birth dates: a copy of the staged
        // identities, because MariaDB cannot read one temporary table twice in a statement.
        emit("CREATE TEMPORARY TABLE stage_client_identities\(tempSuffix) AS SELECT bsn, date_of_birth FROM stage_clients WHERE bsn IS NOT NULL;\n")
        emit(conflictInsert + "SELECT \(digest), s.origin_kvk, s.dossier_id, \(bundleID), s.record_id, 'bsn-birth-date-mismatch-in-bundle' FROM stage_clients s\n"
             + "WHERE EXISTS (SELECT 1 FROM stage_client_identities i WHERE i.bsn = s.bsn AND "
             + dialect.distinct("i.date_of_birth", "s.date_of_birth") + ")" + ignore)
        emit("-- What the merge will do, judged before it runs.\n")
        for (i, t) in SQLStagingSchema.tables.enumerated() { emit(summary(t, position: i)) }
        emit("-- Rejected dossiers leave the stage; then the merge, parents first.\n")
        for t in SQLStagingSchema.tables {
            emit("DELETE FROM stage_\(t.name) WHERE EXISTS (SELECT 1 FROM import_conflicts k WHERE k.bundle_digest = \(digest) "
                 + "AND k.origin_kvk = stage_\(t.name).origin_kvk AND k.dossier_id = stage_\(t.name).dossier_id);\n")
        }
        for t in SQLStagingSchema.tables { emit(merge(t)) }
        try flush()
        try recordImport()
        emit("SELECT 'summary' AS kind, entity, added, updated, unchanged, rejected FROM import_summary ORDER BY position;\n")
        emit("SELECT 'conflict' AS kind, dossier_id, reason FROM import_conflicts WHERE bundle_digest = \(digest) ORDER BY origin_kvk, dossier_id;\n")
        switch dialect {
        case .postgres: break
        case .mysql: emit("DROP TEMPORARY TABLE " + temporaryTables.joined(separator: ", ") + ";\n")
        case .sqlite: for n in temporaryTables { emit("DROP TABLE temp.\(n);\n") }
        }
        emit("COMMIT;\n")
        try flush()
    }

    private var temporaryTables: [String] {
        SQLStagingSchema.tables.map { "stage_\($0.name)" } + ["stage_client_identities", "import_summary"]
    }

    private func summary(_ t: any SQLTable, position: Int) -> String {
        let on = t.keys.map { "t.\($0) = s.\($0)" }.joined(separator: " AND ")
        let last = "t.\(t.keys.last!)"
        return "INSERT INTO import_summary (position, entity, added, updated, unchanged, rejected)\nSELECT \(position), '\(t.name)', "
            + "COALESCE(SUM(CASE WHEN k.dossier_id IS NULL AND \(last) IS NULL THEN 1 ELSE 0 END), 0), "
            + "COALESCE(SUM(CASE WHEN k.dossier_id IS NULL AND t.row_digest <> s.row_digest THEN 1 ELSE 0 END), 0), "
            + "COALESCE(SUM(CASE WHEN k.dossier_id IS NULL AND t.row_digest = s.row_digest THEN 1 ELSE 0 END), 0), "
            + "COALESCE(SUM(CASE WHEN k.dossier_id IS NOT NULL THEN 1 ELSE 0 END), 0)\n"
            + "FROM stage_\(t.name) s LEFT JOIN \(t.name) t ON \(on)\n"
            + "LEFT JOIN import_conflicts k ON k.bundle_digest = \(digest) AND k.origin_kvk = s.origin_kvk AND k.dossier_id = s.dossier_id;\n"
    }

    private func merge(_ t: any SQLTable) -> String {
        let names = t.columns.map(\.name)
        let changing = names.filter { !t.keys.contains($0) && $0 != "row_digest" } + ["row_digest"]
        let list = names.joined(separator: ", ")
        switch dialect {
        case .postgres, .sqlite:
            let set = changing.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
            return "INSERT INTO \(t.name) (\(list))\nSELECT \(list) FROM stage_\(t.name) WHERE true\n"
                + "ON CONFLICT (\(t.keys.joined(separator: ", "))) DO UPDATE SET \(set)\nWHERE \(t.name).row_digest <> excluded.row_digest;\n"
        case .mysql:
            // Assignments run left to right, so row_digest, which every guard reads, is set last.
            let set = changing.map { c in
                c == "row_digest" ? "\(t.name).row_digest = VALUES(row_digest)"
                    : "\(t.name).\(c) = IF(\(t.name).row_digest <> VALUES(row_digest), VALUES(\(c)), \(t.name).\(c))"
            }.joined(separator: ",\n  ")
            return "INSERT INTO \(t.name) (\(list))\nSELECT \(names.map { "s.\($0)" }.joined(separator: ", ")) FROM stage_\(t.name) s\n"
                + "ON DUPLICATE KEY UPDATE\n  \(set);\n"
        }
    }

    /// The `imports` row, once per bundle digest: a second load of the same bundle leaves it as it was.
    private func recordImport() throws {
        let m = facts.manifest
        let records = m.counts.entries.reduce(0) { $0 + $1.value }
        let counts = String(decoding: try JSONByteEncoder.encode(m.counts, style: .compact), as: UTF8.self)
        emit("INSERT INTO imports (bundle_digest, bundle_id, sender_name, sender_kvk, purpose, created_at, dossiers, records, documents, counts_json, conflicts)\nVALUES (\(digest), ")
        for v: SQLValue in [.text(facts.bundleID), .text(m.controller.name), .text(m.controller.kvkNumber),
                            .text(m.purpose?.rawValue ?? "complete"), .text(m.createdAt.description),
                            .integer(Int64(facts.dossiers.count)), .integer(Int64(records)), .integer(Int64(m.documents)), .text(counts)] {
            try lit(v)
            emit(", ")
        }
        emit("(SELECT COUNT(*) FROM import_conflicts WHERE bundle_digest = \(digest)))\n")
        emit(dialect == .mysql ? "ON DUPLICATE KEY UPDATE bundle_id = imports.bundle_id;\n" : "ON CONFLICT (bundle_digest) DO NOTHING;\n")
    }
}
