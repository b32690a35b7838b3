import Foundation
public import DossierModel
import DossierIO
public import DossierCrypto

/// The signature state of a bag, as `verify` and `inspect` report it.
public enum SignatureStatus: Hashable, Sendable, Codable {
    /// No signature file in the bag.
    case absent
    /// Present, but no trusted keys were given to check it against.
    case unchecked
    /// Verified against a trusted key; the principal that signed.
    case verified(principal: String)
    /// Present and checked, and it failed.
    case invalid
}

/// What checking a bag found: its problems (no errors means valid in the RFC 8493 sense), and what it holds.
public struct BagVerification: Sendable {
    /// The first problems listed, every one counted: a manifest can list millions of files that
    /// are not there, and a problem each would let the bag decide how much memory checking it takes.
    public var problems = DiagnosticLog()
    public var bagInfo = BagInfo()
    public var signature = SignatureStatus.absent
    public var payloadFiles = 0
    public var payloadOctets: UInt64 = 0
    /// Payload checksums `verify` was asked to leave to its caller, who reads those files whole
    /// anyway: until `BagVerifier.checkDeferred`, `isValid` does not speak for them.
    public var deferred = DeferredChecksums()

    public init() {}

    /// True when the signature (if required) and every checksum passed.
    public var isValid: Bool { problems.errors == 0 }
}

/// Payload files whose checksums are checked where they are read, not by the verifier.
///
/// A receiver decodes every dossier file: hashing it first read and inflated it a second time
/// (zlib was 37% of `verify`). The reader checks the bytes it holds against the manifest before
/// any parser sees them (`mismatch`), and the verifier hashes whatever the reader did not take.
///
/// Kept small, since a bag may hold 500,000 dossier files: a path's hash (not the path) and its
/// digest as bytes, about 70 bytes a file; paths are found again, for the files the reader did
/// not check, by reading the manifest once more. Two paths with one hash are not deferred: the
/// verifier hashes both. Only the first payload manifest's digests are kept; a second manifest's
/// (a bag with sha256 and sha512) are checked by the verifier as before.
public struct DeferredChecksums: Sendable {
    /// The payload manifest whose digests are kept, and its algorithm.
    fileprivate var manifest: (name: String, algorithm: HashAlgorithm)?
    /// A deferred path's hash → where its digest starts in `digests`.
    private var slots: [Int: Int] = [:]
    private var digests: [UInt8] = []
    /// Hashes two deferred paths share.
    private(set) var shared: Set<Int> = []
    /// Hashes of the files the reader checked.
    private var checked: Set<Int> = []
    /// How a path is hashed; a test gives one that collides.
    private let key: @Sendable (String) -> Int

    public init() { key = { $0.hashValue } }

    init(key: @escaping @Sendable (String) -> Int) { self.key = key }

    public var isEmpty: Bool { count == 0 }
    /// Files deferred and not yet checked.
    public var count: Int { slots.count - checked.count }
    public func contains(_ path: String) -> Bool { slots[key(path)] != nil }

    fileprivate mutating func add(_ path: String, digest: String) {
        let key = key(path)
        guard !shared.contains(key) else { return }
        guard slots[key] == nil else {
            slots[key] = nil
            shared.insert(key)
            return
        }
        slots[key] = digests.count
        var high: UInt8?
        for c in digest.utf8 {
            let nibble = c <= 0x39 ? c &- 0x30 : c &- 0x61 &+ 10
            if let h = high { digests.append(h << 4 | nibble); high = nil } else { high = nibble }
        }
    }

    /// The problem when `bytes`, read from `path`, are not what the manifest lists; nil when they
    /// are, or when `path` is not deferred.
    public func mismatch(_ path: String, _ bytes: [UInt8], in store: any BagStore) throws -> Diagnostic? {
        guard let at = slots[key(path)], let algorithm = manifest?.algorithm else { return nil }
        let digest = try Digester.hash(algorithm, bytes)
        return digest.elementsEqual(digests[at..<at + algorithm.digestLength]) ? nil : BagVerifier.checksumMismatch(algorithm, path, store)
    }

    /// Marks `path` checked by the reader.
    public mutating func markChecked(_ path: String) {
        let key = key(path)
        if slots[key] != nil { checked.insert(key) }
    }

    fileprivate func isShared(_ path: String) -> Bool { shared.contains(key(path)) }

    /// Whether the verifier still has to hash `path` (its hash was deferred, and not checked).
    fileprivate func unchecked(_ path: String) -> Bool {
        let key = key(path)
        return slots[key] != nil && !checked.contains(key)
    }
}

/// Checks a bag: complete (every listed file present, nothing unlisted) and valid (every checksum
/// matches), its Payload-Oxum and tag manifest, and its signature.
///
/// The signature is checked first, before any manifest is parsed, so that with `requireSignature`
/// no parser ever sees bytes from an unauthenticated sender. Every failing file is named; checking
/// goes on after a failure so the report is complete.
public enum BagVerifier {
    /// `deferring` names payload files whose checksums the caller checks as it reads them (see
    /// `DeferredChecksums`); the caller then calls `checkDeferred` for the rest.
    public static func verify(_ store: any BagStore, trusted: AllowedSigners? = nil, requireSignature: Bool = false,
                              deferring: (String) -> Bool = { _ in false }) -> BagVerification {
        verify(store, trusted: trusted, requireSignature: requireSignature, deferring: deferring, into: DeferredChecksums())
    }

    static func verify(_ store: any BagStore, trusted: AllowedSigners?, requireSignature: Bool,
                       deferring: (String) -> Bool, into deferred: DeferredChecksums) -> BagVerification {
        var v = BagVerification()
        v.deferred = deferred
        let here = { (entry: String?) in SourceLocation(file: store.location, entry: entry) }
        func fail(_ code: String, _ message: String, _ entry: String? = nil) {
            v.problems.append(code, .error, .error(code, message, at: here(entry)))
        }

        // What is needed of the listing, in one pass: the top-level names and the payload's size.
        var topLevel: [String] = []
        var payloadCount = 0, octets: UInt64 = 0
        do {
            try store.forEachFile { path, size in
                if !path.contains("/") { topLevel.append(path) }
                if path.hasPrefix("data/") { payloadCount += 1; octets += size }
            }
        } catch { v.problems.append(diagnostic(error, store)); return v }
        let has = { (path: String) in store.fileSize(path) != nil }

        // 1. The declaration.
        guard has("bagit.txt") else { fail("bag.not-a-bag", "bagit.txt is missing"); return v }
        do {
            let decl = try BagInfo.parse(try store.bytes("bagit.txt"), file: "bagit.txt")
            if !["0.97", "1.0"].contains(decl["BagIt-Version"] ?? "") { fail("bag.version", "unsupported BagIt-Version", "bagit.txt") }
            if (decl["Tag-File-Character-Encoding"] ?? "").uppercased() != "UTF-8" {
                fail("bag.encoding", "Tag-File-Character-Encoding must be UTF-8", "bagit.txt")
            }
        } catch { v.problems.append(diagnostic(error, store)); return v }

        // 2. The signature, before anything else is parsed.
        let hasSignature = has(Bag.signatureFile)
        if hasSignature {
            if let trusted {
                do {
                    let message = try store.bytes("tagmanifest-sha256.txt")
                    let sig = String(decoding: try store.bytes(Bag.signatureFile, limit: 64 << 10), as: UTF8.self)
                    v.signature = .verified(principal: try SSHSignature.verify(message, signature: sig, trusted: trusted))
                } catch {
                    v.signature = .invalid
                    v.problems.append(diagnostic(error, store, entry: Bag.signatureFile))
                    return v
                }
            } else {
                v.signature = .unchecked
                if requireSignature { fail("signature.no-keys", "a signature is required but no trusted keys were given") ; return v }
            }
        } else if requireSignature {
            fail("signature.missing", "the bag is not signed", Bag.signatureFile)
            return v
        }

        // 3. Manifests: sha256/sha512 only; a weak algorithm is refused outright.
        var payloadManifests: [PayloadList] = []
        var tagManifests: [(HashAlgorithm, BagManifest)] = []
        for name in topLevel.sorted() {
            let isTag = name.hasPrefix("tagmanifest-"), isPayload = name.hasPrefix("manifest-")
            guard (isTag || isPayload), name.hasSuffix(".txt") else { continue }
            let alg = String(name.dropFirst(isTag ? 12 : 9).dropLast(4))
            guard let algorithm = HashAlgorithm(rawValue: alg) else {
                fail("bag.weak-algorithm", "checksum algorithm '\(alg)' is not accepted (sha256 or sha512 only)", name)
                continue
            }
            do {
                if isTag {
                    // A tag manifest lists the few tag files (bagit.py's lists three), and is parsed
                    // whole: 16 MiB holds some 150,000 of them, where 256 MiB of lines took 1.1 GB.
                    let bytes = try store.bytes(name)
                    tagManifests.append((algorithm, try BagManifest.parse(bytes, file: name, digestLength: algorithm.digestLength * 2)))
                } else {
                    let list = PayloadList(algorithm: algorithm, source: TagFileSource(store, path: name))
                    try BagManifest.check(list.source, digestLength: algorithm.digestLength * 2)
                    payloadManifests.append(list)
                }
            } catch { v.problems.append(diagnostic(error, store, entry: name)) }
        }
        if payloadManifests.isEmpty { fail("bag.no-manifest", "no payload manifest (manifest-sha256.txt or manifest-sha512.txt)") }

        // 4. Tag files against the tag manifests.
        for (alg, m) in tagManifests {
            for e in m.entries {
                if e.path.hasPrefix("data/") || e.path.hasPrefix("tagmanifest-") {
                    fail("bag.tag-manifest", "tag manifest lists a payload file or another tag manifest", e.path)
                    continue
                }
                guard has(e.path) else { fail("bag.missing-file", "tag file listed in the tag manifest is missing", e.path); continue }
                check(store, e.path, alg, e.digest, &v)
            }
        }

        // 5. bag-info.txt and Payload-Oxum.
        if has("bag-info.txt") {
            do { v.bagInfo = try BagInfo.parse(try store.bytes("bag-info.txt"), file: "bag-info.txt") } catch { v.problems.append(diagnostic(error, store)) }
        }
        v.payloadFiles = payloadCount
        v.payloadOctets = octets
        if let oxum = v.bagInfo["Payload-Oxum"] {
            if let o = PayloadOxum(oxum) {
                if o.octets != Int64(octets) || o.streams != payloadCount {
                    fail("bag.payload-oxum", "Payload-Oxum says \(o) but the payload holds \(octets).\(payloadCount)", "bag-info.txt")
                }
            } else {
                fail("bag.payload-oxum", "Payload-Oxum is not 'octets.streams'", "bag-info.txt")
            }
        }

        // 6. Completeness, then every payload checksum, on every core. Manifest paths are unique,
        // so the payload holds an unlisted file exactly when fewer than all its files were listed:
        // only then is the set built that names them. A manifest is read again for each pass; one
        // that cannot be read again fails the bag rather than shortening the pass.
        func pass(_ m: PayloadList, _ body: (_ path: String, _ digest: String) -> Void) {
            do { try m.forEach(body) } catch { v.problems.append(diagnostic(error, store, entry: m.name)) }
        }
        for m in payloadManifests {
            let alg = m.algorithm
            var found = 0
            pass(m) { path, _ in
                guard path.hasPrefix("data/") else { fail("bag.manifest", "payload manifest lists a file outside data/", path); return }
                if has(path) { found += 1 } else { fail("bag.missing-file", "file listed in manifest-\(alg.rawValue).txt is missing", path) }
            }
            guard found < payloadCount else { continue }
            // Only the paths that are there: the set is then bounded by the payload, not by the manifest.
            var listed: Set<String> = []
            pass(m) { path, _ in if has(path) { listed.insert(path) } }
            var unlisted: [String] = []
            try? store.forEachFile { path, _ in if path.hasPrefix("data/") && !listed.contains(path) { unlisted.append(path) } }
            for path in unlisted.sorted() {
                fail("bag.unlisted-file", "payload file is not listed in manifest-\(alg.rawValue).txt", path)
            }
        }
        // In batches, so the jobs and their results (a few hundred bytes a file) stay bounded: a
        // thousand files keep both cores busy and cost a few hundred kilobytes.
        var jobs = HashJobs()
        for (n, m) in payloadManifests.enumerated() {
            if n == 0 { v.deferred.manifest = (m.name, m.algorithm) }
            pass(m) { path, digest in
                guard path.hasPrefix("data/"), let size = store.fileSize(path) else { return }
                if n == 0 && deferring(path) { v.deferred.add(path, digest: digest); return }
                jobs.append(path, m.algorithm, digest, size: size, store, &v)
            }
        }
        // Paths that share a hash were deferred by neither: hashed here.
        if let m = payloadManifests.first, !v.deferred.shared.isEmpty {
            let deferred = v.deferred
            pass(m) { path, digest in
                guard deferring(path), deferred.isShared(path), let size = store.fileSize(path) else { return }
                jobs.append(path, m.algorithm, digest, size: size, store, &v)
            }
        }
        jobs.finish(store, &v)
        return v
    }

    /// Hashes the payload files whose checksums were deferred and the reader did not check, found
    /// by reading the manifest once more.
    public static func checkDeferred(_ store: any BagStore, _ v: inout BagVerification) {
        guard let (name, algorithm) = v.deferred.manifest else { return }
        let m = PayloadList(algorithm: algorithm, source: TagFileSource(store, path: name))
        let deferred = v.deferred
        v.deferred = DeferredChecksums()
        var jobs = HashJobs()
        do {
            try m.forEach { path, digest in
                guard deferred.unchecked(path) else { return }
                // A file that went away since `verify` is an error of its own, as any unreadable file.
                jobs.append(path, m.algorithm, digest, size: store.fileSize(path) ?? 0, store, &v)
            }
        } catch { v.problems.append(diagnostic(error, store, entry: m.name)) }
        jobs.finish(store, &v)
    }

    static func checksumMismatch(_ algorithm: HashAlgorithm, _ path: String, _ store: any BagStore) -> Diagnostic {
        .error("bag.checksum", "\(algorithm.rawValue) checksum does not match the manifest", at: SourceLocation(file: store.location, entry: path))
    }

    /// Payload files to hash, checked a batch at a time on every core.
    private struct HashJobs {
        var jobs: [(String, HashAlgorithm, String)] = []
        var sizes: [UInt64] = []

        mutating func append(_ path: String, _ algorithm: HashAlgorithm, _ digest: String, size: UInt64,
                             _ store: any BagStore, _ v: inout BagVerification) {
            jobs.append((path, algorithm, digest))
            sizes.append(size)
            if jobs.count == PayloadList.batch { finish(store, &v) }
        }

        mutating func finish(_ store: any BagStore, _ v: inout BagVerification) {
            guard !jobs.isEmpty else { return }
            for (i, r) in hashAll(store, jobs, sizes: sizes).enumerated() {
                switch r {
                case .success(let hex) where hex == jobs[i].2: break
                case .success: v.problems.append("bag.checksum", .error, checksumMismatch(jobs[i].1, jobs[i].0, store))
                case .failure(let e): v.problems.append(diagnostic(e, store, entry: jobs[i].0))
                }
            }
            jobs.removeAll(keepingCapacity: true)
            sizes.removeAll(keepingCapacity: true)
        }
    }

    /// A payload manifest as verification keeps it: where to read it, checked once and read and
    /// parsed again for each pass over it. Its bytes alone, held through verification, were the
    /// most a bundle of many dossiers cost in memory at that point.
    struct PayloadList {
        static let batch = 1024
        let algorithm: HashAlgorithm
        let source: TagFileSource
        var name: String { source.file }

        func forEach(_ body: (_ path: String, _ digest: String) -> Void) throws {
            try BagManifest.forEachCheckedEntry(source, digestLength: algorithm.digestLength * 2) { body($0, $1) }
        }
    }

    private static func check(_ store: any BagStore, _ path: String, _ alg: HashAlgorithm, _ want: String, _ v: inout BagVerification) {
        do {
            let d = try Digester(alg)
            try store.read(path, to: d)
            if try d.finalize().hexString != want {
                v.problems.append(.error("bag.checksum", "\(alg.rawValue) checksum does not match the tag manifest",
                                         at: SourceLocation(file: store.location, entry: path)))
            }
        } catch { v.problems.append(diagnostic(error, store, entry: path)) }
    }

    /// Hashes files on every core, largest first, so that one big scan taken last cannot leave the
    /// other cores idle while it finishes; results still come back in the order of `jobs`. SHA-256
    /// is the whole cost of verifying a folder, so verification scales with the cores there are.
    private static func hashAll(_ store: any BagStore, _ jobs: [(String, HashAlgorithm, String)],
                                sizes: [UInt64]) -> [Result<String, any Error>] {
        let order = jobs.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
        let results = ResultBox(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(ProcessInfo.processInfo.activeProcessorCount, jobs.count))) { _ in
            while let k = results.claim() {
                let i = order[k]
                results.set(i, Result {
                    let d = try Digester(jobs[i].1)
                    try store.read(jobs[i].0, to: d)
                    return try d.finalize().hexString
                })
            }
        }
        return results.values
    }

    static func diagnostic(_ error: any Error, _ store: any BagStore, entry: String? = nil) -> Diagnostic {
        if var d = (error as? DossierError)?.diagnostic {
            if d.location == nil { d.location = SourceLocation(file: store.location, entry: entry) }
            return d
        }
        return .error("bag.error", "\(error)", at: SourceLocation(file: store.location, entry: entry))
    }
}

/// Results of concurrent hashing, guarded by one lock.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var slots: [Result<String, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }

    func set(_ i: Int, _ r: Result<String, any Error>) { lock.lock(); slots[i] = r; lock.unlock() }
    var values: [Result<String, any Error>] { lock.lock(); defer { lock.unlock() }; return slots.map { $0! } }
}
