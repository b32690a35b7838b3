#if canImport(Glibc)
import Glibc
#endif
import DossierModel
import DossierIO
import DossierFormats

/// The canonical file formats a dossier can be read from and written to.
public enum DossierFileFormat: String, Hashable, Sendable, CaseIterable {
    case json, ndjson, xml

    /// By extension: `.json`, `.ndjson`/`.jsonl`, `.xml`; nil for anything else.
    public static func detect(_ path: String) -> DossierFileFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") { return .ndjson }
        if lower.hasSuffix(".xml") { return .xml }
        return nil
    }
}

/// Reads canonical dossiers from a file, a folder of files, or standard input.
///
/// A folder is read in sorted name order so that the same folder always yields the same
/// sequence, and therefore the same output bytes.
public final class CanonicalSource: DossierSource {
    private var files: [(path: String, format: DossierFileFormat)]
    private var ndjson: NDJSONReader?
    private var xml: DossierXMLReader?
    private var currentFile = ""

    /// `path` is a file, a folder, or `-` for standard input (NDJSON unless `format` says otherwise).
    public init(path: String, format: DossierFileFormat? = nil) throws {
        if path == "-" {
            files = [("-", format ?? .ndjson)]
        } else if FileSystem.isDirectory(path) {
            files = try FileSystem.list(path).sorted().compactMap { name in
                DossierFileFormat.detect(name).map { (path + "/" + name, $0) }
            }
            if files.isEmpty {
                throw DossierError("source.empty", "folder holds no .json, .ndjson or .xml dossier files", at: SourceLocation(file: path))
            }
        } else {
            guard let f = format ?? DossierFileFormat.detect(path) else {
                throw DossierError("source.format", "cannot tell the format from the file name; pass --input-format json|ndjson|xml",
                                   at: SourceLocation(file: path))
            }
            files = [(path, f)]
        }
        files.reverse()
    }

    public func next() throws -> LoadedDossier? {
        while true {
            if let r = ndjson {
                if let d = try r.next() { return loaded(d, line: r.lineNumber) }
                ndjson = nil
            }
            if let r = xml {
                if let d = try r.next() { return loaded(d, line: nil) }
                xml = nil
            }
            guard let (path, format) = files.popLast() else { return nil }
            currentFile = path
            switch format {
            case .json: return loaded(try DossierJSON.read(path: path), line: nil)
            case .ndjson: ndjson = try NDJSONReader(path: path)
            case .xml: xml = try DossierXMLReader(path: path)
            }
        }
    }

    private func loaded(_ d: Dossier, line: Int?) -> LoadedDossier {
        let root = currentFile == "-" ? nil : AtomicFile.split(currentFile).dir
        return LoadedDossier(dossier: d, origin: SourceLocation(file: currentFile, line: line), documentRoot: root)
    }
}
