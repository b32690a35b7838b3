public import DossierIO
public import DossierModel
public import DossierXML

/// The canonical XML form of a dossier (`urn:dossierport:dossier:1`, described by `formats/dossier.xsd`).
///
/// One `<dossier>` per document, or many under `<dossiers>` for bulk. The layout mirrors the JSON
/// format key for key, so both describe the same model; the one difference is that XML 1.0 cannot
/// carry C0 control characters (other than tab, LF, CR) or U+FFFE/U+FFFF, so a dossier whose text
/// holds one fails to write as XML with `xml.unrepresentable` and must travel as JSON.
public enum DossierXMLFormat {
    public static let namespace = XMLNames.namespace

    /// The XML Schema, byte-identical to `formats/dossier.xsd`, compiled into the binary because
    /// top-level folders are not SwiftPM resources.
    public static let schemaText = XMLSchemaSource.dossierXSD

    /// The compiled schema, built once; a failure here is a build defect that the tests catch.
    public static func schema() throws -> XMLSchema { try compiledSchema.get() }

    private static let compiledSchema = Result { try XMLSchema(bytes: Array(schemaText.utf8), name: "dossier.xsd") }

    /// Writes one dossier as a complete document.
    public static func write(_ dossier: Dossier, to sink: any ByteSink) throws {
        let output = XMLOutput(sink: sink, flushThreshold: 1 << 18)
        output.declaration()
        try output.element(direct: dossier, named: XMLNames.dossier, attributes: XMLNames.rootAttributes)
        try output.flush()
    }

    public static func encode(_ dossier: Dossier) throws -> [UInt8] {
        let sink = MemorySink()
        try write(dossier, to: sink)
        return sink.bytes
    }

    /// Whether `bytes` are exactly what `write` writes for `dossier`, found by writing it into a
    /// sink that compares (the document is built whole, then compared in one call, with no copy
    /// beside the writer's own buffer). Such bytes decode to `dossier` (the writer's
    /// round trip, which the tests and the fuzzer hold), so a bundle's XML form made by this
    /// writer is checked at the writer's speed instead of the parser's; other bytes say nothing
    /// either way and are for `decode` to judge.
    public static func isEncoding(of dossier: Dossier, _ bytes: [UInt8]) -> Bool {
        let sink = MatchingSink(bytes)
        do { try write(dossier, to: sink) } catch { return false }
        return sink.matchedWhole
    }

    /// Parses a single-dossier document with the safe in-memory parser; `file` labels errors.
    ///
    /// The direct path reads libxml2's tree in place; whatever it refuses is read again from the
    /// Swift tree `root()` builds, as a streamed dossier is, so that errors are that route's.
    public static func decode(_ bytes: [UInt8], file: String?, limits: XMLLimits = .document) throws -> Dossier {
        let document = try ParsedXMLDocument.parse(bytes, file: file, limits: limits)
        if let d = document.withRoot({ root in root.flatMap { try? XMLDirect.readDossier($0) } }) { return d }
        return try decode(try document.root(), file: file)
    }

    /// Decodes a `<dossier>` element, from either parser.
    public static func decode(_ element: XMLElementNode, file: String?) throws -> Dossier {
        guard element.localName == XMLNames.dossier, element.namespace == namespace else {
            throw DossierError(XMLErrorCode.unknownElement, "root element is <\(element.shownName)>, expected <dossier> in namespace \(namespace)",
                               at: SourceLocation(file: file, line: element.line))
        }
        // The direct path first; what it refuses is decoded again so that the error is `Codable`'s.
        if let d = try? XMLDirect.readObject(Dossier.self, element) { return d }
        return try Dossier(from: XMLElementDecoder(element: element, file: file, codingPath: []))
    }

    /// Safe parse plus XSD validation, for `dossierport validate`: every problem as a diagnostic
    /// with file, line and reason; empty when the document matches the schema. Accepts a
    /// `<dossier>` or a `<dossiers>` document.
    public static func validate(_ bytes: [UInt8], file: String?, limits: XMLLimits = .document) -> [Diagnostic] {
        do {
            let document = try ParsedXMLDocument.parse(bytes, file: file, limits: limits)
            return document.validate(against: try schema())
        } catch let error as DossierError {
            return [error.diagnostic]
        } catch {
            return [.error(XMLErrorCode.malformed, "\(error)", at: SourceLocation(file: file))]
        }
    }

    /// The same checks on a file of any size (or `-`), streamed: for bulk `<dossiers>` files past
    /// the in-memory cap. Schema line numbers are the parser's position, which past line 65,535
    /// can run a few lines ahead.
    public static func validate(path: String, limits: XMLLimits = .stream) -> [Diagnostic] {
        let reader: XMLStreamReader
        do {
            reader = try XMLStreamReader(path: path, limits: limits, schema: try schema())
        } catch let error as DossierError {
            return [error.diagnostic]
        } catch {
            return [.error(XMLErrorCode.io, "\(error)", at: SourceLocation(file: path))]
        }
        do {
            while try reader.next() != nil {}
            return reader.schemaViolations
        } catch let error as DossierError {
            return reader.schemaViolations + [error.diagnostic]
        } catch {
            return reader.schemaViolations + [.error(XMLErrorCode.io, "\(error)", at: SourceLocation(file: path))]
        }
    }
}

/// Writes a `<dossiers>` document one dossier at a time, so a bulk export never holds more than
/// one dossier's XML in memory.
///
/// A dossier that fails to encode leaves no bytes behind, so the caller can report it and go on.
public final class DossierXMLStreamWriter {
    private let output: XMLOutput
    private var finished = false

    /// Writes the declaration and opens `<dossiers>`.
    public init(sink: any ByteSink) throws {
        output = XMLOutput(sink: sink)
        output.declaration()
        output.openElement(XMLNames.dossiers, attributes: XMLNames.rootAttributes)
        try output.flush()
    }

    public func append(_ dossier: Dossier) throws {
        precondition(!finished, "append after finish")
        try output.element(direct: dossier, named: XMLNames.dossier)
        try output.flush()
    }

    /// Closes `<dossiers>`; the sink's own flush, sync and close stay with the caller.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        output.close(downTo: 0)
        try output.flush()
    }
}

/// Reads dossiers one by one from a `<dossiers>` (or single `<dossier>`) document of any size.
///
/// The streaming reader builds one `<dossier>` subtree at a time and decodes it, so memory is
/// bounded by the largest dossier, not the file.
public final class DossierXMLReader {
    private let reader: XMLStreamReader
    private enum State { case start, bulk, done }
    private var state = State.start

    /// Opens `path`, or standard input for `-`.
    public init(path: String, limits: XMLLimits = .stream) throws {
        reader = try XMLStreamReader(path: path, limits: limits)
    }

    public init(input: ByteReader, limits: XMLLimits = .stream) throws {
        reader = try XMLStreamReader(input: input, limits: limits)
    }

    /// The next dossier, or nil after the last one.
    public func next() throws -> Dossier? {
        while let event = try reader.next() {
            switch event {
            case .start(let tag) where tag.namespace == XMLNames.namespace && state == .start && tag.localName == XMLNames.dossiers:
                state = .bulk
            case .start(let tag) where tag.namespace == XMLNames.namespace && state != .done && tag.localName == XMLNames.dossier:
                if state == .start { state = .done }
                return try DossierXMLFormat.decode(try reader.readElement(tag), file: reader.file)
            case .start(let tag):
                throw DossierError(XMLErrorCode.unknownElement, "unexpected element <\(tag.shownName)>; expected <dossier> in namespace \(XMLNames.namespace)",
                                   at: SourceLocation(file: reader.file, line: tag.line))
            case .text(let text):
                if !text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
                    throw DossierError(XMLErrorCode.unexpectedContent, "text between dossiers", at: SourceLocation(file: reader.file, line: reader.line))
                }
            case .end:
                state = .done
            }
        }
        return nil
    }
}
