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

    mutating func outcome(_ r: SpillHead, mapped isMapped: Bool, _ d: Diagnostic) {
        events.append(.report(d))
        outcome(r, mapped: isMapped)
    }

    /// Without a diagnostic, the case of nearly every row: an optional one was copied (168 bytes)
    /// on every call only to find it nil.
    mutating func outcome(_ r: SpillHead, mapped isMapped: Bool) {
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

/// Which columns of a carried line phase 2 decodes, per mapping and column set: those its rules
/// read (key, record id, fields, document) and the first, which keys the row's location. The
/// others are left null rather than made into texts no rule looks at, such as a report line's
/// link and filter columns, which phase 1 has used already.
struct ColumnDemand {
    /// Index `(mapping + 1) * sets + columnSet`.
    private let masks: [[Bool]]
    private let sets: Int

    /// Every column of every row.
    static let all = ColumnDemand(masks: [], sets: 0)

    private init(masks: [[Bool]], sets: Int) { self.masks = masks; self.sets = sets }

    init(_ rules: AssemblyRules, columnSets: [[String]]) {
        sets = columnSets.count
        masks = ([rules.client] + rules.mappings).flatMap { r in
            columnSets.map { columns in columns.indices.map { $0 == 0 || r.columns.names.contains(columns[$0]) } }
        }
    }

    /// Nil (every column) for a mapping it does not know, which only a damaged spill record
    /// names (refused when its part is loaded); `columnSet` is one of those it was made with.
    func columns(mapping: Int, columnSet: Int) -> [Bool]? {
        let i = (mapping + 1) * sets + columnSet
        return masks.indices.contains(i) ? masks[i] : nil
    }
}

/// Loads bucket files and turns their clients into `ClientResult`s; one per worker thread, used
/// by that thread only (its rules cache column positions).
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
    let demand: ColumnDemand
    let limit: Int

    init(_ a: DossierAssembler, dict: SpillDictionary) {
        rules = AssemblyRules(a.profile)
        profile = a.profile
        documents = a.documents
        self.dict = dict
        demand = ColumnDemand(rules, columnSets: dict.columnSets)
        limit = a.options.bucketLimit
    }

    /// The bucket file at `path` (`size` bytes) loaded and indexed; the file is removed.
    func load(_ path: String, size: Int) throws -> LoadedPart {
        let bytes = try Self.load(path, size: size)
        try FileManager.default.removeItem(atPath: path)
        return try LoadedPart(bytes, path: path, dict: dict, mappings: rules.mappings.count)
    }

    static func size(_ path: String) throws -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { throw IOFailure.error("stat", path: path, errno: errno) }
        return Int(st.st_size)
    }

    static func load(_ path: String, size: Int) throws -> [UInt8] {
        try ByteReader.readWhole(path: path, size: size)
    }

    /// The sub-bucket of a client key at `depth`: FNV-1a from a basis offset by the depth, high bits.
    static func subBucket(_ key: UnsafeBufferPointer<UInt8>, depth: Int) -> Int {
        let h = fnv1a(key, basis: 0xcbf2_9ce4_8422_2325 &+ UInt64(depth + 1) &* 0x9e37_79b9_7f4a_7c15)
        return Int((h >> 40) % UInt64(fanout))
    }

    /// Streams the records of `path` into its sub-bucket files, copying their bytes unchanged.
    func split(_ path: String, depth: Int) throws -> [String] {
        var parts = SpillPartitions(count: Self.fanout) { path + "." + String($0) }
        let stream = try SpillStream(path: path, dict: dict)
        // Only each record's header is read, in the reader's buffer: the bytes are copied once,
        // into the sub-bucket's.
        var at = 0, more = true
        while more {
            more = try stream.withNextBody { (body: UnsafeRawBufferPointer) -> Void in
                var offset = 0
                guard let key = SpillDecoder.header(body, &offset)?.key else {
                    throw DossierError("spill.corrupt", "spill file is damaged in record \(at + 1)", at: SourceLocation(file: path))
                }
                let p = Self.subBucket(UnsafeBufferPointer(rebasing: body.assumingMemoryBound(to: UInt8.self)[key]), depth: depth)
                try parts.writer(p).appendEncoded(body)
                at += 1
            } != nil
        }
        try FileManager.default.removeItem(atPath: path)
        return try (0..<Self.fanout).compactMap { try parts.close($0) }
    }

    /// The dossier of the `client`th client of a loaded part, with every record's outcome.
    func assemble(_ part: LoadedPart, client: Int) throws -> ClientResult {
        var records = ClientRecords(part, client: client, dict: dict, demand: demand)
        return try assembleClient(&records)
    }

    func rules(_ r: SpillRecord) -> RecordRules { rules(r.mapping, r.row) }

    /// The rules of `mapping`, bound to the columns of `row`.
    func rules(_ mapping: Int, _ row: SourceRow) -> RecordRules {
        let rules = mapping == SpillRecord.clientRow ? rules.client : rules.mappings[mapping]
        rules.columns.bind(row.columns)
        return rules
    }

    /// The refusal of a row whose `column` holds a noncharacter: no output format can carry it,
    /// so the row is reported rather than written, as a value the model refuses is.
    static func noncharacter(in row: SourceRow, column: Int, at location: SourceLocation) -> Diagnostic {
        let name = column < row.columns.count ? Diagnostic.shownName(row.columns[column]) : "\(column + 1)"
        return .error("value.noncharacter", "column \(name) holds a Unicode noncharacter, which JSON (I-JSON, RFC 7493) and XML cannot carry",
                      at: location)
    }

    /// One client's dossier from its records (input order), with every record's outcome.
    func assembleClient(_ records: inout ClientRecords) throws -> ClientResult {
        var out = ClientResult(mappings: rules.mappings.count)
        let clientTable = profile.client.table
        func rejectAll(_ code: String, _ message: String) throws {
            for i in 0..<records.count {
                let r = try records.record(i)
                if r.mapping != SpillRecord.clientRow { out.outcome(r.head, mapped: false, .error(code, message, at: rules(r).location(r.row))) }
            }
        }
        var first = 0
        while first < records.count, !records.isClientRow(first) { first += 1 }
        guard first < records.count else {
            try rejectAll("row.orphan", "no row of client table \(clientTable) has the client key this row refers to")
            return out
        }
        for i in (first + 1)..<records.count where records.isClientRow(i) {
            let dup = try records.record(i)
            out.outcome(dup.head, mapped: false, .error("row.duplicate-key", "client key occurs more than once in \(clientTable)",
                                                   at: rules(dup).location(dup.row)))
        }
        let clientRow = try records.record(first)
        let key = clientRow.clientKey
        let cr = rules(clientRow)
        let clientLocation = cr.location(clientRow.row)
        var diagnostics: [Diagnostic] = []
        if let column = clientRow.noncharacter {
            out.outcome(clientRow.head, mapped: false, Self.noncharacter(in: clientRow.row, column: column, at: clientLocation))
            try rejectAll("client.rejected", "the row's client was rejected")
            return out
        }
        guard let clientID = cr.recordID(clientRow.row) else {
            out.outcome(clientRow.head, mapped: false, .error("value.missing", "a client record id column is empty", at: clientLocation))
            try rejectAll("client.rejected", "the row's client was rejected")
            return out
        }
        guard var client = rules.clientCatalog.build(clientRow.row, cr, id: clientID, location: clientLocation, diagnostics: &diagnostics) else {
            out.events += diagnostics.map(ClientResult.Event.report)
            out.outcome(clientRow.head, mapped: false)
            try rejectAll("client.rejected", "the row's client was rejected")
            return out
        }
        out.events += diagnostics.map(ClientResult.Event.report)
        out.outcome(clientRow.head, mapped: true)
        if client.clientNumber.isEmpty { client.clientNumber = key }
        var dossier = Dossier(id: profile.client.dossierIDPrefix + client.id, controller: profile.controller,
                              client: client, sourceSystem: profile.sourceSystem)
        var sections: [Entity: Int] = [:]
        for (m, n) in records.countsByMapping(rules.mappings.count).dropFirst().enumerated() where n > 0 {
            sections[rules.mappings[m].entity, default: 0] += n
        }
        dossier.reserveCapacity(sections)
        // Ids only: a finding's location is looked up in the dossier, whose records carry theirs,
        // and findings are rare, while this set is filled for every record.
        var ids: Set<String> = [client.id]
        ids.reserveCapacity(records.count)
        var rowDiagnostics: [Diagnostic] = []
        // One row serves every record: each is decoded over the one before (see
        // `SpillDecoder.record(into:)`), so a client's rows are never all held at once, and no row
        // is made and destroyed per record. Its location is copied into the record made from it.
        var row = SourceRow(table: "", columns: [], values: [], location: SourceLocation())
        // The rules of the record before: a client's records come table by table, so these are
        // nearly always the same, and taking them from their arrays for every record counted
        // references on them (atomically) each time. They start as the client's, which no
        // record here uses: client rows are passed over before they are looked at.
        var mapping = SpillRecord.clientRow, rr = rules.client, catalog: any CatalogProtocol = rules.clientCatalog
        for i in 0..<records.count {
            let (r, noncharacter) = try records.record(i, into: &row)
            guard r.mapping != SpillRecord.clientRow else { continue }
            if r.mapping != mapping { mapping = r.mapping; rr = rules.mappings[mapping]; catalog = rules.catalogs[mapping] }
            Unmanaged.passUnretained(rr.columns)._withUnsafeGuaranteedRef { $0.bind(row.columns) }
            rr.relocate(&row)
            if let column = noncharacter {
                let d = Self.noncharacter(in: row, column: column, at: row.location.reportable)
                diagnostics.append(d); out.outcome(r, mapped: false, d); continue
            }
            guard let id = rr.recordID(relocated: row) else {
                let d = Diagnostic.error("value.missing", "a record id column is empty", at: row.location)
                diagnostics.append(d); out.outcome(r, mapped: false, d); continue
            }
            // Inserted before mapping (one hash per record) and taken back in the rare case it fails.
            guard ids.insert(id).inserted else {
                let d = Diagnostic.error("row.duplicate-key", "record id occurs more than once for this client", at: row.location, recordID: id)
                diagnostics.append(d); out.outcome(r, mapped: false, d); continue
            }
            rowDiagnostics.removeAll(keepingCapacity: true)
            let location = row.location
            let mapped = catalog.mapInto(&dossier, &row, rr, id: id, location: location, documents: documents,
                                         diagnostics: &rowDiagnostics)
            if !rowDiagnostics.isEmpty {
                out.events += rowDiagnostics.map(ClientResult.Event.report)
                diagnostics += rowDiagnostics
            }
            out.outcome(r, mapped: mapped)
            if !mapped { ids.remove(id) }
        }
        let findings = DossierValidator.validate(dossier, recordIDs: ids)
        let locations = findings.isEmpty ? [:] : Dictionary(dossier.allRecords.map { ($0.record.id, $0.record.meta.source) }) { a, _ in a }
        for var d in findings {
            d.location = d.recordID.flatMap { locations[$0] ?? nil } ?? clientLocation
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

/// One client's records in a loaded part, in input order, each decoded when asked for, so that
/// a record lives only while it is mapped.
struct ClientRecords {
    private let entries: ArraySlice<(key: ClientKeyRef, ordinal: Int, body: Int, mapping: Int32)>
    private var decoder: SpillDecoder
    var count: Int { entries.count }

    /// The client key all the records share, made once rather than decoded from each record.
    private let key: String

    init(_ part: LoadedPart, client: Int, dict: SpillDictionary, demand: ColumnDemand) {
        entries = part.index[part.groups[client]]
        decoder = SpillDecoder(bytes: part.bytes, dict: dict, path: part.path, demand: demand)
        key = entries.first.map { String(decoding: part.bytes[$0.key.start..<($0.key.start + $0.key.count)], as: UTF8.self) } ?? ""
    }

    mutating func record(_ i: Int) throws -> SpillRecord {
        decoder.offset = entries[entries.startIndex + i].body
        return try decoder.record(clientKey: key)
    }

    /// Record `i` decoded over `row` (see `SpillDecoder.record(into:)`).
    mutating func record(_ i: Int, into row: inout SourceRow) throws -> (head: SpillHead, noncharacter: Int?) {
        decoder.offset = entries[entries.startIndex + i].body
        let r = try decoder.record(into: &row)
        return (r.head, r.noncharacter)
    }

    /// Whether record `i` is a row of the client table, as the part's index noted.
    func isClientRow(_ i: Int) -> Bool { entries[entries.startIndex + i].mapping == SpillRecord.clientRow }

    /// How many records each mapping has (index 0: the client table's rows).
    func countsByMapping(_ mappings: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: mappings + 1)
        for e in entries { counts[Int(e.mapping) + 1] += 1 }
        return counts
    }
}

/// A loaded (sub-)bucket: its bytes and its records indexed by client key and input order, one
/// range of the index per client. Immutable once made, so the workers assembling its clients share it.
final class LoadedPart: Sendable {
    let bytes: [UInt8]
    let path: String
    let index: [(key: ClientKeyRef, ordinal: Int, body: Int, mapping: Int32)]
    let groups: [Range<Int>]

    /// `mappings`: how many the profile has; a record naming another was damaged on disk.
    init(_ bytes: [UInt8], path: String, dict: SpillDictionary, mappings: Int) throws {
        var index: [(key: ClientKeyRef, ordinal: Int, body: Int, mapping: Int32)] = []
        var d = SpillDecoder(bytes: bytes, dict: dict, path: path)
        try forEachRecord(in: bytes, path: path) { body in
            d.offset = body.lowerBound
            let h = try d.header()
            guard (SpillRecord.clientRow..<mappings).contains(h.mapping) else { throw d.damaged() }
            index.append((ClientKeyRef(h.key, in: bytes), h.ordinal, body.lowerBound, Int32(h.mapping)))
        }
        var groups: [Range<Int>] = []
        bytes.withUnsafeBufferPointer { p in
            index.sort { x, y in
                let c = x.key.compare(y.key, p)
                return c != 0 ? c < 0 : x.ordinal < y.ordinal
            }
            var i = 0
            while i < index.count {
                var j = i + 1
                while j < index.count, index[j].key.compare(index[i].key, p) == 0 { j += 1 }
                groups.append(i..<j)
                i = j
            }
        }
        self.bytes = bytes; self.path = path; self.index = index; self.groups = groups
    }
}

/// The bucket files still to assemble, in output order. A file larger than the limit is split
/// into its sub-bucket files, which take its place in the order, so each `next` loads at most
/// `bucketLimit` bytes (or one client's, when a part does not shrink).
struct BucketQueue {
    /// Next at the end.
    private var pending: [(path: String, depth: Int)]

    init(paths: [String]) { pending = paths.reversed().map { ($0, 0) } }

    /// The next part in output order, loaded and indexed; nil when every file has been.
    mutating func next(_ a: ClientAssembler) throws -> LoadedPart? {
        while let (path, depth) = pending.popLast() {
            let size = try ClientAssembler.size(path)
            guard size > a.limit, depth < ClientAssembler.maxDepth else { return try a.load(path, size: size) }
            for part in try a.split(path, depth: depth).reversed() {
                // A part the split did not shrink is, in practice, one client: splitting again cannot help.
                pending.append((part, try ClientAssembler.size(part) == size ? ClientAssembler.maxDepth : depth + 1))
            }
        }
        return nil
    }
}

/// Hands the clients of the buckets to worker threads, a few at a time, and their results back
/// in output order.
///
/// The workers share each loaded part client by client rather than taking a bucket each: with a
/// bucket each, the worker ahead of the consumer could only queue a few dossiers before waiting
/// for the one behind (queueing more would make memory grow with the bucket, and so with the
/// dump), so most of the time one core assembled. Here both work near the consumer's position: at
/// most `window` clients' results wait for it, and besides the part being handed out, one more is
/// loaded ahead (by whichever worker finds none loaded), so a worker seldom waits for a load.
final class OrderedAssembly: @unchecked Sendable {
    /// Clients a worker takes at once, and clients handed out beyond the consumer's position.
    static let chunk = 4
    static let window = 64

    private let condition = NSCondition()
    /// Touched only by the worker that is loading (`loading`), outside the lock.
    private var queue: BucketQueue
    /// The part being handed out, and the one loaded after it.
    private var current: LoadedPart?
    private var ahead: LoadedPart?
    private var nextClient = 0
    private var loading = false
    /// The queue has no more parts, or failed to give the next (`loadError`).
    private var exhausted = false
    private var loadError: (any Error)?
    /// Sequence numbers: of the next client handed out, and of the next result the consumer takes.
    private var issued = 0
    private var taken = 0
    private var results: [Int: ClientResult] = [:]
    /// The first client whose assembly failed, by sequence number, and why.
    private var failure: (at: Int, error: any Error)?
    private var cancelled = false
    private var running = 0

    init(paths: [String]) { queue = BucketQueue(paths: paths) }

    /// Every client there is has been handed out.
    private var allIssued: Bool {
        exhausted && !loading && ahead == nil && (current.map { nextClient == $0.groups.count } ?? true)
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
        while true {
            condition.lock()
            while results[taken] == nil && failure?.at != taken && !(taken == issued && allIssued) { condition.wait() }
            guard let r = results.removeValue(forKey: taken) else {
                let error = failure?.at == taken ? failure?.error : loadError
                condition.unlock()
                if let error { throw error }
                return
            }
            taken += 1
            condition.broadcast()
            condition.unlock()
            try consume(r)
        }
    }

    private func work(_ worker: ClientAssembler) {
        condition.lock()
        defer {
            running -= 1
            condition.broadcast()
            condition.unlock()
        }
        while !cancelled && failure == nil {
            guard let part = current, nextClient < part.groups.count else {
                if let next = ahead {
                    (current, ahead, nextClient) = (next, nil, 0)
                } else if !loading && !exhausted {
                    load(worker)
                } else if exhausted && !loading {
                    return
                } else {
                    condition.wait()
                }
                continue
            }
            if ahead == nil && !loading && !exhausted {
                load(worker)
                continue
            }
            guard issued < taken + Self.window else {
                condition.wait()
                continue
            }
            let first = nextClient, count = min(Self.chunk, part.groups.count - first), sequence = issued
            nextClient += count
            issued += count
            condition.unlock()
            var done: [ClientResult] = []
            var error: (any Error)?
            do {
                for c in first..<(first + count) { done.append(try worker.assemble(part, client: c)) }
            } catch let e {
                error = e
            }
            condition.lock()
            for (i, r) in done.enumerated() { results[sequence + i] = r }
            if let error, failure.map({ sequence + done.count < $0.at }) ?? true { failure = (sequence + done.count, error) }
            condition.broadcast()
        }
    }

    /// Loads the next part outside the lock (called and returning with it held).
    private func load(_ worker: ClientAssembler) {
        loading = true
        condition.unlock()
        let loaded = Result { try queue.next(worker) }
        condition.lock()
        loading = false
        switch loaded {
        case .success(let part?): ahead = part
        case .success(nil): exhausted = true
        case .failure(let error): exhausted = true; loadError = error
        }
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
        let threads = a.options.threads
        if threads <= 1 {
            let worker = ClientAssembler(a, dict: dict)
            var queue = BucketQueue(paths: paths)
            while let part = try queue.next(worker) {
                for c in part.groups.indices { try apply(try worker.assemble(part, client: c), emit) }
            }
        } else {
            let workers = (0..<threads).map { _ in ClientAssembler(a, dict: dict.privateCopy()) }
            try OrderedAssembly(paths: paths).run(workers) { try self.apply($0, emit) }
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
