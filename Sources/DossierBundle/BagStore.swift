#if canImport(Glibc)
import Glibc
#endif
public import DossierModel
public import DossierIO

/// Read access to the files of a bag, wherever it lies: a zip or an unpacked folder.
///
/// Verification is written once against this, so a zipped bundle and a folder made by bagit.py
/// are judged by the same code. Implementations must allow concurrent `read`s (hashing uses every core).
public protocol BagStore: AnyObject, Sendable {
    /// Names the bag in messages (the zip or folder path).
    var location: String { get }
    /// Every regular file, as a path relative to the bag root, with its size.
    func files() throws -> [String: UInt64]
    func read(_ path: String, to sink: any ByteSink) throws
    /// The size a file says it has, when known without reading it: a reader of a whole file
    /// allocates it once instead of doubling its buffer (a payload manifest is a line per file).
    func declaredSize(_ path: String) -> UInt64?
}

extension BagStore {
    /// A small file (a tag file) in memory, refusing anything over `limit` bytes.
    public func bytes(_ path: String, limit: Int = 16 << 20) throws -> [UInt8] {
        let sink = LimitedMemorySink(limit: limit, at: SourceLocation(file: location, entry: path))
        if let size = declaredSize(path) { sink.bytes.reserveCapacity(Int(min(size, UInt64(limit)))) }
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
        let names = reader.entries.filter { !$0.isDirectory }.map(\.name)
        if names.contains("bagit.txt") {
            prefix = ""
        } else {
            let tops = Set(names.compactMap { $0.split(separator: "/", maxSplits: 1).first.map(String.init) })
            guard tops.count == 1, let top = tops.first, names.contains(top + "/bagit.txt") else {
                throw DossierError("bag.not-a-bag", "no bagit.txt at the top of the zip or in its single top-level folder",
                                   at: SourceLocation(file: reader.path))
            }
            prefix = top + "/"
        }
    }

    public func files() throws -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        for e in reader.entries where !e.isDirectory {
            guard e.name.hasPrefix(prefix) else {
                throw DossierError("bag.outside", "entry lies outside the bag folder", at: SourceLocation(file: reader.path, entry: e.name))
            }
            out[prefix.isEmpty ? e.name : String(e.name.dropFirst(prefix.count))] = e.uncompressedSize
        }
        return out
    }

    public func declaredSize(_ path: String) -> UInt64? { reader.entry(named: prefix + path)?.uncompressedSize }

    public func read(_ path: String, to sink: any ByteSink) throws {
        guard let e = reader.entry(named: prefix + path) else {
            throw DossierError("bag.missing-file", "file is not in the bag", at: SourceLocation(file: reader.path, entry: path))
        }
        try reader.read(e, to: sink)
    }
}

/// An unpacked bag folder. Symbolic links and special files are refused, not followed.
public final class FolderBagStore: BagStore {
    public let location: String

    public init(path: String) { location = path }

    public func files() throws -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        try walk("", into: &out)
        return out
    }

    private func walk(_ relative: String, into out: inout [String: UInt64]) throws {
        let dir = relative.isEmpty ? location : location + "/" + relative
        for name in try FileSystem.list(dir, includeHidden: true) {
            let rel = relative.isEmpty ? name : relative + "/" + name
            var st = stat()
            guard lstat(location + "/" + rel, &st) == 0 else { throw IOFailure.error("lstat", path: location + "/" + rel, errno: errno) }
            switch st.st_mode & S_IFMT {
            case S_IFDIR: try walk(rel, into: &out)
            case S_IFREG: out[rel] = UInt64(st.st_size)
            default:
                throw DossierError("bag.special-file", "symbolic links and special files are not allowed in a bag",
                                   at: SourceLocation(file: location, entry: rel))
            }
        }
    }

    public func declaredSize(_ path: String) -> UInt64? {
        var st = stat()
        guard isSafeRelativePath(path), lstat(location + "/" + path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        return UInt64(st.st_size)
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
    let at: SourceLocation

    init(limit: Int, at: SourceLocation) { self.limit = limit; self.at = at }

    func write(_ b: UnsafeRawBufferPointer) throws {
        guard bytes.count + b.count <= limit else {
            throw DossierError("bag.too-large", "file is larger than the \(limit)-byte limit for tag files", at: at)
        }
        bytes.append(contentsOf: b)
    }
}
