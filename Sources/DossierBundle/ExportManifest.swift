public import DossierModel
public import DossierPolicy

/// `data/export.json`: what a bundle claims to hold, checked by `verify` against the payload.
///
/// It names the sender, the purpose and every dossier by identifier only: the manifest is read
/// before any dossier is, and must not itself carry personal data.
public struct ExportManifest: Hashable, Sendable, Codable {
    public static let formatVersion = "1.0"

    public var formatVersion: String
    /// Identifies this bundle; a receiver uses it to notice a bundle it has already imported.
    public var bundleID: String
    public var software: String
    public var createdAt: Timestamp
    /// Nil for a complete canonical export made without a purpose.
    public var purpose: ExportPurpose?
    public var controller: Controller
    /// The organisation the bundle is meant for, when the sender named one.
    public var recipient: String?
    public var sourceSystems: [String]
    /// Record counts per section over all dossiers in the bundle.
    public var counts: EntityMap<Int>
    public var documents: Int
    public var dossiers: [Entry]
    /// Records the purpose left out or redacted, by dossier and record id.
    public var scope: [ScopeEntry]

    public struct Entry: Hashable, Sendable, Codable {
        public var id: String
        /// Payload path of the canonical JSON (`dossiers/<id>.json`).
        public var json: String
        public var xml: String?
        /// The HTML copy a person can read (access exports).
        public var accessCopy: String?
        public var documents: [String]

        public init(id: String, json: String, xml: String? = nil, accessCopy: String? = nil, documents: [String] = []) {
            self.id = id; self.json = json; self.xml = xml; self.accessCopy = accessCopy; self.documents = documents
        }
    }

    public init(bundleID: String, software: String, createdAt: Timestamp, purpose: ExportPurpose?, controller: Controller,
                recipient: String?, sourceSystems: [String], counts: EntityMap<Int>, documents: Int, dossiers: [Entry],
                scope: [ScopeEntry]) {
        self.formatVersion = Self.formatVersion
        self.bundleID = bundleID; self.software = software; self.createdAt = createdAt; self.purpose = purpose
        self.controller = controller; self.recipient = recipient; self.sourceSystems = sourceSystems
        self.counts = counts; self.documents = documents; self.dossiers = dossiers; self.scope = scope
    }
}
