import Foundation
import Testing
import DossierCrypto
import DossierIO
@testable import DossierBundle

@Suite struct PayloadTableTests {
    /// Paths in no particular order (with `%`, a line break and non-ASCII, which the manifest
    /// encodes), filled a few files behind the adding, as compression workers do.
    static let paths: [String] = (0..<41).map { i in
        let n = (i * 17) % 41
        switch n % 5 {
        case 0: return "dossiers/D-\(n).json"
        case 1: return "documents/D-\(n)/scan \(n).pdf"
        case 2: return "documents/D-\(n)/100%.txt"
        case 3: return "documents/D-\(n)/r\u{e9}sum\u{e9}\n\(n).txt"
        default: return "copy/D-\(n).html"
        }
    }

    static func digest(_ i: Int) -> [UInt8] { (0..<32).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ i) } }

    func manifest(runLength: Int, lag: Int) throws -> (bytes: [UInt8], runFiles: Int, octets: Int64) {
        let table = PayloadTable(runLength: runLength)
        var filled = 0
        for (i, path) in Self.paths.enumerated() {
            #expect(try table.append(path) == i)
            while filled + lag <= i { table.fill(filled, size: UInt64(filled), digest: Self.digest(filled)); filled += 1 }
        }
        while filled < Self.paths.count { table.fill(filled, size: UInt64(filled), digest: Self.digest(filled)); filled += 1 }
        let first = MemorySink(), second = MemorySink()
        try table.writeManifest(to: first)
        try table.writeManifest(to: second)
        #expect(first.bytes == second.bytes)
        return (first.bytes, table.runFiles.count, table.octets)
    }

    /// The manifest is the same bytes `BagManifest.serialized` gives for the same files, however
    /// the files fall into runs and however far the filling lags behind.
    @Test func runsSetAsideGiveTheSameManifest() throws {
        var reference = BagManifest()
        for (i, path) in Self.paths.enumerated() { reference.entries.append(("data/" + path, Self.digest(i).hexString)) }
        let expected = reference.serialized()
        let whole = try manifest(runLength: 1 << 16, lag: 0)
        #expect(whole.bytes == expected)
        #expect(whole.runFiles == 0)
        #expect(whole.octets == Int64((0..<Self.paths.count).reduce(0, +)))
        for (runLength, lag) in [(1, 0), (2, 1), (3, 5), (7, 2), (40, 3), (41, 0)] {
            let m = try manifest(runLength: runLength, lag: lag)
            #expect(m.bytes == expected, "run length \(runLength), lag \(lag)")
            // A run is set aside when a file is added after it is complete: never, for the first of 40.
            #expect((m.runFiles > 0) == (runLength < 40), "run length \(runLength): runs were set aside")
        }
    }

    /// The private folder of set-aside runs goes with the table.
    @Test func setAsideRunsAreRemoved() throws {
        var folder: String?
        do {
            let table = PayloadTable(runLength: 2)
            for (i, path) in Self.paths.prefix(6).enumerated() {
                _ = try table.append(path)
                table.fill(i, size: 1, digest: Self.digest(i))
            }
            let file = try #require(table.runFiles.first)
            #expect(FileManager.default.fileExists(atPath: file))
            folder = (file as NSString).deletingLastPathComponent
        }
        #expect(!FileManager.default.fileExists(atPath: try #require(folder)))
    }

    /// A whole bag written with runs of two files is byte for byte the bag written in one run.
    @Test func bagWithShortRunsIsTheSameBag() throws {
        func bag(_ table: PayloadTable) throws -> [UInt8] {
            let sink = MemorySink()
            let writer = BagZipWriter(zip: ZipWriter(sink: sink, path: "test.zip"), root: "bag", payload: table)
            // A line break is no name for a zip entry.
            for (i, path) in Self.paths.filter({ !$0.contains("\n") }).enumerated() {
                if i % 2 == 0 {
                    try writer.add(path, writing: { try $0.write(Array("file \(i)\n".utf8)) })
                } else {
                    try writer.add(path, streaming: { try $0.write(Array(repeating: UInt8(i), count: 70_000 + i)) })
                }
            }
            _ = try writer.finish(info: BagInfo([("Source-Organization", "test")]))
            return sink.bytes
        }
        let short = try bag(PayloadTable(runLength: 2))
        #expect(short == (try bag(PayloadTable())))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("payloadtable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let zipPath = dir.appendingPathComponent("b.zip").path
        try Data(short).write(to: URL(fileURLWithPath: zipPath))
        #expect(BagVerifier.verify(try ZipBagStore(reader: try ZipReader(path: zipPath))).isValid)
    }
}
