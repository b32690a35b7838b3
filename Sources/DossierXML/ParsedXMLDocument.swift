internal import CLibXML2
import DossierModel

/// A whole document parsed from memory under reliability.md §2's rules, owning its libxml2 tree.
///
/// Memory only (never `xmlReadFile`, which follows paths and may gunzip), after `InputScreen` has
/// passed every byte, with `XML_PARSE_NONET`, the deny-all entity loader, and errors collected
/// for this context alone. Any libxml2 error fails the parse: there is no recovery mode.
public final class ParsedXMLDocument {
    let doc: xmlDocPtr
    public let file: String?

    private init(doc: xmlDocPtr, file: String?) {
        self.doc = doc
        self.file = file
    }

    deinit { xmlFreeDoc(doc) }

    /// Parses `bytes`; `file` only labels errors. Throws `DossierError` with an `XMLErrorCode`.
    public static func parse(_ bytes: [UInt8], file: String?, limits: XMLLimits = .document) throws -> ParsedXMLDocument {
        var screen = InputScreen(limits: limits, file: file)
        try bytes.withUnsafeBytes { try screen.screen($0) }
        try screen.finish()
        guard !bytes.isEmpty, bytes.count <= Int(Int32.max) else {
            throw DossierError(bytes.isEmpty ? XMLErrorCode.malformed : XMLErrorCode.limit,
                               bytes.isEmpty ? "empty document" : "document is larger than 2 GiB", at: SourceLocation(file: file))
        }
        let errors = LibXML2Errors(file: file)
        let doc: xmlDocPtr = try LibXML2.withSafeLoader {
            try bytes.withUnsafeBytes { raw in
                // xmlCreateMemoryParserCtxt + xmlParseDocument rather than xmlCtxtReadMemory, which
                // resets the context and would drop the error hook installed below.
                guard let ctxt = xmlCreateMemoryParserCtxt(raw.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(raw.count)) else {
                    throw DossierError(XMLErrorCode.malformed, "xmlCreateMemoryParserCtxt failed", at: SourceLocation(file: file))
                }
                defer { xmlFreeParserCtxt(ctxt) }
                ctxt.pointee._private = errors.opaque
                ctxt.pointee.sax.pointee.serror = collectParserErrors
                xmlCtxtUseOptions(ctxt, LibXML2.documentOptions)
                _ = xmlParseDocument(ctxt)
                guard let doc = ctxt.pointee.myDoc else { throw errors.failure("xmlParseDocument") }
                if ctxt.pointee.wellFormed == 0 || errors.hasErrors {
                    xmlFreeDoc(doc)
                    throw errors.failure("xmlParseDocument")
                }
                return doc
            }
        }
        return ParsedXMLDocument(doc: doc, file: file)
    }

    /// The root element as Swift values.
    public func root() throws -> XMLElementNode {
        guard let root = xmlDocGetRootElement(doc) else {
            throw DossierError(XMLErrorCode.malformed, "document has no root element", at: SourceLocation(file: file))
        }
        var namespaces = NamespaceStrings()
        return try element(root, &namespaces)
    }

    private func element(_ node: xmlNodePtr, _ namespaces: inout NamespaceStrings) throws -> XMLElementNode {
        var result = XMLElementNode(localName: String(cString: node.pointee.name), namespace: namespaces.string(node.pointee.ns?.pointee.href),
                                    line: Int(xmlGetLineNo(node)))
        var attribute = node.pointee.properties
        while let a = attribute {
            let value = xmlNodeListGetString(doc, a.pointee.children, 1)
            defer { CLibXML2_xmlFree(value) }
            result.attributes.append(XMLAttribute(localName: String(cString: a.pointee.name), namespace: namespaces.string(a.pointee.ns?.pointee.href),
                                                  value: LibXML2.string(value) ?? ""))
            attribute = a.pointee.next
        }
        var child = node.pointee.children
        while let c = child {
            switch c.pointee.type {
            case XML_ELEMENT_NODE: result.children.append(.element(try element(c, &namespaces)))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE: result.children.append(.text(LibXML2.string(c.pointee.content) ?? ""))
            case XML_ENTITY_REF_NODE, XML_ENTITY_NODE:
                throw DossierError(XMLErrorCode.entity, "entity reference in the document", at: SourceLocation(file: file, line: Int(xmlGetLineNo(c))))
            default: break
            }
            child = c.pointee.next
        }
        return result
    }
}
