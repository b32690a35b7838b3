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
