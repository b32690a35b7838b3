import DossierIO
import DossierModel
import Foundation
import Testing

/// The lock that shared state in the library sits behind; CI also runs this under ThreadSanitizer.
@Suite struct LockedTests {
    /// Four threads adding 20,000 each to one counter and one set lose nothing.
    @Test func concurrentUpdatesAreAllKept() {
        let shared = Locked((count: 0, seen: Set<Int>()))
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for i in 0..<20_000 {
                shared.withLock { s in
                    s.count += 1
                    s.seen.insert(t * 20_000 + i)
                }
            }
        }
        #expect(shared.withLock { $0.count } == 80_000)
        #expect(shared.withLock { $0.seen.count } == 80_000)
    }

    /// A throwing body leaves the lock free and the value as the body left it.
    @Test func aThrowingBodyUnlocks() {
        let shared = Locked(1)
        #expect(throws: DossierError.self) {
            try shared.withLock { v in
                v = 2
                throw DossierError("test.stop", "stop")
            }
        }
        #expect(shared.withLock { $0 } == 2)
    }
}
