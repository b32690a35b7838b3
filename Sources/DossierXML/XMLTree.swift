/// An element of a parsed document as plain Swift values, so no libxml2 pointer leaves this module.
///
/// Both the in-memory parser and the streaming reader produce this shape, so one decoder serves
/// both. Comments and processing instructions are dropped; text and CDATA become text.
public struct XMLElementNode: Hashable, Sendable {
    public var localName: String
    /// Namespace URI, nil for an element in no namespace.
    public var namespace: String?
    /// Attributes in document order, without namespace declarations.
    public var attributes: [XMLAttribute]
    public var children: [XMLContent]
    /// Line of the start tag, for error messages.
    public var line: Int

    public init(localName: String, namespace: String?, attributes: [XMLAttribute] = [],
                children: [XMLContent] = [], line: Int) {
        self.localName = localName; self.namespace = namespace; self.attributes = attributes
        self.children = children; self.line = line
    }

    /// The element children, skipping text.
    public var elements: [XMLElementNode] {
        children.compactMap { if case .element(let e) = $0 { e } else { nil } }
    }

    /// All text children joined; the value of a leaf element.
    public var text: String {
        children.reduce(into: "") { if case .text(let t) = $1 { $0 += t } }
    }
}

public struct XMLAttribute: Hashable, Sendable {
    public var localName: String
    public var namespace: String?
    public var value: String

    public init(localName: String, namespace: String?, value: String) {
        self.localName = localName; self.namespace = namespace; self.value = value
    }
}

public enum XMLContent: Hashable, Sendable {
    case element(XMLElementNode)
    case text(String)
}
