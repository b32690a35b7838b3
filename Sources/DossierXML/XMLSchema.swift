internal import CLibXML2
public import DossierModel

/// A compiled XML Schema, given as bytes so no schemaLocation is ever resolved from disk or network.
///
/// `@unchecked Sendable`: libxml2 never modifies a compiled `xmlSchema`; each validation gets its
/// own validation context, so one schema may be shared by all threads (libxml2's documented use).
public final class XMLSchema: @unchecked Sendable {
    let schema: xmlSchemaPtr

    /// Compiles the schema; `name` labels errors. Throws `xml.schema-invalid` with libxml2's reason.
    public init(bytes: [UInt8], name: String) throws {
        let errors = LibXML2Errors(file: name)
        schema = try LibXML2.withSafeLoader {
            try bytes.withUnsafeBytes { raw in
                guard let base = raw.baseAddress, let parser = xmlSchemaNewMemParserCtxt(base.assumingMemoryBound(to: CChar.self), Int32(raw.count)) else {
                    throw DossierError(XMLErrorCode.schemaInvalid, "xmlSchemaNewMemParserCtxt failed", at: SourceLocation(file: name))
                }
                defer { xmlSchemaFreeParserCtxt(parser) }
                xmlSchemaSetParserStructuredErrors(parser, collectErrors, errors.opaque)
                guard let schema = xmlSchemaParse(parser) else { throw errors.failure("xmlSchemaParse", code: XMLErrorCode.schemaInvalid) }
                return schema
            }
        }
    }

    deinit { xmlSchemaFree(schema) }
}

extension ParsedXMLDocument {
    /// Every way the document breaks the schema, each with line and reason; empty when valid.
    ///
    /// Reasons are libxml2's with quoted values redacted, since a failing value may be personal data.
    public func validate(against schema: XMLSchema) -> [Diagnostic] {
        let errors = LibXML2Errors(file: file)
        guard let context = xmlSchemaNewValidCtxt(schema.schema) else {
            return [.error(XMLErrorCode.schema, "xmlSchemaNewValidCtxt failed", at: SourceLocation(file: file))]
        }
        defer { xmlSchemaFreeValidCtxt(context) }
        xmlSchemaSetValidStructuredErrors(context, collectErrors, errors.opaque)
        let rc = LibXML2.withSafeLoader { xmlSchemaValidateDoc(context, doc) }
        let found = errors.schemaViolations("xmlSchemaValidateDoc")
        if rc != 0 && found.isEmpty {
            return [.error(XMLErrorCode.schema, "xmlSchemaValidateDoc failed with code \(rc)", at: SourceLocation(file: file))]
        }
        return found
    }
}
