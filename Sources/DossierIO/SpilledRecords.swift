/// Byte records appended once, then read back in order as often as needed: in memory until they
/// pass a limit, then in a private file (removed with the list), so a long list costs no memory.
///
/// What export.json's long lists are kept in while a bundle is written or read: its dossier list
/// (every client of a migration) and its scope (every record a purpose cut).
///
/// Unchecked `Sendable`: it is filled by one thread before it is shared, then only read, and every
/// reader opens the file for itself.
public final class SpilledRecords: @unchecked Sendable {
    public private(set) var count = 0
    private let holdingRecords: Int
    private let holdingBytes: Int
    private let temporaryDirectory: String
    private var held: [[UInt8]] = []
    private var heldBytes = 0
    private var folder: PrivateFolder?
    private var file: RecordFileWriter?

    /// Held in memory while there are at most `holdingRecords` records of at most `holdingBytes`.
    public init(holdingRecords: Int = .max, holdingBytes: Int = .max, temporaryDirectory: String? = nil) {
        self.holdingRecords = holdingRecords
        self.holdingBytes = holdingBytes
        self.temporaryDirectory = temporaryDirectory ?? PrivateFolder.temporaryDirectory
    }

    public func append(_ record: [UInt8]) throws {
        count += 1
        if let file { return try file.append(record) }
        held.append(record)
        heldBytes += record.count
        guard held.count > holdingRecords || heldBytes > holdingBytes else { return }
        let folder = try PrivateFolder(under: temporaryDirectory, prefix: "dossierport-list")
        let file = try RecordFileWriter(path: folder.file("records"))
        for r in held { try file.append(r) }
        (self.folder, self.file, held, heldBytes) = (folder, file, [], 0)
    }

    /// A list of its own with the same records and limits, for a copy that is appended to.
    public func copy() throws -> SpilledRecords {
        let copy = SpilledRecords(holdingRecords: holdingRecords, holdingBytes: holdingBytes, temporaryDirectory: temporaryDirectory)
        try forEach { try copy.append($0) }
        return copy
    }

    /// Reads the records from the start, one at a time.
    public func makeReader() throws -> Reader {
        guard let file else { return Reader(held: held) }
        try file.flush()
        return Reader(file: try RecordFileReader(path: file.path))
    }

    public func forEach(_ body: ([UInt8]) throws -> Void) throws {
        let reader = try makeReader()
        while let r = try reader.next() { try body(r) }
    }

    public final class Reader {
        private enum Source {
            case held(IndexingIterator<[[UInt8]]>)
            case file(RecordFileReader)
        }
        private var source: Source
        /// The file read, for errors about what it holds; nil while the records are in memory.
        public let path: String?

        init(held: [[UInt8]]) { source = .held(held.makeIterator()); path = nil }
        init(file: RecordFileReader) { source = .file(file); path = file.path }

        public func next() throws -> [UInt8]? {
            switch source {
            case .held(var records):
                defer { source = .held(records) }
                return records.next()
            case .file(let file):
                return try file.next()
            }
        }
    }
}
