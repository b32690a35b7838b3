import DossierModel
import Foundation
import Testing
@testable import DossierSources

/// A dump cut anywhere must fail with a located `DossierError` or yield only rows of the whole
/// dump, in order: never a crash, never a value the dump does not hold.
@Suite struct SQLTruncationTests {
    static let cuts = 24

    @Test(arguments: realDumps.map(\.file))
    func truncatedDumpFailsCleanlyOrYieldsAPrefix(file: String) throws {
        let source = dumpsDirectory.appendingPathComponent(file)
        let bytes = try Data(contentsOf: source)
        let whole = try readAll(source.path).rows
        let cut = FileManager.default.temporaryDirectory.appendingPathComponent("dossierport-cut-\(getpid())-\(file)")
        defer { try? FileManager.default.removeItem(at: cut) }
        // Evenly spread cuts, shifted by a prime so they land inside values, escapes and UTF-8.
        let offsets = (0..<Self.cuts).map { ($0 * bytes.count / Self.cuts + $0 * 7919) % bytes.count } + [bytes.count - 1]
        for offset in offsets {
            let prefix = bytes.prefix(offset)
            try prefix.write(to: cut)
            do {
                let rows = try readAll(cut.path, dialect: dialectOf(file)).rows
                for (table, got) in rows {
                    #expect(Array(whole[table, default: []].prefix(got.count)).map(\.values) == got.map(\.values),
                            "\(file) cut at \(offset): rows of \(table) are not a prefix")
                }
                if prefix.range(of: Data("\n\\restrict ".utf8)) != nil {
                    // pg_dump's \restrict key makes every later cut before \unrestrict detectable.
                    #expect(prefix.range(of: Data("\\unrestrict".utf8)) != nil, "\(file) cut at \(offset) was not noticed")
                }
            } catch let error as DossierError {
                #expect(error.location?.line != nil && error.location?.column != nil,
                        "\(file) cut at \(offset): \(error.code) has no line and column")
                #expect(error.code.hasPrefix("sql."))
            }
        }
    }

    /// Bytes that matter to the lexer, written over random positions of every hostile file with a
    /// fixed-seed generator (so a failure reproduces): the reader must throw a located error or
    /// yield rows, never trap.
    @Test func mutatedDumpsNeverTrap() throws {
        let interesting = Array("'\\\t\n(),;$*/-\"`.#!xXN0E&".utf8) + [0, 0xFF, 0x0D, 0xC3]
        let directory = packageRoot.appendingPathComponent("fixtures/hostile/sql")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        let mutant = FileManager.default.temporaryDirectory.appendingPathComponent("dossierport-mutant-\(getpid()).sql")
        defer { try? FileManager.default.removeItem(at: mutant) }
        var seed: UInt64 = 0x5EED
        func random(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407  // Knuth's MMIX LCG
            return Int((seed >> 33) % UInt64(n))
        }
        for file in files {
            let original = [UInt8](try Data(contentsOf: directory.appendingPathComponent(file)))
            for _ in 0..<20 {
                var bytes = original
                for _ in 0...random(3) { bytes[random(bytes.count)] = interesting[random(interesting.count)] }
                try Data(bytes).write(to: mutant)
                do {
                    _ = try readAll(mutant.path, dialect: dialectOf(file))
                } catch let error as DossierError {
                    #expect(error.location?.line != nil && error.location?.column != nil,
                            "\(file): \(error.code) has no line and column")
                }
            }
        }
    }

    func dialectOf(_ file: String) -> SQLDialect {
        file.hasPrefix("pg") ? .postgres : file.hasPrefix("my") || file.hasPrefix("mariadb") ? .mysql : .sqlite
    }
}
