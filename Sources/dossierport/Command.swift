#if canImport(Glibc)
import Glibc
#endif
import DossierModel
import Dossierport

/// One subcommand: its name, help text, the options it accepts, and the library call it makes.
protocol Command {
    static var name: String { get }
    static var summary: String { get }
    /// Full help: synopsis, description, options, exit codes.
    static var help: String { get }
    static var options: Set<String> { get }
    static var flags: Set<String> { get }
    static func run(_ args: Arguments) throws -> ExitCode
}

/// Exit codes, documented in the README and every command's help (BSD sysexits for usage).
enum ExitCode: Int32 {
    /// Everything asked was done and every input was valid.
    case success = 0
    /// An input was invalid, a check failed, or the operation could not complete; see stderr.
    case failure = 1
    /// The command line was wrong.
    case usage = 64
}

enum Console {
    static let version = Toolkit.version

    static func generalHelp(_ commands: [any Command.Type]) -> String {
        var s = """
        dossierport \(version): carries Dutch care providers' client dossiers between systems (GDPR art. 15, 20).

        Usage: dossierport <command> [options]

        Commands:

        """
        for c in commands { s += "  " + c.name.padding(12) + c.summary + "\n" }
        s += """

        Run 'dossierport <command> --help' for a command's options.
        Exit codes: 0 success, 1 failure (invalid input, failed check; details on stderr), 64 usage error.
        """
        return s
    }

    static func run(_ argv: [String], commands: [any Command.Type]) -> Int32 {
        guard let first = argv.first else { print(generalHelp(commands)); return ExitCode.usage.rawValue }
        if first == "--help" || first == "-h" || first == "help" {
            if argv.count > 1, let c = commands.first(where: { $0.name == argv[1] }) { print(c.help) } else { print(generalHelp(commands)) }
            return ExitCode.success.rawValue
        }
        if first == "--version" { print(version); return ExitCode.success.rawValue }
        guard let command = commands.first(where: { $0.name == first }) else {
            error("unknown command '\(first)'\n\n" + generalHelp(commands))
            return ExitCode.usage.rawValue
        }
        let rest = Array(argv.dropFirst())
        if rest.contains("--help") || rest.contains("-h") { print(command.help); return ExitCode.success.rawValue }
        do {
            let args = try Arguments(rest, options: command.options, flags: command.flags)
            return try command.run(args).rawValue
        } catch let e as UsageError {
            error("\(e.message)\n\n\(command.help)")
            return ExitCode.usage.rawValue
        } catch let e as DossierError {
            error(e.description)
            return ExitCode.failure.rawValue
        } catch {
            Console.error("error: \(error)")
            return ExitCode.failure.rawValue
        }
    }

    /// Writes to standard error, unbuffered, so diagnostics interleave correctly with progress.
    static func error(_ message: String) {
        var line = message
        if !line.hasSuffix("\n") { line += "\n" }
        line.withUTF8 { b in
            var off = 0
            while off < b.count {
                let n = Glibc.write(2, b.baseAddress! + off, b.count - off)
                if n <= 0 { return }
                off += n
            }
        }
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
