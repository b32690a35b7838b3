#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import DossierModel
public import DossierIO

/// How an entry's bytes are stored.
public enum ZipCompression: Sendable, Hashable {
    /// Stored for already-compressed media (PDF, JPEG, PNG, archives…), deflate otherwise.
    case automatic
    case deflate
    case stored
}

/// Where an entry's bytes come from.
public enum ZipSource: Sendable {
    case bytes([UInt8])
    /// A file read in chunks, so a payload of many gigabytes keeps memory flat.
    case file(String)
    /// A producer that writes the payload into the given sink (for example a JSON writer).
    /// It runs on a worker thread, hence `@Sendable`.
    case stream(@Sendable (any ByteSink) throws -> Void)
}

/// Writer settings; the defaults suit bundles on a two-core machine.
public struct ZipWriterOptions: Sendable, Hashable {
    /// zlib level 0–9; 6 is zlib's default balance.
    public var level: Int32 = 6
    /// Writes Zip64 records for every entry and the end record, for testing readers.
    public var forceZip64 = false
    /// Entries compressed at once; each holds at most `memoryPerEntry` bytes of output in memory.
    public var workers = 2
    /// Compressed output beyond this spills to an unlinked temporary file, as do the bytes a
    /// bag's caller writes before adding them (`BagZipWriter.add(_:writing:)`).
    public var memoryPerEntry = 4 << 20
    /// Central-directory bytes beyond this (some 9,500 entries) spill to an unlinked temporary
    /// file too, so an archive of any number of entries is written in bounded memory. Small,
    /// because the directory is written last, when the caller's own memory peaks (a bag's manifests).
    public var centralDirectoryMemory = 1 << 20
    public var temporaryDirectory = PrivateFolder.temporaryDirectory

    public init() {}
}

/// Writes a deterministic zip archive: same entries and options, byte-identical output.
///
/// Entries keep the order given, with a fixed 1980-01-01 timestamp, Unix 0644 attributes, the
/// UTF-8 name flag and no host-dependent extra fields. Sizes and CRC always sit in the local header
/// (never a data descriptor), which every reader handles: each entry is compressed completely
/// before its header is written, to memory or an unlinked temporary file. Entries are independent,
/// so up to `workers` of them are compressed concurrently while earlier ones are written in order.
/// Zip64 records appear only when a size, an offset or the entry count needs them.
///
/// The central directory is set aside on disk as it grows (`WrittenDirectory`), and names are
/// checked for collisions from it at `finish()`, so memory grows by eight bytes an entry (twenty
/// while the names are checked), not by the directory (some 110 bytes an entry) and every name.
public final class ZipWriter {
    private let sink: any ByteSink
    private let path: String
    private let options: ZipWriterOptions
    private var offset: UInt64 = 0
    private let directory: WrittenDirectory
    private var pending: [PendingEntry] = []
    private var finished = false

    /// A writer onto `sink`; `path` only names the archive in error messages. `finish()` writes
    /// the last bytes but leaves flushing and closing the sink to its owner.
    public init(sink: any ByteSink, path: String, options: ZipWriterOptions = .init()) {
        self.sink = sink
        self.path = path
        self.options = options
        directory = WrittenDirectory(
            SpillBuffer(limit: options.centralDirectoryMemory, directory: options.temporaryDirectory,
                        at: SourceLocation(file: path)))
    }

    /// Writes an archive to `path` atomically; `body` adds the entries.
    public static func write(to path: String, options: ZipWriterOptions = .init(),
                             _ body: (ZipWriter) throws -> Void) throws {
        try AtomicFile.write(to: path) { file in
            let writer = ZipWriter(sink: file, path: path, options: options)
            try body(writer)
            try writer.finish()
        }
    }

    /// Queues an entry; its bytes are compressed in the background and written in order.
    ///
    /// Names are checked with the reader's rules, so the writer never makes an archive its own
    /// reader refuses; colliding names are reported by `finish()`.
    public func add(_ name: String, _ source: ZipSource, compression: ZipCompression = .automatic) throws {
        precondition(!finished, "ZipWriter.add after finish")
        let location = SourceLocation(file: path, entry: name)
        let bytes = Array(name.utf8)
        if case .failure(let e) = ZipName.check(bytes, limits: .default) {
            throw DossierError(e.code, "cannot add entry: \(e.reason)", at: location)
        }
        if bytes.last == UInt8(ascii: "/") {
            throw DossierError("zip.name", "cannot add entry: directory entries are not written", at: location)
        }
        let method: UInt16
        switch compression {
        case .deflate: method = ZipConstant.methodDeflate
        case .stored: method = ZipConstant.methodStored
        case .automatic: method = Self.isPrecompressed(name) ? ZipConstant.methodStored : ZipConstant.methodDeflate
        }
        while pending.count >= max(1, options.workers) { try writeOldest() }
        let job = PendingEntry(name: bytes)
        pending.append(job)
        let options = self.options
        DispatchQueue.global(qos: .userInitiated).async {
            job.result = Result { try PreparedEntry.prepare(source, method: method, options: options, at: location) }
            job.done.signal()
        }
    }

    /// A buffer for an entry's bytes made before the entry is added, within the memory budget of
    /// an entry's compressed output: a caller that must know its bytes are whole before adding
    /// them (a dossier that may fail to encode) need not hold them all.
    func entryBuffer(for name: String) -> SpillBuffer {
        SpillBuffer(limit: options.memoryPerEntry, directory: options.temporaryDirectory,
                    at: SourceLocation(file: path, entry: name))
    }

    /// Waits until every queued entry is compressed and written, so a caller can use what the
    /// entries' producers computed on the way (a bag's manifest needs every payload digest).
    public func drain() throws {
        while !pending.isEmpty { try writeOldest() }
    }

    /// Writes the remaining entries, the central directory and the end records.
    public func finish() throws {
        precondition(!finished, "ZipWriter.finish called twice")
        try drain()
        finished = true
        defer { directory.discard() }
        if let (_, b, reason) = try ZipNameCollision.first(in: directory) {
            throw DossierError("zip.duplicate-name", reason, at: SourceLocation(file: path, entry: try directory.name(b)))
        }
        let count = UInt64(directory.count)
        let cdOffset = offset
        try directory.copy { try self.sink.write($0); self.offset += UInt64($0.count) }
        let cdSize = directory.size
        let force = options.forceZip64
        let zip64 = force || count >= 0xFFFF || cdOffset >= 0xFFFF_FFFF || cdSize >= 0xFFFF_FFFF
        var end: [UInt8] = []
        if zip64 {
            let recordOffset = offset
            end.le32(ZipSignature.zip64EndOfCentralDirectory)
            end.le64(UInt64(ZipConstant.zip64EndRecordSize - 12))
            end.le16(0x0300 | 45); end.le16(45)
            end.le32(0); end.le32(0)
            end.le64(count); end.le64(count); end.le64(cdSize); end.le64(cdOffset)
            end.le32(ZipSignature.zip64Locator)
            end.le32(0); end.le64(recordOffset); end.le32(1)
        }
        let count16 = zip64 && (force || count >= 0xFFFF) ? 0xFFFF : UInt16(count)
        end.le32(ZipSignature.endOfCentralDirectory)
        end.le16(0); end.le16(0)
        end.le16(count16); end.le16(count16)
        end.le32(zip64 && (force || cdSize >= 0xFFFF_FFFF) ? 0xFFFF_FFFF : UInt32(cdSize))
        end.le32(zip64 && (force || cdOffset >= 0xFFFF_FFFF) ? 0xFFFF_FFFF : UInt32(cdOffset))
        end.le16(0)
        try emit(end)
    }

    private func emit(_ bytes: [UInt8]) throws {
        try sink.write(bytes)
        offset += UInt64(bytes.count)
    }

    /// Waits for the oldest queued entry and writes its local header, data and central record.
    private func writeOldest() throws {
        let job = pending.removeFirst()
        job.done.wait()
        let entry = try job.result!.get()
        let force = options.forceZip64
        let zip64Sizes = force || entry.size >= 0xFFFF_FFFF || entry.compressedSize >= 0xFFFF_FFFF
        let zip64Offset = force || offset >= 0xFFFF_FFFF
        let version: UInt16 = zip64Sizes || zip64Offset ? 45 : 20
        let name = job.name

        var local: [UInt8] = []
        local.le32(ZipSignature.localHeader)
        local.le16(version); local.le16(ZipConstant.flagUTF8); local.le16(entry.method)
        local.le16(ZipConstant.dosTime); local.le16(ZipConstant.dosDate)
        local.le32(entry.crc)
        local.le32(zip64Sizes ? 0xFFFF_FFFF : UInt32(entry.compressedSize))
        local.le32(zip64Sizes ? 0xFFFF_FFFF : UInt32(entry.size))
        local.le16(UInt16(name.count)); local.le16(zip64Sizes ? 20 : 0)
        local.append(contentsOf: name)
        if zip64Sizes {
            local.le16(ZipSignature.zip64ExtraID); local.le16(16)
            local.le64(entry.size); local.le64(entry.compressedSize)
        }

        var extra: [UInt8] = []
        if zip64Sizes || zip64Offset {
            extra.le16(ZipSignature.zip64ExtraID)
            extra.le16((zip64Sizes ? 16 : 0) + (zip64Offset ? 8 : 0))
            if zip64Sizes { extra.le64(entry.size); extra.le64(entry.compressedSize) }
            if zip64Offset { extra.le64(offset) }
        }
        var central: [UInt8] = []
        central.le32(ZipSignature.centralHeader)
        central.le16(UInt16(ZipConstant.hostUnix) << 8 | (version == 45 ? 45 : 30))
        central.le16(version); central.le16(ZipConstant.flagUTF8); central.le16(entry.method)
        central.le16(ZipConstant.dosTime); central.le16(ZipConstant.dosDate)
        central.le32(entry.crc)
        central.le32(zip64Sizes ? 0xFFFF_FFFF : UInt32(entry.compressedSize))
        central.le32(zip64Sizes ? 0xFFFF_FFFF : UInt32(entry.size))
        central.le16(UInt16(name.count)); central.le16(UInt16(extra.count)); central.le16(0)
        central.le16(0); central.le16(0)
        central.le32(UInt32(0o100644) << 16)
        central.le32(zip64Offset ? 0xFFFF_FFFF : UInt32(offset))
        central.append(contentsOf: name)
        central.append(contentsOf: extra)
        try directory.append(central)

        try emit(local)
        try entry.copyData { try self.sink.write($0); self.offset += UInt64($0.count) }
    }

    private static let precompressedExtensions: Set<String> = [
        "pdf", "jpg", "jpeg", "png", "gif", "webp", "heic", "tif", "tiff", "mp3", "mp4", "m4a", "mov",
        "zip", "gz", "tgz", "bz2", "xz", "zst", "7z", "rar", "jar", "docx", "xlsx", "pptx", "odt", "ods", "age",
    ]

    /// Whether the name's extension says the bytes are already compressed, where deflate only costs time.
    static func isPrecompressed(_ name: String) -> Bool {
        ZipName.lowercasedExtension(name).map(precompressedExtensions.contains) ?? false
    }
}

/// The central directory written so far: its records in a `SpillBuffer` (memory up to a budget,
/// then an unlinked temporary file) and where each starts, eight bytes an entry.
///
/// An unlinked file rather than one in a `PrivateFolder`: it is never visible to anyone, and
/// nothing is left to remove however the process ends, even by SIGKILL.
///
/// It is also the list of names `ZipNameCollision` checks at `finish()`: names are streamed back
/// from the records, and read one by one only where their hashes meet.
private final class WrittenDirectory: NameList {
    private let records: SpillBuffer
    private var starts: [UInt64] = []

    init(_ records: SpillBuffer) { self.records = records }

    var count: Int { starts.count }
    var size: UInt64 { records.count }

    func append(_ record: [UInt8]) throws {
        starts.append(records.count)
        try records.write(record)
    }

    /// Streams the records, in chunks once they are on disk.
    func copy(to write: (UnsafeRawBufferPointer) throws -> Void) throws { try records.copy(to: write) }

    /// Frees the memory and the temporary file once the archive is finished, though the writer may live on.
    func discard() {
        starts = []
        records.discard()
    }

    private func end(_ i: Int) -> UInt64 { i + 1 < count ? starts[i + 1] : records.count }

    private static func name(in record: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: record[ZipConstant.centralHeaderSize..<(ZipConstant.centralHeaderSize + Int(record.u16(28)))])
    }

    func withName<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try withUnsafeTemporaryAllocation(byteCount: Int(end(i) - starts[i]), alignment: 16) { record in
            try records.read(into: record, at: starts[i])
            return try body(Self.name(in: UnsafeRawBufferPointer(record)))
        }
    }

    func name(_ i: Int) throws -> String { try withName(i) { String(decoding: $0, as: UTF8.self) } }

    /// Reads the records through one 1 MiB window (a record is at most 46 + 1,024 + 28 bytes).
    func forEachName(_ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        let window = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(min(records.count, 1 << 20)), alignment: 16)
        defer { window.deallocate() }
        var windowStart: UInt64 = 0, windowEnd: UInt64 = 0
        for i in 0..<count {
            let start = starts[i], end = end(i)
            if end > windowEnd {
                windowStart = start
                windowEnd = min(records.count, start + UInt64(window.count))
                try records.read(into: UnsafeMutableRawBufferPointer(rebasing: window[0..<Int(windowEnd - windowStart)]), at: start)
            }
            let record = UnsafeRawBufferPointer(rebasing: window[Int(start - windowStart)..<Int(end - windowStart)])
            try body(i, Self.name(in: record))
        }
    }
}

/// An entry handed to a worker; `done` is signalled once `result` is set.
private final class PendingEntry: @unchecked Sendable {
    let name: [UInt8]
    var result: Result<PreparedEntry, any Error>?
    let done = DispatchSemaphore(value: 0)
    init(name: [UInt8]) { self.name = name }
}

/// An entry whose CRC and sizes are known, with its compressed bytes ready to copy.
private final class PreparedEntry: @unchecked Sendable {
    let method: UInt16
    let crc: UInt32
    let size: UInt64
    let compressedSize: UInt64
    private let data: Payload
    private let location: SourceLocation

    enum Payload {
        case spilled(SpillBuffer)
        /// A stored file is read again when written, saving a temporary copy of large media.
        case sourceFile(String)
    }

    private init(method: UInt16, crc: UInt32, size: UInt64, compressedSize: UInt64, data: Payload, location: SourceLocation) {
        self.method = method; self.crc = crc; self.size = size
        self.compressedSize = compressedSize; self.data = data; self.location = location
    }

    static func prepare(_ source: ZipSource, method: UInt16, options: ZipWriterOptions,
                        at location: SourceLocation) throws -> PreparedEntry {
        if case .file(let path) = source, method == ZipConstant.methodStored {
            let (crc, size) = try checksum(path, at: location)
            return PreparedEntry(method: method, crc: crc, size: size, compressedSize: size,
                                 data: .sourceFile(path), location: location)
        }
        let buffer = SpillBuffer(limit: options.memoryPerEntry, directory: options.temporaryDirectory, at: location)
        let encoder = try EntryEncoder(
            deflater: method == ZipConstant.methodDeflate ? Deflater(level: options.level, at: location) : nil,
            output: buffer)
        switch source {
        case .bytes(let bytes): try encoder.write(bytes)
        case .file(let path):
            let reader = try ByteReader(path: path)
            while let chunk = try reader.nextChunk() { try encoder.write(chunk) }
        case .stream(let produce): try produce(encoder)
        }
        try encoder.finish()
        return PreparedEntry(method: method, crc: encoder.crc.value, size: encoder.size,
                             compressedSize: buffer.count, data: .spilled(buffer), location: location)
    }

    private static func checksum(_ path: String, at location: SourceLocation) throws -> (UInt32, UInt64) {
        let reader = try ByteReader(path: path)
        var crc = CRC32()
        var size: UInt64 = 0
        while let chunk = try reader.nextChunk() { crc.update(chunk); size += UInt64(chunk.count) }
        return (crc.value, size)
    }

    func copyData(to write: (UnsafeRawBufferPointer) throws -> Void) throws {
        switch data {
        case .spilled(let buffer): try buffer.copy(to: write)
        case .sourceFile(let path):
            let reader = try ByteReader(path: path)
            var crc = CRC32()
            var copied: UInt64 = 0
            while let chunk = try reader.nextChunk() {
                crc.update(chunk)
                copied += UInt64(chunk.count)
                guard copied <= size else { break }
                try write(chunk)
            }
            if copied != size || crc.value != self.crc {
                throw DossierError("zip.source-changed", "file changed while the archive was written", at: location)
            }
        }
    }
}

/// Feeds payload bytes through CRC-32, a byte count and (for deflate) the compressor.
private final class EntryEncoder: ByteSink {
    private let deflater: Deflater?
    private let output: SpillBuffer
    private(set) var crc = CRC32()
    private(set) var size: UInt64 = 0

    init(deflater: Deflater?, output: SpillBuffer) {
        self.deflater = deflater
        self.output = output
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        crc.update(bytes)
        size += UInt64(bytes.count)
        if let deflater {
            try deflater.compress(bytes, finish: false) { try output.write($0) }
        } else {
            try output.write(bytes)
        }
    }

    func finish() throws {
        try deflater?.compress(UnsafeRawBufferPointer(start: nil, count: 0), finish: true) { try output.write($0) }
    }
}

/// Reads exactly `buffer.count` bytes at `offset`; running out of file is `zip.truncated`.
func preadFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64,
                path: String, location: SourceLocation) throws {
    var done = 0
    while done < buffer.count {
        let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
        if n < 0 {
            if errno == EINTR { continue }
            throw IOFailure.error("pread", path: path, errno: errno)
        }
        if n == 0 {
            throw DossierError("zip.truncated", "file ends at offset \(offset + UInt64(done)), inside a record or entry data",
                               at: location)
        }
        done += n
    }
}
