#if canImport(Glibc)
import Glibc
#endif
import Foundation
public import DossierModel
import DossierIO
public import DossierCrypto
import DossierFormats
public import DossierBundle
import DossierPolicy

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
    /// export.json without its dossier list, which is in `dossiers`, and its scope list, which is
    /// counted in `cut` as it streams by (it names one record for each one a purpose cut).
    public var manifest: ExportManifest?
    /// export.json's dossier list, read as it streamed by and set aside on disk when long.
    public var dossiers: DossierList?
    /// How many records export.json's scope says the purpose excluded and redacted.
    public var cut = (excluded: 0, redacted: 0)
    /// Problems beyond BagIt's: the export manifest against the payload, and the dossiers
    /// themselves. Listed up to a limit and counted past it, like the bag's: export.json may list
    /// millions of dossiers that are not there.
    public var problems = DiagnosticLog()

    /// The bag's problems, then the others.
    public var allProblems: DiagnosticLog {
        var all = bag.problems
        all.append(contentsOf: problems)
        return all
    }
    public var isValid: Bool { bag.isValid && problems.errors == 0 }
}

/// Opens a bundle (zip, encrypted zip or unpacked folder) and checks it completely.
///
/// Order matters: decryption authenticates every chunk; then the signature, the tag manifest and
/// every checksum; only when those pass are `export.json` and the dossiers parsed, so no parser
/// sees bytes that might not be what the sender sent. A dossier file's checksum is the exception
/// in place, not in order: it is checked on the bytes read whole to decode it, before the decoder
/// sees them, rather than by reading (and inflating) the file once more beforehand.
public enum BundleInspection {
    public static func check(path: String, keys: BundleKeys, limits: ZipLimits = .default) -> BundleCheck {
        var result = BundleCheck(path: path)
        do {
            try withStore(path: path, keys: keys, limits: limits) { store, encrypted in
                result.encrypted = encrypted
                result.bag = verifyBag(store, keys)
                if result.bag.isValid { checkManifest(store, &result, limits: limits) }
                BagVerifier.checkDeferred(store, &result.bag)
            }
        } catch {
            result.problems.append(diagnostic(error, SourceLocation(file: path)))
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
        let dir = try PrivateFolder(under: PrivateFolder.temporaryDirectory)
        let plain = dir.path + "/bundle.zip"
        if let p = keys.passphrase {
            try AgeDecryptor.decryptFile(at: path, to: plain, passphrase: p)
        } else {
            try AgeDecryptor.decryptFile(at: path, to: plain, identities: keys.identities)
        }
        return try body(try ZipBagStore(reader: try ZipReader(path: plain, limits: limits)), true)
    }

    /// The bag's own checks, leaving the dossier files' checksums (JSON and XML) to `checkDossiers`,
    /// which reads them whole anyway; the caller then has `BagVerifier.checkDeferred` hash what it did not read.
    static func verifyBag(_ store: any BagStore, _ keys: BundleKeys) -> BagVerification {
        BagVerifier.verify(store, trusted: keys.trusted, requireSignature: keys.requireSignature) { path in
            path.hasPrefix("data/dossiers/") && (path.hasSuffix(".json") || path.hasSuffix(".xml"))
        }
    }

    static func isAgeFile(_ path: String) throws -> Bool {
        let reader = try ByteReader(path: path, chunkSize: 64)
        guard let chunk = try reader.nextChunk() else { return false }
        let head = Array(chunk.prefix(34))
        return head.starts(with: Array("age-encryption.org/v1\n".utf8)) || head.starts(with: Array("-----BEGIN AGE ENCRYPTED FILE-----".utf8))
    }

    /// `export.json` against the payload: every dossier listed is there and nothing else, counts add up.
    static func checkManifest(_ store: any BagStore, _ r: inout BundleCheck, limits: ZipLimits) {
        guard let payload = readManifest(store, &r), let manifest = r.manifest, let dossiers = r.dossiers else { return }
        checkDossiers(manifest, dossiers, payload, store, &r, limits: limits)
    }

    /// Reads `export.json` into `r.manifest`; how many payload files export.json must list (all
    /// but itself) when the dossiers can be checked against it, nil when there is no manifest or
    /// one this build does not read.
    static func readManifest(_ store: any BagStore, _ r: inout BundleCheck, holding: Int = 4096) -> Int? {
        let at = SourceLocation(file: store.location, entry: "data/export.json")
        var payload = 0
        do { try store.forEachFile { path, _ in if path.hasPrefix("data/") && path != "data/export.json" { payload += 1 } } } catch { return nil }
        guard store.fileSize("data/export.json") != nil else {
            r.problems.append(.warning("bundle.no-export-manifest", "no data/export.json: a plain BagIt bag, not a Dossierport bundle", at: at))
            return nil
        }
        var manifest: ExportManifest
        let dossiers = DossierList(holding: holding)
        do {
            let stream = JSONArrayStream(ExportManifest.self, file: "data/export.json", streaming: "dossiers",
                                         of: ExportManifest.Entry.self) { try dossiers.append($0) }
            var cut = (excluded: 0, redacted: 0)
            func count(_ e: ScopeEntry) {
                switch e.note.action {
                case .excluded: cut.excluded += 1
                case .redacted: cut.redacted += 1
                case .kept: break
                }
            }
            stream.alsoStreaming("scope", of: ScopeEntry.self) { count($0) }
            try store.read("data/export.json", to: stream)
            manifest = try stream.finish { m in
                guard m.formatVersion.split(separator: ".").first == "1" else {
                    r.manifest = m
                    throw DossierError("bundle.version", "export.json format version is not one this build reads", at: at)
                }
            }
            // Written with an escaped member name, the list arrives in the manifest instead.
            for e in manifest.dossiers { try dossiers.append(e) }
            manifest.dossiers = []
            manifest.scope.forEach(count)
            manifest.scope = []
            r.cut = cut
        } catch {
            r.problems.append(diagnostic(error, at))
            return nil
        }
        r.dossiers = dossiers
        r.manifest = manifest
        return payload
    }

    /// Every dossier `manifest` lists against the payload and the model, in export.json order.
    static func checkDossiers(_ manifest: ExportManifest, _ dossiers: DossierList, _ payloadFiles: Int, _ store: any BagStore,
                              _ r: inout BundleCheck, limits: ZipLimits) {
        checkDossiers(manifest, dossiers, payloadFiles, store, &r, limits: limits, prepare: { _, _, _ in () }, each: { _ in })
    }

    /// Every dossier `manifest` lists against the payload and the model, in export.json order.
    ///
    /// Dossiers are decoded and validated on every core, a few dozen ahead, and their problems
    /// merged in order. `prepare` runs there too, on each dossier that passed its own checks
    /// (`worker` says which thread, for per-thread state); `each` is then handed, in order, what
    /// it made of every dossier that passed, as long as everything checked before it passed too,
    /// so an import can stage its output in the same pass instead of decoding every dossier a
    /// second time; the caller still decides from the finished check whether to keep it.
    ///
    /// `payloadFiles` counts the payload files other than export.json. The listed files are
    /// counted, not collected: a hash a file (eight bytes), sorted and deduplicated at the end,
    /// tells whether every payload file was listed; only when not are the names gathered that
    /// say which, and only those that are there. (Two paths with one hash undercount, which only
    /// sends the check the long way.)
    static func checkDossiers<Prepared>(_ manifest: ExportManifest, _ dossiers: DossierList, _ payloadFiles: Int, _ store: any BagStore,
                                        _ r: inout BundleCheck, limits: ZipLimits,
                                        prepare: @escaping @Sendable (Dossier, ExportManifest.Entry, _ worker: Int) -> Prepared,
                                        each: (Prepared) -> Void) {
        let at = { (entry: String) in SourceLocation(file: store.location, entry: entry) }
        var passing = r.isValid
        var listed: [Int] = []
        listed.reserveCapacity(payloadFiles)
        var counts = EntityMap<Int>()
        // A dossier that could not be decoded has no counts: its own error says why, and the
        // totals could only differ because of it.
        var undecoded = false
        let deferred = r.bag.deferred
        do {
            let reader = try dossiers.makeReader()
            let outcomes = OrderedWork(workers: workers, inputs: reader.next) { entry, worker in
                checkDossier(entry, store, limits: limits, deferred: deferred) { prepare($0, entry, worker) }
            }
            while let (entry, outcome) = try outcomes.next() {
                for file in outcome.checksummed { r.bag.deferred.markChecked(file) }
                for mismatch in outcome.checksums { r.bag.problems.append(mismatch) }
                let before = r.problems.errors
                for path in listedPaths(entry) {
                    if store.fileSize(path) == nil {
                        r.problems.append(.error("bundle.missing-dossier", "export.json lists a file the payload lacks", at: at(path), recordID: entry.id))
                    } else if path != "data/export.json" {
                        listed.append(path.hashValue)
                        // export.json may list one file a million times: deduplicated, the hashes
                        // are no more than the payload's files.
                        if listed.count >= 2 * max(payloadFiles, 1024) { listed = Array(Set(listed)) }
                    }
                }
                r.problems.append(contentsOf: outcome.problems)
                guard let dossierCounts = outcome.counts else { passing = false; undecoded = true; continue }
                for (e, n) in dossierCounts where n > 0 { counts[e, default: 0] += n }
                passing = passing && r.problems.errors == before && outcome.checksums.isEmpty
                if passing, let p = outcome.prepared { each(p) }
            }
        } catch {
            r.problems.append(diagnostic(error, at("data/export.json")))
            return
        }
        listed.sort()
        if zip(listed, listed.dropFirst()).reduce(listed.isEmpty ? 0 : 1, { $0 + ($1.0 != $1.1 ? 1 : 0) }) < payloadFiles {
            var names: Set<String> = []
            try? dossiers.forEach { names.formUnion(listedPaths($0).filter { store.fileSize($0) != nil }) }
            var unlisted: [String] = []
            try? store.forEachFile { path, _ in
                if path.hasPrefix("data/") && path != "data/export.json" && !names.contains(path) { unlisted.append(path) }
            }
            for path in unlisted.sorted() {
                r.problems.append(.error("bundle.unlisted-file", "payload file is not listed in export.json", at: at(path)))
            }
        }
        if !undecoded && counts != manifest.counts {
            let diff = Entity.allCases.filter { counts[$0] ?? 0 != manifest.counts[$0] ?? 0 }.map(\.rawValue)
            r.problems.append(.error("bundle.counts", "record counts in export.json do not match the dossiers for: \(diff.joined(separator: ", "))",
                                     at: at("data/export.json")))
        }
        if dossiers.documents != manifest.documents {
            r.problems.append(.error("bundle.counts", "export.json's document count does not match its list", at: at("data/export.json")))
        }
    }

    /// The cores dossiers are checked on.
    static var workers: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// What checking one dossier found, worked out on any thread: its problems, its record
    /// counts (nil when it could not be decoded) and, when it passed, what `prepare` made of it;
    /// the files whose deferred checksums were checked here, and the bag's problem for each that failed.
    struct DossierOutcome<Prepared> {
        var problems: [Diagnostic] = []
        var counts: [Entity: Int]?
        var prepared: Prepared?
        var checksummed: [String] = []
        var checksums: [Diagnostic] = []
    }

    /// Checks one dossier, and its XML form when it has one; a file whose checksum the bag
    /// verifier deferred is checked against the manifests before it is decoded, and not decoded
    /// when it fails.
    static func checkDossier<Prepared>(_ entry: ExportManifest.Entry, _ store: any BagStore, limits: ZipLimits,
                                       deferred: DeferredChecksums, prepare: (Dossier) -> Prepared) -> DossierOutcome<Prepared> {
        let file = "data/" + entry.json
        let at = SourceLocation(file: store.location, entry: file)
        var outcome = DossierOutcome<Prepared>()
        // A file the payload lacks is reported once, as export.json's (`bundle.missing-dossier`).
        guard store.fileSize(file) != nil else { return outcome }
        do {
            guard let bytes = try verifiedBytes(file, store, limits, deferred, &outcome) else { return outcome }
            let d = try DossierJSON.decode(bytes, file: file)
            if d.id != entry.id {
                outcome.problems.append(.error("bundle.dossier-id", "dossier file holds a different dossier id than export.json says", at: at, recordID: entry.id))
            }
            outcome.counts = d.counts
            outcome.problems += DossierValidator.validate(d).map { var x = $0; x.location = at; return x }
            if let xml = entry.xml { checkXML("data/" + xml, against: d, entry, store, limits, deferred, &outcome) }
            if outcome.checksums.isEmpty && !outcome.problems.contains(where: { $0.severity == .error }) { outcome.prepared = prepare(d) }
        } catch {
            outcome.problems.append(diagnostic(error, at))
        }
        return outcome
    }

    /// A bundle that carries a dossier twice (JSON and XML) must say the same thing in both, or the
    /// receiver cannot know which one the sender meant; the XML is checked even though an import
    /// loads the JSON, so a hostile XML file fails the check (it can never be the writer's output,
    /// so it is always parsed).
    private static func checkXML<Prepared>(_ file: String, against d: Dossier, _ entry: ExportManifest.Entry, _ store: any BagStore,
                                           _ limits: ZipLimits, _ deferred: DeferredChecksums, _ outcome: inout DossierOutcome<Prepared>) {
        // A file the payload lacks is reported as export.json's, as the JSON form is.
        guard store.fileSize(file) != nil else { return }
        let at = SourceLocation(file: store.location, entry: file)
        do {
            guard let bytes = try verifiedBytes(file, store, limits, deferred, &outcome) else { return }
            // What this tool's bundle writer wrote is recognised without parsing it; anything
            // else (another writer's layout, a changed value, hostile markup) is parsed and compared.
            if DossierXMLFormat.isEncoding(of: d, bytes) { return }
            if try DossierXMLFormat.decode(bytes, file: file) != d {
                outcome.problems.append(.error("bundle.xml-mismatch", "the XML form of a dossier differs from its JSON form", at: at, recordID: entry.id))
            }
        } catch {
            outcome.problems.append(diagnostic(error, at))
        }
    }

    /// A dossier file's bytes once they are known to be what the manifests list; nil, with the
    /// bag's problem in `outcome`, when they are not.
    private static func verifiedBytes<Prepared>(_ file: String, _ store: any BagStore, _ limits: ZipLimits, _ deferred: DeferredChecksums,
                                                _ outcome: inout DossierOutcome<Prepared>) throws -> [UInt8]? {
        let bytes = try readDossier(file, store, limits)
        guard deferred.contains(file) else { return bytes }
        outcome.checksummed.append(file)
        if let mismatch = try deferred.mismatch(file, bytes, in: store) {
            outcome.checksums.append(mismatch)
            return nil
        }
        return bytes
    }

    /// A dossier file's bytes, within `limits.maxDossierSize`.
    static func readDossier(_ file: String, _ store: any BagStore, _ limits: ZipLimits) throws -> [UInt8] {
        try store.bytes(file, limit: Int(clamping: limits.maxDossierSize), raisedBy: "--max-dossier")
    }

    /// The payload paths export.json lists for one dossier.
    static func listedPaths(_ entry: ExportManifest.Entry) -> [String] {
        ([entry.json] + [entry.xml, entry.accessCopy].compactMap { $0 } + entry.documents).map { "data/" + $0 }
    }

    static func diagnostic(_ error: any Error, _ at: SourceLocation) -> Diagnostic {
        if var d = (error as? DossierError)?.diagnostic {
            // An error from the bundle's own bytes (a line of the age header) knows its line but
            // not which file it is in.
            if var l = d.location, l.file == nil, l.entry == nil { l.file = at.file; d.location = l }
            if d.location == nil { d.location = at }
            return d
        }
        return .error("bundle.error", "\(error)", at: at)
    }
}

