public import DossierModel
import DossierIO
public import DossierCrypto
public import DossierFormats
public import DossierPolicy
import DossierBundle

/// How a bundle is made, beyond the dossiers that go in.
public struct BundleOptions: Sendable {
    /// Written into `export.json` and `bag-info.txt`; fixed by the caller for byte-identical bundles.
    public var createdAt: Timestamp
    public var purpose: ExportPurpose?
    /// The organisation configuration: art. 15 information for access copies.
    public var organisation: Organisation?
    public var recipient: String?
    /// Also put the canonical XML beside each JSON dossier.
    public var includeXML = false
    public var language = CopyLanguage.nl
    public var signingKey: SSHSigningKey?
    /// age recipients to encrypt the whole zip to; empty (and no passphrase) means not encrypted.
    public var recipients: [AgeRecipient] = []
    public var passphrase: String?
    /// Defaults to an identifier derived from the controller, purpose and creation time.
    public var bundleID: String?
    /// zlib level for text entries. 1 by default: bundles are made to be sent, and level 1 costs a
    /// third of level 6's time for a few percent more bytes (media are stored, never deflated).
    public var compressionLevel: Int32 = 1
    /// A dossier file larger than this gets a warning: a receiver refuses it unless it raises its
    /// own limit (`ZipLimits.maxDossierSize`, whose default this is).
    public var largeDossier = ZipLimits.default.maxDossierSize

    public init(createdAt: Timestamp, purpose: ExportPurpose? = nil, organisation: Organisation? = nil) {
        self.createdAt = createdAt; self.purpose = purpose; self.organisation = organisation
    }

    var encrypted: Bool { !recipients.isEmpty || passphrase != nil }
}

/// Writes dossiers into a BagIt bag in a zip (optionally age-encrypted): the thing that crosses
/// from one controller to another.
///
/// It is an export destination like a folder, so the same pipeline (validate, cut to purpose)
/// feeds it. Nothing appears under the bundle's name until `finish` has written, signed, encrypted
/// and fsynced everything.
public final class BundleDestination: DossierDestination {
    private let options: BundleOptions
    private let file: PendingFile
    private let encryptor: AgeEncryptor?
    private let bag: BagZipWriter
    private let bundleID: String
    /// export.json's dossier list, on disk once long (a migration bundle lists every client).
    private let entries = DossierList()
    private var counts = EntityMap<Int>()
    private var documents = 0
    /// export.json's scope, encoded and on disk once long (a transfer cuts every work note).
    private var scope = EncodedList<ScopeEntry>()
    private var sources: Set<String> = []
    private var controller: Controller?
    /// Hashes of the dossier ids written, to refuse one used twice; a hash seen before is checked
    /// against the list itself, so ids are not held twice.
    private var seen: Set<Int> = []
    private var warnings: [Diagnostic] = []

    public init(path: String, options: BundleOptions) throws {
        self.options = options
        let id = options.bundleID ?? Self.defaultID(options)
        guard isSafeFileName(id) else {
            throw DossierError("bundle.id", "bundle id cannot be used as a folder name", at: SourceLocation(file: path))
        }
        bundleID = id
        file = try PendingFile(path: path)
        let sink: any ByteSink
        if !options.recipients.isEmpty {
            encryptor = try AgeEncryptor(recipients: options.recipients, output: file.sink)
            sink = encryptor!
        } else if let p = options.passphrase {
            encryptor = try AgeEncryptor(passphrase: p, output: file.sink)
            sink = encryptor!
        } else {
            encryptor = nil
            sink = file.sink
        }
        var zipOptions = ZipWriterOptions()
        zipOptions.level = options.compressionLevel
        bag = BagZipWriter(zip: ZipWriter(sink: sink, path: path, options: zipOptions), root: id)
    }

    public func write(_ loaded: LoadedDossier) throws {
        var d = loaded.dossier
        guard isSafeFileName(d.id), try isNew(d.id) else {
            throw DossierError("output.name", "dossier id is unusable as a file name or used twice", at: loaded.origin, recordID: d.id)
        }
        if let c = controller, c != d.controller {
            throw DossierError("bundle.controller", "a bundle holds the dossiers of one controller", at: loaded.origin, recordID: d.id)
        }
        controller = d.controller
        var docPaths: [String] = []
        for item in try DocumentPlan.items(in: d, from: loaded) {
            let doc = d.documents[item.index]
            switch item.source {
            case .file(let path):
                try bag.add(item.target, file: path, expectedSize: doc.size, expectedSHA256: doc.sha256, recordID: doc.id)
            case .bytes(let bytes):
                try bag.add(item.target, bytes: bytes, expectedSize: doc.size, expectedSHA256: doc.sha256, recordID: doc.id)
            }
            d.documents[item.index].path = item.target
            docPaths.append(item.target)
        }
        var entry = ExportManifest.Entry(id: d.id, json: "dossiers/\(d.id).json", documents: docPaths)
        try add(entry.json, loaded) { try DossierJSON.write(d, to: $0) }
        if options.includeXML {
            entry.xml = "dossiers/\(d.id).xml"
            try add(entry.xml!, loaded) { try DossierXMLFormat.write(d, to: $0) }
        }
        if options.purpose == .access, let org = options.organisation {
            entry.accessCopy = "copy/\(d.id).html"
            // The copy lives in data/copy/, so its links climb one level to data/documents/.
            let links = Dictionary(uniqueKeysWithValues: d.documents.compactMap { doc in doc.path.map { (doc.id, "../" + $0) } })
            let context = AccessCopyContext(organisation: org, purpose: .access, notes: loaded.scope,
                                            createdOn: options.createdAt.date, language: options.language, documentLinks: links)
            try bag.add(entry.accessCopy!, writing: { try HTMLAccessCopy.write(d, context: context, to: $0) })
        }
        try entries.append(entry)
        for (e, n) in d.counts where n > 0 { counts[e, default: 0] += n }
        documents += docPaths.count
        for n in loaded.scope { try scope.append(ScopeEntry(dossier: d.id, note: n)) }
        if let s = d.sourceSystem { sources.insert(s) }
    }

    /// A dossier file, with a warning when it is larger than a receiver reads by default: the
    /// bundle is still whole, but the receiver has to raise its limit to load it.
    ///
    /// Written through the bag's held bytes rather than encoded to an array first: one client of
    /// 400,000 reports is 169 MB of JSON, and the array doubling up to it was most of the peak.
    private func add(_ path: String, _ loaded: LoadedDossier, _ write: (any ByteSink) throws -> Void) throws {
        let size = try bag.add(path, writing: write)
        if size > options.largeDossier {
            warnings.append(.warning("bundle.large-dossier", "dossier file \(path) is \(size) bytes, over the \(options.largeDossier)-byte limit a receiver applies unless it raises --max-dossier",
                                     at: loaded.origin, recordID: loaded.dossier.id))
        }
    }

    public func takeWarnings() -> [Diagnostic] {
        defer { warnings = [] }
        return warnings
    }

    private func isNew(_ id: String) throws -> Bool {
        if seen.insert(id.hashValue).inserted { return true }
        var found = false
        try entries.forEach { found = found || $0.id == id }
        return !found
    }

    public func excluded(_ dossierID: String, notes: [ScopeNote]) throws {
        for n in notes { try scope.append(ScopeEntry(dossier: dossierID, note: n)) }
    }

    public func finish() throws {
        guard let controller = controller ?? options.organisation?.controller else {
            throw DossierError("bundle.empty", "no dossier was written, so the bundle has no controller")
        }
        let manifest = ExportManifest(bundleID: bundleID, software: "dossierport \(Toolkit.version)", createdAt: options.createdAt,
                                      purpose: options.purpose, controller: controller, recipient: options.recipient,
                                      sourceSystems: sources.sorted(), counts: counts, documents: documents,
                                      dossiers: [], scope: [])
        let (list, scope) = (entries, scope)
        try bag.add("export.json", streaming: { try manifest.writePretty(dossiers: list, scope: scope, to: $0) })
        var info = BagInfo([
            ("Source-Organization", controller.name),
            ("Organization-Address", controller.address.map { [$0.street, $0.houseNumber, $0.postalCode, $0.city].compactMap { $0 }.joined(separator: " ") } ?? ""),
            ("Contact-Name", controller.dpo.name ?? ""),
            ("Contact-Email", controller.dpo.email ?? ""),
            ("External-Identifier", bundleID),
            ("Bagging-Date", options.createdAt.date.description),
            ("Bag-Software-Agent", "dossierport \(Toolkit.version)"),
            ("BagIt-Profile-Identifier", Toolkit.bagitProfileIdentifier),
            ("Dossierport-Format-Version", ExportManifest.formatVersion),
            ("Dossierport-Purpose", options.purpose?.rawValue ?? "complete"),
            ("Dossierport-Created-At", options.createdAt.description),
            ("Dossierport-Dossier-Count", String(entries.count)),
            ("Dossierport-KvK", controller.kvkNumber),
        ])
        info.fields.removeAll { $0.value.isEmpty }
        if let r = options.recipient { info.fields.append(("Dossierport-Recipient", r)) }
        let key = options.signingKey
        _ = try bag.finish(info: info, signer: key.map { k in { try SSHSignature.sign($0, with: k) } })
        try encryptor?.finish()
        try file.commit()
    }

    /// `DP-<KvK>-<yyyymmddThhmmssZ>-<purpose>`: readable, unique per controller and second, and
    /// the same for the same inputs, which keeps bundles reproducible.
    static func defaultID(_ o: BundleOptions) -> String {
        let utc = o.createdAt.epochSeconds
        let day = LocalDate(daysSinceEpoch: utc / 86_400)
        let s = utc % 86_400
        let stamp = day.description.filter { $0 != "-" } + "T"
            + [s / 3600, s / 60 % 60, s % 60].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined() + "Z"
        return "DP-\(o.organisation?.controller.kvkNumber ?? "00000000")-\(stamp)-\(o.purpose?.rawValue ?? "complete")"
    }
}

/// Library-wide constants. (Not named after the module: a type named like its module breaks
/// module-qualified lookup.)
public enum Toolkit {
    public static let version = "0.1.0"
    /// The BagIt profile every bundle declares and `formats/bagit-profile.json` describes.
    public static let bagitProfileIdentifier = "urn:dossierport:bagit-profile:1.0"
}
