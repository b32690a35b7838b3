import Foundation
import DossierModel
import DossierIO

extension BundleImport {
    /// Imports into a SQLite database file by running the script through the `sqlite3` shell, then
    /// reads the script's own summary back, so the report says what the database did rather than
    /// what the script would attempt.
    ///
    /// Only SQLite: the file is the whole database, so no connection settings are needed; for the
    /// servers the script is piped to their shells and prints the same summary there.
    public static func runSQLite(bundle path: String, database: String, options: ImportOptions,
                                 shell: String = "/usr/bin/sqlite3") -> ImportReport {
        var o = options
        o.target = .sqlite
        let dir: PrivateFolder
        do { dir = try PrivateFolder(under: PrivateFolder.temporaryDirectory) } catch {
            var r = ImportReport(bundle: path, target: .sqlite, loaded: false)
            r.problems.append(BundleInspection.diagnostic(error, SourceLocation(file: path)))
            return r
        }
        o.output = dir.path + "/import.sql"
        var report = run(bundle: path, options: o)
        report.output = database
        guard report.loaded else { return report }
        report.loaded = false
        do {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: shell)
            p.arguments = ["-bail", "-batch", database]
            p.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: o.output))
            let out = dir.path + "/out", err = dir.path + "/err"
            _ = FileManager.default.createFile(atPath: out, contents: nil)
            _ = FileManager.default.createFile(atPath: err, contents: nil)
            let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
            let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
            p.standardOutput = outHandle
            p.standardError = errHandle
            try p.run()
            Interruption.started(p.processIdentifier)
            p.waitUntilExit()
            Interruption.ended(p.processIdentifier)
            try outHandle.close()
            try errHandle.close()
            guard p.terminationStatus == 0 else {
                let message = (try? String(contentsOfFile: err, encoding: .utf8))?.split(separator: "\n").first.map(String.init) ?? ""
                report.problems.append(.error("import.database", "sqlite3 exited with status \(p.terminationStatus): \(message)",
                                              at: SourceLocation(file: database)))
                return report
            }
            report.readSummary(try String(contentsOfFile: out, encoding: .utf8))
            report.loaded = true
        } catch {
            report.problems.append(BundleInspection.diagnostic(error, SourceLocation(file: database)))
        }
        return report
    }
}

extension ImportReport {
    /// Reads the `summary|table|added|updated|unchanged|rejected` and `conflict|dossier|reason`
    /// rows a script prints at its end.
    mutating func readSummary(_ text: String) {
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            if f.count == 6, f[0] == "summary", let i = entities.firstIndex(where: { $0.table == f[1] }) {
                let n = f[2...].compactMap { Int($0) }
                guard n.count == 4 else { continue }
                (entities[i].added, entities[i].updated, entities[i].unchanged, entities[i].rejected) = (n[0], n[1], n[2], n[3])
            } else if f.count == 3, f[0] == "conflict" {
                conflicts.append(ImportConflict(dossierID: f[1], reason: f[2]))
            }
        }
        outcomesKnown = true
    }
}
