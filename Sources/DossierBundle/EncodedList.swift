import DossierIO
import DossierModel
import DossierFormats

/// The elements of a long export.json list kept as their pretty JSON while a bundle is written:
/// in memory up to `holding` bytes, then in a private file (`SpilledRecords`).
///
/// export.json's `scope` names every record a purpose cut, 15 a client in a transfer: held as
/// values, 168,000 of them for 11,200 clients took a bundle run's memory 100 MB higher. They are
/// encoded once, as they are written into export.json anyway, and never read back as values.
///
/// Unchecked `Sendable` as `SpilledRecords` is: filled by one thread, then only read.
public final class EncodedList: @unchecked Sendable {
    private let records: SpilledRecords
    public var count: Int { records.count }

    public init(holding: Int = 1 << 20, temporaryDirectory: String? = nil) {
        records = SpilledRecords(holdingBytes: holding, temporaryDirectory: temporaryDirectory)
    }

    public func append(_ element: some Encodable) throws {
        try records.append(try JSONByteEncoder.encode(element, style: .pretty))
    }

    /// Each element's pretty JSON (as a document of its own), in the order appended.
    public func forEach(_ body: ([UInt8]) throws -> Void) throws { try records.forEach(body) }
}
