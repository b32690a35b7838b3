// The `dossierport` executable: parses the command line, calls one library function per
// subcommand, prints diagnostics and maps outcomes to exit codes. No logic lives here.
#if canImport(Glibc)
import Glibc
#endif

let commands: [any Command.Type] = [
    ExportCommand.self, BundleCommand.self, VerifyCommand.self, InspectCommand.self, ImportCommand.self,
    ValidateCommand.self, ProfileCommand.self, LogCommand.self,
]

exit(Console.run(Array(CommandLine.arguments.dropFirst()), commands: commands))
