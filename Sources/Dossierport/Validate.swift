public import DossierModel
import DossierFormats
import DossierIO
import DossierXML

/// The outcome of checking files: every problem found counted, the first ones listed, and how
/// many dossiers were read.
public struct ValidationResult: Sendable, Codable {
    public var files = 0
    public var dossiers = 0
    public var diagnostics: DiagnosticLog
    public var errorCount: Int { diagnostics.errors }

    public init(keeping limit: Int = 10_000) { diagnostics = DiagnosticLog(limit: limit) }
}

/// `dossierport validate`: syntax (strict JSON, XML against the XSD), then the model's semantic checks.
///
/// Never stops at the first problem in a file set: an administrator fixing an export wants the
/// whole list. A file that cannot be read at all yields one diagnostic and the next file is checked.
public enum Validation {
    /// Checks every file; `keeping` is how many diagnostics of each severity the result lists
    /// (all are counted by code), as a file with a fault in every dossier has millions.
    public static func validate(paths: [String], format: DossierFileFormat? = nil, keeping limit: Int = 10_000) -> ValidationResult {
        var result = ValidationResult(keeping: limit)
        for path in paths {
            result.files += 1
            guard let f = format ?? DossierFileFormat.detect(path) else {
                result.diagnostics.append(.error("source.format", "unknown file type; use .json, .ndjson or .xml, or --format",
                                                 at: SourceLocation(file: path)))
                continue
            }
            switch f {
            case .json:
                record(&result, path: path, line: nil) { try DossierJSON.read(path: path) }
            case .ndjson:
                do {
                    let reader = try NDJSONReader(path: path)
                    while true {
                        var done = false
                        record(&result, path: path, line: { reader.lineNumber }) {
                            guard let d = try reader.next() else { done = true; return nil }
                            return d
                        }
                        if done { break }
                    }
                } catch {
                    result.diagnostics.append(diagnostic(for: error, path: path))
                }
            case .xml:
                // XSD validation needs the whole document in memory (libxml2's schema validator works on
                // a tree); the reader's cap keeps that bounded. The model's rules then run per dossier.
                do {
                    let bytes = try ByteReader.readAll(path: path, limit: Int(XMLLimits.document.maxBytes ?? (64 << 20)))
                    let schemaProblems = DossierXMLFormat.validate(bytes, file: path)
                    result.diagnostics.append(contentsOf: schemaProblems)
                    if !schemaProblems.contains(where: { $0.severity == .error }) {
                        let reader = try DossierXMLReader(input: try ByteReader(path: path))
                        while let d = try reader.next() { check(d, &result, SourceLocation(file: path)) }
                    }
                } catch {
                    result.diagnostics.append(diagnostic(for: error, path: path))
                }
            }
        }
        return result
    }

    private static func record(_ r: inout ValidationResult, path: String, line: (() -> Int)?, _ read: () throws -> Dossier?) {
        do {
            if let d = try read() { check(d, &r, SourceLocation(file: path, line: line?())) }
        } catch {
            r.diagnostics.append(diagnostic(for: error, path: path))
        }
    }

    private static func check(_ d: Dossier, _ r: inout ValidationResult, _ at: SourceLocation) {
        r.dossiers += 1
        r.diagnostics.append(contentsOf: DossierValidator.validate(d).map { Export.located($0, LoadedDossier(dossier: d, origin: at), d.id) })
    }

    static func diagnostic(for error: any Error, path: String) -> Diagnostic {
        if let e = error as? DossierError { return e.diagnostic }
        return .error("input.unreadable", "\(error)", at: SourceLocation(file: path))
    }
}
