public import DossierIO
import DossierModel

/// Streams any `Encodable` value as canonical JSON into a `ByteSink`.
///
/// Key order is the order the type encodes its keys in (declaration order for synthesized
/// conformances; a `[String: _]` dictionary's keys sorted, see `SortedMembers`), `nil` optionals
/// are left out (synthesized code uses `encodeIfPresent`), and
/// nothing is built in memory beyond one reusable byte buffer: this is the writer behind every
/// JSON and NDJSON file Dossierport emits.
public enum JSONByteEncoder {
    /// Writes `value` to `sink`; `.pretty` output ends with a newline, `.compact` output does not.
    public static func encode<T: Encodable>(_ value: T, to sink: any ByteSink, style: JSONStyle) throws {
        let writer = JSONWriter(sink: sink, style: style)
        try encode(value, with: writer)
        try writer.flush()
    }

    /// Returns the encoded bytes, for tests and small documents.
    public static func encode<T: Encodable>(_ value: T, style: JSONStyle) throws -> [UInt8] {
        let sink = MemorySink()
        try encode(value, to: sink, style: style)
        return sink.bytes
    }

    /// Appends one model document through its direct path. A failure (a noncharacter in a text)
    /// drops what was written and encodes again through `Codable`, whose error names the JSON path.
    ///
    /// A large document goes to the sink while it is written (see `Array.writeJSON`); when part
    /// of it has, it cannot be taken back, and the sink holds a partial document: the error is
    /// then found by encoding through `Codable` on the side, and the caller discards the output,
    /// as every caller does with a failed write (an export is committed only when all succeeded).
    static func encode<T: JSONObject & Encodable>(direct value: T, with writer: JSONWriter) throws {
        let mark = writer.used, flushes = writer.flushes
        do {
            var x = value
            try T.writeJSON(&x, to: writer, level: 0)
            if writer.pretty { writer.byte(0x0A) }
        } catch {
            guard writer.flushes != flushes else {
                writer.truncate(to: mark)
                try encode(value, with: writer)
                return try writer.flushIfFull()
            }
            writer.truncate(to: 0)
            try encode(value, with: JSONWriter(sink: DiscardSink(), style: writer.pretty ? .pretty : .compact))
            throw error
        }
        try writer.flushIfFull()
    }

    /// Appends one document to `writer`'s buffer; NDJSON reuses one writer for every line.
    static func encode<T: Encodable>(_ value: T, with writer: JSONWriter) throws {
        writer.frames.removeAll(keepingCapacity: true)
        try ValueEncoder(writer: writer, depth: 0).encodeValue(value)
        if writer.pretty { writer.byte(0x0A) }
    }
}

/// The `Encoder` handed to a value: it owns one value slot at `depth` open containers.
struct ValueEncoder: Encoder {
    let writer: JSONWriter
    let depth: Int

    var codingPath: [any CodingKey] { writer.codingPath(depth) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Encodes `value` into this slot and closes whatever containers it opened. A value that
    /// writes nothing becomes `{}`, as Foundation's encoder does.
    func encodeValue<T: Encodable>(_ value: T) throws {
        // Fast paths for the value types on every record (see `JSONWriter.timestamp`).
        if T.self == Timestamp.self { return writer.timestamp(unsafeBitCast(value, to: Timestamp.self)) }
        if T.self == LocalDate.self { return writer.localDate(unsafeBitCast(value, to: LocalDate.self)) }
        writer.pending = true
        if let members = value as? any SortedMembers { try members.encodeSorted(to: self) } else { try value.encode(to: self) }
        if writer.pending { writer.open(object: true) }
        guard writer.close(to: depth) else { throw misuse(writer, depth) }
        try writer.flushIfFull()
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(ObjectEncoder<Key>(writer: writer, depth: openContainer(object: true)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        ArrayEncoder(writer: writer, depth: openContainer(object: false))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleEncoder(writer: writer, depth: depth)
    }

    /// Opens a container in this slot, or returns the one already open there (a class and its
    /// superclass may both ask for a keyed container). A slot used twice in incompatible ways
    /// yields a depth that makes the container's first write fail.
    private func openContainer(object: Bool) -> Int {
        if writer.pending && writer.frames.count == depth {
            writer.open(object: object)
            return depth + 1
        }
        if writer.frames.count > depth, writer.frames[depth].isObject == object, writer.close(to: depth + 1) {
            return depth + 1
        }
        return Int.max
    }
}

/// A dictionary whose own `encode(to:)` writes its members in the process's hash order, so the
/// same value would give other bytes in another run: its members are written in key order
/// instead (by UTF-8 bytes, as `Foundation`'s `.sortedKeys` does).
protocol SortedMembers {
    func encodeSorted(to encoder: ValueEncoder) throws
}

extension Dictionary: SortedMembers where Key == String, Value: Encodable {
    func encodeSorted(to encoder: ValueEncoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        for (k, v) in sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) { try c.encode(v, forKey: JSONKey(k)) }
    }
}

/// The error for a container used after its parent moved on, which a streaming writer cannot honour.
private func misuse(_ writer: JSONWriter, _ depth: Int) -> any Error {
    EncodingError.invalidValue((), EncodingError.Context(
        codingPath: writer.codingPath(min(depth, writer.frames.count)),
        debugDescription: "container written out of order; the streaming JSON writer needs containers used in nesting order"))
}

extension JSONWriter {
    /// `codingPath` for a slot at `depth`, rebuilt from the open frames only when asked for.
    func codingPath(_ depth: Int) -> [any CodingKey] {
        frames.prefix(depth).map { $0.isObject ? JSONKey($0.key) : JSONKey(index: $0.count - 1) }
    }

    /// Writes a value that must not be infinite or NaN, which JSON cannot express.
    func finite<F: BinaryFloatingPoint & LosslessStringConvertible>(_ v: F, depth: Int) throws {
        guard v.isFinite else {
            throw EncodingError.invalidValue(v, EncodingError.Context(
                codingPath: codingPath(depth), debugDescription: "JSON has no representation for \(v)"))
        }
        try float(v.description)
    }
}

/// A coding key built at run time, for paths and for `superEncoder`.
struct JSONKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(_ s: String) { stringValue = s }
    init(index: Int) { stringValue = String(index); intValue = index }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) { self.init(index: intValue) }
    static let superKey = JSONKey("super")
}

struct ObjectEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONWriter
    /// Open containers while this one is innermost.
    let depth: Int

    var codingPath: [any CodingKey] { writer.codingPath(depth - 1) }

    @inline(__always)
    private func member(_ key: Key) throws {
        guard try writer.key(key.stringValue, depth: depth) else { throw misuse(writer, depth) }
    }

    func encodeNil(forKey key: Key) throws { try member(key); writer.null() }
    func encode(_ value: Bool, forKey key: Key) throws { try member(key); writer.bool(value) }
    func encode(_ value: String, forKey key: Key) throws { try member(key); try writer.string(value); try writer.flushIfFull() }
    func encode(_ value: Double, forKey key: Key) throws { try member(key); try writer.finite(value, depth: depth) }
    func encode(_ value: Float, forKey key: Key) throws { try member(key); try writer.finite(value, depth: depth) }
    func encode(_ value: Int, forKey key: Key) throws { try member(key); writer.integer(value) }
    func encode(_ value: Int8, forKey key: Key) throws { try member(key); writer.integer(value) }
    func encode(_ value: Int16, forKey key: Key) throws { try member(key); writer.integer(value) }
    func encode(_ value: Int32, forKey key: Key) throws { try member(key); writer.integer(value) }
    func encode(_ value: Int64, forKey key: Key) throws { try member(key); writer.integer(value) }
    func encode(_ value: UInt, forKey key: Key) throws { try member(key); writer.integer(value) }
    func encode(_ value: UInt8, forKey key: Key) throws { try member(key); writer.integer(value) }
    func encode(_ value: UInt16, forKey key: Key) throws { try member(key); writer.integer(value) }
    func encode(_ value: UInt32, forKey key: Key) throws { try member(key); writer.integer(value) }
    func encode(_ value: UInt64, forKey key: Key) throws { try member(key); writer.integer(value) }

    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try member(key)
        try ValueEncoder(writer: writer, depth: depth).encodeValue(value)
    }

    // Skipping nil here rather than in the protocol's default keeps the runtime from building
    // `Optional<T>` metadata for every optional field, which cost 7% of encoding time.
    func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) }
    }
    func encodeIfPresent(_ value: String?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    func encodeIfPresent(_ value: Int?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(ObjectEncoder<NestedKey>(writer: writer, depth: nested(key, object: true)))
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        ArrayEncoder(writer: writer, depth: nested(key, object: false))
    }

    /// Writes the key and opens the container; a failure surfaces at the container's first write.
    private func nested(_ key: Key, object: Bool) -> Int {
        guard (try? writer.key(key.stringValue, depth: depth)) == true else { return Int.max }
        writer.open(object: object)
        return depth + 1
    }

    func superEncoder() -> any Encoder { slot(JSONKey.superKey.stringValue) }
    func superEncoder(forKey key: Key) -> any Encoder { slot(key.stringValue) }

    /// An encoder for the value of `key`. The object is opened at once, so the document stays
    /// well-formed (`{}`) even if the caller never writes to it.
    private func slot(_ key: String) -> any Encoder {
        guard (try? writer.key(key, depth: depth)) == true else { return ValueEncoder(writer: writer, depth: Int.max) }
        writer.open(object: true)
        return SuperEncoder(writer: writer, depth: depth)
    }
}

/// The encoder `superEncoder` returns: its `{}` is already open, so containers reuse it.
struct SuperEncoder: Encoder {
    let writer: JSONWriter
    let depth: Int
    var codingPath: [any CodingKey] { writer.codingPath(depth + 1) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let ok = writer.frames.count > depth && writer.frames[depth].isObject && writer.close(to: depth + 1)
        return KeyedEncodingContainer(ObjectEncoder<Key>(writer: writer, depth: ok ? depth + 1 : Int.max))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        ArrayEncoder(writer: writer, depth: Int.max)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleEncoder(writer: writer, depth: Int.max)
    }
}

struct ArrayEncoder: UnkeyedEncodingContainer {
    let writer: JSONWriter
    let depth: Int

    var codingPath: [any CodingKey] { writer.codingPath(depth - 1) }
    var count: Int { depth <= writer.frames.count ? writer.frames[depth - 1].count : 0 }

    @inline(__always)
    private func element() throws {
        guard writer.element(depth: depth) else { throw misuse(writer, depth) }
    }

    mutating func encodeNil() throws { try element(); writer.null() }
    mutating func encode(_ value: Bool) throws { try element(); writer.bool(value) }
    mutating func encode(_ value: String) throws { try element(); try writer.string(value); try writer.flushIfFull() }
    mutating func encode(_ value: Double) throws { try element(); try writer.finite(value, depth: depth) }
    mutating func encode(_ value: Float) throws { try element(); try writer.finite(value, depth: depth) }
    mutating func encode(_ value: Int) throws { try element(); writer.integer(value) }
    mutating func encode(_ value: Int8) throws { try element(); writer.integer(value) }
    mutating func encode(_ value: Int16) throws { try element(); writer.integer(value) }
    mutating func encode(_ value: Int32) throws { try element(); writer.integer(value) }
    mutating func encode(_ value: Int64) throws { try element(); writer.integer(value) }
    mutating func encode(_ value: UInt) throws { try element(); writer.integer(value) }
    mutating func encode(_ value: UInt8) throws { try element(); writer.integer(value) }
    mutating func encode(_ value: UInt16) throws { try element(); writer.integer(value) }
    mutating func encode(_ value: UInt32) throws { try element(); writer.integer(value) }
    mutating func encode(_ value: UInt64) throws { try element(); writer.integer(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try element()
        try ValueEncoder(writer: writer, depth: depth).encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        KeyedEncodingContainer(ObjectEncoder<NestedKey>(writer: writer, depth: nested(object: true)))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        ArrayEncoder(writer: writer, depth: nested(object: false))
    }

    private func nested(object: Bool) -> Int {
        guard writer.element(depth: depth) else { return Int.max }
        writer.open(object: object)
        return depth + 1
    }

    mutating func superEncoder() -> any Encoder {
        guard writer.element(depth: depth) else { return ValueEncoder(writer: writer, depth: Int.max) }
        writer.open(object: true)
        return SuperEncoder(writer: writer, depth: depth)
    }
}

struct SingleEncoder: SingleValueEncodingContainer {
    let writer: JSONWriter
    let depth: Int

    var codingPath: [any CodingKey] { writer.codingPath(min(depth, writer.frames.count)) }

    /// A single-value container writes exactly one value into its slot.
    @inline(__always)
    private func slot() throws {
        guard writer.pending, writer.frames.count == depth else {
            throw EncodingError.invalidValue((), EncodingError.Context(
                codingPath: codingPath, debugDescription: "single-value container written twice or out of order"))
        }
    }

    mutating func encodeNil() throws { try slot(); writer.null() }
    mutating func encode(_ value: Bool) throws { try slot(); writer.bool(value) }
    mutating func encode(_ value: String) throws { try slot(); try writer.string(value) }
    mutating func encode(_ value: Double) throws { try slot(); try writer.finite(value, depth: depth) }
    mutating func encode(_ value: Float) throws { try slot(); try writer.finite(value, depth: depth) }
    mutating func encode(_ value: Int) throws { try slot(); writer.integer(value) }
    mutating func encode(_ value: Int8) throws { try slot(); writer.integer(value) }
    mutating func encode(_ value: Int16) throws { try slot(); writer.integer(value) }
    mutating func encode(_ value: Int32) throws { try slot(); writer.integer(value) }
    mutating func encode(_ value: Int64) throws { try slot(); writer.integer(value) }
    mutating func encode(_ value: UInt) throws { try slot(); writer.integer(value) }
    mutating func encode(_ value: UInt8) throws { try slot(); writer.integer(value) }
    mutating func encode(_ value: UInt16) throws { try slot(); writer.integer(value) }
    mutating func encode(_ value: UInt32) throws { try slot(); writer.integer(value) }
    mutating func encode(_ value: UInt64) throws { try slot(); writer.integer(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try slot()
        try value.encode(to: ValueEncoder(writer: writer, depth: depth))
    }
}
