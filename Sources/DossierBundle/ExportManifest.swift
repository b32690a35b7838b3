public import DossierModel
public import DossierPolicy
public import DossierIO
public import DossierFormats

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

extension ExportManifest {
    /// The manifest as `JSONByteEncoder` writes it in pretty style, with `dossiers` and `scope`
    /// (which must be empty here) read from `list` and `scope`, so a bundle of many dossiers, or
    /// of many records cut, never holds export.json whole (tests hold the bytes to those of
    /// encoding the manifest with the lists in it).
    public func writePretty(dossiers list: DossierList, scope: EncodedList<ScopeEntry> = EncodedList(), to sink: any ByteSink) throws {
        precondition(dossiers.isEmpty && self.scope.isEmpty, "ExportManifest.writePretty takes its lists from the arguments")
        let dossiers = SplicedList("dossiers") { each in try list.forEach { try each(try JSONByteEncoder.encode($0, style: .pretty)) } }
        try JSONByteEncoder.writePretty(self, lists: [dossiers, SplicedList("scope", scope)], to: sink)
    }
}
