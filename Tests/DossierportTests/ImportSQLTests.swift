import Foundation
import Testing
import DossierIO
import DossierModel
@testable import Dossierport

/// Bundles and scripts shared by the import tests.
enum ImportFixtures {
    static func tempDir() throws -> String { try TestEnv.tempDir().path }

    /// The fixture dossiers (or those in `source`) as a complete bundle without a purpose.
    static func bundle(in dir: String, source: String = TestEnv.dossiers) throws -> String {
        let path = dir + "/b.zip"
        let options = BundleOptions(createdAt: TestEnv.createdAt)
        let report = try Export.run(from: try CanonicalSource(path: source), to: try BundleDestination(path: path, options: options),
                                    options: ExportOptions(today: TestEnv.createdAt.date))
        #expect(!report.hasErrors)
        return path
    }

    static func script(_ bundle: String, _ target: ImportTarget, out: String) throws -> [UInt8] {
        let report = BundleImport.run(bundle: bundle, options: ImportOptions(target: target, output: out))
        #expect(report.loaded, "\(report.problems)")
        return Array(try Data(contentsOf: URL(fileURLWithPath: out)))
    }
}

/// Strings that break naive SQL: quotes, backslashes, line breaks, comment and dollar-quote
/// openers, MariaDB's ctrl-Z, multi-byte and combining characters, and random mixes of them.
enum NastyStrings {
    static let pieces = ["'", "''", "\\", "\\'", "\n", "\r\n", "\t", "--", "/*", "*/", ";", "$$", "$tag$", "\u{1A}", "\"", "`",
                         "😀", "👩‍⚕️", "é", "e\u{301}", "\u{2028}", "\u{FEFF}", "ß", "\\x00", "%", "_", "?", ":name", "\\N", " "]

    static func all() -> [String] {
        var rng = SplitMix64(seed: 0x5EED)
        var out = pieces + ["", "O'Brien", "C:\\temp\\new", "regel 1\nregel 2", "'; DROP TABLE clients; --"]
        for _ in 0..<300 {
            out.append((0..<Int(rng.next() % 8 + 1)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined())
        }
        return out
    }
}

@Suite struct SQLLiteralTests {
    func literal(_ s: String, _ d: SQLDialect) throws -> String {
        var out: [UInt8] = []
        try d.append(.text(s), to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads a literal back by the dialect's documented rules (PostgreSQL with
    /// standard_conforming_strings, `E''` strings with backslash escapes; SQLite: only `''`, and
    /// `|| char(13) ||` for a carriage return; MariaDB without NO_BACKSLASH_ESCAPES: backslash
    /// escapes), failing on any quote that would end the literal early.
    func unquote(_ lit: String, _ d: SQLDialect) -> String? {
        var bytes = Array(lit.utf8)
        let escapes = d == .mysql || bytes.first == 0x45
        if d == .postgres && bytes.first == 0x45 { bytes.removeFirst() }
        guard bytes.count >= 2, bytes.first == 0x27, bytes.last == 0x27 else { return nil }
        bytes = Array(bytes.dropFirst().dropLast())
        let cr = Array("' || char(13) || '".utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x27 && d == .sqlite && Array(bytes[i...].prefix(cr.count)) == cr {
                out.append(0x0D); i += cr.count
            } else if b == 0x27 {
                guard i + 1 < bytes.count, bytes[i + 1] == 0x27 else { return nil }
                out.append(0x27); i += 2
            } else if b == 0x5C && escapes {
                guard i + 1 < bytes.count else { return nil }
                switch bytes[i + 1] {
                case 0x5C: out.append(0x5C)
                case 0x72: out.append(0x0D)
                case 0x5A where d == .mysql: out.append(0x1A)
                default: return nil
                }
                i += 2
            } else if b == 0x0D {
                return nil
            } else {
                out.append(b); i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    @Test(arguments: SQLDialect.allCases)
    func everyNastyStringRoundTrips(_ d: SQLDialect) throws {
        for s in NastyStrings.all() {
            let lit = try literal(s, d)
            #expect(unquote(lit, d) == s, "\(d) literal of \(s.debugDescription)")
        }
    }

    /// The literals mean the same to a real SQLite as to the rules above.
    @Test func sqliteReadsEveryLiteralBack() throws {
        let strings = NastyStrings.all()
        let dir = try ImportFixtures.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sql = try strings.map { "SELECT hex(\(try literal($0, .sqlite)));" }.joined(separator: "\n")
        try sql.write(toFile: dir + "/q.sql", atomically: false, encoding: .utf8)
        let r = try TestEnv.run("sqlite3", [":memory:"], stdinFile: dir + "/q.sql")
        #expect(r.status == 0)
        let hex = r.out.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(hex.count == strings.count)
        for (s, h) in zip(strings, hex) {
            #expect(h == Array(s.utf8).map { String(format: "%02X", $0) }.joined(), "\(s.debugDescription)")
        }
    }

    /// The scan for bytes to escape goes eight bytes at a time: each special byte at every offset
    /// of a word, and past the last whole word, must still be found.
    @Test(arguments: SQLDialect.allCases)
    func specialBytesAreFoundAtEveryOffset(_ d: SQLDialect) throws {
        for special in ["'", "\\", "\r", "\u{1A}"] {
            for length in [1, 7, 8, 9, 16, 19] {
                for at in 0..<length {
                    let s = String(repeating: "a", count: at) + special + String(repeating: "b", count: length - at - 1)
                    #expect(unquote(try literal(s, d), d) == s, "\(d) \(special.debugDescription) at \(at) of \(length)")
                }
            }
        }
        #expect(throws: DossierError.self) { try literal(String(repeating: "a", count: 11) + "\u{0}", d) }
    }

    /// Between two special bytes the run of plain bytes is copied whole: every pair, at every
    /// two offsets, with runs shorter and longer than a word between and after them.
    @Test(arguments: SQLDialect.allCases)
    func runsBetweenSpecialBytesArriveWhole(_ d: SQLDialect) throws {
        let specials = ["'", "\\", "\r", "\u{1A}"]
        for first in specials {
            for second in specials {
                for length in [2, 9, 19] {
                    for at in 0..<length {
                        for at2 in (at + 1)..<length {
                            var chars = (0..<length).map { String(UnicodeScalar(UInt8(0x61 + $0 % 26))) }
                            chars[at] = first
                            chars[at2] = second
                            let s = chars.joined()
                            #expect(unquote(try literal(s, d), d) == s, "\(d) \(s.debugDescription)")
                        }
                    }
                }
            }
        }
    }

    @Test(arguments: SQLDialect.allCases)
    func nulIsRefused(_ d: SQLDialect) {
        #expect(throws: DossierError.self) { try literal("a\u{0}b", d) }
    }

    @Test func scalarLiteralsPerDialect() throws {
        func lit(_ v: SQLValue, _ d: SQLDialect) throws -> String {
            var out: [UInt8] = []
            try d.append(v, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
        let date = SQLValue.date(LocalDate(iso: "2012-02-29")!)
        #expect(try lit(date, .postgres) == "DATE '2012-02-29'")
        #expect(try lit(date, .sqlite) == "'2012-02-29'")
        #expect(try lit(.null, .mysql) == "NULL")
        #expect(try lit(.boolean(true), .sqlite) == "TRUE")
    }
}

@Suite struct SQLScriptTests {
    @Test(arguments: [ImportTarget.postgres, .mysql, .sqlite])
    func sameBundleGivesTheSameScript(_ target: ImportTarget) throws {
        let dir = try ImportFixtures.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bundle = try ImportFixtures.bundle(in: dir)
        let a = try ImportFixtures.script(bundle, target, out: dir + "/a.sql")
        let b = try ImportFixtures.script(bundle, target, out: dir + "/b.sql")
        #expect(a == b)
        #expect(a.count > 10_000)
    }

    /// export.json's dossier list set aside on disk after one entry gives the same script, report
    /// and files as one held in memory, and leaves nothing of itself behind.
    @Test(arguments: [ImportTarget.postgres, .sqlite, .files])
    func dossierListOnDiskGivesTheSameImport(_ target: ImportTarget) throws {
        let dir = try ImportFixtures.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bundle = try ImportFixtures.bundle(in: dir)
        var outputs: [[String: [UInt8]]] = []
        var reports: [ImportReport] = []
        for held in [4096, 1, 0] {
            var options = ImportOptions(target: target, output: dir + "/out-\(held)" + (target == .files ? "" : ".sql"))
            options.dossiersHeld = held
            let report = BundleImport.run(bundle: bundle, options: options)
            #expect(report.loaded, "\(report.problems)")
            reports.append(report)
            var files: [String: [UInt8]] = [:]
            if target == .files {
                for f in try FileManager.default.subpathsOfDirectory(atPath: options.output) where !f.hasSuffix("/") {
                    var isDir: ObjCBool = false
                    if FileManager.default.fileExists(atPath: options.output + "/" + f, isDirectory: &isDir), !isDir.boolValue {
                        files[f] = Array(try Data(contentsOf: URL(fileURLWithPath: options.output + "/" + f)))
                    }
                }
            } else {
                files[""] = Array(try Data(contentsOf: URL(fileURLWithPath: options.output)))
            }
            outputs.append(files)
        }
        #expect(outputs[0].count >= 1 && outputs[0].values.allSatisfy { !$0.isEmpty })
        #expect(outputs[1] == outputs[0] && outputs[2] == outputs[0])
        #expect(reports[0].dossierIDs.count == 7)
        #expect(reports.allSatisfy { $0.dossierIDs == reports[0].dossierIDs && $0.entities == reports[0].entities })
    }

    /// The conflict guard is in the script, before the merge, and rejected dossiers leave the stage
    /// before any row reaches a real table.
    @Test(arguments: [ImportTarget.postgres, .mysql, .sqlite])
    func conflictGuardPrecedesTheMerge(_ target: ImportTarget) throws {
        let dir = try ImportFixtures.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = String(decoding: try ImportFixtures.script(try ImportFixtures.bundle(in: dir), target, out: dir + "/s.sql"), as: UTF8.self)
        let dialect = target.dialect!
        let guardSQL = "c.bsn = s.bsn AND " + dialect.distinct("c.date_of_birth", "s.date_of_birth")
        let conflict = try #require(text.range(of: guardSQL))
        let reject = try #require(text.range(of: "DELETE FROM stage_clients WHERE EXISTS (SELECT 1 FROM import_conflicts"))
        let merge = try #require(text.range(of: "INSERT INTO clients ("))
        #expect(conflict.lowerBound < reject.lowerBound && reject.lowerBound < merge.lowerBound)
        #expect(text.hasSuffix("COMMIT;\n"))
        #expect(text.contains(dialect == .mysql ? "ON DUPLICATE KEY UPDATE" : "ON CONFLICT (origin_kvk, dossier_id, record_id) DO UPDATE"))
    }

    /// Document bytes are in the script as the dialect's binary literal, taken from the bundle.
    @Test(arguments: [(ImportTarget.postgres, "'\\x", "'::bytea"), (.mysql, "X'", "'"), (.sqlite, "X'", "'")])
    func documentBytesAreBinaryLiterals(_ target: ImportTarget, _ open: String, _ close: String) throws {
        let dir = try ImportFixtures.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = String(decoding: try ImportFixtures.script(try ImportFixtures.bundle(in: dir), target, out: dir + "/s.sql"), as: UTF8.self)
        for name in ["doc-10101.pdf", "doc-10301.txt", "doc-10501.jpg"] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: TestEnv.dossiers + "/documents/" + name))
            #expect(text.contains(open + bytes.map { String(format: "%02x", $0) }.joined() + close), "\(name)")
        }
    }

    @Test(arguments: SQLDialect.allCases)
    func shippedDDLMatchesTheSchema(_ d: SQLDialect) throws {
        let path = TestEnv.root.appendingPathComponent("formats/staging/\(d.rawValue).sql")
        #expect(try String(contentsOf: path, encoding: .utf8) == SQLStagingSchema.ddl(for: d))
    }

    /// Running the script twice in a real SQLite leaves the same rows, and the second run reports
    /// every row unchanged.
    @Test func sqliteLoadIsIdempotent() throws {
        let dir = try ImportFixtures.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try ImportFixtures.script(try ImportFixtures.bundle(in: dir), .sqlite, out: dir + "/s.sql")
        func load() throws -> String {
            let r = try TestEnv.run("sqlite3", ["-bail", dir + "/r.db"], stdinFile: dir + "/s.sql")
            #expect(r.status == 0, "\(r.err)")
            return r.out
        }
        let first = try load(), second = try load()
        #expect(first.contains("summary|progress_reports|14|0|0|0"))
        #expect(second.contains("summary|progress_reports|0|0|14|0"))
        #expect(second.contains("summary|clients|0|0|7|0"))
    }

    @Test func filesTargetWritesOneLinePerRecord() throws {
        let dir = try ImportFixtures.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bundle = try ImportFixtures.bundle(in: dir)
        let report = BundleImport.run(bundle: bundle, options: ImportOptions(target: .files, output: dir + "/out"))
        #expect(report.loaded)
        for e in report.entities where e.table != "dossiers" {
            let text = try String(contentsOfFile: dir + "/out/\(e.table).ndjson", encoding: .utf8)
            #expect(text.split(separator: "\n").count == e.records, "\(e.table)")
            #expect(e.added == e.records)
            let csv = try String(contentsOfFile: dir + "/out/\(e.table).csv", encoding: .utf8)
            #expect(csv.hasPrefix("origin_kvk,dossier_id,record_id,"))
        }
        let clients = try String(contentsOfFile: dir + "/out/clients.csv", encoding: .utf8)
        #expect(clients.contains("74185296,ZDL-000101,cl-101,101,656063622,Z.A.,Zoë Anaïs,Zoë,de,Vries,,,2012-02-29,"))
        let reports = try String(contentsOfFile: dir + "/out/progress_reports.ndjson", encoding: .utf8)
        #expect(reports.hasPrefix("{\"dossier_id\":\"ZDL-000101\",\"origin_kvk\":\"74185296\",\"record\":{"))
        let docs = try FileManager.default.subpathsOfDirectory(atPath: dir + "/out/documents").filter { $0.contains(".") }
        #expect(docs.count == 5)
    }

    @Test func invalidBundleWritesNothing() throws {
        let dir = try ImportFixtures.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("not a zip".utf8).write(to: URL(fileURLWithPath: dir + "/bad.zip"))
        let report = BundleImport.run(bundle: dir + "/bad.zip", options: ImportOptions(target: .postgres, output: dir + "/out.sql"))
        #expect(!report.loaded)
        #expect(!report.problems.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["bad.zip"])
    }
}

@Suite struct SQLiteDatabaseImportTests {
    /// The report of `--database` is the database's own account: additions first, then nothing
    /// changed, then a dossier whose BSN is known with another birth date is rejected and listed.
    @Test func reportsWhatTheDatabaseDid() throws {
        let dir = try ImportFixtures.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bundle = try ImportFixtures.bundle(in: dir)
        let options = ImportOptions(target: .sqlite, output: "-")
        let first = BundleImport.runSQLite(bundle: bundle, database: dir + "/r.db", options: options)
        let second = BundleImport.runSQLite(bundle: bundle, database: dir + "/r.db", options: options)
        #expect(first.loaded && second.loaded)
        let clients = { (r: ImportReport) in r.entities.first { $0.table == "clients" } }
        #expect(clients(first)?.added == 7)
        #expect(clients(second)?.unchanged == 7 && clients(second)?.added == 0)

        // The same client (BSN) under a new dossier id with another birth date.
        let src = dir + "/conflict"
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        var text = try String(contentsOfFile: TestEnv.dossiers + "/ZDL-000104.json", encoding: .utf8)
        let bsn104 = try #require(text.firstMatch(of: /"bsn": "(\d{9})"/)).1
        text = text.replacingOccurrences(of: "\"id\": \"ZDL-000104\"", with: "\"id\": \"ZDL-900104\"")
            .replacingOccurrences(of: "\"dateOfBirth\": \"1987-01-01\"", with: "\"dateOfBirth\": \"1987-01-02\"")
        try text.write(toFile: src + "/ZDL-900104.json", atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/c", withIntermediateDirectories: true)
        let conflicting = try ImportFixtures.bundle(in: dir + "/c", source: src)
        let third = BundleImport.runSQLite(bundle: conflicting, database: dir + "/r.db", options: options)
        #expect(third.loaded)
        #expect(third.conflicts == [ImportReport.ImportConflict(dossierID: "ZDL-900104", reason: "bsn-birth-date-mismatch")])
        #expect(clients(third)?.rejected == 1 && clients(third)?.added == 0)

        // Inside one bundle: two new dossiers give one new BSN two birth dates; both are rejected.
        let twins = dir + "/twins"
        try FileManager.default.createDirectory(atPath: twins, withIntermediateDirectories: true)
        for (id, born) in [("ZDL-800001", "1990-05-01"), ("ZDL-800002", "1990-05-02")] {
            // 111222333 passes the elfproef: 9·1 + 8·1 + 7·1 + 6·2 + 5·2 + 4·2 + 3·3 + 2·3 − 3 = 66.
            try text.replacingOccurrences(of: "\"id\": \"ZDL-900104\"", with: "\"id\": \"\(id)\"")
                .replacingOccurrences(of: "\"dateOfBirth\": \"1987-01-02\"", with: "\"dateOfBirth\": \"\(born)\"")
                .replacingOccurrences(of: "\"bsn\": \"\(bsn104)\"", with: "\"bsn\": \"111222333\"")
                .write(toFile: twins + "/\(id).json", atomically: false, encoding: .utf8)
        }
        try FileManager.default.createDirectory(atPath: dir + "/t", withIntermediateDirectories: true)
        let fourth = BundleImport.runSQLite(bundle: try ImportFixtures.bundle(in: dir + "/t", source: twins), database: dir + "/r.db", options: options)
        #expect(fourth.loaded, "\(fourth.problems)")
        #expect(fourth.conflicts.map(\.dossierID) == ["ZDL-800001", "ZDL-800002"])
        #expect(fourth.conflicts.allSatisfy { $0.reason == "bsn-birth-date-mismatch-in-bundle" })
        #expect(clients(fourth)?.rejected == 2)
    }
}
