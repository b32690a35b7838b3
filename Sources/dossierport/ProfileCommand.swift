import DossierModel
import Dossierport

struct ProfileCommand: Command {
    static let name = "profile"
    static let summary = "Check a mapping profile against a real export before running it"
    static let help = """
    Usage: dossierport profile check PROFILE --source PATH [--json]

    Loads the mapping profile (formats/profile.md), reads the whole source (a SQL dump or -, a folder
    of CSV files or one CSV file, or an XML file, as the profile's source.kind says) and compares:
    tables and columns the profile names but the source lacks (errors), tables and columns the
    source has but the profile neither maps nor ignores (warnings), declared column types that
    cannot feed their field, and the conversions of the first 100 rows of every table (dates,
    numbers, codes). Problems are printed as 'location: severity: message at $.json.path': the
    first 100, errors first, then the rest counted by code (--json lists up to 10,000 of each severity).

    Options:
      --source PATH   the raw export the profile is meant for
      --json          print the diagnostics as JSON on standard output

    Exit codes: 0 no errors (warnings may be shown); 1 an error was found, or the profile or the
    source cannot be read (malformed source: file:line on stderr); 64 usage error.
    """
    static let options: Set<String> = ["--source"]
    static let flags: Set<String> = ["--json"]

    static func run(_ args: Arguments) throws -> ExitCode {
        guard args.operands.count == 2, args.operands[0] == "check" else { throw UsageError("use: profile check PROFILE --source PATH") }
        guard let source = args.value("--source") else { throw UsageError("profile check needs --source PATH") }
        let profilePath = args.operands[1]
        let diagnostics = try ProfileExport.check(try ProfileExport.loadProfile(profilePath), source: source)
        if args.flag("--json") {
            print(try Report.json(diagnostics))
        } else {
            for line in Report.diagnostics(diagnostics, more: "--json") { Console.error(line) }
        }
        Console.error("\(profilePath): \(diagnostics.errors) error(s), \(diagnostics.warnings) warning(s) against \(source)")
        return diagnostics.errors == 0 ? .success : .failure
    }
}
