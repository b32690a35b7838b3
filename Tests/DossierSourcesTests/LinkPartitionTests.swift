import DossierModel
import DossierIO
import Foundation
import Testing
@testable import DossierSources

/// Link maps over their memory budget are partitioned on disk; nothing about the export changes.
@Suite struct LinkPartitionTests {
    /// The account with its kept diagnostics in a fixed order: a partitioned link reports its
    /// orphans when the input has ended, not where the row was read.
    func normalised(_ account: ExportAccount) -> ExportAccount {
        var a = account
        a.diagnostics = DiagnosticLog(limit: account.diagnostics.limit)
        a.diagnostics.append(contentsOf: account.diagnostics.listed.sorted { $0.description < $1.description })
        return a
    }

    /// A budget of nothing partitions every link map at its first entry. The clean and the dirty
    /// CareSys dump (orphans, unknown link keys, duplicate keys), for every client, none, and one that
    /// does not exist; and a generated dump whose link table comes after the rows joined through it,
    /// with rows shared by two clients. Same dossiers in the same order, same counts, same findings.
    @Test func partitionedLinksExportTheSame() throws {
        let generated = try generatedCareSysDump(clients: 30)
        defer { try? FileManager.default.removeItem(at: URL(fileURLWithPath: generated).deletingLastPathComponent()) }
        let cases: [(dump: String, clients: [String?])] = [
            (epdPath("caresys/caresys.sql"), [nil, "424242"] + (try careSysClientKeys(epdPath("caresys/caresys.sql")))),
            (epdPath("caresys/caresys-dirty.sql"), [nil] + (try careSysClientKeys(epdPath("caresys/caresys-dirty.sql")))),
            (generated, [nil, "9", "10", "30"]),
        ]
        for (dump, clients) in cases {
            for client in clients {
                for sieve in [true, false] {
                    let memory = try SieveRun(dump, client: client, sieve: sieve)
                    // 0: every map on disk at once; 1,000 bytes: one client's few links stay in
                    // memory while the other clients' keys go to disk (`OtherLinkKeys`).
                    for budget in [0, 1_000] {
                        let disk = try SieveRun(dump, client: client, sieve: sieve, linkMemory: budget)
                        #expect(disk.dossiers == memory.dossiers, "\(dump) client \(client ?? "all") budget \(budget)")
                        #expect(normalised(disk.account) == normalised(memory.account), "\(dump) client \(client ?? "all") budget \(budget)")
                    }
                }
            }
        }
        let dirty = try SieveRun(epdPath("caresys/caresys-dirty.sql"), client: nil, sieve: true, linkMemory: 0)
        #expect(dirty.account.diagnostics.listed.contains { $0.code == "row.orphan" && $0.location?.line != nil })
        #expect(dirty.account.reconciles)
    }

    /// The map leaves memory once its estimate passes the budget, and not before; rows deferred
    /// through it find their clients partition by partition when it is drained.
    @Test func mapIsPartitionedAtItsBudget() throws {
        let folder = try PrivateFolder(under: NSTemporaryDirectory())
        defer { folder.remove() }
        let dict = SpillDictionary()
        func row(_ id: Int) -> SourceRow {
            SourceRow(table: "episodes", columns: ["id", "client_id"], values: [.number(String(id)), .number(String(id / 2))],
                      location: SourceLocation(file: "t.sql", line: id))
        }
        // 40 bytes an entry of plain numbers: nine fit in 390, the tenth does not.
        let map = LinkMap(LinkSpec(table: "episodes", key: "id", clientColumn: "client_id"), index: 0, only: nil, budget: 390, folder: folder)
        for id in 0..<9 { try map.add(row(id)) }
        #expect(map.partitions == nil && map.targets.count == 9)
        try map.add(row(9))
        #expect(map.partitions != nil && map.targets.isEmpty)
        for id in 10..<40 { try map.add(row(id)) }
        map.complete = true
        #expect(map.defers)
        for id in 0..<41 {
            try map.deferRow(SpillRecord(ordinal: id, clientKey: String(id), mapping: 0, shared: false, row: row(id)), dict)
        }
        var found: [String: [String]] = [:], missing: [String] = [], files = 0
        try map.drain { path in
            files += 1
            let stream = try SpillStream(path: path, dict: dict)
            while let r = try stream.next() {
                if let t = map.targets[r.clientKey] { found[r.clientKey] = t.keys } else { missing.append(r.clientKey) }
            }
        }
        #expect(found.count == 40 && found.allSatisfy { $0.value == [String(Int($0.key)! / 2)] })
        #expect(missing == ["40"])
        #expect(files > 1 && files <= LinkPartitions.count)
        #expect(map.partitions == nil && map.targets.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// Links between plain decimal numbers are held as numbers, others as strings; a second client
    /// moves a number entry to the strings with both clients, in the order they came.
    @Test func linkTableKeepsEveryLink() {
        var t = LinkTable()
        #expect(t.add("7", "70") == 40)
        #expect(t.add("7", "70") == 0)
        #expect(t.add("007", "70") > 40)
        #expect(t.add("8", "x1") > 40)
        #expect(t.add("7", "71") > 40)
        #expect(t["7"]?.keys == ["70", "71"])
        #expect(t["007"]?.keys == ["70"])
        #expect(t["8"]?.keys == ["x1"])
        #expect(t["9"] == nil && t["07"] == nil)
        #expect(t.count == 3)
        var links: [String] = []
        t.forEach { links.append($0 + ">" + $1) }
        #expect(links.sorted() == ["007>70", "7>70", "7>71", "8>x1"])
    }

    /// Other clients' keys and the rows waiting on them go through disk and come back whole: each
    /// row told to be another client's exactly when its key was added.
    @Test func otherKeysRoundTrip() throws {
        let folder = try PrivateFolder(under: NSTemporaryDirectory())
        defer { folder.remove() }
        let others = OtherLinkKeys(folder, index: 0)
        for k in stride(from: 0, to: 400, by: 2) { try others.add(String(k)) }
        try others.add("ep-x")
        var sent: [OtherLinkKeys.Waiting] = []
        for k in 0..<100 {
            let w = OtherLinkKeys.Waiting(key: k == 99 ? "ep-x" : String(k), mapping: k % 3, file: k % 2, line: 1000 + k,
                                          recordKey: k % 5 == 0 ? nil : "r\(k)", counted: k % 4 == 0)
            sent.append(w)
            try others.wait(w)
        }
        var back: [(OtherLinkKeys.Waiting, Bool)] = []
        try others.drain(mappings: 3, files: 2) { back.append(($0, $1)) }
        #expect(back.count == 100)
        for (w, isOther) in back {
            let original = try #require(sent.first { $0.line == w.line })
            #expect(w.key == original.key && w.mapping == original.mapping && w.file == original.file)
            #expect(w.recordKey == original.recordKey && w.counted == original.counted)
            #expect(isOther == (w.key == "ep-x" || Int(w.key)! % 2 == 0))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// A waiting row naming a mapping or a file the run does not have was damaged on disk: the
    /// drain stops with the spill's error instead of handing on an index that would trap.
    @Test(arguments: [(mapping: 3, file: 0), (mapping: 0, file: 2)])
    func otherKeysRefuseDamagedRows(mapping: Int, file: Int) throws {
        let folder = try PrivateFolder(under: NSTemporaryDirectory())
        defer { folder.remove() }
        let others = OtherLinkKeys(folder, index: 0)
        try others.wait(OtherLinkKeys.Waiting(key: "7", mapping: mapping, file: file, line: 1, recordKey: nil, counted: true))
        #expect { try others.drain(mappings: 3, files: 2) { _, _ in } } throws: { ($0 as? DossierError)?.code == "spill.corrupt" }
    }

    /// Partition files live in the run's spill folder and go with it.
    @Test func partitionFilesAreRemoved() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("links-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let run = try SieveRun(epdPath("caresys/caresys.sql"), client: nil, sieve: true, linkMemory: 0, spill: parent)
        #expect(!run.dossiers.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent).isEmpty)
    }
}

/// Link keys kept as numbers when they are plain decimal numbers, as text otherwise.
@Suite struct KeySetTests {
    /// Buckets, link partitions and with them the dossier order hang on this hash: the published
    /// FNV-1a 64 vectors, for short (stack-copied) and long (heap) texts alike.
    @Test func fnv1aGivesTheReferenceValues() {
        #expect(fnv1a("") == 0xcbf2_9ce4_8422_2325)
        #expect(fnv1a("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(fnv1a("foobar") == 0x8594_4171_f739_67e8)
        let long = String(repeating: "cliënt-", count: 40)
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in Array(long.utf8) { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        #expect(fnv1a(long) == h)
    }

    @Test func numbersAndTextsDoNotMix() {
        var set = KeySet()
        for k in ["7", "0", "123456789012345678", "007", "1234567890123456789", "ep-7", "７", "-7", "+7", " 7"] { set.insert(k) }
        for k in ["7", "0", "123456789012345678", "007", "1234567890123456789", "ep-7", "７", "-7", "+7", " 7"] { #expect(set.contains(k), "\(k)") }
        // "07" and "7" are different keys, and so are "7" and "07": a number is only its own shortest form.
        for k in ["07", "00", "8", "0007", "12345678901234567", "ep-8", ""] { #expect(!set.contains(k), "\(k)") }
        set.remove("7"); set.remove("007")
        #expect(!set.contains("7") && !set.contains("007") && set.contains("0"))
    }

    /// The one-pass parse and the hand-made text agree with the standard library's, at every
    /// length and edge: leading zeros, signs, spaces, wide digits, the 18-digit limit.
    @Test func numbersAndTheirTextsAgreeWithTheStandardLibrary() {
        func reference(_ key: String) -> Int64? {
            let u = key.utf8
            guard (1...18).contains(u.count), u.allSatisfy({ (0x30...0x39).contains($0) }),
                  u.count == 1 || u.first != 0x30 else { return nil }
            return Int64(key)
        }
        var n: Int64 = 1
        var numbers: [Int64] = [0, 5, 9, 10]
        for _ in 1...17 { n *= 10; numbers += [n - 1, n, n + 1, n * 7 / 3] }
        for v in numbers {
            #expect(KeySet.text(v) == String(v))
            #expect(KeySet.number(KeySet.text(v)) == v)
        }
        let texts = numbers.map(String.init) + ["", "0", "00", "01", "-1", "+1", " 1", "1 ", "1a", "a1", "１２", "1234567890123456789",
                                                "999999999999999999", "1000000000000000000", "12.5", "1e5"]
        for t in texts { #expect(KeySet.number(t) == reference(t), "\(t)") }
    }
}
