import DossierModel
import DossierXML

// The direct XML path: dossiers read and written through the member lists the direct JSON path
// uses (`JSONObject.members`), without the `Codable` runtime.
//
// Through `Codable` the XML form was ten times slower than the JSON form in both directions: a
// boxed container, a decoder value and a grown coding-path array per element, and each child's
// name matched to a key by string compares, cost more than libxml2's parse. The member lists say
// what synthesized `Codable` says (the property name is the element name, an `Optional` is absent
// when nil, declaration order), so this path needs no list of its own.
//
// `XMLElementDecoder` and `XMLElementEncoder` stay the authority. Reading here accepts a subset of
// what they accept: anything the least unusual (an unknown, repeated or foreign element, stray
// text, an attribute, a value that does not parse, a type this file does not know) is a refusal,
// and the caller decodes the element again through `Codable`, whose error (code, line, path) is
// the one reported. Writing produces the same bytes through the same `XMLOutput` calls; a refusal
// or an unrepresentable character drops what was written and writes again through `Codable`.
// `XMLDirectTests` holds both paths to agreement on every fixture.

/// The direct path's "not sure": never shown, since the `Codable` path then does the work again.
struct XMLDirectRefusal: Error {}

/// A list of model values, item by item; `Array` is the only one.
protocol XMLDirectList {
    static func readXML(_ e: XMLElementNode, item: String) throws -> Self
    /// `inout` only so items are handed over in place, as in `JSONValue.writeJSON`; never assigned.
    static func writeXML(_ x: inout Self, to output: XMLOutput, depth: Int, item: String) throws
}

enum XMLDirect {
    /// A member's value from its element `e`, which is in the dossier namespace; `key` is nil
    /// for a list item.
    ///
    /// Leaves are told apart first: comparing metatypes is decided at compile time in the code
    /// specialised for each member type, and so is a cast to a protocol the type conforms to,
    /// while one that fails is a runtime lookup. The bit casts are from a type to itself.
    static func read<T: JSONValue>(_: T.Type, _ e: XMLElementNode, key: StaticString?) throws -> T {
        if isLeaf(T.self) { return try readLeaf(T.self, leafText(e)) }
        if let kind = T.self as? any JSONEnum.Type { return try readEnum(kind, leafText(e), as: T.self) }
        if let object = T.self as? any JSONObject.Type { return try readObject(object, e, as: T.self) }
        if let list = T.self as? any XMLDirectList.Type, let key { return try readList(list, e, key: key, as: T.self) }
        throw XMLDirectRefusal()
    }

    /// The value types written as text by their own `encode(to:)`, apart from string enums.
    @inline(__always)
    static func isLeaf<T>(_: T.Type) -> Bool {
        T.self == String.self || T.self == LocalDate.self || T.self == Timestamp.self || T.self == Amount.self
            || T.self == BSN.self || T.self == Int.self || T.self == Bool.self
    }

    static func readObject<O: JSONObject, T>(_: O.Type, _ e: XMLElementNode, as: T.Type) throws -> T {
        unsafeBitCast(try readObject(O.self, e), to: T.self)
    }

    private static func readList<L: XMLDirectList, T>(_: L.Type, _ e: XMLElementNode, key: StaticString, as: T.Type) throws -> T {
        guard let item = XMLNames.items[key.description] else { throw XMLDirectRefusal() }
        return unsafeBitCast(try L.readXML(e, item: item), to: T.self)
    }

    static func readObject<O: JSONObject>(_: O.Type, _ e: XMLElementNode) throws -> O {
        let count = try checkContainer(e)
        var x = O.blank
        try e.children.withUnsafeBufferPointer { children in
            var members = XMLMemberReader(children: children)
            try O.members(&members, &x)
            // An element no member asked for is unknown or a repeat.
            guard members.found == count else { throw XMLDirectRefusal() }
        }
        return x
    }

    /// What `XMLElementDecoder.childElements` requires of a container: no attribute, only
    /// whitespace between the elements, every element in the dossier namespace. Returns how
    /// many elements it holds.
    static func checkContainer(_ e: XMLElementNode) throws -> Int {
        guard e.attributes.isEmpty else { throw XMLDirectRefusal() }
        var count = 0
        for child in e.children {
            switch child {
            case .text(let t):
                guard t.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { throw XMLDirectRefusal() }
            case .element(let c):
                guard c.namespace == XMLNames.namespace else { throw XMLDirectRefusal() }
                count += 1
            }
        }
        return count
    }

    /// The text of a leaf: no attribute, no element inside, its text children joined.
    static func leafText(_ e: XMLElementNode) throws -> String {
        guard e.attributes.isEmpty else { throw XMLDirectRefusal() }
        if e.children.count == 1, case .text(let t) = e.children[0] { return t }
        var text = ""
        for child in e.children {
            guard case .text(let t) = child else { throw XMLDirectRefusal() }
            text += t
        }
        return text
    }

    /// A leaf value from its text, as the type's `init(from:)` reads it through
    /// `XMLSingleValueDecoding`, or a refusal.
    static func readLeaf<T: JSONValue>(_: T.Type, _ text: String) throws -> T {
        if T.self == String.self { return unsafeBitCast(text, to: T.self) }
        if T.self == LocalDate.self, let v = LocalDate(iso: text) { return unsafeBitCast(v, to: T.self) }
        if T.self == Timestamp.self, let v = Timestamp(rfc3339: text) { return unsafeBitCast(v, to: T.self) }
        if T.self == Amount.self, let v = Amount(decimal: text) { return unsafeBitCast(v, to: T.self) }
        if T.self == BSN.self { return unsafeBitCast(BSN(text), to: T.self) }
        if T.self == Int.self, let v = Int(text), v.description == text { return unsafeBitCast(v, to: T.self) }
        if T.self == Bool.self, text == "true" || text == "false" { return unsafeBitCast(text == "true", to: T.self) }
        throw XMLDirectRefusal()
    }

    private static func readEnum<E: JSONEnum, T>(_: E.Type, _ text: String, as: T.Type) throws -> T {
        guard let v = E(rawValue: text) else { throw XMLDirectRefusal() }
        return unsafeBitCast(v, to: T.self)
    }

    /// Writes `x` as the element `name` below the `depth` open elements, as `XMLElementEncoder`
    /// writes it; `key` is nil for a list item. Kinds are told apart as in `read`.
    static func write<T: JSONValue>(_ x: inout T, name: XMLOutput.Name, to output: XMLOutput, depth: Int, key: StaticString?) throws {
        output.close(downTo: depth)
        output.openElement(name)
        if isLeaf(T.self) {
            try output.leaf(leafText(x), codingPath: [])
        } else if let kind = T.self as? any JSONEnum.Type {
            try output.leaf(rawValue(kind, x), codingPath: [])
        } else if let object = T.self as? any JSONObject.Type {
            try writeObject(object, &x, to: output, depth: depth + 1)
        } else if let list = T.self as? any XMLDirectList.Type, let key {
            guard let item = XMLNames.items[key.description] else { throw XMLDirectRefusal() }
            try writeList(list, &x, to: output, depth: depth + 1, item: item)
        } else {
            throw XMLDirectRefusal()
        }
        output.close(downTo: depth)
    }

    private static func rawValue<E: JSONEnum, T>(_: E.Type, _ x: T) -> String {
        unsafeBitCast(x, to: E.self).rawValue
    }

    /// `x` written as the `O` it is, in place (no copy of its fields).
    static func writeObject<O: JSONObject, T>(_: O.Type, _ x: inout T, to output: XMLOutput, depth: Int) throws {
        try withUnsafeMutablePointer(to: &x) { p in
            try p.withMemoryRebound(to: O.self, capacity: 1) { o in
                var members = XMLMemberWriter(output: output, depth: depth)
                try O.members(&members, &o.pointee)
            }
        }
    }

    private static func writeList<L: XMLDirectList, T>(_: L.Type, _ x: inout T, to output: XMLOutput, depth: Int, item: String) throws {
        try withUnsafeMutablePointer(to: &x) { p in
            try p.withMemoryRebound(to: L.self, capacity: 1) { try L.writeXML(&$0.pointee, to: output, depth: depth, item: item) }
        }
    }

    /// A leaf value's text, as its `encode(to:)` writes it through `XMLSingleValueEncoding`.
    @inline(__always)
    static func leafText<T: JSONValue>(_ x: T) -> String {
        if T.self == String.self { return unsafeBitCast(x, to: String.self) }
        if T.self == LocalDate.self { return unsafeBitCast(x, to: LocalDate.self).description }
        if T.self == Timestamp.self { return unsafeBitCast(x, to: Timestamp.self).description }
        if T.self == Amount.self { return unsafeBitCast(x, to: Amount.self).description }
        if T.self == BSN.self { return unsafeBitCast(x, to: BSN.self).digits }
        if T.self == Int.self { return unsafeBitCast(x, to: Int.self).description }
        return unsafeBitCast(x, to: Bool.self) ? "true" : "false"
    }
}

extension Array: XMLDirectList where Element: JSONValue {
    static func readXML(_ e: XMLElementNode, item: String) throws -> [Element] {
        var out: [Element] = []
        out.reserveCapacity(try XMLDirect.checkContainer(e))
        let name = item.utf8
        for child in e.children {
            guard case .element(let c) = child else { continue }
            guard c.localName.utf8.elementsEqual(name) else { throw XMLDirectRefusal() }
            out.append(try XMLDirect.read(Element.self, c, key: nil))
        }
        return out
    }

    static func writeXML(_ x: inout [Element], to output: XMLOutput, depth: Int, item: String) throws {
        // In place, as `Array.writeJSON` does: the storage is only read through.
        try x.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let elements = UnsafeMutablePointer(mutating: base)
            for i in 0..<buffer.count {
                try XMLDirect.write(&elements[i], name: .text(item), to: output, depth: depth, key: nil)
            }
        }
    }
}

/// Finds each member's element among a container's children, which `checkContainer` passed.
struct XMLMemberReader: JSONMemberVisitor {
    let children: UnsafeBufferPointer<XMLContent>
    /// Where the next search starts: members come in declaration order, as they are written.
    var next = 0
    /// Members found, to compare with the elements there are.
    var found = 0

    init(children: UnsafeBufferPointer<XMLContent>) { self.children = children }

    private mutating func find(_ key: StaticString) -> Int? {
        let name = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        var i = next
        for _ in 0..<children.count {
            if i == children.count { i = 0 }
            if case .element(let e) = children[i], XMLDirect.equal(e.localName, name) {
                found += 1
                next = i + 1
                return i
            }
            i += 1
        }
        return nil
    }

    mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T) throws {
        guard let i = find(key), case .element(let e) = children[i] else { throw XMLDirectRefusal() }
        value = try XMLDirect.read(T.self, e, key: key)
    }

    mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T?) throws {
        guard let i = find(key), case .element(let e) = children[i] else { value = nil; return }
        value = try XMLDirect.read(T.self, e, key: key)
    }
}

/// Writes each member as a child element, nil optionals left out.
struct XMLMemberWriter: JSONMemberVisitor {
    let output: XMLOutput
    let depth: Int

    mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T) throws {
        try XMLDirect.write(&value, name: .fixed(key), to: output, depth: depth, key: key)
    }

    mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T?) throws {
        if value != nil { try self(key, &value!) }
    }
}

extension XMLDirect {
    /// Byte equality, stricter than `String`'s canonical equivalence: a name that differs only
    /// by normalisation is refused here and judged by the `Codable` path.
    @inline(__always)
    static func equal(_ s: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var s = s
        return s.withUTF8 { $0.count == bytes.count && $0.elementsEqual(bytes) }
    }
}
