internal import DossierModel
internal import Foundation

/// Phase 1 over two threads: the reader checks lines on the calling thread while a second thread
/// routes and spills the lines it carried.
///
/// Reading (splitting, checking, validating UTF-8) and routing (link lookups, bucket choice,
/// spill writes) each take about half of phase 1, which otherwise runs on one core while the
/// other idles. Carried lines are copied into a batch that the routing thread hands to the
/// sieve's `carry` in input order; it decodes a line the sieve turns away, exactly as the
/// reader would have (see `CarriedLine`), and has the run's `take` account for it. Everything
/// else a reader asks or returns (a new statement's plan, a counted row, a decoded row) waits
/// until the routing thread has finished every line before it, so the run sees the same calls
/// in the same order as on one thread, and produces the same spill, account and errors.
///
/// Without `threaded`, `carry` is the sieve's own, on the calling thread.
final class AssemblyRelay: RowSieve, @unchecked Sendable {
    /// Bytes of carried lines after which a batch is handed over.
    static let batchBytes = 1 << 18

    private let sieve: any RowSieve
    /// Accounts for a line the sieve turned away, decoded (the run's `take`).
    private let take: (SourceRow) throws -> Void
    private let threaded: Bool

    /// Lines carried since the last plan, copied out of the reader's buffer.
    private struct Batch {
        var bytes: [UInt8] = []
        /// Per line: where its bytes and its fields' spans start, its length and line number.
        var lines: [(start: Int, fields: Int, count: Int, number: Int, ascii: Bool)] = []
        /// Probed fields' spans in `bytes`; a count of -1 is SQL NULL.
        var fields: [(start: Int, count: Int)] = []
        var probes = 0
        var numeric: [Bool] = []
        var table = "", columns: [String] = [], file = ""

        mutating func clear() {
            bytes.removeAll(keepingCapacity: true)
            lines.removeAll(keepingCapacity: true)
            fields.removeAll(keepingCapacity: true)
        }
    }

    /// The reader thread's side, behind a pointer so that carrying a line costs no exclusivity
    /// check on the relay's properties.
    private struct ReaderSide {
        var filling = Batch()
        /// Whether lines were carried since the routing thread was last known to be idle.
        var outstanding = false
        /// The statement the reader planned last, which lines carried from now on belong to.
        var statement = (table: "", columns: [String](), file: "")
        /// The routing thread's failure once the reader has seen it: thrown at every later drain,
        /// so that one swallowed where no error can be thrown (`plan`) is not lost.
        var failure: (any Error)?
    }

    private let reader: UnsafeMutablePointer<ReaderSide>

    private let condition = NSCondition()
    // Under `condition`:
    /// A batch handed over and not yet taken, and one the routing thread gave back for reuse.
    private var queued: Batch?
    private var spare: Batch?
    /// The routing thread is routing a batch.
    private var busy = false
    private var failure: (any Error)?
    private var stopping = false
    /// The routing thread has been started and has not stopped (it stops only when told to).
    private var running = false

    init(_ sieve: any RowSieve, threaded: Bool, take: @escaping (SourceRow) throws -> Void) {
        self.sieve = sieve
        self.take = take
        self.threaded = threaded
        reader = .allocate(capacity: 1)
        reader.initialize(to: ReaderSide())
    }

    deinit {
        reader.deinitialize(count: 1)
        reader.deallocate()
    }

    // MARK: Reader thread

    /// The reader's next decoded row, once every line carried before it is routed; a routing
    /// failure on an earlier line is thrown before the reader's own error on a later one.
    func next(_ source: any RowReader) throws -> SourceRow? {
        let row: SourceRow?
        do {
            row = try source.nextRow()
        } catch {
            try drain()
            throw error
        }
        try drain()
        return row
    }

    /// Returns once the routing thread has finished every carried line; throws its failure.
    func drain() throws {
        if reader.pointee.outstanding {
            if !reader.pointee.filling.lines.isEmpty { try hand() }
            condition.lock()
            while queued != nil || busy { condition.wait() }
            reader.pointee.failure = failure
            condition.unlock()
            reader.pointee.outstanding = false
        }
        if let error = reader.pointee.failure { throw error }
    }

    /// Stops the routing thread, and returns once it has stopped; call on every way out of a run.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    func plan(table: String, columns: [String], file: String) -> RowPlan {
        do {
            try drain()
        } catch {
            // Thrown by `next` at the statement's first row; the sieve is asked nothing more.
            return .decode
        }
        reader.pointee.statement = (table, columns, file)
        return sieve.plan(table: table, columns: columns, file: file)
    }

    func admit(_ fields: RawFields, line: Int) throws -> Bool {
        try drain()
        return try sieve.admit(fields, line: line)
    }

    func passOver(_ rows: Int) {
        sieve.passOver(rows)
    }

    func carry(_ fields: RawFields, line: Int, raw: CarriedLine) throws -> Bool {
        guard threaded else { return try sieve.carry(fields, line: line, raw: raw) }
        let r = reader
        if r.pointee.filling.lines.isEmpty {
            r.pointee.filling.probes = fields.count
            // A copy of its own: the reader retains and releases its array for every line, and
            // two threads counting on one object make each other wait.
            r.pointee.filling.numeric = raw.numeric.map { $0 }
            (r.pointee.filling.table, r.pointee.filling.columns, r.pointee.filling.file) = r.pointee.statement
        }
        let start = r.pointee.filling.bytes.count
        r.pointee.filling.lines.append((start, r.pointee.filling.fields.count, raw.bytes.count, line, raw.ascii))
        r.pointee.filling.bytes.append(contentsOf: raw.bytes)
        for i in 0..<fields.count {
            guard let f = fields[i] else { r.pointee.filling.fields.append((0, -1)); continue }
            // The reader's probed fields are slices of the line; anything else is copied.
            if let p = f.baseAddress, let l = raw.bytes.baseAddress, p >= l, p + f.count <= l + raw.bytes.count {
                r.pointee.filling.fields.append((start + (p - l), f.count))
            } else {
                r.pointee.filling.fields.append((r.pointee.filling.bytes.count, f.count))
                r.pointee.filling.bytes.append(contentsOf: f)
            }
        }
        r.pointee.outstanding = true
        if r.pointee.filling.bytes.count >= Self.batchBytes { try hand() }
        return false
    }

    /// Queues the filled batch for the routing thread (once it has taken the one before) and
    /// starts a new one; throws the routing thread's failure, so the reader stops early.
    private func hand() throws {
        condition.lock()
        if !running {
            running = true
            Thread { [self] in self.route() }.start()
        }
        while queued != nil { condition.wait() }
        queued = reader.pointee.filling
        reader.pointee.filling = spare ?? Batch()
        spare = nil
        condition.broadcast()
        let error = failure
        condition.unlock()
        if let error { throw error }
    }

    // MARK: Routing thread

    private func route() {
        let probed = UnsafeMutablePointer<UnsafeBufferPointer<UInt8>?>.allocate(capacity: SQLDumpReader.maxColumns)
        defer { probed.deallocate() }
        condition.lock()
        defer {
            running = false
            condition.broadcast()
            condition.unlock()
        }
        while true {
            while queued == nil && !stopping { condition.wait() }
            guard var batch = queued else { return }
            queued = nil
            busy = true
            let skip = failure != nil
            condition.broadcast()
            condition.unlock()
            var error: (any Error)?
            if !skip {
                do { try route(batch, probed) } catch let e { error = e }
            }
            batch.clear()
            condition.lock()
            if let error { failure = error }
            busy = false
            spare = batch
            condition.broadcast()
        }
    }

    private func route(_ batch: Batch, _ probed: UnsafeMutablePointer<UnsafeBufferPointer<UInt8>?>) throws {
        let fields = batch.fields, numeric = batch.numeric, probes = batch.probes
        try batch.bytes.withUnsafeBufferPointer { bytes in
            // Nil only when every line and field is empty.
            let base = bytes.baseAddress
            for line in batch.lines {
                for i in 0..<probes {
                    let f = fields[line.fields + i]
                    probed[i] = f.count < 0 ? nil : UnsafeBufferPointer(start: base.map { $0 + f.start }, count: f.count)
                }
                let raw = CarriedLine(bytes: UnsafeBufferPointer(start: base.map { $0 + line.start }, count: line.count),
                                      numeric: numeric, ascii: line.ascii)
                guard try sieve.carry(RawFields(probed, count: probes), line: line.number, raw: raw) else { continue }
                // Turned away: decoded as the reader would have, for `take` to account for.
                try take(SourceRow(dumpTable: batch.table, columns: batch.columns,
                                       values: CarriedLine.values(raw.bytes, numeric: raw.numeric),
                                       file: batch.file, line: line.number))
            }
        }
    }
}
