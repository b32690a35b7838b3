import DossierModel
import DossierXML

/// A strict Swift `Decoder` over a parsed element tree: the inverse of `XMLElementEncoder`.
///
/// Strict because an element the model does not know would otherwise be dropped without a word:
/// unknown, duplicated or foreign-namespace elements, attributes, and stray text are errors that
/// name the element path and line. Values that do not parse (a date, an enumeration) are errors
/// at the element's line; messages never quote the value.
struct XMLElementDecoder: Decoder {
    let element: XMLElementNode
    let file: String?
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(try XMLKeyedDecoding<Key>(self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { try XMLUnkeyedDecoding(self) }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        try checkNoAttributes()
        if let child = element.elements.first {
            throw failure(XMLErrorCode.unknownElement, "element <\(child.shownName)> where a value is expected", at: child, codingPath + [XMLNamedKey(child.shownName)])
        }
        return XMLSingleValueDecoding(decoder: self)
    }

    /// Decodes `type` from `child`, turning a model type's `DecodingError` into a located error.
    func decode<T: Decodable>(_ type: T.Type, from child: XMLElementNode, key: any CodingKey) throws -> T {
        let path = codingPath + [key]
        do {
            return try T(from: XMLElementDecoder(element: child, file: file, codingPath: path))
        } catch is DecodingError {
            // Not the error's own description: the standard library's enum decoding quotes the value.
            throw failure(XMLErrorCode.value, "<\(child.shownName)> is not a valid \(T.self)", at: child, path)
        }
    }

    func failure(_ code: String, _ message: String, at element: XMLElementNode? = nil, _ path: [any CodingKey]? = nil) -> DossierError {
        DossierError(code, message, at: SourceLocation(file: file, line: (element ?? self.element).line), path: XMLNames.path(path ?? codingPath))
    }

    /// The elements of a container: in the dossier namespace, with only whitespace between them.
    func childElements() throws -> [XMLElementNode] {
        try checkNoAttributes()
        var result: [XMLElementNode] = []
        for child in element.children {
            switch child {
            case .text(let text):
                if !text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
                    throw failure(XMLErrorCode.unexpectedContent, "text inside <\(element.shownName)>, which holds only elements")
                }
            case .element(let e):
                guard e.namespace == XMLNames.namespace else {
                    throw failure(XMLErrorCode.unknownElement, "element <\(e.shownName)> is not in namespace \(XMLNames.namespace)", at: e, codingPath + [XMLNamedKey(e.shownName)])
                }
                result.append(e)
            }
        }
        return result
    }

    private func checkNoAttributes() throws {
        if let a = element.attributes.first {
            throw failure(XMLErrorCode.unexpectedContent, "unexpected attribute '\(a.shownName)' on <\(element.shownName)>")
        }
    }
}

struct XMLKeyedDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: XMLElementDecoder
    /// Field elements in document order. A linear search beats hashing for the twenty-odd fields a
    /// record has, and cannot grow: an unknown or repeated name fails at once.
    private let fields: [XMLElementNode]
    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { fields.compactMap { Key(stringValue: $0.localName) } }

    init(_ decoder: XMLElementDecoder) throws {
        self.decoder = decoder
        var fields: [XMLElementNode] = []
        for e in try decoder.childElements() {
            let path = decoder.codingPath + [XMLNamedKey(e.shownName)]
            guard Key(stringValue: e.localName) != nil else {
                throw decoder.failure(XMLErrorCode.unknownElement, "unknown element <\(e.shownName)> in <\(decoder.element.shownName)>", at: e, path)
            }
            guard !fields.contains(where: { $0.localName == e.localName }) else {
                throw decoder.failure(XMLErrorCode.duplicateElement, "element <\(e.shownName)> appears more than once", at: e, path)
            }
            fields.append(e)
        }
        self.fields = fields
    }

    private func find(_ key: Key) -> XMLElementNode? {
        let name = key.stringValue
        return fields.first { $0.localName == name }
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { find(key) == nil }

    private func field(_ key: Key) throws -> XMLElementNode {
        guard let e = find(key) else {
            throw decoder.failure(XMLErrorCode.missingElement, "missing element <\(key.stringValue)> in <\(decoder.element.shownName)>", decoder.codingPath + [key])
        }
        return e
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.decode(type, from: try field(key), key: key)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.decode(type, from: try field(key), key: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.decode(type, from: try field(key), key: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.decode(type, from: try field(key), key: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decoder.decode(type, from: try field(key), key: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.decode(type, from: try field(key), key: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder.decode(type, from: try field(key), key: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder.decode(type, from: try field(key), key: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder.decode(type, from: try field(key), key: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.decode(type, from: try field(key), key: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder.decode(type, from: try field(key), key: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder.decode(type, from: try field(key), key: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder.decode(type, from: try field(key), key: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder.decode(type, from: try field(key), key: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder.decode(type, from: try field(key), key: key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try XMLElementDecoder(element: try field(key), file: decoder.file, codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try XMLElementDecoder(element: try field(key), file: decoder.file, codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        guard let e = fields.first(where: { $0.localName == "super" }) else { throw decoder.failure(XMLErrorCode.missingElement, "missing element <super>") }
        return XMLElementDecoder(element: e, file: decoder.file, codingPath: codingPath + [XMLNamedKey("super")])
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        XMLElementDecoder(element: try field(key), file: decoder.file, codingPath: codingPath + [key])
    }
}

struct XMLUnkeyedDecoding: UnkeyedDecodingContainer {
    let decoder: XMLElementDecoder
    private let items: [XMLElementNode]
    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }
    private(set) var currentIndex = 0

    init(_ decoder: XMLElementDecoder) throws {
        self.decoder = decoder
        let elements = try decoder.childElements()
        guard let itemName = XMLNames.item(in: decoder.codingPath) else {
            throw decoder.failure(XMLErrorCode.unknownElement, "<\(decoder.element.shownName)> is not a list in this format")
        }
        for (i, e) in elements.enumerated() where e.localName != itemName {
            throw decoder.failure(XMLErrorCode.unknownElement, "unknown element <\(e.shownName)> in <\(decoder.element.shownName)> (items are <\(itemName)>)",
                                  at: e, decoder.codingPath + [XMLIndexKey(i)])
        }
        items = elements
    }

    private mutating func next() throws -> (XMLElementNode, XMLIndexKey) {
        guard !isAtEnd else {
            throw decoder.failure(XMLErrorCode.missingElement, "list <\(decoder.element.shownName)> has fewer items than expected")
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], XMLIndexKey(currentIndex))
    }

    mutating func decodeNil() throws -> Bool { false }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (e, key) = try next()
        return try decoder.decode(type, from: e, key: key)
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { let (e, k) = try next(); return try decoder.decode(type, from: e, key: k) }
    mutating func decode(_ type: String.Type) throws -> String { let (e, k) = try next(); return try decoder.decode(type, from: e, key: k) }
    mutating func decode(_ type: Double.Type) throws -> Double { let (e, k) = try next(); return try decoder.decode(type, from: e, key: k) }
    mutating func decode(_ type: Float.Type) throws -> Float { let (e, k) = try next(); return try decoder.decode(type, from: e, key: k) }
    mutating func decode(_ type: Int.Type) throws -> Int { let (e, k) = try next(); return try decoder.decode(type, from: e, key: k) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { let (e, k) = try next(); return try decoder.decode(type, from: e, key: k) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { let (e, k) = try next(); return try decoder.decode(type, from: e, key: k) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { let (e, k) = try next(); return try decoder.decode(type, from: e, key: k) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { let (e, k) = try next(); return try decoder.decode(type, from: e, key: k) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { let (e, k) = try next(); return try decoder.decode(type, from: e, key: k) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { let (e, k) = try next(); return try decoder.decode(type, from: e, key: k) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { let (e, k) = try next(); return try decoder.decode(type, from: e, key: k) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { let (e, k) = try next(); return try decoder.decode(type, from: e, key: k) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { let (e, k) = try next(); return try decoder.decode(type, from: e, key: k) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (e, key) = try next()
        return try XMLElementDecoder(element: e, file: decoder.file, codingPath: codingPath + [key]).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (e, key) = try next()
        return try XMLElementDecoder(element: e, file: decoder.file, codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (e, key) = try next()
        return XMLElementDecoder(element: e, file: decoder.file, codingPath: codingPath + [key])
    }
}

struct XMLSingleValueDecoding: SingleValueDecodingContainer {
    let decoder: XMLElementDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }
    private var text: String { decoder.element.text }

    /// An element that is present is never nil; nil is written as absence.
    func decodeNil() -> Bool { false }

    func decode(_ type: Bool.Type) throws -> Bool {
        switch text {
        case "true": return true
        case "false": return false
        default: throw DecodingError.dataCorruptedError(in: self, debugDescription: "not 'true' or 'false'")
        }
    }

    func decode(_ type: String.Type) throws -> String { text }
    func decode(_ type: Double.Type) throws -> Double { try floatingPoint(type) }
    func decode(_ type: Float.Type) throws -> Float { try floatingPoint(type) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: decoder) }

    /// Only the canonical decimal form the writer produces: no sign on positives, no leading zeros.
    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let v = T(text), v.description == text else {
            throw DecodingError.dataCorruptedError(in: self, debugDescription: "not a canonical \(T.self)")
        }
        return v
    }

    private func floatingPoint<T: BinaryFloatingPoint & LosslessStringConvertible>(_ type: T.Type) throws -> T {
        guard let v = T(text), v.isFinite else {
            throw DecodingError.dataCorruptedError(in: self, debugDescription: "not a finite \(T.self)")
        }
        return v
    }
}

/// Element and attribute names as messages show them: a name in a hostile or damaged file can be
/// long, or be a record's value, so it goes through `Diagnostic.shownName`.
protocol XMLNamed { var localName: String { get } }
extension XMLNamed { var shownName: String { Diagnostic.shownName(localName) } }
extension XMLElementNode: XMLNamed {}
extension XMLAttribute: XMLNamed {}
extension XMLStartTag: XMLNamed {}
