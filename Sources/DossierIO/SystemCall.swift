#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
public import DossierModel

/// The one place a failing POSIX call becomes a Swift error, keeping the call's name and errno.
///
/// Every file operation in Dossierport goes through here, so an error message always says which
/// call failed on which path and why (ENOSPC, EIO…), and never retries an fsync (fsyncgate).
@discardableResult
func valueOrErrno<T: BinaryInteger>(_ call: String, _ path: String, _ body: () -> T) throws -> T {
    while true {
        let r = body()
        if r >= 0 { return r }
        let e = errno
        if e == EINTR && call != "close" && call != "fsync" { continue }
        throw IOFailure.error(call, path: path, errno: e)
    }
}

/// Builds the error for a failed system call: `path: error: open failed: No such file or directory`.
public enum IOFailure {
    public static func error(_ call: String, path: String, errno e: Int32) -> DossierError {
        if e == EPIPE {
            return DossierError("io.\(call)", "the output was closed by the program reading it (broken pipe)", at: SourceLocation(file: path))
        }
        return DossierError("io.\(call)", "\(call) failed: \(String(cString: strerror(e))) (errno \(e))",
                            at: SourceLocation(file: path))
    }
}
