#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DossierModel

/// An output folder that appears under its final name only when everything in it is complete.
///
/// Commands that write many files (one dossier per file, an unpacked bag) write into a hidden
/// sibling folder and rename it into place at the end, then fsync the parent: a failed or killed
/// run leaves no partial output under the name the user asked for, and an interrupted one (see
/// `Interruption`) not even the hidden folder.
public final class StagedDirectory {
    public let finalPath: String
    /// Where files are written until `commit()`.
    public let stagingPath: String
    private var committed = false

    /// Refuses an existing non-empty destination, so a run never mixes old and new files.
    public init(finalPath: String) throws {
        var path = finalPath
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        self.finalPath = path
        if let entries = try? FileSystem.list(path, includeHidden: true), !entries.isEmpty {
            throw DossierError("output.exists", "output folder exists and is not empty; choose a new folder",
                               at: SourceLocation(file: path))
        }
        let (dir, name) = AtomicFile.split(path)
        stagingPath = dir + "/.\(name).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let staging = stagingPath
        _ = try Interruption.register { (try valueOrErrno("mkdir", staging) { mkdir(staging, 0o755) }, staging) }
    }

    deinit {
        if !committed {
            Interruption.unregister(stagingPath)
            Self.removeTree(stagingPath)
        }
    }

    /// The staging path of a file inside the folder, creating intermediate folders.
    public func path(for relative: String) throws -> String {
        guard isSafeRelativePath(relative) else {
            throw DossierError("output.path", "refusing unsafe relative path", at: SourceLocation(file: relative))
        }
        var dir = stagingPath
        for part in relative.split(separator: "/").dropLast() {
            dir += "/" + part
            if mkdir(dir, 0o755) != 0 && errno != EEXIST {
                throw IOFailure.error("mkdir", path: dir, errno: errno)
            }
        }
        return stagingPath + "/" + relative
    }

    /// Writes one file inside the folder, atomically and fsynced.
    public func write<R>(_ relative: String, _ body: (FileSink) throws -> R) throws -> R {
        try AtomicFile.write(to: try path(for: relative), body)
    }

    /// Renames the staging folder to its final name and fsyncs the parent directory.
    public func commit() throws {
        let (dir, _) = AtomicFile.split(finalPath)
        // An empty destination folder may exist (created by the user); rename replaces it.
        if (try? FileSystem.list(finalPath, includeHidden: true))?.isEmpty == true { _ = rmdir(finalPath) }
        try valueOrErrno("rename", finalPath) { rename(stagingPath, finalPath) }
        committed = true
        Interruption.unregister(stagingPath)
        let dirfd = try valueOrErrno("open", dir) { open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        defer { _ = close(dirfd) }
        try valueOrErrno("fsync", dir) { fsync(dirfd) }
    }

    /// Removes a folder tree we created ourselves; symlinks are unlinked, never followed.
    public static func removeTree(_ path: String) {
        guard let names = try? FileSystem.list(path, includeHidden: true) else { _ = unlink(path); return }
        for n in names {
            let p = path + "/" + n
            var st = stat()
            if lstat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { removeTree(p) } else { _ = unlink(p) }
        }
        _ = rmdir(path)
    }
}
