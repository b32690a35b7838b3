#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A folder only this process can read (mode 0700) for what must not outlive the run: spill files,
/// staged documents, a decrypted bundle, all of them health data.
///
/// Removed with everything in it by `remove()` or when released; and by `Interruption` when the
/// process is stopped by a signal, which skips every `defer` and `deinit`, or exits with the folder
/// still in use.
public final class PrivateFolder: Sendable {
    public let path: String

    /// Makes `parent/prefix-XXXXXX` with `mkdtemp`, which picks a name nobody else has.
    public init(under parent: String, prefix: String = "dossierport") throws {
        let base = parent.hasSuffix("/") ? String(parent.dropLast()) : parent
        _ = Interruption.exitHook
        path = try Interruption.register {
            var template = Array((base + "/" + prefix + "-XXXXXX").utf8CString)
            guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
                throw IOFailure.error("mkdtemp", path: parent, errno: errno)
            }
            let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
            return (path, path)
        }
    }

    /// Where private folders go unless told otherwise: `$TMPDIR`, or `/tmp`.
    public static var temporaryDirectory: String { getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp" }

    /// The path of a file in the folder.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Removes the folder and everything in it; later calls do nothing.
    public func remove() {
        guard Interruption.unregister(path) else { return }
        StagedDirectory.removeTree(path)
    }

    deinit { remove() }
}

/// What the process must remove if it is stopped: private folders, and the temporary files and
/// staging folders of output not yet in place.
///
/// A stopped process runs no `defer` or `deinit`, so without this an interrupted export would
/// leave health data in its spill folder and half-written files beside the output. `install()`
/// (called once, by an executable) has SIGINT, SIGTERM and SIGHUP stop the programs the process
/// started, remove every registered path and end the process with the usual 128 + signal status;
/// and it catches SIGPIPE and does nothing, so that writing to a reader that went away
/// (`dossierport export … | head`) is an error that unwinds, and so cleans up, rather than a
/// silent death.
///
/// The signals are caught, not ignored, so that programs the process starts (`sqlite3`) get the
/// default dispositions back at `exec`. A handler may only do async-signal-safe work, so it writes
/// the signal number to a pipe, and a thread waiting on the pipe does the removing.
public enum Interruption {
    /// The paths to remove, and whether they have been: a path registered after that (a folder
    /// another thread made while the process was being stopped) is removed at once.
    private static let paths = Locked<(registered: Set<String>, removed: Bool)>(([], false))
    private static let children = Locked<Set<Int32>>([])
    /// The pipe from the handlers to the waiting thread; set once, by `install()`, before any
    /// signal is caught.
    nonisolated(unsafe) private static var signalled: (read: Int32, write: Int32) = (-1, -1)

    public static func install() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        signalled = (fds[0], fds[1])
        var waiter = pthread_t()
        guard pthread_create(&waiter, nil, { _ in
            var sig: Int32 = 0
            while read(Interruption.signalled.read, &sig, 4) != 4 {}
            Interruption.stopChildren()
            Interruption.removeAll()
            _exit(128 + sig)
        }, nil) == 0 else { return }
        signal(SIGPIPE) { _ in }
        // A parent may start us with signals blocked (test runners do); they are ours to handle.
        var handled = sigset_t()
        sigemptyset(&handled)
        sigaddset(&handled, SIGPIPE)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            sigaddset(&handled, sig)
            signal(sig) { sig in
                var s = sig
                _ = write(Interruption.signalled.write, &s, 4)
            }
        }
        pthread_sigmask(SIG_UNBLOCK, &handled, nil)
    }

    /// Has whatever is still registered removed when the process exits: a private folder kept
    /// for the whole process (in a `static`) is never released, so its `deinit` never runs.
    static let exitHook: Void = { atexit { Interruption.removeAll() } }()

    /// A program the process started and waits for (`sqlite3` applying an import): a stopped
    /// run stops it too (SIGTERM), so that it does not go on and commit after the run has ended.
    public static func started(_ pid: Int32) { _ = children.withLock { $0.insert(pid) } }

    /// The program `pid` has ended; it is no longer stopped with the process.
    public static func ended(_ pid: Int32) { _ = children.withLock { $0.remove(pid) } }

    /// Sends SIGTERM to every program still registered.
    static func stopChildren() {
        for pid in children.withLock({ c in defer { c.removeAll() }; return c }) { kill(pid, SIGTERM) }
    }

    /// Removes every registered path now.
    ///
    /// Other threads may still be at work when a signal comes, making files in a spill folder as
    /// it is emptied: a file made after the listing would keep the folder from being removed. So
    /// each path is first renamed out of their way (a name they do not know), and what is under
    /// the new name is removed; the work left can no longer add to it.
    static func removeAll() {
        for path in paths.withLock({ p in defer { p = ([], true) }; return p.registered }) { removeAside(path) }
    }

    private static func removeAside(_ path: String) {
        let aside = path + ".removing"
        StagedDirectory.removeTree(rename(path, aside) == 0 ? aside : path)
    }

    /// Makes something at a path (`make` gives both) and registers the path with the list held,
    /// so that a stop cannot come between the two and leave it behind. Made after the process
    /// began to stop, it is removed at once.
    static func register<T>(_ make: () throws -> (T, path: String)) rethrows -> T {
        let (made, kept) = try paths.withLock { p in
            let (value, path) = try make()
            guard !p.removed else { return (value, path as String?) }
            p.registered.insert(path)
            return (value, nil)
        }
        if let late = kept { removeAside(late) }
        return made
    }

    /// False when `path` was not registered (already removed, or never registered).
    @discardableResult
    static func unregister(_ path: String) -> Bool { paths.withLock { $0.registered.remove(path) != nil } }

    /// Whether `path` would be removed if the process were stopped now.
    public static func isRegistered(_ path: String) -> Bool { paths.withLock { $0.registered.contains(path) } }
}
