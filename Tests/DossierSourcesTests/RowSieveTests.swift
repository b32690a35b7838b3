import DossierModel
import Foundation
import Testing
@testable import DossierSources

/// Hides a reader's sieve, so a run decodes every row as it did before readers could pass rows over.
final class DecodeEveryRow: RowReader {
    let inner: any RowReader
    init(_ inner: any RowReader) { self.inner = inner }
    func nextRow() throws -> SourceRow? { try inner.nextRow() }
    var tables: [String: SourceTable] { inner.tables }
}

/// Passes the sieve on and counts the rows the reader still decodes.
final class DecodedRowCounter: RowReader {
    let inner: any RowReader
    var decoded = 0
    init(_ inner: any RowReader) { self.inner = inner }
    func nextRow() throws -> SourceRow? {
        let row = try inner.nextRow()
        if row != nil { decoded += 1 }
        return row
    }
    var tables: [String: SourceTable] { inner.tables }
    func setSieve(_ sieve: (any RowSieve)?) { inner.setSieve(sieve) }
}

/// One CareSys export of `dump`, with or without the reader's sieve.
struct SieveRun: Equatable {
    let account: ExportAccount
    let dossiers: [Dossier]
    let decoded: Int

    init(_ dump: String, client: String?, sieve: Bool, linkMemory: Int = ExportOptions().linkMemory, spill: String = "/tmp",
         threads: Int = ExportOptions().threads, profile: String = epdPath("caresys/caresys.json")) throws {
        let counter = DecodedRowCounter(try SQLDumpReader(path: dump))
        var all: [Dossier] = []
        account = try DossierAssembler(profile: try MappingProfile.load(path: profile),
                                       options: ExportOptions(clientKey: client, spillDirectory: spill, bucketCount: 4, threads: threads, linkMemory: linkMemory),
                                       documents: HashingResolver(folder: epdPath("caresys")))
            .run([sieve ? counter : DecodeEveryRow(counter)]) { d, _ in all.append(d) }
        dossiers = all
        decoded = counter.decoded
    }

    var read: Int { account.tables.reduce(0) { $0 + $1.read } }

    static func == (a: SieveRun, b: SieveRun) -> Bool { a.account == b.account && a.dossiers == b.dossiers }
}

/// The client keys (`id`) of a CareSys dump's client table.
func careSysClientKeys(_ dump: String) throws -> [String] {
    try readAll(dump).rows["clients", default: []].compactMap { RecordRules.identifier($0.values[0]) }
}

@Suite struct RowSieveTests {
    /// Every client of the clean and the dirty dump (orphans, duplicate keys, rows no `when`
    /// matches, unknown link keys), no client, and a client that does not exist: the account, down to
    /// each diagnostic and its location, and the dossiers are those of a run that decodes every row.
    @Test(arguments: ["caresys.sql", "caresys-dirty.sql", "caresys-mariadb.sql", "caresys-sqlite.sql"])
    func sievedRunAccountsExactlyAsADecodingRun(file: String) throws {
        let dump = epdPath("caresys/\(file)")
        for client in [nil, "424242"] + (try careSysClientKeys(dump)) {
            let sieved = try SieveRun(dump, client: client, sieve: true)
            let decoding = try SieveRun(dump, client: client, sieve: false)
            #expect(sieved == decoding, "client \(client ?? "all")")
            #expect(sieved.account.reconciles)
            #expect(decoding.decoded == decoding.read)
            // audit_log is ignored, so it is never decoded; with a client, most other rows are not either.
            #expect(sieved.decoded < sieved.read - sieved.account.table("audit_log")!.read + 1, "client \(client ?? "all")")
        }
    }

    /// The generator's output has a link table read before the table joined through it and rows
    /// shared by two clients (attachments of every tenth client): one client's export decodes little.
    @Test func oneClientOfALargeDumpDecodesItsOwnRows() throws {
        let dump = try generatedCareSysDump(clients: 30)
        defer { try? FileManager.default.removeItem(at: URL(fileURLWithPath: dump).deletingLastPathComponent()) }
        for client in [nil, "9", "10", "30"] {
            let sieved = try SieveRun(dump, client: client, sieve: true)
            #expect(sieved == (try SieveRun(dump, client: client, sieve: false)), "client \(client ?? "all")")
            if client != nil {
                #expect(sieved.dossiers.count == 1)
                #expect(sieved.decoded < sieved.read / 10, "decoded \(sieved.decoded) of \(sieved.read)")
            }
        }
    }

    /// A dump with only an ignored table, whose rows are never decoded.
    func auditDump(_ rows: String, end: String = "\\.\n") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sieve-\(UUID().uuidString).sql").path
        let text = "--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.audit_log (\n    id integer NOT NULL,\n    action text\n);\n\n"
            + "COPY public.audit_log (id, action) FROM stdin;\n" + rows + end
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func outcome(_ dump: String, sieve: Bool) -> String {
        do {
            let run = try SieveRun(dump, client: nil, sieve: sieve)
            return "read \(run.account.table("audit_log")?.read ?? -1)"
        } catch let e as DossierError {
            return "\(e.code) at \(e.location?.line ?? -1):\(e.location?.column ?? -1)"
        } catch {
            return "\(error)"
        }
    }

    /// A table the profile does not name is reported at its first row, which was passed over.
    @Test func unmappedTableIsReportedWhereItStarts() throws {
        let dump = try auditDump("1\tview\n\\.\n\nCOPY public.extra (id, action) FROM stdin;\n7\tx\n8\ty\n")
        defer { try? FileManager.default.removeItem(atPath: dump) }
        let sieved = try SieveRun(dump, client: nil, sieve: true)
        #expect(sieved == (try SieveRun(dump, client: nil, sieve: false)))
        #expect(sieved.decoded == 0)
        let unmapped = try #require(sieved.account.diagnostics.listed.first { $0.code == "table.unmapped" })
        #expect(unmapped.location?.line == 15 && unmapped.location?.table == "extra")
        #expect(sieved.account.table("extra")?.read == 2 && sieved.account.table("extra")?.notMapped == 2)
    }

    /// Decision: a passed-over row is still checked for its column count (by its tabs); a row
    /// whose count is off is decoded, so the error is the one a decoding run gives, at the same
    /// place, and a backslash-escaped tab (which only decoding can tell from a separator) is right.
    @Test func passedOverRowsKeepStructuralErrors() throws {
        let cases: [(rows: String, end: String, expected: String)] = [
            ("1\tview\n2\tview\textra\n", "\\.\n", "sql.column-count at 12:1"),
            ("1\tview\n2\n", "\\.\n", "sql.column-count at 12:1"),
            ("1\tview\n2\tview\n", "", "sql.truncated at 10:1"),
            ("1\tview\n2\tvi", "", "sql.truncated at 10:1"),
            ("1\tview\n2\ta\\\tb\n", "\\.\n", "read 2"),
        ]
        for c in cases {
            let dump = try auditDump(c.rows, end: c.end)
            defer { try? FileManager.default.removeItem(atPath: dump) }
            #expect(outcome(dump, sieve: true) == c.expected, "\(c.rows.debugDescription)")
            #expect(outcome(dump, sieve: false) == c.expected, "\(c.rows.debugDescription)")
        }
    }

    /// Runs of plain lines are passed over in bulk, eight bytes at a time, across many 64 KiB
    /// chunks: the count, and the line of a bad line anywhere in the run (at a word's start or end,
    /// after a line starting with a backslash), must be what a decoding run gives.
    @Test func bulkPassedLinesKeepCountsAndErrorLines() throws {
        func rows(_ n: Int, bad: Int? = nil) -> String {
            var text = ""
            for i in 1...n {
                let action = String(repeating: "x", count: i % 23)
                if i == bad { text += "\(i)\t\(action)\textra\n" }
                else if i % 97 == 0 { text += "\\N\t\(action)\n" }
                else { text += "\(i)\t\(action)\n" }
            }
            return text
        }
        let clean = try auditDump(rows(20_000))
        defer { try? FileManager.default.removeItem(atPath: clean) }
        #expect(outcome(clean, sieve: true) == "read 20000")
        #expect(outcome(clean, sieve: false) == "read 20000")
        // The COPY statement is line 10, so row i is on line 10 + i.
        for bad in [1, 2, 7, 8, 9, 5_000, 12_345, 19_999, 20_000] {
            let dump = try auditDump(rows(20_000, bad: bad))
            defer { try? FileManager.default.removeItem(atPath: dump) }
            #expect(outcome(dump, sieve: true) == "sql.column-count at \(10 + bad):1", "bad row \(bad)")
            #expect(outcome(dump, sieve: true) == outcome(dump, sieve: false), "bad row \(bad)")
        }
    }

    /// Tuples of a counted table are lexed but not decoded; their values are still counted, and a
    /// truncated INSERT is still found, as when decoding. Decision: a value that is an expression
    /// (MySQL evaluates none; here sqlite's replace) is refused only in a tuple that is decoded.
    @Test func passedOverTuplesKeepStructuralErrors() throws {
        let cases: [(tuples: String, sieved: String, decoded: String)] = [
            ("(1,'view'),(2,'update');\n", "read 2", "read 2"),
            ("(1,'view'),(2,'a','b');\n", "sql.column-count at 6:43", "sql.column-count at 6:43"),
            ("(1,'view'),(2);\n", "sql.column-count at 6:43", "sql.column-count at 6:43"),
            ("(1,'view'),(2,'vi", "sql.truncated at 6:46", "sql.truncated at 6:46"),
            ("(1,'view'),(2,'view')", "sql.truncated at 6:1", "sql.truncated at 6:1"),
            ("(1,'view'),(2,replace('a','b',char(10)));\n", "read 2", "sql.unsupported-expression at 6:46"),
        ]
        for c in cases {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("sieve-\(UUID().uuidString).sql").path
            let text = "-- MySQL dump 10.13\n\nCREATE TABLE `audit_log` (\n  `id` int NOT NULL,\n  `action` text);\n"
                + "INSERT INTO `audit_log` VALUES " + c.tuples
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(outcome(path, sieve: true) == c.sieved, "\(c.tuples.debugDescription)")
            #expect(outcome(path, sieve: false) == c.decoded, "\(c.tuples.debugDescription)")
        }
    }

    /// The one-pass split of a decoded COPY line keeps the errors, and their order, of splitting
    /// field by field: NUL before CR anywhere in the line, a bad value before a wrong count after it.
    @Test func decodedCopyLinesKeepTheirErrors() throws {
        let cases: [(row: [UInt8], expected: String)] = [
            (Array("1\tvi\u{0}ew\r\n".utf8), "sql.nul at 12:5"),
            (Array("1\tview\r\n".utf8), "sql.crlf at 12:7"),
            (Array("1\t".utf8) + [0xC3, 0x28] + Array("\textra\n".utf8), "sql.encoding at 12:3"),
            (Array("1\tview\textra\n".utf8), "sql.column-count at 12:1"),
            (Array("1\tview\\\textra\n".utf8), "read 2"),
            (Array("\\N\tview\n".utf8), "read 2"),
        ]
        for c in cases {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("copy-\(UUID().uuidString).sql").path
            let head = "--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE public.audit_log (\n    id integer,\n    action text\n);\n\n"
                + "COPY public.audit_log (id, action) FROM stdin;\n0\tview\n"
            try Data(Array(head.utf8) + c.row + Array("\\.\n".utf8)).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let outcome: String
            do {
                outcome = "read \(try readAll(path).rows["audit_log", default: []].count)"
            } catch let e as DossierError {
                outcome = "\(e.code) at \(e.location?.line ?? -1):\(e.location?.column ?? -1)"
            }
            #expect(outcome == c.expected, "\(c.row)")
        }
    }

    /// Exporting all clients, lines of mapped tables are carried undecoded (here consents, joined
    /// by a client column, and reports, through the episodes link) only when they are sure to
    /// decode: any other line is decoded where it is read, so each variant gives what a run that
    /// decodes every row gives, down to the error's line and column, and the same dossiers.
    @Test func carriedLinesKeepValuesAndErrors() throws {
        let fixture = try String(contentsOfFile: epdPath("caresys/caresys.sql"), encoding: .utf8)
        let consent = "COPY public.consents (id, client_id, purpose, status, given_by, given_on, withdrawn_on) FROM stdin;\n"
        let report = "COPY public.reports (id, episode_id, written_at, author, discipline, body, kind) FROM stdin;\n"
        let cases: [(after: String, line: [UInt8], carried: Bool, expected: String?)] = [
            (consent, Array("900\t1\tGP\tY\tmw. B\t2023-02-01\t\\N\n".utf8), true, nil),
            (consent, Array("901\t1\tGP\tY\t\\N\t\\N\t\\N\n".utf8), true, nil),
            (consent, Array("902\t1\tGP\tY\tmw.\\tB\t2023-02-01\t\\N\n".utf8), false, nil),
            (consent, Array("903\t1\tGP\tY\tmw. \\\\N\t2023-02-01\t\\N\n".utf8), false, nil),
            (consent, Array("904\t1\tG".utf8) + [0xC3, 0x28] + Array("\tY\t7\t2023-02-01\t\\N\n".utf8), false, "sql.encoding at 251:7"),
            (consent, Array("904\t1\tGP\tY\t7".utf8) + [0xC3, 0xA9] + Array("\t2023-02-01\t\\N\n".utf8), false, "sql.value at 251:12"),
            (consent, Array("90".utf8) + [0xC3, 0xA9] + Array("\t1\tGP\tY\tx\t2023-02-01\t\\N\n".utf8), false, "sql.value at 251:1"),
            (consent, Array("905\t1\tGP\tY\tx\t2023-02-01\n".utf8), false, "sql.column-count at 251:1"),
            (consent, Array("906\t1\tGP\tY\tx\\000\t2023-02-01\t\\N\n".utf8), false, "sql.nul at 251:13"),
            (consent, Array("907\t1\tGP\tY\tx\r\t2023-02-01\t\\N\n".utf8), false, "sql.crlf at 251:13"),
            (consent, Array("908\t424242\tGP\tY\tx\t2023-02-01\t\\N\n".utf8), true, nil),
            (report, Array("9001\t201\t2023-01-23 09:00:00\tdr. S\tpsychologie\tTekst 👍\tR\n".utf8), true, nil),
            (report, Array("9002\t201\t2023-01-23 09:00:00\tdr. S\tpsychologie\tTekst\tX\n".utf8), false, nil),
            (report, Array("9003\t99999\t2023-01-23 09:00:00\tdr. S\tpsychologie\tTekst\tN\n".utf8), false, nil),
            // Text with the escapes pg_dump writes for control characters is carried and decoded later.
            (report, Array("9004\t201\t2023-01-23 09:00:00\tdr. S\tpsychologie\tRegel.\\nTab\\t\\\\ en \\r\\b\\f\\v\tR\n".utf8), true, nil),
            (report, Array("9005\t201\t2023-01-23 09:00:00\tdr. \\\\S\tpsychologie\t\\n\tR\n".utf8), true, nil),
            // Octal, hex and other escapes, an escaped tab, a lone backslash and an escape in a
            // probed field are decoded where they are read.
            (report, Array("9006\t201\t2023-01-23 09:00:00\tdr. S\tpsychologie\tCli\\303\\253nt\tR\n".utf8), false, nil),
            (report, Array("9007\t201\t2023-01-23 09:00:00\tdr. S\tpsychologie\tTekst \\x41\tR\n".utf8), false, nil),
            (report, Array("9008\t201\t2023-01-23 09:00:00\tdr. S\tpsychologie\tTekst \\. \\N\tR\n".utf8), false, nil),
            (report, Array("9009\t201\t2023-01-23 09:00:00\tdr. S\tTekst\\\tpsychologie\tR\n".utf8), false, "sql.column-count at 314:1"),
            (report, Array("9010\t201\t2023-01-23 09:00:00\tdr. S\tpsychologie\tTekst\tR\\\n".utf8), false, "sql.copy-escape at 314:55"),
            (report, Array("9011\t201\t2023-01-23 09:00:00\tdr. S\tpsychologie\tTekst\t\\R\n".utf8), false, nil),
            (report, Array("9012\t201\t2023-01-23 09:00:00\tdr. S\tpsychologie\tTekst \\303\tR\n".utf8), false, "sql.encoding at 314:48"),
        ]
        for c in cases {
            let split = try #require(fixture.range(of: c.after))
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("carry-\(UUID().uuidString).sql").path
            try Data(Array(fixture[..<split.upperBound].utf8) + c.line + Array(fixture[split.upperBound...].utf8))
                .write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            // One thread, so that a line the sieve turns away is decoded by the reader and counted
            // (with two, the routing thread decodes it); the same outcome with two.
            func run(sieve: Bool, threads: Int = 1) -> Result<SieveRun, DossierError> {
                do { return .success(try SieveRun(path, client: nil, sieve: sieve, threads: threads)) } catch { return .failure(error as! DossierError) }
            }
            let relayed = run(sieve: true, threads: 2)
            switch (run(sieve: true), run(sieve: false)) {
            case let (.success(carried), .success(decoded)):
                #expect(c.expected == nil, "\(c.line)")
                #expect(carried == decoded, "\(c.line)")
                #expect((try? relayed.get()) == carried, "\(c.line)")
                #expect(carried.decoded + (c.carried ? 1 : 0) < decoded.decoded, "\(c.line)")
                let base = try SieveRun(epdPath("caresys/caresys.sql"), client: nil, sieve: true, threads: 1)
                #expect(carried.decoded == base.decoded + (c.carried ? 0 : 1), "\(c.line)")
            case let (.failure(a), .failure(b)):
                let where_ = "\(a.code) at \(a.location?.line ?? -1):\(a.location?.column ?? -1)"
                #expect(where_ == c.expected, "\(c.line)")
                #expect(a.code == b.code && a.location == b.location, "\(c.line)")
                if case .failure(let r) = relayed { #expect(r.code == a.code && r.location == a.location, "\(c.line)") }
                else { Issue.record("the relayed run did not fail for \(c.line)") }
            case let (a, b):
                Issue.record("carrying changed the outcome: \(a) against \(b) for \(c.line)")
            }
        }
    }

    /// The routing thread compares a carried row's `when` column with the profile's values by
    /// bytes, but `take` compares texts, by canonical equivalence: "e" and a combining acute is
    /// "é", the Kelvin sign is "K". A row is chosen as a decoding run chooses it, also where a
    /// later mapping (work notes) has the earlier one's value in other bytes.
    @Test func carriedConditionsCompareAsTexts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("when-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let profileText = try String(contentsOfFile: epdPath("caresys/caresys.json"), encoding: .utf8)
        let reportsWhen = try #require(profileText.range(of: "\"R\"\n"))
        let profile = dir.appendingPathComponent("caresys.json").path
        var changed = profileText.replacingCharacters(in: reportsWhen, with: "\"R\", \"\\u00e9\", \"K\", \"\\u212a\\u212b\"\n")
        let notesWhen = try #require(changed.range(of: "\"N\"\n"))
        changed.replaceSubrange(notesWhen, with: "\"N\", \"e\\u0301\", \"\\u212a\"\n")
        try changed.write(toFile: profile, atomically: false, encoding: .utf8)
        let fixture = try String(contentsOfFile: epdPath("caresys/caresys.sql"), encoding: .utf8)
        let split = try #require(fixture.range(of: "COPY public.reports (id, episode_id, written_at, author, discipline, body, kind) FROM stdin;\n"))
        let kinds = ["e\u{301}", "\u{E9}", "\u{212A}", "K", "k", "E", "\u{212A}\u{212B}", "K\u{C5}", "KA\u{30A}", "KA"]
        let rows = kinds.enumerated().map { "\(9100 + $0)\t201\t2023-01-23 09:00:00\tdr. S\tpsychologie\tTekst\t\($1)\n" }.joined()
        let dump = dir.appendingPathComponent("caresys.sql").path
        try (fixture[..<split.upperBound] + rows + fixture[split.upperBound...]).write(toFile: dump, atomically: false, encoding: .utf8)
        let decoded = try SieveRun(dump, client: nil, sieve: false, profile: profile)
        for threads in [1, 2] {
            let carried = try SieveRun(dump, client: nil, sieve: true, threads: threads, profile: profile)
            #expect(carried == decoded, "threads \(threads)")
            #expect(carried.decoded < decoded.decoded)
        }
        let reports = Set(decoded.dossiers.flatMap { $0.progressReports.map(\.id) })
        let chosen = kinds.indices.filter { reports.contains("report-\(9100 + $0)") }.map { kinds[$0] }
        #expect(chosen == ["e\u{301}", "\u{E9}", "\u{212A}", "K", "\u{212A}\u{212B}", "K\u{C5}", "KA\u{30A}"])
        #expect(!decoded.dossiers.contains { $0.workNotes.contains { $0.id.hasPrefix("note-91") } })
    }

    /// A carried line can go to two clients: episode 201 made to belong to clients 1 and 2 shares
    /// its reports. Each gets them, the account counts each row once, with the link map in memory
    /// and partitioned on disk, exactly as a run that decodes every row.
    @Test func carriedRowsSharedByTwoClients() throws {
        let fixture = try String(contentsOfFile: epdPath("caresys/caresys.sql"), encoding: .utf8)
        let episode = "201\t1\tWijkverpleging\t2023-01-15\t\\N\n"
        let split = try #require(fixture.range(of: episode))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("shared-\(UUID().uuidString).sql").path
        try (fixture[..<split.upperBound] + "201\t2\tWijkverpleging\t2023-01-15\t\\N\n" + fixture[split.upperBound...])
            .write(toFile: path, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let decoded = try SieveRun(path, client: nil, sieve: false)
        for memory in [ExportOptions().linkMemory, 0] {
            let carried = try SieveRun(path, client: nil, sieve: true, linkMemory: memory)
            #expect(carried.dossiers == decoded.dossiers)
            #expect(carried.account == decoded.account)
            #expect(carried.decoded < decoded.decoded)
        }
        // Report 5001 is on episode 201: both clients' dossiers hold it now.
        #expect(decoded.dossiers.filter { $0.progressReports.contains { $0.id == "report-5001" } }.count == 2)
        let reportsRead = try #require(decoded.account.table("reports")).read
        #expect(decoded.account.table("reports")!.mapped + decoded.account.table("reports")!.rejected == reportsRead)
    }

    /// The one-pass scans that split and count COPY lines, against a byte-by-byte count, at every
    /// length and offset around their eight-byte words.
    @Test func scanCopyLineFindsEveryTabAndTheFirstBackslash() {
        let tabAt = UnsafeMutablePointer<Int>.allocate(capacity: 64)
        defer { tabAt.deallocate() }
        for n in 1..<40 {
            for special in [nil, 0x00, 0x0D] as [UInt8?] {
                var bytes = (0..<n).map { i -> UInt8 in i % 3 == 0 ? 0x09 : (i % 7 == 5 ? 0x5C : (i % 5 == 0 ? 0x89 : 0x41)) }
                if let special { bytes[n / 2] = special }
                let tabs = bytes.indices.filter { bytes[$0] == 0x09 }
                for wanted in [0, 2, 40] {
                    let scan = bytes.withUnsafeBufferPointer { scanCopyLine($0.baseAddress!, n, recording: wanted, into: tabAt) }
                    #expect(scan.tabs == tabs.count)
                    #expect(bytes.withUnsafeBufferPointer { countTabs($0.baseAddress!, n) } == tabs.count)
                    #expect(scan.backslash == (bytes.firstIndex(of: 0x5C) ?? Int.max))
                    #expect(scan.nulOrCR == (special != nil && bytes[n / 2] == special))
                    #expect(scan.ascii == bytes.allSatisfy { $0 < 0x80 })
                    #expect((0..<min(wanted, tabs.count)).map { tabAt[$0] } == Array(tabs.prefix(wanted)))
                }
            }
        }
    }
}
