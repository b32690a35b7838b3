import Foundation
import Testing
import DossierModel
import DossierFormats
import Dossierport

@Suite final class ExportLogTests {
    /// This test's folder, removed when the test is done.
    let dir: URL

    init() throws { dir = try TestEnv.tempDir() }

    deinit { try? FileManager.default.removeItem(at: dir) }

    /// A log of five entries in the test's folder.
    func makeLog() throws -> String {
        let path = dir.appendingPathComponent("log.ndjson").path
        for i in 1...5 {
            var e = ExportLogEntry.now(event: i % 2 == 0 ? "bundle" : "export", outcome: "success", responsibleUser: "dr. Visser")
            e.clients = ["ZDL-00010\(i)"]
            e.purpose = "access"
            e.records = i * 10
            try ExportLog.append(e, to: path)
        }
        return path
    }

    func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func write(_ lines: [String], _ path: String) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
    }

    @Test func anIntactLogVerifies() throws {
        let path = try makeLog()
        let (n, problems) = ExportLog.verify(path)
        #expect(n == 5)
        #expect(problems.isEmpty, "\(problems)")
        #expect(try lines(path).allSatisfy { !$0.contains("Zoë") }, "the log names dossiers by id only")
    }

    @Test func anEditedLineIsNamed() throws {
        let path = try makeLog()
        var l = try lines(path)
        l[2] = l[2].replacingOccurrences(of: "\"records\":30", with: "\"records\":31")
        try write(l, path)
        let problems = ExportLog.verify(path).problems.listed
        #expect(problems.map(\.code).contains("log.edited"))
        #expect(problems.first { $0.code == "log.edited" }?.location?.line == 3)
    }

    /// A log edited throughout breaks on every line: the first breaks are listed, all are counted.
    @Test func aLogEditedOnEveryLineListsTheFirstAndCountsAll() throws {
        let path = try makeLog()
        try write(try lines(path).map { $0.replacingOccurrences(of: "\"outcome\":\"success\"", with: "\"outcome\":\"failure\"") }, path)
        let (n, problems) = ExportLog.verify(path, keeping: 2)
        #expect(n == 5)
        #expect(problems.listed.map(\.code) == ["log.edited", "log.edited"])
        #expect(problems.listed.map { $0.location?.line } == [1, 2])
        #expect(problems.counts["log.edited"] == 5 && problems.errors == 5 && problems.omitted == 3)
    }

    @Test func aRemovedLineIsNamed() throws {
        let path = try makeLog()
        var l = try lines(path)
        l.remove(at: 1)
        try write(l, path)
        let problems = ExportLog.verify(path).problems.listed
        #expect(problems.contains { $0.code == "log.chain" && $0.location?.line == 2 })
        #expect(problems.contains { $0.code == "log.sequence" && $0.location?.line == 2 })
    }

    @Test func reorderedLinesAreNamed() throws {
        let path = try makeLog()
        var l = try lines(path)
        l.swapAt(1, 2)
        try write(l, path)
        let problems = ExportLog.verify(path).problems.listed
        #expect(problems.contains { $0.code == "log.chain" && $0.location?.line == 2 })
    }

    @Test func cuttingTheEndIsDetectedThroughTheHead() throws {
        let path = try makeLog()
        try write(Array(try lines(path).dropLast()), path)
        #expect(ExportLog.verify(path).problems.listed.map(\.code) == ["log.truncated"])
    }

    /// After a run of many clients the last line is long (here about 200 KB, past the 64 KiB read
    /// whole): the next entry chains onto it, read at its two ends, and the log verifies.
    @Test func chainsOntoALongLastLine() throws {
        let path = try makeLog()
        var big = ExportLogEntry.now(event: "bundle", outcome: "success")
        big.clients = IDList((0..<9000).map { "dossier-caresys-\($0)" })
        let first = try ExportLog.append(big, to: path)
        #expect(try lines(path).last!.utf8.count > 128 * 1024)
        let next = try ExportLog.append(ExportLogEntry.now(event: "export", outcome: "success"), to: path)
        #expect(first.seq == 6 && next.seq == 7 && next.previous == first.hash)
        #expect(ExportLog.verify(path).problems.isEmpty)
    }

    /// A long last line of another shape (members in another order) is decoded whole and chained
    /// onto all the same; one that is not an entry at all stops the append, as before.
    @Test func aLongLastLineOfAnotherShapeIsDecodedWhole() throws {
        let path = try makeLog()
        var big = ExportLogEntry.now(event: "bundle", outcome: "success")
        big.clients = IDList((0..<9000).map { "dossier-caresys-\($0)" })
        let first = try ExportLog.append(big, to: path)
        var l = try lines(path)
        let object = try JSONSerialization.jsonObject(with: Data(l[l.count - 1].utf8))
        l[l.count - 1] = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        #expect(!l[l.count - 1].hasPrefix(#"{"seq":"#))
        try write(l, path)
        let next = try ExportLog.append(ExportLogEntry.now(event: "export", outcome: "success"), to: path)
        #expect(next.seq == first.seq + 1 && next.previous == first.hash)

        try write(try lines(path) + [String(repeating: "x", count: 100_000)], path)
        #expect(throws: DossierError.self) { try ExportLog.append(ExportLogEntry.now(event: "export", outcome: "success"), to: path) }
    }

    @Test func appendsChainAndNumber() throws {
        let path = try makeLog()
        let l = try lines(path)
        #expect(l.count == 5)
        #expect(l[0].contains("\"previous\":\"\(ExportLog.genesis)\""))
        #expect(l[4].contains("\"seq\":5"))
    }
}

/// The packed id list of reports and log entries: the same JSON as the `[String]` it replaced, so
/// logs written before it still verify and their hashes do not change.
@Suite struct IDListTests {
    static let ids = ["ZDL-000101", "", "dossier-cliënt-7", String(repeating: "x", count: 40), "a\"b\\c"]

    @Test func holdsTheIdsInOrder() {
        let list = IDList(Self.ids)
        #expect(Array(list) == Self.ids)
        #expect(list.count == 5 && list[2] == "dossier-cliënt-7" && list[1].isEmpty)
        #expect(IDList(["ab", "c"]) != IDList(["a", "bc"]))
        var grown = IDList()
        for id in Self.ids { grown.append(id) }
        #expect(grown == list)
    }

    @Test func encodesAndDecodesAsAnArrayOfStrings() throws {
        let list = IDList(Self.ids)
        let bytes = try JSONByteEncoder.encode(list, style: .compact)
        #expect(bytes == (try JSONByteEncoder.encode(Self.ids, style: .compact)))
        #expect(try JSONByteDecoder.decode(IDList.self, from: bytes) == list)
        #expect(try JSONByteDecoder.decode(IDList.self, from: Array("[]".utf8)).isEmpty)
        #expect(throws: DossierError.self) { try JSONByteDecoder.decode(IDList.self, from: Array("[\"a\", 1]".utf8)) }
    }
}
