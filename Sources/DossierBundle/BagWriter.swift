import Foundation
public import DossierModel
import DossierIO
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
    private var payload: [(path: String, digest: DigestResult, expected: Expectation?)] = []

    struct Expectation {
        var size: Int
        var sha256: String
        var recordID: String?
    }

    public init(zip: ZipWriter, root: String) {
        self.zip = zip
        self.root = root
    }

    /// Adds `data/<path>` from bytes already in memory.
    public func add(_ path: String, bytes: [UInt8], compression: ZipCompression = .automatic) throws {
        let result = DigestResult()
        result.set(size: UInt64(bytes.count), digest: try Digester.hash(.sha256, bytes))
        try zip.add(entryName(path), .bytes(bytes), compression: compression)
        payload.append((path, result, nil))
    }

    /// Adds `data/<path>` from a file, checking it against the size and SHA-256 its record states.
    public func add(_ path: String, file: String, expectedSize: Int, expectedSHA256: String, recordID: String?) throws {
        let result = DigestResult()
        // Opened now, read later by a compression worker: the caller may remove or reuse the path
        // as soon as this returns (staged documents are), and the open descriptor keeps the bytes.
        let opened = OpenedFile(try ByteReader(path: file))
        try zip.add(entryName(path), .stream { sink in
            let reader = opened.reader
            let digest = try Digester(.sha256)
            var size: UInt64 = 0
            while let chunk = try reader.nextChunk() {
                try digest.write(chunk)
                try sink.write(chunk)
                size += UInt64(chunk.count)
            }
            result.set(size: size, digest: try digest.finalize())
        })
        payload.append((path, result, Expectation(size: expectedSize, sha256: expectedSHA256, recordID: recordID)))
    }

    /// Writes the manifests, `bagit.txt`, `bag-info.txt` (with Payload-Oxum), the tag manifest and,
    /// when a signer is given, a signature over the tag manifest's exact bytes; then closes the zip.
    public func finish(info: BagInfo, signer: ((_ tagManifest: [UInt8]) throws -> String)? = nil) throws -> BagSummary {
        try zip.drain()
        var manifest = BagManifest()
        var octets: Int64 = 0
        for p in payload {
            let hex = p.digest.digest.hexString
            if let e = p.expected, Int(p.digest.size) != e.size || hex != e.sha256 {
                throw DossierError("document.checksum", "document bytes do not match the size and SHA-256 in its record",
                                   at: SourceLocation(entry: "data/" + p.path), recordID: e.recordID)
            }
            manifest.entries.append(("data/" + p.path, hex))
            octets += Int64(p.digest.size)
        }
        var fullInfo = info
        fullInfo.fields.append(("Payload-Oxum", PayloadOxum(octets: octets, streams: payload.count).description))
        let tagFiles: [(String, [UInt8])] = [
            ("bagit.txt", Array(BagItText.declaration.utf8)),
            ("bag-info.txt", fullInfo.serialized()),
            ("manifest-sha256.txt", manifest.serialized()),
        ]
        var tagManifest = BagManifest()
        for (name, bytes) in tagFiles {
            try zip.add(root + "/" + name, .bytes(bytes), compression: .deflate)
            tagManifest.entries.append((name, try Digester.hash(.sha256, bytes).hexString))
        }
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

/// A reader handed from the thread that adds an entry to the worker that compresses it, once.
final class OpenedFile: @unchecked Sendable {
    let reader: ByteReader
    init(_ reader: ByteReader) { self.reader = reader }
}

/// A digest filled in by a background compression job and read after `ZipWriter.drain()`.
///
/// The lock makes the hand-over explicit rather than relying on the writer's internal semaphore.
final class DigestResult: @unchecked Sendable {
    private let lock = NSLock()
    private var _size: UInt64 = 0
    private var _digest: [UInt8] = []

    func set(size: UInt64, digest: [UInt8]) {
        lock.lock(); defer { lock.unlock() }
        _size = size; _digest = digest
    }

    var size: UInt64 { lock.lock(); defer { lock.unlock() }; return _size }
    var digest: [UInt8] { lock.lock(); defer { lock.unlock() }; return _digest }
}
