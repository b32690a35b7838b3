#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import DossierModel
public import DossierIO

/// One validated member of an archive.
public struct ZipEntry: Sendable, Hashable {
    public let name: String
    /// A directory entry (name ending in `/`); it has no data.
    public let isDirectory: Bool
    public let uncompressedSize: UInt64
    public let compressedSize: UInt64
    public let crc32: UInt32
    let method: UInt16
    let flags: UInt16
    let localHeaderOffset: UInt64
    /// Where the data starts, known once the local header has been checked against the record.
    let dataOffset: UInt64
}

/// What the reader keeps of an entry besides its name: forty bytes, where a `ZipEntry` with its
/// `String` name cost well over a hundred.
struct ZipRecord: Sendable {
    var uncompressedSize: UInt64
    var compressedSize: UInt64
    var localHeaderOffset: UInt64
    var crc32: UInt32
    var method: UInt16
    var flags: UInt16
    /// The local header's extra field length, which places the data after the header.
    var localExtraLength: UInt16 = 0
    var isDirectory: Bool
}

/// The members of an archive in central-directory order, each made into a `ZipEntry` (with its
/// name as a `String`) only when asked for, so an archive of many entries stays compact.
public struct ZipEntries: RandomAccessCollection, Sendable {
    let names: PackedNames
    let records: [ZipRecord]

    public var startIndex: Int { 0 }
    public var endIndex: Int { records.count }

    public subscript(i: Int) -> ZipEntry {
        let r = records[i]
        return ZipEntry(name: names.string(i), isDirectory: r.isDirectory, uncompressedSize: r.uncompressedSize,
                        compressedSize: r.compressedSize, crc32: r.crc32, method: r.method, flags: r.flags,
                        localHeaderOffset: r.localHeaderOffset,
                        dataOffset: r.localHeaderOffset + UInt64(ZipConstant.localHeaderSize + names.length(i)) + UInt64(r.localExtraLength))
    }
}

/// Reads untrusted zip archives without trusting any declared number.
///
/// Opening validates the whole archive structure before a single payload byte is produced: the
/// end records (Zip64 included), every central-directory record, every local header against its
/// central record, names, file types, limits, and that entries neither overlap nor hide bytes
/// between them (sorted ranges, O(n log n)). Reading then inflates with a hard stop one byte past
/// the declared size and checks the CRC-32 at the end. Access is by `pread` on one descriptor,
/// so memory does not grow with the archive, only with its entry count.
///
/// Every failure is a `DossierError` located at the archive (and entry, where one is known) with
/// a stable code: `zip.truncated`, `zip.structure`, `zip.zip64`, `zip.multidisk`,
/// `zip.too-many-entries`, `zip.too-large`, `zip.name`, `zip.path-traversal`, `zip.symlink`,
/// `zip.special-file`, `zip.encrypted`, `zip.method`, `zip.duplicate-name`, `zip.nested-archive`,
/// `zip.bomb-ratio`, `zip.overlap`, `zip.header-mismatch`, `zip.size-mismatch`, `zip.crc`,
/// `zlib.inflate`, and `io.*` for system calls.
public final class ZipReader {
    public let path: String
    public let entries: ZipEntries
    /// Name → position in `entries`; names are unique after validation, and a bundle of 20,000
    /// dossiers looks each one up, so a linear search would make verification quadratic.
    private let index: PackedNameIndex
    private let fd: Int32

    public init(path: String, limits: ZipLimits = .default) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IOFailure.error("open", path: path, errno: errno) }
        do {
            var validator = ArchiveValidator(fd: fd, path: path, limits: limits)
            entries = try validator.validate()
            index = PackedNameIndex(entries.names)
        } catch {
            _ = close(fd)
            throw error
        }
        self.fd = fd
        self.path = path
    }

    deinit { _ = close(fd) }

    public func entry(named name: String) -> ZipEntry? {
        index.find(name, in: entries.names).map { entries[$0] }
    }

    /// Streams an entry's bytes to `sink`, failing on a size or CRC-32 that differs from the record.
    ///
    /// Bytes reach `sink` before the CRC is known; callers that must not keep unverified bytes
    /// discard the sink's output on error (as `extract` does with its staging directory).
    public func read(_ entry: ZipEntry, to sink: any ByteSink) throws {
        let location = SourceLocation(file: path, entry: entry.name)
        let out = CheckedSink(target: sink, limit: entry.uncompressedSize, at: location)
        let inflater = entry.method == ZipConstant.methodDeflate && entry.compressedSize > 0
            ? try Inflater(at: location) : nil
        let buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: Int(min(entry.compressedSize, 256 * 1024)) + 1, alignment: 16)
        defer { buffer.deallocate() }
        var position = entry.dataOffset
        var remaining = entry.compressedSize
        while remaining > 0 {
            let n = Int(min(remaining, UInt64(buffer.count - 1)))
            let chunk = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<n])
            try preadFully(fd, into: chunk, at: position, path: path, location: location)
            if let inflater {
                let used = try inflater.inflate(UnsafeRawBufferPointer(chunk)) { try out.write($0) }
                if inflater.finished && (used < n || remaining > UInt64(n)) {
                    throw DossierError("zip.size-mismatch",
                                       "deflate stream ends before the declared \(entry.compressedSize) compressed bytes",
                                       at: location)
                }
            } else {
                try out.write(UnsafeRawBufferPointer(chunk))
            }
            position += UInt64(n)
            remaining -= UInt64(n)
        }
        if let inflater, !inflater.finished {
            throw DossierError("zip.size-mismatch",
                               "deflate stream continues past the declared \(entry.compressedSize) compressed bytes",
                               at: location)
        }
        if out.count != entry.uncompressedSize {
            throw DossierError("zip.size-mismatch",
                               "entry holds \(out.count) bytes, not the declared \(entry.uncompressedSize)", at: location)
        }
        if out.crc.value != entry.crc32 {
            throw DossierError("zip.crc", "CRC-32 is \(hex(out.crc.value)), the record says \(hex(entry.crc32))",
                               at: location)
        }
    }

    /// An entry's bytes in memory, for small members such as manifests.
    public func bytes(of entry: ZipEntry, limit: Int = 64 << 20) throws -> [UInt8] {
        guard entry.uncompressedSize <= UInt64(limit) else {
            throw DossierError("zip.too-large", "entry is \(entry.uncompressedSize) bytes, over the \(limit)-byte limit",
                               at: SourceLocation(file: path, entry: entry.name))
        }
        let sink = MemorySink()
        try read(entry, to: sink)
        return sink.bytes
    }

    /// Reads every entry and checks sizes and CRC-32s, keeping nothing (like `unzip -t`).
    public func verify() throws {
        let discard = DiscardSink()
        for entry in entries where !entry.isDirectory { try read(entry, to: discard) }
    }

    /// Extracts every entry into `stagingDirectory`, which must not exist yet.
    ///
    /// The directory is created mode 0700 and files are created `O_CREAT|O_EXCL|O_NOFOLLOW` with
    /// mode 0600 through descriptors opened `O_NOFOLLOW` component by component, so nothing can be
    /// redirected outside it; permissions in the archive are never applied. On any failure the
    /// staging directory is removed, so a rejected archive leaves nothing behind. Files are not
    /// fsynced: the importer verifies and commits the staged tree as a whole.
    public func extract(to stagingDirectory: String) throws {
        guard mkdir(stagingDirectory, 0o700) == 0 else {
            throw IOFailure.error("mkdir", path: stagingDirectory, errno: errno)
        }
        do {
            let root = open(stagingDirectory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard root >= 0 else { throw IOFailure.error("open", path: stagingDirectory, errno: errno) }
            defer { _ = close(root) }
            for entry in entries {
                var components = entry.name.split(separator: "/").map(String.init)
                let fileName = entry.isDirectory ? nil : components.removeLast()
                let dir = try openDirectory(root, components, staging: stagingDirectory)
                defer { _ = close(dir) }
                guard let fileName else { continue }
                let target = stagingDirectory + "/" + entry.name
                let fd = openat(dir, fileName, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw IOFailure.error("open", path: target, errno: errno) }
                let sink = FileSink(descriptor: fd, path: target, ownsDescriptor: true)
                try read(entry, to: sink)
                try sink.close()
            }
        } catch {
            try? FileManager.default.removeItem(atPath: stagingDirectory)
            throw error
        }
    }

    /// Opens (creating as needed) a directory below `root`, never following a symbolic link.
    private func openDirectory(_ root: Int32, _ components: [String], staging: String) throws -> Int32 {
        var current = dup(root)
        guard current >= 0 else { throw IOFailure.error("dup", path: staging, errno: errno) }
        var path = staging
        for component in components {
            path += "/" + component
            if mkdirat(current, component, 0o700) != 0 && errno != EEXIST {
                let e = errno
                _ = close(current)
                throw IOFailure.error("mkdir", path: path, errno: e)
            }
            let next = openat(current, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let e = errno
            _ = close(current)
            guard next >= 0 else { throw IOFailure.error("open", path: path, errno: e) }
            current = next
        }
        return current
    }
}

private func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - s.count) + s
}

/// Passes bytes on while counting and checksumming them, refusing any byte past `limit`.
private final class CheckedSink: ByteSink {
    private let target: any ByteSink
    private let limit: UInt64
    private let location: SourceLocation
    private(set) var count: UInt64 = 0
    private(set) var crc = CRC32()

    init(target: any ByteSink, limit: UInt64, at location: SourceLocation) {
        self.target = target; self.limit = limit; self.location = location
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard UInt64(bytes.count) <= limit - count else {
            throw DossierError("zip.size-mismatch", "entry inflates to more than its declared \(limit) bytes",
                               at: location)
        }
        count += UInt64(bytes.count)
        crc.update(bytes)
        try target.write(bytes)
    }
}

private final class DiscardSink: ByteSink {
    func write(_ bytes: UnsafeRawBufferPointer) throws {}
}

/// The checks run when an archive is opened, in the order that makes each failure cheapest.
private struct ArchiveValidator {
    let fd: Int32
    let path: String
    let limits: ZipLimits
    var fileSize: UInt64 = 0

    init(fd: Int32, path: String, limits: ZipLimits) {
        self.fd = fd; self.path = path; self.limits = limits
    }

    private struct Directory {
        var count: UInt64
        var size: UInt64
        var offset: UInt64
    }

    func fail(_ code: String, _ message: String, entry: String? = nil) -> DossierError {
        DossierError(code, message, at: SourceLocation(file: path, entry: entry))
    }

    func read(_ count: Int, at offset: UInt64) throws -> [UInt8] {
        guard offset <= fileSize, UInt64(count) <= fileSize - offset else {
            throw fail("zip.truncated", "a \(count)-byte record at offset \(offset) runs past the end of the \(fileSize)-byte file")
        }
        return try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            try preadFully(fd, into: UnsafeMutableRawBufferPointer(buffer), at: offset, path: path,
                           location: SourceLocation(file: path))
            initialized = count
        }
    }

    mutating func validate() throws -> ZipEntries {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw IOFailure.error("fstat", path: path, errno: errno) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw fail("zip.structure", "not a regular file") }
        fileSize = UInt64(st.st_size)
        let directory = try endRecords()
        var (names, records) = try centralDirectory(directory)
        try checkLocalHeaders(&records, names, directory)
        names.shareCommonPrefix()
        return ZipEntries(names: names, records: records)
    }

    /// Finds the end record in the last 65,557 bytes and, when present, the Zip64 end record.
    private func endRecords() throws -> Directory {
        guard fileSize >= UInt64(ZipConstant.endRecordSize) else {
            throw fail("zip.truncated", "file is \(fileSize) bytes, too short for a zip archive")
        }
        let window = min(fileSize, UInt64(ZipConstant.endSearchWindow))
        let tailStart = fileSize - window
        let tail = try read(Int(window), at: tailStart)
        var found: Int?
        var sawSignature = false
        tail.withUnsafeBytes { b in
            var i = b.count - ZipConstant.endRecordSize
            while i >= 0 {
                if b.u32(i) == ZipSignature.endOfCentralDirectory {
                    sawSignature = true
                    if Int(b.u16(i + 20)) == b.count - i - ZipConstant.endRecordSize { found = i; return }
                }
                i -= 1
            }
        }
        guard let found else {
            throw sawSignature
                ? fail("zip.structure", "bytes follow the end-of-central-directory record")
                : fail("zip.truncated", "no end-of-central-directory record: the file is truncated or not a zip")
        }
        let endOffset = tailStart + UInt64(found)
        var directory = tail.withUnsafeBytes {
            Directory(count: UInt64($0.u16(found + 10)), size: UInt64($0.u32(found + 12)), offset: UInt64($0.u32(found + 16)))
        }
        var directoryEnd = endOffset
        let locatorSize = UInt64(ZipConstant.zip64LocatorSize)
        if endOffset >= locatorSize,
           case let locatorOffset = endOffset - locatorSize,
           case let locator = try read(ZipConstant.zip64LocatorSize, at: locatorOffset),
           locator.withUnsafeBytes({ $0.u32(0) }) == ZipSignature.zip64Locator {
            try locator.withUnsafeBytes { l in
                if l.u32(4) != 0 || l.u32(16) > 1 { throw fail("zip.multidisk", "Zip64 archive spans several disks") }
                let recordOffset = l.u64(8)
                let recordSize = UInt64(ZipConstant.zip64EndRecordSize)
                guard recordOffset <= locatorOffset, locatorOffset - recordOffset >= recordSize else {
                    throw fail("zip.zip64", "Zip64 end record offset \(recordOffset) is outside the archive")
                }
                let record = try read(ZipConstant.zip64EndRecordSize, at: recordOffset)
                try record.withUnsafeBytes { r in
                    guard r.u32(0) == ZipSignature.zip64EndOfCentralDirectory,
                          r.u64(4) == locatorOffset - recordOffset - 12 else {
                        throw fail("zip.zip64", "no valid Zip64 end record at offset \(recordOffset)")
                    }
                    if r.u32(16) != 0 || r.u32(20) != 0 || r.u64(24) != r.u64(32) {
                        throw fail("zip.multidisk", "Zip64 archive spans several disks")
                    }
                    directory = Directory(count: r.u64(32), size: r.u64(40), offset: r.u64(48))
                }
                directoryEnd = recordOffset
            }
        } else {
            let spansDisks = tail.withUnsafeBytes { $0.u16(found + 4) != 0 || $0.u16(found + 6) != 0 || $0.u16(found + 8) != $0.u16(found + 10) }
            if spansDisks { throw fail("zip.multidisk", "archive spans several disks") }
        }
        guard directory.count <= UInt64(limits.maxEntries) else {
            throw fail("zip.too-many-entries", "archive declares \(directory.count) entries, over the \(limits.maxEntries)-entry limit")
        }
        guard directory.size <= UInt64(limits.maxCentralDirectorySize) else {
            throw fail("zip.too-large", "central directory is \(directory.size) bytes, over the \(limits.maxCentralDirectorySize)-byte limit")
        }
        guard directory.size <= directoryEnd, directory.offset == directoryEnd - directory.size else {
            throw fail("zip.structure", "central directory is not where the end record puts it (bytes prepended, inserted or missing)")
        }
        guard directory.count * UInt64(ZipConstant.centralHeaderSize) <= directory.size else {
            throw fail("zip.structure", "central directory is too small for \(directory.count) entries")
        }
        return directory
    }

    /// Parses and checks every central-directory record; nothing is read from entry data.
    private func centralDirectory(_ directory: Directory) throws -> (PackedNames, [ZipRecord]) {
        let cd = try read(Int(directory.size), at: directory.offset)
        var names = PackedNames()
        var records: [ZipRecord] = []
        records.reserveCapacity(Int(directory.count))
        names.reserve(names: Int(directory.count), bytes: cd.count - Int(directory.count) * ZipConstant.centralHeaderSize)
        var total: UInt64 = 0
        try cd.withUnsafeBytes { b in
            var pos = 0
            for index in 0..<Int(directory.count) {
                let recordOffset = directory.offset + UInt64(pos)
                var label = "central record #\(index) at offset \(recordOffset)"
                guard b.count - pos >= ZipConstant.centralHeaderSize, b.u32(pos) == ZipSignature.centralHeader else {
                    throw fail("zip.structure", "no central-directory record at offset \(recordOffset)")
                }
                let madeBy = b.u16(pos + 4), flags = b.u16(pos + 8), method = b.u16(pos + 10)
                let crc = b.u32(pos + 16)
                var compressed = UInt64(b.u32(pos + 20)), size = UInt64(b.u32(pos + 24))
                let nameLength = Int(b.u16(pos + 28)), extraLength = Int(b.u16(pos + 30))
                let commentLength = Int(b.u16(pos + 32))
                var disk = UInt32(b.u16(pos + 34))
                let external = b.u32(pos + 38)
                var headerOffset = UInt64(b.u32(pos + 42))
                let variable = nameLength + extraLength + commentLength
                guard b.count - pos - ZipConstant.centralHeaderSize >= variable else {
                    throw fail("zip.structure", "\(label) runs past the end of the central directory")
                }
                let nameStart = pos + ZipConstant.centralHeaderSize
                let nameBytes = Array(b[nameStart..<(nameStart + nameLength)])
                let name: String
                switch ZipName.check(nameBytes, limits: limits) {
                case .failure(let e): throw fail(e.code, "\(label): \(e.reason)")
                case .success(let n): name = n
                }
                label = "entry"
                let isDirectory = nameBytes.last == UInt8(ascii: "/")

                if flags & (ZipConstant.flagEncrypted | ZipConstant.flagStrongEncryption | ZipConstant.flagMaskedDirectory) != 0
                    || method == ZipConstant.methodAES {
                    throw fail("zip.encrypted", "entry is encrypted", entry: name)
                }
                guard method == ZipConstant.methodStored || method == ZipConstant.methodDeflate else {
                    throw fail("zip.method", "compression method \(method) is not stored (0) or deflate (8)", entry: name)
                }
                let extra = UnsafeRawBufferPointer(rebasing: b[(nameStart + nameLength)..<(nameStart + nameLength + extraLength)])
                try resolveZip64(extra, &size, &compressed, &headerOffset, &disk, entry: name)
                guard disk == 0 else { throw fail("zip.multidisk", "entry starts on disk \(disk)", entry: name) }

                if external & 0x400 != 0 { throw fail("zip.symlink", "entry is a reparse point (link)", entry: name) }
                // Unix hosts keep st_mode in the high half; p7zip marks the same with bit 15 on FAT hosts.
                if UInt8(madeBy >> 8) == ZipConstant.hostUnix || external & 0x8000 != 0 {
                    let type = (external >> 16) & UInt32(S_IFMT)
                    if type == UInt32(S_IFLNK) { throw fail("zip.symlink", "entry is a symbolic link", entry: name) }
                    let expected = UInt32(isDirectory ? S_IFDIR : S_IFREG)
                    if type != 0 && type != expected {
                        throw fail("zip.special-file", "entry is not a regular file or directory", entry: name)
                    }
                }
                if isDirectory && size != 0 {
                    throw fail("zip.structure", "directory entry declares \(size) bytes of data", entry: name)
                }
                if method == ZipConstant.methodStored && compressed != size {
                    throw fail("zip.size-mismatch", "stored entry declares \(compressed) stored and \(size) original bytes", entry: name)
                }
                let (ceiling, overflow) = compressed.multipliedReportingOverflow(by: limits.maxRatio)
                if size > limits.ratioAppliesAbove && !overflow && size > ceiling {
                    throw fail("zip.bomb-ratio", "entry expands \(compressed) bytes to \(size), beyond the \(limits.maxRatio):1 ratio limit", entry: name)
                }
                guard size <= limits.maxTotalUncompressedSize - total else {
                    throw fail("zip.too-large", "entries expand to more than the \(limits.maxTotalUncompressedSize)-byte limit", entry: name)
                }
                total += size
                if limits.rejectNestedArchives && !isDirectory && ZipName.isArchive(name) {
                    throw fail("zip.nested-archive", "entry is an archive; nested archives are not accepted", entry: name)
                }
                guard headerOffset < directory.offset else {
                    throw headerOffset >= fileSize
                        ? fail("zip.truncated", "local header offset \(headerOffset) is past the end of the file", entry: name)
                        : fail("zip.overlap", "local header offset \(headerOffset) is inside the central directory", entry: name)
                }
                let minimumEnd = headerOffset + UInt64(ZipConstant.localHeaderSize + nameLength)
                guard compressed <= fileSize, minimumEnd + compressed <= directory.offset else {
                    throw minimumEnd + min(compressed, fileSize) > fileSize
                        ? fail("zip.truncated", "entry data runs past the end of the file", entry: name)
                        : fail("zip.overlap", "entry data runs into the central directory", entry: name)
                }
                records.append(ZipRecord(uncompressedSize: size, compressedSize: compressed, localHeaderOffset: headerOffset,
                                         crc32: crc, method: method, flags: flags, isDirectory: isDirectory))
                names.append(nameBytes)
                pos = nameStart + variable
            }
            guard pos == b.count else {
                throw fail("zip.structure", "central directory has \(b.count - pos) bytes after its \(directory.count) records")
            }
        }
        if let (a, b, reason) = ZipNameCollision.first(in: names, isDirectory: { records[$0].isDirectory }) {
            throw fail("zip.duplicate-name", "\(reason) (see entry \(names.string(a)))", entry: names.string(b))
        }
        return (names, records)
    }

    /// Replaces 0xFFFFFFFF/0xFFFF fields with the Zip64 extra field's values, in APPNOTE order
    /// (§4.5.3: original size, compressed size, header offset, disk), present only when marked.
    private func resolveZip64(_ extra: UnsafeRawBufferPointer, _ size: inout UInt64, _ compressed: inout UInt64,
                              _ headerOffset: inout UInt64, _ disk: inout UInt32, entry: String) throws {
        var pos = 0
        var zip64: UnsafeRawBufferPointer?
        while pos < extra.count {
            guard extra.count - pos >= 4 else { throw fail("zip.structure", "malformed extra field", entry: entry) }
            let id = extra.u16(pos), length = Int(extra.u16(pos + 2))
            guard extra.count - pos - 4 >= length else { throw fail("zip.structure", "malformed extra field", entry: entry) }
            if id == ZipSignature.zip64ExtraID {
                zip64 = UnsafeRawBufferPointer(rebasing: extra[(pos + 4)..<(pos + 4 + length)])
            }
            pos += 4 + length
        }
        var at = 0
        func next(_ width: Int) throws -> UInt64 {
            guard let z = zip64, z.count - at >= width else {
                throw fail("zip.zip64", "Zip64 extra field is missing or too short", entry: entry)
            }
            defer { at += width }
            return width == 8 ? z.u64(at) : UInt64(z.u32(at))
        }
        if size == 0xFFFF_FFFF { size = try next(8) }
        if compressed == 0xFFFF_FFFF { compressed = try next(8) }
        if headerOffset == 0xFFFF_FFFF { headerOffset = try next(8) }
        if disk == 0xFFFF { disk = UInt32(try next(4)) }
    }

    /// Checks each local header against its central record, then that the entries tile the
    /// file from offset 0 to the central directory with neither overlap nor hidden bytes.
    private func checkLocalHeaders(_ records: inout [ZipRecord], _ names: PackedNames, _ directory: Directory) throws {
        // Visiting entries in file order lets one read-ahead window serve many small headers.
        let order = records.indices.sorted { records[$0].localHeaderOffset < records[$1].localHeaderOffset }
        var window = ReadWindow(validator: self, limit: directory.offset)
        var ranges: [(start: UInt64, end: UInt64, descriptor: Bool, index: Int)] = []
        ranges.reserveCapacity(records.count)
        for index in order {
            let entry = records[index]
            let fixed = try window.bytes(ZipConstant.localHeaderSize, at: entry.localHeaderOffset)
            let (nameLength, extraLength) = try fixed.withUnsafeBytes { h in
                guard h.u32(0) == ZipSignature.localHeader else {
                    throw fail("zip.header-mismatch", "no local header at offset \(entry.localHeaderOffset)", entry: names.string(index))
                }
                return (Int(h.u16(26)), Int(h.u16(28)))
            }
            let header = try window.bytes(ZipConstant.localHeaderSize + nameLength + extraLength, at: entry.localHeaderOffset)
            try header.withUnsafeBytes { h in
                let nameStart = ZipConstant.localHeaderSize
                try checkLocalHeader(h, name: UnsafeRawBufferPointer(rebasing: h[nameStart..<(nameStart + nameLength)]),
                                     extra: UnsafeRawBufferPointer(rebasing: h[(nameStart + nameLength)...]), entry, names, index)
            }
            let dataOffset = entry.localHeaderOffset + UInt64(header.count)
            guard entry.compressedSize <= directory.offset, dataOffset <= directory.offset - entry.compressedSize else {
                throw fail("zip.overlap", "entry data runs into the central directory", entry: names.string(index))
            }
            records[index].localExtraLength = UInt16(extraLength)
            ranges.append((entry.localHeaderOffset, dataOffset + entry.compressedSize,
                           entry.flags & ZipConstant.flagDataDescriptor != 0, index))
        }
        var expected: UInt64 = 0
        var previous: (end: UInt64, descriptor: Bool, index: Int)?
        let end: (start: UInt64, end: UInt64, descriptor: Bool, index: Int) = (directory.offset, directory.offset, false, -1)
        for range in ranges + [end] {
            if let previous, range.start < previous.end {
                let other = range.index < 0 ? "the central directory" : "entry \(names.string(range.index))"
                throw fail("zip.overlap", "entry data overlaps \(other) (possible zip bomb)", entry: names.string(previous.index))
            }
            let gap = range.start - expected
            // A data descriptor (APPNOTE §4.3.9) follows the data: 12 or 20 bytes, 4 more with its signature.
            if gap != 0 && !(previous?.descriptor == true && [12, 16, 20, 24].contains(gap)) {
                let at = previous.map { "after entry \(names.string($0.index))" } ?? "before the first entry"
                throw fail("zip.structure", "\(gap) unaccounted bytes \(at)")
            }
            expected = range.end
            previous = (range.end, range.descriptor, range.index)
        }
    }

    /// Name, method, encryption/descriptor/UTF-8 flags and (unless deferred to a data descriptor)
    /// CRC and sizes must agree between the local header and the central record.
    private func checkLocalHeader(_ h: UnsafeRawBufferPointer, name: UnsafeRawBufferPointer,
                                  extra: UnsafeRawBufferPointer, _ entry: ZipRecord, _ names: PackedNames, _ index: Int) throws {
        func mismatch(_ what: String) -> DossierError {
            fail("zip.header-mismatch", "local header \(what) differs from the central directory", entry: names.string(index))
        }
        guard name.elementsEqual(names[index]) else { throw mismatch("name") }
        guard h.u16(8) == entry.method else { throw mismatch("compression method") }
        let flagMask = ZipConstant.flagEncrypted | ZipConstant.flagDataDescriptor | ZipConstant.flagUTF8
        guard (h.u16(6) ^ entry.flags) & flagMask == 0 else { throw mismatch("flags") }
        var compressed = UInt64(h.u32(18)), size = UInt64(h.u32(22))
        var offset: UInt64 = 0, disk: UInt32 = 0
        try resolveZip64(extra, &size, &compressed, &offset, &disk, entry: names.string(index))
        let deferred = entry.flags & ZipConstant.flagDataDescriptor != 0
        func agrees(_ local: UInt64, _ central: UInt64) -> Bool { local == central || (deferred && local == 0) }
        guard agrees(UInt64(h.u32(14)), UInt64(entry.crc32)) else { throw mismatch("CRC-32") }
        guard agrees(compressed, entry.compressedSize), agrees(size, entry.uncompressedSize) else { throw mismatch("size") }
    }
}

/// Serves small reads below `limit` from one 64 KiB read-ahead buffer, so validating many local
/// headers packed together costs a few `pread` calls rather than two per entry.
private struct ReadWindow {
    let validator: ArchiveValidator
    let limit: UInt64
    private var start: UInt64 = 0
    private var buffer: [UInt8] = []

    init(validator: ArchiveValidator, limit: UInt64) {
        self.validator = validator
        self.limit = limit
    }

    mutating func bytes(_ count: Int, at offset: UInt64) throws -> ArraySlice<UInt8> {
        if offset < start || offset + UInt64(count) > start + UInt64(buffer.count) {
            guard offset < limit, UInt64(count) <= limit - offset else {
                throw validator.fail("zip.overlap", "local header at offset \(offset) runs into the central directory")
            }
            start = offset
            buffer = try validator.read(Int(min(limit - offset, UInt64(max(count, 64 * 1024)))), at: offset)
        }
        let from = Int(offset - start)
        return buffer[from..<(from + count)]
    }
}
