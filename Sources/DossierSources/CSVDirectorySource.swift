import DossierModel
import Foundation

/// Reads every `*.csv` file of a folder as one table each, one file after the other.
///
/// Many EPD exports are a folder of CSV files, one per table (`clienten.csv`, `rapportages.csv`).
/// Files are taken in byte order of their names so that two runs over the same folder give the
/// same rows in the same order. Each file gets its own encoding and dialect detection, because
/// exports assembled by hand mix tools.
public final class CSVDirectorySource: RowReader {
    public let directory: String
    /// The files that will be read, in order.
    public let files: [String]
    /// Reports of the files read so far, the one being read last. Finished readers are dropped,
    /// so a folder of many files holds one file's buffers at a time.
    public var reports: [CSVFileReport] { finished + (current.map { [$0.report] } ?? []) }
    private var finished: [CSVFileReport] = []
    private var current: CSVReader?
    private let options: CSVReadOptions
    private var next = 0

    /// Lists the folder; `options` apply to every file (its `table` is ignored: each file names
    /// its own table).
    public init(directory: String, options: CSVReadOptions = CSVReadOptions()) throws {
        self.directory = directory
        var options = options
        options.table = nil
        self.options = options
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw DossierError("csv.directory", "cannot list the folder", at: SourceLocation(file: directory))
        }
        let csv = names.filter { $0.lowercased().hasSuffix(".csv") }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var tables: [String: String] = [:]
        for name in csv {
            let table = CSVReader.tableName(name)
            if let other = tables[table] {
                throw DossierError("csv.duplicate-table", "\(other) and \(name) would both be table \(table)",
                                   at: SourceLocation(file: directory))
            }
            tables[table] = name
        }
        files = csv.map { directory.hasSuffix("/") ? directory + $0 : directory + "/" + $0 }
    }

    public func nextRow() throws -> SourceRow? {
        while true {
            if let reader = current {
                if let row = try reader.nextRow() { return row }
                finished.append(reader.report)
                current = nil
            }
            guard next < files.count else { return nil }
            current = try CSVReader(path: files[next], options: options)
            next += 1
        }
    }

    public var tables: [String: SourceTable] {
        Dictionary(uniqueKeysWithValues: reports.map { ($0.table.name, $0.table) })
    }
}
