// Issue 5's benchmark: `dossierport import --target postgres` (verify + decode + SQL out) on
// dossier-heavy bundles of growing size and on a ~1 GB mixed bundle (dossiers plus compressible
// letters and incompressible scans, shaped like issue 4's), printing MB/s of bundle and peak RSS.
//
//   DossierportBenchmarks import [--dossiers N,N,...] [--mixed-mb M] [--smoke] [--keep DIR]
//
// Each import runs in a child process (this executable, `import-one`), so its peak RSS is its own
// and not the generator's: flat memory shows as equal peaks for growing bundles. `--keep DIR`
// leaves the bundles there, to time other builds of `dossierport import` on the same bytes.
import Dossierport
import DossierFormats
import DossierIO
import DossierModel
import Foundation

/// A dossier-heavy bundle: `count` synthetic dossiers (the JSON suite's generator), no documents.
func makeDossierBundle(_ zip: String, count: Int, work: String) throws {
    let src = work + "/dossiers-\(count)"
    try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
    defer { shell("rm -rf '\(src)'") }
    var gen = Generator(seed: 2024, textBytes: 300)
    for n in 0..<count { try DossierJSON.write(gen.dossier(n), toFile: "\(src)/d-\(n).json") }
    try exportBundle(from: src, to: zip)
}

/// A mixed bundle: `dossiers` dossiers, each with a letter and a scan, `documentMB` of documents.
func makeMixedBundle(_ zip: String, dossiers: Int, documentMB: Int, work: String) throws {
    let template = try DossierJSON.read(path: packageRoot + "/fixtures/dossiers/ZDL-000102.json")
    let src = work + "/mixed"
    defer { shell("rm -rf '\(src)'") }
    try makeBundleSource(src, template: template, count: dossiers, documentBytes: documentMB << 20)
    try exportBundle(from: src, to: zip)
}

func exportBundle(from src: String, to zip: String) throws {
    let options = BundleOptions(createdAt: Timestamp(rfc3339: "2026-11-22T10:00:00Z")!)
    let report = try Export.run(from: try CanonicalSource(path: src), to: try BundleDestination(path: zip, options: options),
                                options: ExportOptions(today: LocalDate(iso: "2026-11-22")!))
    guard report.dossiersRejected == 0 else { throw DossierError("bench.export", "the benchmark bundle rejected dossiers") }
}

/// The child's side: one import, then `seconds peakMiB` on standard output.
func runImportOne(_ args: [String]) throws {
    guard args.count == 2 else { throw DossierError("bench.usage", "import-one BUNDLE OUTPUT") }
    var report: ImportReport?
    let seconds = wallSeconds { report = BundleImport.run(bundle: args[0], options: ImportOptions(target: .postgres, output: args[1])) }
    guard let report, report.loaded else {
        throw DossierError("bench.import", "import failed: \(report?.problems.map { $0.message }.joined(separator: "; ") ?? "")")
    }
    print(seconds, Memory.peakMiB())
}

/// Runs `import-one` in a child process; its wall seconds and peak RSS.
func importInChild(_ bundle: String, _ output: String) throws -> (seconds: Double, peakMiB: Double) {
    let f = try inChild(["import-one", bundle, output], values: 2)
    return (f[0], f[1])
}

/// Runs this executable with `arguments` in a child process, so that what it measures (its peak
/// RSS above all) is its own and not this process's; the numbers it prints on standard output.
func inChild(_ arguments: [String], values: Int) throws -> [Double] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    p.arguments = arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    let f = out.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
    guard p.terminationStatus == 0, f.count == values else {
        throw DossierError("bench.child", "\(arguments.first ?? "child") failed: \(arguments.dropFirst().joined(separator: " "))")
    }
    return f
}

func runImportSuite(_ args: [String]) throws {
    var sizes = [5_000, 20_000, 50_000], mixedMB = 1_200, mixedDossiers = 2_000
    var keep: String?
    var arguments = SuiteArguments()
    arguments.flags["--smoke"] = { sizes = [50, 200]; mixedMB = 8; mixedDossiers = 20 }
    arguments.options["--dossiers"] = { value in
        sizes = value.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
        return !sizes.isEmpty
    }
    arguments.options["--mixed-mb"] = { value in
        guard let n = Int(value), n >= 0 else { return false }
        mixedMB = n
        return true
    }
    arguments.options["--keep"] = { keep = $0; return true }
    arguments.parse(args, usage: "import [--dossiers N,N,...] [--mixed-mb M] [--smoke] [--keep DIR]")
    let work = keep ?? NSTemporaryDirectory() + "dossierport-import-bench-\(getpid())"
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    defer { if keep == nil { shell("rm -rf '\(work)'") } }

    var bundles: [(name: String, zip: String)] = []
    for n in sizes {
        let zip = "\(work)/dossiers-\(n).zip"
        try makeDossierBundle(zip, count: n, work: work)
        bundles.append(("\(n) dossiers, no documents", zip))
    }
    if mixedMB > 0 {
        let zip = "\(work)/mixed-\(mixedMB)mb.zip"
        try makeMixedBundle(zip, dossiers: mixedDossiers, documentMB: mixedMB, work: work)
        bundles.append(("\(mixedDossiers) dossiers + \(mixedMB) MiB documents", zip))
    }

    print("| Bundle | bundle MB | SQL MB | seconds | MB/s | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for (name, zip) in bundles {
        let sql = zip + ".sql"
        let (seconds, peak) = try importInChild(zip, sql)
        let mb = Double(fileSize(zip)) / 1e6
        print(String(format: "| %@ | %.1f | %.1f | %.2f | %.1f | %.1f |", name, mb, Double(fileSize(sql)) / 1e6, seconds, mb / seconds, peak))
        if keep == nil { shell("rm -f '\(sql)'") }
    }
    print("")
    print("MB/s is bundle (zip) megabytes per wall second of `import --target postgres` to a file; peak RSS is the importing process's VmHWM.")
}

func fileSize(_ path: String) -> Int {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
}
