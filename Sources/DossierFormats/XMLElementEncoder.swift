import DossierModel
import DossierXML

/// A Swift `Encoder` that writes canonical XML as it goes, so every `Codable` model type has an XML form.
///
/// Each keyed field becomes a child element named as its key, in the order `encode(to:)` writes
/// them (declaration order for synthesised conformances); nil optionals are skipped; lists become
/// a container element holding items named by `XMLNames.items`; single values become text. An
/// encoder stands for one element that its parent has already opened; containers close what they
/// opened once the value has been written, and anything a nested container left open is closed
/// when its parent writes its next field.
struct XMLElementEncoder: Encoder {
    let output: XMLOutput
    /// Open elements while this encoder's element is the innermost one.
    let depth: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(XMLKeyedEncoding<Key>(output: output, depth: depth, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        XMLUnkeyedEncoding(output: output, depth: depth, codingPath: codingPath, itemName: XMLNames.item(in: codingPath))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        XMLSingleValueEncoding(output: output, depth: depth, codingPath: codingPath)
    }

    /// Writes `value` as a child element `name` of this encoder's element and closes it.
    func child(_ name: String, _ value: some Encodable, key: any CodingKey) throws {
        output.close(downTo: depth)
        output.openElement(name)
        try value.encode(to: XMLElementEncoder(output: output, depth: depth + 1, codingPath: codingPath + [key]))
        output.close(downTo: depth)
    }

    /// Opens a child element for a nested container; it is closed by the next sibling or the parent.
    func openChild(_ name: String, key: any CodingKey) -> XMLElementEncoder {
        output.close(downTo: depth)
        output.openElement(name)
        return XMLElementEncoder(output: output, depth: depth + 1, codingPath: codingPath + [key])
    }
}

/// The text form of primitive values; integers in decimal, floats in Swift's shortest round-trip form.
private func text<T: LosslessStringConvertible>(_ value: T) -> String { value.description }

private func text(_ value: Double, _ codingPath: [any CodingKey]) throws -> String {
    guard value.isFinite else {
        throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "XML has no form for a non-finite number"))
    }
    return value.description
}

struct XMLKeyedEncoding<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let output: XMLOutput
    let depth: Int
    let codingPath: [any CodingKey]
    private var element: XMLElementEncoder { XMLElementEncoder(output: output, depth: depth, codingPath: codingPath) }

    init(output: XMLOutput, depth: Int, codingPath: [any CodingKey]) {
        self.output = output; self.depth = depth; self.codingPath = codingPath
    }

    private func leaf(_ value: String, _ key: Key) throws {
        output.close(downTo: depth)
        output.openElement(key.stringValue)
        try output.leaf(value, codingPath: codingPath + [key])
    }

    /// Absence is how XML says nil.
    mutating func encodeNil(forKey key: Key) throws {}
    mutating func encode(_ value: Bool, forKey key: Key) throws { try leaf(value ? "true" : "false", key) }
    mutating func encode(_ value: String, forKey key: Key) throws { try leaf(value, key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try leaf(text(value, codingPath + [key]), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try leaf(text(Double(value), codingPath + [key]), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try leaf(text(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try leaf(text(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try leaf(text(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try leaf(text(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try leaf(text(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try leaf(text(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try leaf(text(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try leaf(text(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try leaf(text(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try leaf(text(value), key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try element.child(key.stringValue, value, key: key) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        element.openChild(key.stringValue, key: key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        element.openChild(key.stringValue, key: key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { element.openChild("super", key: XMLNamedKey("super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { element.openChild(key.stringValue, key: key) }
}

struct XMLUnkeyedEncoding: UnkeyedEncodingContainer, XMLLeafWriting {
    let output: XMLOutput
    let depth: Int
    let codingPath: [any CodingKey]
    /// Nil when the list's key has no entry in `XMLNames.items`: writing an item then fails.
    let itemName: String?
    private(set) var count = 0
    private var element: XMLElementEncoder { XMLElementEncoder(output: output, depth: depth, codingPath: codingPath) }

    init(output: XMLOutput, depth: Int, codingPath: [any CodingKey], itemName: String?) {
        self.output = output; self.depth = depth; self.codingPath = codingPath; self.itemName = itemName
    }

    private mutating func nextItem() throws -> (name: String, key: XMLIndexKey) {
        guard let itemName else {
            throw EncodingError.invalidValue(count, .init(codingPath: codingPath, debugDescription: "list has no XML item name (add it to XMLNames.items)"))
        }
        defer { count += 1 }
        return (itemName, XMLIndexKey(count))
    }

    mutating func leaf(_ value: String) throws {
        let (name, key) = try nextItem()
        output.close(downTo: depth)
        output.openElement(name)
        try output.leaf(value, codingPath: codingPath + [key])
    }

    mutating func encodeNil() throws {
        throw EncodingError.invalidValue(count, .init(codingPath: codingPath, debugDescription: "XML lists cannot hold nil"))
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let (name, key) = try nextItem()
        try element.child(name, value, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        nestedItem().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { nestedItem().unkeyedContainer() }

    /// Opens the next item for a nested container; without an item name the failure is deferred
    /// to the end of the element, since these protocol methods cannot throw.
    private mutating func nestedItem() -> XMLElementEncoder {
        do {
            let (name, key) = try nextItem()
            return element.openChild(name, key: key)
        } catch {
            output.fail(error)
            return element.openChild("item", key: XMLIndexKey(count))
        }
    }

    mutating func superEncoder() -> any Encoder { element.openChild("super", key: XMLNamedKey("super")) }
}

struct XMLSingleValueEncoding: SingleValueEncodingContainer, XMLLeafWriting {
    let output: XMLOutput
    let depth: Int
    let codingPath: [any CodingKey]

    func leaf(_ value: String) throws {
        guard output.depth == depth else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "a single value after other content"))
        }
        try output.leaf(value, codingPath: codingPath)
    }

    mutating func encodeNil() throws {
        throw EncodingError.invalidValue(0, .init(codingPath: codingPath, debugDescription: "nil can only be written as an absent field"))
    }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try value.encode(to: XMLElementEncoder(output: output, depth: depth, codingPath: codingPath))
    }
}

/// Unkeyed and single-value containers write every primitive as one text leaf; the conversions
/// live here once instead of in each container.
protocol XMLLeafWriting {
    var codingPath: [any CodingKey] { get }
    mutating func leaf(_ value: String) throws
}

extension XMLLeafWriting {
    mutating func encode(_ value: Bool) throws { try leaf(value ? "true" : "false") }
    mutating func encode(_ value: String) throws { try leaf(value) }
    mutating func encode(_ value: Double) throws { try leaf(text(value, codingPath)) }
    mutating func encode(_ value: Float) throws { try leaf(text(Double(value), codingPath)) }
    mutating func encode(_ value: Int) throws { try leaf(text(value)) }
    mutating func encode(_ value: Int8) throws { try leaf(text(value)) }
    mutating func encode(_ value: Int16) throws { try leaf(text(value)) }
    mutating func encode(_ value: Int32) throws { try leaf(text(value)) }
    mutating func encode(_ value: Int64) throws { try leaf(text(value)) }
    mutating func encode(_ value: UInt) throws { try leaf(text(value)) }
    mutating func encode(_ value: UInt8) throws { try leaf(text(value)) }
    mutating func encode(_ value: UInt16) throws { try leaf(text(value)) }
    mutating func encode(_ value: UInt32) throws { try leaf(text(value)) }
    mutating func encode(_ value: UInt64) throws { try leaf(text(value)) }
}
