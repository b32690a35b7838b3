import DossierIO

/// The elements of a long JSON list kept as their pretty JSON: in memory up to `holding` bytes,
/// then in a private file (`SpilledRecords`), so a list that grows with the input costs no memory.
///
/// export.json's `scope`, and a run's report, name every record a purpose cut: 15 a client in a
/// transfer. Held as values, 168,000 of them for 11,200 clients took a bundle run's memory 100 MB
/// higher, and a report written with them 70 MB more. They are encoded once, as they are written
/// as JSON anyway, and spliced into their document by `JSONByteEncoder.writePretty(_:lists:to:)`
/// without being read back as values.
///
/// A value: a copy appended to gets records of its own (copied on write). `Codable` as an array of
/// `Element`, for the few who encode or decode it through a `Coder`; that decodes each record.
public struct EncodedList<Element: Codable>: Sendable, Codable {
    private var records: SpilledRecords
    public var count: Int { records.count }
    public var isEmpty: Bool { records.count == 0 }

    public init(holding: Int = 1 << 20, temporaryDirectory: String? = nil) {
        records = SpilledRecords(holdingBytes: holding, temporaryDirectory: temporaryDirectory)
    }

    public mutating func append(_ element: Element) throws {
        if !isKnownUniquelyReferenced(&records) { records = try records.copy() }
        try records.append(try JSONByteEncoder.encode(element, style: .pretty))
    }

    /// Each element's pretty JSON (as a document of its own), in the order appended.
    public func forEachEncoded(_ body: ([UInt8]) throws -> Void) throws { try records.forEach(body) }

    public func forEach(_ body: (Element) throws -> Void) throws {
        try records.forEach { try body(try JSONByteDecoder.decode(Element.self, from: $0)) }
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        var elements = try decoder.unkeyedContainer()
        while !elements.isAtEnd { try append(try elements.decode(Element.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var elements = encoder.unkeyedContainer()
        try forEach { try elements.encode($0) }
    }
}
