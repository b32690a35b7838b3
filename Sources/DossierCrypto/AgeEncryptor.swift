public import DossierIO
import DossierModel

/// Constants of the age payload (C2SP age, "Payload").
enum AgePayload {
    static let chunkSize = 64 * 1024
    static let sealedChunkSize = chunkSize + ChaChaPoly.tagLength
    static let nonceSize = 16

    static func key(fileKey: [UInt8], nonce: [UInt8]) throws -> [UInt8] {
        try Primitive.hkdfSHA256(ikm: fileKey, salt: nonce, info: Array("payload".utf8))
    }

    /// The STREAM nonce: 11-byte big-endian counter, then 0x01 for the final chunk.
    static func chunkNonce(_ counter: UInt64, final: Bool) -> [UInt8] {
        var n = [UInt8](repeating: 0, count: 12)
        for i in 0..<8 { n[10 - i] = UInt8(truncatingIfNeeded: counter >> (8 * UInt64(i))) }
        n[11] = final ? 1 : 0
        return n
    }
}

/// Encrypts a stream into the age v1 format, to X25519 recipients or a passphrase.
///
/// A byte sink so that bundles and exports can be encrypted as they are written, through one
/// 64 KiB buffer whatever the size. The header is written to `output` at construction, each full
/// chunk as soon as more data shows it is not the last, and the final chunk by `finish()`, which
/// must be called exactly once. Every file gets a fresh random file key and payload nonce, so no
/// (key, nonce) pair can repeat (G14); the output is therefore not deterministic, by design.
public final class AgeEncryptor: ByteSink {
    private let output: any ByteSink
    private let armor: AgeArmorEncoder?
    private let cipher: ChaChaPoly
    private let plain: UnsafeMutableRawBufferPointer
    private let sealed: UnsafeMutableRawBufferPointer
    private var used = 0
    private var counter: UInt64 = 0
    private var finished = false

    /// Encrypts to every recipient; any one of their identities can decrypt. `armored` writes the
    /// PEM form (`age -a`) for channels that only carry text; binary is smaller and the default.
    public convenience init(recipients: [AgeRecipient], armored: Bool = false, output: any ByteSink) throws {
        precondition(!recipients.isEmpty, "age needs at least one recipient")
        let fileKey = try secureRandomBytes(16)
        let stanzas = try recipients.map { try AgeKeyWrap.x25519Stanza(fileKey: fileKey, recipient: $0) }
        try self.init(fileKey: fileKey, stanzas: stanzas, armored: armored, output: output)
    }

    /// Encrypts with a passphrase through scrypt; `workFactor` is log2 N (age uses 18).
    public convenience init(passphrase: String, workFactor: Int = 18, armored: Bool = false, output: any ByteSink) throws {
        let fileKey = try secureRandomBytes(16)
        let stanza = try AgeKeyWrap.scryptStanza(fileKey: fileKey, passphrase: passphrase, workFactor: workFactor)
        try self.init(fileKey: fileKey, stanzas: [stanza], armored: armored, output: output)
    }

    init(fileKey: [UInt8], stanzas: [AgeHeader.Stanza], armored: Bool = false, output: any ByteSink) throws {
        armor = armored ? try AgeArmorEncoder(output: output) : nil
        self.output = armor ?? output
        let nonce = try secureRandomBytes(AgePayload.nonceSize)
        cipher = try ChaChaPoly(key: try AgePayload.key(fileKey: fileKey, nonce: nonce))
        plain = .allocate(byteCount: AgePayload.chunkSize, alignment: 16)
        sealed = .allocate(byteCount: AgePayload.sealedChunkSize, alignment: 16)
        try self.output.write(try AgeHeader(stanzas: stanzas).encoded(fileKey: fileKey) + nonce)
    }

    deinit {
        plain.deallocate()
        sealed.deallocate()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "AgeEncryptor written after finish()")
        var offset = 0
        while offset < bytes.count {
            // A full buffer is sealed only now that more bytes prove it is not the final chunk.
            if used == AgePayload.chunkSize { try sealChunk(final: false) }
            let n = min(AgePayload.chunkSize - used, bytes.count - offset)
            UnsafeMutableRawBufferPointer(rebasing: plain[used..<(used + n)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
            used += n
            offset += n
        }
    }

    /// Seals the final chunk (empty only when the whole payload is empty).
    public func finish() throws {
        precondition(!finished, "AgeEncryptor finished twice")
        finished = true
        try sealChunk(final: true)
        try armor?.finish()
    }

    private func sealChunk(final: Bool) throws {
        let out = UnsafeMutableRawBufferPointer(rebasing: sealed[0..<(used + ChaChaPoly.tagLength)])
        try cipher.seal(UnsafeRawBufferPointer(rebasing: plain[0..<used]),
                        nonce: AgePayload.chunkNonce(counter, final: final), into: out)
        try output.write(UnsafeRawBufferPointer(out))
        counter += 1
        used = 0
    }

    /// Encrypts the file at `source` into `destination`, written atomically.
    public static func encryptFile(at source: String, to destination: String, recipients: [AgeRecipient]) throws {
        let reader = try ByteReader(path: source, chunkSize: fileReadChunkSize)
        try AtomicFile.write(to: destination) { sink in
            let encryptor = try AgeEncryptor(recipients: recipients, output: sink)
            while let chunk = try reader.nextChunk() { try encryptor.write(chunk) }
            try encryptor.finish()
        }
    }
}

/// Writes the strict PEM armor of C2SP age ("ASCII armor"): 64-column padded base64 lines.
final class AgeArmorEncoder: ByteSink {
    private let output: any ByteSink
    /// Fewer than 48 bytes waiting to make a full line.
    private var pending: [UInt8] = []

    init(output: any ByteSink) throws {
        self.output = output
        try output.write("-----BEGIN AGE ENCRYPTED FILE-----\n")
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        pending.append(contentsOf: bytes)
        let full = pending.count / 48 * 48
        guard full > 0 else { return }
        var text = ""
        for start in stride(from: 0, to: full, by: 48) {
            text += Base64.encode(Array(pending[start..<(start + 48)]), padded: true) + "\n"
        }
        try output.write(text)
        pending.removeSubrange(0..<full)
    }

    func finish() throws {
        if !pending.isEmpty { try output.write(Base64.encode(pending, padded: true) + "\n") }
        try output.write("-----END AGE ENCRYPTED FILE-----\n")
    }
}

/// Wrapping and unwrapping the 16-byte file key in recipient stanzas (C2SP age, native types).
enum AgeKeyWrap {
    static func x25519Stanza(fileKey: [UInt8], recipient: AgeRecipient) throws -> AgeHeader.Stanza {
        let ephemeral = try secureRandomBytes(32)
        let share = try Primitive.x25519PublicKey(privateKey: ephemeral)
        let shared = try Primitive.x25519(privateKey: ephemeral, peer: recipient.publicKey)
        let wrapKey = try Primitive.hkdfSHA256(ikm: shared, salt: share + recipient.publicKey, info: AgeHeader.x25519Info)
        let body = try ChaChaPoly(key: wrapKey).seal(fileKey, nonce: AgeHeader.zeroNonce)
        return AgeHeader.Stanza(arguments: ["X25519", Base64.encode(share, padded: false)], body: body)
    }

    static func scryptStanza(fileKey: [UInt8], passphrase: String, workFactor: Int) throws -> AgeHeader.Stanza {
        // Never write a file our own decryptor (and age's default) would refuse.
        precondition((1...AgeDecryptor.defaultMaxWorkFactor).contains(workFactor), "scrypt work factor out of range")
        let salt = try secureRandomBytes(16)
        let wrapKey = try Primitive.scrypt(password: Array(passphrase.utf8), salt: AgeHeader.scryptLabel + salt,
                                           logN: workFactor, r: 8, p: 1, length: 32)
        let body = try ChaChaPoly(key: wrapKey).seal(fileKey, nonce: AgeHeader.zeroNonce)
        return AgeHeader.Stanza(arguments: ["scrypt", Base64.encode(salt, padded: false), String(workFactor)], body: body)
    }

    static func fail(_ code: String, _ message: String) -> DossierError { DossierError(code, message) }

    /// The file key from the first stanza one of `identities` opens.
    ///
    /// Malformed X25519 stanzas are errors even when another stanza would match, as the spec
    /// requires; unknown stanza types are skipped; an scrypt stanza next to any other is refused.
    static func unwrap(_ header: AgeHeader, identities: [AgeIdentity]) throws -> [UInt8] {
        try rejectMixedScrypt(header)
        for (n, stanza) in header.stanzas.enumerated() where stanza.arguments[0] == "X25519" {
            guard stanza.arguments.count == 2, let share = Base64.decode(Array(stanza.arguments[1].utf8), padded: false),
                  share.count == 32, stanza.body.count == 32 else {
                throw fail("age.header", "malformed X25519 stanza \(n + 1)")
            }
            for identity in identities {
                let shared: [UInt8]
                do {
                    shared = try Primitive.x25519(privateKey: identity.secretKey, peer: share)
                } catch {
                    throw fail("age.header", "X25519 stanza \(n + 1) has a low-order share")
                }
                guard shared.contains(where: { $0 != 0 }) else { throw fail("age.header", "X25519 stanza \(n + 1) has a low-order share") }
                let wrapKey = try Primitive.hkdfSHA256(ikm: shared, salt: share + identity.recipient.publicKey, info: AgeHeader.x25519Info)
                if let fileKey = try ChaChaPoly(key: wrapKey).open(stanza.body, nonce: AgeHeader.zeroNonce), fileKey.count == 16 {
                    return fileKey
                }
            }
        }
        throw fail("age.no-identity", "none of the \(identities.count) identities matches a recipient stanza of this file")
    }

    static func unwrap(_ header: AgeHeader, passphrase: [UInt8], maxWorkFactor: Int) throws -> [UInt8] {
        try rejectMixedScrypt(header)
        guard let stanza = header.stanzas.first, stanza.arguments[0] == "scrypt" else {
            throw fail("age.no-identity", "the file is not passphrase-encrypted")
        }
        let args = stanza.arguments
        guard args.count == 3, let salt = Base64.decode(Array(args[1].utf8), padded: false), salt.count == 16,
              let first = args[2].utf8.first, first != UInt8(ascii: "0"), args[2].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              args[2].utf8.count <= 9, let workFactor = Int(args[2]), stanza.body.count == 32 else {
            throw fail("age.header", "malformed scrypt stanza")
        }
        guard workFactor <= maxWorkFactor else {
            throw fail("age.scrypt-work-factor", "scrypt work factor 2^\(workFactor) exceeds the limit 2^\(maxWorkFactor)")
        }
        let wrapKey = try Primitive.scrypt(password: passphrase, salt: AgeHeader.scryptLabel + salt,
                                           logN: workFactor, r: 8, p: 1, length: 32)
        guard let fileKey = try ChaChaPoly(key: wrapKey).open(stanza.body, nonce: AgeHeader.zeroNonce), fileKey.count == 16 else {
            throw fail("age.wrong-passphrase", "the passphrase does not decrypt this file")
        }
        return fileKey
    }

    /// The spec's rule that an scrypt stanza must be alone, upholding passphrase authentication (G10).
    private static func rejectMixedScrypt(_ header: AgeHeader) throws {
        if header.stanzas.count > 1, header.stanzas.contains(where: { $0.arguments[0] == "scrypt" }) {
            throw fail("age.scrypt-mixed", "an scrypt stanza must be the only stanza in the header")
        }
    }
}
