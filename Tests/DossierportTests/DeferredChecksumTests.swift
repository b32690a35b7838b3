import Foundation
import Testing
import DossierModel
import DossierCrypto
import DossierFormats
@testable import DossierBundle
import Dossierport

/// A receiver reads every dossier file whole to decode it, so its checksum is checked on those
/// bytes rather than by hashing the file first (which inflated it twice). These pin that no parser
/// still sees a dossier that fails its checksum, and that every file is still checked once.
@Suite struct DeferredChecksumTests {
    static let dossier = "data/dossiers/ZDL-000102.json"

    func codes(_ problems: DiagnosticLog) -> [String] { problems.listed.filter { $0.severity == .error }.map(\.code).sorted() }
    func entries(_ problems: DiagnosticLog) -> Set<String> { Set(problems.listed.compactMap { $0.location?.entry }) }

    /// Same length, so Payload-Oxum still holds and only the checksum tells.
    func garble(_ path: String) throws {
        let size = try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        try Data(("{ not json" + String(repeating: " ", count: size)).utf8.prefix(size)).write(to: URL(fileURLWithPath: path))
    }

    @Test func aDossierFailingItsChecksumIsNeverParsed() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bag = try BagFixture.unpacked(dir)
        try garble(bag + "/" + Self.dossier)

        let c = BundleInspection.check(path: bag, keys: BundleKeys())
        // One checksum error, and no JSON error: the bytes never reached the decoder.
        #expect(codes(c.allProblems) == ["bag.checksum"])
        #expect(entries(c.allProblems) == [Self.dossier])
        #expect(c.bag.deferred.isEmpty)

        let report = BundleImport.run(bundle: bag, options: ImportOptions(target: .files, output: dir.appendingPathComponent("out").path))
        #expect(!report.loaded)
        #expect(codes(report.problems) == ["bag.checksum"])
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }

    @Test func deferredFilesAreHashedWhenTheBagFailsBeforeTheDossiers() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bag = try BagFixture.unpacked(dir)
        try garble(bag + "/" + Self.dossier)
        let info = bag + "/bag-info.txt"
        try (try String(contentsOfFile: info, encoding: .utf8) + "Note: edited\n").write(toFile: info, atomically: false, encoding: .utf8)

        let c = BundleInspection.check(path: bag, keys: BundleKeys())
        #expect(c.manifest == nil, "a bag failing its tag manifest is not read further")
        #expect(codes(c.allProblems) == ["bag.checksum", "bag.checksum"])
        #expect(entries(c.allProblems) == ["bag-info.txt", Self.dossier])
    }

    @Test func aDossierFileExportJSONDoesNotListIsStillHashed() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bag = try BagFixture.unpacked(dir)
        let extra = bag + "/data/dossiers/extra.json"
        try Data("{}".utf8).write(to: URL(fileURLWithPath: extra))
        try BagFixture.reseal(bag)
        try Data("[]".utf8).write(to: URL(fileURLWithPath: extra))

        let c = BundleInspection.check(path: bag, keys: BundleKeys())
        #expect(codes(c.allProblems) == ["bag.checksum", "bundle.unlisted-file"])
        #expect(entries(c.allProblems) == ["data/dossiers/extra.json"])
    }

    @Test func theVerifierLeavesDeferredFilesToTheReader() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bag = try BagFixture.unpacked(dir)
        let store = FolderBagStore(path: bag)
        let dossiers = try FileManager.default.contentsOfDirectory(atPath: bag + "/data/dossiers").filter { $0.hasSuffix(".json") }
        try garble(bag + "/" + Self.dossier)

        var v = BagVerifier.verify(store) { $0.hasPrefix("data/dossiers/") && $0.hasSuffix(".json") }
        #expect(v.isValid, "the garbled dossier is deferred, not yet hashed")
        #expect(v.deferred.count == dossiers.count && dossiers.count > 1)
        let good = "data/dossiers/" + (try #require(dossiers.first { "data/dossiers/" + $0 != Self.dossier }))
        #expect(try v.deferred.mismatch(good, try store.bytes(good), in: store) == nil)
        #expect(try v.deferred.mismatch(Self.dossier, try store.bytes(Self.dossier), in: store)?.code == "bag.checksum")
        #expect(try v.deferred.mismatch("data/export.json", [1], in: store) == nil, "a file not deferred is not judged")

        v.deferred.markChecked(good)
        BagVerifier.checkDeferred(store, &v)
        #expect(v.deferred.isEmpty)
        #expect(v.problems.listed.map(\.code) == ["bag.checksum"])
        #expect(v.problems.listed.first?.location?.entry == Self.dossier)
    }

    func edit(_ path: String, _ old: String, _ new: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains(old))
        try text.replacingOccurrences(of: old, with: new).write(toFile: path, atomically: false, encoding: .utf8)
    }

    /// verify and import read a dossier's XML form too, and refuse one that says something else
    /// than the JSON, or that does not parse; "valid" from verify means import will take it.
    @Test func theXMLFormMustSayWhatTheJSONSays() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let xml = "data/dossiers/ZDL-000102.xml"
        for (n, (old, new, code)) in [("Horst", "Hurst", "bundle.xml-mismatch"), ("</dossier>", "</dosier>", "xml.syntax")].enumerated() {
            let folder = dir.appendingPathComponent("\(n)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let bag = try BagFixture.unpacked(folder, includeXML: true)
            #expect(BundleInspection.check(path: bag, keys: BundleKeys()).isValid)
            try edit(bag + "/" + xml, old, new)
            try BagFixture.reseal(bag)

            let c = BundleInspection.check(path: bag, keys: BundleKeys())
            #expect(!c.isValid)
            let errors = c.allProblems.listed.filter { $0.severity == .error }
            // A parser's error names the file in the bundle as its file, with the line.
            #expect(errors.map { $0.location?.entry ?? $0.location?.file } == [xml], "\(errors)")
            #expect(code == "xml.syntax" || errors.map(\.code) == [code])
            let report = BundleImport.run(bundle: bag, options: ImportOptions(target: .files, output: dir.appendingPathComponent("out-\(n)").path))
            #expect(!report.loaded && report.problems.listed.map(\.code) == errors.map(\.code))
        }
    }

    /// An XML form laid out otherwise than this writer lays it out (another tool's bundle) is not
    /// the writer's bytes, so it is parsed, and accepted when it says what the JSON says.
    @Test func anXMLFormLaidOutOtherwiseIsParsedAndAccepted() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bag = try BagFixture.unpacked(dir, includeXML: true)
        let xml = bag + "/data/dossiers/ZDL-000102.xml"
        let before = try DossierXMLFormat.decode(Array(try Data(contentsOf: URL(fileURLWithPath: xml))), file: nil)
        try edit(xml, "\n  <", "\n\t<")
        try BagFixture.reseal(bag)
        let after = Array(try Data(contentsOf: URL(fileURLWithPath: xml)))
        #expect(!DossierXMLFormat.isEncoding(of: before, after), "the edit changed the layout")
        #expect(try DossierXMLFormat.decode(after, file: nil) == before, "and not the meaning")

        let c = BundleInspection.check(path: bag, keys: BundleKeys())
        #expect(c.isValid, "\(c.allProblems.listed)")
        let report = BundleImport.run(bundle: bag, options: ImportOptions(target: .files, output: dir.appendingPathComponent("out").path))
        #expect(report.loaded)
    }

    @Test func anXMLFormFailingItsChecksumIsNeverParsed() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bag = try BagFixture.unpacked(dir, includeXML: true)
        let xml = "data/dossiers/ZDL-000102.xml"
        try garble(bag + "/" + xml)
        let c = BundleInspection.check(path: bag, keys: BundleKeys())
        #expect(codes(c.allProblems) == ["bag.checksum"])
        #expect(entries(c.allProblems) == [xml])
        #expect(c.bag.deferred.isEmpty)
    }

    /// Two deferred paths with one hash cannot tell their digests apart: neither is deferred, the
    /// verifier hashes both, once; the other paths stay deferred.
    @Test(arguments: [false, true])
    func pathsSharingAHashAreHashedByTheVerifier(allShare: Bool) throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bag = try BagFixture.unpacked(dir)
        try garble(bag + "/" + Self.dossier)
        let store = FolderBagStore(path: bag)
        let isDossier = { (path: String) in path.hasPrefix("data/dossiers/") && path.hasSuffix(".json") }
        let pair: Set<String> = [Self.dossier, "data/dossiers/ZDL-000105.json"]
        // Every dossier path has the same length; or only the pair is made to collide.
        let key: @Sendable (String) -> Int = { path in allShare ? path.utf8.count : pair.contains(path) ? 1 : path.hashValue }
        var v = BagVerifier.verify(store, trusted: nil, requireSignature: false, deferring: isDossier, into: DeferredChecksums(key: key))
        #expect(v.problems.listed.map(\.code) == ["bag.checksum"], "the verifier found the garbled file itself")
        #expect(v.problems.listed.first?.location?.entry == Self.dossier)
        #expect(!v.deferred.contains(Self.dossier) && !v.deferred.contains("data/dossiers/ZDL-000105.json"))
        #expect(v.deferred.count == (allShare ? 0 : 5))
        BagVerifier.checkDeferred(store, &v)
        #expect(v.problems.listed.count == 1, "no file is hashed twice")
    }
}
