@testable import DossierCrypto
import DossierIO
import DossierModel
import Foundation
import Testing

/// Encrypts `plaintext` in memory, writing it in `piece`-sized parts to exercise chunk buffering.
func ageEncrypt(_ plaintext: [UInt8], to recipients: [AgeRecipient], piece: Int = 1 << 20) throws -> [UInt8] {
    let sink = MemorySink()
    let encryptor = try AgeEncryptor(recipients: recipients, output: sink)
    for start in stride(from: 0, to: plaintext.count, by: piece) {
        try encryptor.write(Array(plaintext[start..<min(start + piece, plaintext.count)]))
    }
    try encryptor.finish()
    return sink.bytes
}

/// Decrypts in memory; `delivered` receives what reached the consumer even when decryption throws.
func ageDecrypt(_ ciphertext: [UInt8], identities: [AgeIdentity]? = nil, passphrase: String? = nil,
                piece: Int = 1 << 20, delivered: MemorySink = MemorySink()) throws -> [UInt8] {
    let decryptor = identities.map { AgeDecryptor(identities: $0, output: delivered) }
        ?? AgeDecryptor(passphrase: passphrase!, output: delivered)
    for start in stride(from: 0, to: ciphertext.count, by: piece) {
        try decryptor.write(Array(ciphertext[start..<min(start + piece, ciphertext.count)]))
    }
    try decryptor.finish()
    return delivered.bytes
}

/// Byte offset where the payload nonce starts (just after the MAC line).
func payloadStart(_ file: [UInt8]) -> Int {
    let mark = Array("\n--- ".utf8)
    let at = (0..<file.count).first { file[$0...].starts(with: mark) }!
    return file[(at + 1)...].firstIndex(of: 0x0A)! + 1
}

func errorCode(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch let e as DossierError { return e.code } catch { return "\(error)" }
}

/// Feeds a passphrase to `age` through a pseudo-terminal: age reads passphrases only from a TTY.
let ptyFeeder = """
    import os, pty, sys
    pw = sys.argv[1].encode()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(sys.argv[2], sys.argv[2:])
    seen, sent = b"", 0
    while True:
        try:
            data = os.read(fd, 1024)
        except OSError:
            break
        if not data:
            break
        seen += data
        while sent < seen.lower().count(b"passphrase"):
            os.write(fd, pw + b"\\n"); sent += 1
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status))
    """

@Suite("age v1 encryption")
struct AgeTests {
    static let sizes = [0, 1, 65535, 65536, 65537, 3 * 65536, 3_000_001]

    /// The X25519 identity and recipient printed in the C2SP age spec ("The X25519 recipient type").
    @Test func specExampleKeys() throws {
        let identity = try AgeIdentity("AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX")
        #expect(identity.recipient.description == "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj")
        #expect(identity.secretKeyString == "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX")
        #expect(try AgeRecipient("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj") == identity.recipient)
        #expect(!"\(identity)".contains("SECRET"))
        // One changed character breaks the Bech32 checksum; mixed case is refused.
        #expect(throws: DossierError.self) { try AgeRecipient("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwq") }
        #expect(throws: DossierError.self) { try AgeIdentity("AGE-SECRET-KEY-1gFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX") }
    }

    @Test(.enabled(if: canRun("age-keygen"))) func keyFilesInteroperateWithAgeKeygen() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let ours = try AgeIdentity.generate()
        try ours.write(to: dir + "/ours.txt")
        let text = String(decoding: try readFile(dir + "/ours.txt"), as: UTF8.self)
        #expect(text.hasPrefix("# created: ") && text.contains("# public key: \(ours.recipient)\n"))
        let derived = try run("age-keygen", ["-y", dir + "/ours.txt"])
        #expect(String(decoding: derived.stdout, as: UTF8.self) == "\(ours.recipient)\n")
        _ = try run("age-keygen", ["-o", dir + "/theirs.txt"])
        let theirs = try AgeIdentity.read(path: dir + "/theirs.txt")
        let theirRecipient = try run("age-keygen", ["-y", dir + "/theirs.txt"])
        #expect(theirs.count == 1 && "\(theirs[0].recipient)\n" == String(decoding: theirRecipient.stdout, as: UTF8.self))
    }

    @Test(.enabled(if: canRun("age")), arguments: sizes)
    func weEncryptAgeDecrypts(size: Int) throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        _ = try run("age-keygen", ["-o", dir + "/key.txt"])
        let recipient = try AgeRecipient(String(decoding: try run("age-keygen", ["-y", dir + "/key.txt"]).stdout, as: UTF8.self))
        let plaintext = pattern(size)
        // Odd write sizes make chunk boundaries fall inside writes.
        try writeFile(dir + "/m.age", try ageEncrypt(plaintext, to: [recipient, try AgeIdentity.generate().recipient], piece: 65_521))
        let result = try run("age", ["-d", "-i", dir + "/key.txt", dir + "/m.age"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(summary(result.stdout) == summary(plaintext))
    }

    @Test(.enabled(if: canRun("age")), arguments: sizes)
    func ageEncryptsWeDecrypt(size: Int) throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let identity = try AgeIdentity.generate()
        let plaintext = pattern(size, seed: UInt64(size))
        try writeFile(dir + "/m", plaintext)
        for armor in [false, true] {
            let result = try run("age", (armor ? ["-a"] : []) + ["-r", "\(identity.recipient)", "-o", dir + "/m.age", dir + "/m"])
            #expect(result.status == 0, "\(result.stderr)")
            let ciphertext = try readFile(dir + "/m.age")
            #expect(summary(try ageDecrypt(ciphertext, identities: [identity])) == summary(plaintext))
            #expect(summary(try ageDecrypt(ciphertext, identities: [try AgeIdentity.generate(), identity], piece: 4093)) == summary(plaintext))
        }
    }

    @Test func tinyWritesStream() throws {
        let identity = try AgeIdentity.generate()
        let plaintext = pattern(70_000)
        let ciphertext = try ageEncrypt(plaintext, to: [identity.recipient], piece: 7)
        #expect(summary(try ageDecrypt(ciphertext, identities: [identity], piece: 1)) == summary(plaintext))
    }

    @Test(.enabled(if: canRun("age"))) func passphraseInteropWithAge() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let passphrase = "correct horse battery staple"
        let plaintext = pattern(100_000)
        try writeFile(dir + "/m", plaintext)
        let enc = try run("python3", ["-c", ptyFeeder, passphrase, "age", "-p", "-o", dir + "/theirs.age", dir + "/m"])
        #expect(enc.status == 0, "\(enc.stderr)")
        #expect(summary(try ageDecrypt(try readFile(dir + "/theirs.age"), passphrase: passphrase)) == summary(plaintext))

        let sink = MemorySink()
        let encryptor = try AgeEncryptor(passphrase: passphrase, workFactor: 16, output: sink)
        try encryptor.write(plaintext)
        try encryptor.finish()
        try writeFile(dir + "/ours.age", sink.bytes)
        let dec = try run("python3", ["-c", ptyFeeder, passphrase, "age", "-d", "-o", dir + "/out", dir + "/ours.age"])
        #expect(dec.status == 0, "\(dec.stderr)")
        #expect(summary(try readFile(dir + "/out")) == summary(plaintext))
        #expect(errorCode { _ = try ageDecrypt(sink.bytes, passphrase: "wrong") } == "age.wrong-passphrase")
        #expect(errorCode { _ = try ageDecrypt(sink.bytes, identities: [try AgeIdentity.generate()]) } == "age.no-identity")
    }

    /// G8: a file cut at a chunk boundary is an error, and only authenticated whole chunks were delivered.
    @Test func truncatedAtChunkBoundary() throws {
        let identity = try AgeIdentity.generate()
        let plaintext = pattern(3 * 65536 + 100)
        let ciphertext = try ageEncrypt(plaintext, to: [identity.recipient])
        let start = payloadStart(ciphertext) + 16
        for chunks in 0...3 {
            let cut = Array(ciphertext[..<(start + chunks * AgePayload.sealedChunkSize)])
            let delivered = MemorySink()
            #expect(errorCode { _ = try ageDecrypt(cut, identities: [identity], delivered: delivered) } == "age.truncated")
            #expect(summary(delivered.bytes) == summary(Array(plaintext.prefix(max(0, chunks - 1) * 65536))))
        }
        #expect(errorCode { _ = try ageDecrypt(Array(ciphertext.dropLast(1)), identities: [identity]) } == "age.payload")
        #expect(errorCode { _ = try ageDecrypt(Array(ciphertext[..<(start - 1)]), identities: [identity]) } == "age.truncated")
        #expect(errorCode { _ = try ageDecrypt(Array(ciphertext[..<40]), identities: [identity]) } == "age.truncated")
        #expect(errorCode { _ = try ageDecrypt(ciphertext + [0], identities: [identity]) } == "age.payload")
        // A full-size final chunk followed by extra bytes is named as trailing data.
        let exact = try ageEncrypt(pattern(2 * 65536), to: [identity.recipient])
        #expect(errorCode { _ = try ageDecrypt(exact + [0], identities: [identity]) } == "age.trailing-data")
    }

    /// A tampered payload chunk is refused before any of its bytes reach the consumer.
    @Test func tamperedChunkNotDelivered() throws {
        let identity = try AgeIdentity.generate()
        let plaintext = pattern(3 * 65536)
        var ciphertext = try ageEncrypt(plaintext, to: [identity.recipient])
        ciphertext[payloadStart(ciphertext) + 16 + AgePayload.sealedChunkSize + 10] ^= 0x01
        let delivered = MemorySink()
        #expect(errorCode { _ = try ageDecrypt(ciphertext, identities: [identity], delivered: delivered) } == "age.payload")
        #expect(summary(delivered.bytes) == summary(Array(plaintext.prefix(65536))))
    }

    /// The file helper leaves nothing under the destination name when decryption fails.
    @Test func decryptFileIsAllOrNothing() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let identity = try AgeIdentity.generate()
        let plaintext = pattern(200_000)
        try writeFile(dir + "/m", plaintext)
        try AgeEncryptor.encryptFile(at: dir + "/m", to: dir + "/m.age", recipients: [identity.recipient])
        try AgeDecryptor.decryptFile(at: dir + "/m.age", to: dir + "/out", identities: [identity])
        #expect(summary(try readFile(dir + "/out")) == summary(plaintext))
        let ciphertext = try readFile(dir + "/m.age")
        try writeFile(dir + "/cut.age", Array(ciphertext.prefix(payloadStart(ciphertext) + 16 + 2 * AgePayload.sealedChunkSize)))
        #expect(errorCode { try AgeDecryptor.decryptFile(at: dir + "/cut.age", to: dir + "/cut", identities: [identity]) } == "age.truncated")
        #expect(!FileManager.default.fileExists(atPath: dir + "/cut"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["cut.age", "m", "m.age", "out"])
    }

    /// A header error names the file as well as its line (found by `DossierportFuzz run bundle`:
    /// it gave only "line 2").
    @Test func headerErrorsNameTheFileAndLine() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let identity = try AgeIdentity.generate()
        try writeFile(dir + "/m", pattern(1000))
        try AgeEncryptor.encryptFile(at: dir + "/m", to: dir + "/m.age", recipients: [identity.recipient])
        let lines = try readFile(dir + "/m.age").split(separator: 0x0A, maxSplits: 2, omittingEmptySubsequences: false).map(Array.init)
        // An unknown version (line 1), and a stanza with a word too many (whose check knows no line).
        for (edit, line) in [({ (l: inout [[UInt8]]) in l[0] = Array("age-encryption.org/v2".utf8) }, 1 as Int?),
                             ({ (l: inout [[UInt8]]) in l[1] += Array(" extra".utf8) }, nil)] {
            var edited = lines
            edit(&edited)
            try writeFile(dir + "/bad.age", Array(edited.joined(separator: [0x0A])))
            do {
                try AgeDecryptor.decryptFile(at: dir + "/bad.age", to: dir + "/out", identities: [identity])
                Issue.record("a malformed header was accepted")
            } catch let e as DossierError {
                #expect(e.code == "age.header" && e.location?.file == dir + "/bad.age" && e.location?.line == line, "\(e)")
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
        }
    }

    /// G9: editing a stanza or the MAC is refused.
    @Test func headerTamper() throws {
        let identity = try AgeIdentity.generate()
        let ciphertext = try ageEncrypt(pattern(1000), to: [identity.recipient, try AgeIdentity.generate().recipient])
        let header = String(decoding: ciphertext[..<payloadStart(ciphertext)], as: UTF8.self)
        let payload = Array(ciphertext[payloadStart(ciphertext)...])
        func variant(_ edit: (inout [String]) -> Void) -> [UInt8] {
            var lines = header.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            edit(&lines)
            return Array(lines.joined(separator: "\n").utf8) + payload
        }
        func flip(_ s: String, at i: Int) -> String {
            var c = Array(s.utf8)
            c[i] = c[i] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            return String(decoding: c, as: UTF8.self)
        }
        // Second stanza's body (not ours): only the MAC can notice.
        #expect(errorCode { _ = try ageDecrypt(variant { $0[4] = flip($0[4], at: 5) }, identities: [identity]) } == "age.header-mac")
        // Our stanza's body: the wrap no longer opens.
        #expect(errorCode { _ = try ageDecrypt(variant { $0[2] = flip($0[2], at: 5) }, identities: [identity]) } == "age.no-identity")
        // The MAC itself.
        #expect(errorCode { _ = try ageDecrypt(variant { $0[5] = flip($0[5], at: 10) }, identities: [identity]) } == "age.header-mac")
        // Malformed: extra stanza argument, non-canonical base64, padding, unknown version.
        #expect(errorCode { _ = try ageDecrypt(variant { $0[1] += " extra" }, identities: [identity]) } == "age.header")
        #expect(errorCode { _ = try ageDecrypt(variant { $0[5] = String($0[5].dropLast()) + "=" }, identities: [identity]) } == "age.header")
        #expect(errorCode { _ = try ageDecrypt(variant { $0[0] = "age-encryption.org/v2" }, identities: [identity]) } == "age.header")
        #expect(errorCode { _ = try ageDecrypt(variant { $0[2] = String($0[2].dropLast()) + "B" }, identities: [identity]) } != nil)
        // A header that never ends is refused at the 1 MiB cap instead of being buffered without bound.
        let endless = Array("age-encryption.org/v1\n-> X25519 abc\n".utf8) + [UInt8](repeating: UInt8(ascii: "A"), count: 2 << 20)
        #expect(errorCode { _ = try ageDecrypt(endless, identities: [identity], piece: 65536) } == "age.header")
        // An unknown stanza type is ignored, but it is covered by the MAC like any other.
        #expect(errorCode { _ = try ageDecrypt(variant { $0.insert(contentsOf: ["-> example.com/x a", ""], at: 1) }, identities: [identity]) }
            == "age.header-mac")
    }

    /// G10: scrypt next to another stanza, and a 2^40 work factor, are refused before any scrypt work.
    @Test func scryptRules() throws {
        let identity = try AgeIdentity.generate()
        let fileKey = try secureRandomBytes(16)
        func file(_ stanzas: [AgeHeader.Stanza]) throws -> [UInt8] {
            let sink = MemorySink()
            let encryptor = try AgeEncryptor(fileKey: fileKey, stanzas: stanzas, output: sink)
            try encryptor.write(pattern(10))
            try encryptor.finish()
            return sink.bytes
        }
        let scrypt = try AgeKeyWrap.scryptStanza(fileKey: fileKey, passphrase: "pw", workFactor: 10)
        let x25519 = try AgeKeyWrap.x25519Stanza(fileKey: fileKey, recipient: identity.recipient)
        #expect(try ageDecrypt(try file([scrypt]), passphrase: "pw") == pattern(10))
        #expect(errorCode { _ = try ageDecrypt(try file([x25519, scrypt]), identities: [identity]) } == "age.scrypt-mixed")
        #expect(errorCode { _ = try ageDecrypt(try file([scrypt, x25519]), passphrase: "pw") } == "age.scrypt-mixed")
        var huge = scrypt
        huge.arguments[2] = "40"
        #expect(errorCode { _ = try ageDecrypt(try file([huge]), passphrase: "pw") } == "age.scrypt-work-factor")
        for bad in ["018", "0", "1e1", "-1", ""] {
            var odd = scrypt
            odd.arguments[2] = bad
            if bad.isEmpty { odd.arguments.removeLast() }
            #expect(errorCode { _ = try ageDecrypt(try file([odd]), passphrase: "pw") } == "age.header")
        }
    }

    /// Wrong identity: a clear error that names no key material.
    @Test func wrongIdentity() throws {
        let other = try AgeIdentity.generate()
        let ciphertext = try ageEncrypt(pattern(10), to: [try AgeIdentity.generate().recipient])
        do {
            _ = try ageDecrypt(ciphertext, identities: [other])
            Issue.record("decrypted with the wrong identity")
        } catch let error as DossierError {
            #expect(error.code == "age.no-identity")
            #expect(!error.description.contains("AGE-SECRET-KEY") && !error.description.contains("age1"))
        }
    }

    /// Armor is accepted strictly: surrounding whitespace only, canonical base64, 64 columns.
    @Test(.enabled(if: canRun("age"))) func armorStrictness() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let identity = try AgeIdentity.generate()
        try writeFile(dir + "/m", pattern(5000))
        _ = try run("age", ["-a", "-r", "\(identity.recipient)", "-o", dir + "/m.age", dir + "/m"])
        let armored = String(decoding: try readFile(dir + "/m.age"), as: UTF8.self)
        #expect(summary(try ageDecrypt(Array(("\n  \n" + armored + "\n").utf8), identities: [identity])) == summary(pattern(5000)))
        #expect(summary(try ageDecrypt(Array(armored.replacingOccurrences(of: "\n", with: "\r\n").utf8), identities: [identity])) == summary(pattern(5000)))
        var lines = armored.split(separator: "\n").map(String.init)
        let rewrapped = ([lines[0], lines[1] + lines[2]] + lines[3...]).joined(separator: "\n")
        #expect(errorCode { _ = try ageDecrypt(Array(rewrapped.utf8), identities: [identity]) } == "age.armor")
        #expect(errorCode { _ = try ageDecrypt(Array((armored + "x\n").utf8), identities: [identity]) } == "age.armor")
        #expect(errorCode { _ = try ageDecrypt(Array(armored.dropLast(5).utf8), identities: [identity]) } == "age.armor")
        lines[1] = String(lines[1].dropLast(4)) + "====" 
        #expect(errorCode { _ = try ageDecrypt(Array(lines.joined(separator: "\n").utf8), identities: [identity]) } == "age.armor")
    }

    @Test(.enabled(if: canRun("age")), arguments: [0, 47, 48, 100_000])
    func armoredOutputDecryptsWithAge(size: Int) throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        _ = try run("age-keygen", ["-o", dir + "/key.txt"])
        let identities = try AgeIdentity.read(path: dir + "/key.txt")
        let sink = MemorySink()
        let encryptor = try AgeEncryptor(recipients: [identities[0].recipient], armored: true, output: sink)
        try encryptor.write(pattern(size))
        try encryptor.finish()
        let text = String(decoding: sink.bytes, as: UTF8.self)
        #expect(text.hasPrefix("-----BEGIN AGE ENCRYPTED FILE-----\n") && text.hasSuffix("\n-----END AGE ENCRYPTED FILE-----\n"))
        try writeFile(dir + "/m.age", sink.bytes)
        let result = try run("age", ["-d", "-i", dir + "/key.txt", dir + "/m.age"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(summary(result.stdout) == summary(pattern(size)))
        #expect(summary(try ageDecrypt(sink.bytes, identities: identities, piece: 333)) == summary(pattern(size)))
    }

    /// G14: no (key, nonce) pair repeats. Each file draws a fresh file key and payload nonce, each
    /// stanza a fresh ephemeral share; within a file the counter makes every chunk nonce distinct.
    @Test func noNonceReuse() throws {
        let recipient = try AgeIdentity.generate().recipient
        var nonces = Set<[UInt8]>(), shares = Set<String>(), macs = Set<String>()
        for _ in 0..<200 {
            let file = try ageEncrypt([1, 2, 3], to: [recipient])
            let start = payloadStart(file)
            nonces.insert(Array(file[start..<(start + 16)]))
            let lines = String(decoding: file[..<start], as: UTF8.self).split(separator: "\n")
            shares.insert(String(lines[1]))
            macs.insert(String(lines.last!))
        }
        #expect(nonces.count == 200 && shares.count == 200 && macs.count == 200)
        var chunkNonces = Set<[UInt8]>()
        for counter in [UInt64(0), 1, 2, 255, 256, 65535, 1 << 32, UInt64.max] {
            for final in [false, true] { chunkNonces.insert(AgePayload.chunkNonce(counter, final: final)) }
        }
        #expect(chunkNonces.count == 16)
        #expect(AgePayload.chunkNonce(258, final: true) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 1])
    }
}
