import Foundation
import Testing
import DossierModel
import DossierBundle
import DossierPolicy
import DossierFormats
import Dossierport

@Suite struct PseudonymisedExportTests {
    /// Every identifying string of every fixture client: BSN, names, streets, e-mail addresses, phones.
    func identifyingStrings() throws -> Set<String> {
        var out: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: TestEnv.dossiers) where file.hasSuffix(".json") {
            let d = try DossierJSON.read(path: TestEnv.dossiers + "/" + file)
            let c = d.client
            if let b = c.bsn { out.insert(b.digits) }
            let names = [c.name] + d.representatives.map(\.name)
            for n in names {
                out.insert(n.familyName)
                if let g = n.givenNames { out.insert(g) }
                if let p = n.partnerFamilyName { out.insert(p) }
            }
            for a in c.addresses + d.representatives.compactMap(\.address) { if let s = a.street { out.insert(s) } }
            for p in c.contacts + d.representatives.flatMap(\.contacts) { out.insert(p.value) }
        }
        return out.filter { $0.count >= 4 }
    }

    func bundleText(_ path: String) throws -> String {
        let reader = try ZipReader(path: path)
        return try reader.entries.filter { !$0.isDirectory }.map { String(decoding: try reader.bytes(of: $0), as: UTF8.self) }.joined()
    }

    @Test func noIdentifyingValueSurvivesAndTheSameKeyGivesTheSamePseudonyms() throws {
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = Array(repeating: UInt8(7), count: 32)
        let a = dir.appendingPathComponent("a.zip").path, b = dir.appendingPathComponent("b.zip").path
        let c = dir.appendingPathComponent("c.zip").path
        for (path, k) in [(a, key), (b, key), (c, Array(repeating: UInt8(9), count: 32))] {
            var o = BundleOptions(createdAt: TestEnv.createdAt, purpose: nil, organisation: try TestEnv.organisation())
            o.bundleID = "pseudo"
            var eo = ExportOptions(today: TestEnv.createdAt.date)
            eo.pseudonymiser = try Pseudonymiser(key: k)
            _ = try Export.run(from: try CanonicalSource(path: TestEnv.dossiers), to: try BundleDestination(path: path, options: o), options: eo)
        }
        let text = try bundleText(a)
        let secrets = try identifyingStrings()
        #expect(secrets.count > 30)
        for s in secrets { #expect(!text.contains(s), "an identifying value survived pseudonymisation") }
        #expect(BundleInspection.check(path: a, keys: BundleKeys()).isValid)
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)), "same key, same bundle")
        #expect(try bundleText(c) != text, "another key gives other pseudonyms")
    }

    @Test func theSamePersonGetsTheSamePseudonymAcrossSources() throws {
        let p = try Pseudonymiser(key: Array(repeating: 1, count: 32))
        let d = try DossierJSON.read(path: TestEnv.dossiers + "/ZDL-000101.json")
        var other = d
        other.id = "OTHER-SYSTEM-1"
        other.client.clientNumber = "999"
        #expect(p.apply(to: d).client.clientNumber == p.apply(to: other).client.clientNumber, "keyed on the BSN")
        #expect(throws: DossierError.self) { try Pseudonymiser(key: [1, 2, 3]) }
    }
}
