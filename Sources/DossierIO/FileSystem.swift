#if canImport(Glibc)
import Glibc
#endif
import DossierModel

/// The few file-system questions the pipelines ask, answered with POSIX calls in one place.
public enum FileSystem {
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    /// The names in a folder, without `.` and `..`; hidden names only when asked for.
    public static func list(_ path: String, includeHidden: Bool = false) throws -> [String] {
        guard let d = opendir(path) else { throw IOFailure.error("opendir", path: path, errno: errno) }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." && (includeHidden || !name.hasPrefix(".")) { names.append(name) }
        }
        return names
    }
}
