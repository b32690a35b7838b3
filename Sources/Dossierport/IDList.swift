import DossierIO

/// Dossier ids in order, packed (`PackedNames`: one run of UTF-8 bytes, an end offset each).
///
/// A run's report and its export-log entry list every dossier it wrote or read: for a migration,
/// every client of the organisation. As `[String]`, each id longer than 15 bytes was an object of
/// its own on the heap (about 80 bytes with its header and the allocator's rounding), which made
/// this list what grew most with a bundle. It encodes and decodes exactly as an array of strings,
/// so reports, log lines and their hashes are unchanged.
public struct IDList: Hashable, Sendable, RandomAccessCollection, ExpressibleByArrayLiteral, Codable {
    private var ids = PackedNames()

    public init() {}

    public init(arrayLiteral ids: String...) { self.init(ids) }

    public init<S: Sequence>(_ ids: S) where S.Element == String {
        for id in ids { append(id) }
    }

    public mutating func append(_ id: String) { ids.append(id.utf8) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { ids.count }

    public subscript(i: Int) -> String { ids.string(i) }

    public init(from decoder: any Decoder) throws {
        var ids = try decoder.unkeyedContainer()
        while !ids.isAtEnd { append(try ids.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var ids = encoder.unkeyedContainer()
        for id in self { try ids.encode(id) }
    }
}
