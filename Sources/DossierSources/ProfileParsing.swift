internal import DossierModel
internal import Foundation

/// A JSON document as a tree, so the profile parser can name the JSON path of every problem and
/// refuse unknown keys (a typo such as `feilds` must not silently map nothing).
enum JSONValue: Codable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

/// Turns the JSON tree into a `MappingProfile`, checking every name against the model as it goes.
struct ProfileParser {
    let file: String

    func fail(_ path: String, _ message: String) -> DossierError {
        DossierError("profile.invalid", message, at: SourceLocation(file: file), path: path)
    }

    func object(_ v: JSONValue?, _ path: String, allowed: Set<String>) throws -> [String: JSONValue] {
        guard case .object(let o)? = v else { throw fail(path, "expected an object") }
        if let unknown = o.keys.sorted().first(where: { !allowed.contains($0) }) {
            let shown = Diagnostic.shownName(unknown)
            throw fail(path + "." + shown, "unknown key '\(shown)'")
        }
        return o
    }

    func string(_ v: JSONValue?, _ path: String) throws -> String {
        guard case .string(let s)? = v, !s.isEmpty else { throw fail(path, "expected a non-empty string") }
        return s
    }

    func optionalString(_ v: JSONValue?, _ path: String) throws -> String? {
        v == nil ? nil : try string(v, path)
    }

    func bool(_ v: JSONValue?, _ path: String, default d: Bool) throws -> Bool {
        switch v {
        case nil: return d
        case .bool(let b)?: return b
        default: throw fail(path, "expected true or false")
        }
    }

    /// A string or an array of strings: key columns may be written either way.
    func strings(_ v: JSONValue?, _ path: String) throws -> [String] {
        if case .string = v { return [try string(v, path)] }
        guard case .array(let a)? = v, !a.isEmpty else { throw fail(path, "expected a string or a non-empty array of strings") }
        return try a.enumerated().map { try string($1, "\(path)[\($0)]") }
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ v: JSONValue?, _ path: String, _: E.Type) throws -> E
    where E.RawValue == String {
        let s = try string(v, path)
        guard let e = E(rawValue: s) else {
            throw fail(path, "'\(s)' is not one of " + E.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return e
    }

    func profile(_ json: JSONValue) throws -> MappingProfile {
        let o = try object(json, "$", allowed: ["$schema", "profileVersion", "name", "description", "sourceSystem",
                                                 "source", "controller", "client", "mappings", "ignore"])
        guard case .number(let n)? = o["profileVersion"], let version = Int(exactly: n),
              MappingProfile.supportedVersions.contains(version) else {
            throw fail("$.profileVersion", "profileVersion must be one of \(MappingProfile.supportedVersions)")
        }
        let src = try source(o["source"], "$.source")
        var mappings: [EntityMapping] = []
        if let m = o["mappings"] {
            guard case .array(let list) = m else { throw fail("$.mappings", "expected an array") }
            mappings = try list.enumerated().map { try mapping($1, "$.mappings[\($0)]", src) }
        }
        let ignore = o["ignore"] == nil ? [] : try strings(o["ignore"], "$.ignore")
        let profile = MappingProfile(
            profileVersion: version, name: try string(o["name"], "$.name"),
            sourceSystem: try optionalString(o["sourceSystem"], "$.sourceSystem"), source: src,
            controller: try controller(o["controller"], "$.controller"),
            client: try client(o["client"], "$.client", src), mappings: mappings, ignore: ignore)
        try crossCheck(profile)
        return profile
    }

    func source(_ v: JSONValue?, _ path: String) throws -> SourceDescription {
        let o = try object(v, path, allowed: ["kind", "dialect", "encoding", "delimiter", "dateFormat",
                                              "timestampFormat", "decimalComma", "timeZone"])
        let tzName = try string(o["timeZone"], path + ".timeZone")
        guard TimeZone(identifier: tzName) != nil else { throw fail(path + ".timeZone", "unknown time zone '\(tzName)'") }
        let delimiter = try optionalString(o["delimiter"], path + ".delimiter")
        if let d = delimiter, d.unicodeScalars.count != 1 { throw fail(path + ".delimiter", "delimiter must be one character") }
        let d = SourceDescription(
            kind: try enumeration(o["kind"], path + ".kind", SourceDescription.Kind.self),
            dialect: try optionalString(o["dialect"], path + ".dialect"),
            encoding: try optionalString(o["encoding"], path + ".encoding") ?? "utf-8",
            delimiter: delimiter,
            dateFormat: try optionalString(o["dateFormat"], path + ".dateFormat") ?? "yyyy-MM-dd",
            timestampFormat: try optionalString(o["timestampFormat"], path + ".timestampFormat") ?? "yyyy-MM-dd HH:mm:ss",
            decimalComma: try bool(o["decimalComma"], path + ".decimalComma", default: false),
            timeZone: tzName)
        guard DatePattern(d.dateFormat) != nil else { throw fail(path + ".dateFormat", "bad date format") }
        guard DatePattern(d.timestampFormat) != nil else { throw fail(path + ".timestampFormat", "bad timestamp format") }
        return d
    }

    func controller(_ v: JSONValue?, _ path: String) throws -> Controller {
        _ = try object(v, path, allowed: ["name", "kvkNumber", "agbCode", "uraNumber", "dpo", "address"])
        do {
            return try JSONDecoder().decode(Controller.self, from: JSONEncoder().encode(v))
        } catch {
            throw fail(path, "controller needs name, kvkNumber and dpo, all as strings")
        }
    }

    func meta(_ v: JSONValue?, _ path: String) throws -> MetaDefaults {
        let o = try object(v, path, allowed: ["category", "provenance", "legalBasis"])
        return MetaDefaults(category: try enumeration(o["category"], path + ".category", RecordCategory.self),
                            provenance: try enumeration(o["provenance"], path + ".provenance", Provenance.self),
                            legalBasis: try enumeration(o["legalBasis"], path + ".legalBasis", LegalBasis.self))
    }

    func recordID(_ v: JSONValue?, _ path: String, key: [String]) throws -> RecordIDRule {
        let o = try object(v, path, allowed: ["prefix", "columns"])
        guard case .string(let prefix)? = o["prefix"] else { throw fail(path + ".prefix", "expected a string") }
        return RecordIDRule(prefix: prefix, columns: o["columns"] == nil ? key : try strings(o["columns"], path + ".columns"))
    }

    func table(_ v: JSONValue?, _ path: String, _ src: SourceDescription) throws -> String {
        let t = try string(v, path)
        if src.kind == .xml, !t.hasPrefix("/") {
            throw fail(path, "an XML table is an absolute element path such as /export/clienten/client")
        }
        return t
    }

    func client(_ v: JSONValue?, _ path: String, _ src: SourceDescription) throws -> ClientMapping {
        let o = try object(v, path, allowed: ["table", "key", "recordId", "dossierIdPrefix", "meta", "fields"])
        let key = try strings(o["key"], path + ".key")
        return ClientMapping(
            table: try table(o["table"], path + ".table", src), key: key,
            recordID: try recordID(o["recordId"], path + ".recordId", key: key),
            dossierIDPrefix: o["dossierIdPrefix"] == nil ? "dossier-" : try string(o["dossierIdPrefix"], path + ".dossierIdPrefix"),
            meta: try meta(o["meta"], path + ".meta"),
            fields: try fields(o["fields"], path + ".fields", .client, src))
    }

    func mapping(_ v: JSONValue?, _ path: String, _ src: SourceDescription) throws -> EntityMapping {
        let o = try object(v, path, allowed: ["entity", "table", "key", "clientKey", "link", "when", "recordId",
                                              "meta", "fields", "document"])
        let entity = try enumeration(o["entity"], path + ".entity", Entity.self)
        if entity == .client { throw fail(path + ".entity", "the client is mapped under $.client, not in mappings") }
        let key = try strings(o["key"], path + ".key")
        let join: ClientJoin
        switch (o["clientKey"], o["link"]) {
        case (let c?, nil): join = .column(try string(c, path + ".clientKey"))
        case (nil, let l?):
            let lo = try object(l, path + ".link", allowed: ["column", "table", "key", "clientColumn"])
            join = .link(column: try string(lo["column"], path + ".link.column"),
                         table: try table(lo["table"], path + ".link.table", src),
                         linkKey: try string(lo["key"], path + ".link.key"),
                         clientColumn: try string(lo["clientColumn"], path + ".link.clientColumn"))
        default: throw fail(path, "give exactly one of clientKey and link")
        }
        var when: RowCondition?
        if let w = o["when"] {
            let wo = try object(w, path + ".when", allowed: ["column", "in"])
            when = RowCondition(column: try string(wo["column"], path + ".when.column"), values: try strings(wo["in"], path + ".when.in"))
        }
        var document: DocumentContentRule?
        if let d = o["document"] {
            guard entity == .documents else { throw fail(path + ".document", "only a documents mapping has document content") }
            let dobj = try object(d, path + ".document", allowed: ["blobColumn", "pathColumn"])
            switch (dobj["blobColumn"], dobj["pathColumn"]) {
            case (let b?, nil): document = .blob(column: try string(b, path + ".document.blobColumn"))
            case (nil, let p?): document = .file(column: try string(p, path + ".document.pathColumn"))
            default: throw fail(path + ".document", "give exactly one of blobColumn and pathColumn")
            }
        }
        return EntityMapping(
            entity: entity, table: try table(o["table"], path + ".table", src), key: key, join: join, when: when,
            recordID: try recordID(o["recordId"], path + ".recordId", key: key),
            meta: try meta(o["meta"], path + ".meta"),
            fields: try fields(o["fields"], path + ".fields", entity, src), document: document)
    }

    func fields(_ v: JSONValue?, _ path: String, _ entity: Entity, _ src: SourceDescription) throws -> [FieldMapping] {
        guard case .object(let o)? = v else { throw fail(path, "expected an object of model field → source") }
        var out: [FieldMapping] = []
        for (name, spec) in o.sorted(by: { $0.key < $1.key }) {
            let p = "\(path)['\(name)']"
            guard let slot = FieldPath(name), let kind = FieldCatalog.kind(of: entity, slot.pattern) else {
                throw fail(p, "'\(name)' is not a field of \(entity.rawValue)")
            }
            let source = try fieldSource(spec, p)
            try checkField(source, kind: kind, p, src)
            out.append(FieldMapping(path: name, source: source))
        }
        let mapped = Set(out.compactMap { FieldPath($0.path)?.pattern })
        if let missing = FieldCatalog.required(entity).first(where: { !mapped.contains($0) }) {
            throw fail(path, "\(entity.rawValue) needs the field '\(missing)' (a column or a constant)")
        }
        return out
    }

    func fieldSource(_ v: JSONValue, _ path: String) throws -> FieldSource {
        if case .string(let column) = v {
            return FieldSource(origin: .column(column), format: nil, map: nil, mapDefault: nil, required: false, prefix: nil)
        }
        let o = try object(v, path, allowed: ["column", "constant", "format", "map", "default", "required", "prefix"])
        let origin: FieldSource.Origin
        switch (o["column"], o["constant"]) {
        case (let c?, nil): origin = .column(try string(c, path + ".column"))
        case (nil, .string(let s)?): origin = .constant(s)
        case (nil, .bool(let b)?): origin = .constant(b ? "true" : "false")
        case (nil, .number(let n)?):
            guard let i = Int(exactly: n) else { throw fail(path + ".constant", "a numeric constant must be an integer; write amounts as strings") }
            origin = .constant(String(i))
        default: throw fail(path, "give exactly one of column and constant (a string, integer or boolean)")
        }
        var map: [String: String]?
        if let m = o["map"] {
            guard case .object(let mo) = m else { throw fail(path + ".map", "expected an object of code → value") }
            map = try mo.reduce(into: [:]) { $0[$1.key] = try string($1.value, "\(path).map['\($1.key)']") }
        }
        return FieldSource(origin: origin, format: try optionalString(o["format"], path + ".format"), map: map,
                           mapDefault: try optionalString(o["default"], path + ".default"),
                           required: try bool(o["required"], path + ".required", default: false),
                           prefix: try optionalString(o["prefix"], path + ".prefix"))
    }

    /// Checks what can be known without data: formats parse, map targets and constants are valid values.
    func checkField(_ f: FieldSource, kind: FieldKind, _ path: String, _ src: SourceDescription) throws {
        if let format = f.format {
            guard kind == .date || kind == .timestamp else { throw fail(path + ".format", "format applies to date and timestamp fields only") }
            guard DatePattern(format) != nil else { throw fail(path + ".format", "bad date format '\(format)'") }
        }
        if f.prefix != nil {
            guard kind == .text, f.map == nil, case .column = f.origin else {
                throw fail(path + ".prefix", "prefix applies to text fields read from a column without a map")
            }
        }
        let converter = ValueConverter(kind: kind, pattern: DatePattern(f.format ?? (kind == .timestamp ? src.timestampFormat : src.dateFormat))!,
                                       decimalComma: src.decimalComma, timeZone: TimeZone(identifier: src.timeZone)!)
        func valid(_ s: String) -> Bool {
            // Map targets and constants are canonical values: ISO dates, RFC 3339, plain decimals.
            switch kind {
            case .date: LocalDate(iso: s) != nil
            case .timestamp: Timestamp(rfc3339: s) != nil
            case .amount: Amount(decimal: s) != nil
            default: (try? converter.convert(.text(s))) != nil
            }
        }
        for (code, target) in (f.map ?? [:]).sorted(by: { $0.key < $1.key }) where !valid(target) {
            throw fail("\(path).map['\(code)']", "'\(target)' is not a valid \(kind.name)")
        }
        if let d = f.mapDefault, !valid(d) { throw fail(path + ".default", "'\(d)' is not a valid \(kind.name)") }
        if case .constant(let c) = f.origin, !valid(c) { throw fail(path + ".constant", "'\(c)' is not a valid \(kind.name)") }
    }

    /// Checks that need the whole profile: tables named once, ignore lists not mapped tables.
    func crossCheck(_ p: MappingProfile) throws {
        let mappedTables = Set([p.client.table] + p.mappings.map(\.table))
        for (i, t) in p.ignore.enumerated() where mappedTables.contains(t) {
            throw fail("$.ignore[\(i)]", "table '\(t)' is both mapped and ignored")
        }
        for (i, m) in p.mappings.enumerated() where m.table == p.client.table {
            throw fail("$.mappings[\(i)].table", "the client table cannot also hold another entity")
        }
        for (i, m) in p.mappings.enumerated() {
            let others = p.mappings[..<i].filter { $0.table == m.table }
            if !others.isEmpty, m.when == nil || others.contains(where: { $0.when == nil }) {
                throw fail("$.mappings[\(i)].when", "a table mapped more than once needs a 'when' condition on every mapping")
            }
        }
    }
}
