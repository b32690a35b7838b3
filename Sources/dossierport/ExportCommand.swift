import DossierModel
import DossierPolicy
import Dossierport
import DossierIO

struct ExportCommand: Command {
    static let name = "export"
    static let summary = "Export canonical dossiers (JSON, NDJSON, XML), optionally cut to a GDPR purpose"
    static let help = """
    Usage: dossierport export [--source PATH] [--client ID|--all] [--format json|ndjson|xml] [--out DIR|-]
                              [--purpose access|portability|transfer] [--organisation FILE]
                              [--date YYYY-MM-DD] [--keep-going] [--report FILE]
           dossierport export --profile FILE --source PATH [--client KEY|--all] [--spill-dir DIR] [same options]

    Reads dossiers, validates each, optionally cuts them to a purpose (formats/purposes.md), and
    writes them. Without --source it exports the shipped sample organisation (fixtures/dossiers).
    With --profile it builds the dossiers from an EPD's own export as the mapping profile describes
    (formats/profile.md), and also prints how many rows of each table and section were read,
    mapped and rejected, and every rejected row (file:line: table#key: reason).

    Options:
      --source PATH        a canonical dossier file (.json, .ndjson, .xml), a folder of them, or - (NDJSON on stdin);
                           with --profile the raw export: a SQL dump or -, a folder of CSV files or one CSV file,
                           or an XML file
      --profile FILE       a mapping profile (formats/profile.md); then --source is required
      --spill-dir DIR      with --profile: where the private work folders (spilled rows, staged documents) go
                           (default /tmp; they hold health data, so keep it on an encrypted volume)
      --client ID          only the dossier whose id, client id or client number is ID (default: all);
                           with --profile, the client key in the source (key columns joined by -)
      --all                every client (the default; says so explicitly in scripts, and cannot go with --client)
      --format F           json (one file per dossier, default), ndjson (one dossiers.ndjson), xml (one file per dossier)
      --out DIR|-          a new folder (written under a temporary name and renamed when complete),
                           or - for standard output (ndjson lines, an XML <dossiers> document, or one JSON dossier)
                           default: ./dossierport-export
      --purpose P          access (art. 15), portability (art. 20) or transfer (new holder)
      --organisation FILE  organisation configuration (default: the sample's fixtures/organisation.json)
      --date YYYY-MM-DD    the date retention is judged against (default: today, UTC)
      --pseudonymise KEY   replace BSN, names, addresses, contacts and ids by keyed pseudonyms (HMAC-SHA-256 with
                           the secret in file KEY, at least 32 bytes: head -c 32 /dev/urandom > KEY); free text is
                           removed and documents stay behind; the same key gives the same pseudonyms in every run
      --bundle FILE        write a bundle instead, exactly as 'dossierport bundle --out FILE' (and its options)
      --keep-going         write the valid dossiers even if others are rejected (exit code is still 1)
      --report FILE        also write the run's account (counts, diagnostics, what was cut; with --profile the
                           rows per table and section under "account") as JSON
    \(LogOptions.help)

    The count tables and diagnostics go to standard error: the first 100 diagnostics, then a count of the
    rest by code. --report lists the first 10,000 errors and 10,000 warnings and counts all by code.
    Exit codes: 0 all dossiers exported; 1 a dossier was invalid, a source row was rejected or had a bad
    value, a table was not in the profile, or the run failed (malformed source: file:line on stderr);
    nothing is left under the output name unless --keep-going; 64 usage error.
    """
    /// What every exporting command takes; `bundle` adds its own, and `export --bundle` takes those too.
    static let shared = Set(["--source", "--client", "--format", "--out", "--purpose", "--organisation", "--date", "--report",
                             "--pseudonymise", "--profile", "--spill-dir"])
        .union(LogOptions.options)
    static let options = shared.union(["--bundle"]).union(BundleCommand.bundleOptions)
    static let sharedFlags: Set<String> = ["--keep-going", "--all"]
    static let flags = sharedFlags.union(BundleCommand.bundleFlags)

    static func run(_ args: Arguments) throws -> ExitCode {
        guard args.operands.isEmpty else { throw UsageError("export takes no operands; use --source") }
        try checkSelection(args)
        if let bundle = args.value("--bundle") {
            guard args.value("--out") == nil, args.value("--format") == nil else {
                throw UsageError("--bundle FILE writes a bundle; it takes no --out or --format")
            }
            return try export(args, to: try BundleCommand.destination(args, out: bundle), event: "bundle", output: bundle)
        }
        let format: DossierFileFormat = try args.choice("--format", default: .json)
        let out = args.value("--out") ?? "dossierport-export"
        let destination: any DossierDestination = out == "-"
            ? StandardOutputDestination(format: format)
            : try FolderDestination(path: out, format: format)
        return try export(args, to: destination, event: "export", output: out)
    }

    /// The pipeline every exporting command shares; only the destination differs. With
    /// `--profile` the dossiers come from a raw source through the profile engine.
    static func export(_ args: Arguments, to destination: any DossierDestination, event: String, output: String) throws -> ExitCode {
        let profilePath = args.value("--profile")
        if profilePath != nil, args.value("--source") == nil { throw UsageError("--profile needs --source PATH (the raw export)") }
        if profilePath == nil, args.value("--spill-dir") != nil { throw UsageError("--spill-dir is only used with --profile") }
        guard let sourcePath = args.value("--source") ?? SampleData.dossiers else {
            throw UsageError("no --source given and the sample fixtures were not found")
        }
        let today = try args.value("--date").map { v throws(UsageError) in
            guard let d = LocalDate(iso: v) else { throw UsageError("--date needs YYYY-MM-DD") }
            return d
        } ?? Clock.todayUTC
        var options = ExportOptions(client: args.value("--client"), purpose: try purpose(args), today: today,
                                    keepGoing: args.flag("--keep-going"), organisation: try organisation(args))
        if let keyFile = args.value("--pseudonymise") {
            options.pseudonymiser = try Pseudonymiser(key: try ByteReader.readAll(path: keyFile, limit: 4096))
        }
        let report: ExportReport
        var profileResult: ProfileExportResult?
        do {
            if let profilePath {
                let work = ProfileExportOptions(workDirectory: args.value("--spill-dir") ?? "/tmp", stageDocuments: output != "-")
                profileResult = try ProfileExport.run(try ProfileExport.loadProfile(profilePath), source: sourcePath, to: destination,
                                                      options: options, profileOptions: work)
                report = profileResult!.report
            } else {
                report = try Export.run(from: try CanonicalSource(path: sourcePath), to: destination, options: options)
            }
        } catch {
            try LogOptions.record(args, event: event, outcome: "failure", purpose: options.purpose, report: nil, output: output)
            throw error
        }
        try LogOptions.record(args, event: event, outcome: report.hasErrors ? "failure" : "success", purpose: options.purpose,
                              report: report, output: output)
        for line in Report.diagnostics(report.diagnostics, more: "--report FILE") { Console.error(line) }
        Console.error(Report.table(report))
        if let profileResult { Console.error(Report.table(profileResult)) }
        if let path = args.value("--report") {
            try Report.writeJSON(report, profileResult, to: path)
        }
        if report.hasErrors {
            let committed = args.flag("--keep-going") || (report.dossiersRejected == 0 && report.sourceErrors == 0)
            Console.error(committed ? "export finished with errors" : "export failed: nothing was written")
            return .failure
        }
        return .success
    }

    /// Checked before a destination is made, so that a usage error is reported as one.
    static func checkSelection(_ args: Arguments) throws(UsageError) {
        if args.flag("--all"), args.value("--client") != nil { throw UsageError("--all and --client exclude each other") }
    }

    static func purpose(_ args: Arguments) throws(UsageError) -> ExportPurpose? {
        guard let v = args.value("--purpose") else { return nil }
        guard let p = ExportPurpose(rawValue: v) else { throw UsageError("invalid value for --purpose: \(v)") }
        return p
    }

    /// The organisation file given, or the sample's when exporting the sample.
    static func organisation(_ args: Arguments) throws -> Organisation? {
        if let path = args.value("--organisation") { return try OrganisationFile.load(path) }
        guard args.value("--source") == nil, let sample = SampleData.organisation else { return nil }
        return try OrganisationFile.load(sample)
    }
}
