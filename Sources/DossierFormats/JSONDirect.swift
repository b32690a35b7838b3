import DossierModel

/// A value written and read by the direct JSON path, without the Codable runtime.
///
/// Dossiers are what Dossierport reads and writes by the million, and through `Codable` a third
/// of that time went to the runtime itself: generic witness lookups, a boxed container per object,
/// a `String` per key. This path produces the same bytes and accepts the same documents; the
/// `Codable` conformances stay the authority (on any error the caller redoes the work through
/// them, so messages and positions are theirs) and tests pin byte-for-byte agreement.
protocol JSONValue {
    /// Writes `x` at nesting `level` (the indent of its own closing bracket in pretty output).
    ///
    /// `x` is `inout` only so that the member lists, which serve reading too, hand fields over in
    /// place: copying each record to write it cost a retain and a release per field, a quarter
    /// of the writing time. Writing never assigns to it.
    static func writeJSON(_ x: inout Self, to w: JSONWriter, level: Int) throws
    static func readJSON(_ tape: TapeDecoder, at i: Int) throws -> Self
    /// The direct XML path's two directions (XMLDirect.swift), supplied for each kind of value
    /// (leaf, string enum, object, list) by that kind's protocol extension, so that the choice is
    /// made when the code is specialised: telling the kinds apart by casting the metatype cost a
    /// runtime conformance lookup for every cast that failed.
    static func writeXMLContent(_ x: inout Self, to output: XMLOutput, depth: Int, key: StaticString?) throws
    static func readXML<E: XMLDirectElement>(_ e: E, key: StaticString?) throws -> Self
}

/// A model struct, its members listed once in declaration order for both directions.
///
/// The list mirrors what synthesized `Codable` does: the property name is the key, an `Optional`
/// is left out when nil and may be absent or `null` on input, anything else is required. A test
/// compares every list with the type's stored properties (via `Mirror`), so a new field cannot be
/// forgotten here.
protocol JSONObject: JSONValue {
    /// A placeholder that decoding overwrites member by member.
    static var blank: Self { get }
    static func members<V: JSONMemberVisitor>(_ v: inout V, _ x: inout Self) throws
}

/// What `JSONObject.members` hands each member to: a writer or a reader.
protocol JSONMemberVisitor {
    mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T) throws
    mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T?) throws
}

extension JSONObject {
    static func writeJSON(_ x: inout Self, to w: JSONWriter, level: Int) throws {
        try writeMembers(&x, to: w, level: level)
    }

    static func writeMembers(_ x: inout Self, to w: JSONWriter, level: Int) throws {
        w.byte(0x7B)
        var members = MemberWriter(w: w, level: level + 1)
        try Self.members(&members, &x)
        w.closeContainer(0x7D, level: level, empty: members.count == 0)
    }

    /// Writes `x` with the encoding of its first `count` members copied from `kept` when that
    /// encodes `key`, and kept there when not: for leading members that stay the same from one
    /// record to the next (metadata a mapping sets, the file rows come from), whose member names
    /// and escaping cost more than copying their bytes. The leading members must always be
    /// written (not nil), and `key` must hold everything their encoding depends on.
    static func writeJSON<Key: Equatable>(_ x: inout Self, to w: JSONWriter, level: Int, leading count: Int, encoding key: Key,
                                          kept: inout (key: Key, bytes: [UInt8])?) throws {
        w.byte(0x7B)
        let start = w.used
        var members = MemberWriter(w: w, level: level + 1)
        if w.copyKept(&kept, if: { $0 == key }) {
            members.count = count
            members.skip = count
        } else {
            members.markAfter = count
        }
        try Self.members(&members, &x)
        if members.markAfter == count {
            kept = (key, w.written(since: start, to: members.mark))
        }
        w.closeContainer(0x7D, level: level, empty: members.count == 0)
    }

    static func readJSON(_ tape: TapeDecoder, at i: Int) throws -> Self {
        guard tape.nodes[i].kind == .object else { throw tape.mismatch(i, expected: "an object") }
        var x = blank
        var members = MemberReader(tape: tape, obj: i)
        try Self.members(&members, &x)
        return x
    }
}

struct MemberWriter: JSONMemberVisitor {
    let w: JSONWriter
    let level: Int
    var count = 0
    /// Leading members already in the buffer (copied there whole), passed over.
    var skip = 0
    /// After this many members, `mark` is set to where the buffer then ends.
    var markAfter = -1
    var mark = 0

    @inline(__always)
    mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T) throws {
        if skip > 0 { skip -= 1; return }
        w.memberName(key, first: count == 0, level: level)
        count += 1
        try T.writeJSON(&value, to: w, level: level)
        if count == markAfter { mark = w.used }
    }

    @inline(__always)
    mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T?) throws {
        if value != nil { try self(key, &value!) }
    }
}

struct MemberReader: JSONMemberVisitor {
    let tape: TapeDecoder
    let obj: Int

    @inline(__always)
    mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T) throws {
        guard let v = tape.member(key, in: obj) else {
            throw tape.error("json.missing-field", "missing required field '\(key)'", at: obj, appending: "\(key)")
        }
        value = try T.readJSON(tape, at: v)
    }

    @inline(__always)
    mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T?) throws {
        guard let v = tape.member(key, in: obj), !tape.isNull(v) else { value = nil; return }
        value = try T.readJSON(tape, at: v)
    }
}

extension Array: JSONValue where Element: JSONValue {
    static func writeJSON(_ x: inout [Element], to w: JSONWriter, level: Int) throws {
        w.byte(0x5B)
        // In place, as `JSONValue.writeJSON` explains: the pointer is only read through, and the
        // array's storage (shared with the caller's value) is never written.
        try x.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let elements = UnsafeMutablePointer(mutating: base)
            for i in 0..<buffer.count {
                w.elementSeparator(first: i == 0, level: level + 1)
                try Element.writeJSON(&elements[i], to: w, level: level + 1)
                // A section's records go to the sink as the buffer fills, so the buffer does not
                // grow to the size of a dossier: one of 400,000 reports (169 MB) doubled it up to
                // 268 MB, with the old buffer alive beside the new one while it was copied.
                try w.flushIfFull()
            }
        }
        w.closeContainer(0x5D, level: level, empty: x.isEmpty)
    }

    static func readJSON(_ tape: TapeDecoder, at i: Int) throws -> [Element] {
        let n = tape.nodes[i]
        guard n.kind == .array else { throw tape.mismatch(i, expected: "an array") }
        var out: [Element] = []
        out.reserveCapacity(n.count)
        var e = i + 1
        for _ in 0..<n.count {
            out.append(try Element.readJSON(tape, at: e))
            e = tape.nodes[e].next
        }
        return out
    }
}

/// The model's string enums: their raw value, as synthesized `Codable` writes it.
protocol JSONEnum: JSONValue, RawRepresentable where RawValue == String {}

extension JSONEnum {
    static func writeJSON(_ x: inout Self, to w: JSONWriter, level: Int) throws { try w.string(x.rawValue) }

    static func readJSON(_ tape: TapeDecoder, at i: Int) throws -> Self {
        guard let v = Self(rawValue: try tape.string(i)) else {
            throw tape.error("json.value", "invalid value for \(Self.self)", at: i)
        }
        return v
    }
}

extension String: JSONValue {
    static func writeJSON(_ x: inout String, to w: JSONWriter, level: Int) throws { try w.string(x) }
    static func readJSON(_ tape: TapeDecoder, at i: Int) throws -> String { try tape.string(i) }
}

extension Bool: JSONValue {
    static func writeJSON(_ x: inout Bool, to w: JSONWriter, level: Int) throws { w.bool(x) }
    static func readJSON(_ tape: TapeDecoder, at i: Int) throws -> Bool { try tape.bool(i) }
}

extension Int: JSONValue {
    static func writeJSON(_ x: inout Int, to w: JSONWriter, level: Int) throws { w.integer(x) }
    static func readJSON(_ tape: TapeDecoder, at i: Int) throws -> Int { try tape.integer(i) }
}

// The value types keep their own parsers as the authority: `TapeDecoder.value` runs the model's
// byte-level parsers on the string's bytes and hands escaped or refused text to `init(from:)`.

extension LocalDate: JSONValue {
    static func writeJSON(_ x: inout LocalDate, to w: JSONWriter, level: Int) throws { w.localDate(x) }
    static func readJSON(_ tape: TapeDecoder, at i: Int) throws -> LocalDate { try tape.value(LocalDate.self, at: i) }
}

extension Timestamp: JSONValue {
    static func writeJSON(_ x: inout Timestamp, to w: JSONWriter, level: Int) throws { w.timestamp(x) }
    static func readJSON(_ tape: TapeDecoder, at i: Int) throws -> Timestamp { try tape.value(Timestamp.self, at: i) }
}

extension Amount: JSONValue {
    static func writeJSON(_ x: inout Amount, to w: JSONWriter, level: Int) throws { w.amount(x) }
    static func readJSON(_ tape: TapeDecoder, at i: Int) throws -> Amount { try tape.value(Amount.self, at: i) }
}

extension BSN: JSONValue {
    static func writeJSON(_ x: inout BSN, to w: JSONWriter, level: Int) throws { try w.string(x.digits) }
    static func readJSON(_ tape: TapeDecoder, at i: Int) throws -> BSN { BSN(try tape.string(i)) }
}
