import Foundation
import Testing
import DossierIO
import DossierBundle

@Suite struct BagWriterTests {
    /// A file added to a bag may be removed by its owner as soon as `add` returns: the bytes are
    /// read later by a compression worker (regression: staged documents vanished mid-bundle).
    @Test func aFileRemovedRightAfterAddingStillLandsInTheBag() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bagwriter-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let zipPath = dir.appendingPathComponent("b.zip").path
        let sink = MemorySink()
        let bag = BagZipWriter(zip: ZipWriter(sink: sink, path: zipPath), root: "bag")
        var expected: [String: [UInt8]] = [:]
        for i in 0..<6 {
            let bytes = (0..<(200_000 + i)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }
            let file = dir.appendingPathComponent("doc").path
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            let hex = bytes.sha256Hex
            try bag.add("documents/\(i).bin", file: file, expectedSize: bytes.count, expectedSHA256: hex, recordID: "d\(i)")
            try FileManager.default.removeItem(atPath: file)   // the same name is reused for the next one
            expected["bag/data/documents/\(i).bin"] = bytes
        }
        _ = try bag.finish(info: BagInfo([("Source-Organization", "test")]))
        try Data(sink.bytes).write(to: URL(fileURLWithPath: zipPath))
        let reader = try ZipReader(path: zipPath)
        for (name, bytes) in expected {
            #expect(try reader.bytes(of: try #require(reader.entry(named: name))) == bytes)
        }
        #expect(BagVerifier.verify(try ZipBagStore(reader: reader)).isValid)
    }
}

@Suite struct BagWrittenEntryTests {
    /// Text that deflate does not reduce to nothing, so the spilled compressed output is large too.
    static func text(_ n: Int, seed: UInt64) -> [UInt8] {
        var x = seed
        return (0..<n).map { _ in
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(ascii: "a") + UInt8((x >> 33) % 26)
        }
    }

    /// Writes `files` into a bag, each through `add(_:writing:)` in 4 KiB writes or whole in one write,
    /// with a per-entry budget of 64 KiB, so the larger files wait in a temporary file.
    static func bag(_ files: [(String, [UInt8])], written: Bool, sizes: inout [UInt64]) throws -> [UInt8] {
        var options = ZipWriterOptions()
        options.memoryPerEntry = 64 << 10
        let sink = MemorySink()
        let bag = BagZipWriter(zip: ZipWriter(sink: sink, path: "mem.zip", options: options), root: "bag")
        for (path, bytes) in files {
            if written {
                sizes.append(try bag.add(path, writing: { out in
                    for start in stride(from: 0, to: bytes.count, by: 4096) {
                        try bytes[start..<min(start + 4096, bytes.count)].withUnsafeBytes { try out.write($0) }
                    }
                }))
            } else {
                try bag.add(path, streaming: { out in try bytes.withUnsafeBytes { try out.write($0) } })
            }
        }
        _ = try bag.finish(info: BagInfo([("Source-Organization", "test")]))
        return sink.bytes
    }

    /// A dossier written into the bag (as `BundleDestination` does) lands as the same bytes as one
    /// added whole, whether it stayed in memory or waited in a temporary file: bundles stay
    /// byte-identical to those made before, and the manifest holds each file's own digest.
    @Test func writtenBytesLandAsTheSameArchiveAsBytesAddedWhole() throws {
        let files = [("dossiers/small.json", Self.text(10_000, seed: 1)), ("dossiers/large.json", Self.text(1_000_003, seed: 2)),
                     ("dossiers/empty.json", [])]
        var sizes: [UInt64] = [], unused: [UInt64] = []
        let written = try Self.bag(files, written: true, sizes: &sizes)
        #expect(written == (try Self.bag(files, written: false, sizes: &unused)))
        #expect(sizes == files.map { UInt64($0.1.count) })
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bagwritten-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("b.zip").path
        try Data(written).write(to: URL(fileURLWithPath: path))
        let reader = try ZipReader(path: path)
        let manifest = String(decoding: try reader.bytes(of: try #require(reader.entry(named: "bag/manifest-sha256.txt"))), as: UTF8.self)
        for (name, bytes) in files {
            #expect(try reader.bytes(of: try #require(reader.entry(named: "bag/data/" + name))) == bytes)
            #expect(manifest.contains(bytes.sha256Hex + "  data/" + name))
        }
        #expect(BagVerifier.verify(try ZipBagStore(reader: reader)).isValid)
    }

    struct Refused: Error {}

    /// A dossier whose encoding fails after part of it was written (past the memory budget) is
    /// not in the bag at all: no entry, no manifest line, and the bag is valid without it.
    @Test func aWriteThatFailsAddsNothing() throws {
        var options = ZipWriterOptions()
        options.memoryPerEntry = 64 << 10
        let sink = MemorySink()
        let bag = BagZipWriter(zip: ZipWriter(sink: sink, path: "mem.zip", options: options), root: "bag")
        let kept = Self.text(5_000, seed: 3)
        #expect(throws: Refused.self) {
            try bag.add("dossiers/failed.json", writing: { out in
                try Self.text(200_000, seed: 4).withUnsafeBytes { try out.write($0) }
                throw Refused()
            })
        }
        try bag.add("dossiers/kept.json", writing: { out in try kept.withUnsafeBytes { try out.write($0) } })
        let summary = try bag.finish(info: BagInfo([("Source-Organization", "test")]))
        #expect(summary.payloadFiles == 1 && summary.payloadOctets == Int64(kept.count))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bagfailed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("b.zip").path
        try Data(sink.bytes).write(to: URL(fileURLWithPath: path))
        let reader = try ZipReader(path: path)
        #expect(reader.entry(named: "bag/data/dossiers/failed.json") == nil)
        #expect(try reader.bytes(of: try #require(reader.entry(named: "bag/data/dossiers/kept.json"))) == kept)
        #expect(BagVerifier.verify(try ZipBagStore(reader: reader)).isValid)
    }
}

extension Array where Element == UInt8 {
    /// SHA-256 through the system's sha256sum, so this test does not depend on the code under test.
    var sha256Hex: String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try? p.run()
        input.fileHandleForWriting.write(Data(self))
        try? input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: out.prefix(64), as: UTF8.self)
    }
}
