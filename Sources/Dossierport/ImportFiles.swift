import DossierModel
import DossierIO
import DossierFormats
import DossierBundle

/// `--target files`: the bundle as one NDJSON file per table, for receivers that load with their
/// own tools. (JSON only: the project has no CSV writer to share yet.)
///
/// Each line is `{"dossier_id":…,"origin_kvk":…,"record":{canonical record}}`; documents are copied
/// to `documents/` under their bundle paths and `export.json` beside them, so the folder is as
/// traceable as the bundle. The folder appears only when complete.
enum ImportFiles {
    static func write(manifest: ExportManifest, store: any BagStore, to path: String) throws {
        let folder = try StagedDirectory(finalPath: path)
        var files: [PendingFile] = []
        var writers: [NDJSONWriter] = []
        for e in Entity.allCases {
            let f = try PendingFile(path: try folder.path(for: SQLStagingSchema.tableName(e) + ".ndjson"))
            files.append(f)
            writers.append(NDJSONWriter(sink: f.sink))
        }
        try BundleImport.forEachDossier(manifest, store) { d, documents in
            for (i, e) in Entity.allCases.enumerated() {
                for r in d.records(e) { try writers[i].write(Line(dossierID: d.id, originKvK: d.controller.kvkNumber, record: r)) }
            }
            for p in documents.sorted() {
                try folder.write(String(p.dropFirst("data/".count))) { try store.read(p, to: $0) }
            }
        }
        for (w, f) in zip(writers, files) {
            try w.finish()
            try f.commit()
        }
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
