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

/// The members of an archive in central-directory order, each rebuilt as a `ZipEntry` from its
/// central record only when asked for, so an archive of many entries stays compact.
///
/// The record is read again from the file; if that fails (the file changed or became unreadable
/// after it was validated), the subscript stops the program, as it has no way to throw. Code that
/// must survive that uses `ZipReader.entry(at:)`, which throws instead.
public struct ZipEntries: RandomAccessCollection, Sendable {
    let directory: CentralDirectory

    public var startIndex: Int { 0 }
    public var endIndex: Int { directory.count }

    public subscript(i: Int) -> ZipEntry {
        do { return try directory.entry(i) } catch { unreadable(error) }
    }
}

/// Stops the program when an entry cannot be read back by an API that cannot throw.
private func unreadable(_ error: any Error) -> Never {
    preconditionFailure("zip entry cannot be read back after validation: \(error)")
}

/// Reads untrusted zip archives without trusting any declared number.
///
/// Opening validates the whole archive structure before a single payload byte is produced: the
/// end records (Zip64 included), every central-directory record, every local header against its
/// central record, names, file types, limits, and that entries neither overlap nor hide bytes
/// between them (sorted ranges, O(n log n)). Reading then inflates with a hard stop one byte past
/// the declared size and checks the CRC-32 at the end. Access is by `pread` on one descriptor,
/// so memory does not grow with the archive, only with its entry count: eighteen bytes an entry
/// once open (`CentralDirectory` and the name index), a few more while opening.
///
/// Every failure is a `DossierError` located at the archive (and entry, where one is known) with
/// a stable code: `zip.truncated`, `zip.structure`, `zip.zip64`, `zip.multidisk`,
/// `zip.too-many-entries`, `zip.too-large`, `zip.name`, `zip.path-traversal`, `zip.symlink`,
/// `zip.special-file`, `zip.encrypted`, `zip.method`, `zip.duplicate-name`, `zip.nested-archive`,
/// `zip.bomb-ratio`, `zip.overlap`, `zip.header-mismatch`, `zip.size-mismatch`, `zip.crc`,
/// `zlib.inflate`, `zip.changed` (a central record differs from when it was validated), and
/// `io.*` for system calls.
public final class ZipReader {
    public let path: String
    public let entries: ZipEntries
    /// Name → position in `entries`; names are unique after validation, and a bundle of 20,000
    /// dossiers looks each one up, so a linear search would make verification quadratic.
    private let index: PackedNameIndex
    private let file: ArchiveFile

    public init(path: String, limits: ZipLimits = .default) throws {
        file = try ArchiveFile(path: path)
        var validator = ArchiveValidator(file: file, limits: limits)
        let directory = try validator.validate()
        index = try PackedNameIndex(directory)
        entries = ZipEntries(directory: directory)
        self.path = path
    }

    /// The entry named `name`, stopping the program if its record cannot be read back (see
    /// `ZipEntries`); `findEntry(named:)` throws instead.
    public func entry(named name: String) -> ZipEntry? {
        do { return try findEntry(named: name) } catch { unreadable(error) }
    }

    /// The entry named `name` (names match as Swift strings do), or nil when there is none.
    public func findEntry(named name: String) throws -> ZipEntry? {
        try index.first(name) { try entries.directory.entry($0, named: $1) }
    }

    /// Entry `i` of `entries`, failing if its central record cannot be read back unchanged.
    public func entry(at i: Int) throws -> ZipEntry {
        try entries.directory.entry(i)
    }

    /// Every entry in order, as `entry(at:)` gives them but read a megabyte of records at a time.
    public func forEachEntry(_ body: (ZipEntry) throws -> Void) throws {
        try entries.directory.forEachEntry { try body($1) }
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
            try preadFully(file.fd, into: chunk, at: position, path: path, location: location)
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
        try forEachEntry { entry in
            if !entry.isDirectory { try read(entry, to: discard) }
        }
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
            try forEachEntry { entry in
                var components = entry.name.split(separator: "/").map(String.init)
                let fileName = entry.isDirectory ? nil : components.removeLast()
                let dir = try openDirectory(root, components, staging: stagingDirectory)
                defer { _ = close(dir) }
                guard let fileName else { return }
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

/// The checks run when an archive is opened, in the order that makes each failure cheapest.
///
/// The central directory is streamed through a bounded window, and what checks across entries
/// need (names' hashes, local header offsets) is held in fixed-size arrays freed when the
/// archive is open; names themselves are read again only where hashes meet.
private struct ArchiveValidator {
    let file: ArchiveFile
    let limits: ZipLimits
    var fileSize: UInt64 = 0
    var path: String { file.path }

    init(file: ArchiveFile, limits: ZipLimits) {
        self.file = file; self.limits = limits
    }

    func fail(_ code: String, _ message: String, entry: String? = nil) -> DossierError {
        DossierError(code, message, at: SourceLocation(file: path, entry: entry))
    }

    func read(_ count: Int, at offset: UInt64) throws -> [UInt8] {
        guard offset <= fileSize, UInt64(count) <= fileSize - offset else {
            throw fail("zip.truncated", "a \(count)-byte record at offset \(offset) runs past the end of the \(fileSize)-byte file")
        }
        return try [UInt8](writingUpTo: count) { buffer, initialized in
            try file.read(into: UnsafeMutableRawBufferPointer(buffer), at: offset)
            initialized = count
        }
    }

    mutating func validate() throws -> CentralDirectory {
        var st = stat()
        guard fstat(file.fd, &st) == 0 else { throw IOFailure.error("fstat", path: path, errno: errno) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw fail("zip.structure", "not a regular file") }
        fileSize = UInt64(st.st_size)
        var directory = CentralDirectory(file: file, location: try endRecords())
        let headerOffsets = try checkRecords(&directory)
        if let (a, b, reason) = try ZipNameCollision.first(in: directory) {
            throw fail("zip.duplicate-name", "\(reason) (see entry \(try directory.name(a)))", entry: try directory.name(b))
        }
        try checkLocalHeaders(&directory, headerOffsets)
        return directory
    }

    /// Finds the end record in the last 65,557 bytes and, when present, the Zip64 end record.
    private func endRecords() throws -> DirectoryLocation {
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
            DirectoryLocation(count: UInt64($0.u16(found + 10)), size: UInt64($0.u32(found + 12)), offset: UInt64($0.u32(found + 16)))
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
                    directory = DirectoryLocation(count: r.u64(32), size: r.u64(40), offset: r.u64(48))
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

    /// Checks every central-directory record on its own (nothing is read from entry data) and
    /// adds it to `directory`; the local header offsets, by entry, for `checkLocalHeaders`.
    private func checkRecords(_ directory: inout CentralDirectory) throws -> [UInt64] {
        let location = directory.location
        var headerOffsets: [UInt64] = []
        headerOffsets.reserveCapacity(Int(location.count))
        var total: UInt64 = 0
        try directory.scan { index, relativeOffset, b in
            let record = CentralRecord(b)
            let label = "central record #\(index) at offset \(location.offset + relativeOffset)"
            let nameBytes = Array(b[record.nameRange])
            let name: String
            switch ZipName.check(nameBytes, limits: limits) {
            case .failure(let e): throw fail(e.code, "\(label): \(e.reason)")
            case .success(let n): name = n
            }
            let isDirectory = nameBytes.last == UInt8(ascii: "/")
            let flags = record.flags, method = record.method, external = record.externalAttributes

            if flags & (ZipConstant.flagEncrypted | ZipConstant.flagStrongEncryption | ZipConstant.flagMaskedDirectory) != 0
                || method == ZipConstant.methodAES {
                throw fail("zip.encrypted", "entry is encrypted", entry: name)
            }
            guard method == ZipConstant.methodStored || method == ZipConstant.methodDeflate else {
                throw fail("zip.method", "compression method \(method) is not stored (0) or deflate (8)", entry: name)
            }
            let resolved: (size: UInt64, compressed: UInt64, headerOffset: UInt64, disk: UInt32)
            do throws(ZipCheckError) { resolved = try record.resolved(b) } catch { throw fail(error.code, error.reason, entry: name) }
            let (size, compressed, headerOffset, disk) = resolved
            guard disk == 0 else { throw fail("zip.multidisk", "entry starts on disk \(disk)", entry: name) }

            if external & 0x400 != 0 { throw fail("zip.symlink", "entry is a reparse point (link)", entry: name) }
            // Unix hosts keep st_mode in the high half; p7zip marks the same with bit 15 on FAT hosts.
            if UInt8(record.madeBy >> 8) == ZipConstant.hostUnix || external & 0x8000 != 0 {
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
            guard headerOffset < location.offset else {
                throw headerOffset >= fileSize
                    ? fail("zip.truncated", "local header offset \(headerOffset) is past the end of the file", entry: name)
                    : fail("zip.overlap", "local header offset \(headerOffset) is inside the central directory", entry: name)
            }
            let minimumEnd = headerOffset + UInt64(ZipConstant.localHeaderSize + record.nameLength)
            guard compressed <= fileSize, minimumEnd + compressed <= location.offset else {
                throw minimumEnd + min(compressed, fileSize) > fileSize
                    ? fail("zip.truncated", "entry data runs past the end of the file", entry: name)
                    : fail("zip.overlap", "entry data runs into the central directory", entry: name)
            }
            directory.append(at: relativeOffset, record: UnsafeRawBufferPointer(rebasing: b[0..<record.keptLength]))
            headerOffsets.append(headerOffset)
        }
        return headerOffsets
    }

    /// Checks each local header against its central record, then that the entries tile the
    /// file from offset 0 to the central directory with neither overlap nor hidden bytes.
    ///
    /// Every header is checked before any tiling failure is reported, so the first tiling
    /// failure (in file order) is kept while the remaining headers are checked.
    private func checkLocalHeaders(_ directory: inout CentralDirectory, _ headerOffsets: [UInt64]) throws {
        // Visiting entries in file order lets one read-ahead window serve many small headers.
        let order = (0..<UInt32(headerOffsets.count)).sorted { headerOffsets[Int($0)] < headerOffsets[Int($1)] }
        let limit = directory.location.offset
        var window = ReadWindow(validator: self, limit: limit)
        var expected: UInt64 = 0
        var previous: (end: UInt64, descriptor: Bool, index: Int)?
        var tilingFailure: DossierError?
        /// Checks that the range `start..<end` follows the previous one (index -1: the directory).
        func tile(_ start: UInt64, _ end: UInt64, descriptor: Bool, index: Int) throws {
            guard tilingFailure == nil else { return }
            if let previous, start < previous.end {
                let other = index < 0 ? "the central directory" : "entry \(try directory.name(index))"
                tilingFailure = fail("zip.overlap", "entry data overlaps \(other) (possible zip bomb)", entry: try directory.name(previous.index))
                return
            }
            let gap = start - expected
            // A data descriptor (APPNOTE §4.3.9) follows the data: 12 or 20 bytes, 4 more with its signature.
            if gap != 0 && !(previous?.descriptor == true && [12, 16, 20, 24].contains(gap)) {
                let at = try previous.map { "after entry \(try directory.name($0.index))" } ?? "before the first entry"
                tilingFailure = fail("zip.structure", "\(gap) unaccounted bytes \(at)")
                return
            }
            expected = end
            previous = (end, descriptor, index)
        }
        var localExtraLengths = [UInt16](repeating: 0, count: directory.count)
        func visit(_ index: Int, _ entry: ZipEntry) throws {
            let fixed = try window.bytes(ZipConstant.localHeaderSize, at: entry.localHeaderOffset)
            let (nameLength, extraLength) = try fixed.withUnsafeBytes { h in
                guard h.u32(0) == ZipSignature.localHeader else {
                    throw fail("zip.header-mismatch", "no local header at offset \(entry.localHeaderOffset)", entry: entry.name)
                }
                return (Int(h.u16(26)), Int(h.u16(28)))
            }
            let header = try window.bytes(ZipConstant.localHeaderSize + nameLength + extraLength, at: entry.localHeaderOffset)
            try header.withUnsafeBytes { h in
                let nameStart = ZipConstant.localHeaderSize
                try checkLocalHeader(h, name: UnsafeRawBufferPointer(rebasing: h[nameStart..<(nameStart + nameLength)]),
                                     extra: UnsafeRawBufferPointer(rebasing: h[(nameStart + nameLength)...]), entry)
            }
            let dataOffset = entry.localHeaderOffset + UInt64(header.count)
            guard entry.compressedSize <= limit, dataOffset <= limit - entry.compressedSize else {
                throw fail("zip.overlap", "entry data runs into the central directory", entry: entry.name)
            }
            localExtraLengths[index] = UInt16(extraLength)
            try tile(entry.localHeaderOffset, dataOffset + entry.compressedSize,
                     descriptor: entry.flags & ZipConstant.flagDataDescriptor != 0, index: index)
        }
        // Entries usually lie in central-directory order: then the records are streamed, not
        // read one `pread` each. The order visited is the same (a stable sort of ordered offsets).
        if order.elementsEqual(0..<UInt32(order.count)) {
            try directory.forEachEntry(visit)
        } else {
            for position in order { try visit(Int(position), try directory.entry(Int(position))) }
        }
        try tile(limit, limit, descriptor: false, index: -1)
        if let tilingFailure { throw tilingFailure }
        directory.setLocalExtraLengths(localExtraLengths)
    }

    /// Name, method, encryption/descriptor/UTF-8 flags and (unless deferred to a data descriptor)
    /// CRC and sizes must agree between the local header and the central record.
    private func checkLocalHeader(_ h: UnsafeRawBufferPointer, name: UnsafeRawBufferPointer,
                                  extra: UnsafeRawBufferPointer, _ entry: ZipEntry) throws {
        func mismatch(_ what: String) -> DossierError {
            fail("zip.header-mismatch", "local header \(what) differs from the central directory", entry: entry.name)
        }
        guard name.elementsEqual(entry.name.utf8) else { throw mismatch("name") }
        guard h.u16(8) == entry.method else { throw mismatch("compression method") }
        let flagMask = ZipConstant.flagEncrypted | ZipConstant.flagDataDescriptor | ZipConstant.flagUTF8
        guard (h.u16(6) ^ entry.flags) & flagMask == 0 else { throw mismatch("flags") }
        var compressed = UInt64(h.u32(18)), size = UInt64(h.u32(22))
        var offset: UInt64 = 0, disk: UInt32 = 0
        do throws(ZipCheckError) { try resolveZip64(extra, &size, &compressed, &offset, &disk) } catch { throw fail(error.code, error.reason, entry: entry.name) }
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
