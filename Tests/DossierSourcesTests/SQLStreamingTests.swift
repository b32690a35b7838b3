import DossierModel
import Foundation
import Testing
@testable import DossierSources

/// S18: an extended INSERT of 10^5 tuples (and a COPY block of as many lines) is read tuple by
/// tuple. The per-statement cap is set far below the statement's size, so a parser that
/// gathered the statement first would fail with `sql.too-large`; peak memory is measured
/// separately on a 200 MB dump (see the report).
@Suite struct SQLStreamingTests {
    static let rows = 100_000

    func write(_ name: String, header: String, row: (Int) -> String, separator: String, footer: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dossierport-\(getpid())-\(name)")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(header.utf8))
        var chunk = ""
        for i in 0..<Self.rows {
            chunk += (i == 0 ? "" : separator) + row(i)
            if chunk.utf8.count > 1 << 20 { try handle.write(contentsOf: Data(chunk.utf8)); chunk = "" }
        }
        try handle.write(contentsOf: Data((chunk + footer).utf8))
        return url
    }

    @Test func extendedInsertIsReadTupleByTuple() throws {
        let note = String(repeating: "zorg \\'Zoë\\' \\n ", count: 12)
        let url = try write("extended.sql", header: "/*M!999999\\- enable the sandbox mode */\n"
                            + "CREATE TABLE `t` (`id` int, `note` text);\nINSERT INTO `t` VALUES ",
                            row: { "(\($0),'\(note)')" }, separator: ",", footer: ";\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let size = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
        let limit = 1 << 20
        #expect(size > 20 * limit)
        let reader = try SQLDumpReader(path: url.path, limit: limit)
        var count = 0
        while let row = try reader.nextRow() {
            if count == Self.rows - 1 {
                #expect(row.values == [.number("\(count)"), .text(String(repeating: "zorg 'Zoë' \n ", count: 12))])
            }
            count += 1
        }
        #expect(count == Self.rows)
    }

    @Test func copyBlockIsReadLineByLine() throws {
        let url = try write("copy.sql", header: "-- PostgreSQL database dump\nCREATE TABLE t (id integer, note text);\n"
                            + "COPY public.t (id, note) FROM stdin;\n",
                            row: { "\($0)\tregel\\tmet\\\\escapes " + String(repeating: "x", count: 200) },
                            separator: "\n", footer: "\n\\.\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let (rows, _) = try readAll(url.path, limit: 1 << 16)
        #expect(rows["t"]?.count == Self.rows)
        #expect(rows["t"]?.last?.values[1] == .text("regel\tmet\\escapes " + String(repeating: "x", count: 200)))
    }

    @Test func aLineOverTheCapIsAClearError() throws {
        let url = try write("long.sql", header: "-- PostgreSQL database dump\nCREATE TABLE t (v text);\nCOPY t (v) FROM stdin;\n",
                            row: { _ in "y" }, separator: "", footer: "\n\\.\n")
        defer { try? FileManager.default.removeItem(at: url) }
        let error = try #require(throws: DossierError.self) { _ = try readAll(url.path, limit: 1000) }
        #expect(error.code == "sql.too-large")
        #expect(error.location?.line == 4)
    }
}
