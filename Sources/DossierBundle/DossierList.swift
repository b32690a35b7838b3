import DossierIO
import DossierModel

/// export.json's dossier list as a receiver reads it: appended once while export.json streams
/// by, then read in order as often as the checks and the load need.
///
/// Held in memory up to `holding` entries and set aside on disk beyond that (in a private folder,
/// removed with the list), so a bundle of 250,000 dossiers costs a receiver no more memory than
/// one of 2,000; the entries carry identifiers and payload paths only, never personal data.
///
/// Unchecked `Sendable`: it is filled by one thread before it is shared, then only read, and every
/// reader opens the file for itself.
public final class DossierList: @unchecked Sendable {
    /// Listed documents over all dossiers, for export.json's `documents` count.
    public private(set) var documents = 0
    private let records: SpilledRecords
    public var count: Int { records.count }

    public init(holding: Int = 4096, temporaryDirectory: String? = nil) {
        records = SpilledRecords(holdingRecords: holding, temporaryDirectory: temporaryDirectory)
    }

    public func append(_ entry: ExportManifest.Entry) throws {
        documents += entry.documents.count
        try records.append(Self.encode(entry))
    }

    /// Reads the entries from the start, one at a time.
    public func makeReader() throws -> Reader { Reader(try records.makeReader()) }

    public func forEach(_ body: (ExportManifest.Entry) throws -> Void) throws {
        let reader = try makeReader()
        while let e = try reader.next() { try body(e) }
    }

    public final class Reader {
        private let records: SpilledRecords.Reader

        init(_ records: SpilledRecords.Reader) { self.records = records }

        public func next() throws -> ExportManifest.Entry? {
            try records.next().map { try DossierList.decode($0, from: records.path ?? "<memory>") }
        }
    }

    /// Strings as a 4-byte length and their bytes; an absent one as length 0xFFFFFFFF.
    static func encode(_ e: ExportManifest.Entry) -> [UInt8] {
        var out: [UInt8] = []
        func put(_ s: String?) {
            var n = UInt32(s.map { $0.utf8.count } ?? Int(UInt32.max)).littleEndian
            withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
            if let s { out.append(contentsOf: s.utf8) }
        }
        put(e.id); put(e.json); put(e.xml); put(e.accessCopy)
        for d in e.documents { put(d) }
        return out
    }

    static func decode(_ body: [UInt8], from path: String) throws -> ExportManifest.Entry {
        var strings: [String?] = []
        var i = 0
        while i < body.count {
            guard body.count - i >= 4 else { throw damaged(path) }
            let n = body.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: i, as: UInt32.self)) }
            i += 4
            if n == UInt32.max { strings.append(nil); continue }
            guard body.count - i >= Int(n) else { throw damaged(path) }
            strings.append(String(decoding: body[i..<(i + Int(n))], as: UTF8.self))
            i += Int(n)
        }
        guard strings.count >= 4, let id = strings[0], let json = strings[1], !strings[4...].contains(nil) else { throw damaged(path) }
        return ExportManifest.Entry(id: id, json: json, xml: strings[2], accessCopy: strings[3], documents: strings[4...].map { $0! })
    }

    private static func damaged(_ path: String) -> DossierError {
        DossierError("spill.corrupt", "a dossier list entry set aside on disk is damaged", at: SourceLocation(file: path))
    }
}
