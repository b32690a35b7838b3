import DossierModel
import DossierCrypto
import DossierPolicy
import Dossierport

/// The export-log options every exporting command takes, and the one place that writes its entry.
enum LogOptions {
    static let options: Set<String> = ["--log", "--on-behalf-of"]
    static let help = """
      --log FILE           the export log to append to (default: $DOSSIERPORT_LOG, else ~/.local/state/dossierport/export-log.ndjson)
      --on-behalf-of NAME  the responsible user on whose behalf you act (NEN 7513), recorded in the log
    """

    /// Appends one entry for this run; `fill` adds what the command knows (clients, counts, digest).
    static func record(_ args: Arguments, event: String, outcome: String, output: String?,
                       _ fill: (inout ExportLogEntry) -> Void) throws {
        var e = ExportLogEntry.now(event: event, outcome: outcome, responsibleUser: args.value("--on-behalf-of"))
        e.output = output
        fill(&e)
        try ExportLog.append(e, to: args.value("--log") ?? ExportLog.defaultPath)
    }

    /// The entry of an export or bundle run.
    static func record(_ args: Arguments, event: String, outcome: String, purpose: ExportPurpose?, report: ExportReport?,
                       output: String) throws {
        try record(args, event: event, outcome: outcome, output: output) { e in
            e.purpose = purpose?.rawValue
            e.legalBasis = purpose?.legalReference
            if let r = report {
                e.clients = r.written
                e.records = r.entities.entries.reduce(0) { $0 + $1.value.written }
                e.organisation = r.controller.map { "\($0.name) (KvK \($0.kvkNumber))" }
            }
            if outcome == "success", output != "-", let digest = try? Digester.hash(.sha256, fileAt: output) {
                e.bundleSHA256 = digest.hexString
            }
        }
    }
}

struct LogCommand: Command {
    static let name = "log"
    static let summary = "Verify or show the hash-chained export log"
    static let help = """
    Usage: dossierport log verify [FILE]
           dossierport log show [FILE]

    Every export, bundle and import appends a line to the export log: when, which event, outcome,
    user, responsible user, workstation, organisation, purpose and legal basis, the dossier ids,
    record count, output and bundle SHA-256. Each line carries the hash of the line before it.
    'verify' recomputes the chain and names every line that was edited, removed, inserted or moved,
    and detects lines cut off the end (through FILE.head). FILE defaults to the log the commands write.

    Exit codes: 0 the log is intact (verify) or was shown; 1 it is not, or cannot be read; 64 usage error.
    """
    static let options: Set<String> = []
    static let flags: Set<String> = []

    static func run(_ args: Arguments) throws -> ExitCode {
        guard let verb = args.operands.first, ["verify", "show"].contains(verb), args.operands.count <= 2 else {
            throw UsageError("log needs 'verify' or 'show', then an optional FILE")
        }
        let path = args.operands.count == 2 ? args.operands[1] : ExportLog.defaultPath
        let (count, problems) = ExportLog.verify(path)
        if verb == "show" {
            try ExportLog.forEachLine(path) { print($0) }
        }
        for line in Report.diagnostics(problems) { Console.error(line) }
        let errors = problems.errors
        Console.error("\(path): \(count) entries, " + (errors == 0 ? "chain intact" : "\(errors) problem(s)"))
        return errors == 0 ? .success : .failure
    }
}
