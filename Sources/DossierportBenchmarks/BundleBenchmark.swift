// Issue 4's benchmark: `dossierport bundle` against `bagit.py --sha256 && zip -r -1`, and
// `dossierport verify` against `bagit.py --validate` and `openssl dgst -sha256`, on one payload of
// dossiers plus documents (compressible letters and incompressible PDFs/JPEGs), side by side.
import Dossierport
import DossierBundle
import DossierCrypto
import DossierFormats
import DossierIO
import DossierModel
import Foundation

/// Wall-clock seconds of `body`: processes like bagit.py use several cores, so CPU time of this
/// thread would flatter us; both sides are timed the same way in the same run.
/// The package's folder, for fixtures and the dump generator, found from this file so the
/// benchmarks run from any working directory.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

func wallSeconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

@discardableResult
func shell(_ command: String) -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    do { try p.run() } catch { return -1 }
    p.waitUntilExit()
    return p.terminationStatus
}

/// Writes `count` dossiers into `dir`, each with a compressible letter and an incompressible scan,
/// `documentBytes` in all. Bytes come from a fixed generator, so runs are comparable.
func makeBundleSource(_ dir: String, template: Dossier, count: Int, documentBytes: Int) throws {
    try FileManager.default.createDirectory(atPath: dir + "/documents", withIntermediateDirectories: true)
    var gen = Generator(seed: 42, textBytes: 300)
    let perDossier = max(2, documentBytes / max(1, count))
    let letterSize = perDossier * 3 / 10, scanSize = perDossier - letterSize
    var scan = [UInt8](repeating: 0, count: scanSize)
    var state: UInt64 = 0x1234_5678_9ABC_DEF1
    for i in 0..<count {
        var d = template
        d.id = "BENCH-\(i)"
        d.client.id = "c-\(i)"
        d.documents = []
        d.representatives = d.representatives.map { var r = $0; r.documentRef = nil; return r }
        let letter = Array(gen.sentence(bytes: letterSize).utf8.prefix(letterSize))
        scan.withUnsafeMutableBytes { raw in
            for j in stride(from: 0, to: raw.count - 7, by: 8) {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                raw.storeBytes(of: state, toByteOffset: j, as: UInt64.self)
            }
        }
        for (n, bytes, ext, media) in [(0, letter, "txt", "text/plain"), (1, scan, "pdf", "application/pdf")] {
            let name = "documents/\(d.id)-\(n).\(ext)"
            try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name))
            var doc = Document(id: "doc-\(n)", meta: template.client.meta)
            doc.title = n == 0 ? "brief" : "scan"
            doc.mediaType = media
            doc.size = bytes.count
            doc.sha256 = try Digester.hash(.sha256, bytes).hexString
            doc.path = name
            d.documents.append(doc)
        }
        try DossierJSON.write(d, toFile: "\(dir)/\(d.id).json")
    }
}

func bundleBenchmark(dossiers: Int, documentMB: Int, keep: Bool) throws -> (rows: [Row], peakMiB: Double) {
    let work = NSTemporaryDirectory() + "dossierport-bundle-bench-\(getpid())"
    defer { if keep { print("kept: \(work)") } else { shell("rm -rf '\(work)'") } }
    let template = try DossierJSON.read(path: packageRoot + "/fixtures/dossiers/ZDL-000102.json")
    let src = work + "/src"
    try makeBundleSource(src, template: template, count: dossiers, documentBytes: documentMB << 20)
    let payloadMB = Double(directorySize(src)) / 1e6
    var rows: [Row] = []

    // Dossierport: read, validate, hash while compressing on both cores, sign nothing, write.
    Memory.resetPeak()
    let zip = work + "/ours.zip"
    let ours = try wallSeconds { try exportBundle(from: src, to: zip) }
    let bundlePeak = Memory.peakMiB()
    rows.append(Row(name: "dossierport bundle", megabytes: payloadMB, seconds: ours, note: "wall; payload \(Int(payloadMB)) MB, \(dossiers) dossiers"))

    // Reference: the pipeline as written, `bagit.py --sha256 DIR && zip -r -1` (bagit.py
    // writes the bag in place, so on a copy). Its default is one process, as the command is.
    shell("cp -r '\(src)' '\(work)/bag'")
    let reference = wallSeconds {
        shell("cd '\(work)' && python3 -m bagit --quiet --sha256 bag && zip -qr -1 ref.zip bag")
    }
    rows.append(Row(name: "bagit.py --sha256 && zip -r -1", megabytes: payloadMB, seconds: reference,
                    note: String(format: "wall; dossierport is %.1fx faster", reference / ours)))

    // Verification, all on the same bag: ours, zipped and unzipped; the references read the
    // unzipped copy, since neither bagit.py nor openssl reads a zip.
    Memory.resetPeak()
    var valid = false
    let verify = wallSeconds { valid = BundleInspection.check(path: zip, keys: BundleKeys()).isValid }
    rows.append(Row(name: "dossierport verify (zip)", megabytes: payloadMB, seconds: verify,
                    note: "wall; CRC-32, inflate, SHA-256, every dossier decoded; valid: \(valid)"))
    shell("mkdir '\(work)/unzipped' && cd '\(work)/unzipped' && unzip -q ../ours.zip")
    let bag = work + "/unzipped/" + (try FileManager.default.contentsOfDirectory(atPath: work + "/unzipped").first ?? "")
    let verifyFolder = wallSeconds { valid = BundleInspection.check(path: bag, keys: BundleKeys()).isValid }
    let verifyPeak = Memory.peakMiB()
    rows.append(Row(name: "dossierport verify (unzipped bag)", megabytes: payloadMB, seconds: verifyFolder,
                    note: "wall; valid: \(valid)"))
    let bagit = wallSeconds { shell("python3 -m bagit --quiet --validate '\(bag)'") }
    rows.append(Row(name: "bagit.py --validate (unzipped bag)", megabytes: payloadMB, seconds: bagit,
                    note: String(format: "wall; dossierport is %.1fx faster on the folder, %.1fx on the zip",
                                 bagit / verifyFolder, bagit / verify)))
    let openssl = wallSeconds { shell("find '\(bag)/data' -type f -print0 | xargs -0 openssl dgst -sha256 > /dev/null") }
    rows.append(Row(name: "openssl dgst -sha256 (payload files)", megabytes: payloadMB, seconds: openssl,
                    note: String(format: "wall; dossierport verify takes %.2fx its time on the folder, %.2fx on the zip (it also inflates)",
                                 verifyFolder / openssl, verify / openssl)))
    return (rows, max(bundlePeak, verifyPeak))
}

func directorySize(_ path: String) -> Int {
    guard let e = FileManager.default.enumerator(atPath: path) else { return 0 }
    var total = 0
    while let name = e.nextObject() as? String {
        total += (try? FileManager.default.attributesOfItem(atPath: path + "/" + name)[.size] as? Int) ?? 0
    }
    return total
}

/// `DossierportBenchmarks bundle [--dossiers N] [--documents-mb M] [--smoke] [--keep]`; defaults are
/// the figures (2,000 dossiers, 2 GB of documents); `--smoke` is 20 dossiers and 8 MB;
/// `--keep` leaves the source, bag and zips behind for profiling.
func runBundleSuite(_ args: [String]) throws {
    var dossiers = 2_000, mb = 2_048, keep = false
    var arguments = SuiteArguments()
    arguments.flags["--smoke"] = { dossiers = 20; mb = 8 }
    arguments.flags["--keep"] = { keep = true }
    arguments.options["--dossiers"] = SuiteArguments.count { dossiers = $0 }
    arguments.options["--documents-mb"] = SuiteArguments.count { mb = $0 }
    arguments.parse(args, usage: "bundle [--dossiers N] [--documents-mb M] [--smoke] [--keep]")
    let (rows, peak) = try bundleBenchmark(dossiers: dossiers, documentMB: mb, keep: keep)
    print("| Operation | MB/s | seconds | Notes |")
    print("|---|---:|---:|---|")
    for row in rows { print(row.markdown) }
    print("")
    print(String(format: "Peak RSS of dossierport bundle/verify: %.1f MiB (VmHWM).", peak))
}
