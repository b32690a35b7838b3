import DossierModel
import DossierIO
import DossierFormats
import DossierCrypto

/// Writes dossiers into a folder that appears only when the whole export succeeded.
///
/// JSON and XML give one file per dossier (`<id>.json`), NDJSON one `dossiers.ndjson`; documents
/// are copied to `documents/<dossier id>/<document id>.<ext>` and checked against the size and
/// SHA-256 their record states, so a corrupt or swapped file is caught at export, not at the receiver.
public final class FolderDestination: DossierDestination {
    private let folder: StagedDirectory
    private let format: DossierFileFormat
    private let copyDocuments: Bool
    private var ndjson: (file: PendingFile, writer: NDJSONWriter)?
    private var seen: Set<String> = []

    public init(path: String, format: DossierFileFormat, copyDocuments: Bool = true) throws {
        folder = try StagedDirectory(finalPath: path)
        self.format = format
        self.copyDocuments = copyDocuments
    }

    public func write(_ loaded: LoadedDossier) throws {
        var d = loaded.dossier
        let id = d.id
        guard isSafeFileName(id) else {
            throw DossierError("output.name", "dossier id cannot be used as a file name", at: loaded.origin, recordID: id)
        }
        guard seen.insert(id).inserted else {
            throw DossierError("output.duplicate", "two dossiers share this id", at: loaded.origin, recordID: id)
        }
        if copyDocuments { try copyDocumentFiles(&d, from: loaded) }
        switch format {
        case .json: try folder.write("\(id).json") { try DossierJSON.write(d, to: $0) }
        case .xml: try folder.write("\(id).xml") { try DossierXMLFormat.write(d, to: $0) }
        case .ndjson:
            if ndjson == nil {
                let file = try PendingFile(path: try folder.path(for: "dossiers.ndjson"))
                ndjson = (file, NDJSONWriter(sink: file.sink))
            }
            try ndjson!.writer.write(d)
        }
    }

    public func finish() throws {
        if let (file, writer) = ndjson {
            try writer.finish()
            try file.commit()
        }
        try folder.commit()
    }

    private func copyDocumentFiles(_ d: inout Dossier, from loaded: LoadedDossier) throws {
        for item in try DocumentPlan.items(in: d, from: loaded) {
            let (size, digest) = try folder.write(item.target) { sink in try copy(item.source, to: sink) }
            let doc = d.documents[item.index]
            if size != doc.size || digest != doc.sha256 {
                throw DossierError("document.checksum", "document bytes do not match the size and SHA-256 in its record",
                                   at: item.source.file.map { SourceLocation(file: $0) } ?? loaded.origin, recordID: doc.id)
            }
            d.documents[item.index].path = item.target
        }
    }
}

/// Where each document of a dossier comes from and where it goes in an export.
///
/// One rule for folders and bundles: `documents/<dossier id>/<document id>.<ext>`, so names never
/// collide between dossiers and never come from a source's own (possibly hostile) file names.
enum DocumentPlan {
    struct Item {
        var index: Int
        var source: Source
        var target: String
    }

    enum Source {
        case file(String)
        /// Held by the producer (`LoadedDossier.heldDocuments`).
        case bytes([UInt8])

        var file: String? {
            if case .file(let path) = self { path } else { nil }
        }
    }

    static func items(in d: Dossier, from loaded: LoadedDossier) throws -> [Item] {
        try d.documents.indices.compactMap { i in
            let doc = d.documents[i]
            guard let rel = doc.path else { return nil }
            guard let root = loaded.documentRoot, isSafeRelativePath(rel) else {
                throw DossierError("document.path", "document path cannot be resolved beside the dossier file",
                                   at: loaded.origin, recordID: doc.id)
            }
            let target = "documents/\(d.id)/\(doc.id)\(fileExtension(of: rel))"
            guard isSafeFileName(doc.id), isSafeRelativePath(target) else {
                throw DossierError("output.name", "document id cannot be used as a file name", at: loaded.origin, recordID: doc.id)
            }
            return Item(index: i, source: loaded.heldDocuments[rel].map(Source.bytes) ?? .file(root + "/" + rel), target: target)
        }
    }
}

/// Streams dossiers to standard output: NDJSON lines, an XML `<dossiers>` document, or one JSON dossier.
public final class StandardOutputDestination: DossierDestination {
    private let sink = FileSink.standardOutput()
    private let format: DossierFileFormat
    private var ndjson: NDJSONWriter?
    private var xml: DossierXMLStreamWriter?
    private var count = 0

    public init(format: DossierFileFormat) { self.format = format }

    public func write(_ loaded: LoadedDossier) throws {
        count += 1
        switch format {
        case .json:
            guard count == 1 else {
                throw DossierError("output.json-many", "JSON to standard output holds one dossier; use --format ndjson or --client",
                                   at: loaded.origin, recordID: loaded.dossier.id)
            }
            try DossierJSON.write(loaded.dossier, to: sink)
        case .ndjson:
            if ndjson == nil { ndjson = NDJSONWriter(sink: sink) }
            try ndjson!.write(loaded.dossier)
        case .xml:
            if xml == nil { xml = try DossierXMLStreamWriter(sink: sink) }
            try xml!.append(loaded.dossier)
        }
    }

    public func finish() throws {
        try ndjson?.finish()
        if format == .xml { try (xml ?? DossierXMLStreamWriter(sink: sink)).finish() }
        try sink.flush()
    }
}

/// Copies a document into a sink, returning its size and SHA-256 as computed on the way.
func copy(_ source: DocumentPlan.Source, to sink: any ByteSink) throws -> (Int, String) {
    let hashing = try HashingSink(sink)
    switch source {
    case .file(let path):
        let reader = try ByteReader(path: path)
        while let chunk = try reader.nextChunk() { try hashing.write(chunk) }
    case .bytes(let bytes):
        try bytes.withUnsafeBytes { try hashing.write($0) }
    }
    return (Int(hashing.size), try hashing.digest.finalize().hexString)
}

/// `.pdf` from `documents/x.pdf`; empty when the name has none.
func fileExtension(of path: String) -> String {
    let name = path.split(separator: "/").last.map(String.init) ?? path
    guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
    let ext = String(name[dot...])
    return ext.utf8.count <= 10 && ext.dropFirst().allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) ? ext : ""
}

/// A single path segment that is safe on every file system a receiver may use.
func isSafeFileName(_ name: String) -> Bool {
    !name.isEmpty && name.utf8.count <= 200 && name != "." && name != ".." && !name.hasPrefix(".")
        && name.utf8.allSatisfy { $0 > 0x1F && $0 != 0x2F && $0 != 0x5C && $0 != 0x3A && $0 != 0x7F }
}
