// Issue 3's benchmark: a generated pg_dump (fixtures/epd/generate-large.py) scanned and exported
// through the CareSys profile, beside `wc -l` on the same file as the physical reference.
#if canImport(Glibc)
import Glibc
#endif
import Dossierport
import DossierFormats
import DossierIO
import DossierModel
import DossierSources
import Foundation

/// NDJSON to /dev/null, as `export --format ndjson --out - > /dev/null` does: the cost of encoding
/// every dossier without the disk's.
final class NullNDJSONDestination: DossierDestination {
    private let sink: FileSink
    private let writer: NDJSONWriter
    private(set) var dossiers = 0

    init() throws {
        let fd = open("/dev/null", O_WRONLY)
        guard fd >= 0 else { throw DossierError("bench.io", "cannot open /dev/null") }
        sink = FileSink(descriptor: fd, path: "/dev/null", ownsDescriptor: true)
        writer = NDJSONWriter(sink: sink)
    }

    func write(_ loaded: LoadedDossier) throws {
        dossiers += 1
        try writer.write(loaded.dossier)
    }

    func finish() throws {
        try writer.finish()
        try sink.flush()
    }
}

/// Counts every table's rows without decoding one: the reader's own floor, beside `wc -l`, and
/// how `--dump` learns the client count. A table's count is booked when the next table starts,
/// so counting per table costs nothing per row.
final class CountEverySieve: RowSieve {
    var rows = 0
    private var booked: [String: Int] = [:]
    private var table: String?
    private var tableStart = 0

    func plan(table: String, columns: [String], file: String) -> RowPlan {
        if let t = self.table { booked[t, default: 0] += rows - tableStart }
        self.table = table
        tableStart = rows
        return .count
    }

    func admit(_ fields: RawFields, line: Int) throws -> Bool {
        rows += 1
        return false
    }

    func passOver(_ rows: Int) { self.rows += rows }

    /// The rows of `table` counted so far.
    func rows(in table: String) -> Int {
        (booked[table] ?? 0) + (self.table == table ? rows - tableStart : 0)
    }
}

/// Wall and CPU seconds of `body`, CPU of this process and of the children it waited for, so a
/// subprocess (`wc -l`) and in-process work are measured alike; CPU is what the table's MB/s
/// use, since on a shared machine wall time measures the neighbours as much as the code.
func timed(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    func cpu() -> Double {
        var me = rusage(), children = rusage()
        getrusage(RUSAGE_SELF.rawValue, &me)
        getrusage(RUSAGE_CHILDREN.rawValue, &children)
        return [me.ru_utime, me.ru_stime, children.ru_utime, children.ru_stime]
            .reduce(0) { $0 + Double($1.tv_sec) + Double($1.tv_usec) / 1e6 }
    }
    let c0 = cpu()
    let wall = try wallSeconds(body)
    return (wall, cpu() - c0)
}

/// The fastest of five runs of `body`: `wc -l` and the scan take a fraction of a second, so one
/// run's ratio is as much the machine's noise as the code's.
func fastest(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    var best = try timed(body)
    for _ in 1..<5 {
        let t = try timed(body)
        if t.cpu < best.cpu { best = t }
    }
    return best
}

/// Runs `argv` under `/usr/bin/time` (Debian's `time` package): wall and CPU seconds (user +
/// system) and peak RSS, of that command alone.
func timedCommand(_ argv: [String]) throws -> (wall: Double, cpu: Double, peakMiB: Double) {
    let report = NSTemporaryDirectory() + "dossierport-bench-time-\(getpid())"
    defer { unlink(report) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/time")
    p.arguments = ["-f", "%e %U %S %M", "-o", report] + argv
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    let f = ((try? String(contentsOfFile: report, encoding: .utf8)) ?? "").split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
    guard p.terminationStatus == 0, f.count == 4 else {
        throw DossierError("bench.child", "\(argv.joined(separator: " ")) failed (is /usr/bin/time installed? apt-get install time)")
    }
    return (f[0], f[1] + f[2], f[3] / 1024)
}

/// One profile export of `dump` through `ProfileExport`, the CLI's own path.
func profileExport(_ dump: String, profile: MappingProfile, client: String?, work: String) throws -> Int {
    let destination = try NullNDJSONDestination()
    var options = Dossierport.ExportOptions(client: client, today: LocalDate(iso: "2026-11-22")!)
    options.keepGoing = true
    _ = try ProfileExport.run(profile, source: dump, to: destination, options: options,
                              profileOptions: ProfileExportOptions(workDirectory: work, stageDocuments: false))
    return destination.dossiers
}

/// The child's side of an export row: `export-one DUMP WORK [CLIENT]` prints wall and CPU seconds,
/// dossiers and peak RSS (MiB).
func runExportOne(_ args: [String]) throws {
    guard args.count == 2 || args.count == 3 else { throw DossierError("bench.usage", "export-one DUMP WORK [CLIENT]") }
    let profile = try MappingProfile.load(path: packageRoot + "/fixtures/epd/caresys/caresys.json")
    var dossiers = 0
    let t = try timed { dossiers = try profileExport(args[0], profile: profile, client: args.count == 3 ? args[2] : nil, work: args[1]) }
    print(t.wall, t.cpu, dossiers, Memory.peakMiB())
}

/// `DossierportBenchmarks sources [--clients N] [--smoke] [--keep] [--dump PATH]`: generates a
/// CareSys dump of N clients (default 50,000: about 1.12 GB and 20 million rows; `--smoke` 200) and
/// times, in one run, `wc -l` and a scan that decodes no row (each the fastest of five), a parse
/// of every row, the full NDJSON export, the same dossiers made by DuckDB as a second reference
/// (fixtures/epd/duckdb-export.py; `pip install duckdb`) and the export of one client, with the
/// peak RSS of each (VmHWM: reset between the reading phases; the exports' and DuckDB's own,
/// each run in a child process).
/// `--dump` reuses a dump the generator made earlier; its client count (which names the client
/// exported alone) is read from the dump, and `--clients`, if given, must agree with it.
func runSourcesSuite(_ args: [String]) throws {
    var clients = 50_000, keep = false, clientsGiven = false
    var existing: String?
    var arguments = SuiteArguments()
    arguments.flags["--smoke"] = { clients = 200 }
    arguments.flags["--keep"] = { keep = true }
    arguments.options["--clients"] = SuiteArguments.count { clients = $0; clientsGiven = true }
    arguments.options["--dump"] = { existing = $0; return true }
    arguments.parse(args, usage: "sources [--clients N] [--smoke] [--keep] [--dump PATH]")
    // Checked first: the rows before it take minutes on a large dump.
    guard shell("python3 -c 'import duckdb'") == 0 else {
        throw DossierError("bench.reference", "the DuckDB reference needs Python's duckdb package: pip install duckdb")
    }
    let work = NSTemporaryDirectory() + "dossierport-sources-bench-\(getpid())"
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    defer { if keep { print("kept: \(work)") } else { shell("rm -rf '\(work)'") } }
    let dump = existing ?? work + "/caresys-\(clients).sql"
    guard existing != nil || shell("python3 '\(packageRoot)/fixtures/epd/generate-large.py' \(clients) '\(dump)'") == 0 else {
        throw DossierError("bench.generate", "generate-large.py failed")
    }
    if let existing {
        // Counted before any row is timed: a wrong count used to fail only at the last row,
        // minutes into a large dump, when the client it names was not found.
        let counter = CountEverySieve()
        let reader = try SQLDumpReader(path: existing)
        reader.setSieve(counter)
        while try reader.nextRow() != nil {}
        let found = counter.rows(in: "clients")
        guard found > 0, !clientsGiven || found == clients else {
            throw DossierError("bench.dump", found == 0 ? "\(existing) has no rows in a clients table: not a generate-large.py dump"
                                                        : "--clients \(clients), but \(existing) has \(found) clients")
        }
        clients = found
    }
    let mb = Double(try FileManager.default.attributesOfItem(atPath: dump)[.size] as? Int ?? 0) / 1e6
    var rows: [Row] = []

    shell("cat '\(dump)' > /dev/null")  // the same warm page cache for every row below
    let wc = fastest { shell("wc -l < '\(dump)' > /dev/null") }
    rows.append(Row(name: "wc -l (reference)", megabytes: mb, seconds: wc.cpu, note: String(format: "wall %.2f s", wc.wall)))

    Memory.resetPeak()
    var parsed = 0
    let parse = try timed {
        let reader = try SQLDumpReader(path: dump)
        while try reader.nextRow() != nil { parsed += 1 }
    }
    rows.append(Row(name: "parse: every row decoded (SQLDumpReader)", megabytes: mb, seconds: parse.cpu,
                    note: String(format: "%d rows; %.2f of wc -l's speed; wall %.2f s; peak RSS %.1f MiB", parsed, wc.cpu / parse.cpu,
                                 parse.wall, Memory.peakMiB())))

    Memory.resetPeak()
    var counter = CountEverySieve()
    let scan = try fastest {
        counter = CountEverySieve()
        let reader = try SQLDumpReader(path: dump)
        reader.setSieve(counter)
        while try reader.nextRow() != nil { parsed += 1 }
    }
    rows.append(Row(name: "scan: every row passed over undecoded", megabytes: mb, seconds: scan.cpu,
                    note: String(format: "%d rows; %.2f of wc -l's speed; wall %.2f s; peak RSS %.1f MiB", counter.rows, wc.cpu / scan.cpu,
                                 scan.wall, Memory.peakMiB())))

    // Exports run in a child each: its peak RSS is then the export's alone, not raised by what
    // this process kept of the phases before.
    let full = try inChild(["export-one", dump, work], values: 4)
    rows.append(Row(name: "export --profile, NDJSON, all clients", megabytes: mb, seconds: full[1],
                    note: String(format: "%.0f dossiers; wall %.2f s; peak RSS %.1f MiB", full[2], full[0], full[3])))

    // The same export as a user runs it: the CLI writing dossiers.ndjson and every document into a
    // folder on this disk, beside `cp -r` of that folder, the file system's own cost for those files.
    let cli = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("dossierport").path
    guard FileManager.default.isExecutableFile(atPath: cli) else {
        throw DossierError("bench.cli", "\(cli) is missing: build the dossierport product first")
    }
    let folder = work + "/cli-out"
    let command = try timedCommand([cli, "export", "--profile", packageRoot + "/fixtures/epd/caresys/caresys.json", "--source", dump,
                                    "--all", "--format", "ndjson", "--out", folder, "--spill-dir", work,
                                    "--log", work + "/export-log.ndjson", "--date", "2026-11-22"])
    rows.append(Row(name: "dossierport export --profile --out DIR (the CLI: NDJSON and documents on disk)", megabytes: mb,
                    seconds: command.cpu, note: String(format: "wall %.2f s (%.0f MB/s); peak RSS %.1f MiB", command.wall,
                                                       mb / command.wall, command.peakMiB)))
    let copy = try timedCommand(["cp", "-r", folder, work + "/cli-copy"])
    shell("rm -rf '\(folder)' '\(work)/cli-copy'")
    rows.append(Row(name: "cp -r of that folder (reference: the same files written)", megabytes: mb, seconds: copy.cpu,
                    note: String(format: "wall %.2f s", copy.wall)))

    // The same dossiers made by DuckDB, which does less (fixtures/epd/duckdb-export.py says what)
    // and keeps everything in memory: how fast the job is for a general analytical engine here.
    let reference = work + "/duckdb"
    try FileManager.default.createDirectory(atPath: reference, withIntermediateDirectories: true)
    let duck = try inChild(["python3", packageRoot + "/fixtures/epd/duckdb-export.py", dump, reference + "/out.ndjson", reference],
                           values: 3, executable: "/usr/bin/env")
    shell("rm -rf '\(reference)'")
    rows.append(Row(name: "DuckDB reference: the same dossiers as NDJSON", megabytes: mb, seconds: duck[1],
                    note: String(format: "wall %.2f s; peak RSS %.1f MiB; the export's wall time is %.2f of this", duck[0], duck[2],
                                 full[0] / duck[0])))

    // DuckDB's gigabytes can push the dump out of the page cache (this machine keeps about 1 GB
    // of it): read back in, so that this row too times the export and not the disk.
    shell("sync; cat '\(dump)' > /dev/null")
    let key = String(clients / 2)
    let one = try inChild(["export-one", dump, work, key], values: 4)
    rows.append(Row(name: "export --profile --client \(key)", megabytes: mb, seconds: one[1],
                    note: String(format: "%.0f dossier; wall %.2f s; peak RSS %.1f MiB", one[2], one[0], one[3])))

    print(String(format: "CareSys pg_dump of %d clients, %.0f MB. MB/s and seconds are CPU time (user + system).", clients, mb))
    print("")
    print("| Operation | MB/s | CPU seconds | Notes |")
    print("|---|---:|---:|---|")
    for row in rows { print(row.markdown) }
}
