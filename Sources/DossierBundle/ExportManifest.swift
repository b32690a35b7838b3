public import DossierModel
public import DossierPolicy
public import DossierIO
import DossierFormats

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
    /// The manifest as `JSONByteEncoder` writes it in pretty style, with `dossiers` (which must be
    /// empty here) read from `list`: the list is written element by element, each encoded alone and
    /// indented to its place, so a bundle of many dossiers never holds export.json whole. The
    /// bytes are those of encoding the manifest with the list in it (tests hold the two together).
    public func writePretty(dossiers list: DossierList, to sink: any ByteSink) throws {
        precondition(dossiers.isEmpty, "ExportManifest.writePretty takes the dossiers from the list")
        let whole = try JSONByteEncoder.encode(self, style: .pretty)
        // Members are one to a line and strings never hold a raw line break, so this is the
        // member itself, not text inside a value.
        let member = Array("\n  \"dossiers\": []".utf8)
        guard let at = whole.firstRange(of: member) else {
            preconditionFailure("pretty export.json lists its dossiers at the top level")
        }
        let open = at.upperBound - 1
        try sink.write(Array(whole[..<open]))
        var first = true
        try list.forEach { entry in
            var element = Array((first ? "\n" : ",\n").utf8)
            first = false
            element.append(contentsOf: "    ".utf8)
            var encoded = try JSONByteEncoder.encode(entry, style: .pretty)
            // A document ends with a line break; an element does not.
            if encoded.last == 0x0A { encoded.removeLast() }
            for b in encoded {
                element.append(b)
                if b == 0x0A { element.append(contentsOf: "    ".utf8) }
            }
            try sink.write(element)
        }
        try sink.write(Array((first ? "" : "\n  ").utf8))
        try sink.write(Array(whole[open...]))
    }
}
