/// A command line split into options and operands, checked against what a command declares.
///
/// Hand-written because the package takes no dependencies; it follows swift-argument-parser's
/// conventions: `--name value` or `--name=value`, flags without values, `--` ends options, `-` is an
/// operand (standard input or output).
struct Arguments {
    private(set) var operands: [String] = []
    private var values: [String: [String]] = [:]
    private var flags: Set<String> = []

    /// Parses `argv` for a command whose valued options and flags are given; anything else is a usage error.
    init(_ argv: [String], options: Set<String>, flags allowedFlags: Set<String>) throws(UsageError) {
        var i = 0
        var onlyOperands = false
        while i < argv.count {
            let a = argv[i]
            i += 1
            if onlyOperands || a == "-" || !a.hasPrefix("-") { operands.append(a); continue }
            if a == "--" { onlyOperands = true; continue }
            var name = a
            var inline: String?
            if let eq = a.firstIndex(of: "=") {
                name = String(a[..<eq])
                inline = String(a[a.index(after: eq)...])
            }
            if allowedFlags.contains(name) {
                if inline != nil { throw UsageError("\(name) takes no value") }
                flags.insert(name)
            } else if options.contains(name) {
                guard let v = inline ?? (i < argv.count ? argv[i] : nil) else {
                    throw UsageError("\(name) needs a value")
                }
                if inline == nil { i += 1 }
                values[name, default: []].append(v)
            } else {
                throw UsageError("unknown option \(name)")
            }
        }
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }
    func value(_ name: String) -> String? { values[name]?.last }
    func all(_ name: String) -> [String] { values[name] ?? [] }

    /// The value of an option restricted to a fixed set, such as `--format json|ndjson|xml`.
    func choice<T: RawRepresentable>(_ name: String, default d: T) throws(UsageError) -> T where T.RawValue == String {
        guard let v = value(name) else { return d }
        guard let c = T(rawValue: v) else { throw UsageError("invalid value for \(name): \(v)") }
        return c
    }

    func integer(_ name: String) throws(UsageError) -> Int? {
        guard let v = value(name) else { return nil }
        guard let n = Int(v), n >= 0 else { throw UsageError("\(name) needs a non-negative whole number") }
        return n
    }
}

/// A mistake in how the command was called: printed with the command's usage, exit code 64.
struct UsageError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
