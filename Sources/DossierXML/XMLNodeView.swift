internal import CLibXML2

/// One node of a `ParsedXMLDocument`'s libxml2 tree, borrowed, for a reader that walks the parsed
/// tree itself instead of the `XMLElementNode` copy that `root()` builds.
///
/// Valid only inside `ParsedXMLDocument.withRoot`'s closure, which keeps the document alive: never
/// store it or let it escape. It offers only what a strict reader needs (kind, name and namespace
/// compared as bytes, whether there are attributes, text) and no C type. It says what `root()`
/// would say, or less: its kinds are the tree's, and whatever `root()` would not build silently
/// (an entity reference, any node type other than element, text, CDATA, comment or PI) is `other`,
/// which a reader refuses, so that `root()` reports it.
public struct XMLNodeView: Equatable {
    private let raw: UnsafeMutableRawPointer

    init(_ node: xmlNodePtr) { raw = UnsafeMutableRawPointer(node) }

    private var node: xmlNodePtr { raw.assumingMemoryBound(to: xmlNode.self) }

    public enum Kind: Equatable {
        case element
        /// Text or CDATA: `root()` makes both `XMLContent.text`.
        case text
        /// A comment or processing instruction, which `root()` drops.
        case ignorable
        case other
    }

    public var kind: Kind {
        switch node.pointee.type {
        case XML_ELEMENT_NODE: .element
        case XML_TEXT_NODE, XML_CDATA_SECTION_NODE: .text
        case XML_COMMENT_NODE, XML_PI_NODE: .ignorable
        default: .other
        }
    }

    /// The first child of any kind (attributes are not children).
    public var firstChild: XMLNodeView? { node.pointee.children.map(XMLNodeView.init) }

    /// The next sibling of any kind.
    public var nextSibling: XMLNodeView? { node.pointee.next.map(XMLNodeView.init) }

    /// Whether an element has attributes; namespace declarations are not attributes.
    public var hasAttributes: Bool { node.pointee.properties != nil }

    /// Whether an element's local name is exactly `name`, byte for byte.
    public func hasName(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        LibXML2.equal(node.pointee.name, name)
    }

    /// Whether an element's namespace URI is exactly `uri`, byte for byte; false in no namespace.
    public func hasNamespace(_ uri: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let ns = node.pointee.ns else { return false }
        return LibXML2.equal(ns.pointee.href, uri)
    }

    /// The bytes of a text or CDATA node (UTF-8, as libxml2 keeps them), valid only inside `body`.
    public func withText<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        guard let content = node.pointee.content else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: content, count: Int(xmlStrlen(content))))
    }

    /// A text or CDATA node's text, as `root()` makes it.
    public var text: String { LibXML2.string(node.pointee.content) ?? "" }
}

extension ParsedXMLDocument {
    /// The root element as a borrowed view, valid only inside `body` (nil when there is none, which
    /// `root()` reports).
    public func withRoot<R>(_ body: (XMLNodeView?) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(xmlDocGetRootElement(doc).map(XMLNodeView.init)) }
    }
}
