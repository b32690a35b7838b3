import Foundation

/// Works out `body(i)` for `0..<count` on several threads, a chunk ahead of a caller who takes the
/// results one at a time in order.
///
/// Decoding, validating and rendering a dossier is the whole cost of importing one, and dossiers
/// are independent; what the caller does with each result (merge problems, write the script)
/// must stay in export.json order. While the caller takes chunk k, the threads work on chunk k+1,
/// so at most two chunks of results are held.
final class OrderedWork<T>: @unchecked Sendable {
    private let count: Int
    private let chunk: Int
    private let workers: Int
    private let body: @Sendable (_ index: Int, _ worker: Int) -> T
    private let group = DispatchGroup()
    /// The chunk being worked on, written by the worker threads at distinct indices.
    private var computing: UnsafeMutableBufferPointer<T?>
    /// The chunk the caller takes from.
    private var ready: UnsafeMutableBufferPointer<T?>
    private var position = 0

    /// `body` is given the index and which of the `workers` threads (0-based) runs it, so it can
    /// use per-thread state.
    init(count: Int, chunk: Int = 16, workers: Int, _ body: @escaping @Sendable (_ index: Int, _ worker: Int) -> T) {
        self.count = count; self.chunk = chunk; self.workers = max(1, workers); self.body = body
        computing = .allocate(capacity: chunk)
        computing.initialize(repeating: nil)
        ready = .allocate(capacity: chunk)
        ready.initialize(repeating: nil)
        if count > 0 { start(at: 0) }
    }

    deinit {
        group.wait()
        for buffer in [computing, ready] {
            _ = buffer.deinitialize()
            buffer.deallocate()
        }
    }

    private func start(at first: Int) {
        let end = min(first + chunk, count)
        group.enter()
        DispatchQueue.global(qos: .userInitiated).async { [body, workers] in
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var i = first + w
                while i < end {
                    self.computing[i - first] = body(i, w)
                    i += workers
                }
            }
            self.group.leave()
        }
    }

    /// The next result in order; call exactly `count` times.
    func next() -> T {
        precondition(position < count, "OrderedWork.next past the end")
        let slot = position % chunk
        if slot == 0 {
            group.wait()
            swap(&computing, &ready)
            if position + chunk < count { start(at: position + chunk) }
        }
        position += 1
        let value = ready[slot]!
        ready[slot] = nil
        return value
    }
}
