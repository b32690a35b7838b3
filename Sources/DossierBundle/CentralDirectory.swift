#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import DossierModel
import DossierIO

/// An archive's open descriptor, closed when the last value that reads through it goes.
///
/// The reader and its `ZipEntries` both read the central directory back, so the descriptor
/// belongs to neither; reads are `pread`s into the caller's buffers, safe from any thread.
final class ArchiveFile: Sendable {
    let path: String
    let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOFailure.error("open", path: path, errno: errno) }
        self.path = path
        self.fd = fd
    }

    deinit { _ = close(fd) }

    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: UInt64) throws {
        try preadFully(fd, into: buffer, at: offset, path: path, location: SourceLocation(file: path))
    }
}

/// Where the end record puts the central directory.
struct DirectoryLocation: Sendable {
    var count: UInt64
    var size: UInt64
    var offset: UInt64
}

/// The fixed part of a central-directory record (APPNOTE §4.3.12), sizes as declared: before
/// Zip64 resolution.
struct CentralRecord {
    static let signature: UInt32 = ZipSignature.centralHeader
    let madeBy: UInt16, flags: UInt16, method: UInt16
    let crc32: UInt32
    let compressedSize: UInt64, uncompressedSize: UInt64
    let nameLength: Int, extraLength: Int, commentLength: Int
    let disk: UInt32
    let externalAttributes: UInt32
    let localHeaderOffset: UInt64

    /// Reads the fixed fields of the record that starts `b` (at least 46 bytes).
    init(_ b: UnsafeRawBufferPointer) {
        madeBy = b.u16(4); flags = b.u16(8); method = b.u16(10)
        crc32 = b.u32(16)
        compressedSize = UInt64(b.u32(20)); uncompressedSize = UInt64(b.u32(24))
        nameLength = Int(b.u16(28)); extraLength = Int(b.u16(30)); commentLength = Int(b.u16(32))
        disk = UInt32(b.u16(34))
        externalAttributes = b.u32(38)
        localHeaderOffset = UInt64(b.u32(42))
    }

    /// The bytes an entry is rebuilt from: all but the comment, which nothing reads.
    var keptLength: Int { ZipConstant.centralHeaderSize + nameLength + extraLength }
    var nameRange: Range<Int> { ZipConstant.centralHeaderSize..<(ZipConstant.centralHeaderSize + nameLength) }
    var extraRange: Range<Int> { nameRange.upperBound..<keptLength }

    /// The sizes, header offset and disk, with 0xFFFFFFFF/0xFFFF fields replaced by the Zip64
    /// extra field's values in APPNOTE order (§4.5.3), present only when marked.
    func resolved(_ record: UnsafeRawBufferPointer) throws(ZipCheckError)
        -> (size: UInt64, compressed: UInt64, headerOffset: UInt64, disk: UInt32) {
        var size = uncompressedSize, compressed = compressedSize, headerOffset = localHeaderOffset, disk = disk
        try resolveZip64(UnsafeRawBufferPointer(rebasing: record[extraRange]), &size, &compressed, &headerOffset, &disk)
        return (size, compressed, headerOffset, disk)
    }
}

/// Replaces 0xFFFFFFFF/0xFFFF fields with the Zip64 extra field's values, in APPNOTE order
/// (§4.5.3: original size, compressed size, header offset, disk), present only when marked; shared
/// by central records and local headers.
func resolveZip64(_ extra: UnsafeRawBufferPointer, _ size: inout UInt64, _ compressed: inout UInt64,
                  _ headerOffset: inout UInt64, _ disk: inout UInt32) throws(ZipCheckError) {
    var pos = 0
    var zip64: UnsafeRawBufferPointer?
    while pos < extra.count {
        guard extra.count - pos >= 4 else { throw ZipCheckError("zip.structure", "malformed extra field") }
        let id = extra.u16(pos), length = Int(extra.u16(pos + 2))
        guard extra.count - pos - 4 >= length else { throw ZipCheckError("zip.structure", "malformed extra field") }
        if id == ZipSignature.zip64ExtraID {
            zip64 = UnsafeRawBufferPointer(rebasing: extra[(pos + 4)..<(pos + 4 + length)])
        }
        pos += 4 + length
    }
    var at = 0
    func next(_ width: Int) throws(ZipCheckError) -> UInt64 {
        guard let z = zip64, z.count - at >= width else {
            throw ZipCheckError("zip.zip64", "Zip64 extra field is missing or too short")
        }
        defer { at += width }
        return width == 8 ? z.u64(at) : UInt64(z.u32(at))
    }
    if size == 0xFFFF_FFFF { size = try next(8) }
    if compressed == 0xFFFF_FFFF { compressed = try next(8) }
    if headerOffset == 0xFFFF_FFFF { headerOffset = try next(8) }
    if disk == 0xFFFF { disk = UInt32(try next(4)) }
}

/// A validated central directory, kept as little more than where each record starts: an entry is
/// rebuilt from its record, read again with `pread`, whenever it is asked for.
///
/// An archive of 250,000 entries has a central directory of some 25 MB; holding it (or the names
/// and sizes parsed out of it) was most of what a large import cost. Per entry this keeps ten
/// bytes: the record's offset in the directory, the local header's extra field length (where
/// the data starts, which only the local header tells) and a 32-bit hash of the record as it was
/// validated. The hash makes a record that changed on disk after validation an error, not an
/// unchecked entry (a name that was never checked for `..`, a size over the limits).
struct CentralDirectory: Sendable {
    let file: ArchiveFile
    let location: DirectoryLocation
    private var offsets = RecordOffsets()
    private var checks: [UInt32] = []
    private var localExtraLengths: [UInt16] = []
    /// The hash seed of `checks`: per reader, so a record cannot be crafted to match another's.
    private let seed = UInt64.random(in: .min ... .max)

    /// The window central records are streamed through; a record is at most 46 + 3 × 65,535 bytes.
    static let window = 1 << 20

    init(file: ArchiveFile, location: DirectoryLocation) {
        self.file = file
        self.location = location
        offsets.reserve(Int(location.count), wide: location.size > UInt64(UInt32.max))
        checks.reserveCapacity(Int(location.count))
    }

    var count: Int { checks.count }

    /// Records entry `count` as validated: where its record starts and what its kept bytes hash to.
    mutating func append(at relativeOffset: UInt64, record: UnsafeRawBufferPointer) {
        offsets.append(relativeOffset)
        checks.append(check(record))
    }

    /// Records where each entry's data starts (by position), once the local headers were checked.
    mutating func setLocalExtraLengths(_ lengths: [UInt16]) {
        precondition(lengths.count == count)
        localExtraLengths = lengths
    }

    private func check(_ record: UnsafeRawBufferPointer) -> UInt32 {
        var h = Hasher()
        h.combine(seed)
        h.combine(bytes: record)
        return UInt32(truncatingIfNeeded: h.finalize())
    }

    private func fail(_ code: String, _ message: String) -> DossierError {
        DossierError(code, message, at: SourceLocation(file: file.path))
    }

    /// Streams every record through one bounded window, in order: `body` gets the entry's
    /// position, the record's offset within the directory and its bytes (comment included).
    ///
    /// The directory must hold exactly `location.count` well-formed records end to end.
    func scan(_ body: (_ index: Int, _ relativeOffset: UInt64, _ record: UnsafeRawBufferPointer) throws -> Void) throws {
        let size = location.size
        let capacity = Int(min(size, UInt64(Self.window)))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(capacity, 1), alignment: 16)
        defer { buffer.deallocate() }
        var windowStart: UInt64 = 0, windowCount = 0
        var pos: UInt64 = 0
        /// Makes `[pos, pos + n)` readable in the window; false when the directory ends first.
        func ensure(_ n: Int) throws -> Bool {
            guard size - pos >= UInt64(n) else { return false }
            if pos + UInt64(n) > windowStart + UInt64(windowCount) {
                windowStart = pos
                windowCount = Int(min(size - pos, UInt64(capacity)))
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<windowCount]), at: location.offset + pos)
            }
            return true
        }
        for index in 0..<Int(location.count) {
            let recordOffset = location.offset + pos
            guard try ensure(ZipConstant.centralHeaderSize),
                  UnsafeRawBufferPointer(buffer).u32(Int(pos - windowStart)) == CentralRecord.signature else {
                throw fail("zip.structure", "no central-directory record at offset \(recordOffset)")
            }
            let fixed = CentralRecord(UnsafeRawBufferPointer(rebasing: buffer[Int(pos - windowStart)...]))
            let length = fixed.keptLength + fixed.commentLength
            guard try ensure(length) else {
                throw fail("zip.structure", "central record #\(index) at offset \(recordOffset) runs past the end of the central directory")
            }
            let start = Int(pos - windowStart)
            try body(index, pos, UnsafeRawBufferPointer(rebasing: buffer[start..<(start + length)]))
            pos += UInt64(length)
        }
        guard pos == size else {
            throw fail("zip.structure", "central directory has \(size - pos) bytes after its \(location.count) records")
        }
    }

    private func changed(_ i: Int) -> DossierError {
        fail("zip.changed", "central record #\(i) changed after the archive was opened")
    }

    /// Entry `i`'s record (without its comment), read again and checked against its hash.
    func withRecord<R>(_ i: Int, _ body: (UnsafeRawBufferPointer, CentralRecord) throws -> R) throws -> R {
        let start = offsets[i]
        // Most records (46 bytes and a name) fit one small read; a long extra field takes a second.
        let guess = Int(min(512, location.size - start))
        return try withUnsafeTemporaryAllocation(byteCount: 512, alignment: 16) { temp in
            let first = UnsafeMutableRawBufferPointer(rebasing: temp[0..<guess])
            try file.read(into: first, at: location.offset + start)
            guard guess >= ZipConstant.centralHeaderSize else { throw changed(i) }
            let record = CentralRecord(UnsafeRawBufferPointer(first))
            let length = record.keptLength
            func checked(_ bytes: UnsafeRawBufferPointer) throws -> R {
                guard check(bytes) == checks[i] else { throw changed(i) }
                return try body(bytes, record)
            }
            if length <= guess { return try checked(UnsafeRawBufferPointer(rebasing: first[0..<length])) }
            guard UInt64(length) <= location.size - start else { throw changed(i) }
            let whole = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 16)
            defer { whole.deallocate() }
            try file.read(into: whole, at: location.offset + start)
            return try checked(UnsafeRawBufferPointer(whole))
        }
    }

    /// Every entry in order, rebuilt from records streamed through one window (a `pread` a
    /// megabyte, not one a record) and checked against their hashes as `withRecord` checks them.
    func forEachEntry(_ body: (Int, ZipEntry) throws -> Void) throws {
        try scan { index, _, bytes in
            let record = CentralRecord(bytes)
            let kept = UnsafeRawBufferPointer(rebasing: bytes[0..<record.keptLength])
            guard index < count, check(kept) == checks[index] else { throw changed(index) }
            try body(index, try makeEntry(index, kept, record))
        }
    }

    /// Entry `i` as a `ZipEntry`, from its record and its local header's extra field length.
    func entry(_ i: Int) throws -> ZipEntry {
        try withRecord(i) { bytes, record in try makeEntry(i, bytes, record) }
    }

    /// Entry `i` if its name is `name` (as `PackedNameIndex.equal` compares), from one read.
    func entry(_ i: Int, named name: UnsafeRawBufferPointer) throws -> ZipEntry? {
        try withRecord(i) { bytes, record in
            PackedNameIndex.equal(UnsafeRawBufferPointer(rebasing: bytes[record.nameRange]), name) ? try makeEntry(i, bytes, record) : nil
        }
    }

    private func makeEntry(_ i: Int, _ bytes: UnsafeRawBufferPointer, _ record: CentralRecord) throws -> ZipEntry {
        let resolved: (size: UInt64, compressed: UInt64, headerOffset: UInt64, disk: UInt32)
        do throws(ZipCheckError) { resolved = try record.resolved(bytes) } catch { throw fail(error.code, error.reason) }
        let (size, compressed, headerOffset, _) = resolved
        let name = UnsafeRawBufferPointer(rebasing: bytes[record.nameRange])
        let localExtra = localExtraLengths.isEmpty ? 0 : Int(localExtraLengths[i])
        return ZipEntry(name: String(decoding: name, as: UTF8.self), isDirectory: name.last == UInt8(ascii: "/"),
                        uncompressedSize: size, compressedSize: compressed, crc32: record.crc32,
                        method: record.method, flags: record.flags, localHeaderOffset: headerOffset,
                        dataOffset: headerOffset + UInt64(ZipConstant.localHeaderSize + record.nameLength + localExtra))
    }

    /// Entry `i`'s name, for messages.
    func name(_ i: Int) throws -> String { try withName(i) { String(decoding: $0, as: UTF8.self) } }
}

extension CentralDirectory: NameList {
    func withName<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try withRecord(i) { bytes, record in try body(UnsafeRawBufferPointer(rebasing: bytes[record.nameRange])) }
    }

    func forEachName(_ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        try scan { index, _, bytes in
            try body(index, UnsafeRawBufferPointer(rebasing: bytes[CentralRecord(bytes).nameRange]))
        }
    }
}

/// Where each record starts within the central directory: four bytes an entry, eight only for a
/// directory over 4 GiB (which the default limits refuse).
private struct RecordOffsets: Sendable {
    private var narrow: [UInt32] = []
    private var wide: [UInt64]?

    mutating func reserve(_ count: Int, wide isWide: Bool) {
        if isWide { wide = []; wide!.reserveCapacity(count) } else { narrow.reserveCapacity(count) }
    }

    mutating func append(_ offset: UInt64) {
        if wide != nil { wide!.append(offset) } else { narrow.append(UInt32(offset)) }
    }

    subscript(i: Int) -> UInt64 { wide.map { $0[i] } ?? UInt64(narrow[i]) }
}
