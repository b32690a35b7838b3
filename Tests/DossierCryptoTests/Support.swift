import DossierCrypto
import DossierIO
import Foundation

/// Bytes from a hex string with optional spaces, as RFC test vectors print them.
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8.filter { $0 != 0x20 && $0 != 0x0A })
    precondition(digits.count % 2 == 0, "odd hex length")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
}

/// A fresh directory under the system temporary directory, removed by the caller's `defer`.
func makeTemporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "dossiercrypto-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeDirectory(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

struct ToolResult {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
}

/// Whether the tests that compare with `tool` run: when it is installed, and always under
/// `.ci/run`, which installs every tool and sets `DOSSIERPORT_REQUIRE_TOOLS=1`, so that there a
/// missing tool fails the run instead of leaving its tests out.
func canRun(_ tool: String) -> Bool {
    if ProcessInfo.processInfo.environment["DOSSIERPORT_REQUIRE_TOOLS"] == "1" { return true }
    return (try? run("/bin/sh", ["-c", "command -v \(tool)"]).status) == 0
}

/// Runs an external tool (ssh-keygen, age, python3) with `stdin`, collecting its output.
///
/// Standard error is read after standard output; the tools used write only short messages there.
func run(_ tool: String, _ arguments: [String], stdin: [UInt8] = [], in directory: String? = nil) throws -> ToolResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let input = Pipe(), output = Pipe(), error = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let writer = Thread { input.fileHandleForWriting.write(Data(stdin)); try? input.fileHandleForWriting.close() }
    writer.start()
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ToolResult(status: process.terminationStatus, stdout: Array(out), stderr: String(decoding: err, as: UTF8.self))
}

func readFile(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
func writeFile(_ path: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }
func writeFile(_ path: String, _ text: String) throws { try writeFile(path, Array(text.utf8)) }

/// Deterministic filler bytes, so a failing size case can be reproduced exactly.
func pattern(_ count: Int, seed: UInt64 = 0x9E3779B97F4A7C15) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return UInt8(truncatingIfNeeded: state >> 33)
    }
}

/// Length and SHA-256 of a byte string: compared instead of the bytes, so a failure prints a line, not megabytes.
func summary(_ bytes: [UInt8]) -> String {
    "\(bytes.count) bytes, sha256 " + ((try? Digester.hash(.sha256, bytes).hexString) ?? "?")
}
