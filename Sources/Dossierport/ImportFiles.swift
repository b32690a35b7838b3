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
enum ImportFiles {
    static func write(dossiers: DossierList, store: any BagStore, to path: String) throws {
        let folder = try StagedDirectory(finalPath: path)
        var files: [PendingFile] = []
        var writers: [NDJSONWriter] = []
        var csvs: [CSVWriter] = []
        let csvOptions = CSVWriter.Options(delimiter: UInt8(ascii: ","), byteOrderMark: false, neutraliseFormulas: false)
        for t in SQLStagingSchema.records {
            let json = try PendingFile(path: try folder.path(for: t.name + ".ndjson"))
            let csv = try PendingFile(path: try folder.path(for: t.name + ".csv"))
            files += [json, csv]
            writers.append(NDJSONWriter(sink: json.sink))
            csvs.append(try CSVWriter(sink: csv.sink, options: csvOptions))
            try csvs.last!.write(t.columns.filter { $0.type != .blob }.map(\.name))
        }
        let json = RecordJSONWriter()
        try BundleImport.forEachDossier(dossiers, store) { d, documents in
            for (i, t) in SQLStagingSchema.records.enumerated() {
                for r in d.records(t.entity!) { try writers[i].write(Line(dossierID: d.id, originKvK: d.controller.kvkNumber, record: r)) }
                try t.forEachRow(of: d, json: json) { try csvs[i].write($0.values.map(\.csvText)) }
            }
            for p in documents.sorted() {
                try folder.write(String(p.dropFirst("data/".count))) { try store.read(p, to: $0) }
            }
        }
        for w in writers { try w.finish() }
        for f in files { try f.commit() }
        try folder.write("export.json") { try store.read("data/export.json", to: $0) }
        try folder.commit()
    }

    struct Line: Encodable {
        let dossierID: String
        let originKvK: String
        let record: any DossierRecord

        enum Keys: String, CodingKey { case dossier_id, origin_kvk, record }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(dossierID, forKey: .dossier_id)
            try c.encode(originKvK, forKey: .origin_kvk)
            try c.encode(record, forKey: .record)
        }
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
