#if canImport(Glibc)
import Glibc
#endif
public import DossierModel
import DossierIO
public import DossierCrypto
import DossierFormats
public import DossierBundle

/// The keys a receiver holds: who it trusts to sign, and how it decrypts.
public struct BundleKeys: Sendable {
    public var trusted: AllowedSigners?
    public var requireSignature = false
    public var identities: [AgeIdentity] = []
    public var passphrase: String?

    public init(trusted: AllowedSigners? = nil, requireSignature: Bool = false, identities: [AgeIdentity] = [], passphrase: String? = nil) {
        self.trusted = trusted; self.requireSignature = requireSignature; self.identities = identities; self.passphrase = passphrase
    }
}

/// Everything `verify` and `inspect` learned about a bundle.
public struct BundleCheck: Sendable {
    public var path: String
    public var encrypted = false
    public var bag = BagVerification()
    public var manifest: ExportManifest?
    /// Problems beyond BagIt's: the export manifest against the payload, and the dossiers themselves.
    public var problems: [Diagnostic] = []

    public var allProblems: [Diagnostic] { bag.problems + problems }
    public var isValid: Bool { !allProblems.contains { $0.severity == .error } }
}

/// Opens a bundle (zip, encrypted zip or unpacked folder) and checks it completely.
///
/// Order matters: decryption authenticates every chunk; then the signature, the tag manifest and
/// every checksum; only when those pass are `export.json` and the dossiers parsed, so no parser
/// sees bytes that might not be what the sender sent.
public enum BundleInspection {
    public static func check(path: String, keys: BundleKeys, limits: ZipLimits = .default) -> BundleCheck {
        var result = BundleCheck(path: path)
        do {
            try withStore(path: path, keys: keys, limits: limits) { store, encrypted in
                result.encrypted = encrypted
                result.bag = BagVerifier.verify(store, trusted: keys.trusted, requireSignature: keys.requireSignature)
                guard result.bag.isValid else { return }
                checkManifest(store, &result)
            }
        } catch {
            result.problems.append((error as? DossierError)?.diagnostic
                                   ?? .error("bundle.unreadable", "\(error)", at: SourceLocation(file: path)))
        }
        return result
    }

    /// Gives `body` a store over the bundle; an encrypted one is decrypted into a private temporary
    /// file first (zip needs random access), which is removed afterwards whatever happens.
    public static func withStore<R>(path: String, keys: BundleKeys, limits: ZipLimits = .default,
                                    _ body: (any BagStore, _ encrypted: Bool) throws -> R) throws -> R {
        if FileSystem.isDirectory(path) { return try body(FolderBagStore(path: path), false) }
        guard try isAgeFile(path) else { return try body(try ZipBagStore(reader: try ZipReader(path: path, limits: limits)), false) }
        guard !keys.identities.isEmpty || keys.passphrase != nil else {
            throw DossierError("bundle.encrypted", "bundle is age-encrypted; give --identity FILE or --passphrase-file FILE",
                               at: SourceLocation(file: path))
        }
        let dir = try PrivateFolder(under: ProcessEnvironment.tmpdir)
        let plain = dir.path + "/bundle.zip"
        if let p = keys.passphrase {
            try AgeDecryptor.decryptFile(at: path, to: plain, passphrase: p)
        } else {
            try AgeDecryptor.decryptFile(at: path, to: plain, identities: keys.identities)
        }
        return try body(try ZipBagStore(reader: try ZipReader(path: plain, limits: limits)), true)
    }

    static func isAgeFile(_ path: String) throws -> Bool {
        let reader = try ByteReader(path: path, chunkSize: 64)
        guard let chunk = try reader.nextChunk() else { return false }
        let head = Array(chunk.prefix(34))
        return head.starts(with: Array("age-encryption.org/v1\n".utf8)) || head.starts(with: Array("-----BEGIN AGE ENCRYPTED FILE-----".utf8))
    }

    /// `export.json` against the payload: every dossier listed is there and nothing else, counts add up.
    static func checkManifest(_ store: any BagStore, _ r: inout BundleCheck) {
        guard let files = readManifest(store, &r), let manifest = r.manifest else { return }
        checkDossiers(manifest, files, store, &r)
    }

    /// Reads `export.json` into `r.manifest`; the payload's files when the dossiers can be checked
    /// against it, nil when there is no manifest or one this build does not read.
    static func readManifest(_ store: any BagStore, _ r: inout BundleCheck) -> [String: UInt64]? {
        let at = SourceLocation(file: store.location, entry: "data/export.json")
        guard let files = try? store.files() else { return nil }
        guard files["data/export.json"] != nil else {
            r.problems.append(.warning("bundle.no-export-manifest", "no data/export.json: a plain BagIt bag, not a Dossierport bundle", at: at))
            return nil
        }
        var manifest: ExportManifest
        do {
            var entries: [ExportManifest.Entry] = []
            manifest = try JSONByteDecoder.decode(ExportManifest.self, from: try store.bytes("data/export.json", limit: 256 << 20),
                                                  file: "data/export.json", streaming: "dossiers", of: ExportManifest.Entry.self) {
                entries.append($0)
            }
            manifest.dossiers += entries
        } catch {
            r.problems.append(diagnostic(error, at))
            return nil
        }
        r.manifest = manifest
        guard manifest.formatVersion.split(separator: ".").first == "1" else {
            r.problems.append(.error("bundle.version", "export.json format version is not one this build reads", at: at))
            return nil
        }
        return files
    }

    /// Every dossier `manifest` lists against the payload and the model, in export.json order.
    ///
    /// `each` is handed every dossier that passed, as long as everything checked before it passed
    /// too, so an import can stage its output in the same pass instead of decoding every dossier
    /// a second time; the caller still decides from the finished check whether to keep it.
    static func checkDossiers(_ manifest: ExportManifest, _ files: [String: UInt64], _ store: any BagStore, _ r: inout BundleCheck,
                              each: (Dossier, ExportManifest.Entry) -> Void = { _, _ in }) {
        let at = { (entry: String) in SourceLocation(file: store.location, entry: entry) }
        var passing = r.isValid
        // The payload's own names (shared storage, not new strings), struck off as export.json lists them.
        var unlisted = Set(files.keys.lazy.filter { $0.hasPrefix("data/") })
        unlisted.remove("data/export.json")
        var counts = EntityMap<Int>()
        for entry in manifest.dossiers {
            let before = r.problems.count
            for p in [entry.json] + [entry.xml, entry.accessCopy].compactMap({ $0 }) + entry.documents {
                let path = "data/" + p
                unlisted.remove(path)
                if files[path] == nil { r.problems.append(.error("bundle.missing-dossier", "export.json lists a file the payload lacks", at: at(path), recordID: entry.id)) }
            }
            do {
                let d = try DossierJSON.decode(try store.bytes("data/" + entry.json, limit: 1 << 30), file: "data/" + entry.json)
                if d.id != entry.id {
                    r.problems.append(.error("bundle.dossier-id", "dossier file holds a different dossier id than export.json says", at: at("data/" + entry.json), recordID: entry.id))
                }
                for (e, n) in d.counts where n > 0 { counts[e, default: 0] += n }
                r.problems += DossierValidator.validate(d).map { var x = $0; x.location = at("data/" + entry.json); return x }
                passing = passing && !r.problems[before...].contains { $0.severity == .error }
                if passing { each(d, entry) }
            } catch {
                r.problems.append(diagnostic(error, at("data/" + entry.json)))
                passing = false
            }
        }
        for path in unlisted.sorted() {
            r.problems.append(.error("bundle.unlisted-file", "payload file is not listed in export.json", at: at(path)))
        }
        if counts != manifest.counts {
            let diff = Entity.allCases.filter { counts[$0] ?? 0 != manifest.counts[$0] ?? 0 }.map(\.rawValue)
            r.problems.append(.error("bundle.counts", "record counts in export.json do not match the dossiers for: \(diff.joined(separator: ", "))",
                                     at: at("data/export.json")))
        }
        let docs = manifest.dossiers.reduce(0) { $0 + $1.documents.count }
        if docs != manifest.documents {
            r.problems.append(.error("bundle.counts", "export.json's document count does not match its list", at: at("data/export.json")))
        }
    }

    static func diagnostic(_ error: any Error, _ at: SourceLocation) -> Diagnostic {
        if var d = (error as? DossierError)?.diagnostic {
            if d.location == nil { d.location = at }
            return d
        }
        return .error("bundle.error", "\(error)", at: at)
    }
}

enum ProcessEnvironment {
    static var tmpdir: String { getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp" }
}
