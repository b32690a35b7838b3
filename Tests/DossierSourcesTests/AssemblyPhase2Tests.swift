import Foundation
import Testing
import DossierModel
import DossierIO
@testable import DossierSources

/// Phase 2 of the engine: sub-buckets for buckets over the limit, and several worker threads.
@Suite struct AssemblyPhase2Tests {
    /// One run over a generated dump: dossiers in emitted order, each with its diagnostics, and the account.
    struct Run: Equatable {
        var dossiers: [Dossier] = []
        var diagnostics: [[Diagnostic]] = []
        var account = ExportAccount()
    }

    func generated(_ options: ExportOptions) throws -> Run {
        var run = Run()
        run.account = try DossierAssembler(profile: try fixtureProfile("caresys-postgres.json"), options: options,
                                           documents: RecordingResolver())
            .run([GeneratedCareSys(clients: 300, reportsPerClient: 5)]) { d, diagnostics in
                run.dossiers.append(d)
                run.diagnostics.append(diagnostics)
            }
        return run
    }

    func dirtyCareSys(_ options: ExportOptions) throws -> Run {
        var run = Run()
        run.account = try DossierAssembler(profile: try MappingProfile.load(path: epdPath("caresys/caresys.json")), options: options,
                                           documents: HashingResolver(folder: epdPath("caresys")))
            .run([try SQLDumpReader(path: epdPath("caresys/caresys-dirty.sql"))]) { d, diagnostics in
                run.dossiers.append(d)
                run.diagnostics.append(diagnostics)
            }
        return run
    }

    /// A limit far below a bucket's size splits every bucket down to single clients: the same
    /// dossiers and the same account come out, in an order of their own that is stable.
    @Test func subBucketsKeepDossiersAndAccount() throws {
        let whole = try generated(ExportOptions(bucketCount: 4, threads: 1))
        let split = try generated(ExportOptions(bucketCount: 4, bucketLimit: 2_000, threads: 1))
        #expect(whole.dossiers.count == 300)
        #expect(split.dossiers.sorted { $0.id < $1.id } == whole.dossiers.sorted { $0.id < $1.id })
        #expect(split.account == whole.account)
        #expect(split.account.reconciles)
        // The sub-bucket order differs from the bucket's key order, which shows the split path ran.
        #expect(split.dossiers.map(\.id) != whole.dossiers.map(\.id))
        #expect(try generated(ExportOptions(bucketCount: 4, bucketLimit: 2_000, threads: 1)) == split)
    }

    /// Workers change nothing: same dossiers in the same order, same diagnostics, same account
    /// (including the order of its kept diagnostics), with and without sub-buckets.
    @Test(arguments: [Int.max, 3_000])
    func threadsGiveTheSameOutput(limit: Int) throws {
        let one = try generated(ExportOptions(bucketCount: 8, bucketLimit: limit, threads: 1))
        #expect(try generated(ExportOptions(bucketCount: 8, bucketLimit: limit, threads: 2)) == one)
        #expect(try generated(ExportOptions(bucketCount: 8, bucketLimit: limit, threads: 3)) == one)

        let dirty = try dirtyCareSys(ExportOptions(bucketCount: 4, bucketLimit: limit, threads: 1))
        #expect(!dirty.account.diagnostics.isEmpty)
        #expect(try dirtyCareSys(ExportOptions(bucketCount: 4, bucketLimit: limit, threads: 2)) == dirty)
    }

    /// Each worker decodes through a copy of the spill dictionary with the same names and column
    /// lists in storage of its own, so that no two threads count references on the same array.
    @Test func workersDecodeThroughACopyOfTheDictionary() {
        let dict = SpillDictionary()
        let long = "/srv/exports/caresys/\(String(repeating: "x", count: 40)).sql"
        #expect(dict.id("reports") == 0)
        #expect(dict.id(long) == 1)
        #expect(dict.id(columns: ["id", "episode_id", "a column name longer than fifteen bytes"]) == 0)
        #expect(dict.id(kinds: [true, true, false]) == 0)
        let copy = dict.privateCopy()
        #expect(copy.strings == dict.strings && copy.columnSets == dict.columnSets && copy.kindSets == dict.kindSets)
        func storage<T>(_ a: [T]) -> UnsafeRawPointer? { a.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        func storage(_ s: String) -> UnsafeRawPointer? {
            var s = s
            return s.withUTF8 { UnsafeRawPointer($0.baseAddress) }
        }
        #expect(storage(copy.columnSets[0]) != storage(dict.columnSets[0]))
        #expect(storage(copy.kindSets[0]) != storage(dict.kindSets[0]))
        #expect(storage(copy.strings[1]) != storage(dict.strings[1]))
        #expect(storage(copy.columnSets[0][2]) != storage(dict.columnSets[0][2]))
    }

    /// Phase 2 decodes only the columns a carried line's rules read, and the first: a report's
    /// link and filter columns (`episode_id`, `kind`, used in phase 1) are left null.
    @Test func carriedLinesDecodeTheColumnsTheirRulesRead() throws {
        let profile = try MappingProfile.load(path: epdPath("caresys/caresys.json"))
        let columns = ["id", "episode_id", "written_at", "author", "discipline", "body", "kind"]
        let demand = ColumnDemand(AssemblyRules(profile), columnSets: [["id", "name"], columns])
        let reports = try #require(profile.mappings.firstIndex { $0.entity == .progressReports })
        let read = try #require(demand.columns(mapping: reports, columnSet: 1))
        #expect(read == [true, false, true, true, true, true, false])
        #expect(demand.columns(mapping: SpillRecord.clientRow, columnSet: 0) == [true, false])
        #expect(demand.columns(mapping: profile.mappings.count, columnSet: 0) == nil)
        #expect(ColumnDemand.all.columns(mapping: reports, columnSet: 1) == nil)

        let line = Array("7\t3\t2024-01-02 10:00:00\tSvL\tpsychologie\tGoed\\tweek\tR".utf8)
        let kinds = [true, true, false, false, false, false, false]
        let all = line.withUnsafeBufferPointer { CarriedLine.values($0, numeric: kinds) }
        let some = line.withUnsafeBufferPointer { p in
            var values: [SourceValue] = []
            CarriedLine.values(p, numeric: kinds, read: read, into: &values)
            return values
        }
        #expect(all == [.number("7"), .number("3"), .text("2024-01-02 10:00:00"), .text("SvL"), .text("psychologie"), .text("Goed\tweek"), .text("R")])
        #expect(some == all.enumerated().map { read[$0.offset] ? $0.element : .null })
    }

    /// An error thrown while emitting stops the workers and reaches the caller; the spill is removed.
    @Test func emitErrorStopsWorkers() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("phase2-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        var emitted = 0
        #expect(throws: DossierError.self) {
            try DossierAssembler(profile: try fixtureProfile("caresys-postgres.json"),
                                 options: ExportOptions(spillDirectory: parent, bucketCount: 8, threads: 2), documents: RecordingResolver())
                .run([GeneratedCareSys(clients: 300, reportsPerClient: 5)]) { _, _ in
                    emitted += 1
                    if emitted == 40 { throw DossierError("test.stop", "stop") }
                }
        }
        #expect(emitted == 40)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).isEmpty)
    }
}

/// The scheduler that shares loaded parts between workers client by client.
@Suite struct OrderedAssemblyTests {
    /// A bucket file that is damaged fails the run with the spill's error once the buckets before
    /// it (here an empty one) are done, and every worker stops, for one worker and for several.
    @Test(arguments: [1, 2, 3])
    func damagedBucketFailsTheRun(workers: Int) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ordered-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // An empty bucket, then one whose first record claims 5 bytes and has 1.
        #expect(FileManager.default.createFile(atPath: folder + "/0", contents: Data()))
        #expect(FileManager.default.createFile(atPath: folder + "/1", contents: Data([5, 0, 0, 0, 0xFF])))
        let assembler = try DossierAssembler(profile: try fixtureProfile("caresys-postgres.json"), documents: RecordingResolver())
        let dict = SpillDictionary()
        let threads = (0..<workers).map { _ in ClientAssembler(assembler, dict: dict) }
        var delivered = 0
        let error = #expect(throws: DossierError.self) {
            try OrderedAssembly(paths: [folder + "/0", folder + "/1"]).run(threads) { _ in delivered += 1 }
        }
        #expect(error?.code == "spill.corrupt")
        #expect(delivered == 0)
    }

    /// A worker over a bucket file of these record bodies, in a folder removed afterwards.
    func withBucket(_ records: [[UInt8]], _ body: (ClientAssembler, _ path: String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bucket-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let writer = try RecordFileWriter(path: folder + "/bucket")
        for r in records { try writer.append(r) }
        try writer.close()
        let assembler = try DossierAssembler(profile: try fixtureProfile("caresys-postgres.json"), documents: RecordingResolver())
        try body(ClientAssembler(assembler, dict: SpillDictionary()), folder + "/bucket")
    }

    /// A record naming a mapping the profile does not have (mapping + 1 = 100) was damaged on
    /// disk: loading its part fails with the spill's error rather than trapping on an index.
    @Test func recordOfAnUnknownMappingFailsTheRun() throws {
        try withBucket([[1, 100, 0, 1, 0x37]]) { worker, path in
            let error = #expect(throws: DossierError.self) { try OrderedAssembly(paths: [path]).run([worker]) { _ in } }
            #expect(error?.code == "spill.corrupt")
        }
    }

    /// Splitting reads only each record's header, in the reader's buffer: a header cut short (a
    /// varint that runs off the record) stops the split with the spill's error naming the record.
    @Test func damagedHeaderStopsTheSplit() throws {
        // A whole header (ordinal 1, mapping 0, flags 0, key "7"), then one whose ordinal never ends.
        try withBucket([[1, 1, 0, 1, 0x37], [0x81, 0x80]]) { worker, path in
            let error = #expect(throws: DossierError.self) { try worker.split(path, depth: 0) }
            #expect(error?.code == "spill.corrupt")
            #expect(error?.diagnostic.message.contains("record 2") == true)
        }
    }
}

/// The per-day offset cache against asking the zone every time.
@Suite struct ZoneOffsetsTests {
    /// Every quarter hour around recent and historical transitions (Amsterdam's 1940 switch to
    /// German time, 1977 reintroduction of summer time, 2024), a zone that shifts by half an hour
    /// (Lord Howe), a stride through two centuries, and one through six, past both ends of the
    /// cached days; zones without summer time too.
    @Test(arguments: ["Europe/Amsterdam", "Australia/Lord_Howe", "America/Sao_Paulo", "UTC", "Asia/Kolkata"])
    func sameAsTheZone(_ zone: String) {
        let tz = TimeZone(identifier: zone)!
        let cache = ZoneOffsets(tz)
        let ranges: [(from: Int, to: Int, step: Int)] = [
            (-937_000_000, -935_000_000, 900), (228_000_000, 230_000_000, 900), (230_000_000, 260_000_000, 900),
            (1_711_000_000, 1_740_000_000, 900), (-2_208_988_800, 4_102_444_800, 25_013),
            (-8_000_000_000, 11_000_000_000, 86_399 * 7),
        ]
        var mismatches = 0
        for r in ranges {
            for t in stride(from: r.from, to: r.to, by: r.step)
            where cache.secondsFromGMT(t) != tz.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t))) {
                mismatches += 1
            }
        }
        #expect(mismatches == 0)
    }
}
