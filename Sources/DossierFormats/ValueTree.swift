import DossierModel

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
        let root = TreeNode()
        try value.encode(to: TreeEncoder(node: root, codingPath: []))
        return root.tree
    }
}

/// A node under construction; containers hold references so nested writes land in place.
private final class TreeNode {
    enum Kind { case empty, scalar(String), object([(String, TreeNode)]), array([TreeNode]) }
    var kind = Kind.empty

    var tree: ValueTree {
        switch kind {
        case .empty: .object([])
        case .scalar(let s): .scalar(s)
        case .object(let fields): .object(fields.map { ($0.0, $0.1.tree) })
        case .array(let items): .array(items.map(\.tree))
        }
    }

    /// Adds a child under `key` (object) or at the end (array), making this node that kind first.
    func child(_ key: String?) -> TreeNode {
        let c = TreeNode()
        if let key {
            if case .object(var f) = kind { f.append((key, c)); kind = .object(f) } else { kind = .object([(key, c)]) }
        } else {
            if case .array(var a) = kind { a.append(c); kind = .array(a) } else { kind = .array([c]) }
        }
        return c
    }
}

private struct TreeEncoder: Encoder {
    let node: TreeNode
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.kind {} else { node.kind = .object([]) }
        return KeyedEncodingContainer(Keyed<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.kind {} else { node.kind = .array([]) }
        return Unkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(node: node, codingPath: codingPath) }

    static func encode(_ value: some Encodable, into node: TreeNode, path: [any CodingKey]) throws {
        switch value {
        case let s as String: node.kind = .scalar(s)
        case let b as Bool: node.kind = .scalar(b ? "true" : "false")
        case let i as Int: node.kind = .scalar(String(i))
        default: try value.encode(to: TreeEncoder(node: node, codingPath: path))
        }
    }

    struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: TreeNode
        var codingPath: [any CodingKey]
        mutating func encodeNil(forKey key: Key) throws {}
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            try TreeEncoder.encode(value, into: node.child(key.stringValue), path: codingPath + [key])
        }
        mutating func nestedContainer<N: CodingKey>(keyedBy: N.Type, forKey key: Key) -> KeyedEncodingContainer<N> {
            TreeEncoder(node: node.child(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: N.self)
        }
        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            TreeEncoder(node: node.child(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.child("super"), codingPath: codingPath) }
        mutating func superEncoder(forKey key: Key) -> any Encoder {
            TreeEncoder(node: node.child(key.stringValue), codingPath: codingPath + [key])
        }
    }

    struct Unkeyed: UnkeyedEncodingContainer {
        let node: TreeNode
        var codingPath: [any CodingKey]
        var count: Int { if case .array(let a) = node.kind { a.count } else { 0 } }
        mutating func encodeNil() throws {}
        mutating func encode<T: Encodable>(_ value: T) throws {
            try TreeEncoder.encode(value, into: node.child(nil), path: codingPath)
        }
        mutating func nestedContainer<N: CodingKey>(keyedBy: N.Type) -> KeyedEncodingContainer<N> {
            TreeEncoder(node: node.child(nil), codingPath: codingPath).container(keyedBy: N.self)
        }
        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            TreeEncoder(node: node.child(nil), codingPath: codingPath).unkeyedContainer()
        }
        mutating func superEncoder() -> any Encoder { TreeEncoder(node: node.child(nil), codingPath: codingPath) }
    }

    struct Single: SingleValueEncodingContainer {
        let node: TreeNode
        var codingPath: [any CodingKey]
        mutating func encodeNil() throws {}
        mutating func encode<T: Encodable>(_ value: T) throws { try TreeEncoder.encode(value, into: node, path: codingPath) }
    }
}
