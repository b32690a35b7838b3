internal import DossierModel
internal import DossierIO
internal import Foundation

/// The links a mapping may go through: one link table's key column → client column.
struct LinkSpec: Hashable {
    let table: String
    let key: String
    let clientColumn: String
}

/// The clients of one link key; one in the common case, so no array is allocated for it.
enum LinkTargets {
    case one(String)
    case many([String])

    var keys: [String] {
        switch self { case .one(let k): [k]; case .many(let ks): ks }
    }

    func adding(_ k: String) -> LinkTargets {
        switch self {
        case .one(let a): a == k ? self : .many([a, k])
        case .many(let ks): ks.contains(k) ? self : .many(ks + [k])
        }
    }
}

/// The clients a link key leads to, as `LinkTable.client` finds them.
enum LinkClient {
    /// One client, whose key is this number's decimal text (`KeySet.text`).
    case number(Int64)
    case targets(LinkTargets)
}

/// A link table's key → clients map, filled while the table is read.
///
/// The map grows with the link table, so it is held in memory only up to a budget
/// (`ExportOptions.linkMemory`). Past it, the map is partitioned on disk, a hash join in the
/// manner of a database's batched hash join: its entries and every row that goes through it are
/// appended to `LinkPartitions.count` files by hash of the link key, and once the input has ended
/// each partition's entries are loaded on their own and its rows routed. Memory then holds one
/// partition's map, about 1/32 of the whole, and the write buffers of the partition files.
/// With a selected client, the keys of other clients' link rows are held to the same budget (see
/// `OtherLinkKeys`).
final class LinkMap {
    let spec: LinkSpec
    let columns = ColumnIndex()
    let keySlot: Int, clientSlot: Int
    // Unchecked exclusivity on what the sieve reads for every linked row (`targets`, `defers`):
    // a map is used by one thread at a time, and the runtime's check cost as much as the read.
    /// In memory: every entry; partitioned: the entries of the partition being routed, if any.
    @exclusivity(unchecked) var targets = LinkTable()
    /// The client asked for, if any.
    let only: String?
    /// With `only`: keys linked to it, and keys the sieve passed over that link only other clients,
    /// so a row of another client (filtered) is told from an orphan (rejected) in one lookup. A
    /// key leaves `otherClients` when a decoded row links it to `only`.
    var onlyKeys: Set<String> = []
    var otherClients = KeySet()
    /// With `only`, once `otherClients` outgrew the budget: its keys, and the rows whose key is not
    /// `only`'s, on disk, to be told apart (another client's, or an orphan) when the input has ended.
    private(set) var others: OtherLinkKeys?
    @exclusivity(unchecked) var complete = false
    /// Rows met before the link table was complete, routed when the input has ended.
    var deferred: SpillWriter?
    /// Set once the map outgrew `budget`.
    @exclusivity(unchecked) private(set) var partitions: LinkPartitions?
    /// Estimated bytes of `targets` (see `LinkTable.add`) and of `otherClients`, each held to `budget`.
    private var held = 0, otherHeld = 0
    private let budget: Int
    private let index: Int
    private let folder: PrivateFolder

    init(_ spec: LinkSpec, index: Int, only: String?, budget: Int, folder: PrivateFolder) {
        self.spec = spec
        self.index = index
        self.only = only
        self.budget = budget
        self.folder = folder
        keySlot = columns.slot(spec.key)
        clientSlot = columns.slot(spec.clientColumn)
    }

    func add(_ row: SourceRow) throws {
        columns.bind(row.columns)
        guard let k = RecordRules.identifier(columns.value(keySlot, row)),
              let c = RecordRules.identifier(columns.value(clientSlot, row)) else { return }
        if c == only { otherClients.remove(k); onlyKeys.insert(k) }
        if let partitions { return try partitions.add(k, c) }
        held += targets.add(k, c)
        if held > budget { try partition() }
    }

    /// Records a passed-over row that links `key` to a client other than `only`.
    func addOther(_ key: String) throws {
        guard !onlyKeys.contains(key) else { return }
        if let others { return try others.add(key) }
        otherHeld += otherClients.insert(key)
        guard otherHeld > budget else { return }
        let o = OtherLinkKeys(folder, index: index)
        try otherClients.forEach(o.add)
        otherClients = KeySet()
        otherHeld = 0
        others = o
    }

    /// Whether a row through this link must wait: its table is not complete yet, or the map is
    /// on disk and is read partition by partition once the input has ended.
    var defers: Bool { !complete || partitions != nil }

    /// Keeps a row that `defers` until `drain`.
    func deferRow(_ r: SpillRecord, _ dict: SpillDictionary) throws {
        try deferral(r.clientKey).append(r, dict)
    }

    /// The file a row that `defers`, waiting on link key `key`, is appended to.
    func deferral(_ key: String) throws -> SpillWriter {
        if let partitions { return try partitions.rows(for: key) }
        if let deferred { return deferred }
        let w = try SpillWriter(path: folder.file("deferred-\(index)"))
        deferred = w
        return w
    }

    /// Routes every deferred row, now that every table has been read: `route` gets each spill file
    /// of rows with this map's `targets` loaded for them, and the file is removed after.
    func drain(_ route: (String) throws -> Void) throws {
        complete = true
        if let w = deferred {
            try w.close()
            deferred = nil
            if let partitions { try partitions.take(w.path) } else { try route(w.path) }
            try FileManager.default.removeItem(atPath: w.path)
        }
        guard let partitions else { return }
        for p in 0..<LinkPartitions.count {
            targets = try partitions.entries(p)
            if let rows = try partitions.closeRows(p) {
                try route(rows)
                try FileManager.default.removeItem(atPath: rows)
            }
        }
        targets = LinkTable()
        self.partitions = nil
    }

    private func partition() throws {
        let p = LinkPartitions(folder, index: index)
        try targets.forEach(p.add)
        targets = LinkTable()
        held = 0
        partitions = p
    }
}

/// A link table's key → clients map. An entry whose key and only client are plain decimal
/// numbers (as generated keys mostly are) is held as two numbers: about 40 bytes rather than about
/// 100 for two `String`s and a `LinkTargets` in a string-keyed table, so a map 2.5 times as large
/// stays in memory before `LinkMap` partitions it on disk.
struct LinkTable {
    private var numbers: [Int64: Int64] = [:]
    private var texts: [String: LinkTargets] = [:]

    var count: Int { numbers.count + texts.count }
    var isEmpty: Bool { count == 0 }

    subscript(key: String) -> LinkTargets? {
        if let n = KeySet.number(key), let c = numbers[n] { return .one(KeySet.text(c)) }
        return texts[key]
    }

    /// What `subscript(key:)` finds for a key given as a probed field's bytes, with a client
    /// linked by number left a number: the routing thread writes its digits to the spill and
    /// hashes them for the bucket, and making a text of it was a sixth of routing a linked row.
    /// `mutating` only so that, called on a map's `targets`, the table is used in place: a
    /// non-mutating call copied it out of the class first, counting a reference on both tables.
    mutating func client(_ key: UnsafeBufferPointer<UInt8>) -> LinkClient? {
        if let n = KeySet.number(key), let c = numbers[n] { return .number(c) }
        guard !texts.isEmpty else { return nil }
        return texts[String(validatedUTF8: key)].map(LinkClient.targets)
    }

    /// Links `key` to `client`; about what that cost the table, for `LinkMap`'s budget (the
    /// number entries' 16 bytes at a hash table's load of a half to three quarters, the strings'
    /// measured on large dumps).
    mutating func add(_ key: String, _ client: String) -> Int {
        let k = KeySet.number(key)
        if let k, let only = numbers[k] {
            let first = KeySet.text(only)
            guard first != client else { return 0 }
            numbers[k] = nil
            texts[key] = .many([first, client])
            return 96 + key.utf8.count + first.utf8.count + client.utf8.count
        }
        if let t = texts[key] {
            texts[key] = t.adding(client)
            return 16 + client.utf8.count
        }
        if let k, let c = KeySet.number(client) {
            numbers[k] = c
            return 40
        }
        texts[key] = .one(client)
        return 96 + key.utf8.count + client.utf8.count
    }

    /// Every (key, client) link.
    func forEach(_ body: (String, String) throws -> Void) rethrows {
        for (k, c) in numbers { try body(KeySet.text(k), KeySet.text(c)) }
        for (k, t) in texts { for c in t.keys { try body(k, c) } }
    }
}

/// A set of link keys, held as numbers when they are plain decimal numbers (as generated keys
/// mostly are): 8 bytes a key rather than a `String`'s 16 and its share of a string hash table.
struct KeySet {
    private var numbers: Set<Int64> = []
    private var texts: Set<String> = []

    /// The key as a number when its text is exactly that number's decimal form ("007" is not).
    /// One pass over the bytes: checking them and then parsing with `Int64(_:)` took about 300
    /// instructions, and the routing thread asks this for every row that reaches its client
    /// through a link. (The model's `Digits.parse`, generic and in another module, took 600.)
    static func number(_ key: String) -> Int64? {
        // Through a buffer where the text has one (a short key's is copied to the stack): walking
        // `utf8` byte by byte cost more than the parse.
        key.utf8.withContiguousStorageIfAvailable(number) ?? number(key.utf8)
    }

    static func number(_ u: some Collection<UInt8>) -> Int64? {
        let count = u.count
        guard count >= 1, count <= 18 else { return nil }
        var v: Int64 = 0
        for b in u {
            let d = b &- 0x30
            guard d < 10, d != 0 || v != 0 || count == 1 else { return nil }
            v = v &* 10 &+ Int64(d)
        }
        return v
    }

    /// The decimal text of a key `number` gave, as `String(n)` makes it but without its generic
    /// formatting (about half the instructions): each link lookup that finds a client makes one. Sized
    /// exactly, so that a short key becomes a small string, with no allocation.
    static func text(_ n: Int64) -> String {
        String(capacity: Digits.count(Int(n))) { Digits.write(Int(n), 1, $0) }
    }

    func contains(_ key: String) -> Bool {
        if let n = Self.number(key) { return numbers.contains(n) }
        return texts.contains(key)
    }

    /// About what the key added to the set costs it (0 when it was there already), for `LinkMap`'s budget.
    @discardableResult
    mutating func insert(_ key: String) -> Int {
        if let n = Self.number(key) { return numbers.insert(n).inserted ? 24 : 0 }
        return texts.insert(key).inserted ? 64 + key.utf8.count : 0
    }

    func forEach(_ body: (String) throws -> Void) rethrows {
        for n in numbers { try body(KeySet.text(n)) }
        for t in texts { try body(t) }
    }

    mutating func remove(_ key: String) {
        if let n = Self.number(key) { numbers.remove(n) } else { texts.remove(key) }
    }
}

/// A `--client` run's keys of other clients that outgrew memory, and the rows waiting on them.
///
/// A row of a link-joined table whose key is not the selected client's is either another
/// client's (counted as filtered) or an orphan (rejected and reported); telling which needs every
/// other client's key. Past the budget, keys and rows go to partition files by key, and each
/// partition's keys are loaded on their own once the input has ended. A row waits as no more than
/// what its outcome needs: key, mapping, where it is, its record key, and whether it was read
/// into the entity's count already (a decoded row was).
final class OtherLinkKeys {
    private var keys: SpillPartitions
    private var rows: SpillPartitions
    private var record = SpillBytes(bytes: [])

    /// One waiting row.
    struct Waiting {
        var key: String, mapping: Int, file: Int, line: Int, recordKey: String?, counted: Bool
    }

    init(_ folder: PrivateFolder, index: Int) {
        keys = SpillPartitions(count: LinkPartitions.count, bufferSize: LinkPartitions.buffer) { folder.file("others-\(index)-\($0)") }
        rows = SpillPartitions(count: LinkPartitions.count, bufferSize: LinkPartitions.buffer) { folder.file("others-\(index)-rows-\($0)") }
    }

    func add(_ key: String) throws {
        record.bytes.removeAll(keepingCapacity: true)
        record.string(key)
        try keys.writer(LinkPartitions.partition(key)).appendEncoded(record.bytes)
    }

    func wait(_ w: Waiting) throws {
        record.bytes.removeAll(keepingCapacity: true)
        record.string(w.key)
        record.varint(UInt64(w.mapping))
        record.varint(UInt64(w.file))
        record.varint(UInt64(max(0, w.line)))
        record.bytes.append((w.recordKey == nil ? 0 : 1) | (w.counted ? 2 : 0))
        record.string(w.recordKey ?? "")
        try rows.writer(LinkPartitions.partition(w.key)).appendEncoded(record.bytes)
    }

    /// Hands every waiting row to `body` with whether its key is another client's, partition by
    /// partition, and removes the files. A row naming a mapping or file id past `mappings` or
    /// `files` was damaged on disk and stops the run.
    func drain(mappings: Int, files: Int, _ body: (Waiting, _ isOther: Bool) throws -> Void) throws {
        for p in 0..<LinkPartitions.count {
            var set = KeySet()
            try keys.consume(p) { set.insert(try $0.string()) }
            try rows.consume(p) { d in
                let key = try d.string(), mapping = try d.varint(), file = try d.varint(), line = try d.varint()
                guard d.offset < d.bytes.count, mapping < mappings, file < files else { throw d.damaged() }
                let flags = d.bytes[d.offset]
                d.offset += 1
                let recordKey = try d.string()
                let w = Waiting(key: key, mapping: mapping, file: file, line: line,
                                recordKey: flags & 1 != 0 ? recordKey : nil, counted: flags & 2 != 0)
                try body(w, set.contains(key))
            }
        }
    }
}

/// One link map's partition files: its entries, and the rows waiting for them.
final class LinkPartitions {
    static let count = 32
    /// Small write buffers: two files per partition may be open at once.
    static let buffer = 16 * 1024
    private var entries: SpillPartitions
    private var rows: SpillPartitions
    private var entry = SpillBytes(bytes: [])

    init(_ folder: PrivateFolder, index: Int) {
        entries = SpillPartitions(count: Self.count, bufferSize: Self.buffer) { folder.file("link-\(index)-\($0)") }
        rows = SpillPartitions(count: Self.count, bufferSize: Self.buffer) { folder.file("link-\(index)-rows-\($0)") }
    }

    /// A key's partition: FNV-1a again, but from the other end of the hash than bucket choice,
    /// so partitions do not follow buckets when link keys are also client keys.
    static func partition(_ key: String) -> Int { Int(fnv1a(key) >> 59) }

    func add(_ key: String, _ client: String) throws {
        entry.bytes.removeAll(keepingCapacity: true)
        entry.string(key)
        entry.string(client)
        try entries.writer(Self.partition(key)).appendEncoded(entry.bytes)
    }

    /// The file a row waiting on `key` goes to.
    func rows(for key: String) throws -> SpillWriter { try rows.writer(Self.partition(key)) }

    /// Moves the records of a spill file of deferred rows (keyed by link key) into the partitions.
    func take(_ path: String) throws {
        let none = SpillDictionary()
        let stream = try SpillStream(path: path, dict: none)
        while let body = try stream.nextBody() {
            var d = SpillDecoder(bytes: body, dict: none, path: path)
            try rows(for: String(decoding: body[try d.header().key], as: UTF8.self)).appendEncoded(body)
        }
    }

    /// Partition `p`'s map; its entry file is removed once read.
    func entries(_ p: Int) throws -> LinkTable {
        var map = LinkTable()
        try entries.consume(p) { d in _ = map.add(try d.string(), try d.string()) }
        return map
    }

    /// Closes partition `p`'s row file; its path, if any row went there.
    func closeRows(_ p: Int) throws -> String? { try rows.close(p) }
}
