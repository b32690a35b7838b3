import Foundation

/// Works out `body(input)` for a run of inputs on several threads, a chunk ahead of a caller who
/// takes the results one at a time in order.
///
/// Decoding, validating and rendering a dossier is the whole cost of importing one, and dossiers
/// are independent; what the caller does with each result (merge problems, write the script)
/// must stay in export.json order. While the caller takes chunk k, the threads work on chunk k+1,
/// so at most two chunks of inputs and results are held. Inputs are drawn from `inputs` on the
/// caller's thread, a chunk at a time, so a list read from disk is never held whole either.
final class OrderedWork<Input: Sendable, T>: @unchecked Sendable {
    private let chunk: Int
    private let workers: Int
    private let inputs: () throws -> Input?
    private let body: @Sendable (_ input: Input, _ worker: Int) -> T
    private let group = DispatchGroup()
    /// The chunk being worked on, written by the worker threads at distinct indices.
    private var computing: UnsafeMutableBufferPointer<(Input, T)?>
    /// The chunk the caller takes from.
    private var ready: UnsafeMutableBufferPointer<(Input, T)?>
    private var computingCount = 0, readyCount = 0
    private var position = 0
    private var exhausted = false

    /// `body` is given each input and which of the `workers` threads (0-based) runs it, so it can
    /// use per-thread state. `inputs` returns nil after the last input; an error it throws is
    /// thrown by `next()` once the results before it were taken.
    init(chunk: Int = 16, workers: Int, inputs: @escaping () throws -> Input?,
         _ body: @escaping @Sendable (_ input: Input, _ worker: Int) -> T) {
        self.chunk = chunk; self.workers = max(1, workers); self.inputs = inputs; self.body = body
        computing = .allocate(capacity: chunk)
        computing.initialize(repeating: nil)
        ready = .allocate(capacity: chunk)
        ready.initialize(repeating: nil)
        start()
    }

    deinit {
        group.wait()
        for buffer in [computing, ready] {
            _ = buffer.deinitialize()
            buffer.deallocate()
        }
    }

    private var failure: (any Error)?

    /// Draws the next chunk of inputs and sets the threads to work on it.
    private func start() {
        var batch: [Input] = []
        batch.reserveCapacity(chunk)
        do {
            while !exhausted && batch.count < chunk {
                if let input = try inputs() { batch.append(input) } else { exhausted = true }
            }
        } catch {
            exhausted = true
            failure = error
        }
        computingCount = batch.count
        guard !batch.isEmpty else { return }
        group.enter()
        DispatchQueue.global(qos: .userInitiated).async { [body, workers, batch] in
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var i = w
                while i < batch.count {
                    self.computing[i] = (batch[i], body(batch[i], w))
                    i += workers
                }
            }
            self.group.leave()
        }
    }

    /// The next input and its result, in order; nil after the last.
    func next() throws -> (input: Input, result: T)? {
        if position == readyCount {
            group.wait()
            swap(&computing, &ready)
            (readyCount, position) = (computingCount, 0)
            guard readyCount > 0 else {
                if let failure { self.failure = nil; throw failure }
                return nil
            }
            start()
        }
        let value = ready[position]!
        ready[position] = nil
        position += 1
        return value
    }
}
