import Foundation
import Testing
import DossierModel
import DossierIO
import DossierCrypto
import DossierBundle
import DossierPolicy
import DossierFormats
import Dossierport

/// A signed bundle of the fixture organisation, unpacked, with the keys that made it; its folder
/// goes when the test that made it is done.
final class SignedBundle {
    let dir: URL
    let zip: String
    let key: SSHSigningKey
    let trusted: AllowedSigners

    init() throws {
        dir = try TestEnv.tempDir()
        zip = dir.appendingPathComponent("bundle.zip").path
        key = try SSHSigningKey.generate(comment: "de-linde")
        trusted = AllowedSigners(entries: [.init(principals: ["de-linde"], namespaces: nil, key: key.publicKey)])
        let k = key
        try TestEnv.bundle(to: zip) { $0.signingKey = k; $0.includeXML = true }
    }

    deinit { try? FileManager.default.removeItem(at: dir) }

    /// A fresh unpacked copy to tamper with.
    func unpacked(_ name: String) throws -> String {
        let target = dir.appendingPathComponent(name).path
        try ZipReader(path: zip).extract(to: target)
        let inner = try FileManager.default.contentsOfDirectory(atPath: target)
        return target + "/" + inner[0]
    }

    func check(_ path: String, trusted: AllowedSigners? = nil, require: Bool = false) -> BundleCheck {
        BundleInspection.check(path: path, keys: BundleKeys(trusted: trusted, requireSignature: require))
    }
}

func codes(_ c: BundleCheck) -> [String] { c.allProblems.listed.filter { $0.severity == .error }.map(\.code) }
func entries(_ c: BundleCheck) -> [String] { c.allProblems.listed.compactMap { $0.location?.entry } }

@Suite struct BundleTests {
    @Test func aFreshBundleVerifiesWithItsSignature() throws {
        let b = try SignedBundle()
        let c = b.check(b.zip, trusted: b.trusted, require: true)
        #expect(c.isValid, "\(c.allProblems)")
        #expect(c.bag.signature == .verified(principal: "de-linde"))
        let m = try #require(c.manifest)
        var dossiers: [ExportManifest.Entry] = []
        try #require(c.dossiers).forEach { dossiers.append($0) }
        #expect(m.dossiers.isEmpty, "the list is read into `c.dossiers`")
        #expect(dossiers.count == 7)
        #expect(m.purpose == .access)
        #expect(dossiers.allSatisfy { $0.accessCopy != nil && $0.xml != nil })
        // Work notes never leave in an access bundle.
        #expect(m.counts[.workNotes] == nil)
        // The scope streams by and is counted, not held: it names a record for each one cut.
        #expect(m.scope.isEmpty)
        let export = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: b.unpacked("scope") + "/data/export.json")))
        let scope = try #require((export as? [String: Any])?["scope"] as? [[String: Any]])
        let actions = scope.compactMap { ($0["note"] as? [String: Any])?["action"] as? String }
        #expect(scope.contains { ($0["note"] as? [String: Any])?["entity"] as? String == "workNotes" })
        #expect(actions.count == scope.count && c.cut.excluded > 0)
        #expect(c.cut.excluded == actions.filter { $0 == "excluded" }.count && c.cut.redacted == actions.filter { $0 == "redacted" }.count)
        #expect(BundleSummary(c).table.contains("cut        \(c.cut.excluded) records excluded, \(c.cut.redacted) redacted by the purpose"))
    }

    @Test func twoRunsGiveByteIdenticalBundles() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.zip").path, b = dir.appendingPathComponent("b.zip").path
        try TestEnv.bundle(to: a)
        try TestEnv.bundle(to: b)
        #expect(try Digester.hash(.sha256, fileAt: a) == Digester.hash(.sha256, fileAt: b))
    }

    // Every kind of tampering is caught and the failing file is named.

    @Test func changedPayloadByteInTheZip() throws {
        let b = try SignedBundle()
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: b.zip)))
        // The first entry's data starts after its 30-byte header and name; flip a byte well inside it.
        let nameLength = Int(bytes[26]) | Int(bytes[27]) << 8
        bytes[30 + nameLength + 10] ^= 0x01
        let bad = b.dir.appendingPathComponent("flipped.zip").path
        try Data(bytes).write(to: URL(fileURLWithPath: bad))
        let c = b.check(bad)
        #expect(!c.isValid)
        #expect(codes(c).contains { $0 == "zip.crc" || $0 == "zlib.inflate" || $0 == "bag.checksum" }, "\(codes(c))")
    }

    @Test func changedPayloadByteInAFolder() throws {
        let b = try SignedBundle()
        let bag = try b.unpacked("t1")
        let f = bag + "/data/dossiers/ZDL-000102.json"
        var text = try String(contentsOfFile: f, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"Horst\"", with: "\"Hurst\"")
        try text.write(toFile: f, atomically: false, encoding: .utf8)
        let c = b.check(bag, trusted: b.trusted)
        #expect(codes(c) == ["bag.checksum"])
        #expect(entries(c) == ["data/dossiers/ZDL-000102.json"])
    }

    @Test func deletedFile() throws {
        let b = try SignedBundle()
        let bag = try b.unpacked("t2")
        try FileManager.default.removeItem(atPath: bag + "/data/documents/ZDL-000101/doc-10101.pdf")
        let c = b.check(bag)
        #expect(codes(c).contains("bag.missing-file"))
        #expect(codes(c).contains("bag.payload-oxum"))
        #expect(entries(c).contains("data/documents/ZDL-000101/doc-10101.pdf"))
    }

    @Test func addedFile() throws {
        let b = try SignedBundle()
        let bag = try b.unpacked("t3")
        try Data("extra".utf8).write(to: URL(fileURLWithPath: bag + "/data/dossiers/extra.json"))
        let c = b.check(bag)
        #expect(codes(c).contains("bag.unlisted-file"))
        #expect(entries(c).contains("data/dossiers/extra.json"))
    }

    @Test func editedManifestLine() throws {
        let b = try SignedBundle()
        let bag = try b.unpacked("t4")
        let f = bag + "/manifest-sha256.txt"
        var lines = try String(contentsOfFile: f, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[0] = (lines[0].first == "0" ? "1" : "0") + lines[0].dropFirst()
        try (lines.joined(separator: "\n") + "\n").write(toFile: f, atomically: false, encoding: .utf8)
        let c = b.check(bag)
        #expect(codes(c).contains("bag.checksum"))
        #expect(entries(c).contains("manifest-sha256.txt"), "the tag manifest names the edited manifest")
        // The signature covers the tag manifest, which still holds the true digest of the manifest.
        let signed = b.check(bag, trusted: b.trusted)
        #expect(signed.bag.signature == .verified(principal: "de-linde") && !signed.isValid)
    }

    @Test func editedBagInfo() throws {
        let b = try SignedBundle()
        let bag = try b.unpacked("t5")
        let f = bag + "/bag-info.txt"
        let text = try String(contentsOfFile: f, encoding: .utf8).replacingOccurrences(of: "Zorggroep De Linde", with: "Zorggroep De Eik")
        try text.write(toFile: f, atomically: false, encoding: .utf8)
        let c = b.check(bag)
        #expect(codes(c) == ["bag.checksum"])
        #expect(entries(c) == ["bag-info.txt"])
    }

    @Test func wrongPayloadOxum() throws {
        // An unsigned bag whose tag manifest was recomputed, so only the Oxum is wrong.
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent("u.zip").path
        try TestEnv.bundle(to: zip)
        try ZipReader(path: zip).extract(to: dir.appendingPathComponent("x").path)
        let bag = dir.appendingPathComponent("x").path + "/" + (try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("x").path))[0]
        let info = bag + "/bag-info.txt"
        var text = try String(contentsOfFile: info, encoding: .utf8)
        let oxum = try #require(text.split(separator: "\n").first { $0.hasPrefix("Payload-Oxum:") })
        text = text.replacingOccurrences(of: String(oxum), with: "Payload-Oxum: 1.1")
        try text.write(toFile: info, atomically: false, encoding: .utf8)
        var tag = BagManifest()
        for name in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"] {
            tag.entries.append((name, try Digester.hash(.sha256, fileAt: bag + "/" + name).hexString))
        }
        try Data(tag.serialized()).write(to: URL(fileURLWithPath: bag + "/tagmanifest-sha256.txt"))
        let c = BundleInspection.check(path: bag, keys: BundleKeys())
        #expect(codes(c) == ["bag.payload-oxum"])
    }

    @Test func signatureByAnUntrustedKey() throws {
        let b = try SignedBundle()
        let other = try SSHSigningKey.generate(comment: "someone-else")
        let trusted = AllowedSigners(entries: [.init(principals: ["someone-else"], namespaces: nil, key: other.publicKey)])
        let c = b.check(b.zip, trusted: trusted, require: true)
        #expect(c.bag.signature == .invalid)
        #expect(codes(c) == ["signature.untrusted-key"])
        #expect(c.manifest == nil, "nothing is parsed after a failed signature")
    }

    @Test func unsignedWhenASignatureIsRequired() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent("u.zip").path
        try TestEnv.bundle(to: zip)
        let key = try SSHSigningKey.generate(comment: "x")
        let c = BundleInspection.check(path: zip, keys: BundleKeys(trusted: AllowedSigners(entries: [.init(principals: ["x"], namespaces: nil, key: key.publicKey)]),
                                                                     requireSignature: true))
        #expect(codes(c) == ["signature.missing"])
    }

    @Test(arguments: [0.1, 0.5, 0.9, 0.999])
    func truncatedZip(_ fraction: Double) throws {
        let b = try SignedBundle()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: b.zip))
        let cut = b.dir.appendingPathComponent("cut.zip").path
        try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: cut))
        let c = b.check(cut)
        #expect(!c.isValid)
        #expect(codes(c).allSatisfy { $0.hasPrefix("zip.") }, "\(codes(c))")
    }

    @Test func encryptedBundleNeedsTheRightKey() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("b.zip.age").path
        let id = try AgeIdentity.generate()
        try TestEnv.bundle(to: path, purpose: .transfer) { $0.recipients = [id.recipient] }
        #expect(BundleInspection.check(path: path, keys: BundleKeys(identities: [id])).isValid)
        let wrong = BundleInspection.check(path: path, keys: BundleKeys(identities: [try AgeIdentity.generate()]))
        #expect(codes(wrong) == ["age.no-identity"])
        #expect(codes(BundleInspection.check(path: path, keys: BundleKeys())) == ["bundle.encrypted"])
        // A truncated encrypted bundle fails in decryption; no plaintext reaches the zip reader.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let cut = dir.appendingPathComponent("cut.age").path
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: cut))
        #expect(codes(BundleInspection.check(path: cut, keys: BundleKeys(identities: [id]))).allSatisfy { $0.hasPrefix("age.") })
    }

    @Test func objectorsStayOutOfATransfer() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("t.zip").path
        let report = try TestEnv.bundle(to: path, purpose: .transfer)
        #expect(report.dossiersExcluded == 1)
        let c = BundleInspection.check(path: path, keys: BundleKeys())
        #expect(c.isValid)
        var ids: [String] = []
        try c.dossiers?.forEach { ids.append($0.id) }
        #expect(ids.count == 6 && !ids.contains("ZDL-000104"))
        // The objector's exclusion is in export.json's scope, which the check counts as it streams by.
        let unpacked = dir.appendingPathComponent("unpacked").path
        try ZipReader(path: path).extract(to: unpacked)
        let root = unpacked + "/" + (try FileManager.default.contentsOfDirectory(atPath: unpacked))[0]
        let manifest = try JSONDecoder().decode(ExportManifest.self, from: Data(contentsOf: URL(fileURLWithPath: root + "/data/export.json")))
        #expect(manifest.scope.contains { $0.dossier == "ZDL-000104" && $0.note.reason == .clientObjected })
        #expect(c.cut.excluded == manifest.scope.filter { $0.note.action == .excluded }.count && c.cut.excluded > 0)
        // The run's report lists the same cut, and `--report` splices it in as the encoder would write it.
        var reported: [ScopeEntry] = []
        try report.scope.forEach { reported.append($0) }
        #expect(reported == manifest.scope)
        let sink = MemorySink()
        try report.writePretty(to: sink)
        #expect(sink.bytes == (try JSONByteEncoder.encode(report, style: .pretty)))
        let json = try JSONSerialization.jsonObject(with: Data(sink.bytes)) as? [String: Any]
        #expect((json?["scope"] as? [Any])?.count == manifest.scope.count)
    }
}

/// Tools nobody here wrote accept what Dossierport writes, and the other way round.
@Suite struct BundleInteropTests {
    @Test(.enabled(if: TestEnv.has("unzip") && TestEnv.has("7z") && TestEnv.has("python3")))
    func zipToolsAcceptTheBundle() throws {
        let b = try SignedBundle()
        #expect(try TestEnv.run("unzip", ["-tq", b.zip]).status == 0)
        #expect(try TestEnv.run("7z", ["t", b.zip]).status == 0)
        let py = try TestEnv.run("python3", ["-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); sys.exit(0 if z.testzip() is None else 1)", b.zip])
        #expect(py.status == 0, "\(py.err)")
    }

    @Test(.enabled(if: TestEnv.has("python3") && (try? TestEnv.run("python3", ["-c", "import bagit, bagit_profile"]).status) == 0))
    func bagitPythonAndTheProfileValidatorAcceptTheBag() throws {
        let b = try SignedBundle()
        let bag = try b.unpacked("interop")
        let v = try TestEnv.run("python3", ["-m", "bagit", "--validate", bag])
        #expect(v.status == 0, "\(v.err)")
        let profile = TestEnv.root.appendingPathComponent("formats/bagit-profile.json").path
        let script = """
        import json, sys, bagit, bagit_profile
        p = bagit_profile.Profile("urn:dossierport:bagit-profile:1.0", profile=json.load(open(sys.argv[1])))
        ok = p.validate(bagit.Bag(sys.argv[2])) and p.validate_serialization(sys.argv[3])
        sys.exit(0 if ok else 1)
        """
        let r = try TestEnv.run("python3", ["-c", script, profile, bag, b.zip])
        #expect(r.status == 0, "\(r.out)\(r.err)")
    }

    @Test(.enabled(if: TestEnv.has("ssh-keygen")))
    func sshKeygenVerifiesTheSignature() throws {
        let b = try SignedBundle()
        let bag = try b.unpacked("ssh")
        let signers = b.dir.appendingPathComponent("allowed_signers").path
        try AllowedSigners.line(principal: "de-linde", key: b.key.publicKey).appending("\n").write(toFile: signers, atomically: false, encoding: .utf8)
        let r = try TestEnv.run("ssh-keygen", ["-Y", "verify", "-f", signers, "-I", "de-linde", "-n", "dossierport-bundle",
                                               "-s", bag + "/tagmanifest-sha256.txt.sig"], stdinFile: bag + "/tagmanifest-sha256.txt")
        #expect(r.status == 0, "\(r.err)")
    }

    @Test(.enabled(if: TestEnv.has("age")))
    func ageDecryptsWhatWeEncryptAndTheOtherWayRound() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyFile = dir.appendingPathComponent("key.txt").path
        #expect(try TestEnv.run("age-keygen", ["-o", keyFile]).status == 0)
        let identity = try #require(try AgeIdentity.read(path: keyFile).first)
        let enc = dir.appendingPathComponent("b.zip.age").path
        try TestEnv.bundle(to: enc, purpose: .portability) { $0.recipients = [identity.recipient] }
        let plain = dir.appendingPathComponent("b.zip").path
        #expect(try TestEnv.run("age", ["-d", "-i", keyFile, "-o", plain, enc]).status == 0)
        #expect(BundleInspection.check(path: plain, keys: BundleKeys()).isValid)
        // age -r encrypts, Dossierport decrypts.
        let byAge = dir.appendingPathComponent("by-age.zip.age").path
        #expect(try TestEnv.run("age", ["-r", identity.recipient.description, "-o", byAge, plain]).status == 0)
        #expect(BundleInspection.check(path: byAge, keys: BundleKeys(identities: [identity])).isValid)
    }

    @Test(.enabled(if: TestEnv.has("zip") && (try? TestEnv.run("python3", ["-c", "import bagit"]).status) == 0))
    func aBagMadeByBagitPythonAndZipVerifies() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bag = dir.appendingPathComponent("external-bag")
        try FileManager.default.createDirectory(at: bag, withIntermediateDirectories: true)
        try Data("Brief aan de huisarts\n".utf8).write(to: bag.appendingPathComponent("brief.txt"))
        try FileManager.default.copyItem(atPath: TestEnv.dossiers + "/documents", toPath: bag.appendingPathComponent("documents").path)
        #expect(try TestEnv.run("python3", ["-m", "bagit", "--sha256", bag.path]).status == 0)
        #expect(try TestEnv.run("zip", ["-qr", "external.zip", "external-bag"], cwd: dir).status == 0)
        let c = BundleInspection.check(path: dir.appendingPathComponent("external.zip").path, keys: BundleKeys())
        #expect(c.isValid, "\(c.allProblems)")
        #expect(c.bag.payloadFiles == 6)
        #expect(c.allProblems.listed.contains { $0.code == "bundle.no-export-manifest" && $0.severity == .warning })
    }
}
