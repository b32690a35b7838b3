import Foundation

/// A suite's command line: flags (`--smoke`) and options with a value (`--dossiers 2000`).
///
/// One parser for every suite, so a mistyped or incomplete argument always stops with the suite's
/// usage line and exit code 64, instead of each suite deciding on its own.
struct SuiteArguments {
    var flags: [String: () -> Void] = [:]
    /// Each returns false when the value is not acceptable.
    var options: [String: (String) -> Bool] = [:]

    func parse(_ args: [String], usage: String) {
        var i = 0
        while i < args.count {
            if let flag = flags[args[i]] {
                flag()
            } else if let option = options[args[i]], i + 1 < args.count, option(args[i + 1]) {
                i += 1
            } else {
                FileHandle.standardError.write(Data("usage: DossierportBenchmarks \(usage)\n".utf8))
                exit(64)
            }
            i += 1
        }
    }

    /// An option that takes a positive whole number.
    static func count(_ set: @escaping (Int) -> Void) -> (String) -> Bool {
        { value in
            guard let n = Int(value), n > 0 else { return false }
            set(n)
            return true
        }
    }
}
