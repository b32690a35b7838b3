#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DossierModel

/// Decodes any `Decodable` value from strict JSON bytes.
///
/// Every failure is a `DossierError` naming `file:line:column` and the JSON path, and never
/// quoting a value from the document (an unknown member's name is quoted: it is structure, not
/// content). Strict beyond syntax: a member the type does not read is an error
/// (`json.unknown-field`), because a silently ignored field is data lost in transit.
public enum JSONByteDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], file: String? = nil) throws -> T {
        try bytes.withUnsafeBytes { try decode(type, from: $0, parser: JSONParser(), file: file, firstLine: 1) }
    }

    /// Parses and decodes one document; `firstLine` places it in its file (NDJSON records),
    /// `check` runs on the parsed tape before decoding starts.
    static func decode<T: Decodable>(_ type: T.Type, from input: UnsafeRawBufferPointer, parser: JSONParser,
                                     file: String?, firstLine: Int,
                                     check: (TapeDecoder) throws -> Void = { _ in }) throws -> T {
        try decode(type, from: input, parser: parser, at: TextPosition(input: input, file: file, firstLine: firstLine), check: check)
    }

    /// Parses and decodes one document whose bytes are not the file's as they stand: one element
    /// of a streamed array, or what is left around it (`position` maps offsets back).
    static func decode<T: Decodable>(_ type: T.Type, from input: UnsafeRawBufferPointer, parser: JSONParser,
                                     at position: TextPosition,
                                     check: (TapeDecoder) throws -> Void = { _ in }) throws -> T {
        try decode(from: input, parser: parser, position: position, check: check) { try $0.value(T.self, at: 0) }
    }

    /// Decodes a model type through its direct path; whatever that path refuses is decoded again
    /// through `Codable`, so that the error (code, position, path, message) is that path's.
    static func decode<T: JSONObject & Decodable>(direct type: T.Type, from input: UnsafeRawBufferPointer, parser: JSONParser,
                                                  file: String?, firstLine: Int,
                                                  check: (TapeDecoder) throws -> Void) throws -> T {
        try decode(from: input, parser: parser, position: TextPosition(input: input, file: file, firstLine: firstLine), check: check) { tape in
            if let value = try? T.readJSON(tape, at: 0) { return value }
            tape.resetConsumed()
            return try tape.value(T.self, at: 0)
        }
    }

    private static func decode<T>(from input: UnsafeRawBufferPointer, parser: JSONParser, position: TextPosition,
                                  check: (TapeDecoder) throws -> Void, root: (TapeDecoder) throws -> T) throws -> T {
        do {
            try parser.parse(input)
        } catch {
            throw DossierError(error.code, error.message, at: position.location(error.offset))
        }
        return try parser.withTape { nodes in
            let tape = TapeDecoder(nodes: nodes, base: input.baseAddress!.assumingMemoryBound(to: UInt8.self), position: position)
            do {
                try check(tape)
                let value = try root(tape)
                try tape.checkAllConsumed()
                return value
            } catch let error as DecodingError {
                throw tape.translate(error)
            }
        }
    }
}

/// Turns byte offsets into `file:line:column` (1-based; columns count bytes), only when an error
/// needs one, so the happy path never tracks lines.
struct TextPosition {
    let input: UnsafeRawBufferPointer
    let file: String?
    let firstLine: Int
    /// Where `input` starts on its first line: past column 1 for an element cut out of a longer line.
    var firstColumn = 1
    /// Bytes of the file left out of `input`, in order, so positions after them still name the
    /// file's own line and column.
    var gaps: [TextGap] = []

    init(input: UnsafeRawBufferPointer, file: String?, firstLine: Int, firstColumn: Int = 1, gaps: [TextGap] = []) {
        self.input = input; self.file = file; self.firstLine = firstLine; self.firstColumn = firstColumn; self.gaps = gaps
    }

    func location(_ offset: Int) -> SourceLocation {
        var line = firstLine, column = firstColumn
        var gap = gaps.startIndex
        for i in 0...min(offset, input.count) {
            while gap < gaps.endIndex && gaps[gap].offset == i {
                gaps[gap].skip(&line, &column)
                gap += 1
            }
            guard i < offset && i < input.count else { break }
            if input[i] == 0x0A { line += 1; column = 1 } else { column += 1 }
        }
        return SourceLocation(file: file, line: line, column: column)
    }
}

/// A run of a file's bytes left out of the bytes being decoded, before `offset` of those.
struct TextGap {
    var offset: Int
    var newlines = 0
    /// Bytes after the last line break in the run, or all of its bytes when it has none.
    var tail = 0

    mutating func add(_ byte: UInt8) {
        if byte == 0x0A { newlines += 1; tail = 0 } else { tail += 1 }
    }

    func skip(_ line: inout Int, _ column: inout Int) {
        if newlines > 0 { line += newlines; column = 1 + tail } else { column += tail }
    }
}

/// The decoding state shared by every container of one document: the tape and where it came from.
final class TapeDecoder {
    let nodes: UnsafeMutablePointer<JSONNode>
    let base: UnsafePointer<UInt8>
    let position: TextPosition

    init(nodes: UnsafeMutablePointer<JSONNode>, base: UnsafePointer<UInt8>, position: TextPosition) {
        self.nodes = nodes; self.base = base; self.position = position
    }

    // MARK: Lookup

    /// The value node of member `name` in object `obj`, marking it read. Lookups start after the
    /// previous match, so members in declaration order are found on the first comparison.
    func member(_ name: String, in obj: Int, consume: Bool = true) -> Int? {
        var name = name
        return name.withUTF8 { member($0, in: obj, consume: consume) }
    }

    /// The direct path's lookup: the key's bytes are static, so no `String` is touched.
    @inline(__always)
    func member(_ name: StaticString, in obj: Int) -> Int? {
        member(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), in: obj, consume: true)
    }

    private func member(_ key: UnsafeBufferPointer<UInt8>, in obj: Int, consume: Bool) -> Int? {
        let o = nodes[obj]
        guard o.count > 0 else { return nil }
        let first = obj + 1
        var k = o.hint == 0 ? first : o.hint
        var found = false
        for _ in 0..<o.count {
            if nameMatches(k, key) { found = true; break }
            k = nodes[k + 1].next
            if k == o.next { k = first }
        }
        guard found else { return nil }
        let after = nodes[k + 1].next
        nodes[obj].hint = after == o.next ? 0 : after
        if consume { nodes[k].consumed = true }
        return k + 1
    }

    @inline(__always)
    private func nameMatches(_ k: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = nodes[k]
        if !n.escaped {
            return n.end - n.start == key.count && (key.isEmpty || memcmp(base + n.start, key.baseAddress!, key.count) == 0)
        }
        return unescaped(n).elementsEqual(key)
    }

    // MARK: Scalars

    private func unescaped(_ n: JSONNode) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(n.end - n.start)
        JSONParser.unescape(UnsafeBufferPointer(start: base + n.start, count: n.end - n.start), into: &out)
        return out
    }

    /// Unescaped content is copied without validating it again: the parser has checked every
    /// byte of the document against RFC 3629 already, and the second check cost about 8% of the
    /// reading time on Dutch text.
    func string(_ i: Int) throws -> String {
        let n = nodes[i]
        guard n.kind == .string else { throw mismatch(i, expected: "a string") }
        if !n.escaped {
            let validated = UnsafeBufferPointer(start: base + n.start, count: n.end - n.start)
            return String(copying: UTF8Span(unchecked: validated.span))
        }
        return String(decoding: unescaped(n), as: UTF8.self)
    }

    func bool(_ i: Int) throws -> Bool {
        let n = nodes[i]
        guard n.kind == .bool else { throw mismatch(i, expected: "true or false") }
        return n.start == 1
    }

    /// Integers must be written as integers; `1e999999` or `1.5` into an `Int` is an error, not a rounding.
    func integer<T: FixedWidthInteger>(_ i: Int) throws -> T {
        let n = nodes[i]
        guard n.kind == .number else { throw mismatch(i, expected: "a number") }
        var p = n.start
        let negative = base[p] == 0x2D
        if negative { p += 1 }
        var v: T = 0
        while p < n.end {
            let c = base[p]
            guard c >= 0x30 && c <= 0x39 else { throw outOfRange(i, T.self) }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let d = T(truncatingIfNeeded: c - 0x30)
            let (r, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
            guard !o1 && !o2 else { throw outOfRange(i, T.self) }
            v = r
            p += 1
        }
        return v
    }

    func float<F: BinaryFloatingPoint & LosslessStringConvertible>(_ i: Int) throws -> F {
        let n = nodes[i]
        guard n.kind == .number else { throw mismatch(i, expected: "a number") }
        let text = String(decoding: UnsafeBufferPointer(start: base + n.start, count: n.end - n.start), as: UTF8.self)
        guard let v = F(text), v.isFinite else { throw outOfRange(i, F.self) }
        return v
    }

    func isNull(_ i: Int) -> Bool { nodes[i].kind == .null }

    /// Decodes node `i` as `T`. Timestamps and dates are parsed straight from the bytes by the
    /// model's own byte-level parsers: through `init(from:)` each cost three heap allocations and
    /// together a tenth of the decoding time. What those refuse, and escaped strings, go to
    /// `init(from:)`, which reports the error.
    @inline(__always)
    func value<T: Decodable>(_ type: T.Type, at i: Int) throws -> T {
        if T.self == Timestamp.self, let t = plainString(i).flatMap(Timestamp.init(rfc3339:)) { return unsafeBitCast(t, to: T.self) }
        if T.self == LocalDate.self, let d = plainString(i).flatMap(LocalDate.init(iso:)) { return unsafeBitCast(d, to: T.self) }
        if T.self == Amount.self, let a = plainString(i).flatMap(Amount.init(plainDecimal:)) { return unsafeBitCast(a, to: T.self) }
        return try T(from: NodeDecoder(tape: self, node: i))
    }

    /// The bytes of a string node without escapes.
    private func plainString(_ i: Int) -> UnsafeBufferPointer<UInt8>? {
        let n = nodes[i]
        guard n.kind == .string, !n.escaped else { return nil }
        return UnsafeBufferPointer(start: base + n.start, count: n.end - n.start)
    }

    // MARK: Errors

    func error(_ code: String, _ message: String, at i: Int, appending key: String? = nil) -> DossierError {
        var path = self.path(to: i)
        if let key { path += "." + key }
        return DossierError(code, message, at: position.location(nodes[i].offset), path: path)
    }

    func mismatch(_ i: Int, expected: String) -> DossierError {
        let found = switch nodes[i].kind {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
        return error("json.type", "expected \(expected), found \(found)", at: i)
    }

    private func outOfRange(_ i: Int, _ type: Any.Type) -> DossierError {
        error("json.number", "number is not representable as \(type)", at: i)
    }

    /// Forgets which members were read, for a second decoding of the same tape.
    func resetConsumed() {
        for i in 0..<nodes[0].next { nodes[i].consumed = false }
    }

    /// After decoding: any member nobody read is a field this build does not know.
    func checkAllConsumed() throws {
        for i in 0..<nodes[0].next where nodes[i].isKey && !nodes[i].consumed {
            // The path ends in the name too; the names before it are the model's, decoded into.
            let shown = Diagnostic.shownName(memberName(i))
            throw DossierError("json.unknown-field", "unknown field '\(shown)'", at: position.location(nodes[i].offset),
                               path: Self.format(codingPath(to: i).dropLast()) + "." + shown)
        }
    }

    /// A member name as the document spells it; messages show it through `Diagnostic.shownName`.
    func memberName(_ i: Int) -> String { (try? string(i)) ?? "?" }

    /// Converts errors thrown by the model's own `init(from:)` (an invalid date, an unknown enum
    /// case) into located diagnostics without echoing the offending value.
    func translate(_ e: DecodingError) -> DossierError {
        let context: DecodingError.Context
        let code: String
        switch e {
        case .dataCorrupted(let c): context = c; code = "json.value"
        case .typeMismatch(_, let c): context = c; code = "json.type"
        case .valueNotFound(_, let c): context = c; code = "json.type"
        case .keyNotFound(_, let c): context = c; code = "json.missing-field"
        @unknown default: return DossierError("json.value", "invalid value")
        }
        let node = resolve(context.codingPath)
        var message = context.debugDescription
        // The standard library's RawRepresentable message quotes the bad value: keep the type only.
        if message.hasPrefix("Cannot initialize "), let from = message.firstRange(of: " from ") {
            message = "invalid value for \(message[message.index(message.startIndex, offsetBy: 18)..<from.lowerBound])"
        } else if nodes[node].kind == .string, nodes[node].end > nodes[node].start, message.contains(memberName(node)) {
            message = "invalid value"
        }
        return DossierError(code, message, at: position.location(nodes[node].offset), path: Self.format(context.codingPath))
    }

    // MARK: Paths

    /// The node a coding path leads to, or the deepest one that exists on the way.
    private func resolve(_ path: [any CodingKey]) -> Int {
        var i = 0
        for key in path {
            let n = nodes[i]
            if n.kind == .object, let v = member(key.stringValue, in: i, consume: false) {
                i = v
            } else if n.kind == .array, let index = key.intValue, index < n.count {
                var e = i + 1
                for _ in 0..<index { e = nodes[e].next }
                i = e
            } else {
                break
            }
        }
        return i
    }

    /// The coding path of node `target`, found by walking down from the root; only errors and
    /// `codingPath` queries pay for it.
    func codingPath(to target: Int) -> [any CodingKey] {
        var path: [any CodingKey] = []
        var i = 0
        while i != target {
            let n = nodes[i]
            var child = i + 1
            var index = 0
            while child < n.next {
                let value = n.kind == .object ? child + 1 : child
                if target == child && n.kind == .object {
                    path.append(JSONKey(memberName(child)))
                    return path
                }
                if target >= value && target < nodes[value].next {
                    path.append(n.kind == .object ? JSONKey(memberName(child)) : JSONKey(index: index))
                    break
                }
                child = nodes[value].next
                index += 1
            }
            guard child < n.next else { return path }
            i = n.kind == .object ? child + 1 : child
        }
        return path
    }

    func path(to target: Int) -> String { Self.format(codingPath(to: target)) }

    /// `$.progressReports[3].meta.createdAt`
    static func format(_ path: some Sequence<any CodingKey>) -> String {
        var s = "$"
        for k in path {
            if let i = k.intValue { s += "[\(i)]" } else { s += "." + k.stringValue }
        }
        return s
    }
}

/// The `Decoder` for one node of the tape.
struct NodeDecoder: Decoder {
    let tape: TapeDecoder
    let node: Int

    var codingPath: [any CodingKey] { tape.codingPath(to: node) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard tape.nodes[node].kind == .object else { throw tape.mismatch(node, expected: "an object") }
        return KeyedDecodingContainer(ObjectDecoder<Key>(tape: tape, obj: node))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard tape.nodes[node].kind == .array else { throw tape.mismatch(node, expected: "an array") }
        return ArrayDecoder(tape: tape, array: node)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleDecoder(tape: tape, node: node) }
}

struct ObjectDecoder<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let tape: TapeDecoder
    let obj: Int

    var codingPath: [any CodingKey] { tape.codingPath(to: obj) }

    var allKeys: [Key] {
        var keys: [Key] = []
        var k = obj + 1
        for _ in 0..<tape.nodes[obj].count {
            if let key = Key(stringValue: tape.memberName(k)) { keys.append(key) }
            k = tape.nodes[k + 1].next
        }
        return keys
    }

    func contains(_ key: Key) -> Bool { tape.member(key.stringValue, in: obj, consume: false) != nil }

    @inline(__always)
    private func required(_ key: Key) throws -> Int {
        guard let v = tape.member(key.stringValue, in: obj) else {
            throw tape.error("json.missing-field", "missing required field '\(key.stringValue)'", at: obj, appending: key.stringValue)
        }
        return v
    }

    /// The value node of `key`, or nil when it is absent or `null`.
    @inline(__always)
    private func optional(_ key: Key) -> Int? {
        guard let v = tape.member(key.stringValue, in: obj), !tape.isNull(v) else { return nil }
        return v
    }

    func decodeNil(forKey key: Key) throws -> Bool { tape.isNull(try required(key)) }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try tape.bool(required(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try tape.string(required(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try tape.float(required(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try tape.float(required(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try tape.integer(required(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try tape.integer(required(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try tape.integer(required(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try tape.integer(required(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try tape.integer(required(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try tape.integer(required(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try tape.integer(required(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try tape.integer(required(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try tape.integer(required(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try tape.integer(required(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try tape.value(T.self, at: required(key))
    }

    // One lookup per optional field instead of the default `contains` + `decodeNil` + `decode`.
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try optional(key).map(tape.bool) }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try optional(key).map(tape.string) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try optional(key).map(tape.float) }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try optional(key).map(tape.float) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try optional(key).map(tape.integer) }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try optional(key).map(tape.integer) }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try optional(key).map(tape.integer) }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try optional(key).map(tape.integer) }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try optional(key).map(tape.integer) }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try optional(key).map(tape.integer) }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try optional(key).map(tape.integer) }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try optional(key).map(tape.integer) }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try optional(key).map(tape.integer) }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try optional(key).map(tape.integer) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let v = optional(key) else { return nil }
        return try tape.value(T.self, at: v)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try NodeDecoder(tape: tape, node: required(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try NodeDecoder(tape: tape, node: required(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        guard let v = tape.member(JSONKey.superKey.stringValue, in: obj) else {
            throw tape.error("json.missing-field", "missing required field 'super'", at: obj, appending: "super")
        }
        return NodeDecoder(tape: tape, node: v)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { NodeDecoder(tape: tape, node: try required(key)) }
}

struct ArrayDecoder: UnkeyedDecodingContainer {
    let tape: TapeDecoder
    let array: Int
    /// The node of the next element.
    private var cursor: Int
    private(set) var currentIndex = 0

    init(tape: TapeDecoder, array: Int) {
        self.tape = tape; self.array = array; cursor = array + 1
    }

    var codingPath: [any CodingKey] { tape.codingPath(to: array) }
    var count: Int? { tape.nodes[array].count }
    var isAtEnd: Bool { currentIndex >= tape.nodes[array].count }

    private mutating func next() throws -> Int {
        guard !isAtEnd else {
            throw tape.error("json.type", "array has fewer elements than expected", at: array)
        }
        let i = cursor
        cursor = tape.nodes[i].next
        currentIndex += 1
        return i
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw tape.error("json.type", "array has fewer elements than expected", at: array) }
        guard tape.isNull(cursor) else { return false }
        _ = try next()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try tape.bool(next()) }
    mutating func decode(_ type: String.Type) throws -> String { try tape.string(next()) }
    mutating func decode(_ type: Double.Type) throws -> Double { try tape.float(next()) }
    mutating func decode(_ type: Float.Type) throws -> Float { try tape.float(next()) }
    mutating func decode(_ type: Int.Type) throws -> Int { try tape.integer(next()) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try tape.integer(next()) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try tape.integer(next()) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try tape.integer(next()) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try tape.integer(next()) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try tape.integer(next()) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try tape.integer(next()) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try tape.integer(next()) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try tape.integer(next()) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try tape.integer(next()) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try tape.value(T.self, at: next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try NodeDecoder(tape: tape, node: next()).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try NodeDecoder(tape: tape, node: next()).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { NodeDecoder(tape: tape, node: try next()) }
}

struct SingleDecoder: SingleValueDecodingContainer {
    let tape: TapeDecoder
    let node: Int

    var codingPath: [any CodingKey] { tape.codingPath(to: node) }

    func decodeNil() -> Bool { tape.isNull(node) }
    func decode(_ type: Bool.Type) throws -> Bool { try tape.bool(node) }
    func decode(_ type: String.Type) throws -> String { try tape.string(node) }
    func decode(_ type: Double.Type) throws -> Double { try tape.float(node) }
    func decode(_ type: Float.Type) throws -> Float { try tape.float(node) }
    func decode(_ type: Int.Type) throws -> Int { try tape.integer(node) }
    func decode(_ type: Int8.Type) throws -> Int8 { try tape.integer(node) }
    func decode(_ type: Int16.Type) throws -> Int16 { try tape.integer(node) }
    func decode(_ type: Int32.Type) throws -> Int32 { try tape.integer(node) }
    func decode(_ type: Int64.Type) throws -> Int64 { try tape.integer(node) }
    func decode(_ type: UInt.Type) throws -> UInt { try tape.integer(node) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try tape.integer(node) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try tape.integer(node) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try tape.integer(node) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try tape.integer(node) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try tape.value(T.self, at: node) }
}
