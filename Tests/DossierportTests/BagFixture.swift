import Foundation
import DossierCrypto
import DossierBundle
import Dossierport

/// Bags to tamper with: the fixture bundle unpacked, and resealed after an edit as a sender who
/// meant the edit would.
enum BagFixture {
    /// The fixture bundle, unsigned, unpacked in `dir`; with `includeXML`, each dossier in both forms.
    static func unpacked(_ dir: URL, includeXML: Bool = false) throws -> String {
        let zip = dir.appendingPathComponent("b.zip").path
        try TestEnv.bundle(to: zip) { $0.includeXML = includeXML }
        let folder = dir.appendingPathComponent("x").path
        try ZipReader(path: zip).extract(to: folder)
        return folder + "/" + (try FileManager.default.contentsOfDirectory(atPath: folder))[0]
    }

    /// Makes the bag's manifests, Payload-Oxum and tag manifest agree with its payload again, as
    /// a sender who edited export.json would.
    static func reseal(_ bag: String) throws {
        var payload = BagManifest()
        var octets = 0
        let data = URL(fileURLWithPath: bag + "/data")
        for case let url as URL in FileManager.default.enumerator(at: data, includingPropertiesForKeys: [.isRegularFileKey])! {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else { continue }
            let relative = "data/" + url.path.dropFirst(data.path.count + 1)
            payload.entries.append((relative, try Digester.hash(.sha256, fileAt: url.path).hexString))
            octets += try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int
        }
        payload.entries.sort { $0.path < $1.path }
        try Data(payload.serialized()).write(to: URL(fileURLWithPath: bag + "/manifest-sha256.txt"))
        try BagFixture.setOxum(bag, "\(octets).\(payload.entries.count)")
    }

    static func setOxum(_ bag: String, _ oxum: String) throws {
        let info = bag + "/bag-info.txt"
        let lines = try String(contentsOfFile: info, encoding: .utf8).split(separator: "\n").map {
            $0.hasPrefix("Payload-Oxum:") ? "Payload-Oxum: " + oxum : String($0)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: info, atomically: false, encoding: .utf8)
        var tag = BagManifest()
        for name in ["bagit.txt", "bag-info.txt", "manifest-sha256.txt"] {
            tag.entries.append((name, try Digester.hash(.sha256, fileAt: bag + "/" + name).hexString))
        }
        try Data(tag.serialized()).write(to: URL(fileURLWithPath: bag + "/tagmanifest-sha256.txt"))
    }

    /// Lines of a manifest naming `paths`, each with a digest of zeros.
    static func append(_ paths: some Sequence<String>, to manifest: String) throws {
        let zeros = String(repeating: "0", count: 64)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: manifest))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(paths.map { zeros + "  " + $0 + "\n" }.joined().utf8))
    }
}
