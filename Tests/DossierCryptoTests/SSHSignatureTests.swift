@testable import DossierCrypto
import DossierModel
import Testing

@Suite("OpenSSH SSHSIG signatures, interoperable with ssh-keygen -Y")
struct SSHSignatureTests {
    let message = Array("Manifest-Version: 1\nbundle: 8f2c\n".utf8)

    private func code(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch let e as DossierError { return e.code } catch { return "\(error)" }
    }

    @Test func ourKeyFileIsReadBySSHKeygenAndBack() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let key = try SSHSigningKey.generate(comment: "zorg@example")
        try key.write(to: dir + "/id")
        let derived = try run("ssh-keygen", ["-y", "-f", dir + "/id"])
        #expect(derived.status == 0, "\(derived.stderr)")
        #expect(String(decoding: derived.stdout, as: UTF8.self).hasPrefix(
            key.publicKey.line.split(separator: " ").prefix(2).joined(separator: " ")))
        let again = try SSHSigningKey.read(path: dir + "/id")
        #expect(again.publicKey == key.publicKey)
        #expect(try SSHPublicKey(line: String(decoding: try readFile(dir + "/id.pub"), as: UTF8.self)) == key.publicKey)
    }

    @Test func sshKeygenKeyIsReadAndSignsIdentically() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let made = try run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "them@example", "-f", dir + "/k"])
        #expect(made.status == 0, "\(made.stderr)")
        let key = try SSHSigningKey.read(path: dir + "/k")
        #expect(key.publicKey.comment == "them@example")
        let pubLine = String(decoding: try readFile(dir + "/k.pub"), as: UTF8.self)
        #expect(try SSHPublicKey(line: pubLine).rawKey == key.publicKey.rawKey)
        // Ed25519 is deterministic, so our signature must equal ssh-keygen's byte for byte.
        try writeFile(dir + "/msg", message)
        let theirs = try run("ssh-keygen", ["-q", "-Y", "sign", "-f", dir + "/k", "-n", SSHSignature.bundleNamespace, dir + "/msg"])
        #expect(theirs.status == 0, "\(theirs.stderr)")
        let theirSignature = String(decoding: try readFile(dir + "/msg.sig"), as: UTF8.self)
        #expect(try SSHSignature.sign(message, with: key) == theirSignature)
        let trusted = try AllowedSigners(text: "them@example " + pubLine)
        #expect(try SSHSignature.verify(message, signature: theirSignature, trusted: trusted) == "them@example")
    }

    @Test func ourSignatureVerifiesWithSSHKeygen() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        let key = try SSHSigningKey.generate(comment: "")
        let signature = try SSHSignature.sign(message, with: key)
        try writeFile(dir + "/sig", signature)
        try writeFile(dir + "/allowed", AllowedSigners.line(principal: "zorgaanbieder@example.nl", key: key.publicKey,
                                                            namespaces: [SSHSignature.bundleNamespace]) + "\n")
        let ok = try run("ssh-keygen", ["-Y", "verify", "-f", dir + "/allowed", "-I", "zorgaanbieder@example.nl",
                                        "-n", SSHSignature.bundleNamespace, "-s", dir + "/sig"], stdin: message)
        #expect(ok.status == 0, "\(ok.stderr)")
        let novalidate = try run("ssh-keygen", ["-Y", "check-novalidate", "-n", SSHSignature.bundleNamespace,
                                                "-s", dir + "/sig"], stdin: message)
        #expect(novalidate.status == 0, "\(novalidate.stderr)")
        let tampered = try run("ssh-keygen", ["-Y", "verify", "-f", dir + "/allowed", "-I", "zorgaanbieder@example.nl",
                                              "-n", SSHSignature.bundleNamespace, "-s", dir + "/sig"], stdin: message + [0x0A])
        #expect(tampered.status != 0)
        let allowed = try AllowedSigners.read(path: dir + "/allowed")
        #expect(try SSHSignature.verify(message, signature: signature, trusted: allowed) == "zorgaanbieder@example.nl")
        #expect(try SSHSignature.verify(message, signature: signature, trusted: allowed, principal: "zorgaanbieder@example.nl")
            == "zorgaanbieder@example.nl")
    }

    @Test func rejections() throws {
        let key = try SSHSigningKey.generate(comment: "")
        let other = try SSHSigningKey.generate(comment: "")
        let trusted = AllowedSigners(entries: [.init(principals: ["a"], namespaces: nil, key: key.publicKey)])
        let signature = try SSHSignature.sign(message, with: key)
        #expect(code { _ = try SSHSignature.verify(message + [1], signature: signature, trusted: trusted) } == "signature.invalid")
        let byOther = try SSHSignature.sign(message, with: other)
        #expect(code { _ = try SSHSignature.verify(message, signature: byOther, trusted: trusted) } == "signature.untrusted-key")
        let otherNamespace = try SSHSignature.sign(message, with: key, namespace: "file")
        #expect(code { _ = try SSHSignature.verify(message, signature: otherNamespace, trusted: trusted) } == "signature.namespace")
        #expect(code { _ = try SSHSignature.verify(message, signature: signature, trusted: trusted, principal: "b") }
            == "signature.untrusted-key")
        let restricted = AllowedSigners(entries: [.init(principals: ["a"], namespaces: ["git"], key: key.publicKey)])
        #expect(code { _ = try SSHSignature.verify(message, signature: signature, trusted: restricted) } == "signature.untrusted-key")

        var lines = signature.split(separator: "\n").map(String.init)
        let malformed = [
            signature.replacingOccurrences(of: "BEGIN SSH SIGNATURE", with: "BEGIN SSH SIG"),
            String(signature.dropLast(10)),
            ([lines[0], String(lines[1].dropFirst(4))] + lines[2...]).joined(separator: "\n"),
            "",
        ]
        for bad in malformed {
            #expect(code { _ = try SSHSignature.verify(message, signature: bad, trusted: trusted) } == "signature.malformed")
        }
        // A flipped byte inside the signature blob: still well-formed, but no longer valid.
        lines[lines.count - 2] = String(lines[lines.count - 2].reversed())
        let flipped = lines.joined(separator: "\n") + "\n"
        #expect(["signature.invalid", "signature.malformed"].contains(code { _ = try SSHSignature.verify(message, signature: flipped, trusted: trusted) }))
    }

    @Test func allowedSignersParsing() throws {
        let key = try SSHSigningKey.generate(comment: "")
        let b64 = key.publicKey.line.split(separator: " ")[1]
        let text = """
            # trusted senders
            a@x,b@x namespaces="dossierport-bundle,file" ssh-ed25519 \(b64) laptop

            c@x ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ
            """
        let signers = try AllowedSigners(text: text)
        #expect(signers.entries.count == 1)
        #expect(signers.entries[0].principals == ["a@x", "b@x"])
        #expect(signers.entries[0].namespaces == ["dossierport-bundle", "file"])
        #expect(throws: DossierError.self) { try AllowedSigners(text: "a@x valid-after=\"20200101\" ssh-ed25519 \(b64)") }
        #expect(throws: DossierError.self) { try AllowedSigners(text: "a@x ssh-ed25519 !!!") }
    }

    @Test func encryptedPrivateKeyRefused() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        _ = try run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "secret-pass", "-f", dir + "/k"])
        #expect(code { _ = try SSHSigningKey.read(path: dir + "/k") } == "key.encrypted")
    }
}
