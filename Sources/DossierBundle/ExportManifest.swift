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
    /// The manifest as `JSONByteEncoder` writes it in pretty style, with `dossiers` and `scope`
    /// (which must be empty here) read from `list` and `scope`: each list is written element by
    /// element, each encoded alone and indented to its place, so a bundle of many dossiers, or
    /// of many records cut, never holds export.json whole. The bytes are those of encoding the
    /// manifest with the lists in it (tests hold the two together).
    public func writePretty(dossiers list: DossierList, scope: EncodedList = EncodedList(), to sink: any ByteSink) throws {
        precondition(dossiers.isEmpty && self.scope.isEmpty, "ExportManifest.writePretty takes its lists from the arguments")
        let whole = try JSONByteEncoder.encode(self, style: .pretty)
        // Members are one to a line and strings never hold a raw line break, so these are the
        // members themselves, not text inside a value; `dossiers` comes before `scope`.
        func open(_ member: String) -> Int {
            guard let at = whole.firstRange(of: Array("\n  \"\(member)\": []".utf8)) else {
                preconditionFailure("pretty export.json has its \(member) at the top level")
            }
            return at.upperBound - 1
        }
        let (dossiersOpen, scopeOpen) = (open("dossiers"), open("scope"))
        try sink.write(Array(whole[..<dossiersOpen]))
        try Self.writeElements(to: sink) { each in try list.forEach { try each(try JSONByteEncoder.encode($0, style: .pretty)) } }
        try sink.write(Array(whole[dossiersOpen..<scopeOpen]))
        try Self.writeElements(to: sink) { each in try scope.forEach(each) }
        try sink.write(Array(whole[scopeOpen...]))
    }

    /// The elements `forEach` hands over (each a pretty document of its own), as the inside of a
    /// top-level member's array: one to a line, indented by four.
    private static func writeElements(to sink: any ByteSink, _ forEach: (([UInt8]) throws -> Void) throws -> Void) throws {
        var first = true
        try forEach { encoded in
            var element = Array((first ? "\n" : ",\n").utf8)
            first = false
            element.append(contentsOf: "    ".utf8)
            // A document ends with a line break; an element does not.
            for b in encoded.last == 0x0A ? encoded.dropLast() : encoded[...] {
                element.append(b)
                if b == 0x0A { element.append(contentsOf: "    ".utf8) }
            }
            try sink.write(element)
        }
        try sink.write(Array((first ? "" : "\n  ").utf8))
    }
}
