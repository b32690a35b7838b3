import DossierModel
import DossierIO
import DossierFormats
import DossierBundle
import DossierSources

/// `--target files`: the bundle as one NDJSON and one CSV file per table, for receivers that load
/// with their own tools.
///
/// Each NDJSON line is `{"dossier_id":…,"origin_kvk":…,"record":{canonical record}}`; the CSV has
/// exactly the staging schema's columns (without the document bytes), so a CSV load and a SQL load
/// give the same rows. The CSV is for programs: comma, no byte-order mark, values verbatim (no
/// formula neutralisation, which would change data). Documents are copied to `documents/` under
/// their bundle paths and `export.json` beside them, so the folder is as traceable as the bundle.
/// The folder appears only when complete.
///
/// Staged like the SQL script: each dossier is decoded once, for the check and the load, and its
/// lines and rows are rendered on the core that checked it (`FilesRenderer`); `StagedFiles` writes
/// them in export.json order into a folder that is renamed into place only after every check passed.
final class StagedFiles {
    private var folder: StagedDirectory?
    private var files: [PendingFile] = []
    private var lines: [any ByteSink] = []
    private var csvs: [CSVWriter] = []
    private let store: any BagStore
    private var failure: (any Error)?
    /// For programs: comma, no byte-order mark, values verbatim.
    static let csvOptions = CSVWriter.Options(delimiter: UInt8(ascii: ","), byteOrderMark: false, neutraliseFormulas: false)

    init(path: String, store: any BagStore) {
        self.store = store
        do {
            let folder = try StagedDirectory(finalPath: path)
            let csvOptions = Self.csvOptions
            for t in SQLStagingSchema.records {
                let json = try PendingFile(path: try folder.path(for: t.name + ".ndjson"))
                let csv = try PendingFile(path: try folder.path(for: t.name + ".csv"))
                files += [json, csv]
                lines.append(json.sink)
                csvs.append(try CSVWriter(sink: csv.sink, options: csvOptions))
                try csvs.last!.write(t.columns.filter { $0.type != .blob }.map(\.name))
            }
            self.folder = folder
        } catch { failure = error }
    }

    /// Writes a dossier a `FilesRenderer` rendered, and copies its documents, or keeps the error
    /// that stopped it.
    func write(_ rendered: Result<RenderedFiles, any Error>) {
        guard failure == nil, let folder else { return }
        do {
            let r = try rendered.get()
            for (i, t) in r.tables.enumerated() {
                try lines[i].write(t.lines)
                switch t.csv {
                case .encoded(let bytes, let records): try csvs[i].write(encoded: bytes, records: records)
                case .rows(let rows): for row in rows { try csvs[i].write(row) }
                }
            }
            for p in r.documents {
                try folder.write(String(p.dropFirst("data/".count))) { try store.read(p, to: $0) }
            }
        } catch { failure = error }
    }

    func commit() throws {
        if let failure { throw failure }
        guard let folder else { return }
        for f in files { try f.commit() }
        try folder.write("export.json") { try store.read("data/export.json", to: $0) }
        try folder.commit()
    }
}

/// One dossier as `--target files` writes it: per record table its NDJSON lines and its CSV rows.
struct RenderedFiles: Sendable {
    var tables: [(lines: [UInt8], csv: CSVRows)] = []
    /// Payload paths of its documents, in the order they are copied.
    var documents: [String] = []
}

/// A dossier's CSV rows for one table: encoded where they were rendered or, when a field was
/// refused, as fields, so the writer refuses it with the message that names its record number.
enum CSVRows: Sendable {
    case encoded([UInt8], records: Int)
    case rows([[String?]])
}

/// Renders dossiers for `--target files`; one per thread, as it reuses its JSON writer.
///
/// Each NDJSON line is `{"dossier_id":…,"origin_kvk":…,"record":{canonical record}}`, written by the
/// direct JSON path as `Codable` would write it.
final class FilesRenderer: @unchecked Sendable {
    private let json = RecordJSONWriter()

    func render(_ d: Dossier, documents: Set<String>) throws -> RenderedFiles {
        var r = RenderedFiles()
        let place = [(name: "dossier_id", text: d.id), (name: "origin_kvk", text: d.controller.kvkNumber)]
        for t in SQLStagingSchema.records {
            var lines: [UInt8] = []
            for record in d.records(t.entity!) {
                try json.withJSON(of: record, after: place) { lines.append(contentsOf: $0) }
                lines.append(0x0A)
            }
            var rows: [[String?]] = []
            try t.forEachRow(of: d, json: json) { rows.append($0.values.map(\.csvText)) }
            // Never a file's first record: each file starts with its header.
            var csv: [UInt8] = []
            let encoded = (try? rows.forEach { try CSVWriter.encode($0, options: StagedFiles.csvOptions, number: 2, into: &csv) }) != nil
            r.tables.append((lines, encoded ? .encoded(csv, records: rows.count) : .rows(rows)))
        }
        r.documents = documents.sorted()
        return r
    }
}

extension SQLValue {
    /// The value as CSV text: nil for NULL, dates ISO, booleans `true`/`false`.
    var csvText: String? {
        switch self {
        case .null: nil
        case .text(let s): s
        case .integer(let i): String(i)
        case .boolean(let b): b ? "true" : "false"
        case .date(let d): d.description
        }
    }
}
