/// What every record in a dossier carries besides its content: the facts that decide where it may go.
///
/// GDPR exports are decided per record (an access copy leaves out work notes, a portability export
/// keeps only what the client provided, a transfer drops what is past retention), so these facts
/// live on each record rather than on the dossier.
public struct RecordMeta: Hashable, Sendable, Codable {
    public var category: RecordCategory
    public var provenance: Provenance
    public var legalBasis: LegalBasis
    public var createdAt: Timestamp?
    /// Who recorded it: a professional's name or code, the client, or a system name.
    public var author: String?
    /// The date after which the record must be destroyed (within a year, seed 002 art. 17).
    public var retentionUntil: LocalDate?
    /// The client had it blocked ("afgeschermd", GDPR art. 18).
    public var restricted: Bool
    /// Names or describes third parties whose weighty interests may justify withholding it (art. 15(4)).
    public var containsThirdPartyData: Bool
    /// Where the record came from in the source, so every value can be traced back.
    public var source: SourceLocation?

    /// Inlinable because mappers make one per source row; called across the module boundary it
    /// copied the whole value out through its witness, several times the cost of the fields.
    @inlinable
    public init(category: RecordCategory, provenance: Provenance, legalBasis: LegalBasis,
                createdAt: Timestamp? = nil, author: String? = nil, retentionUntil: LocalDate? = nil,
                restricted: Bool = false, containsThirdPartyData: Bool = false, source: SourceLocation? = nil) {
        self.category = category
        self.provenance = provenance
        self.legalBasis = legalBasis
        self.createdAt = createdAt
        self.author = author
        self.retentionUntil = retentionUntil
        self.restricted = restricted
        self.containsThirdPartyData = containsThirdPartyData
        self.source = source
    }
}

/// The retention classes of seed 002 art. 17: each maps to a configurable term.
public enum RecordCategory: String, Hashable, Sendable, Codable, CaseIterable, CodingKeyRepresentable {
    case care, financial, administrative, personal, log
}

/// Who supplied the data; portability (art. 20) covers only `client`.
public enum Provenance: String, Hashable, Sendable, Codable, CaseIterable {
    case client, professional, thirdParty, system
}

/// GDPR art. 6(1) grounds; portability applies only to `consent` and `contract`.
public enum LegalBasis: String, Hashable, Sendable, Codable, CaseIterable {
    case consent, contract, legalObligation, vitalInterests, publicTask, legitimateInterests
}

/// A place in a source: a file position, a table row, or an element path.
///
/// Kept as optional parts rather than an enum so that formats stay flat and an adapter can give
/// whatever it knows (a CSV row has a file and line, a dump row also a table and key).
public struct SourceLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    public var column: Int?
    public var table: String?
    public var key: String?
    /// An entry inside a container: a zip member, or an XML element path.
    public var entry: String?

    public init(file: String? = nil, line: Int? = nil, column: Int? = nil, table: String? = nil,
                key: String? = nil, entry: String? = nil) {
        self.file = file; self.line = line; self.column = column
        self.table = table; self.key = key; self.entry = entry
    }

    /// `file:line:col`, then `[entry]`, then `table#key`: the compiler-style prefix of a diagnostic.
    public var description: String {
        var parts: [String] = []
        if let file {
            var s = file
            if let line { s += ":\(line)"; if let column { s += ":\(column)" } }
            parts.append(s)
        } else if let line {
            parts.append("line \(line)" + (column.map { ":\($0)" } ?? ""))
        }
        if let entry { parts.append(entry) }
        if let table { parts.append(key.map { "\(table)#\($0)" } ?? table) }
        return parts.isEmpty ? "<unknown>" : parts.joined(separator: ": ")
    }
}
