public import DossierModel

/// A model value as an ordered tree of fields, for writers that show every field generically.
///
/// The access copy must show *all* data about the client; walking the Codable representation
/// means a field added to the model appears in the copy without anyone remembering to add it.
package indirect enum ValueTree: Hashable, Sendable {
    case scalar(String)
    case object([(key: String, value: ValueTree)])
    case array([ValueTree])

    package static func == (a: ValueTree, b: ValueTree) -> Bool {
        switch (a, b) {
        case let (.scalar(x), .scalar(y)): x == y
        case let (.array(x), .array(y)): x == y
        case let (.object(x), .object(y)): x.map(\.key) == y.map(\.key) && x.map(\.value) == y.map(\.value)
        default: false
        }
    }

    package func hash(into h: inout Hasher) {
        switch self {
        case .scalar(let s): h.combine(s)
        case .array(let a): h.combine(a)
        case .object(let o): for (k, v) in o { h.combine(k); h.combine(v) }
        }
    }

    package static func of(_ value: some Encodable) throws -> ValueTree {
        let e = TreeEncoder(codingPath: [])
        try value.encode(to: e)
        return e.box.tree
    }
}

/// Collects what a value encodes; containers share boxes so nested writes land in place.
private final class TreeBox {
    var tree: ValueTree = .object([])
    var scalar: String? { if case .scalar(let s) = tree { s } else { nil } }
}

private struct TreeEncoder: Encoder {
    let box = TreeBox()
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = box.tree {} else { box.tree = .object([]) }
        return KeyedEncodingContainer(Keyed<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        box.tree = .array([])
        return Unkeyed(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(box: box, codingPath: codingPath) }

    static func encode(_ value: some Encodable, path: [any CodingKey]) throws -> ValueTree {
        switch value {
        case let s as String: return .scalar(s)
        case let b as Bool: return .scalar(b ? "true" : "false")
        case let i as Int: return .scalar(String(i))
        case let i as Int64: return .scalar(String(i))
        default:
            let e = TreeEncoder(codingPath: path)
            try value.encode(to: e)
            return e.box.tree
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let box: TreeBox
        var codingPath: [any CodingKey]
        mutating func append(_ key: Key, _ v: ValueTree) {
            guard case .object(var fields) = box.tree else { return }
            fields.append((key.stringValue, v))
            box.tree = .object(fields)
        }
        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            append(key, try TreeEncoder.encode(value, path: codingPath + [key]))
        }
        mutating func nestedContainer<N: CodingKey>(keyedBy: N.Type, forKey key: Key) -> KeyedEncodingContainer<N> {
            fatalError("not used by the model")
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { fatalError("not used by the model") }
        mutating func superEncoder() -> any Encoder { fatalError("not used by the model") }
        mutating func superEncoder(forKey key: Key) -> any Encoder { fatalError("not used by the model") }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let box: TreeBox
        var codingPath: [any CodingKey]
        var count: Int { if case .array(let a) = box.tree { a.count } else { 0 } }
        mutating func encodeNil() throws {}
        mutating func encode<T: Encodable>(_ value: T) throws {
            guard case .array(var items) = box.tree else { return }
            items.append(try TreeEncoder.encode(value, path: codingPath))
            box.tree = .array(items)
        }
        mutating func nestedContainer<N: CodingKey>(keyedBy: N.Type) -> KeyedEncodingContainer<N> { fatalError("not used by the model") }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { fatalError("not used by the model") }
        mutating func superEncoder() -> any Encoder { fatalError("not used by the model") }
    }

    struct Single: SingleValueEncodingContainer {
        let box: TreeBox
        var codingPath: [any CodingKey]
        mutating func encodeNil() throws {}
        mutating func encode<T: Encodable>(_ value: T) throws { box.tree = try TreeEncoder.encode(value, path: codingPath) }
        mutating func encode(_ value: String) throws { box.tree = .scalar(value) }
        mutating func encode(_ value: Bool) throws { box.tree = .scalar(value ? "true" : "false") }
        mutating func encode(_ value: Int) throws { box.tree = .scalar(String(value)) }
    }
}
