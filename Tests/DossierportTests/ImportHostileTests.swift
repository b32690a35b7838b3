import Foundation
import Testing

/// Every bundle in `fixtures/hostile/bundles` (made by its `make.py`) through the built
/// `dossierport import`, as a receiver would run it: each must fail with its expected error code
/// and leave the output folder as it was; the controls beside them must load.
@Suite struct ImportHostileTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var code: String
        var args: [String]
        var testDescription: String { file }
    }

    static let folder = TestEnv.root.appendingPathComponent("fixtures/hostile/bundles")

    static let cases: [Case] = {
        let text = (try? String(contentsOf: folder.appendingPathComponent("expected.tsv"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Case(file: f[0], code: f[1], args: f.count > 2 ? f[2].split(separator: " ").map(String.init) : [])
        }
    }()

    /// The executable sits beside the test bundle in the build folder.
    static let binary: URL = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("dossierport")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return TestEnv.root.appendingPathComponent(".build/debug/dossierport")
    }()


    @Test func corpusIsComplete() {
        #expect(Self.cases.filter { $0.code != "OK" }.count >= 25)
        #expect(Self.cases.contains { $0.code == "OK" })
    }

    /// Nothing is written for a refused bundle: no script, and with `--target files`, which stages
    /// its folder while the bundle is checked, neither the folder nor its hidden staging sibling.
    @Test(arguments: cases, ["postgres", "files"])
    func hostileBundleIsRefusedAndNothingIsWritten(_ c: Case, _ target: String) throws {
        let dir = try ImportFixtures.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = target == "files" ? "out" : "out.sql"
        let r = try TestEnv.run(Self.binary.path, ["import", Self.folder.appendingPathComponent(c.file).path, "--target", target,
                                                   "--out", dir + "/" + out] + c.args, cwd: TestEnv.root)
        let written = try FileManager.default.contentsOfDirectory(atPath: dir)
        if c.code == "OK" {
            #expect(r.status == 0, "\(r.err)")
            #expect(written == [out])
        } else {
            #expect(r.status == 1)
            #expect(r.err.contains("[\(c.code)]"), "\(r.err)")
            #expect(written.isEmpty, "import left \(written)")
        }
    }

    /// Standard output is staged: a refused bundle prints no script at all, not the part written
    /// before the failure was found, and an accepted one prints exactly the script `--out` writes.
    @Test(arguments: cases)
    func standardOutputGetsTheWholeScriptOrNothing(_ c: Case) throws {
        let dir = try ImportFixtures.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let bundle = Self.folder.appendingPathComponent(c.file).path
        let r = try TestEnv.run(Self.binary.path, ["import", bundle, "--target", "postgres"] + c.args, cwd: TestEnv.root)
        if c.code == "OK" {
            let f = try TestEnv.run(Self.binary.path, ["import", bundle, "--target", "postgres", "--out", dir + "/out.sql"] + c.args,
                                    cwd: TestEnv.root)
            #expect(r.status == 0 && f.status == 0, "\(r.err)")
            #expect(r.out == (try String(contentsOfFile: dir + "/out.sql", encoding: .utf8)))
        } else {
            #expect(r.status == 1)
            #expect(r.out.isEmpty)
        }
    }
}
