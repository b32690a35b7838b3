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
//
// Reading walks either tree through `XMLDirectElement`: the `XMLElementNode`s the streaming reader
// builds, or, for a document parsed whole, libxml2's own tree through `XMLNodeView`, so that no
// Swift copy of the tree is built unless this path refuses.

/// The direct path's "not sure": never shown, since the `Codable` path then does the work again.
struct XMLDirectRefusal: Error {}

/// A parsed element as the direct path reads it, with its children by position.
protocol XMLDirectElement {
    /// Where a child of any kind is.
    associatedtype Position: Equatable
    var firstPosition: Position? { get }
    func position(after p: Position) -> Position?
    func kind(at p: Position) -> XMLNodeView.Kind
    /// The child at `p` when it is an element.
    func element(at p: Position) -> Self?
    /// The text of the text child at `p`.
    func text(at p: Position) -> String
    /// Whether the text child at `p` is whitespace only.
    func isWhitespace(at p: Position) -> Bool
    var hasAttributes: Bool { get }
    /// Whether the element is in the dossier namespace (`XMLNames.namespace`).
    var inDossierNamespace: Bool { get }
    func hasName(_ name: UnsafeBufferPointer<UInt8>) -> Bool
}

enum XMLDirect {
    /// A member's value from its element `e`, which is in the dossier namespace; `key` is nil
    /// for a list item.
    @inline(__always)
    static func read<T: JSONValue, E: XMLDirectElement>(_: T.Type, _ e: E, key: StaticString?) throws -> T {
        try T.readXML(e, key: key)
    }

    /// The value types written as text by their own `encode(to:)`, apart from string enums.
    @inline(__always)
    static func isLeaf<T>(_: T.Type) -> Bool {
        T.self == String.self || T.self == LocalDate.self || T.self == Timestamp.self || T.self == Amount.self
            || T.self == BSN.self || T.self == Int.self || T.self == Bool.self
    }

    static func readObject<O: JSONObject, E: XMLDirectElement>(_: O.Type, _ e: E) throws -> O {
        let count = try checkContainer(e)
        var x = O.blank
        var members = XMLMemberReader(parent: e)
        try O.members(&members, &x)
        // An element no member asked for is unknown or a repeat.
        guard members.found == count else { throw XMLDirectRefusal() }
        return x
    }

    /// A `<dossier>` root element, which must be in the dossier namespace.
    static func readDossier<E: XMLDirectElement>(_ e: E) throws -> Dossier {
        var name = XMLNames.dossier
        guard e.inDossierNamespace, name.withUTF8({ e.hasName($0) }) else { throw XMLDirectRefusal() }
        return try readObject(Dossier.self, e)
    }

    /// What `XMLElementDecoder.childElements` requires of a container: no attribute, only
    /// whitespace between the elements, every element in the dossier namespace. Returns how
    /// many elements it holds.
    static func checkContainer<E: XMLDirectElement>(_ e: E) throws -> Int {
        guard !e.hasAttributes else { throw XMLDirectRefusal() }
        var count = 0
        var p = e.firstPosition
        while let q = p {
            switch e.kind(at: q) {
            case .text: guard e.isWhitespace(at: q) else { throw XMLDirectRefusal() }
            case .element:
                guard e.element(at: q)?.inDossierNamespace == true else { throw XMLDirectRefusal() }
                count += 1
            case .ignorable: break
            case .other: throw XMLDirectRefusal()
            }
            p = e.position(after: q)
        }
        return count
    }

    /// The text of a leaf: no attribute, no element inside, its text children joined.
    static func leafText<E: XMLDirectElement>(_ e: E) throws -> String {
        guard !e.hasAttributes else { throw XMLDirectRefusal() }
        var text = ""
        var p = e.firstPosition
        while let q = p {
            switch e.kind(at: q) {
            case .text: if text.isEmpty { text = e.text(at: q) } else { text += e.text(at: q) }
            case .ignorable: break
            case .element, .other: throw XMLDirectRefusal()
            }
            p = e.position(after: q)
        }
        return text
    }

    /// XML's whitespace, the only text allowed between elements.
    static func isWhitespace(_ bytes: some Sequence<UInt8>) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
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

    /// Writes `x` as the element `name` below the `depth` open elements, as `XMLElementEncoder`
    /// writes it; `key` is nil for a list item.
    static func write<T: JSONValue>(_ x: inout T, name: XMLOutput.Name, to output: XMLOutput, depth: Int, key: StaticString?) throws {
        output.close(downTo: depth)
        output.openElement(name)
        try T.writeXMLContent(&x, to: output, depth: depth + 1, key: key)
        output.close(downTo: depth)
    }

    /// Record metadata, its category, provenance and legal basis (the same for every record one
    /// mapping makes) copied from the record before when they are the same, as
    /// `RecordMeta.writeJSON` does: metadata was 40% of writing a dossier as XML.
    fileprivate static func writeMeta<T>(_ x: inout T, to output: XMLOutput, depth: Int) throws {
        try withUnsafeMutablePointer(to: &x) { p in
            try p.withMemoryRebound(to: RecordMeta.self, capacity: 1) { m in
                let head = RecordMetaHead(category: m.pointee.category, provenance: m.pointee.provenance,
                                          legalBasis: m.pointee.legalBasis, level: depth)
                try writeObject(&m.pointee, to: output, depth: depth, leading: 3, encoding: head, kept: &output.metaHead)
            }
        }
    }

    /// A source location, its file (every record read from one file names it) copied from the
    /// record before when it is the same.
    fileprivate static func writeLocation<T>(_ x: inout T, to output: XMLOutput, depth: Int) throws {
        try withUnsafeMutablePointer(to: &x) { p in
            try p.withMemoryRebound(to: SourceLocation.self, capacity: 1) { l in
                guard let file = l.pointee.file else { return try writeObject(SourceLocation.self, &l.pointee, to: output, depth: depth) }
                try writeObject(&l.pointee, to: output, depth: depth, leading: 1, encoding: SourceFileHead(file: file, level: depth),
                                kept: &output.sourceFileHead)
            }
        }
    }

    /// Writes `x`'s members with the XML of its first `count` copied from `kept` when that encodes
    /// `key`, and kept there when not, as `JSONObject.writeJSON(_:to:level:leading:encoding:kept:)`
    /// does: the leading members must always be written (not nil), and `key` must hold everything
    /// their XML depends on (the depth gives the indent).
    private static func writeObject<O: JSONObject, Key: Equatable>(_ x: inout O, to output: XMLOutput, depth: Int, leading count: Int,
                                                                   encoding key: Key, kept: inout (key: Key, bytes: [UInt8])?) throws {
        var members = XMLMemberWriter(output: output, depth: depth)
        let start = output.position, flushes = output.flushes
        // Compared and read where they are kept, as the JSON writer does: binding a copy of the
        // pair counted a reference on its bytes (and key) for every record.
        if kept?.key == key {
            output.replayChildren(kept!.bytes)
            members.skip = count
        } else {
            members.markAfter = count
        }
        try O.members(&members, &x)
        // Leading leaves never reach a list, where the output may go to its sink; were one to,
        // `start` would no longer be in the buffer.
        if let mark = members.mark, output.flushes == flushes { kept = (key, output.written(start..<mark)) }
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

    /// A leaf value, as its `encode(to:)` writes it through `XMLSingleValueEncoding`: the value
    /// types' text (`description` is `writeText(to:)`) written straight into the output.
    @inline(__always)
    static func writeLeaf<T: JSONValue>(_ x: T, to output: XMLOutput) throws {
        if T.self == String.self { return try output.leaf(unsafeBitCast(x, to: String.self), codingPath: []) }
        if T.self == LocalDate.self { return try output.leaf(maxCount: LocalDate.maxTextCount, unsafeBitCast(x, to: LocalDate.self).writeText) }
        if T.self == Timestamp.self { return try output.leaf(maxCount: Timestamp.maxTextCount, unsafeBitCast(x, to: Timestamp.self).writeText) }
        if T.self == Amount.self { return try output.leaf(maxCount: Amount.maxTextCount, unsafeBitCast(x, to: Amount.self).writeText) }
        if T.self == BSN.self { return try output.leaf(unsafeBitCast(x, to: BSN.self).digits, codingPath: []) }
        if T.self == Int.self { return try output.leaf(integer: unsafeBitCast(x, to: Int.self)) }
        try output.leaf(ascii: unsafeBitCast(x, to: Bool.self) ? "true" : "false")
    }
}

// Each kind of value's XML, as `JSONValue.writeXMLContent` and `readXML` ask: `depth` is that of
// the value's own children.

extension JSONValue {
    /// The leaves (`isLeaf`); any other type that came here would be refused, and so written or
    /// read through `Codable`.
    static func writeXMLContent(_ x: inout Self, to output: XMLOutput, depth: Int, key: StaticString?) throws {
        guard XMLDirect.isLeaf(Self.self) else { throw XMLDirectRefusal() }
        try XMLDirect.writeLeaf(x, to: output)
    }

    static func readXML<E: XMLDirectElement>(_ e: E, key: StaticString?) throws -> Self {
        guard XMLDirect.isLeaf(Self.self) else { throw XMLDirectRefusal() }
        return try XMLDirect.readLeaf(Self.self, XMLDirect.leafText(e))
    }
}

extension JSONEnum {
    static func writeXMLContent(_ x: inout Self, to output: XMLOutput, depth: Int, key: StaticString?) throws {
        try output.leaf(x.rawValue, codingPath: [])
    }

    static func readXML<E: XMLDirectElement>(_ e: E, key: StaticString?) throws -> Self {
        guard let v = Self(rawValue: try XMLDirect.leafText(e)) else { throw XMLDirectRefusal() }
        return v
    }
}

extension JSONObject {
    static func writeXMLContent(_ x: inout Self, to output: XMLOutput, depth: Int, key: StaticString?) throws {
        if Self.self == RecordMeta.self { return try XMLDirect.writeMeta(&x, to: output, depth: depth) }
        if Self.self == SourceLocation.self { return try XMLDirect.writeLocation(&x, to: output, depth: depth) }
        try XMLDirect.writeObject(Self.self, &x, to: output, depth: depth)
    }

    static func readXML<E: XMLDirectElement>(_ e: E, key: StaticString?) throws -> Self {
        try XMLDirect.readObject(Self.self, e)
    }
}

extension Array where Element: JSONValue {
    /// A list is a member (`key`), its items named after it (`XMLNames.items`).
    static func writeXMLContent(_ x: inout [Element], to output: XMLOutput, depth: Int, key: StaticString?) throws {
        guard let key, let item = XMLNames.items[key.description] else { throw XMLDirectRefusal() }
        // In place, as `Array.writeJSON` does: the storage is only read through.
        try x.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let elements = UnsafeMutablePointer(mutating: base)
            for i in 0..<buffer.count {
                try XMLDirect.write(&elements[i], name: .text(item), to: output, depth: depth, key: nil)
                try output.flushIfFull()
            }
        }
    }

    static func readXML<E: XMLDirectElement>(_ e: E, key: StaticString?) throws -> [Element] {
        guard let key, var item = XMLNames.items[key.description] else { throw XMLDirectRefusal() }
        var out: [Element] = []
        out.reserveCapacity(try XMLDirect.checkContainer(e))
        try item.withUTF8 { name in
            var p = e.firstPosition
            while let q = p {
                if let c = e.element(at: q) {
                    guard c.hasName(name) else { throw XMLDirectRefusal() }
                    out.append(try XMLDirect.read(Element.self, c, key: nil))
                }
                p = e.position(after: q)
            }
        }
        return out
    }
}

/// Finds each member's element among a container's children, which `checkContainer` passed.
struct XMLMemberReader<E: XMLDirectElement>: JSONMemberVisitor {
    let parent: E
    /// Where the next search starts: members come in declaration order, as they are written.
    var next: E.Position?
    /// Members found, to compare with the elements there are.
    var found = 0

    init(parent: E) {
        self.parent = parent
        next = parent.firstPosition
    }

    /// The child named `key`, looked for from `next` to the end, then from the start to `next`.
    private mutating func find(_ key: StaticString) -> E? {
        let name = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        let start = next
        var p = start
        while let q = p {
            if let e = match(q, name) { return e }
            p = parent.position(after: q)
        }
        p = parent.firstPosition
        while let q = p, q != start {
            if let e = match(q, name) { return e }
            p = parent.position(after: q)
        }
        return nil
    }

    private mutating func match(_ p: E.Position, _ name: UnsafeBufferPointer<UInt8>) -> E? {
        guard let e = parent.element(at: p), e.hasName(name) else { return nil }
        found += 1
        next = parent.position(after: p)
        return e
    }

    mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T) throws {
        guard let e = find(key) else { throw XMLDirectRefusal() }
        value = try XMLDirect.read(T.self, e, key: key)
    }

    mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T?) throws {
        guard let e = find(key) else { value = nil; return }
        value = try XMLDirect.read(T.self, e, key: key)
    }
}

/// Writes each member as a child element, nil optionals left out.
struct XMLMemberWriter: JSONMemberVisitor {
    let output: XMLOutput
    let depth: Int
    /// Leading members already in the output (copied there whole), passed over.
    var skip = 0
    /// After this many members (none when 0), `mark` is set to where the output then ends.
    var markAfter = 0
    var mark: Int?
    private var written = 0

    init(output: XMLOutput, depth: Int) { self.output = output; self.depth = depth }

    mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T) throws {
        if skip > 0 { skip -= 1; return }
        try XMLDirect.write(&value, name: .fixed(key), to: output, depth: depth, key: key)
        written += 1
        if written == markAfter { mark = output.position }
    }

    mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T?) throws {
        if value != nil { try self(key, &value!) }
    }
}

/// The streaming reader's tree; a position is an index into `children`.
extension XMLElementNode: XMLDirectElement {
    var firstPosition: Int? { children.isEmpty ? nil : 0 }
    func position(after p: Int) -> Int? { p + 1 < children.count ? p + 1 : nil }

    func kind(at p: Int) -> XMLNodeView.Kind {
        if case .element = children[p] { .element } else { .text }
    }

    func element(at p: Int) -> XMLElementNode? {
        if case .element(let e) = children[p] { e } else { nil }
    }

    func text(at p: Int) -> String {
        if case .text(let t) = children[p] { t } else { "" }
    }

    func isWhitespace(at p: Int) -> Bool { XMLDirect.isWhitespace(text(at: p).utf8) }
    var hasAttributes: Bool { !attributes.isEmpty }
    var inDossierNamespace: Bool { namespace == XMLNames.namespace }

    /// Byte equality, stricter than `String`'s canonical equivalence: a name that differs only
    /// by normalisation is refused here and judged by the `Codable` path.
    func hasName(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        var s = localName
        return s.withUTF8 { $0.count == name.count && $0.elementsEqual(name) }
    }
}

/// libxml2's tree of a document parsed whole; a position is the child itself.
extension XMLNodeView: XMLDirectElement {
    var firstPosition: XMLNodeView? { firstChild }
    func position(after p: XMLNodeView) -> XMLNodeView? { p.nextSibling }
    func kind(at p: XMLNodeView) -> Kind { p.kind }
    func element(at p: XMLNodeView) -> XMLNodeView? { p.kind == .element ? p : nil }
    func text(at p: XMLNodeView) -> String { p.text }
    func isWhitespace(at p: XMLNodeView) -> Bool { p.withText { XMLDirect.isWhitespace($0) } }

    /// Byte equality with the namespace URI, stricter than the `String` compare of the tree.
    var inDossierNamespace: Bool {
        var uri = XMLNames.namespace
        return uri.withUTF8 { hasNamespace($0) }
    }
}
