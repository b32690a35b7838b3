#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DossierModel

/// A private file of length-prefixed records, written once and read back in order.
///
/// Work that cannot be held in memory as inputs grow (rows waiting for their client, a bundle's
/// dossier list) is set aside in these. The file holds personal data, so it is created exclusively
/// with mode 0600, and only ever inside a `PrivateFolder`.
public final class RecordFileWriter {
    public let path: String
    private let sink: FileSink
    /// Unchecked exclusivity: a writer has one thread, and the check cost as much as an append.
    @exclusivity(unchecked) public private(set) var records = 0

    public init(path: String, bufferSize: Int = 64 * 1024) throws {
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw IOFailure.error("open", path: path, errno: errno) }
        self.path = path
        sink = FileSink(descriptor: fd, path: path, ownsDescriptor: true, bufferSize: bufferSize)
    }

    public func append(_ body: [UInt8]) throws {
        try body.withUnsafeBytes { try append($0, UnsafeRawBufferPointer(start: nil, count: 0)) }
    }

    /// Appends one record whose body is `head` followed by `tail`, without joining them first.
    public func append(_ head: UnsafeRawBufferPointer, _ tail: UnsafeRawBufferPointer) throws {
        var length = UInt32(head.count + tail.count).littleEndian
        try withUnsafeBytes(of: &length) { try sink.write($0, head, tail) }
        records += 1
    }

    /// Puts what is buffered in the file, so a reader sees every record appended so far.
    public func flush() throws { try sink.flush() }

    public func close() throws { try sink.close() }
}

/// A `RecordFileWriter`'s file loaded whole: each record's body as a range of `bytes`, in order,
/// for a reader that indexes the records in place instead of copying each out.
public func forEachRecord(in bytes: [UInt8], path: String, _ body: (Range<Int>) throws -> Void) throws {
    var offset = 0
    while offset < bytes.count {
        guard bytes.count - offset >= 4 else { throw RecordFileReader.damaged(path) }
        let n = bytes.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) }
        guard n <= bytes.count - offset - 4 else { throw RecordFileReader.damaged(path) }
        try body((offset + 4)..<(offset + 4 + n))
        offset += 4 + n
    }
}

/// Reads a `RecordFileWriter`'s records one at a time, holding one chunk of the file.
///
/// The file was written by this process, so a record cut short means it was damaged on disk,
/// which stops the run.
public final class RecordFileReader {
    private let reader: ByteReader
    private var pending: [UInt8] = []
    private var start = 0

    public var path: String { reader.path }

    public init(path: String) throws {
        reader = try ByteReader(path: path)
    }

    /// The next record's body, or nil at the end of the file.
    ///
    /// The length is read in place and the body copied out once: spill files are read back
    /// record by record (a large bucket is split this way), so an array per length was a visible
    /// share of a large export.
    public func next() throws -> [UInt8]? {
        try withNext { Array($0) }
    }

    /// The next record's body lent to `body`, valid only during the call, or nil at the end of the
    /// file: for a reader that only passes the bytes on.
    public func withNext<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        guard try buffer(4, atEnd: true) else { return nil }
        let n = pending.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: start, as: UInt32.self))) }
        start += 4
        _ = try buffer(n, atEnd: false)
        defer { start += n }
        return try pending.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<(start + n)])) }
    }

    private var damaged: DossierError { Self.damaged(reader.path) }

    static func damaged(_ path: String) -> DossierError {
        DossierError("spill.corrupt", "spill file ends inside a record", at: SourceLocation(file: path))
    }

    /// Makes `n` unread bytes available from `start`; false when the file ends cleanly first
    /// (allowed only `atEnd`, between records), a damaged-file error when it ends part way.
    private func buffer(_ n: Int, atEnd: Bool) throws -> Bool {
        while pending.count - start < n {
            guard let chunk = try reader.nextChunk() else {
                if atEnd && pending.count - start == 0 { return false }
                throw damaged
            }
            pending.removeFirst(start); start = 0
            pending.append(contentsOf: chunk)
        }
        return true
    }
}
