import DossierIO
import DossierModel
import DossierSources
import Dossierport
import Foundation

/// The profile export of the "Excel" EPD: a folder of semicolon-separated Windows-1252 CSV files,
/// one of which is mutated, read through its profile (delimiter and encoding, Dutch dates and
/// decimal commas, code maps, documents by path).
///
/// An input is the CSV file's name on its first line and the file's new bytes after it, so that a
/// finding replays from the one file; a first line that names no file of the folder means the
/// client file.
enum CSVFolderTarget {
    static let folders = ["fixtures/epd/zorgdossier/export", "fixtures/epd/zorgdossier/export-dirty"]
    static let profile = "fixtures/epd/zorgdossier/zorgdossier.json"

    static let target = FuzzTarget(
        name: "csv-export", summary: "profile export of the CSV EPD (Windows-1252, ';', Dutch formats, mapping, NDJSON)",
        fileExtension: "csvfile", seeds: folders,
        dictionary: ["\"", "\"\"", ";", "\r\n", "\n", "01-02-2003", "31-02-2003", "29-02-2023", "1.234,56", "-0,001", "12,345",
                     "123456782", "M", "V", "O", "\u{80}", "\u{E9}"],
        run: { path in
            let folder = try source(for: path)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try FuzzTarget.exports(with: profile)(folder)
        },
        needsLine: true, madeSeeds: seeds, syntax: .csv)

    /// One seed input per CSV file of each fixture folder.
    static func seeds() throws -> [[UInt8]] {
        try folders.flatMap { folder in
            try csvFiles(in: FuzzTarget.root + "/" + folder).map { name in
                Array((name + "\n").utf8) + (try ByteReader.readAll(path: FuzzTarget.root + "/" + folder + "/" + name, limit: 16 << 20))
            }
        }
    }

    /// The first fixture folder copied beside the input, with the input's file put in.
    static func source(for input: String) throws -> String {
        let bytes = try ByteReader.readAll(path: input, limit: 64 << 20)
        let cut = bytes.firstIndex(of: 0x0A) ?? bytes.count
        let seedFolder = FuzzTarget.root + "/" + folders[0]
        let names = try csvFiles(in: seedFolder)
        let named = String(decoding: bytes[..<cut], as: UTF8.self)
        let file = names.contains(named) ? named : "clienten.csv"
        let folder = input + ".src"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.copyItem(atPath: seedFolder, toPath: folder)
        try Data(bytes[min(cut + 1, bytes.count)...]).write(to: URL(fileURLWithPath: folder + "/" + file))
        return folder
    }

    static func csvFiles(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".csv") }.sorted()
    }
}
