// Shared helpers for the zip test files (named *Tests.swift to stay within this test target's file pattern).
import Foundation
import DossierModel

/// Helpers shared by the zip tests: scratch directories, deterministic payloads, external tools.
enum ZipTestSupport {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let hostileDirectory = packageRoot.appendingPathComponent("fixtures/hostile/zip")

    /// A fresh scratch directory, removed by the caller's `defer`.
    static func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "dossier-zip-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    /// Reproducible bytes that do not compress (xorshift64), standing in for PDF or JPEG payloads.
    static func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var x = seed | 1
        var out = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            out[i] = UInt8(truncatingIfNeeded: x)
        }
        return out
    }

    /// Compressible text like a care record export.
    static func text(lines: Int, seed: Int = 0) -> [UInt8] {
        var s = ""
        for i in 0..<lines { s += "{\"id\":\"rec-\(seed)-\(i)\",\"kind\":\"progressReport\",\"status\":\"final\"}\n" }
        return Array(s.utf8)
    }

    static func toolPath(_ name: String) -> String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/bin", "/root/.pyenv/shims"] {
            let p = dir + "/" + name
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Whether `tool` is installed; always true under `.ci/run` (`DOSSIERPORT_REQUIRE_TOOLS=1`),
    /// which installs every tool, so that there a missing one fails its tests instead of
    /// leaving them out.
    static func has(_ tool: String) -> Bool {
        ProcessInfo.processInfo.environment["DOSSIERPORT_REQUIRE_TOOLS"] == "1" || toolPath(tool) != nil
    }
    static let hasArchiveTools = ["unzip", "zip", "7z", "python3"].allSatisfy(has)

    /// Runs a tool to completion and returns its exit status and combined output.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: toolPath(tool) ?? tool)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The process's peak resident set so far (VmHWM), in bytes.
    static func peakRSS() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) else { return 0 }
        return kb * 1024
    }
}
