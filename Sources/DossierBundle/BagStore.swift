#if canImport(Glibc)
import Glibc
#endif
import DossierModel
public import DossierIO

/// Read access to the files of a bag, wherever it lies: a zip or an unpacked folder.
///
/// Verification is written once against this, so a zipped bundle and a folder made by bagit.py
/// are judged by the same code. Implementations must allow concurrent `read`s (hashing uses every core).
public protocol BagStore: AnyObject, Sendable {
    /// Names the bag in messages (the zip or folder path).
    var location: String { get }
    /// Every regular file, as a path relative to the bag root, with its size, one at a time.
    ///
    /// One at a time rather than as a dictionary: a path `String` per file, kept for the whole
    /// check, was most of what a bundle of many dossiers cost in memory.
    func forEachFile(_ body: (_ path: String, _ size: UInt64) throws -> Void) throws
    func read(_ path: String, to sink: any ByteSink) throws
    /// The size of the regular file at `path` (relative to the bag root, as `forEachFile` names
    /// it), or nil when the bag holds no such file.
    func fileSize(_ path: String) -> UInt64?
}

extension BagStore {
    /// A file read whole (a tag file, a dossier), refusing anything over `limit` bytes: by its
    /// declared size before a byte is read, and by what it gives, should the declaration lie.
    /// `raisedBy` names the option that raises the limit, for the message.
    public func bytes(_ path: String, limit: Int = 16 << 20, raisedBy option: String? = nil) throws -> [UInt8] {
        let sink = LimitedMemorySink(limit: limit, option: option, at: SourceLocation(file: location, entry: path))
        if let size = fileSize(path) {
            guard size <= UInt64(limit) else { throw sink.tooLarge() }
            sink.bytes.reserveCapacity(Int(size))
        }
        try read(path, to: sink)
        return sink.bytes
    }
}

/// A bag inside a zip: at the top, or in a single top-level folder as `zip -r bag.zip bag/` makes it.
///
/// Unchecked `Sendable`: the reader's state is fixed after it validated the central directory, and
/// each `read` uses `pread` with its own buffers, so concurrent reads do not interfere.
public final class ZipBagStore: BagStore, @unchecked Sendable {
    public let reader: ZipReader
    /// The folder prefix of the bag inside the zip, with a trailing slash, or empty.
    public let prefix: String
    public var location: String { reader.path }

    public init(reader: ZipReader) throws {
        self.reader = reader
        if try reader.findEntry(named: "bagit.txt") != nil {
            prefix = ""
        } else {
            var tops: Set<String> = []
            try reader.forEachEntry { e in
                guard tops.count < 2, !e.isDirectory else { return }
                if let top = e.name.split(separator: "/", maxSplits: 1).first { tops.insert(String(top)) }
            }
            guard tops.count == 1, let top = tops.first, try reader.findEntry(named: top + "/bagit.txt") != nil else {
                throw DossierError("bag.not-a-bag", "no bagit.txt at the top of the zip or in its single top-level folder",
                                   at: SourceLocation(file: reader.path))
            }
            prefix = top + "/"
        }
    }

    public func forEachFile(_ body: (_ path: String, _ size: UInt64) throws -> Void) throws {
        try reader.forEachEntry { e in
            guard !e.isDirectory else { return }
            guard e.name.hasPrefix(prefix) else {
                throw DossierError("bag.outside", "entry lies outside the bag folder", at: SourceLocation(file: reader.path, entry: e.name))
            }
            try body(prefix.isEmpty ? e.name : String(e.name.dropFirst(prefix.count)), e.uncompressedSize)
        }
    }

    /// The size, or nil also when the entry cannot be read back (then `read` reports why).
    public func fileSize(_ path: String) -> UInt64? {
        guard let e = try? reader.findEntry(named: prefix + path), !e.isDirectory else { return nil }
        return e.uncompressedSize
    }

    public func read(_ path: String, to sink: any ByteSink) throws {
        guard let e = try reader.findEntry(named: prefix + path) else {
            throw DossierError("bag.missing-file", "file is not in the bag", at: SourceLocation(file: reader.path, entry: path))
        }
        try reader.read(e, to: sink)
    }
}

/// An unpacked bag folder. Symbolic links and special files are refused, not followed.
///
/// The folder is walked once, on first use, and its files kept packed: every later question
/// (is this file there, how large) is answered from that one walk, as the zip's are from its
/// central directory.
public final class FolderBagStore: BagStore {
    public let location: String
    private let listing = Locked<Result<Listing, any Error>?>(nil)

    private struct Listing {
        var paths = PackedNames()
        var sizes: [UInt64] = []
        var index: PackedNameIndex?
    }

    public init(path: String) { location = path }

    private func files() throws -> Listing {
        try listing.withLock { cached in
            if let cached { return try cached.get() }
            let result = Result<Listing, any Error> {
                var out = Listing()
                try walk("", into: &out)
                out.index = try PackedNameIndex(out.paths)
                return out
            }
            cached = result
            return try result.get()
        }
    }

    public func forEachFile(_ body: (_ path: String, _ size: UInt64) throws -> Void) throws {
        let l = try files()
        for i in 0..<l.paths.count { try body(l.paths.string(i), l.sizes[i]) }
    }

    private func walk(_ relative: String, into out: inout Listing) throws {
        let dir = relative.isEmpty ? location : location + "/" + relative
        for name in try FileSystem.list(dir, includeHidden: true) {
            let rel = relative.isEmpty ? name : relative + "/" + name
            var st = stat()
            guard lstat(location + "/" + rel, &st) == 0 else { throw IOFailure.error("lstat", path: location + "/" + rel, errno: errno) }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: try walk(rel, into: &out)
            case S_IFREG: out.paths.append(rel.utf8); out.sizes.append(UInt64(st.st_size))
            default:
                throw DossierError("bag.special-file", "symbolic links and special files are not allowed in a bag",
                                   at: SourceLocation(file: location, entry: rel))
            }
        }
    }

    public func fileSize(_ path: String) -> UInt64? {
        guard let l = try? files(), let i = try? l.index?.find(path, in: l.paths) else { return nil }
        return l.sizes[i]
    }

    public func read(_ path: String, to sink: any ByteSink) throws {
        guard isSafeRelativePath(path) else {
            throw DossierError("bag.path", "path is not a safe relative path", at: SourceLocation(file: location, entry: path))
        }
        let full = location + "/" + path
        var st = stat()
        guard lstat(full, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw DossierError("bag.missing-file", "file is not in the bag (or is not a regular file)", at: SourceLocation(file: location, entry: path))
        }
        let reader = try ByteReader(path: full)
        while let chunk = try reader.nextChunk() { try sink.write(chunk) }
    }
}

/// Collects bytes up to a limit; beyond it, the read fails instead of allocating without bound.
final class LimitedMemorySink: ByteSink {
    var bytes: [UInt8] = []
    let limit: Int
    let option: String?
    let at: SourceLocation

    init(limit: Int, option: String?, at: SourceLocation) { self.limit = limit; self.option = option; self.at = at }

    func tooLarge() -> DossierError {
        DossierError("bag.too-large", "file is larger than the \(limit)-byte limit for a file read whole" + (option.map { " (\($0) raises it)" } ?? ""), at: at)
    }

    func write(_ b: UnsafeRawBufferPointer) throws {
        guard bytes.count + b.count <= limit else { throw tooLarge() }
        bytes.append(contentsOf: b)
    }
}
