// Dossierport benchmarks: JSON/NDJSON write and read throughput against Python's json and orjson
// on the same file, plus peak memory, printed as a markdown table.
//
//   swift build -c release --product DossierportBenchmarks
//   .build/release/DossierportBenchmarks [--dossiers N] [--text-bytes N] [--smoke] [--no-python]
//
// `--smoke` runs 200 dossiers through the same code path, for CI. `--text-bytes` sets the length
// of each progress report's text (default 300: about 17 kB of compact JSON per dossier). Shorter
// texts weigh structure over text, which is harder on a writer: 80 gives about 12.5 kB. The
// issue's 7 kB per dossier (140 MB for 20,000) is not reachable with these records, whose
// metadata alone is about 380 bytes per progress report. `--no-python` skips the Python rows,
// for profiling the Swift side alone.
import DossierFormats
import DossierIO
import DossierModel
import Foundation

struct Options {
    var dossiers = 20_000
    var textBytes = 300
    var python = true

    init(_ args: [String]) {
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--smoke": dossiers = 200
            case "--no-python": python = false
            case "--text-bytes":
                i += 1
                guard i < args.count, let n = Int(args[i]), n > 0 else { usage() }
                textBytes = n
            case "--dossiers":
                i += 1
                guard i < args.count, let n = Int(args[i]), n > 0 else { usage() }
                dossiers = n
            default: usage()
            }
            i += 1
        }
    }

    func usage() -> Never {
        FileHandle.standardError.write(Data("usage: DossierportBenchmarks [--dossiers N] [--text-bytes N] [--smoke] [--no-python]\n".utf8))
        exit(64)
    }
}

/// Deterministic synthetic dossiers: the same N gives the same bytes on every run.
struct Generator {
    private var state: UInt64
    let textBytes: Int

    init(seed: UInt64, textBytes: Int) {
        state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        self.textBytes = textBytes
    }

    /// xorshift64*: enough randomness for varied text, and reproducible.
    mutating func next(_ bound: Int) -> Int {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        return Int((state &* 0x2545_F491_4F6C_DD1D) >> 33) % bound
    }

    static let words = ["cliënt", "heeft", "vandaag", "goed", "geslapen", "ontbijt", "medicatie", "ingenomen",
                        "wandeling", "gemaakt", "met", "begeleider", "stemming", "was", "wisselend", "familie",
                        "op", "bezoek", "geweest", "rustig", "gegeten", "douche", "zelfstandig", "afspraak",
                        "huisarts", "volgende", "week", "onrustig", "nacht", "gesprek", "over", "dagbesteding",
                        "zorgplan", "besproken", "pijn", "aangegeven", "in", "de", "knie", "geen", "bijzonderheden",
                        "later", "gebeld", "dochter", "afgesproken", "dat", "zij", "morgen", "langskomt", "na",
                        "overleg", "met", "de", "arts", "is", "besloten", "dosering", "te", "verlagen", "eetlust",
                        "matig", "vocht", "voldoende", "\"rustige\"", "dag", "café", "geïnformeerd", "privé"]

    mutating func sentence(bytes: Int) -> String {
        var s = ""
        while s.utf8.count < bytes {
            if !s.isEmpty { s += next(12) == 0 ? ". " : " " }
            s += Generator.words[next(Generator.words.count)]
        }
        return s + "."
    }

    mutating func time(_ day: Int) -> Timestamp {
        let date = LocalDate(daysSinceEpoch: 19_000 + day)
        return Timestamp(date: date, hour: 7 + next(14), minute: next(60), second: next(60), offsetMinutes: 60)!
    }

    func meta(_ category: RecordCategory, _ created: Timestamp) -> RecordMeta {
        RecordMeta(category: category, provenance: .professional, legalBasis: .legalObligation, createdAt: created,
                   author: "medewerker-\(created.secondOfDay % 97)", retentionUntil: created.date.adding(years: 20))
    }

    mutating func dossier(_ n: Int) -> Dossier {
        let created = time(n % 1000)
        var client = Client(id: "c-\(n)", clientNumber: String(100_000 + n),
                            name: PersonName(initials: "J.", givenNames: "Jan", prefix: n % 3 == 0 ? "van der" : nil,
                                             familyName: ["Berg", "Jansen", "de Vries", "Bakker", "Smit"][n % 5]),
                            meta: meta(.personal, created))
        client.bsn = BSN("111222333")
        client.dateOfBirth = LocalDate(year: 1940 + n % 60, month: 1 + n % 12, day: 1 + n % 28)
        client.gender = [.male, .female, .other][n % 3]
        client.addresses = [Address(street: "Kerkstraat", houseNumber: String(1 + n % 200), postalCode: "3511 AB", city: "Utrecht")]
        client.contacts = [ContactPoint(system: .phone, value: "030-\(1_000_000 + n)"),
                           ContactPoint(system: .email, value: "client\(n)@example.nl")]
        let controller = Controller(name: "Zorggroep De Linde", kvkNumber: "12345678",
                                    dpo: ContactPerson(name: "FG", email: "fg@delinde.example"))
        var d = Dossier(id: "d-\(n)", controller: controller, client: client, sourceSystem: "benchmark")

        var consent = Consent(id: "con-\(n)", purpose: .shareWithGeneralPractitioner, status: .given, meta: meta(.administrative, created))
        consent.givenOn = created.date
        d.consents = [consent]
        d.progressReports = (0..<20).map { k in
            let at = time(n % 1000 + k)
            var r = ProgressReport(id: "pr-\(n)-\(k)", meta: meta(.care, at))
            r.recordedAt = at
            r.discipline = "verzorging"
            r.text = sentence(bytes: textBytes)
            return r
        }
        d.medicationAdministrations = (0..<3).map { k in
            var m = MedicationAdministration(id: "med-\(n)-\(k)", status: .given, meta: meta(.care, created))
            m.medication = "Paracetamol 500 mg"
            m.dose = "1 tablet"
            m.scheduledAt = created
            return m
        }
        var appointment = Appointment(id: "ap-\(n)", status: .planned, meta: meta(.administrative, created))
        appointment.start = created
        appointment.kind = "huisbezoek"
        d.appointments = [appointment]
        var invoice = FinancialRecord(id: "fin-\(n)", kind: .invoice, meta: meta(.financial, created))
        invoice.amount = Amount(cents: Int64(10_000 + n))
        invoice.date = created.date
        d.financialRecords = [invoice]
        d.accessLog = (0..<3).map { k in
            AccessLogEntry(id: "log-\(n)-\(k)", at: created, user: "u\(k)", action: .view, meta: meta(.log, created))
        }
        return d
    }
}

/// Counts bytes and drops them, to time encoding without the file system.
final class CountingSink: ByteSink {
    var count = 0
    func write(_ bytes: UnsafeRawBufferPointer) throws { count += bytes.count }
}

enum Memory {
    /// Peak resident set size in MiB (VmHWM).
    static func peakMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return .nan }
        return kb / 1024
    }

    /// Resets the peak so that each phase reports its own (Linux `clear_refs`, value 5).
    static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }
}

struct Row {
    var name: String
    var megabytes: Double
    var seconds: Double
    var note: String

    var markdown: String {
        let rate = seconds > 0 ? String(format: "%.0f", megabytes / seconds) : "-"
        return "| \(name) | \(rate) | \(String(format: "%.3f", seconds)) | \(note) |"
    }
}

/// CPU seconds spent by this thread in `body`. CPU time rather than wall time because the
/// benchmark machine is shared: wall time measures the neighbours as much as the code.
func cpuSeconds(_ body: () throws -> Void) rethrows -> Double {
    var a = timespec(), b = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a)
    try body()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b)
    return Double(b.tv_sec - a.tv_sec) + Double(b.tv_nsec - a.tv_nsec) / 1e9
}

/// Why `runPython` gave no output.
enum PythonFailure: Error { case notStarted, failed }

/// Runs `python3 -c script argument`; its standard output when it exited 0.
func runPython(_ script: String, _ argument: String) -> Result<Data, PythonFailure> {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script, argument]
    let pipe = Pipe()
    process.standardOutput = pipe
    guard (try? process.run()) != nil else { return .failure(.notStarted) }
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return process.terminationStatus == 0 ? .success(output) : .failure(.failed)
}

/// Times Python's json and orjson on the same NDJSON file, line by line as our reader does.
func python(on path: String) -> [Row] {
    let script = #"""
import json, os, sys, time
path = sys.argv[1]
def run(loads, dumps):
    # Also times writing each dumped line to a file beside the input, as the Swift file row does.
    tl = td = tw = 0.0
    size = 0
    with open(path, 'rb') as f, open(path + '.py', 'wb') as o:
        for line in f:
            size += len(line)
            t0 = time.process_time(); obj = loads(line); t1 = time.process_time()
            b = dumps(obj); t2 = time.process_time()
            o.write(b); o.write(b'\n'); t3 = time.process_time()
            tl += t1 - t0; td += t2 - t1; tw += t3 - t2
    os.remove(path + '.py')
    return tl, td, td + tw
out = {}
out['json'] = run(json.loads, lambda o: json.dumps(o, ensure_ascii=False, separators=(',', ':')).encode())
try:
    import orjson
    out['orjson'] = run(orjson.loads, orjson.dumps)
except ImportError:
    out['orjson'] = None
print(json.dumps(out))
"""#
    let output = runPython(script, path)
    if case .failure(.notStarted) = output {
        return [Row(name: "Python", megabytes: 0, seconds: 0, note: "python3 could not be started")]
    }
    let size = Double((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1e6
    guard let data = try? output.get(), let result = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
        return [Row(name: "Python", megabytes: 0, seconds: 0, note: "python3 failed")]
    }
    var rows: [Row] = []
    if let j = result["json"] as? [Double] {
        rows.append(Row(name: "Python json.dumps (compact, ensure_ascii=False)", megabytes: size, seconds: j[1], note: "same records"))
        rows.append(Row(name: "Python json.loads", megabytes: size, seconds: j[0], note: "same NDJSON file"))
    }
    if let o = result["orjson"] as? [Double] {
        rows.append(Row(name: "orjson.dumps", megabytes: size, seconds: o[1], note: "same records"))
        rows.append(Row(name: "orjson.dumps + write to file", megabytes: size, seconds: o[2], note: "same records, NDJSON file beside ours"))
        rows.append(Row(name: "orjson.loads", megabytes: size, seconds: o[0], note: "same NDJSON file"))
    } else {
        rows.append(Row(name: "orjson", megabytes: 0, seconds: 0, note: "skipped: orjson is not importable"))
    }
    return rows
}

func run(_ options: Options) throws {
    let n = options.dossiers
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dossierport-bench-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let ndjson = dir.appendingPathComponent("dossiers.ndjson").path
    var rows: [Row] = []

    // Write: generation is outside the timed part; the file sink's writes are inside.
    Memory.resetPeak()
    var generator = Generator(seed: 2024, textBytes: options.textBytes)
    var writeTime = 0.0
    var memoryTime = 0.0
    var prettyTime = 0.0
    let pretty = CountingSink()
    // The same compact encoding into a sink that drops the bytes: what `orjson.dumps` is timed on,
    // without the copy into the kernel that the file row pays.
    let compact = CountingSink()
    let memoryWriter = NDJSONWriter(sink: compact)
    try AtomicFile.write(to: ndjson) { sink in
        let writer = NDJSONWriter(sink: sink)
        for i in 0..<n {
            let d = generator.dossier(i)
            writeTime += try cpuSeconds { try writer.write(d) }
            memoryTime += try cpuSeconds { try memoryWriter.write(d) }
            prettyTime += try cpuSeconds { try DossierJSON.write(d, to: pretty, style: .pretty) }
        }
        try writer.finish()
    }
    memoryTime += try cpuSeconds { try memoryWriter.finish() }
    let writePeak = Memory.peakMiB()
    let size = Double(try FileManager.default.attributesOfItem(atPath: ndjson)[.size] as? Int ?? 0) / 1e6
    rows.append(Row(name: "Swift JSON write, NDJSON compact (to file)", megabytes: size, seconds: writeTime,
                    note: "\(n) dossiers, \(String(format: "%.1f", size)) MB"))
    rows.append(Row(name: "Swift JSON write, NDJSON compact (in memory)", megabytes: Double(compact.count) / 1e6,
                    seconds: memoryTime, note: "same bytes, no file"))
    rows.append(Row(name: "Swift JSON write, pretty (one per dossier)", megabytes: Double(pretty.count) / 1e6,
                    seconds: prettyTime, note: String(format: "%.1f MB pretty", Double(pretty.count) / 1e6)))

    // Read: streaming, one dossier in memory at a time.
    Memory.resetPeak()
    var reports = 0
    let readTime = try cpuSeconds {
        let reader = try NDJSONReader(path: ndjson)
        while let d = try reader.next() { reports += d.progressReports.count }
    }
    let readPeak = Memory.peakMiB()
    guard reports == n * 20 else { throw DossierError("bench.mismatch", "read \(reports) progress reports, expected \(n * 20)") }
    rows.append(Row(name: "Swift JSON read, NDJSON streaming", megabytes: size, seconds: readTime,
                    note: "decoded into `Dossier` values"))

    if options.python { rows += python(on: ndjson) }

    // XML: the same dossiers as one streamed `<dossiers>` document, written then read back.
    let xml = dir.appendingPathComponent("dossiers.xml").path
    var xmlGenerator = Generator(seed: 2024, textBytes: options.textBytes)
    var xmlWriteTime = 0.0
    try AtomicFile.write(to: xml) { sink in
        let writer = try DossierXMLStreamWriter(sink: sink)
        for i in 0..<n {
            let d = xmlGenerator.dossier(i)
            xmlWriteTime += try cpuSeconds { try writer.append(d) }
        }
        xmlWriteTime += try cpuSeconds { try writer.finish() }
    }
    let xmlSize = Double(try FileManager.default.attributesOfItem(atPath: xml)[.size] as? Int ?? 0) / 1e6
    rows.append(Row(name: "Swift XML write, <dossiers> stream (to file)", megabytes: xmlSize, seconds: xmlWriteTime,
                    note: String(format: "%.1f MB of XML", xmlSize)))
    Memory.resetPeak()
    var xmlReports = 0
    let xmlReadTime = try cpuSeconds {
        let reader = try DossierXMLReader(path: xml)
        while let d = try reader.next() { xmlReports += d.progressReports.count }
    }
    let xmlPeak = Memory.peakMiB()
    guard xmlReports == n * 20 else { throw DossierError("bench.mismatch", "read \(xmlReports) progress reports from XML, expected \(n * 20)") }
    rows.append(Row(name: "Swift XML read, streaming (libxml2 reader)", megabytes: xmlSize, seconds: xmlReadTime,
                    note: String(format: "peak RSS %.1f MiB", xmlPeak)))

    print("MB/s and seconds are CPU time of the measuring thread (Swift) or process (Python).")
    print("")
    print("| Operation | MB/s | CPU seconds | Notes |")
    print("|---|---:|---:|---|")
    for row in rows { print(row.markdown) }
    print("")
    print(String(format: "Peak RSS: write phase %.1f MiB, read phase %.1f MiB (VmHWM, reset between phases).", writePeak, readPeak))
}

do {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "bundle" { try runBundleSuite(Array(arguments.dropFirst())) }
    else if arguments.first == "sources" { try runSourcesSuite(Array(arguments.dropFirst())) }
    else if arguments.first == "import" { try runImportSuite(Array(arguments.dropFirst())) }
    else if arguments.first == "import-one" { try runImportOne(Array(arguments.dropFirst())) }
    else if arguments.first == "export-one" { try runExportOne(Array(arguments.dropFirst())) }
    else { try run(Options(arguments)) }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
