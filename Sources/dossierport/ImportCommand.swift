import DossierModel
import Dossierport
import DossierCrypto

struct ImportCommand: Command {
    static let name = "import"
    static let summary = "Load a verified bundle into PostgreSQL, MariaDB or SQLite (a SQL script) or per-table files"
    static let help = """
    Usage: dossierport import BUNDLE --target postgres|mysql|sqlite|files [--out FILE|DIR|-] [--no-ddl]
                                     [--trusted FILE] [--require-signature] [--identity FILE]... [--passphrase-file FILE]
                                     [--max-entries N] [--max-size SIZE] [--max-ratio N] [--max-dossier SIZE] [--json]
           dossierport import --schema-only --target postgres|mysql|sqlite

    Checks the bundle exactly as 'verify' does (decryption, signature, every checksum, export.json
    against the payload, every dossier against the model); if anything fails nothing is written.
    Then, for a database target, writes one transaction that creates the staging schema
    (formats/staging/<target>.sql, CREATE TABLE IF NOT EXISTS) and merges the bundle into it:

      dossierport import B.zip --target postgres | psql -v ON_ERROR_STOP=1 "$DATABASE_URL"
      dossierport import B.zip --target mysql | mariadb DB
      dossierport import B.zip --target sqlite | sqlite3 -bail receiver.db

    Loading the same bundle twice changes nothing; a newer bundle from the same sender updates the
    rows it sent before (matched on sender KvK, dossier id and record id) and adds new ones, and never
    touches rows with another origin. A client whose BSN the database knows with another birth date
    is a conflict: that dossier is not loaded, it is recorded in import_conflicts, and the script
    prints it. The script's last statements print, per table, what was added, updated, unchanged
    and rejected. --target files writes <table>.ndjson per table (one record per line with its
    dossier id), the documents and export.json into a new folder.

    Options:
      --target T             postgres, mysql (MariaDB), sqlite or files
      --out FILE|DIR|-       the script (written atomically; - for standard output, the default for SQL),
                             or the new folder for files
      --no-ddl               leave out the CREATE TABLE statements
      --database FILE        with --target sqlite: apply the script to this SQLite database (through sqlite3)
                             and report what it added, updated, left unchanged and rejected
      --schema-only          print the staging schema (formats/staging/<target>.sql) and nothing else
    \(KeyOptions.help)
    \(LimitOptions.help)
      --json                 print the import report as JSON (on standard error when the script goes to standard output)
    \(LogOptions.help)

    Exit codes: 0 written; 1 the bundle failed a check or could not be read (nothing written); 64 usage error.
    """
    static let options = KeyOptions.options.union(LimitOptions.options).union(["--target", "--out", "--database"]).union(LogOptions.options)
    static let flags = KeyOptions.flags.union(["--json", "--no-ddl", "--schema-only"])

    static func run(_ args: Arguments) throws -> ExitCode {
        if args.flag("--schema-only") {
            guard args.operands.isEmpty, let d = SQLDialect(rawValue: args.value("--target") ?? "") else {
                throw UsageError("--schema-only takes no BUNDLE and needs --target postgres|mysql|sqlite")
            }
            print(SQLStagingSchema.ddl(for: d), terminator: "")
            return .success
        }
        guard args.operands.count == 1, let path = args.operands.first else { throw UsageError("import needs exactly one BUNDLE") }
        guard args.value("--target") != nil else { throw UsageError("import needs --target postgres|mysql|sqlite|files") }
        let target: ImportTarget = try args.choice("--target", default: .files)
        let out = args.value("--out") ?? (target == .files ? "" : "-")
        if out.isEmpty || (target == .files && out == "-") { throw UsageError("--target files needs --out DIR") }
        var options = ImportOptions(target: target, output: out, keys: try KeyOptions.keys(args))
        options.includeDDL = !args.flag("--no-ddl")
        options.limits = try LimitOptions.limits(args)
        let report: ImportReport
        if let db = args.value("--database") {
            guard target == .sqlite, args.value("--out") == nil else { throw UsageError("--database needs --target sqlite and no --out") }
            report = BundleImport.runSQLite(bundle: path, database: db, options: options)
        } else {
            report = BundleImport.run(bundle: path, options: options)
        }
        // A refused import is logged too (NEN 7513): who tried to load what, and that it failed.
        try LogOptions.record(args, event: "import", outcome: report.loaded ? "success" : "failure", output: out) { e in
            e.organisation = report.sender.map { s in report.senderKvK.map { "\(s) (KvK \($0))" } ?? s }
            e.purpose = report.purpose
            e.records = report.entities.reduce(0) { $0 + $1.records }
            e.clients = report.dossierIDs
            e.bundleSHA256 = try? Digester.hash(.sha256, fileAt: path).hexString
        }
        for line in Report.diagnostics(report.problems, more: "--json", line: { "\($0.description) [\($0.code)]" }) { Console.error(line) }
        let text = args.flag("--json") ? try MachineOutput.json(report) : report.table
        if out == "-" && args.value("--database") == nil { Console.error(text) } else { print(text) }
        guard report.loaded else {
            Console.error("\(path): not imported, \(report.problems.errors) error(s); nothing was written")
            return .failure
        }
        return .success
    }
}
