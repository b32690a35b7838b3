#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A value that threads share, behind a pthread mutex.
///
/// Not the standard library's `Mutex`: on Linux that waits on a futex inside the (uninstrumented)
/// standard library, where ThreadSanitizer, which CI runs over the threaded parts, cannot see the
/// ordering it gives, and reports every guarded access as a race. A pthread mutex it sees through
/// its interceptors. What it guards here happens rarely (a folder made or removed, a child
/// started, a listing made once).
package final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    package init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
