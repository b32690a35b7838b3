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

    static func json(_ value: some Encodable) throws -> String { try MachineOutput.json(value) }

    static func writeJSON(_ value: some Encodable, to path: String) throws {
        let text = try json(value)
        try Output.write(to: path) { try $0.write(text) }
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
