// Issue 5's benchmark: `dossierport import --target postgres` (verify + decode + SQL out) on
// dossier-heavy bundles of growing size and on a ~1 GB mixed bundle (dossiers plus compressible
// letters and incompressible scans, shaped like issue 4's), printing MB/s of bundle and peak RSS,
// beside a reference run on the same bundle: C code inflating, hashing and parsing it on both cores.
//
//   DossierportBenchmarks import [--dossiers N,N,...] [--mixed-mb M] [--smoke] [--keep DIR]
//
// Each import runs in a child process (this executable, `import-one`), so its peak RSS is its own
// and not the generator's: flat memory shows as equal peaks for growing bundles. `--keep DIR`
// leaves the bundles there, to time other builds of `dossierport import` on the same bytes, and
// times the bundles it finds there instead of making them again.
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
        throw DossierError("bench.import", "import failed: \(report?.problems.listed.map { $0.message }.joined(separator: "; ") ?? "")")
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
func inChild(_ arguments: [String], values: Int, executable: String = CommandLine.arguments[0]) throws -> [Double] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
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
    // A bundle an earlier `--keep` run left in DIR is timed again rather than made again (the
    // generator is seeded, so it would be the same bytes): the 1 GB ones take minutes to write.
    func reuse(_ zip: String) -> Bool { keep != nil && FileManager.default.fileExists(atPath: zip) }

    var bundles: [(name: String, zip: String)] = []
    // The mixed bundle goes first: its time is mostly writing 2.6 GB of script, and this
    // machine's disk writes more slowly for a while after the 9 GB script of the largest bundle.
    if mixedMB > 0 {
        let zip = "\(work)/mixed-\(mixedMB)mb.zip"
        if !reuse(zip) { try makeMixedBundle(zip, dossiers: mixedDossiers, documentMB: mixedMB, work: work) }
        bundles.append(("\(mixedDossiers) dossiers + \(mixedMB) MiB documents", zip))
    }
    for n in sizes {
        let zip = "\(work)/dossiers-\(n).zip"
        if !reuse(zip) { try makeDossierBundle(zip, count: n, work: work) }
        bundles.append(("\(n) dossiers, no documents", zip))
    }

    print("| Bundle | bundle MB | SQL MB | seconds | MB/s | peak RSS MiB | reference: seconds, MB/s | reference CPU s: inflate + SHA-256 + parse | ratio |")
    print("|---|---:|---:|---:|---:|---:|---|---|---:|")
    for (name, zip) in bundles {
        let sql = zip + ".sql"
        // The previous row's dirty pages are not written back during this one, and the bundle is
        // in the page cache for the import as for the reference after it: what is timed is the
        // import, not the disk reading it.
        shell("sync; cat '\(zip)' > /dev/null")
        let (seconds, peak) = try importInChild(zip, sql)
        let mb = Double(fileSize(zip)) / 1e6, sqlMB = Double(fileSize(sql)) / 1e6
        if keep == nil { shell("rm -f '\(sql)'") }
        // Without its reference a row cannot be read, and the smoke run in CI would not notice the script rotting.
        guard let f = importFloor(zip) else { throw DossierError("bench.reference", "the reference (python3) failed on \(zip)") }
        let reference = String(format: "%.2f s, %.1f | %.1f + %.1f + %.1f | %.2f", f.wall, mb / f.wall, f.inflate, f.sha256, f.parse, f.wall / seconds)
        print(String(format: "| %@ | %.1f | %.1f | %.2f | %.1f | %.1f | %@ |", name, mb, sqlMB, seconds, mb / seconds, peak, reference))
    }
    print("")
    print("MB/s is bundle (zip) megabytes per wall second of `import --target postgres` to a file; peak RSS is the importing process's VmHWM.")
    print("The reference is the least any verifying importer does, done by C code on both cores and writing nothing: every entry")
    print("inflated (zlib) and hashed (OpenSSL SHA-256), every dossier parsed (orjson); ratio is its wall time over the import's.")
}

/// The reference beside each import: two Python processes (one per core) share the bundle's entries
/// and, with C code only (zlib, hashlib's OpenSSL, orjson where installed), inflate and hash every
/// entry and parse every dossier, validating nothing and writing nothing. It is the least any
/// verifying importer has to do, so its MB/s bounds what `import` can reach on this machine.
func importFloor(_ zip: String) -> (wall: Double, inflate: Double, sha256: Double, parse: Double)? {
    let script = #"""
import hashlib, json, struct, sys, time, zipfile, zlib
from multiprocessing import Process, Queue
try:
    from orjson import loads
except ImportError:
    loads = json.loads

def work(path, entries, part, parts, q):
    t = {'inflate': 0.0, 'sha256': 0.0, 'parse': 0.0}
    clock = time.process_time
    with open(path, 'rb') as f:
        for offset, size, method, dossier in entries[part::parts]:
            f.seek(offset)
            name, extra = struct.unpack('<HH', f.read(30)[26:30])
            f.seek(offset + 30 + name + extra)
            raw = f.read(size)
            t0 = clock()
            data = zlib.decompress(raw, -15) if method == 8 else raw
            t1 = clock()
            hashlib.sha256(data).digest()
            t2 = clock()
            if dossier:
                loads(data)
            t3 = clock()
            t['inflate'] += t1 - t0; t['sha256'] += t2 - t1; t['parse'] += t3 - t2
    q.put(t)

path, parts = sys.argv[1], 2
with zipfile.ZipFile(path) as z:
    entries = [(i.header_offset, i.compress_size, i.compress_type,
                '/data/dossiers/' in i.filename and i.filename.endswith('.json')) for i in z.infolist()]
q = Queue()
start = time.time()
workers = [Process(target=work, args=(path, entries, k, parts, q)) for k in range(parts)]
for w in workers: w.start()
totals = [q.get() for _ in workers]
for w in workers: w.join()
out = {k: sum(t[k] for t in totals) for k in totals[0]}
out['wall'] = time.time() - start
print(json.dumps(out))
"""#
    guard let output = try? runPython(script, zip).get(),
          let r = try? JSONSerialization.jsonObject(with: output) as? [String: Double],
          let wall = r["wall"], let inflate = r["inflate"], let sha = r["sha256"], let parse = r["parse"] else { return nil }
    return (wall, inflate, sha, parse)
}

func fileSize(_ path: String) -> Int {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
}
