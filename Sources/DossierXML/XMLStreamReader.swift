internal import CLibXML2
public import DossierIO
public import DossierModel

/// One step of a streamed document. Empty elements produce a start and an end, like any other.
public enum XMLEvent: Hashable, Sendable {
    case start(XMLStartTag)
    /// Text, CDATA or whitespace between tags, exactly as in the document.
    case text(String)
    case end(localName: String, namespace: String?)
}

public struct XMLStartTag: Hashable, Sendable {
    public var localName: String
    public var namespace: String?
    /// Attributes in document order, without namespace declarations.
    public var attributes: [XMLAttribute]
    public var line: Int

    public init(localName: String, namespace: String?, attributes: [XMLAttribute], line: Int) {
        self.localName = localName; self.namespace = namespace; self.attributes = attributes; self.line = line
    }
}

/// Reads a document of any size as events, with the same safety rules as `ParsedXMLDocument`.
///
/// Built on `xmlReaderForIO` with a read callback over a `ByteReader`, so libxml2 pulls bytes as it
/// needs them and frees nodes behind the cursor: memory stays flat for a multi-GB file. Every byte
/// passes `InputScreen` on its way in, so a DOCTYPE, bad UTF-8 or an over-limit tag fails before
/// libxml2 parses it. Line numbers come from the node; past line 65,535 (where libxml2 2.9.14 stops
/// counting per node) they are the parser's current line, which can be a few lines ahead.
public final class XMLStreamReader {
    public let file: String
    public let limits: XMLLimits
    private let input: StreamInput
    private let errors: LibXML2Errors
    private let reader: xmlTextReaderPtr
    /// Kept alive while libxml2 validates against it.
    private let schema: XMLSchema?
    private var queuedEnd: XMLEvent?
    private var sawRoot = false
    private var namespaces = NamespaceStrings()

    /// Local names of the open elements, outermost first, including one just started and not
    /// one just ended: the path a source adapter addresses fields by (`/export/client/naam`).
    public private(set) var openElements: [String] = []

    /// Opens `path`, or standard input for `-`.
    public convenience init(path: String, limits: XMLLimits = .stream, schema: XMLSchema? = nil) throws {
        try self.init(input: try ByteReader(path: path), limits: limits, schema: schema)
    }

    /// With a `schema`, the document is validated as it streams (`xmlTextReaderSetSchema`);
    /// violations do not stop reading and collect in `schemaViolations`.
    public init(input source: ByteReader, limits: XMLLimits = .stream, schema: XMLSchema? = nil) throws {
        file = source.path
        self.limits = limits
        self.schema = schema
        input = StreamInput(source: source, screen: InputScreen(limits: limits, file: source.path))
        errors = LibXML2Errors(file: source.path)
        LibXML2.acquire()
        guard let reader = xmlReaderForIO(streamRead, nil, input.opaque, nil, nil, LibXML2.readerOptions) else {
            LibXML2.release()
            throw input.failure ?? DossierError(XMLErrorCode.io, "xmlReaderForIO failed", at: SourceLocation(file: source.path))
        }
        self.reader = reader
        xmlTextReaderSetStructuredErrorHandler(reader, collectErrors, errors.opaque)
        if let schema, xmlTextReaderSetSchema(reader, schema.schema) != 0 {
            throw DossierError(XMLErrorCode.schemaInvalid, "xmlTextReaderSetSchema failed", at: SourceLocation(file: file))
        }
    }

    /// Schema violations found so far, each with line and reason; empty without a schema.
    public var schemaViolations: [Diagnostic] { errors.schemaViolations("xmlTextReaderRead") }

    deinit {
        xmlFreeTextReader(reader)
        LibXML2.release()
    }

    /// The line of the current node.
    public var line: Int {
        if let node = xmlTextReaderCurrentNode(reader) {
            let l = xmlGetLineNo(node)
            if l > 0 && l < 65535 { return Int(l) }
        }
        return Int(xmlTextReaderGetParserLineNumber(reader))
    }

    /// The next event, or nil at the end of a well-formed document.
    public func next() throws -> XMLEvent? {
        if let end = queuedEnd {
            queuedEnd = nil
            openElements.removeLast()
            return end
        }
        while true {
            let rc = xmlTextReaderRead(reader)
            if let failure = input.failure { throw failure }
            if rc < 0 || errors.hasErrors { throw errors.failure("xmlTextReaderRead") }
            if rc == 0 {
                guard sawRoot else { throw DossierError(XMLErrorCode.malformed, "document has no root element", at: SourceLocation(file: file)) }
                return nil
            }
            switch UInt32(xmlTextReaderNodeType(reader)) {
            case XML_READER_TYPE_ELEMENT.rawValue:
                sawRoot = true
                let tag = startTag()
                openElements.append(tag.localName)
                if xmlTextReaderIsEmptyElement(reader) == 1 { queuedEnd = .end(localName: tag.localName, namespace: tag.namespace) }
                return .start(tag)
            case XML_READER_TYPE_END_ELEMENT.rawValue:
                openElements.removeLast()
                return .end(localName: LibXML2.string(xmlTextReaderConstLocalName(reader)) ?? "",
                            namespace: namespaces.string(xmlTextReaderConstNamespaceUri(reader)))
            case XML_READER_TYPE_TEXT.rawValue, XML_READER_TYPE_CDATA.rawValue,
                 XML_READER_TYPE_WHITESPACE.rawValue, XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue:
                return .text(LibXML2.string(xmlTextReaderConstValue(reader)) ?? "")
            case XML_READER_TYPE_DOCUMENT_TYPE.rawValue, XML_READER_TYPE_NOTATION.rawValue:
                throw DossierError(XMLErrorCode.doctype, "DOCTYPE: DTDs are not accepted", at: SourceLocation(file: file, line: line))
            case XML_READER_TYPE_ENTITY_REFERENCE.rawValue, XML_READER_TYPE_ENTITY.rawValue:
                throw DossierError(XMLErrorCode.entity, "entity reference in the document", at: SourceLocation(file: file, line: line))
            default:
                continue  // comments, processing instructions, the XML declaration
            }
        }
    }

    private func startTag() -> XMLStartTag {
        var tag = XMLStartTag(localName: LibXML2.string(xmlTextReaderConstLocalName(reader)) ?? "",
                              namespace: namespaces.string(xmlTextReaderConstNamespaceUri(reader)), attributes: [], line: line)
        if xmlTextReaderHasAttributes(reader) == 1 {
            while xmlTextReaderMoveToNextAttribute(reader) == 1 {
                if xmlTextReaderIsNamespaceDecl(reader) == 1 { continue }
                tag.attributes.append(XMLAttribute(localName: LibXML2.string(xmlTextReaderConstLocalName(reader)) ?? "",
                                                   namespace: namespaces.string(xmlTextReaderConstNamespaceUri(reader)),
                                                   value: LibXML2.string(xmlTextReaderConstValue(reader)) ?? ""))
            }
            xmlTextReaderMoveToElement(reader)
        }
        return tag
    }

    /// Reads the rest of the element `start` opened (the event just returned by `next`) into memory,
    /// consuming its end; for callers that take a large document one record at a time.
    public func readElement(_ start: XMLStartTag) throws -> XMLElementNode {
        var stack = [XMLElementNode(localName: start.localName, namespace: start.namespace, attributes: start.attributes, line: start.line)]
        var nodes = 1
        while let event = try next() {
            nodes += 1
            if nodes > limits.maxSubtreeNodes {
                throw DossierError(XMLErrorCode.limit, "element has more than \(limits.maxSubtreeNodes) nodes",
                                   at: SourceLocation(file: file, line: start.line))
            }
            switch event {
            case .start(let tag):
                stack.append(XMLElementNode(localName: tag.localName, namespace: tag.namespace, attributes: tag.attributes, line: tag.line))
            case .text(let text):
                stack[stack.count - 1].children.append(.text(text))
            case .end:
                let done = stack.removeLast()
                if stack.isEmpty { return done }
                stack[stack.count - 1].children.append(.element(done))
            }
        }
        throw DossierError(XMLErrorCode.malformed, "input ends inside an element", at: SourceLocation(file: file, line: start.line))
    }
}

/// The bytes libxml2 pulls through `streamRead`: screened on the way, the first failure kept so the
/// reader can throw it rather than libxml2's generic I/O error.
private final class StreamInput {
    let source: ByteReader
    var screen: InputScreen
    var chunk = UnsafeRawBufferPointer(start: nil, count: 0)
    var failure: (any Error)?

    init(source: ByteReader, screen: InputScreen) {
        self.source = source
        self.screen = screen
    }

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int32 {
        guard failure == nil else { return -1 }
        do {
            if chunk.isEmpty {
                guard let next = try source.nextChunk() else {
                    try screen.finish()
                    return 0
                }
                chunk = next
            }
            let part = UnsafeRawBufferPointer(rebasing: chunk[0..<min(capacity, chunk.count)])
            try screen.screen(part)
            UnsafeMutableRawPointer(buffer).copyMemory(from: part.baseAddress!, byteCount: part.count)
            chunk = UnsafeRawBufferPointer(rebasing: chunk[part.count...])
            return Int32(part.count)
        } catch {
            failure = error
            return -1
        }
    }
}

private let streamRead: xmlInputReadCallback = { context, buffer, length in
    guard let context, let buffer else { return -1 }
    return Unmanaged<StreamInput>.fromOpaque(context).takeUnretainedValue().read(into: buffer, capacity: Int(length))
}
