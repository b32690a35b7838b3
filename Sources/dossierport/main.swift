// The `dossierport` executable: parses the command line, calls one library function per
// subcommand, prints diagnostics and maps outcomes to exit codes. No logic lives here.
#if canImport(Glibc)
import Glibc
#endif
import DossierIO

let commands: [any Command.Type] = [
    ExportCommand.self, BundleCommand.self, VerifyCommand.self, InspectCommand.self, ImportCommand.self,
    ValidateCommand.self, ProfileCommand.self, LogCommand.self,
]

// Ctrl-C, a kill or a closed pipe must not leave spill files or half-written output behind.
Interruption.install()
exit(Console.run(Array(CommandLine.arguments.dropFirst()), commands: commands))
