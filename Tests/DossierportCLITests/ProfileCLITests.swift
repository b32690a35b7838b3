import Foundation
import Testing

/// `export --profile`, `bundle --profile` and `profile check`, run as a user would.
@Suite struct ProfileCLITests {
    static let profile = CLI.fixtures.appendingPathComponent("profiles/seed-dumps.json").path
    static func dump(_ name: String) -> String { CLI.fixtures.appendingPathComponent("dumps/\(name)").path }

    /// A copy of a fixture dump, edited as text, in `dir`.
    static func edited(_ name: String, in dir: URL, _ edit: (String) -> String) throws -> String {
        let text = try String(contentsOfFile: dump(name), encoding: .utf8)
        let path = dir.appendingPathComponent("\(UUID().uuidString)-" + name).path
        try Data(edit(text).utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func helpDescribesProfilesAndExitCodes() throws {
        let p = try CLI.run(["profile", "--help"])
        #expect(p.status == 0)
        #expect(p.stdout.contains("Usage: dossierport profile check PROFILE --source PATH") && p.stdout.contains("Exit codes"))
        for command in ["export", "bundle"] {
            let r = try CLI.run([command, "--help"])
            #expect(r.stdout.contains("--profile"))
        }
        #expect(try CLI.run(["--help"]).stdout.contains("profile"))
        #expect(try CLI.run(["export", "--profile", Self.profile]).status == 64)
        #expect(try CLI.run(["profile", "check", Self.profile]).status == 64)
        #expect(try CLI.run(["export", "--spill-dir", "/tmp"]).status == 64)
    }

    @Test func exportPrintsTheRowAccountAndTheRejectedRows() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), report = dir.appendingPathComponent("report.json")
        let r = try CLI.run(["export", "--profile", Self.profile, "--source", Self.dump("mariadb-default.sql"), "--format", "ndjson",
                             "--out", out.path, "--date", "2026-11-22", "--keep-going", "--report", report.path])
        // The seed's document without content is rejected: the valid part is written, the exit code says so.
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(Self.dump("mariadb-default.sql")):"))
        #expect(r.stderr.contains(": documents#3: error: document content column is empty"))
        #expect(r.stderr.range(of: #"documents\s+8\s+7\s+1\s+0\s+0"#, options: .regularExpression) != nil)
        #expect(r.stderr.range(of: #"progressReports\s+72\s+72\s+0\s+0\s+72"#, options: .regularExpression) != nil)
        #expect(r.stderr.contains("dossiers assembled: 36; every row is accounted for"))
        #expect(r.stderr.contains("export finished with errors"))
        let lines = try String(contentsOf: out.appendingPathComponent("dossiers.ndjson"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 36)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any]
        let account = json?["account"] as? [String: Any]
        #expect((account?["tables"] as? [[String: Any]])?.count == 3)
        #expect(json?["sourceErrors"] as? Int == 1)
    }

    /// The CareSys profile maps no creation dates, so with an organisation's retention policy
    /// every record gives a warning: they are counted by code, the first 100 shown and the first
    /// 10,000 listed in the report, and two runs write the same report bytes (the counts by code
    /// had come out in hash order, which differs between processes).
    @Test func aWarningOnEveryRecordIsCountedNotListedWithoutEnd() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let dump = dir.appendingPathComponent("caresys-2.sql").path
        let generate = Process()
        generate.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        generate.arguments = ["python3", CLI.fixtures.appendingPathComponent("epd/generate-large.py").path, "2", dump]
        try generate.run()
        generate.waitUntilExit()
        #expect(generate.terminationStatus == 0)
        var reports: [Data] = []
        for name in ["a.json", "b.json"] {
            let report = dir.appendingPathComponent(name)
            let r = try CLI.run(["export", "--profile", CLI.fixtures.appendingPathComponent("epd/caresys/caresys.json").path,
                                 "--source", dump, "--organisation", CLI.fixtures.appendingPathComponent("organisation.json").path,
                                 "--format", "ndjson", "--out", "-", "--date", "2026-11-22", "--report", report.path])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.split(separator: "\n").count == 2)
            let warnings = r.stderr.split(separator: "\n").filter { $0.contains(": warning: record has no createdAt") }
            #expect(warnings.count == 100)
            #expect(r.stderr.contains("... and 336 more diagnostic(s): retention.undated 336 (--report FILE lists more)"))
            reports.append(try Data(contentsOf: report))
        }
        #expect(reports[0] == reports[1])
        let json = try JSONSerialization.jsonObject(with: reports[0]) as? [String: Any]
        let diagnostics = json?["diagnostics"] as? [String: Any]
        #expect((diagnostics?["listed"] as? [Any])?.count == 436)
        #expect(diagnostics?["omitted"] as? Int == 0 && diagnostics?["warnings"] as? Int == 436)
        #expect((diagnostics?["counts"] as? [String: Int]) == ["retention.undated": 436])
    }

    @Test func aRejectedRowFailsTheRunAndLeavesNothing() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run(["export", "--profile", Self.profile, "--source", Self.dump("pg-default.sql"), "--out", out.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("export failed: nothing was written"))
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func oneClientByKeyToStandardOutputAndIntoABundle() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["export", "--profile", Self.profile, "--source", Self.dump("sqlite.sql"), "--client", "7",
                             "--format", "ndjson", "--out", "-"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").count == 1)
        #expect(r.stdout.contains("\"id\":\"dossier-seed-client-7\""))
        // To standard output documents do not travel, so no staging path is left in the record.
        let five = try CLI.run(["export", "--profile", Self.profile, "--source", Self.dump("sqlite.sql"), "--client", "5",
                                "--format", "ndjson", "--out", "-"])
        #expect(five.status == 0, "\(five.stderr)")
        #expect(five.stdout.contains("seed-doc-5") && !five.stdout.contains("\"path\""))

        let bundle = dir.appendingPathComponent("b.zip")
        let b = try CLI.run(["bundle", "--profile", Self.profile, "--source", Self.dump("pg-inserts.sql"), "--client", "1",
                             "--out", bundle.path, "--created-at", "2026-11-22T10:00:00Z"])
        #expect(b.status == 0, "\(b.stderr)")
        let v = try CLI.run(["verify", bundle.path])
        #expect(v.status == 0, "\(v.stderr)")
        let listing = try CLI.run(["inspect", bundle.path])
        #expect(listing.stdout.contains("dossier-seed-client-1"))
    }

    @Test func malformedSourcesExitOneWithFileAndLine() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let truncated = try Self.edited("pg-default.sql", in: dir) { String($0.prefix($0.count / 2)) }
        let columns = try Self.edited("sqlite.sql", in: dir) { $0.replacingOccurrences(of: "VALUES(2,'Zoë',", with: "VALUES(2,") }
        let extraTable = try Self.edited("sqlite.sql", in: dir) {
            $0.replacingOccurrences(of: "COMMIT;", with: "CREATE TABLE extra (id INTEGER);\nINSERT INTO extra VALUES(1);\nCOMMIT;")
        }
        let badUTF8 = dir.appendingPathComponent("bad-utf8.sql").path
        var bytes = try Data(contentsOf: URL(fileURLWithPath: Self.dump("sqlite.sql")))
        bytes.replaceSubrange(bytes.range(of: Data("Zoë".utf8))!, with: [0x5A, 0x6F, 0xEB])
        try bytes.write(to: URL(fileURLWithPath: badUTF8))
        for (source, expected) in [(truncated, ":\\d+:\\d+: error: the input ends"), (columns, ":5:\\d+: error: a row of table clients does not have 6 values"),
                                   (badUTF8, ":5:\\d+: error: a value is not valid UTF-8"),
                                   (extraTable, ":\\d+: extra: error: table extra is not in the profile")] {
            let out = dir.appendingPathComponent("out-\(UUID().uuidString)")
            let r = try CLI.run(["export", "--profile", Self.profile, "--source", source, "--out", out.path])
            #expect(r.status == 1, "\(source)")
            let pattern = NSRegularExpression.escapedPattern(for: source) + expected
            #expect(r.stderr.range(of: pattern, options: .regularExpression) != nil, "\(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
    }

    @Test func profileCheckReportsAnUnknownColumn() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let broken = dir.appendingPathComponent("broken.json")
        let text = try String(contentsOfFile: Self.profile, encoding: .utf8)
        try Data(text.replacingOccurrences(of: #""text": "body""#, with: #""text": "inhoud""#).utf8).write(to: broken)
        let r = try CLI.run(["profile", "check", broken.path, "--source", Self.dump("pg-default.sql")])
        #expect(r.status == 1)
        #expect(r.stderr.contains("reports: error: table reports has no column 'inhoud' at $.mappings[0].fields['text']"))
        let ok = try CLI.run(["profile", "check", Self.profile, "--source", Self.dump("pg-default.sql")])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stderr.contains("0 error(s)"))
    }
}
