/// One problem found in an input, with where it is and what it concerns, but never the value itself.
///
/// Diagnostics are how "nothing is lost silently" is kept: a row that cannot be mapped becomes a
/// diagnostic, and counts reconcile as mapped + reported. Messages must name identifiers only:
/// a BSN, a name or a text never goes into `message`.
public struct Diagnostic: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable, Codable, Comparable {
        case warning, error
        public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
    }

    public var severity: Severity
    /// A stable, machine-readable reason such as `bsn.elfproef` or `reference.unresolved`.
    public var code: String
    public var message: String
    public var location: SourceLocation?
    /// A path into the document (`$.progressReports[3].meta.author`), for checks on decoded data.
    public var path: String?
    /// The identifier of the record concerned; the only part of a record a message may name.
    public var recordID: String?

    public init(_ severity: Severity, code: String, _ message: String, at location: SourceLocation? = nil,
                path: String? = nil, recordID: String? = nil) {
        self.severity = severity; self.code = code; self.message = message
        self.location = location; self.path = path; self.recordID = recordID
    }

    public static func error(_ code: String, _ message: String, at location: SourceLocation? = nil,
                             path: String? = nil, recordID: String? = nil) -> Diagnostic {
        Diagnostic(.error, code: code, message, at: location, path: path, recordID: recordID)
    }

    public static func warning(_ code: String, _ message: String, at location: SourceLocation? = nil,
                               path: String? = nil, recordID: String? = nil) -> Diagnostic {
        Diagnostic(.warning, code: code, message, at: location, path: path, recordID: recordID)
    }

    /// `file:line:col: error: message [path] (record id)`, the form editors and CI logs link.
    public var description: String {
        var s = (location.map { "\($0): " } ?? "") + "\(severity.rawValue): \(message)"
        if let path { s += " at \(path)" }
        if let recordID { s += " (record \(recordID))" }
        return s
    }
}

/// A thrown failure that stops a run, carrying the same location facts as a diagnostic.
///
/// A struct around a diagnostic rather than an enum, so new reasons can be added without breaking
/// clients that switch over errors.
public struct DossierError: Error, Hashable, Sendable, CustomStringConvertible {
    public var diagnostic: Diagnostic

    public init(_ code: String, _ message: String, at location: SourceLocation? = nil, path: String? = nil,
                recordID: String? = nil) {
        diagnostic = .error(code, message, at: location, path: path, recordID: recordID)
    }

    public init(_ diagnostic: Diagnostic) { self.diagnostic = diagnostic }

    public var code: String { diagnostic.code }
    public var location: SourceLocation? { diagnostic.location }
    public var description: String { diagnostic.description }
}

extension Diagnostic {
    /// A name taken from an input (a table, an encoding, a JSON member) as a message may show it:
    /// as written when it looks like a name, else only by its length. A quoted name in a damaged
    /// file can run on for megabytes, carrying whatever records follow it, and a value that landed
    /// where a name belongs (a shifted column, a hostile file) is data; the message must not
    /// carry either. A name is at most 64 bytes, with no control characters or white space, no
    /// `@` (an e-mail address) and no run of six or more digits (a BSN, a phone number).
    public static func shownName(_ name: String) -> String {
        let u = name.utf8
        var digits = 0, looksLikeData = false
        for b in u {
            digits = (0x30...0x39).contains(b) ? digits + 1 : 0
            if b <= 0x20 || b == 0x7F || b == 0x40 || digits >= 6 { looksLikeData = true; break }
        }
        guard u.count <= 64, !looksLikeData else { return "<a name of \(u.count) bytes>" }
        return name
    }
}
