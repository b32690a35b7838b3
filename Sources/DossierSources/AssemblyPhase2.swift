#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import DossierModel
internal import DossierIO
internal import Foundation

/// What assembling one client produced, handed from the worker that built it to the thread that
/// keeps the account and emits, which replays it in bucket order.
struct ClientResult: Sendable {
    /// Diagnostics in the order the single-threaded engine reported them, so the kept ones (the
    /// first `keptDiagnostics`) are the same whatever thread built the dossier, and the outcomes
    /// of rows delivered to several clients, which count once their last delivery is known.
    enum Event: Sendable {
        case report(Diagnostic)
        case shared(mapping: Int, ordinal: Int, mapped: Bool)
    }

    var events: [Event] = []
    /// Rows delivered to this client only, mapped and rejected, per mapping (index + 1; 0 is the
    /// client table): counters add up in any order, so they are summed here, off the thread that books them.
    var mapped: [Int]
    var rejected: [Int]
    var validationErrors = 0
    /// Nil when the client row was rejected (or missing); its rows are then accounted as rejected.
    var dossier: Dossier?
    var diagnostics: [Diagnostic] = []
    var findings: [Diagnostic] = []

    init(mappings: Int) {
        mapped = Array(repeating: 0, count: mappings + 1)
        rejected = mapped
    }

    mutating func outcome(_ r: SpillRecord, mapped isMapped: Bool, _ d: Diagnostic? = nil) {
        if let d { events.append(.report(d)) }
        if r.shared { events.append(.shared(mapping: r.mapping, ordinal: r.ordinal, mapped: isMapped)) }
        else if isMapped { mapped[r.mapping + 1] += 1 }
        else { rejected[r.mapping + 1] += 1 }
    }
}

/// The compiled rules of a profile, one set per phase-2 worker: `ColumnIndex` caches column
/// positions per row shape and so cannot be shared between threads.
final class AssemblyRules {
    let client: RecordRules
    let mappings: [RecordRules]
    let clientCatalog = FieldCatalog.client
    let catalogs: [any CatalogProtocol]

    init(_ profile: MappingProfile) {
        let c = profile.client
        client = RecordRules(entity: .client, table: c.table, key: c.key, recordID: c.recordID, meta: c.meta,
                             fields: c.fields, document: nil, source: profile.source)
        mappings = profile.mappings.map {
            RecordRules(entity: $0.entity, table: $0.table, key: $0.key, recordID: $0.recordID, meta: $0.meta,
                        fields: $0.fields, document: $0.document, source: profile.source)
        }
        catalogs = profile.mappings.map { FieldCatalog.catalog($0.entity) }
    }
}

/// Turns bucket files into `ClientResult`s; one per worker thread, used by that thread only.
///
/// A bucket file larger than `limit` is not loaded: its records are streamed into `fanout`
/// sub-bucket files by a second FNV-1a hash of the client key (seeded by the depth, so it is
/// independent of the bucket choice), which are assembled in sub-bucket order, recursively down to
/// `maxDepth`. A part as large as its parent (all its records hash alike: in practice one client
/// holds them all) is loaded as it is, since that client has to be in memory anyway. So memory is
/// bounded by `limit` (or the largest client), not by the size of the dump.
final class ClientAssembler: @unchecked Sendable {
    static let fanout = 16
    static let maxDepth = 4

    let rules: AssemblyRules
    let profile: MappingProfile
    let documents: (any DocumentResolver)?
    /// Read only once phase 1 has ended, so workers share it.
    let dict: SpillDictionary
    let limit: Int

    init(_ a: DossierAssembler, dict: SpillDictionary) {
        rules = AssemblyRules(a.profile)
        profile = a.profile
        documents = a.documents
        self.dict = dict
        limit = a.options.bucketLimit
    }

    /// Assembles every client in the bucket file at `path` in order, then removes the file.
    func bucket(_ path: String, depth: Int = 0, _ deliver: (ClientResult) throws -> Void) throws {
        let size = try Self.size(path)
        if size > limit, depth < Self.maxDepth {
            for part in try split(path, depth: depth) {
                // A part the split did not shrink is, in practice, one client: splitting again cannot help.
                try bucket(part, depth: try Self.size(part) == size ? Self.maxDepth : depth + 1, deliver)
            }
            return
        }
        let bytes = try Self.load(path, size: size)
        try FileManager.default.removeItem(atPath: path)
        try assembleLoaded(bytes, path: path, deliver)
    }

    static func size(_ path: String) throws -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { throw IOFailure.error("stat", path: path, errno: errno) }
        return Int(st.st_size)
    }

    static func load(_ path: String, size: Int) throws -> [UInt8] {
        let r = try ByteReader(path: path)
        var out: [UInt8] = []
        out.reserveCapacity(size)
        while let chunk = try r.nextChunk() { out.append(contentsOf: chunk) }
        return out
    }

    /// The sub-bucket of a client key at `depth`: FNV-1a from a basis offset by the depth, high bits.
    static func subBucket(_ key: UnsafeBufferPointer<UInt8>, depth: Int) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 &+ UInt64(depth + 1) &* 0x9e37_79b9_7f4a_7c15
        for b in key { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return Int((h >> 40) % UInt64(fanout))
    }

    /// Streams the records of `path` into its sub-bucket files, copying their bytes unchanged.
    func split(_ path: String, depth: Int) throws -> [String] {
        var parts = SpillPartitions(count: Self.fanout) { path + "." + String($0) }
        let stream = try SpillStream(path: path, dict: dict)
        while let body = try stream.nextBody() {
            var d = SpillDecoder(bytes: body, dict: dict, path: path)
            let key = try d.header().key
            let p = body.withUnsafeBufferPointer { Self.subBucket(UnsafeBufferPointer(rebasing: $0[key]), depth: depth) }
            try parts.writer(p).appendEncoded(body)
        }
        try FileManager.default.removeItem(atPath: path)
        return try (0..<Self.fanout).compactMap { try parts.close($0) }
    }

    /// Indexes a loaded bucket by client key and input order, and assembles each client.
    func assembleLoaded(_ bytes: [UInt8], path: String, _ deliver: (ClientResult) throws -> Void) throws {
        var index: [(key: ClientKeyRef, ordinal: Int, body: Int)] = []
        var d = SpillDecoder(bytes: bytes, dict: dict, path: path)
        while d.offset < bytes.count {
            guard bytes.count - d.offset >= 4 else { throw d.damaged() }
            let n = Int(bytes[d.offset]) | Int(bytes[d.offset + 1]) << 8 | Int(bytes[d.offset + 2]) << 16 | Int(bytes[d.offset + 3]) << 24
            let body = d.offset + 4
            guard n <= bytes.count - body else { throw d.damaged() }
            d.offset = body
            let h = try d.header()
            index.append((ClientKeyRef(h.key, in: bytes), h.ordinal, body))
            d.offset = body + n
        }
        bytes.withUnsafeBufferPointer { p in
            index.sort { x, y in
                let c = x.key.compare(y.key, p)
                return c != 0 ? c < 0 : x.ordinal < y.ordinal
            }
        }
        var i = 0
        var records: [SpillRecord] = []
        while i < index.count {
            var j = i + 1
            while j < index.count, bytes.withUnsafeBufferPointer({ index[j].key.compare(index[i].key, $0) }) == 0 { j += 1 }
            records.removeAll(keepingCapacity: true)
            for e in index[i..<j] {
                d.offset = e.body
                records.append(try d.record())
            }
            try deliver(assembleClient(records))
            i = j
        }
    }

    func rules(_ r: SpillRecord) -> RecordRules {
        let rules = r.mapping == SpillRecord.clientRow ? rules.client : rules.mappings[r.mapping]
        rules.columns.bind(r.row.columns)
        return rules
    }

    /// One client's dossier from its records (input order), with every record's outcome.
    func assembleClient(_ records: [SpillRecord]) -> ClientResult {
        var out = ClientResult(mappings: rules.mappings.count)
        let key = records[0].clientKey
        let clientTable = profile.client.table
        func rejectAll(_ code: String, _ message: String) {
            for r in records where r.mapping != SpillRecord.clientRow {
                out.outcome(r, mapped: false, .error(code, message, at: rules(r).location(r.row)))
            }
        }
        guard let first = records.firstIndex(where: { $0.mapping == SpillRecord.clientRow }) else {
            rejectAll("row.orphan", "no row of client table \(clientTable) has the client key this row refers to")
            return out
        }
        for dup in records[(first + 1)...] where dup.mapping == SpillRecord.clientRow {
            out.outcome(dup, mapped: false, .error("row.duplicate-key", "client key occurs more than once in \(clientTable)",
                                                   at: rules(dup).location(dup.row)))
        }
        let clientRow = records[first]
        let cr = rules(clientRow)
        let clientLocation = cr.location(clientRow.row)
        var diagnostics: [Diagnostic] = []
        guard let clientID = cr.recordID(clientRow.row) else {
            out.outcome(clientRow, mapped: false, .error("value.missing", "a client record id column is empty", at: clientLocation))
            rejectAll("client.rejected", "the row's client was rejected")
            return out
        }
        guard var client = rules.clientCatalog.build(clientRow.row, cr, id: clientID, location: clientLocation, diagnostics: &diagnostics) else {
            out.events += diagnostics.map(ClientResult.Event.report)
            out.outcome(clientRow, mapped: false)
            rejectAll("client.rejected", "the row's client was rejected")
            return out
        }
        out.events += diagnostics.map(ClientResult.Event.report)
        out.outcome(clientRow, mapped: true)
        if client.clientNumber.isEmpty { client.clientNumber = key }
        var dossier = Dossier(id: profile.client.dossierIDPrefix + client.id, controller: profile.controller,
                              client: client, sourceSystem: profile.sourceSystem)
        var locations = [client.id: clientLocation]
        locations.reserveCapacity(records.count)
        var rowDiagnostics: [Diagnostic] = []
        for r in records where r.mapping != SpillRecord.clientRow {
            let rr = rules(r)
            let location = rr.location(r.row)
            guard let id = rr.recordID(r.row) else {
                let d = Diagnostic.error("value.missing", "a record id column is empty", at: location)
                diagnostics.append(d); out.outcome(r, mapped: false, d); continue
            }
            // Inserted before mapping (one hash per record) and taken back in the rare case it fails.
            if let first = locations.updateValue(location, forKey: id) {
                locations[id] = first
                let d = Diagnostic.error("row.duplicate-key", "record id occurs more than once for this client", at: location, recordID: id)
                diagnostics.append(d); out.outcome(r, mapped: false, d); continue
            }
            rowDiagnostics.removeAll(keepingCapacity: true)
            let mapped = rules.catalogs[r.mapping].mapInto(&dossier, r.row, rr, id: id, location: location, documents: documents,
                                                           diagnostics: &rowDiagnostics)
            if !rowDiagnostics.isEmpty {
                out.events += rowDiagnostics.map(ClientResult.Event.report)
                diagnostics += rowDiagnostics
            }
            out.outcome(r, mapped: mapped)
            if !mapped { locations[id] = nil }
        }
        let findings = DossierValidator.validate(dossier)
        for var d in findings {
            d.location = d.recordID.flatMap { locations[$0] } ?? clientLocation
            if d.severity == .error { out.validationErrors += 1 }
            out.events.append(.report(d))
            diagnostics.append(d)
        }
        out.dossier = dossier
        out.diagnostics = diagnostics
        out.findings = findings
        return out
    }
}

/// Hands bucket files to worker threads and their results back in bucket order.
///
/// Workers take buckets in ascending order; each bucket's results queue up in batches of
/// `batchSize` clients, at most `queuedBatches` per bucket, so a worker ahead of the consumer
/// waits instead of piling up dossiers. The consumer always drains the lowest bucket not yet
/// finished, whose worker is running, so the pipeline cannot stall.
final class OrderedAssembly: @unchecked Sendable {
    static let batchSize = 8
    static let queuedBatches = 2

    private let condition = NSCondition()
    private let paths: [String]
    private var next = 0
    private var queues: [[[ClientResult]]]
    private var finished: [Bool]
    private var failures: [(any Error)?]
    private var cancelled = false
    private var running = 0

    struct Cancelled: Error {}

    init(paths: [String]) {
        self.paths = paths
        queues = Array(repeating: [], count: paths.count)
        finished = Array(repeating: false, count: paths.count)
        failures = Array(repeating: nil, count: paths.count)
    }

    /// Runs `workers` threads over the buckets and calls `consume` on this thread, in bucket and
    /// client order; returns once every worker has stopped, also when `consume` throws.
    func run(_ workers: [ClientAssembler], consume: (ClientResult) throws -> Void) throws {
        running = workers.count
        for w in workers {
            Thread { [self] in self.work(w) }.start()
        }
        defer {
            condition.lock()
            cancelled = true
            condition.broadcast()
            while running > 0 { condition.wait() }
            condition.unlock()
        }
        for b in paths.indices {
            while true {
                condition.lock()
                while queues[b].isEmpty && !finished[b] { condition.wait() }
                if queues[b].isEmpty {
                    let failure = failures[b]
                    condition.unlock()
                    if let failure { throw failure }
                    break
                }
                let batch = queues[b].removeFirst()
                condition.broadcast()
                condition.unlock()
                for r in batch { try consume(r) }
            }
        }
    }

    private func work(_ worker: ClientAssembler) {
        while true {
            condition.lock()
            guard !cancelled, next < paths.count else {
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let b = next
            next += 1
            condition.unlock()
            var batch: [ClientResult] = []
            var failure: (any Error)?
            do {
                try worker.bucket(paths[b]) { r in
                    batch.append(r)
                    if batch.count == Self.batchSize { try push(batch, b); batch = [] }
                }
                if !batch.isEmpty { try push(batch, b) }
            } catch {
                failure = error
            }
            condition.lock()
            if !(failure is Cancelled) { failures[b] = failure }
            finished[b] = true
            condition.broadcast()
            condition.unlock()
        }
    }

    private func push(_ batch: [ClientResult], _ b: Int) throws {
        condition.lock()
        defer { condition.unlock() }
        while queues[b].count >= Self.queuedBatches && !cancelled { condition.wait() }
        if cancelled { throw Cancelled() }
        queues[b].append(batch)
        condition.broadcast()
    }
}

extension AssemblyRun {
    // MARK: Phase 2: assemble dossiers bucket by bucket

    func assemble(_ emit: (Dossier, [Diagnostic], [Diagnostic]) throws -> Void) throws {
        var paths: [String] = []
        for case let w? in buckets {
            try w.close()
            paths.append(w.path)
        }
        // Phase 1's write buffers and link maps (tens of MB for a large dump) are done with: the
        // peak is then the larger of the two phases, not their sum.
        buckets = []
        links = []
        let threads = min(a.options.threads, paths.count)
        let apply = { (r: ClientResult) throws in try self.apply(r, emit) }
        if threads <= 1 {
            let worker = ClientAssembler(a, dict: dict)
            for p in paths { try worker.bucket(p, apply) }
        } else {
            let workers = (0..<threads).map { _ in ClientAssembler(a, dict: dict) }
            try OrderedAssembly(paths: paths).run(workers, consume: apply)
        }
    }

    /// Books one client's result into the account and emits its dossier.
    func apply(_ r: ClientResult, _ emit: (Dossier, [Diagnostic], [Diagnostic]) throws -> Void) throws {
        for e in r.events {
            switch e {
            case .report(let d): report(d)
            case let .shared(mapping, ordinal, mapped): sharedOutcome(mapping, ordinal, mapped: mapped)
            }
        }
        for i in r.mapped.indices where r.mapped[i] + r.rejected[i] > 0 {
            let (table, entity) = i == 0 ? (a.client.table, Entity.client) : (a.mappings[i - 1].table, a.mappings[i - 1].entity)
            entities[entity]!.records += r.mapped[i]
            count(table, entity, mapped: r.mapped[i], rejected: r.rejected[i])
        }
        account.validationErrors += r.validationErrors
        guard let dossier = r.dossier else { return }
        account.dossiers += 1
        try emit(dossier, r.diagnostics, r.findings)
    }

    /// A row delivered to several clients is mapped when one delivery was, counted after the last.
    func sharedOutcome(_ mapping: Int, _ ordinal: Int, mapped: Bool) {
        let entity = a.mappings[mapping].entity
        if mapped { entities[entity]!.records += 1 }
        guard var s = shared[ordinal] else { return }
        s.pending -= 1
        s.mapped = s.mapped || mapped
        guard s.pending == 0 else { shared[ordinal] = s; return }
        shared[ordinal] = nil
        count(s.table, entity, mapped: s.mapped ? 1 : 0, rejected: s.mapped ? 0 : 1)
    }

    func count(_ table: String, _ entity: Entity, mapped: Int, rejected: Int) {
        tables[table]!.mapped += mapped; entities[entity]!.mapped += mapped
        tables[table]!.rejected += rejected; entities[entity]!.rejected += rejected
    }
}

/// A client key inside a loaded bucket, with what ordering needs precomputed, since a bucket's
/// index is sorted by it and a comparison must stay a `memcmp`.
struct ClientKeyRef {
    let start: Int
    let count: Int
    /// Length without leading zeros when the key is all digits, else -1.
    let digits: Int

    init(_ range: Range<Int>, in bytes: [UInt8]) {
        start = range.lowerBound
        count = range.count
        let key = bytes[range]
        let allDigits = !key.isEmpty && key.allSatisfy { (0x30...0x39).contains($0) }
        digits = allDigits ? key.count - key.prefix { $0 == 0x30 }.count : -1
    }

    /// Numerically when both keys are all digits (so 9 before 10), else by bytes.
    func compare(_ other: ClientKeyRef, _ p: UnsafeBufferPointer<UInt8>) -> Int {
        if digits >= 0, other.digits >= 0, digits != other.digits { return digits < other.digits ? -1 : 1 }
        let c = memcmp(p.baseAddress! + start, p.baseAddress! + other.start, min(count, other.count))
        if c != 0 { return c < 0 ? -1 : 1 }
        return count == other.count ? 0 : (count < other.count ? -1 : 1)
    }
}
