import DossierModel
import Foundation
import Testing
@testable import DossierSources

/// The package root, found from this file so tests run from any directory.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let dumpsDirectory = packageRoot.appendingPathComponent("fixtures/dumps")

/// Every row of a dump, by table, in dump order.
func readAll(_ path: String, dialect: SQLDialect? = nil, limit: Int = SQLDumpReader.defaultLimit)
    throws -> (rows: [String: [SourceRow]], reader: SQLDumpReader) {
    let reader = try SQLDumpReader(path: path, dialect: dialect, limit: limit)
    var rows: [String: [SourceRow]] = [:]
    while let row = try reader.nextRow() { rows[row.table, default: []].append(row) }
    return (rows, reader)
}

/// The thrown error's code, line and column, for asserting hostile outcomes.
func failure(_ path: String, dialect: SQLDialect? = nil) -> (code: String, line: Int?, column: Int?)? {
    do {
        _ = try readAll(path, dialect: dialect)
        return nil
    } catch let error as DossierError {
        return (error.code, error.location?.line, error.location?.column)
    } catch {
        return ("unexpected \(error)", nil, nil)
    }
}

/// expected.json (written by fixtures/dumps/seed.py) as source values, per engine and table.
func expectedTables(_ directory: URL = dumpsDirectory) throws -> [String: [String: (columns: [String], rows: [[SourceValue]])]] {
    let data = try Data(contentsOf: directory.appendingPathComponent("expected.json"))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: [String: [String: Any]]])
    func value(_ any: Any) throws -> SourceValue {
        guard let object = any as? [String: Any] else { return .null }
        if let s = object["text"] as? String { return .text(s) }
        if let s = object["number"] as? String { return .number(s) }
        if let b = object["boolean"] as? Bool { return .boolean(b) }
        let hex = try #require(object["bytes"] as? String)
        var bytes: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            bytes.append(try #require(UInt8(hex[i..<j], radix: 16)))
            i = j
        }
        return .bytes(bytes)
    }
    return try json.mapValues { tables in
        try tables.mapValues { table in
            let columns = try #require(table["columns"] as? [String])
            let rows = try #require(table["rows"] as? [[Any]])
            return (columns, try rows.map { try $0.map(value) })
        }
    }
}

let realDumps: [(file: String, engine: String)] = [
    ("pg-default.sql", "postgres"), ("pg-inserts.sql", "postgres"), ("pg-column-inserts.sql", "postgres"),
    ("mariadb-default.sql", "mariadb"), ("mariadb-hex-blob.sql", "mariadb"), ("sqlite.sql", "sqlite"),
]

/// Compares every cell of every table with what the engine was loaded with.
func checkAgainstOracle(_ directory: URL, file: String, engine: String) throws {
    let expected = try #require(try expectedTables(directory)[engine])
    let (rows, reader) = try readAll(directory.appendingPathComponent(file).path)
    #expect(Set(rows.keys) == Set(expected.keys), "\(file): tables")
    for (table, want) in expected {
        let got = rows[table] ?? []
        #expect(got.count == want.rows.count, "\(file): \(table) row count")
        #expect(reader.tables[table]?.columns.map(\.name) == want.columns, "\(file): \(table) declared columns")
        for (index, (row, wantRow)) in zip(got, want.rows).enumerated() {
            #expect(row.columns == want.columns, "\(file): \(table) columns")
            for (column, (value, wantValue)) in zip(want.columns, zip(row.values, wantRow)) where value != wantValue {
                Issue.record("\(file): \(table) row \(index + 1) column \(column): got \(value), want \(wantValue)")
            }
        }
    }
}

@Suite struct SQLDumpOracleTests {
    @Test(arguments: realDumps.map(\.file))
    func committedDumpMatchesEngine(file: String) throws {
        let engine = realDumps.first { $0.file == file }!.engine
        try checkAgainstOracle(dumpsDirectory, file: file, engine: engine)
    }

    @Test(arguments: realDumps.map(\.file))
    func dialectIsDetected(file: String) throws {
        let reader = try SQLDumpReader(path: dumpsDirectory.appendingPathComponent(file).path)
        let want: SQLDialect = file.hasPrefix("pg") ? .postgres : file.hasPrefix("mariadb") ? .mysql : .sqlite
        #expect(reader.dialect == want)
    }

    @Test func rowLocationsNameLineAndKey() throws {
        let path = dumpsDirectory.appendingPathComponent("pg-default.sql").path
        let (rows, _) = try readAll(path)
        let first = try #require(rows["clients"]?.first)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let copyLine = try #require(text.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.hasPrefix("COPY public.clients ") })
        #expect(first.location == SourceLocation(file: path, line: copyLine + 2, table: "clients", key: "1"))
    }

    @Test func declaredTypesAreKept() throws {
        let (_, reader) = try readAll(dumpsDirectory.appendingPathComponent("pg-default.sql").path)
        #expect(reader.tables["reports"]?.columns.map(\.type) == [
            "integer", "integer", "timestamp without time zone", "text", "numeric(6,2)", "character varying(4000)",
        ])
        let (_, my) = try readAll(dumpsDirectory.appendingPathComponent("mariadb-default.sql").path)
        #expect(my.tables["documents"]?.columns.map(\.type) == ["int(11)", "int(11)", "varchar(64)", "longblob"])
    }

    /// Regenerates the dumps with the real servers (slow: set DOSSIERPORT_REAL_DUMPS=1; CI does).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DOSSIERPORT_REAL_DUMPS"] == "1"))
    func freshDumpsFromRealToolsMatchEngine() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dossierport-dumps-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = dumpsDirectory.appendingPathComponent("make-dumps.sh")
        process.arguments = [directory.path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        for (file, engine) in realDumps { try checkAgainstOracle(directory, file: file, engine: engine) }
    }
}
