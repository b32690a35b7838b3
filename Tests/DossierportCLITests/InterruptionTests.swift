import Foundation
import Testing

/// A run that is stopped (Ctrl-C, kill) or whose reader goes away leaves no health data behind:
/// no spill or staging folder, no hidden partial output.
@Suite struct InterruptionTests {
    static let profile = CLI.fixtures.appendingPathComponent("epd/caresys/caresys.json").path
    static let dump = CLI.fixtures.appendingPathComponent("epd/caresys/caresys.sql").path

    /// Waits (up to 30 s) until `done` holds.
    func waitFor(_ what: String, _ done: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(30)
        while !done() {
            guard Date() < deadline else { throw CLIError(message: "timed out waiting for \(what)") }
            usleep(20_000)
        }
    }

    /// The source is a pipe that is kept open, so the run is surely in its first phase, with its
    /// spill folder, staged documents and staged output made, when SIGINT comes.
    @Test(arguments: [SIGINT, SIGTERM])
    func stoppedExportLeavesNothing(_ sig: Int32) throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spill = dir.appendingPathComponent("spill"), out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: spill, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["export", "--profile", Self.profile, "--source", "-", "--spill-dir", spill.path,
                       "--out", out.appendingPathComponent("caresys").path]
        var env = ProcessInfo.processInfo.environment
        env["DOSSIERPORT_LOG"] = CLI.log.path
        p.environment = env
        let input = Pipe()
        p.standardInput = input
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = try Data(contentsOf: URL(fileURLWithPath: Self.dump))
        input.fileHandleForWriting.write(text.prefix(text.count / 2))
        try waitFor("the spill folder") {
            ((try? FileManager.default.contentsOfDirectory(atPath: spill.path)) ?? []).contains { $0.hasPrefix("dossierport-spill-") }
        }
        try waitFor("the staged output") {
            ((try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []).contains { $0.hasPrefix(".caresys.partial-") }
        }
        kill(p.processIdentifier, sig)
        // Were the signal not handled, the run would wait on its input for ever.
        let stopped = (try? waitFor("the run to end") { !p.isRunning }) != nil
        if !stopped { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        try? input.fileHandleForWriting.close()
        #expect(stopped, "the run went on after signal \(sig)")
        #expect(p.terminationReason == .exit && p.terminationStatus == 128 + sig)
        let leftSpill = try FileManager.default.contentsOfDirectory(atPath: spill.path)
        let leftOut = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(leftSpill.isEmpty, "left in the spill folder: \(leftSpill)")
        #expect(leftOut.isEmpty, "left beside the output: \(leftOut)")
    }

    /// Standard output closed before anything was written: the first write fails (SIGPIPE is
    /// ignored), the error says so, and the spill folder is removed as the run unwinds.
    @Test func closedOutputEndsTheRunCleanly() throws {
        let dir = try CLI.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = Process()
        p.executableURL = CLI.binary
        p.arguments = ["export", "--profile", Self.profile, "--source", Self.dump, "--spill-dir", dir.path,
                       "--format", "ndjson", "--out", "-"]
        var env = ProcessInfo.processInfo.environment
        env["DOSSIERPORT_LOG"] = CLI.log.path
        p.environment = env
        let output = Pipe(), errors = dir.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = output
        p.standardError = try FileHandle(forWritingTo: errors)
        try p.run()
        try output.fileHandleForReading.close()
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 1)
        let message = try String(contentsOf: errors, encoding: .utf8)
        #expect(message.contains("broken pipe"), "\(message)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["stderr"])
    }
}

struct CLIError: Error { let message: String }
