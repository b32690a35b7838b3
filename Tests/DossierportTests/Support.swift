import DossierIO
import Foundation
import DossierModel
import DossierCrypto
import DossierBundle
import DossierPolicy
import Dossierport

/// Fixture paths and small helpers shared by the facade tests.
enum TestEnv {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = root.appendingPathComponent("fixtures")
    static let dossiers = fixtures.appendingPathComponent("dossiers").path
    static let createdAt = Timestamp(rfc3339: "2026-11-22T10:00:00Z")!
    /// This test process's scratch folder (0700), removed with what tests leave in it when the process exits.
    static let scratchFolder = try! PrivateFolder(under: NSTemporaryDirectory(), prefix: "dossierport-test")
    static var scratch: URL { URL(fileURLWithPath: scratchFolder.path) }
    static let logPath = scratch.appendingPathComponent("export-log.ndjson").path

    static func tempDir() throws -> URL {
        let u = scratch.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }

    static func organisation() throws -> Organisation { try OrganisationFile.load(fixtures.appendingPathComponent("organisation.json").path) }

    /// Bundles the fixture organisation with the given options tweaks; returns the report.
    @discardableResult
    static func bundle(to path: String, purpose: ExportPurpose? = .access, _ tweak: (inout BundleOptions) -> Void = { _ in }) throws -> ExportReport {
        var o = BundleOptions(createdAt: createdAt, purpose: purpose, organisation: try organisation())
        tweak(&o)
        return try Export.run(from: try CanonicalSource(path: dossiers), to: try BundleDestination(path: path, options: o),
                              options: ExportOptions(purpose: purpose, today: createdAt.date, organisation: try organisation()))
    }

    /// Whether `tool` is installed, for tests that compare against it; always true under
    /// `.ci/run` (`DOSSIERPORT_REQUIRE_TOOLS=1`), which installs every tool, so that there a
    /// missing one fails its tests instead of leaving them out.
    static func has(_ tool: String) -> Bool {
        if ProcessInfo.processInfo.environment["DOSSIERPORT_REQUIRE_TOOLS"] == "1" { return true }
        return (try? run("/bin/sh", ["-c", "command -v \(tool)"]).status) == 0
    }

    struct Output { var status: Int32; var out: String; var err: String }

    @discardableResult
    static func run(_ exe: String, _ args: [String], cwd: URL? = nil, stdinFile: String? = nil) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe.hasPrefix("/") ? exe : "/usr/bin/env")
        p.arguments = exe.hasPrefix("/") ? args : [exe] + args
        if let cwd { p.currentDirectoryURL = cwd }
        // A dossierport run logs into a throwaway export log, never the user's own.
        var env = ProcessInfo.processInfo.environment
        env["DOSSIERPORT_LOG"] = logPath
        p.environment = env
        let dir = try tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let o = dir.appendingPathComponent("o"), e = dir.appendingPathComponent("e")
        _ = FileManager.default.createFile(atPath: o.path, contents: nil)
        _ = FileManager.default.createFile(atPath: e.path, contents: nil)
        let oh = try FileHandle(forWritingTo: o), eh = try FileHandle(forWritingTo: e)
        p.standardOutput = oh
        p.standardError = eh
        p.standardInput = try stdinFile.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) } ?? FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try oh.close(); try eh.close()
        return Output(status: p.terminationStatus, out: try String(contentsOf: o, encoding: .utf8),
                      err: try String(contentsOf: e, encoding: .utf8))
    }
}
