#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DossierModel

/// Writes a file so that its final name holds either nothing, the old content, or all of the new.
///
/// The recipe (reliability.md §5): a temporary file created `O_EXCL|O_NOFOLLOW` in the target
/// directory, written, fsynced, closed, renamed over the final name, then the directory fsynced.
/// Foundation's atomic write skips the directory fsync, so a power cut could lose the rename.
/// On any failure the temporary file is removed and nothing appears under the final name.
public enum AtomicFile {
    /// Writes `path` through `body`, which receives a sink on the temporary file.
    @discardableResult
    public static func write<R>(to path: String, mode: UInt32 = 0o644, _ body: (FileSink) throws -> R) throws -> R {
        let pending = try PendingFile(path: path, mode: mode)
        let result = try body(pending.sink)
        try pending.commit()
        return result
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(_ bytes: [UInt8], to path: String, mode: UInt32 = 0o644) throws {
        try write(to: path, mode: mode) { try $0.write(bytes) }
    }

    /// The folder and file name of a path; `.` for a bare name.
    public static func split(_ path: String) -> (dir: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let dir = String(path[..<slash])
        return (dir.isEmpty ? "/" : dir, String(path[path.index(after: slash)...]))
    }
}

/// Where command output goes: a file written atomically, or standard output for `-`.
public enum Output {
    public static func write<R>(to path: String, _ body: (FileSink) throws -> R) throws -> R {
        if path == "-" {
            let sink = FileSink.standardOutput()
            let r = try body(sink)
            try sink.flush()
            return r
        }
        return try AtomicFile.write(to: path, body)
    }
}

/// A file being written under a temporary name, for writers that outlive one call (a stream of
/// dossiers). Dropped without `commit()`, it removes its temporary file.
public final class PendingFile {
    public let path: String
    public let sink: FileSink
    private let dirfd: Int32
    private let dir: String
    private let tmpName: String
    private var done = false

    public init(path: String, mode: UInt32 = 0o644) throws {
        self.path = path
        let (dir, name) = AtomicFile.split(path)
        self.dir = dir
        dirfd = try valueOrErrno("open", dir) { open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        tmpName = ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let tmpPath = dir + "/" + tmpName
        let fd: Int32
        do {
            let (directory, file) = (dirfd, tmpName)
            fd = try Interruption.register {
                (try valueOrErrno("open", tmpPath) {
                    openat(directory, file, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, mode_t(mode))
                }, tmpPath)
            }
        } catch {
            _ = close(dirfd)
            throw error
        }
        sink = FileSink(descriptor: fd, path: tmpPath, ownsDescriptor: true)
    }

    /// fsync, close, rename over the final name, fsync the directory. An fsync error is final.
    public func commit() throws {
        precondition(!done, "commit called twice")
        done = true
        do {
            try sink.sync()
            try sink.close()
            try valueOrErrno("rename", path) { renameat(dirfd, tmpName, dirfd, AtomicFile.split(path).name) }
            Interruption.unregister(sink.path)
            try valueOrErrno("fsync", dir) { fsync(dirfd) }
        } catch {
            _ = unlinkat(dirfd, tmpName, 0)
            Interruption.unregister(sink.path)
            throw error
        }
    }

    deinit {
        if !done {
            _ = try? sink.close()
            _ = unlinkat(dirfd, tmpName, 0)
            Interruption.unregister(sink.path)
        }
        _ = close(dirfd)
    }
}
