/// The diagnostics of a run or of one reader: the first ones of each severity listed, every one
/// counted by code.
///
/// A fault repeated on every row gives a diagnostic per row: a profile that maps no creation dates
/// gave 2.4 million retention warnings for one 246 MB dump, and holding them took 2.4 GB. Each
/// severity has a limit of its own, so warnings on every record cannot crowd out the errors that
/// fail a run. The counts are by code, so that what is not listed is still accounted for.
public struct DiagnosticLog: Hashable, Sendable, Codable {
    /// How many of each severity are listed.
    public let limit: Int
    /// The first `limit` errors and the first `limit` warnings, in the order they arose.
    public private(set) var listed: [Diagnostic] = []
    /// Every diagnostic, listed or not, by code.
    public private(set) var counts = CodeCounts()
    /// Diagnostics of severity error, listed or not.
    public private(set) var errors = 0
    /// Errors among `listed`.
    private var listedErrors = 0

    public init(limit: Int = 10_000) { self.limit = max(0, limit) }

    public var total: Int { counts.total }
    public var warnings: Int { total - errors }
    /// Diagnostics counted but not listed.
    public var omitted: Int { total - listed.count }
    public var isEmpty: Bool { total == 0 }

    public mutating func append(_ d: Diagnostic) {
        count(d.code, d.severity)
        if lists(d.severity) { list(d) }
    }

    public mutating func append(contentsOf diagnostics: some Sequence<Diagnostic>) {
        for d in diagnostics { append(d) }
    }

    /// Takes over another log: its listed diagnostics while there is room, all of its counts.
    public mutating func append(contentsOf other: DiagnosticLog) {
        for d in other.listed where lists(d.severity) { list(d) }
        counts.add(other.counts)
        errors += other.errors
    }

    /// Lists the diagnostic while there is room for its severity, else only counts it under
    /// `code`, without building it: for a fault repeated on every row, whose message and location
    /// cost more than the count.
    public mutating func append(_ code: String, _ severity: Diagnostic.Severity, _ make: @autoclosure () -> Diagnostic) {
        if lists(severity) { append(make()) } else { count(code, severity) }
    }

    /// Whether a diagnostic of `severity` would be listed now.
    public func lists(_ severity: Diagnostic.Severity) -> Bool {
        (severity == .error ? listedErrors : listed.count - listedErrors) < limit
    }

    /// Counts a diagnostic without listing it.
    public mutating func count(_ code: String, _ severity: Diagnostic.Severity) {
        counts.add(code)
        if severity == .error { errors += 1 }
    }

    private mutating func list(_ d: Diagnostic) {
        listed.append(d)
        if d.severity == .error { listedErrors += 1 }
    }

    /// The first `n` listed, errors before warnings, and the counts of the rest by code: what a
    /// person reads on a terminal, where a warning on every record must not bury the errors.
    public func summary(showing n: Int) -> (shown: [Diagnostic], rest: CodeCounts) {
        let shown = Array((listed.filter { $0.severity == .error } + listed.filter { $0.severity != .error }).prefix(n))
        var rest = counts
        for d in shown { rest.add(d.code, -1) }
        return (shown, rest.nonZero)
    }

    // Summary figures first, so that a reader of a large report sees them before the list.
    private enum CodingKeys: String, CodingKey { case errors, warnings, omitted, limit, counts, listed }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        limit = try c.decode(Int.self, forKey: .limit)
        listed = try c.decode([Diagnostic].self, forKey: .listed)
        counts = try c.decode(CodeCounts.self, forKey: .counts)
        errors = try c.decode(Int.self, forKey: .errors)
        listedErrors = listed.count(where: { $0.severity == .error })
        // A log read back from a file must add up, or its omitted count would be made up.
        guard limit >= 0, counts.allSatisfy({ $0.1 >= 0 }), listedErrors <= errors, errors <= counts.total,
              listed.count - listedErrors <= counts.total - errors,
              listedErrors <= limit, listed.count - listedErrors <= limit else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: c.codingPath,
                debugDescription: "a diagnostic log whose listed diagnostics, errors and counts do not add up"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(errors, forKey: .errors)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(omitted, forKey: .omitted)
        try c.encode(limit, forKey: .limit)
        try c.encode(counts, forKey: .counts)
        try c.encode(listed, forKey: .listed)
    }
}

/// How many diagnostics of each code a run gave, those it listed and those past its limit.
///
/// Kept in code order and encoded as a JSON object in that order: as a `Dictionary` it came out
/// in the process's hash order, so two runs over the same input wrote different report bytes.
public struct CodeCounts: Hashable, Sendable, Codable, Sequence {
    private var codes: [String] = []
    private var counts: [Int] = []

    public init() {}

    public subscript(code: String) -> Int {
        let (found, at) = index(code)
        return found ? counts[at] : 0
    }

    public var total: Int { counts.reduce(0, +) }

    public mutating func add(_ code: String, _ n: Int = 1) {
        let (found, at) = index(code)
        if found { counts[at] += n } else { codes.insert(code, at: at); counts.insert(n, at: at) }
    }

    public mutating func add(_ other: CodeCounts) { for (code, n) in other { add(code, n) } }

    /// The codes whose count is not zero.
    public var nonZero: CodeCounts {
        var out = CodeCounts()
        for (code, n) in self where n != 0 { out.add(code, n) }
        return out
    }

    public func makeIterator() -> Zip2Sequence<[String], [Int]>.Iterator { zip(codes, counts).makeIterator() }

    /// Binary search: a run has a few dozen codes at most, and meets them millions of times.
    private func index(_ code: String) -> (found: Bool, at: Int) {
        var (lo, hi) = (0, codes.count)
        while lo < hi {
            let mid = (lo + hi) / 2
            if codes[mid] == code { return (true, mid) }
            if codes[mid] < code { lo = mid + 1 } else { hi = mid }
        }
        return (false, lo)
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        for k in c.allKeys { add(k.stringValue, try c.decode(Int.self, forKey: k)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        for (code, n) in self { try c.encode(n, forKey: Key(stringValue: code)) }
    }
}
