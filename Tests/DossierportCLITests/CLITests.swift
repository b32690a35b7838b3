import DossierIO
import Foundation
import Testing

/// Runs the built `dossierport` binary as a user would, and checks exit codes, output and files.
struct CLI {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("fixtures")

    /// The executable sits beside the test bundle in the build folder.
    static let binary: URL = {
        let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = here.deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("dossierport")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return root.appendingPathComponent(".build/debug/dossierport")
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var stdoutBytes: Data
    }

    /// This test process's scratch folder (0700), removed with what tests leave in it when the process exits.
    static let scratchFolder = try! PrivateFolder(under: NSTemporaryDirectory(), prefix: "dossierport-cli")
    static var scratch: URL { URL(fileURLWithPath: scratchFolder.path) }
    static let log = scratch.appendingPathComponent("export-log.ndjson")

    @discardableResult
    static func run(_ args: [String], stdin: Data? = nil, cwd: URL? = nil) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = cwd ?? FileManager.default.temporaryDirectory
        // Each run logs into a throwaway export log, never the user's own.
        var env = ProcessInfo.processInfo.environment
        env["DOSSIERPORT_LOG"] = log.path
        p.environment = env
        // Output goes to files rather than pipes, so a large output can never block the child.
        let dir = try tempDir()
        let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? FileManager.default.removeItem(at: dir) }
        p.standardOutput = out
        p.standardError = err
        if let stdin {
            let inURL = dir.appendingPathComponent("stdin")
            try stdin.write(to: inURL)
            p.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            p.standardInput = FileHandle.nullDevice
        }
        try p.run()
        p.waitUntilExit()
        try out.close()
        try err.close()
        let o = try Data(contentsOf: outURL), e = try Data(contentsOf: errURL)
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                      stderr: String(decoding: e, as: UTF8.self), stdoutBytes: o)
    }

    static func tempDir() throws -> URL {
        let u = scratch.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }
}

@Suite struct HelpAndUsage {
    @Test func helpListsCommandsAndExitCodes() throws {
        let r = try CLI.run(["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("export") && r.stdout.contains("validate") && r.stdout.contains("Exit codes"))
    }

    @Test(arguments: ["export", "bundle", "verify", "inspect", "validate", "log"])
    func everyCommandHasHelp(_ command: String) throws {
        let r = try CLI.run([command, "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Usage: dossierport \(command)"))
        #expect(r.stdout.contains("Exit codes"))
    }

    @Test func usageErrorsExit64() throws {
        #expect(try CLI.run(["frobnicate"]).status == 64)
        #expect(try CLI.run(["export", "--no-such-option"]).status == 64)
        #expect(try CLI.run(["export", "--format", "yaml"]).status == 64)
        #expect(try CLI.run(["validate"]).status == 64)
    }
}

@Suite struct ExportCommandTests {
    @Test func exportsTheSampleOrganisationByDefault() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("export")
        let r = try CLI.run(["export", "--out", out.path], cwd: CLI.root)
        #expect(r.status == 0, "\(r.stderr)")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".json") }.sorted()
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: CLI.fixtures.appendingPathComponent("dossiers").path)
            .filter { $0.hasSuffix(".json") }.sorted()
        #expect(files == fixtures)
        #expect(r.stderr.contains("dossiers: \(fixtures.count) read, \(fixtures.count) written, 0 rejected"))
        // Documents travel beside the dossiers and are checked on the way.
        let docs = try FileManager.default.subpathsOfDirectory(atPath: out.appendingPathComponent("documents").path)
        #expect(docs.contains { $0.hasSuffix(".pdf") })
        // The exported files validate.
        let v = try CLI.run(["validate"] + files.map { out.appendingPathComponent($0).path })
        #expect(v.status == 0, "\(v.stderr)")
    }

    /// `--all` is the spelling of the default; it says so explicitly and excludes `--client`.
    @Test func allIsEveryClientAndExcludesOne() throws {
        let plain = try CLI.run(["export", "--format", "ndjson", "--out", "-"], cwd: CLI.root)
        let all = try CLI.run(["export", "--all", "--format", "ndjson", "--out", "-"], cwd: CLI.root)
        #expect(plain.status == 0 && all.status == 0, "\(all.stderr)")
        #expect(all.stdout.split(separator: "\n").count == 7)
        #expect(all.stdoutBytes == plain.stdoutBytes)
        let both = try CLI.run(["export", "--all", "--client", "ZDL-000102", "--out", "-"], cwd: CLI.root)
        #expect(both.status == 64 && both.stderr.contains("--all and --client exclude each other"))
        let bundle = try CLI.run(["bundle", "--all", "--client", "ZDL-000102", "--out", "/nonexistent/x.zip"], cwd: CLI.root)
        #expect(bundle.status == 64)
    }

    @Test func sameInputGivesByteIdenticalOutput() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for f in ["json", "ndjson", "xml"] {
            let a = try CLI.run(["export", "--format", f, "--out", "-", "--client", "ZDL-000102"], cwd: CLI.root)
            let b = try CLI.run(["export", "--format", f, "--out", "-", "--client", "ZDL-000102"], cwd: CLI.root)
            #expect(a.status == 0 && b.status == 0, "\(a.stderr)")
            #expect(!a.stdoutBytes.isEmpty && a.stdoutBytes == b.stdoutBytes, "\(f) output differs between runs")
        }
        _ = dir
    }

    @Test func refusesToMixWithAnExistingFolder() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("x".utf8).write(to: dir.appendingPathComponent("keep.txt"))
        let r = try CLI.run(["export", "--out", dir.path], cwd: CLI.root)
        #expect(r.status == 1)
        #expect(r.stderr.contains("not empty"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["keep.txt"])
    }

    @Test func anInvalidDossierLeavesNoOutput() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = dir.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: src, withIntermediateDirectories: true)
        for name in ["ZDL-000101.json", "ZDL-000104.json"] {
            try FileManager.default.copyItem(at: CLI.fixtures.appendingPathComponent("dossiers/\(name)"), to: src.appendingPathComponent(name))
        }
        try FileManager.default.copyItem(at: CLI.fixtures.appendingPathComponent("dossiers/documents"), to: src.appendingPathComponent("documents"))
        try FileManager.default.copyItem(at: CLI.fixtures.appendingPathComponent("invalid/bsn-elfproef.json"),
                                         to: src.appendingPathComponent("ZZ-bad.json"))
        let out = dir.appendingPathComponent("out")
        let r = try CLI.run(["export", "--source", src.path, "--out", out.path, "--format", "ndjson"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("elfproef"))
        #expect(!FileManager.default.fileExists(atPath: out.path), "a failed export must leave nothing under the output name")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["src"], "no temporary folder may remain")
        // The BSN itself never appears in a message.
        #expect(!r.stderr.contains("555763676"))
    }
}

@Suite struct ValidateCommandTests {
    static let invalid = CLI.fixtures.appendingPathComponent("invalid")

    /// Each invalid fixture with what the error must say (fixtures/invalid/README.md).
    @Test(arguments: [
        ("malformed-missing-comma.json", "malformed-missing-comma.json:4:3:"),
        ("cp1252.json", "cp1252.json:30:24:"),
        ("bsn-elfproef.json", "$.client.bsn"),
        ("dangling-reference.json", "$.corrections[0].targetRecord"),
        ("schema-version.json", "schema version"),
        ("duplicate-id.json", "$.progressReports[1].id"),
        ("impossible-date.json", "impossible-date.json:33:"),
        ("unknown-field.json", "favouriteColour"),
        ("xsd-violation.xml", "xsd-violation.xml:38:"),
    ])
    func rejectsWithPosition(_ file: String, _ mustSay: String) throws {
        let r = try CLI.run(["validate", Self.invalid.appendingPathComponent(file).path])
        #expect(r.status == 1, "\(file) must be rejected")
        #expect(r.stderr.contains(mustSay), "\(file): \(r.stderr)")
        #expect(r.stderr.contains("error:"))
    }

    @Test func acceptsEveryFixture() throws {
        let dir = CLI.fixtures.appendingPathComponent("dossiers")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
        let r = try CLI.run(["validate"] + files.map { dir.appendingPathComponent($0).path })
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("\(files.count) dossier(s), 0 error(s)"))
    }

    @Test func machineReadableResult() throws {
        let r = try CLI.run(["validate", "--json", Self.invalid.appendingPathComponent("bsn-elfproef.json").path])
        #expect(r.status == 1)
        let obj = try JSONSerialization.jsonObject(with: r.stdoutBytes) as? [String: Any]
        let diags = (obj?["diagnostics"] as? [String: Any])?["listed"] as? [[String: Any]]
        #expect(diags?.first?["code"] as? String == "bsn.elfproef")
    }

    @Test func readsNDJSONFromStandardInput() throws {
        let export = try CLI.run(["export", "--format", "ndjson", "--out", "-"], cwd: CLI.root)
        #expect(export.status == 0)
        let r = try CLI.run(["validate", "-"], stdin: export.stdoutBytes)
        #expect(r.status == 0, "\(r.stderr)")
    }
}

@Suite struct LogCommandTests {
    @Test func everyExportIsLoggedAndTheChainVerifies() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("log.ndjson").path
        #expect(try CLI.run(["export", "--log", log, "--purpose", "access", "--out", dir.appendingPathComponent("a").path], cwd: CLI.root).status == 0)
        #expect(try CLI.run(["bundle", "--log", log, "--on-behalf-of", "dr. Visser", "--created-at", "2026-11-22T10:00:00Z",
                             "--out", dir.appendingPathComponent("b.zip").path], cwd: CLI.root).status == 0)
        let v = try CLI.run(["log", "verify", log])
        #expect(v.status == 0, "\(v.stderr)")
        #expect(v.stderr.contains("2 entries, chain intact"))
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("\"responsibleUser\":\"dr. Visser\"") && text.contains("\"bundleSHA256\":"))
        // Editing a line is reported with its line number.
        try text.replacingOccurrences(of: "\"event\":\"export\"", with: "\"event\":\"exp0rt\"").write(toFile: log, atomically: false, encoding: .utf8)
        let bad = try CLI.run(["log", "verify", log])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("log.ndjson:1: error:"))
    }
}

@Suite struct ExportBundleAliasTests {
    @Test func exportWithBundleWritesTheSameBundleAsTheBundleCommand() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.zip").path, b = dir.appendingPathComponent("b.zip").path
        let common = ["--purpose", "portability", "--created-at", "2026-11-22T10:00:00Z"]
        #expect(try CLI.run(["export", "--bundle", a] + common, cwd: CLI.root).status == 0)
        #expect(try CLI.run(["bundle", "--out", b] + common, cwd: CLI.root).status == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: a)) == Data(contentsOf: URL(fileURLWithPath: b)))
        #expect(try CLI.run(["export", "--bundle", a, "--format", "xml"], cwd: CLI.root).status == 64)
    }
}

@Suite struct ArchiveLimits {
    /// A receiver sets the archive limits on the command line: a bundle over them is refused
    /// unread, with exit 1 and nothing written, and the same bundle passes within them.
    @Test func limitsFromTheCommandLineRefuseOrAdmitABundle() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let zip = dir.appendingPathComponent("b.zip").path
        #expect(try CLI.run(["bundle", "--out", zip, "--created-at", "2026-11-22T10:00:00Z"], cwd: CLI.root).status == 0)
        for (flags, message) in [(["--max-entries", "5"], "over the 5-entry limit"), (["--max-size", "1K"], "more than the 1024-byte limit")] {
            for command in [["verify", zip], ["inspect", zip], ["import", zip, "--target", "sqlite", "--out", dir.appendingPathComponent("s.sql").path]] {
                let r = try CLI.run(command + flags)
                #expect(r.status == 1, "\(command) \(flags)")
                #expect(r.stderr.contains(message), "\(command) \(flags): \(r.stderr)")
            }
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("s.sql").path))
        }
        #expect(try CLI.run(["verify", zip, "--max-entries", "1000", "--max-size", "1G", "--max-ratio", "2000"]).status == 0)
        #expect(try CLI.run(["verify", zip, "--max-size", "12X"]).status == 64)
        #expect(try CLI.run(["verify", zip, "--max-entries", "-3"]).status == 64)
    }
}
