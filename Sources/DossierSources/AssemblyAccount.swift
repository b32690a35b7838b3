public import DossierModel

/// What happened to the rows of one source table; the rows always add up.
public struct TableAccount: Hashable, Sendable, Codable {
    public enum Disposition: String, Hashable, Sendable, Codable {
        /// The client table or a table with entity mappings.
        case mapped
        /// Read only as a link table, to find the clients of another table's rows.
        case link
        /// Listed under `ignore` in the profile.
        case ignored
        /// Not named anywhere in the profile: reported once as `table.unmapped`.
        case unmapped
    }

    public var table: String
    public var disposition: Disposition
    public var read = 0
    public var mapped = 0
    public var rejected = 0
    /// Rows left out because they belong to another client than the one asked for.
    public var filtered = 0
    /// Rows of link, ignored and unmapped tables, which are counted but become no record.
    public var notMapped = 0

    public init(table: String, disposition: Disposition) { self.table = table; self.disposition = disposition }

    public var reconciles: Bool { read == mapped + rejected + filtered + notMapped }
}

/// What happened to the rows mapped to one dossier section.
public struct EntityAccount: Hashable, Sendable, Codable {
    public var entity: Entity
    /// Rows of its tables that the mapping took (after any `when` condition).
    public var read = 0
    public var mapped = 0
    public var rejected = 0
    public var filtered = 0
    /// Records placed in dossiers: more than `mapped` when a row belongs to several clients.
    public var records = 0

    public init(entity: Entity) { self.entity = entity }

    public var reconciles: Bool { read == mapped + rejected + filtered }
}

/// The account of one export run: every row read is mapped, rejected with a diagnostic, filtered
/// out, or counted under an unmapped, ignored or link table.
public struct ExportAccount: Hashable, Sendable, Codable {
    /// Per source table, sorted by name.
    public var tables: [TableAccount] = []
    /// Per mapped section, in `Entity` order.
    public var entities: [EntityAccount] = []
    public var dossiers = 0
    /// Errors `DossierValidator` found in assembled dossiers (not row rejections).
    public var validationErrors = 0
    /// The rows' diagnostics and the validator's findings, the first `ExportOptions.keptDiagnostics`
    /// of each severity listed; `validationErrors` of its errors are the validator's.
    public var diagnostics = DiagnosticLog()

    public init() {}

    /// True when the rows of every table and every section add up.
    public var reconciles: Bool {
        tables.allSatisfy(\.reconciles) && entities.allSatisfy(\.reconciles)
    }

    public func table(_ name: String) -> TableAccount? { tables.first { $0.table == name } }
    public func entity(_ e: Entity) -> EntityAccount? { entities.first { $0.entity == e } }
}
