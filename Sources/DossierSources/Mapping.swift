public import DossierModel
internal import Foundation

/// Where a document's bytes are, as the engine hands them to the caller to measure and hash.
public enum DocumentContent: Sendable {
    case bytes([UInt8])
    /// A safe relative path (no `..`, not absolute), relative to the source folder.
    case file(relativePath: String)
}

/// What the caller learnt about a document's bytes.
public struct ResolvedDocument: Sendable, Hashable {
    public var size: Int
    /// Lower-case hex SHA-256.
    public var sha256: String
    /// Where the bytes travel beside the dossier (`documents/<id>.pdf`), if they do.
    public var path: String?

    public init(size: Int, sha256: String, path: String?) { self.size = size; self.sha256 = sha256; self.path = path }
}

/// Measures, hashes and stages a document's bytes for the engine.
///
/// A protocol rather than a hash call because hashing lives in `DossierCrypto`, which this module
/// does not depend on, and because only the caller knows where staged bytes go (a bag, a folder).
/// Sendable because phase-2 workers of the assembler call it from several threads at once.
public protocol DocumentResolver: AnyObject, Sendable {
    /// Throws when the bytes cannot be read (missing file); the row is then rejected as `document.unreadable`.
    func resolve(_ content: DocumentContent, recordID: String, at location: SourceLocation) throws -> ResolvedDocument
}

/// Column positions for one mapping, recomputed only when a row's column list changes, so that a
/// field costs an array index per row instead of a search through the column names.
///
/// Unchecked exclusivity: an index belongs to one worker's compiled rules, and `bind` runs for
/// every row, where the runtime's checks cost more than the comparison they guard.
final class ColumnIndex {
    @exclusivity(unchecked) private(set) var names: [String] = []
    @exclusivity(unchecked) private var lastColumns: [String] = []
    @exclusivity(unchecked) private var positions: [Int?] = []

    /// The slot through which `name` will be read.
    func slot(_ name: String) -> Int {
        if let i = names.firstIndex(of: name) { return i }
        names.append(name)
        return names.count - 1
    }

    func bind(_ columns: [String]) {
        guard columns != lastColumns || positions.count != names.count else { return }
        lastColumns = columns
        positions = names.map { columns.firstIndex(of: $0) }
    }

    /// The value in slot `i` of a bound row; nil when the row has no such column.
    func value(_ i: Int, _ row: SourceRow) -> SourceValue? {
        positions[i].map { row.values[$0] }
    }

    /// The column slot `i` reads in a bound row, nil when the row has no such column.
    func position(_ i: Int) -> Int? { positions[i] }

    /// As `value`, moved out of the row (which keeps `.null` there) rather than copied: for a
    /// column one rule alone reads, whose text need not be counted twice and released with the row.
    func take(_ i: Int, _ row: inout SourceRow) -> SourceValue? {
        guard let p = positions[i] else { return nil }
        var v = SourceValue.null
        swap(&v, &row.values[p])
        return v
    }
}

/// One field of a compiled mapping: where its value comes from and how it is converted.
final class FieldRule {
    let path: String
    let pattern: String
    /// Position of the field's slot in its catalogue's `ordered` slots.
    let slot: Int
    let indices: PathIndices
    /// Column slot, or nil for a constant.
    let column: Int?
    let columnName: String?
    let constant: Converted?
    let converter: ValueConverter
    /// Code → canonical value, converted here once rather than for every row that has the code.
    let map: [String: Result<Converted?, ConversionFailure>]?
    let mapDefault: Result<Converted?, ConversionFailure>?
    let required: Bool
    let prefix: String?
    /// `addresses[0]`: the array element a constant may only fill when a column already created it.
    let element: String?
    /// No other rule of the mapping (nor its document) reads the column, so `value` takes it out
    /// of the row; set by `RecordRules`, which sees them all.
    fileprivate(set) var takesColumn = false

    init(_ f: FieldMapping, kind: FieldKind, slot: Int, required modelRequired: Bool, source: SourceDescription,
         columns: ColumnIndex) throws(ConversionFailure) {
        let fp = FieldPath(f.path)!
        path = f.path; pattern = fp.pattern; indices = fp.indices; self.slot = slot
        required = f.source.required || modelRequired
        prefix = f.source.prefix
        let converter = ValueConverter(
            kind: kind, pattern: DatePattern(f.source.format ?? (kind == .timestamp ? source.timestampFormat : source.dateFormat))!,
            decimalComma: source.decimalComma, timeZone: TimeZone(identifier: source.timeZone)!)
        self.converter = converter
        func canonical(_ s: String) -> Result<Converted?, ConversionFailure> { Result { () throws(ConversionFailure) in try FieldRule.canonical(s, converter) } }
        map = f.source.map?.mapValues(canonical)
        mapDefault = f.source.mapDefault.map(canonical)
        element = f.path.lastIndex(of: "]").map { String(f.path[...$0]) }
        switch f.source.origin {
        case .column(let c):
            column = columns.slot(c); columnName = c; constant = nil
        case .constant(let s):
            column = nil; columnName = nil
            constant = try FieldRule.canonical(s, converter)
        }
    }

    /// Map targets and constants are canonical values (ISO dates, RFC 3339, plain decimals).
    static func canonical(_ s: String, _ c: ValueConverter) throws(ConversionFailure) -> Converted? {
        switch c.kind {
        case .date: return LocalDate(iso: s).map(Converted.date)
        case .timestamp: return Timestamp(rfc3339: s).map(Converted.timestamp)
        case .amount: return Amount(decimal: s).map(Converted.amount)
        default: return try c.convert(.text(s))
        }
    }

    /// The rule's value for `row`, whose column it takes out of the row where it alone reads it
    /// (`takesColumn`): the row serves this one record only.
    func value(_ row: inout SourceRow, _ columns: ColumnIndex) throws(ConversionFailure) -> Converted? {
        guard let column else { return constant }
        guard let raw = takesColumn ? columns.take(column, &row) : columns.value(column, row) else { return nil }
        guard let map else {
            let v = try converter.convert(raw)
            if let prefix, case .text(let s)? = v { return .text(prefix + s) }
            return v
        }
        let code: String
        switch raw {
        case .null: return nil
        case .text(let s), .number(let s): code = s
        case .boolean(let b): code = b ? "true" : "false"
        case .bytes: throw ConversionFailure(code: "value.type", reason: "binary value for a mapped code")
        }
        if code.isEmpty { return nil }
        guard let target = map[code] ?? mapDefault else {
            throw ConversionFailure(code: "value.unmapped-code", reason: "code is not listed in the field's map")
        }
        return try target.get()
    }
}

/// A mapping compiled against the model: ready to turn rows of one table into records.
final class RecordRules {
    let entity: Entity
    let table: String
    let columns = ColumnIndex()
    let keySlots: [Int]
    let keyNames: [String]
    let idPrefix: String
    let idSlots: [Int]
    /// The record id is made of the key's columns (`recordID(relocated:)`).
    let idIsKey: Bool
    let meta: MetaDefaults
    /// Column fields first, then constants, so a constant knows which array elements exist.
    let fields: [FieldRule]
    let document: (slot: Int, rule: DocumentContentRule)?

    init(entity: Entity, table: String, key: [String], recordID: RecordIDRule, meta: MetaDefaults,
         fields: [FieldMapping], document: DocumentContentRule?, source: SourceDescription) {
        self.entity = entity; self.table = table; self.meta = meta
        keyNames = key
        idPrefix = recordID.prefix
        let cols = columns
        keySlots = key.map { cols.slot($0) }
        idSlots = recordID.columns.map { cols.slot($0) }
        idIsKey = idSlots == keySlots
        let catalog = FieldCatalog.catalog(entity)
        let required = Set(catalog.required)
        // The parser has checked every path, kind, format and constant, so compiling cannot fail.
        let rules = fields.map { f in
            let pattern = FieldPath(f.path)!.pattern
            return try! FieldRule(f, kind: catalog.kind(pattern)!, slot: catalog.position(pattern)!,
                                  required: required.contains(pattern), source: source, columns: cols)
        }
        self.fields = rules.filter { $0.column != nil } + rules.filter { $0.column == nil }
        switch document {
        case .blob(let c)?: self.document = (cols.slot(c), document!)
        case .file(let c)?: self.document = (cols.slot(c), document!)
        case nil: self.document = nil
        }
        // Key and id columns are read before the fields (`relocate`, `recordID`), so a field
        // may take them too; the document's column is read after.
        var readers: [Int: Int] = [:]
        for f in rules { if let c = f.column { readers[c, default: 0] += 1 } }
        if let d = self.document { readers[d.slot, default: 0] += 1 }
        for f in rules { if let c = f.column, readers[c] == 1 { f.takesColumn = true } }
    }

    /// Identifier text of a value: what keys and ids are made of. Nil for null, empty or binary.
    static func identifier(_ v: SourceValue?) -> String? {
        switch v {
        case .text(let s)?, .number(let s)?: s.isEmpty ? nil : s
        case .boolean(let b)?: b ? "true" : "false"
        default: nil
        }
    }

    /// The row's key (`-`-joined key columns), nil when a key column is empty. Call after `bind`.
    func key(_ row: SourceRow) -> String? {
        if keySlots.count == 1 { return Self.identifier(columns.value(keySlots[0], row)) }
        return Self.joined(keySlots.map { Self.identifier(columns.value($0, row)) })
    }

    func recordID(_ row: SourceRow) -> String? {
        let id = idSlots.count == 1 ? Self.identifier(columns.value(idSlots[0], row))
            : Self.joined(idSlots.map { Self.identifier(columns.value($0, row)) })
        return id.map { idPrefix + $0 }
    }

    /// As `recordID`, for a row `relocate` has placed: where the id is made of the key's columns
    /// (the usual case), it is the key the location already holds, not read and joined again.
    func recordID(relocated row: SourceRow) -> String? {
        guard idIsKey else { return recordID(row) }
        return row.location.key.map { idPrefix + $0 }
    }

    static func joined(_ parts: [String?]) -> String? {
        let p = parts.compactMap { $0 }
        return p.count == parts.count ? p.joined(separator: "-") : nil
    }

    /// The row's location with its table and key, the form every diagnostic about it uses.
    func location(_ row: SourceRow) -> SourceLocation {
        var row = row
        relocate(&row)
        return row.location.reportable
    }

    /// Gives the row's location the row's table and key. Each is replaced only when it differs,
    /// which is seldom: a dump row is already keyed by its first value, usually the key.
    func relocate(_ row: inout SourceRow) {
        if row.location.table != row.table { row.location.table = row.table }
        if keyIsInPlace(row) { return }
        let key = key(row)
        if row.location.key != key { row.location.key = key }
    }

    /// Whether the row's location already holds the key `key(row)` gives, found without copying
    /// the value out: true for a dump row keyed by its first column, which the spill decoder
    /// places with that value (`SourceLocation.place`), the case of nearly every row.
    @inline(__always)
    private func keyIsInPlace(_ row: SourceRow) -> Bool {
        guard keySlots.count == 1, columns.position(keySlots[0]) == 0, let key = row.location.key, !key.isEmpty else { return false }
        switch row.values.first {
        case .text(let s)?, .number(let s)?: return s == key
        default: return false
        }
    }
}

/// What a record type needs to be built from a row; erased so that one engine serves all sections.
protocol CatalogProtocol {
    func kind(_ pattern: String) -> FieldKind?
    /// Where the slot of `pattern` is in the catalogue's `ordered` slots.
    func position(_ pattern: String) -> Int?
    var required: [String] { get }
    /// Maps the row and appends the record to the dossier; false when the row was rejected.
    /// `row` serves this record only: values a single rule reads are taken out of it.
    func mapInto(_ dossier: inout Dossier, _ row: inout SourceRow, _ rules: RecordRules, id: String, location: consuming SourceLocation,
                 documents: (any DocumentResolver)?, diagnostics: inout [Diagnostic]) -> Bool
}

extension Catalog: CatalogProtocol {
    func kind(_ pattern: String) -> FieldKind? { slots[pattern]?.kind }
    func position(_ pattern: String) -> Int? { positions[pattern] }

    // Called through `any CatalogProtocol`, so without these it runs unspecialised, looking up
    // generic metadata for every row; these are the record types that come in large numbers.
    @_specialize(where R == ProgressReport)
    @_specialize(where R == WorkNote)
    @_specialize(where R == FinancialRecord)
    @_specialize(where R == Consent)
    @_specialize(where R == CarePlan)
    @_specialize(where R == AccessLogEntry)
    @_specialize(where R == MedicationAdministration)
    @_specialize(where R == Appointment)
    func mapInto(_ dossier: inout Dossier, _ row: inout SourceRow, _ rules: RecordRules, id: String, location: consuming SourceLocation,
                 documents: (any DocumentResolver)?, diagnostics: inout [Diagnostic]) -> Bool {
        // Filled in place rather than returned as `R?`: this runs unspecialised behind the
        // protocol, where an optional of `R` costs a generic-metadata lookup per row.
        var record = blank(id, rules, consume location)
        guard fill(&record, &row, rules, id: id, diagnostics: &diagnostics) else { return false }
        if let (slot, rule) = rules.document, var doc = record as? Document {
            guard attach(&doc, slot, rule, row, rules, documents, &diagnostics) else { return false }
            record = doc as! R
        }
        append(&dossier, consume record)
        return true
    }

    /// The record, or nil when a required value is missing or unusable. Other bad values leave
    /// their field empty and are reported as errors, so one bad date does not lose a report.
    /// `location` is `rules.location(row)`, which the caller has already made.
    func build(_ row: consuming SourceRow, _ rules: RecordRules, id: String, location: consuming SourceLocation, diagnostics: inout [Diagnostic]) -> R? {
        var record = blank(id, rules, consume location)
        var row = row
        return fill(&record, &row, rules, id: id, diagnostics: &diagnostics) ? record : nil
    }

    /// A new record with the mapping's metadata and the row's place, its fields still unset.
    /// Takes the location over: it is the record's from here on, and a copy would count a
    /// reference on each of its texts for every row. It is moved in after the record is made:
    /// handed over inside the metadata, the whole metadata was copied (and the original
    /// destroyed), about 300 instructions a row.
    private func blank(_ id: String, _ rules: RecordRules, _ location: consuming SourceLocation) -> R {
        var record = make(id, RecordMeta(category: rules.meta.category, provenance: rules.meta.provenance,
                                         legalBasis: rules.meta.legalBasis))
        record.meta.source = consume location
        return record
    }

    /// Sets the record's fields from the row; false when the row is rejected (see `build`).
    /// Problems are located where the record says it comes from (`meta.source`).
    func fill(_ record: inout R, _ row: inout SourceRow, _ rules: RecordRules, id: String,
              diagnostics: inout [Diagnostic]) -> Bool {
        var filledElements = Set<String>()
        var problems: [Diagnostic] = []
        var rejected = false
        // Read through the arrays' buffers rather than iterated and subscripted: about 85
        // instructions a record fewer. Each rule is lent to the loop's body without a strong
        // reference: the rules outlive the call, and counting one (an atomic add and subtract
        // per field of every row) was most of what the loop itself cost.
        rules.fields.withUnsafeBufferPointer { fields in
            ordered.withUnsafeBufferPointer { slots in
                for i in fields.indices {
                    Unmanaged.passUnretained(fields[i])._withUnsafeGuaranteedRef { f in
                        if f.column == nil, let e = f.element, !filledElements.contains(e) { return }
                        func origin() -> String { f.columnName.map { "column '\($0)' of \(rules.table)" } ?? "constant" }
                        do throws(ConversionFailure) {
                            guard let v = try f.value(&row, rules.columns) else {
                                if f.required {
                                    problems.append(.error("value.missing", "\(origin()) is empty but \(rules.entity.rawValue).\(f.path) is required",
                                                           at: record.meta.source, path: f.path, recordID: id))
                                    rejected = true
                                }
                                return
                            }
                            Unmanaged.passUnretained(slots[f.slot])._withUnsafeGuaranteedRef { $0.set(&record, consume v, f.indices) }
                            if f.column != nil, let e = f.element { filledElements.insert(e) }
                        } catch {
                            problems.append(.error(error.code, "\(origin()): \(error.reason)" + (f.required ? "; row rejected" : "; field left empty"),
                                                   at: record.meta.source, path: f.path, recordID: id))
                            if f.required { rejected = true }
                        }
                    }
                }
            }
        }
        // Appending an empty array still costs a call and a uniqueness check, for every row.
        if !problems.isEmpty { diagnostics += problems }
        return !rejected
    }

    private func attach(_ doc: inout Document, _ slot: Int, _ rule: DocumentContentRule, _ row: SourceRow,
                        _ rules: RecordRules, _ resolver: (any DocumentResolver)?,
                        _ diagnostics: inout [Diagnostic]) -> Bool {
        let location = doc.meta.source ?? SourceLocation()  // set by `blank`
        let value = rules.columns.value(slot, row)
        let content: DocumentContent
        if case .blob = rule, case .bytes(let b)? = value {
            content = .bytes(b)
        } else if case .file = rule, let p = RecordRules.identifier(value) {
            guard isSafeRelativePath(p) else {
                diagnostics.append(.error("document.path", "document path is absolute or climbs out of the source folder",
                                          at: location, recordID: doc.id))
                return false
            }
            content = .file(relativePath: p)
        } else {
            diagnostics.append(.error("value.missing", "document content column is empty or not of the expected type",
                                      at: location, recordID: doc.id))
            return false
        }
        guard let resolver else {
            diagnostics.append(.error("document.unresolved", "no document resolver was given", at: location, recordID: doc.id))
            return false
        }
        do {
            let r = try resolver.resolve(content, recordID: doc.id, at: location)
            doc.size = r.size; doc.sha256 = r.sha256; doc.path = r.path
            return true
        } catch {
            let code = (error as? DossierError)?.code ?? "unknown"
            diagnostics.append(.error("document.unreadable", "document content could not be read (\(code))",
                                      at: location, recordID: doc.id))
            return false
        }
    }
}
