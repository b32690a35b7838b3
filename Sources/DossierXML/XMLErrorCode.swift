/// The stable error codes this module throws, in one place so callers and tests can match on them.
///
/// Codes name the class of failure, not libxml2's numeric code: the numeric code changes between
/// libxml2 versions, while these are part of Dossierport's contract (reliability.md X1–X15).
public enum XMLErrorCode {
    /// A DOCTYPE or other markup declaration: rejected outright, because DTDs carry XXE and entity bombs.
    public static let doctype = "xml.doctype"
    /// An entity reference node reached the reader; only possible with a DTD, so never legitimate.
    public static let entity = "xml.entity"
    /// Not UTF-8: a UTF-16/32 byte-order mark, another declared encoding, invalid UTF-8, a NUL byte.
    public static let encoding = "xml.encoding"
    /// Compressed bytes handed to the XML parser (libxml2 could gunzip them transparently from files).
    public static let compressed = "xml.compressed"
    /// Over a configured limit: bytes, depth, attributes per element, or total nodes.
    public static let limit = "xml.limit"
    /// Not well-formed XML, as reported by libxml2; the parser never recovers.
    public static let malformed = "xml.malformed"
    /// The document does not match an XML Schema.
    public static let schema = "xml.schema"
    /// The XML Schema itself could not be compiled.
    public static let schemaInvalid = "xml.schema-invalid"
    /// Reading the input failed below the parser.
    public static let io = "xml.io"
    /// Text a writer cannot put in XML 1.0: C0 controls other than tab/LF/CR, U+FFFE, U+FFFF.
    public static let unrepresentable = "xml.unrepresentable"
    /// An element the format does not define at that place.
    public static let unknownElement = "xml.unknown-element"
    /// A required element is absent.
    public static let missingElement = "xml.missing-element"
    /// A field element given twice.
    public static let duplicateElement = "xml.duplicate-element"
    /// Non-whitespace text or an attribute where the format has only elements.
    public static let unexpectedContent = "xml.unexpected-content"
    /// A leaf whose text is not a valid value of its type (date, number, enumeration…).
    public static let value = "xml.value"
}
