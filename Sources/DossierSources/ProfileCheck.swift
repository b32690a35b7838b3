public import DossierModel

/// `profile check`: compares a profile with what a source really holds, before an export is run.
///
/// Catches the mistakes that would otherwise surface as thousands of row diagnostics (a renamed
/// column, a blob mapped to a text field, a date format that does not fit) or as silent gaps
/// (columns no mapping reads).
public enum ProfileCheck {
    /// Checks names and declared types against `tables`, and conversions against `samples`.
    public static func check(_ profile: MappingProfile, tables: [String: SourceTable],
                             samples: [SourceRow] = []) -> [Diagnostic] {
        var out: [Diagnostic] = []
        var used: [String: Set<String>] = [:]
        for use in columnUses(profile) {
            used[use.table, default: []].insert(use.column)
            guard let table = tables[use.table] else { continue }
            guard let column = table.columns.first(where: { $0.name == use.column }) else {
                out.append(.error("profile.unknown-column", "table \(use.table) has no column '\(use.column)'",
                                  at: SourceLocation(table: use.table), path: use.path))
                continue
            }
            if let problem = mismatch(column.type, use.kind) {
                out.append(.error("profile.type-mismatch", "column '\(use.column)' of \(use.table) is \(column.type ?? "untyped"): \(problem)",
                                  at: SourceLocation(table: use.table), path: use.path))
            }
        }
        for (path, table, required) in tableUses(profile) where tables[table] == nil {
            out.append(Diagnostic(required ? .error : .warning, code: "profile.unknown-table",
                                  "the source has no table \(table)", at: SourceLocation(table: table), path: path))
        }
        let ignored = Set(profile.ignore)
        for table in tables.values.sorted(by: { $0.name < $1.name }) {
            guard let columns = used[table.name] else {
                if !ignored.contains(table.name) {
                    out.append(.warning("table.unmapped", "table \(table.name) is neither mapped nor ignored", at: SourceLocation(table: table.name)))
                }
                continue
            }
            for c in table.columns where !columns.contains(c.name) {
                out.append(.warning("profile.unused-column", "column '\(Diagnostic.shownName(c.name))' of \(table.name) is not used by any mapping",
                                    at: SourceLocation(table: table.name)))
            }
        }
        return out + sampleDiagnostics(profile, samples)
    }

    /// Reads the sources to their end (the tables are only known then), keeping the first
    /// `sampleRows` rows of each table to try the conversions on.
    public static func check(_ profile: MappingProfile, readers: [any RowReader], sampleRows: Int = 100) throws -> [Diagnostic] {
        var tables: [String: SourceTable] = [:]
        var samples: [SourceRow] = []
        var perTable: [String: Int] = [:]
        for reader in readers {
            while let row = try reader.nextRow() {
                if perTable[row.table, default: 0] < sampleRows {
                    perTable[row.table, default: 0] += 1
                    samples.append(row)
                }
            }
            tables.merge(reader.tables) { a, _ in a }
        }
        return check(profile, tables: tables, samples: samples)
    }

    struct ColumnUse {
        let table: String
        let column: String
        let path: String
        /// The kind the column is read as: a field's kind, `.text` for keys, nil for blob content.
        let kind: FieldKind?
    }

    static func columnUses(_ p: MappingProfile) -> [ColumnUse] {
        var uses: [ColumnUse] = []
        func fields(_ table: String, _ entity: Entity, _ fields: [FieldMapping], _ path: String) {
            for f in fields {
                guard case .column(let c) = f.source.origin else { continue }
                let kind = FieldCatalog.kind(of: entity, FieldPath(f.path)!.pattern)
                uses.append(ColumnUse(table: table, column: c, path: "\(path).fields['\(f.path)']",
                                      kind: f.source.map == nil ? kind : .text))
            }
        }
        func ids(_ table: String, _ key: [String], _ rid: RecordIDRule, _ path: String) {
            for (i, k) in key.enumerated() { uses.append(ColumnUse(table: table, column: k, path: "\(path).key[\(i)]", kind: .text)) }
            for (i, k) in rid.columns.enumerated() { uses.append(ColumnUse(table: table, column: k, path: "\(path).recordId.columns[\(i)]", kind: .text)) }
        }
        ids(p.client.table, p.client.key, p.client.recordID, "$.client")
        fields(p.client.table, .client, p.client.fields, "$.client")
        for (i, m) in p.mappings.enumerated() {
            let path = "$.mappings[\(i)]"
            ids(m.table, m.key, m.recordID, path)
            fields(m.table, m.entity, m.fields, path)
            switch m.join {
            case .column(let c): uses.append(ColumnUse(table: m.table, column: c, path: path + ".clientKey", kind: .text))
            case .link(let column, let table, let key, let clientColumn):
                uses.append(ColumnUse(table: m.table, column: column, path: path + ".link.column", kind: .text))
                uses.append(ColumnUse(table: table, column: key, path: path + ".link.key", kind: .text))
                uses.append(ColumnUse(table: table, column: clientColumn, path: path + ".link.clientColumn", kind: .text))
            }
            if let w = m.when { uses.append(ColumnUse(table: m.table, column: w.column, path: path + ".when.column", kind: .text)) }
            switch m.document {
            case .blob(let c)?: uses.append(ColumnUse(table: m.table, column: c, path: path + ".document.blobColumn", kind: nil))
            case .file(let c)?: uses.append(ColumnUse(table: m.table, column: c, path: path + ".document.pathColumn", kind: .text))
            case nil: break
            }
        }
        return uses
    }

    /// Every table the profile names, and whether a run needs it (ignored tables are optional).
    static func tableUses(_ p: MappingProfile) -> [(path: String, table: String, required: Bool)] {
        var t: [(String, String, Bool)] = [("$.client.table", p.client.table, true)]
        for (i, m) in p.mappings.enumerated() {
            t.append(("$.mappings[\(i)].table", m.table, true))
            if case .link(_, let table, _, _) = m.join { t.append(("$.mappings[\(i)].link.table", table, true)) }
        }
        for (i, name) in p.ignore.enumerated() { t.append(("$.ignore[\(i)]", name, false)) }
        var seen = Set<String>()
        return t.filter { seen.insert($0.0 + "\u{0}" + $0.1).inserted }
    }

    /// Why a declared SQL type cannot feed a field of `kind` (nil kind: binary document content).
    static func mismatch(_ declared: String?, _ kind: FieldKind?) -> String? {
        guard let type = declared?.lowercased() else { return nil }
        let base = type.prefix { $0.isLetter || $0 == " " }.trimmingCharacters(in: .whitespaces)
        let binary = ["bytea", "blob", "tinyblob", "mediumblob", "longblob", "binary", "varbinary", "image"].contains(base)
        let numeric = ["smallint", "integer", "int", "bigint", "tinyint", "mediumint", "numeric", "decimal", "real",
                       "double precision", "double", "float", "number", "money", "serial", "bigserial"].contains(base)
        let temporal = base.hasPrefix("date") || base.hasPrefix("timestamp") || base == "time"
        guard let kind else { return binary ? nil : "document content needs a binary column" }
        if binary { return "binary data cannot fill a \(kind.name) field" }
        if numeric, kind == .date || kind == .timestamp { return "a number cannot be read with a date format" }
        if temporal, kind == .integer || kind == .amount || kind == .boolean { return "a date cannot fill a \(kind.name) field" }
        return nil
    }

    /// Runs each sample row through its mapping, keeping the conversion problems it reports.
    static func sampleDiagnostics(_ p: MappingProfile, _ samples: [SourceRow]) -> [Diagnostic] {
        let c = p.client
        let client = RecordRules(entity: .client, table: c.table, key: c.key, recordID: c.recordID, meta: c.meta,
                                 fields: c.fields, document: nil, source: p.source)
        let rules = p.mappings.map {
            RecordRules(entity: $0.entity, table: $0.table, key: $0.key, recordID: $0.recordID, meta: $0.meta,
                        fields: $0.fields, document: nil, source: p.source)
        }
        var out: [Diagnostic] = []
        for row in samples {
            if row.table == c.table {
                client.columns.bind(row.columns)
                FieldCatalog.client.diagnose(row, client, into: &out)
            }
            for (i, m) in p.mappings.enumerated() where m.table == row.table {
                rules[i].columns.bind(row.columns)
                if let w = m.when, let ci = row.columns.firstIndex(of: w.column),
                   !(RecordRules.identifier(row.values[ci]).map(w.values.contains) ?? false) { continue }
                FieldCatalog.catalog(m.entity).diagnose(row, rules[i], into: &out)
            }
        }
        return out
    }
}

extension CatalogProtocol {
    /// The diagnostics mapping `row` would give, without keeping the record.
    func diagnose(_ row: SourceRow, _ rules: RecordRules, into out: inout [Diagnostic]) {
        var d = Dossier(id: "check", controller: Controller(name: "", kvkNumber: "", dpo: ContactPerson()),
                        client: Client(id: "check", clientNumber: "", name: PersonName(familyName: ""),
                                       meta: RecordMeta(category: .personal, provenance: .system, legalBasis: .legalObligation)))
        let id = rules.recordID(row) ?? "?", location = rules.location(row)
        var row = row
        _ = mapInto(&d, &row, rules, id: id, location: location, documents: nil, diagnostics: &out)
    }
}
