import DossierIO
import DossierModel
import DossierFormats

/// The elements of a long export.json list kept as their pretty JSON while a bundle is written:
/// in memory up to `holding` bytes, then in a private file (removed with the list).
///
/// export.json's `scope` names every record a purpose cut, 15 a client in a transfer: held as
/// values, 168,000 of them for 11,200 clients took a bundle run's memory 100 MB higher. They are
/// encoded once, as they are written into export.json anyway, and never read back as values.
///
/// Unchecked `Sendable`, as `DossierList`: it is filled by one thread before it is handed on,
/// then only read.
public final class EncodedList: @unchecked Sendable {
    public private(set) var count = 0
    private let holding: Int
    private let temporaryDirectory: String
    private var held: [[UInt8]] = []
    private var heldBytes = 0
    private var folder: PrivateFolder?
    private var file: RecordFileWriter?

    public init(holding: Int = 1 << 20, temporaryDirectory: String? = nil) {
        self.holding = holding
        self.temporaryDirectory = temporaryDirectory ?? PrivateFolder.temporaryDirectory
    }

    public func append(_ element: some Encodable) throws {
        count += 1
        let encoded = try JSONByteEncoder.encode(element, style: .pretty)
        if let file { return try file.append(encoded) }
        held.append(encoded)
        heldBytes += encoded.count
        guard heldBytes > holding else { return }
        let folder = try PrivateFolder(under: temporaryDirectory, prefix: "dossierport-list")
        let file = try RecordFileWriter(path: folder.file("elements"))
        for e in held { try file.append(e) }
        (self.folder, self.file, held, heldBytes) = (folder, file, [], 0)
    }

    /// Each element's pretty JSON (as a document of its own), in the order appended.
    public func forEach(_ body: ([UInt8]) throws -> Void) throws {
        guard let file else { return try held.forEach(body) }
        try file.flush()
        let reader = try RecordFileReader(path: file.path)
        while let e = try reader.next() { try body(e) }
    }
}
