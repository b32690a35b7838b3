import DossierModel
import DossierIO
import Dossierport

/// How run reports are shown: a table for people on stderr, JSON for machines.
enum Report {
    /// The per-section count table that ends every export, so an operator sees counts reconcile.
    static func table(_ r: ExportReport) -> String {
        func row(_ name: String, _ c: EntityCount) -> String {
            let cells: [String] = [String(c.read).leftPad(8), String(c.written).leftPad(9),
                                   String(c.excluded).leftPad(10), String(c.redacted).leftPad(10)]
            return name.padding(28) + cells.joined()
        }
        var lines = ["section".padding(28) + "read".leftPad(8) + "written".leftPad(9) + "excluded".leftPad(10) + "redacted".leftPad(10)]
        var total = EntityCount()
        for e in Entity.allCases {
            guard let c = r.entities[e], c.read > 0 || c.written > 0 else { continue }
            lines.append(row(e.rawValue, c))
            total.read += c.read
            total.written += c.written
            total.excluded += c.excluded
            total.redacted += c.redacted
        }
        lines.append(row("total", total))
        lines.append("dossiers: \(r.dossiersRead) read, \(r.dossiersWritten) written, \(r.dossiersRejected) rejected, "
                     + "\(r.dossiersExcluded) excluded by purpose")
        return lines.joined(separator: "\n")
    }

    /// The rows of a profile run per source table and per section, so an operator sees that
    /// read = mapped + rejected + filtered (+ rows of link, ignored and unmapped tables).
    static func table(_ r: ProfileExportResult) -> String {
        let a = r.account
        let head = ["read", "mapped", "rejected", "filtered"].map { $0.leftPad(10) }.joined()
        let names = a.tables.map { $0.disposition == .mapped ? $0.table : "\($0.table) (\($0.disposition.rawValue))" }
        let width = max(24, (names.map(\.count) + a.entities.map { $0.entity.rawValue.count }).max() ?? 0) + 2
        func cells(_ v: [Int]) -> String { v.map { String($0).leftPad(10) }.joined() }
        var lines = ["table".padding(width) + head + "not mapped".leftPad(12)]
        for (t, name) in zip(a.tables, names) {
            lines.append(name.padding(width) + cells([t.read, t.mapped, t.rejected, t.filtered]) + String(t.notMapped).leftPad(12))
        }
        lines.append("")
        lines.append("section".padding(width) + head + "records".leftPad(12))
        for e in a.entities {
            lines.append(e.entity.rawValue.padding(width) + cells([e.read, e.mapped, e.rejected, e.filtered]) + String(e.records).leftPad(12))
        }
        lines.append("dossiers assembled: \(a.dossiers)" + (a.reconciles ? "; every row is accounted for" : "; ROWS DO NOT ADD UP"))
        return lines.joined(separator: "\n")
    }

    /// How many diagnostics a run shows on standard error; `--report FILE` or `--json` lists
    /// more, and counts all.
    static let shownDiagnostics = 100

    /// The first diagnostics of a run, errors before warnings, then the count of the rest by code,
    /// so that a warning on every record (2.4 million for one dump) does not bury the errors or
    /// the count table. `more` names the option that lists more, if the command has one.
    static func diagnostics(_ log: DiagnosticLog, more: String? = nil, line: (Diagnostic) -> String = \.description) -> [String] {
        let (shown, rest) = log.summary(showing: shownDiagnostics)
        var lines = shown.map(line)
        guard rest.total > 0 else { return lines }
        lines.append("... and \(rest.total) more diagnostic(s): " + rest.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
                     + (more.map { " (\($0) lists more)" } ?? ""))
        return lines
    }

    static func json(_ value: some Encodable) throws -> String { try MachineOutput.json(value) }

    /// `--report FILE`: written as it is encoded, the scope (every record a purpose cut) read
    /// from disk rather than held whole.
    static func writeJSON(_ report: ExportReport, _ profile: ProfileExportResult?, to path: String) throws {
        try Output.write(to: path) { sink in
            if let profile { try profile.writePretty(to: sink) } else { try report.writePretty(to: sink) }
        }
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
