internal import CLibXML2
import DossierModel
internal import DossierIO

/// The one place libxml2's errors become Swift errors, keeping the C function, domain and code.
///
/// Errors are collected per context through libxml2's structured-error hook (never the global
/// handler), so parses on different threads never see each other's messages. Messages are
/// redacted before they are kept: libxml2 quotes offending values ("The value '123456782' is not
/// accepted…"), and a value may be a BSN or a name.
final class LibXML2Errors {
    struct Entry {
        var domain: Int32
        var code: Int32
        var level: xmlErrorLevel
        var reason: String
        var line: Int
        var column: Int

        var isError: Bool { level.rawValue >= XML_ERR_ERROR.rawValue }
        var isSchemaViolation: Bool { domain == Int32(XML_FROM_SCHEMASV.rawValue) }
        static func isFatal(_ e: Entry) -> Bool { e.isError && !e.isSchemaViolation }
    }

    /// Warnings and schema violations kept, at most: a hostile document must not grow this list
    /// without bound. Fatal errors are always kept (parsing stops at the first one anyway).
    static let cap = 1000
    let file: String?
    private(set) var entries: [Entry] = []
    /// Schema violations past the cap: not kept, but said, so that a count is never lost.
    private(set) var unlistedViolations = 0

    init(file: String?) { self.file = file }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// True when libxml2 reported anything worse than a warning, other than a schema violation:
    /// those are reported as diagnostics while reading goes on.
    var hasErrors: Bool { entries.contains(where: Entry.isFatal) }

    func record(_ e: UnsafePointer<xmlError>) {
        let raw = e.pointee.message.map { String(cString: $0) } ?? "unknown libxml2 error"
        let entry = Entry(domain: e.pointee.domain, code: e.pointee.code, level: e.pointee.level,
                          reason: LibXML2Errors.redact(raw), line: Int(e.pointee.line), column: Int(e.pointee.int2))
        if entries.count < LibXML2Errors.cap || Entry.isFatal(entry) { entries.append(entry) }
        else if entry.isError && entry.isSchemaViolation { unlistedViolations += 1 }
    }

    /// The first error as a thrown failure: `function: reason [libxml2 domain.code]`.
    func failure(_ function: String, code: String = XMLErrorCode.malformed) -> DossierError {
        guard let e = entries.first(where: Entry.isFatal) ?? entries.first else {
            return DossierError(code, "\(function) failed without a libxml2 message", at: SourceLocation(file: file))
        }
        return DossierError(diagnostic(e, function: function, code: code))
    }

    /// Every schema violation kept as a diagnostic, for validation that reports all at once, and
    /// one more that says how many were past the cap.
    func schemaViolations(_ function: String) -> [Diagnostic] {
        let kept = entries.filter { $0.isError && $0.isSchemaViolation }.map { diagnostic($0, function: function, code: XMLErrorCode.schema) }
        guard unlistedViolations > 0 else { return kept }
        return kept + [.error(XMLErrorCode.schema, "\(function): \(unlistedViolations) more schema violation(s), not listed (the first \(LibXML2Errors.cap) messages are)",
                              at: SourceLocation(file: file))]
    }

    private func diagnostic(_ e: Entry, function: String, code: String) -> Diagnostic {
        .error(code, "\(function): \(e.reason) [libxml2 \(e.domain).\(e.code)]",
               at: SourceLocation(file: file, line: e.line > 0 ? e.line : nil, column: e.column > 0 ? e.column : nil))
    }

    /// Replaces quoted values with `'…'`, keeping quoted names that follow "Element", "attribute",
    /// "type", "pattern" or "facet", which describe the schema rather than the data; and drops
    /// what follows a line break, where libxml2 quotes the document itself unquoted ("CData
    /// section not finished" or "Comment not terminated", then up to 50 bytes of the text).
    static func redact(_ message: String) -> String {
        let kept = ["element ", "attribute ", "type ", "pattern ", "facet "]
        var out = ""
        var rest = message.trimmingTrailingWhitespace()
        if let lineBreak = rest.firstIndex(of: "\n") { rest = String(rest[..<lineBreak]).trimmingTrailingWhitespace() + " …" }
        while let open = rest.firstIndex(of: "'") {
            let before = rest[..<open]
            out += before
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "'") else { out += rest[open...]; return out }
            let keep = kept.contains { out.lowercased().hasSuffix($0) }
            out += keep ? rest[open...close] : "'…'"
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

extension String {
    fileprivate func trimmingTrailingWhitespace() -> Substring {
        var s = Substring(self)
        while let last = s.last, last == "\n" || last == "\r" || last == " " { s.removeLast() }
        return s
    }
}

/// Structured-error hook for contexts that pass our collector as the callback argument
/// (xmlTextReader, XML Schema parser and validator).
let collectErrors: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    Unmanaged<LibXML2Errors>.fromOpaque(context).takeUnretainedValue().record(error)
}

/// Structured-error hook for a parser context, whose callback argument is the context itself
/// (SAX2 needs `userData` to stay the context); our collector lives in its `_private` field.
let collectParserErrors: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    let ctxt = context.assumingMemoryBound(to: xmlParserCtxt.self)
    guard let collector = ctxt.pointee._private else { return }
    Unmanaged<LibXML2Errors>.fromOpaque(collector).takeUnretainedValue().record(error)
}

/// Process-wide libxml2 set-up: `xmlInitParser` and a silent generic error handler once before
/// any thread parses, and a deny-all external entity loader installed while any parse is running.
///
/// The loader is libxml2 global state (2.9.14 has no per-context loader), so it is counted: the
/// first user installs it, the last restores what was there. With DOCTYPEs rejected on the raw
/// bytes nothing should ask for an external resource; the loader makes sure that if anything
/// does (an XSD import, a future code path), no file or URL is ever opened.
enum LibXML2 {
    private static let initialised: Void = {
        xmlInitParser()
        CLibXML2_silenceGenericErrors()
    }()
    private static let loader = Locked<(users: Int, saved: xmlExternalEntityLoader?)>((0, nil))

    private static let denyAll: xmlExternalEntityLoader = { _, _, _ in nil }

    static func acquire() {
        _ = initialised
        loader.withLock { state in
            if state.users == 0 {
                state.saved = xmlGetExternalEntityLoader()
                xmlSetExternalEntityLoader(denyAll)
            }
            state.users += 1
        }
    }

    static func release() {
        loader.withLock { state in
            state.users -= 1
            if state.users == 0 {
                xmlSetExternalEntityLoader(state.saved)
                state.saved = nil
            }
        }
    }

    static func withSafeLoader<R>(_ body: () throws -> R) rethrows -> R {
        acquire()
        defer { release() }
        return try body()
    }

    /// `XML_PARSE_NONET` only as defence in depth; never NOENT, DTDLOAD, DTDATTR, DTDVALID,
    /// XINCLUDE, HUGE or RECOVER. `BIG_LINES` only makes line numbers past 65,535 right.
    static let documentOptions = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue) | noXXE
    static let readerOptions = Int32(XML_PARSE_NONET.rawValue) | noXXE

    /// `XML_PARSE_NO_XXE` (1 << 23) when built against libxml2 2.13 or later, whose headers
    /// define it; Debian 12's 2.9.14 predates it, and there the deny-all loader does that job.
    private static let noXXE: Int32 = CLibXML2_version() >= 21300 ? 1 << 23 : 0

    /// A libxml2 string as Swift, for the borrowed `const xmlChar *` the library returns.
    static func string(_ p: UnsafePointer<xmlChar>?) -> String? {
        p.map { String(cString: $0) }
    }

    /// Whether the NUL-terminated libxml2 string `s` holds exactly `bytes`, without measuring it first.
    static func equal(_ s: UnsafePointer<xmlChar>?, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let s else { return false }
        for i in 0..<bytes.count where s[i] != bytes[i] || s[i] == 0 { return false }
        return s[bytes.count] == 0
    }
}

/// The last namespace URI made a `String`, handed out again while the URI stays the same: nearly
/// every element of a document is in one namespace, and a URI longer than 15 bytes is a heap
/// allocation per element otherwise.
struct NamespaceStrings {
    private var last: String?

    mutating func string(_ p: UnsafePointer<xmlChar>?) -> String? {
        guard let p else { return nil }
        if var last, last.withUTF8({ LibXML2.equal(p, $0) }) { return last }
        let s = String(cString: p)
        last = s
        return s
    }
}
