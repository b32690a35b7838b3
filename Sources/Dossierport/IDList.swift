/// Dossier ids in order, kept as one run of UTF-8 bytes with an end offset each.
///
/// A run's report and its export-log entry list every dossier it wrote or read: for a migration,
/// every client of the organisation. As `[String]`, each id longer than 15 bytes was an object of
/// its own on the heap (about 80 bytes with its header and the allocator's rounding), which made
/// this list what grew most with a bundle. It encodes and decodes exactly as an array of strings,
/// so reports, log lines and their hashes are unchanged.
public struct IDList: Hashable, Sendable, RandomAccessCollection, ExpressibleByArrayLiteral, Codable {
    private var bytes: [UInt8] = []
    /// Where each id ends in `bytes`; it starts where the one before ends.
    private var ends: [Int] = []

    public init() {}

    public init(arrayLiteral ids: String...) { self.init(ids) }

    public init<S: Sequence>(_ ids: S) where S.Element == String {
        for id in ids { append(id) }
    }

    public mutating func append(_ id: String) {
        bytes.append(contentsOf: id.utf8)
        ends.append(bytes.count)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { ends.count }

    public subscript(i: Int) -> String {
        String(decoding: bytes[(i == 0 ? 0 : ends[i - 1])..<ends[i]], as: UTF8.self)
    }

    public init(from decoder: any Decoder) throws {
        var ids = try decoder.unkeyedContainer()
        while !ids.isAtEnd { append(try ids.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var ids = encoder.unkeyedContainer()
        for id in self { try ids.encode(id) }
    }
}
