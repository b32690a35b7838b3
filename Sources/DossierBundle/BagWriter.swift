import Foundation
import DossierModel
public import DossierIO
import DossierCrypto

/// Writes a BagIt 1.0 bag (RFC 8493) into a zip, one payload file at a time.
///
/// Each payload file is hashed while the zip writer compresses it, so a payload of many GB is read
/// once. The tag files come last because the manifest needs every digest; zip readers find
/// entries through the central directory, so their place in the archive does not matter.
public final class BagZipWriter {
    /// The folder inside the zip that holds the bag (bagit.py validates the unzipped folder).
    public let root: String
    private let zip: ZipWriter
    private let payload: PayloadTable

    public convenience init(zip: ZipWriter, root: String) {
        self.init(zip: zip, root: root, payload: PayloadTable())
    }

    /// With a payload table of its own, so tests can make its runs short.
    init(zip: ZipWriter, root: String, payload: PayloadTable) {
        self.zip = zip
        self.root = root
        self.payload = payload
    }

    /// Adds `data/<path>` from a file, checking it against the size and SHA-256 its record states.
    /// The size and SHA-256 are checked by the worker that reads the file; a mismatch is thrown by
    /// `finish`, the first in the order files were added.
    public func add(_ path: String, file: String, expectedSize: Int, expectedSHA256: String, recordID: String?) throws {
        // Opened now, read later by a compression worker: the caller may remove or reuse the path
        // as soon as this returns (staged documents are), and the open descriptor keeps the bytes.
        let opened = HandedOver(try ByteReader(path: file))
        try add(path, expected: (expectedSize, expectedSHA256, recordID)) { sink in
            while let chunk = try opened.value.nextChunk() { try sink.write(chunk) }
        }
    }

    /// Adds `data/<path>` from bytes held in memory, checked as a file's are.
    public func add(_ path: String, bytes: [UInt8], expectedSize: Int, expectedSHA256: String, recordID: String?) throws {
        try add(path, expected: (expectedSize, expectedSHA256, recordID)) { sink in
            try bytes.withUnsafeBytes { try sink.write($0) }
        }
    }

    /// Adds `data/<path>` as `write` writes it now, on the caller's thread, so that its errors
    /// and its size are known when this returns; returns the size. The bytes wait in memory up to
    /// the zip's per-entry budget and in an unlinked temporary file beyond it, so a dossier of
    /// hundreds of MB is never held whole; a worker then hashes and compresses them. When `write`
    /// throws, nothing is added.
    @discardableResult
    public func add(_ path: String, writing write: (any ByteSink) throws -> Void) throws -> UInt64 {
        let held = HandedOver(zip.entryBuffer(for: try entryName(path)))
        do { try write(held.value) } catch { held.value.discard(); throw error }
        // Read before the worker may have the buffer: it discards it once copied.
        let size = held.value.count
        try add(path, expected: nil) { sink in
            defer { held.value.discard() }
            try held.value.copy { try sink.write($0) }
        }
        return size
    }

    /// Adds `data/<path>` written by `produce` on a compression worker, so a file too large to hold
    /// (export.json of a bundle of many dossiers) is never in memory whole.
    public func add(_ path: String, streaming produce: @escaping @Sendable (any ByteSink) throws -> Void) throws {
        try add(path, expected: nil, produce)
    }

    private func add(_ path: String, expected: (size: Int, sha256: String, recordID: String?)?,
                     _ produce: @escaping @Sendable (any ByteSink) throws -> Void) throws {
        let name = try entryName(path)
        let slot = try payload.append(path)
        let table = payload
        try zip.add(name, .stream { sink in
            let hashing = try HashingSink(sink)
            try produce(hashing)
            let sha256 = try hashing.digest.finalize()
            table.fill(slot, size: hashing.size, digest: sha256)
            if let e = expected, Int(hashing.size) != e.size || sha256.hexString != e.sha256 {
                table.fail(slot, DossierError("document.checksum", "document bytes do not match the size and SHA-256 in its record",
                                              at: SourceLocation(entry: "data/" + path), recordID: e.recordID))
            }
        })
    }

    /// Writes the manifests, `bagit.txt`, `bag-info.txt` (with Payload-Oxum), the tag manifest and,
    /// when a signer is given, a signature over the tag manifest's exact bytes; then closes the zip.
    public func finish(info: BagInfo, signer: ((_ tagManifest: [UInt8]) throws -> String)? = nil) throws -> BagSummary {
        try zip.drain()
        if let failure = payload.failure { throw failure }
        let octets = payload.octets
        var fullInfo = info
        fullInfo.fields.append(("Payload-Oxum", PayloadOxum(octets: octets, streams: payload.count).description))
        let tagFiles: [(String, [UInt8])] = [
            ("bagit.txt", Array(BagItText.declaration.utf8)),
            ("bag-info.txt", fullInfo.serialized()),
        ]
        var tagManifest = BagManifest()
        for (name, bytes) in tagFiles {
            try zip.add(root + "/" + name, .bytes(bytes), compression: .deflate)
            tagManifest.entries.append((name, try Digester.hash(.sha256, bytes).hexString))
        }
        // A line per payload file: hashed here, then written again into the zip by a worker,
        // rather than held whole.
        let manifestDigest = try Digester(.sha256)
        try payload.writeManifest(to: manifestDigest)
        let table = payload
        try zip.add(root + "/manifest-sha256.txt", .stream { try table.writeManifest(to: $0) }, compression: .deflate)
        tagManifest.entries.append(("manifest-sha256.txt", try manifestDigest.finalize().hexString))
        let tagBytes = tagManifest.serialized()
        try zip.add(root + "/tagmanifest-sha256.txt", .bytes(tagBytes), compression: .deflate)
        var signed = false
        if let signer {
            try zip.add(root + "/" + Bag.signatureFile, .bytes(Array(try signer(tagBytes).utf8)), compression: .stored)
            signed = true
        }
        try zip.finish()
        return BagSummary(payloadFiles: payload.count, payloadOctets: octets, tagManifestSHA256: try Digester.hash(.sha256, tagBytes).hexString,
                          signed: signed)
    }

    private func entryName(_ path: String) throws -> String {
        guard isSafeRelativePath(path) else {
            throw DossierError("bag.path", "payload path is not a safe relative path", at: SourceLocation(entry: path))
        }
        return root + "/data/" + path
    }
}

/// What a finished bag holds, for the caller's report and export log.
public struct BagSummary: Hashable, Sendable, Codable {
    public var payloadFiles: Int
    public var payloadOctets: Int64
    /// Identifies the bag: the tag manifest covers every other file through the manifest.
    public var tagManifestSHA256: String
    public var signed: Bool
}

/// Names shared by the bag writer and verifier.
public enum Bag {
    /// The detached SSH signature over `tagmanifest-sha256.txt` (not itself listed in any manifest).
    public static let signatureFile = "tagmanifest-sha256.txt.sig"
}

/// What the thread that adds an entry hands, once, to the worker that compresses it (an opened
/// file, bytes already written): used by one thread at a time, never both.
final class HandedOver<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
