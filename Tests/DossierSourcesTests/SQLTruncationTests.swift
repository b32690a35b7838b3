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
                #expect(error.location?.line != nil, "\(file) cut at \(offset): \(error.code) has no line")
                #expect(error.code.hasPrefix("sql."))
            }
        }
    }

    func dialectOf(_ file: String) -> SQLDialect {
        file.hasPrefix("pg") ? .postgres : file.hasPrefix("mariadb") ? .mysql : .sqlite
    }
}
