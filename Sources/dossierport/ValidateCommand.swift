import DossierModel
import Dossierport

struct ValidateCommand: Command {
    static let name = "validate"
    static let summary = "Check dossier files: strict syntax, the published schema, and the model's rules"
    static let help = """
    Usage: dossierport validate FILE... [--format json|ndjson|xml] [--json]

    Checks canonical dossier files: JSON and NDJSON strictly (RFC 8259/7493: no duplicate keys,
    valid UTF-8, no unknown fields), XML against formats/dossier.xsd, then every dossier against the
    model's rules (BSN elfproef, dates, references between records, schema version).
    Problems are printed as 'file:line:col: error: message at $.path (record id)': the first 100,
    errors first, then the rest counted by code. --json lists the first 10,000 errors and the first
    10,000 warnings and counts all by code.

    Options:
      --format F   treat every FILE as json, ndjson or xml (default: by extension; - means stdin as NDJSON)
      --json       print the result as JSON on standard output

    Exit codes: 0 every file is valid; 1 an error was found; 64 usage error.
    """
    static let options: Set<String> = ["--format"]
    static let flags: Set<String> = ["--json"]

    static func run(_ args: Arguments) throws -> ExitCode {
        guard !args.operands.isEmpty else { throw UsageError("validate needs at least one FILE") }
        let format: DossierFileFormat? = try args.value("--format").map { v throws(UsageError) in
            guard let f = DossierFileFormat(rawValue: v) else { throw UsageError("invalid value for --format: \(v)") }
            return f
        } ?? (args.operands == ["-"] ? .ndjson : nil)
        let result = Validation.validate(paths: args.operands, format: format)
        if args.flag("--json") {
            print(try Report.json(result))
        } else {
            for line in Report.diagnostics(result.diagnostics, more: "--json") { Console.error(line) }
            Console.error("\(result.files) file(s), \(result.dossiers) dossier(s), \(result.errorCount) error(s)")
        }
        return result.errorCount == 0 ? .success : .failure
    }
}
