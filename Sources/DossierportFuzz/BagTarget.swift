import DossierBundle
import DossierCrypto
import DossierIO
import DossierModel
import Dossierport
import Foundation

/// A bundle whose one payload file (export.json, a dossier's JSON or XML) is mutated and whose
/// manifests, Payload-Oxum and tag manifest are then made to match it again, so that
/// verification passes the checksums and reaches the parsers and cross-checks behind them: what a
/// sender with a working bagger but a broken (or hostile) exporter would send.
///
/// An input is the payload path on its first line and the file's new bytes after it, so that a
/// finding replays from the one file; a first line that names no payload file means export.json.
enum BagTarget {
    static let seedBundle = "fixtures/hostile/bundles/control-signed.zip"
    static let payloads = ["data/export.json", "data/dossiers/ZDL-000103.json", xmlForm]

    static let target = FuzzTarget(
        name: "bag", summary: "bundle payload with matching checksums (export.json, dossier JSON and XML, cross-checks)",
        fileExtension: "bagfile", seeds: [seedBundle],
        dictionary: ["\"dossiers\":[]", "\"dossierCount\":0", "\"documents\":[\"../x\"]", "\"path\":\"dossiers/x.json\"", "null", "{}",
                     "\"ZDL-000103\"", "\"sha256\":\"00\"", "\"schemaVersion\":\"1.9\"", "data/dossiers/ZDL-000103.json\n"],
        run: { _ in },
        problems: { path in
            do {
                let folder = try bag(for: path)
                return BundleInspection.check(path: folder, keys: BundleKeys()).allProblems.listed.filter { $0.severity == .error }
            } catch let e as DossierError {
                return [e.diagnostic]
            } catch {
                return [.error("fuzz.bag", "could not build the bag: \(error)")]
            }
        },
        madeSeeds: seeds, syntax: .json, keepsUTF8: true)

    /// The same bundles imported, as a SQLite script and as per-table files: the checks, then the
    /// renderers on what passed them. Either import writes its output exactly when it loads the
    /// bundle (nothing under the output name after a failed one), and both load the same bundles.
    /// A script is run by the real `sqlite3` (CI installs it): a value that escaped its literal
    /// would break the script, and mutated values are full of quotes and backslashes. The bag
    /// leaves out the dossier's XML form: a mutated JSON form would never match it, and only
    /// dossiers that load reach the renderers; for the same reason most mutations change free text.
    static let importTarget = FuzzTarget(
        name: "bag-import", summary: "import of such bundles (SQLite script run by sqlite3, per-table files; no output unless loaded)",
        fileExtension: "bagfile", seeds: [seedBundle], dictionary: target.dictionary,
        run: { _ in },
        problems: { path in
            let folder: String
            do { folder = try bag(for: path, withoutXML: true) } catch let e as DossierError { return [e.diagnostic] }
            var loaded: [Bool] = []
            var problems: [Diagnostic] = []
            for target in [ImportTarget.sqlite, .files] {
                let out = path + ".out-" + target.rawValue
                try? FileManager.default.removeItem(atPath: out)
                defer { try? FileManager.default.removeItem(atPath: out) }
                let report = BundleImport.run(bundle: folder, options: ImportOptions(target: target, output: out))
                if report.loaded != FileManager.default.fileExists(atPath: out) {
                    throw FuzzFinding("import --target \(target.rawValue) \(report.loaded ? "loaded but wrote nothing" : "failed but left its output")")
                }
                if target == .sqlite, report.loaded { try runSQLite(out) }
                loaded.append(report.loaded)
                problems += report.problems.listed.filter { $0.severity == .error }
            }
            if loaded[0] != loaded[1] { throw FuzzFinding("the SQLite and the files import disagree on whether the bundle loads") }
            return problems
        },
        madeSeeds: { try seeds().filter { !$0.starts(with: Array(xmlForm.utf8)) } }, syntax: .jsonText, keepsUTF8: true)

    static let xmlForm = "data/dossiers/ZDL-000103.xml"

    static let sqlite3 = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs an import script in a fresh in-memory database; without `sqlite3` the script is only
    /// written (the run's header says so).
    static func runSQLite(_ script: String) throws {
        guard let sqlite3 else { return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: sqlite3)
        p.arguments = ["-bail", ":memory:"]
        p.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: script))
        p.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        p.standardError = errors
        try p.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile().prefix(200), as: UTF8.self)
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw FuzzFinding("sqlite3 refused the import script: \(message)") }
    }

    /// One seed input per payload file of the seed bundle.
    static func seeds() throws -> [[UInt8]] {
        let store = try ZipBagStore(reader: try ZipReader(path: FuzzTarget.root + "/" + seedBundle))
        return try payloads.map { Array(($0 + "\n").utf8) + (try store.bytes($0)) }
    }

    /// The seed bag unpacked beside the input, the input's file put in, and its checksums made
    /// good; `withoutXML` leaves out the dossier's XML form and export.json's line naming it.
    static func bag(for input: String, withoutXML: Bool = false) throws -> String {
        let bytes = try ByteReader.readAll(path: input, limit: 64 << 20)
        let cut = bytes.firstIndex(of: 0x0A) ?? bytes.count
        let named = String(decoding: bytes[..<cut], as: UTF8.self)
        let file = payloads.contains(named) ? named : payloads[0]
        let content = Array(bytes[min(cut + 1, bytes.count)...])

        let folder = input + ".bag"
        try? FileManager.default.removeItem(atPath: folder)
        let store = try ZipBagStore(reader: try ZipReader(path: FuzzTarget.root + "/" + seedBundle))
        var files: [String: [UInt8]] = [:]
        try store.forEachFile { path, _ in
            // Unsigned: the signature covers the tag manifest this rewrites.
            if path != Bag.signatureFile { files[path] = try store.bytes(path) }
        }
        files[file] = content
        if withoutXML {
            files[xmlForm] = nil
            let line = Array("      \"xml\": \"\(xmlForm.dropFirst(5))\",\n".utf8)
            if let e = files["data/export.json"], let r = e.firstRange(of: line) { files["data/export.json"]!.removeSubrange(r) }
        }
        func hex(_ b: [UInt8]) throws -> String { try Digester.hash(.sha256, b).hexString }
        let payload = files.keys.filter { $0.hasPrefix("data/") }.sorted()
        files["manifest-sha256.txt"] = Array(try payload.map { "\(try hex(files[$0]!))  \($0)\n" }.joined().utf8)
        let octets = payload.reduce(0) { $0 + files[$1]!.count }
        let info = String(decoding: files["bag-info.txt"] ?? [], as: UTF8.self).split(separator: "\n")
            .map { $0.hasPrefix("Payload-Oxum:") ? "Payload-Oxum: \(octets).\(payload.count)" : String($0) }
        files["bag-info.txt"] = Array((info.joined(separator: "\n") + "\n").utf8)
        files["tagmanifest-sha256.txt"] = Array(try ["bag-info.txt", "bagit.txt", "manifest-sha256.txt"]
            .map { "\(try hex(files[$0]!))  \($0)\n" }.joined().utf8)
        for (path, b) in files {
            let url = URL(fileURLWithPath: folder + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(b).write(to: url)
        }
        return folder
    }
}
