#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import DossierModel
internal import DossierIO
internal import Foundation

/// One routed row as it waits on disk: which client it belongs to and which mapping reads it.
struct SpillRecord {
    /// Position of the row in the input, so a client's records come out in input order.
    var ordinal: Int
    var clientKey: String
    /// Index into the compiled mappings; `SpillRecord.clientRow` for a row of the client table.
    var mapping: Int
    /// Rows delivered to several clients (many-to-many) are counted once, after all deliveries.
    var shared: Bool
    var row: SourceRow
    /// The first column holding a noncharacter, if any (see `SpillDecoder.record(into:)`).
    var noncharacter: Int? = nil

    static let clientRow = -1

    var head: SpillHead { SpillHead(ordinal: ordinal, mapping: mapping, shared: shared) }
}

/// A record's place in the run without its row: what phase 2 books a row's outcome by.
struct SpillHead {
    var ordinal: Int
    var mapping: Int
    var shared: Bool
}

/// Interned table names, file names and column lists, shared by all spill files of one run.
///
/// A row's column names are the same for every row of a table, so they are written once as a
/// number; decoding then hands back the very same array, which keeps column lookups cheap.
final class SpillDictionary {
    private(set) var strings: [String] = []
    private var stringIDs: [String: Int] = [:]
    private(set) var columnSets: [[String]] = []
    private var columnSetIDs: [[String]: Int] = [:]
    /// Column types of carried lines (true: numeric).
    private(set) var kindSets: [[Bool]] = []
    private var kindSetIDs: [[Bool]: Int] = [:]
    /// Rows come table by table, so the column list is nearly always the one before.
    private var lastColumns: (columns: [String], id: Int)?
    /// The two strings interned last: a record's table and file name are nearly always the ones
    /// before, and comparing is cheaper than hashing them for every record.
    private var recent: [(string: String, id: Int)] = []

    /// A copy of the complete dictionary for one phase-2 worker, sharing no storage with it; for
    /// decoding only (its reverse maps are left empty).
    ///
    /// Every decoded record holds its table's column list; were that one array (or a long file
    /// name) shared, the workers would count references on the same memory for every record and
    /// make each other wait for it.
    func privateCopy() -> SpillDictionary {
        func own(_ s: String) -> String { String(decoding: Array(s.utf8), as: UTF8.self) }
        let copy = SpillDictionary()
        copy.strings = strings.map(own)
        copy.columnSets = columnSets.map { $0.map(own) }
        copy.kindSets = kindSets.map { $0.map { $0 } }
        return copy
    }

    func id(_ s: String) -> Int {
        for r in recent where r.string == s { return r.id }
        let i = stringIDs[s] ?? { strings.append(s); stringIDs[s] = strings.count - 1; return strings.count - 1 }()
        if recent.count == 2 { recent.removeFirst() }
        recent.append((s, i))
        return i
    }

    func id(kinds: [Bool]) -> Int {
        if let i = kindSetIDs[kinds] { return i }
        kindSets.append(kinds)
        kindSetIDs[kinds] = kindSets.count - 1
        return kindSets.count - 1
    }

    func id(columns: [String]) -> Int {
        if let last = lastColumns, last.columns == columns { return last.id }
        let i = columnSetIDs[columns] ?? { columnSets.append(columns); columnSetIDs[columns] = columnSets.count - 1; return columnSets.count - 1 }()
        lastColumns = (columns, i)
        return i
    }
}

/// Length-prefixed binary encoding of spill records (varints, UTF-8), written through a buffered sink.
///
/// Layout of one record: u32 little-endian body length, then the body: ordinal, mapping + 1,
/// flags (1: shared, 2: carried), client key, table id, column-set id, then either value count,
/// values (tag byte + payload), location mask and the location parts present; or, for a carried
/// COPY line, kind-set id, file id, line number and the line's bytes (see `CarriedLine`).
enum SpillFlag {
    static let shared: UInt8 = 1
    static let carried: UInt8 = 2
    /// A carried line of ASCII bytes only (`CarriedLine.ascii`).
    static let ascii: UInt8 = 4
}

/// The interned ids a carried line's record repeats for every line of its table.
struct CarriedIDs {
    let table: Int, columns: Int, kinds: Int, file: Int
}
final class SpillWriter {
    private let file: RecordFileWriter
    private var body: [UInt8] = []
    var path: String { file.path }
    var records: Int { file.records }

    /// Creates the file exclusively with mode 0600: spill files hold health data.
    init(path: String, bufferSize: Int = 64 * 1024) throws {
        file = try RecordFileWriter(path: path, bufferSize: bufferSize)
    }

    func append(_ r: SpillRecord, _ dict: SpillDictionary) throws {
        // Encoded into a local buffer (the instance's, moved out and back to keep its capacity):
        // appends to a class property would each pay an exclusivity check.
        var b = header(ordinal: r.ordinal, mapping: r.mapping, flags: r.shared ? SpillFlag.shared : 0, clientKey: r.clientKey)
        b.varint(UInt64(dict.id(r.row.table)))
        b.varint(UInt64(dict.id(columns: r.row.columns)))
        b.varint(UInt64(r.row.values.count))
        for v in r.row.values {
            switch v {
            case .null: b.bytes.append(0)
            case .text(let s): b.bytes.append(1); b.string(s)
            case .number(let s): b.bytes.append(2); b.string(s)
            case .bytes(let v): b.bytes.append(3); b.varint(UInt64(v.count)); b.bytes += v
            case .boolean(let v): b.bytes.append(v ? 5 : 4)
            }
        }
        let l = r.row.location
        let mask: UInt8 = (l.file != nil ? 1 : 0) | (l.line != nil ? 2 : 0) | (l.column != nil ? 4 : 0)
            | (l.table != nil ? 8 : 0) | (l.key != nil ? 16 : 0) | (l.entry != nil ? 32 : 0)
        b.bytes.append(mask)
        if let f = l.file { b.varint(UInt64(dict.id(f))) }
        if let n = l.line { b.varint(UInt64(max(0, n))) }
        if let n = l.column { b.varint(UInt64(max(0, n))) }
        if let t = l.table { b.varint(UInt64(dict.id(t))) }
        if let k = l.key { b.string(k) }
        if let e = l.entry { b.string(e) }
        try appendEncoded(b.bytes)
        body = b.bytes
    }

    /// Appends a record read back from another spill file under a new header, its row bytes
    /// (`encoded[rest...]`, from the table id on) copied as they are.
    func appendRerouted(_ encoded: [UInt8], from rest: Int, ordinal: Int, mapping: Int, flags: UInt8, clientKey: String) throws {
        var b = header(ordinal: ordinal, mapping: mapping, flags: flags, clientKey: clientKey)
        b.bytes.append(contentsOf: encoded[rest...])
        try appendEncoded(b.bytes)
        body = b.bytes
    }

    /// Appends a row carried as its checked COPY line, to be decoded when it is read back.
    ///
    /// The header is encoded on the stack and the line goes to the file as it is: this runs for
    /// nearly every row of a large dump, on the one thread that reads it.
    func appendCarried(_ line: CarriedLine, number: Int, _ ids: CarriedIDs, ordinal: Int, mapping: Int,
                       shared: Bool, clientKey: String) throws {
        var key = clientKey
        try key.withUTF8 { try appendCarried(line, number: number, ids, ordinal: ordinal, mapping: mapping, shared: shared, clientKey: $0) }
    }

    /// As above, with the client key as its UTF-8 bytes (a probed field, or a number's digits).
    func appendCarried(_ line: CarriedLine, number: Int, _ ids: CarriedIDs, ordinal: Int, mapping: Int,
                       shared: Bool, clientKey key: UnsafeBufferPointer<UInt8>) throws {
        let flags = SpillFlag.carried | (shared ? SpillFlag.shared : 0) | (line.ascii ? SpillFlag.ascii : 0)
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 9 * SpillCursor.maxVarint + 1 + key.count) { head in
            var c = SpillCursor(head.baseAddress!)
            c.header(ordinal: ordinal, mapping: mapping, flags: flags, clientKey: key)
            c.varint(UInt64(ids.table))
            c.varint(UInt64(ids.columns))
            c.varint(UInt64(ids.kinds))
            c.varint(UInt64(ids.file))
            c.varint(UInt64(max(0, number)))
            c.varint(UInt64(line.bytes.count))
            try file.append(UnsafeRawBufferPointer(start: head.baseAddress, count: c.count), UnsafeRawBufferPointer(line.bytes))
        }
    }

    /// The instance's body buffer, emptied, with a record's header in it.
    private func header(ordinal: Int, mapping: Int, flags: UInt8, clientKey: String) -> SpillBytes {
        var b = SpillBytes(bytes: body)
        body = []
        b.bytes.removeAll(keepingCapacity: true)
        var key = clientKey
        key.withUTF8 { key in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 3 * SpillCursor.maxVarint + 1 + key.count) { head in
                var c = SpillCursor(head.baseAddress!)
                c.header(ordinal: ordinal, mapping: mapping, flags: flags, clientKey: key)
                b.bytes.append(contentsOf: UnsafeBufferPointer(start: head.baseAddress, count: c.count))
            }
        }
        return b
    }

    /// Appends a record body as `append` encoded it, e.g. one read back to split a bucket.
    func appendEncoded(_ body: [UInt8]) throws { try file.append(body) }

    func appendEncoded(_ body: UnsafeRawBufferPointer) throws { try file.append(body, UnsafeRawBufferPointer(start: nil, count: 0)) }

    func close() throws { try file.close() }
}

/// The body of one spill record being encoded.
struct SpillBytes {
    var bytes: [UInt8]

    mutating func varint(_ v: UInt64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: SpillCursor.maxVarint) { p in
            var c = SpillCursor(p.baseAddress!)
            c.varint(v)
            bytes.append(contentsOf: UnsafeBufferPointer(start: p.baseAddress, count: c.count))
        }
    }

    mutating func string(_ s: String) {
        let utf8 = s.utf8
        varint(UInt64(utf8.count))
        if utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil { bytes.append(contentsOf: utf8) }
    }
}

/// Writes spill encoding into memory the caller has sized (`maxVarint` bytes a number): appending
/// to an array byte by byte checks its uniqueness and capacity for every byte.
struct SpillCursor {
    static let maxVarint = 10
    let base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0

    init(_ base: UnsafeMutablePointer<UInt8>) { self.base = base }

    /// LEB128: seven bits a byte, low bits first.
    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            base[count] = UInt8(truncatingIfNeeded: v) | 0x80
            count += 1
            v >>= 7
        }
        base[count] = UInt8(v)
        count += 1
    }

    /// What every record starts with: ordinal, mapping + 1, flags and client key.
    mutating func header(ordinal: Int, mapping: Int, flags: UInt8, clientKey: UnsafeBufferPointer<UInt8>) {
        varint(UInt64(ordinal))
        varint(UInt64(mapping + 1))
        base[count] = flags
        count += 1
        varint(UInt64(clientKey.count))
        if let key = clientKey.baseAddress { (base + count).update(from: key, count: clientKey.count) }
        count += clientKey.count
    }
}

/// Decodes spill records from bytes the engine wrote itself; a malformed record means the spill
/// file was damaged on disk, which stops the run.
struct SpillDecoder {
    let bytes: [UInt8]
    let path: String
    var offset = 0
    // The dictionary's tables as they are when decoding starts, which holds every entry the
    // records already written refer to; read here once rather than per record, as each read of a
    // class's array property counts a reference and checks access.
    private let strings: [String]
    private let columnSets: [[String]]
    private let kindSets: [[Bool]]
    /// The columns of carried lines that are decoded.
    private let demand: ColumnDemand

    init(bytes: [UInt8], dict: SpillDictionary, path: String, demand: ColumnDemand = .all) {
        self.bytes = bytes; self.path = path; self.demand = demand
        strings = dict.strings; columnSets = dict.columnSets; kindSets = dict.kindSets
    }

    func damaged() -> DossierError {
        DossierError("spill.corrupt", "spill file is damaged at byte \(offset)", at: SourceLocation(file: path))
    }

    @inline(__always)
    mutating func varint() throws -> Int {
        guard let v = bytes.withUnsafeBytes({ Self.varint($0, &offset) }) else { throw damaged() }
        return v
    }

    /// The varint at `offset` in `p`, which it moves past it; nil when it runs off the end or
    /// past 64 bits. On raw bytes, so that a record lent by a `RecordFileReader` is read alike.
    /// Most values (lengths, table and column-set ids) take one byte, so that case is inlined
    /// into every caller and the loop is left for the rest.
    @inline(__always)
    static func varint(_ p: UnsafeRawBufferPointer, _ offset: inout Int) -> Int? {
        if offset < p.count, p[offset] < 0x80 {
            offset += 1
            return Int(p[offset - 1])
        }
        return longVarint(p, &offset)
    }

    private static func longVarint(_ p: UnsafeRawBufferPointer, _ offset: inout Int) -> Int? {
        // Two and three bytes (up to 2,097,151: a record's ordinal and line in most dumps) without
        // the loop, which cost about 70 instructions a number, twice a record.
        if offset + 2 < p.count {
            let b0 = Int(p[offset] & 0x7F), b1 = p[offset + 1]
            if b1 < 0x80 { offset += 2; return b0 | Int(b1) << 7 }
            let b2 = p[offset + 2]
            if b2 < 0x80 { offset += 3; return b0 | Int(b1 & 0x7F) << 7 | Int(b2) << 14 }
        }
        var v: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard offset < p.count, shift < 64 else { return nil }
            let b = p[offset]; offset += 1
            v |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return Int(v) }
            shift += 7
        }
    }

    mutating func raw() throws -> ArraySlice<UInt8> {
        let n = try varint()
        guard n <= bytes.count - offset else { throw damaged() }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    /// A text of the record: written from a `String` or a validated line, so not checked again.
    mutating func string() throws -> String { try raw().withUnsafeBufferPointer(String.init(validatedUTF8:)) }

    /// The header of the record starting at `offset` (its client key as a range of `bytes`),
    /// without decoding the row; `offset` is left where the row starts.
    mutating func header() throws -> (ordinal: Int, mapping: Int, flags: UInt8, key: Range<Int>) {
        let h = bytes.withUnsafeBytes { Self.header($0, &offset) }
        guard let h else { throw damaged() }
        return h
    }

    /// The header of the record at `offset` in `p`, which it moves to where the row starts; nil
    /// when the header is cut short.
    static func header(_ p: UnsafeRawBufferPointer, _ offset: inout Int) -> (ordinal: Int, mapping: Int, flags: UInt8, key: Range<Int>)? {
        guard let ordinal = varint(p, &offset), let mapping = varint(p, &offset), offset < p.count else { return nil }
        let flags = p[offset]
        offset += 1
        guard let n = varint(p, &offset), n <= p.count - offset else { return nil }
        offset += n
        return (ordinal, mapping - 1, flags, (offset - n)..<offset)
    }

    /// What routing a deferred record needs, without decoding its row: its header and table id;
    /// the row's bytes start at `key.upperBound`. `mappings` is how many the profile has.
    mutating func routing(mappings: Int) throws -> (ordinal: Int, mapping: Int, flags: UInt8, key: Range<Int>, table: Int) {
        let h = try header()
        let table = try varint()
        guard (0..<mappings).contains(h.mapping), table < strings.count else { throw damaged() }
        return (h.ordinal, h.mapping, h.flags, h.key, table)
    }

    /// The record at `offset`. `clientKey`, when given, is the record's client key as the caller
    /// already has it (the key its part's index groups it under), and is used instead of decoding it.
    mutating func record(clientKey: String? = nil) throws -> SpillRecord {
        var row = SourceRow(table: "", columns: [], values: [], location: SourceLocation())
        let (head, keyRange, noncharacter) = try record(into: &row)
        let key = clientKey ?? bytes[keyRange].withUnsafeBufferPointer(String.init(validatedUTF8:))
        return SpillRecord(ordinal: head.ordinal, clientKey: key, mapping: head.mapping, shared: head.shared, row: row,
                           noncharacter: noncharacter)
    }

    /// As `record(clientKey:)`, decoded over `row`, the row of the record before: its values are
    /// replaced in their array's storage, its location field by field, and its table and columns
    /// only when they differ (seldom: a client's records come table by table); the client key is
    /// left as a range of `bytes`.
    ///
    /// For phase 2, which maps every row: making a row and a record for each, and destroying them,
    /// cost about 1,500 instructions a row more (copying the location in and out was most of it).
    ///
    /// `noncharacter` is the first column whose value holds a Unicode noncharacter, which no
    /// output format can carry (see `UTF8Validation.firstNoncharacter`): the row must be rejected.
    mutating func record(into row: inout SourceRow) throws -> (head: SpillHead, key: Range<Int>, noncharacter: Int?) {
        // Popped one by one rather than `removeAll(keepingCapacity:)`, which destroyed them through
        // the runtime's generic `swift_arrayDestroy`: about 450 instructions a row, against 560.
        while row.values.popLast() != nil {}
        let (ordinal, mapping, flags, keyRange) = try header()
        let head = SpillHead(ordinal: ordinal, mapping: mapping, shared: flags & SpillFlag.shared != 0)
        let table = try varint(), columnSet = try varint()
        guard table < strings.count, columnSet < columnSets.count else { throw damaged() }
        // Equal texts and arrays that share storage compare without looking at their contents.
        if row.table != strings[table] { row.table = strings[table] }
        if row.columns != columnSets[columnSet] { row.columns = columnSets[columnSet] }
        // Columns no rule reads are written nowhere, so a noncharacter there is no reason to refuse the row.
        let read = demand.columns(mapping: mapping, columnSet: columnSet)
        var noncharacter: Int?
        if flags & SpillFlag.carried != 0 {
            let kinds = try varint(), file = try interned(), line = try varint()
            guard kinds < kindSets.count, kindSets[kinds].count == columnSets[columnSet].count else { throw damaged() }
            guard try raw().withUnsafeBufferPointer({
                if flags & SpillFlag.ascii == 0 { noncharacter = CarriedLine.noncharacterColumn($0, read: read) }
                return CarriedLine.values($0, numeric: kindSets[kinds], read: read, into: &row.values)
            }) else {
                throw damaged()
            }
            // As `SourceRow(dumpTable:...)` places a row the reader decodes.
            row.location.place(file: file, line: line, table: strings[table], key: SourceRow.dumpKey(row.values))
            return (head, keyRange, noncharacter)
        }
        let count = try varint()
        row.values.reserveCapacity(count)
        for column in 0..<count {
            guard offset < bytes.count else { throw damaged() }
            let tag = bytes[offset]; offset += 1
            switch tag {
            case 0: row.values.append(.null)
            case 1, 2:
                let text = try raw().withUnsafeBufferPointer { p in
                    if noncharacter == nil, CarriedLine.reads(read, column),
                       UTF8Validation.firstNoncharacter(p) != nil { noncharacter = column }
                    return String(validatedUTF8: p)
                }
                row.values.append(tag == 1 ? .text(text) : .number(text))
            case 3: row.values.append(.bytes(Array(try raw())))
            case 4, 5: row.values.append(.boolean(tag == 5))
            default: throw damaged()
            }
        }
        guard offset < bytes.count else { throw damaged() }
        let mask = bytes[offset]; offset += 1
        row.location = SourceLocation(file: mask & 1 != 0 ? try interned() : nil, line: mask & 2 != 0 ? try varint() : nil,
                                      column: mask & 4 != 0 ? try varint() : nil, table: mask & 8 != 0 ? try interned() : nil,
                                      key: mask & 16 != 0 ? try string() : nil, entry: mask & 32 != 0 ? try string() : nil)
        return (head, keyRange, noncharacter)
    }

    private mutating func interned() throws -> String {
        let i = try varint()
        guard i < strings.count else { throw damaged() }
        return strings[i]
    }
}

/// Spill files for records spread over `count` partitions, each file made at its first record.
///
/// Sub-buckets, link-map partitions and the rows waiting on them all spread records this way;
/// a partition no record went to costs no file.
struct SpillPartitions {
    private var files: [SpillWriter?]
    private let path: (Int) -> String
    private let bufferSize: Int

    init(count: Int, bufferSize: Int = 64 * 1024, path: @escaping (_ partition: Int) -> String) {
        files = Array(repeating: nil, count: count)
        self.path = path
        self.bufferSize = bufferSize
    }

    mutating func writer(_ p: Int) throws -> SpillWriter {
        if let w = files[p] { return w }
        let w = try SpillWriter(path: path(p), bufferSize: bufferSize)
        files[p] = w
        return w
    }

    /// Closes partition `p`'s file; its path, if a record went there.
    mutating func close(_ p: Int) throws -> String? {
        guard let w = files[p] else { return nil }
        try w.close()
        files[p] = nil
        return w.path
    }

    /// Closes partition `p`'s file and hands each of its record bodies to `body`, then removes it.
    mutating func consume(_ p: Int, _ body: (_ record: inout SpillDecoder) throws -> Void) throws {
        guard let path = try close(p) else { return }
        let none = SpillDictionary()
        let stream = try SpillStream(path: path, dict: none)
        while let bytes = try stream.nextBody() {
            var d = SpillDecoder(bytes: bytes, dict: none, path: path)
            try body(&d)
        }
        try FileManager.default.removeItem(atPath: path)
    }
}

/// Reads the records of a spill file one at a time, holding one chunk, for files too large to load
/// (rows deferred until their link table was read can be most of a dump).
final class SpillStream {
    private let file: RecordFileReader
    private let dict: SpillDictionary

    init(path: String, dict: SpillDictionary) throws {
        file = try RecordFileReader(path: path)
        self.dict = dict
    }

    func next() throws -> SpillRecord? {
        guard let body = try nextBody() else { return nil }
        var d = SpillDecoder(bytes: body, dict: dict, path: file.path)
        return try d.record()
    }

    /// The next record's encoded body, undecoded.
    func nextBody() throws -> [UInt8]? { try file.next() }

    /// The next record's encoded body lent to `body`, valid during the call; nil at the end.
    func withNextBody<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? { try file.withNext(body) }
}
