import Foundation
import Testing
import DossierModel
import DossierCrypto
import DossierBundle
import Dossierport

/// A bundle's lists decide how many problems checking it finds: a manifest or an export.json that
/// names many files that are not there gives a problem each. The problems are listed up to a limit
/// and counted past it, so such a bundle cannot decide how much memory `verify` takes.
@Suite struct BundleProblemLimitTests {
    static let ghosts = 12_000

    @Test func aManifestOfMissingFilesIsCountedPastTheLimit() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bag = try BagFixture.unpacked(dir)
        try BagFixture.append((0..<Self.ghosts).map { "data/dossiers/ghost-\($0).json" }, to: bag + "/manifest-sha256.txt")
        try BagFixture.setOxum(bag, try #require(BagInfo.parse(try Array(Data(contentsOf: URL(fileURLWithPath: bag + "/bag-info.txt"))),
                                                    file: "bag-info.txt")["Payload-Oxum"]))

        let c = BundleInspection.check(path: bag, keys: BundleKeys())
        #expect(!c.isValid)
        let problems = c.allProblems
        #expect(problems.counts["bag.missing-file"] == Self.ghosts)
        #expect(problems.errors == Self.ghosts)
        #expect(problems.listed.count == problems.limit && problems.limit < Self.ghosts)
        #expect(problems.omitted == Self.ghosts - problems.limit)
        #expect(problems.listed.first?.location?.entry == "data/dossiers/ghost-0.json")
    }

    /// A tag manifest is parsed whole, so it is held to 16 MiB: one of 17 MiB is refused, named.
    @Test func aTagManifestOverItsLimitIsRefused() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bag = try BagFixture.unpacked(dir)
        try BagFixture.append(repeatElement("extra/tag-file.txt", count: (17 << 20) / 85), to: bag + "/tagmanifest-sha256.txt")
        let c = BundleInspection.check(path: bag, keys: BundleKeys())
        #expect(!c.isValid)
        #expect(c.bag.problems.listed.contains { $0.code == "bag.too-large" && $0.location?.entry == "tagmanifest-sha256.txt" })
    }

    @Test func anExportManifestOfMissingDossiersIsCountedPastTheLimit() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bag = try BagFixture.unpacked(dir)
        let path = bag + "/data/export.json"
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var list = try #require(json["dossiers"] as? [[String: Any]])
        let real = list.count
        // The same real dossier listed many times over must not grow the check either.
        list += Array(repeating: list[0], count: 3_000)
        list += (0..<Self.ghosts).map { ["id": "ghost-\($0)", "json": "dossiers/ghost-\($0).json", "documents": [String]()] }
        json["dossiers"] = list
        try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
        try BagFixture.reseal(bag)

        let c = BundleInspection.check(path: bag, keys: BundleKeys())
        #expect(c.bag.isValid, "\(c.bag.problems.listed)")
        #expect(!c.isValid)
        #expect(c.problems.counts["bundle.missing-dossier"] == Self.ghosts)
        #expect(c.problems.counts["bag.missing-file"] == 0, "a missing dossier is one error: its file is not read as well")
        #expect(c.problems.listed.count <= c.problems.limit * 2)

        let summary = BundleSummary(c)
        #expect(summary.dossierCount == real + 3_000 + Self.ghosts)
        #expect(summary.dossiers.count == c.bag.payloadFiles, "no more ids than the payload has files")
        #expect(summary.table.contains("... and \(summary.dossierCount - min(20, summary.dossiers.count)) more"))
        #expect(summary.problems.errors == c.problems.errors)

        let report = BundleImport.run(bundle: bag, options: ImportOptions(target: .files, output: dir.appendingPathComponent("out").path))
        #expect(!report.loaded)
        #expect(report.problems.counts["bundle.missing-dossier"] == Self.ghosts)
        #expect(report.problems.listed.count <= report.problems.limit * 2)
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path))
    }
}

/// A dossier file is read whole and decoded, at about five times its size in memory on each core:
/// one over the receiver's limit is refused by its declared size, before a byte is read, and a
/// sender is warned when it writes one.
@Suite struct DossierSizeLimitTests {
    @Test func aDossierOverTheLimitIsRefusedAndNamed() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent("b.zip").path
        try TestEnv.bundle(to: zip)
        var limits = ZipLimits.default
        #expect(BundleInspection.check(path: zip, keys: BundleKeys(), limits: limits).isValid)
        limits.maxDossierSize = 8_000
        let c = BundleInspection.check(path: zip, keys: BundleKeys(), limits: limits)
        #expect(!c.isValid)
        let tooLarge = c.problems.listed.filter { $0.code == "bag.too-large" }
        #expect(!tooLarge.isEmpty && tooLarge.allSatisfy { $0.location?.entry?.hasPrefix("data/dossiers/") == true })
        #expect(tooLarge.allSatisfy { $0.message.contains("8000-byte limit") && $0.message.contains("--max-dossier raises it") })
        #expect(c.problems.counts["bundle.counts"] == 0, "the totals differ only because of the dossiers not read")

        var options = ImportOptions(target: .files, output: dir.appendingPathComponent("out").path)
        options.limits = limits
        let report = BundleImport.run(bundle: zip, options: options)
        #expect(!report.loaded && report.problems.counts["bag.too-large"] == tooLarge.count)
    }

    @Test func aSenderIsWarnedOfADossierAReceiverWouldRefuse() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = try TestEnv.bundle(to: dir.appendingPathComponent("b.zip").path) { $0.largeDossier = 8_000; $0.includeXML = true }
        let warned = report.diagnostics.listed.filter { $0.code == "bundle.large-dossier" }
        #expect(!warned.isEmpty && warned.allSatisfy { $0.severity == .warning && $0.recordID != nil })
        #expect(warned.contains { $0.message.contains(".xml is ") })
        #expect(!report.hasErrors)
    }
}
