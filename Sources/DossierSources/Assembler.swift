#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
public import DossierModel
internal import DossierIO
internal import Foundation

/// How an export run reads its sources.
public struct ExportOptions: Sendable {
    /// Export only the client with this key (the client key columns joined by `-`); rows of other
    /// clients are dropped as soon as their client is known.
    public var clientKey: String?
    /// Folder under which a private spill folder (mode 0700) is made and removed at the end; it
    /// needs room for about the size of the mapped rows, which are health data: keep it on an
    /// encrypted volume.
    public var spillDirectory: String
    /// Number of bucket files rows are spread over; a bucket is what phase 2 holds in memory.
    public var bucketCount: Int
    /// Diagnostics of each severity listed in the account; past this they are counted by code.
    public var keptDiagnostics: Int
    /// Largest bucket file (bytes) phase 2 loads whole; a larger one is split into sub-buckets
    /// first, so memory stays flat however large the dump is.
    public var bucketLimit: Int
    /// Threads that assemble clients in phase 2; the output does not depend on it. With more than
    /// one, the document resolver is called from several threads at once, and phase 1 routes the
    /// lines a reader carries on a thread of its own (see `AssemblyRelay`).
    public var threads: Int
    /// Bytes (estimated) one link table's key → clients map may hold in memory; a larger map is
    /// partitioned on disk (see `LinkMap`), so memory does not grow with the link tables.
    public var linkMemory: Int

    public init(clientKey: String? = nil, spillDirectory: String = "/tmp", bucketCount: Int = 128,
                keptDiagnostics: Int = 10_000, bucketLimit: Int = 4 << 20, threads: Int = 2, linkMemory: Int = 8 << 20) {
        self.clientKey = clientKey; self.spillDirectory = spillDirectory
        self.bucketCount = max(1, bucketCount); self.keptDiagnostics = keptDiagnostics
        self.bucketLimit = max(1, bucketLimit); self.threads = max(1, threads); self.linkMemory = max(0, linkMemory)
    }
}

/// Turns the rows of one or more sources into dossiers, as a mapping profile describes.
///
/// Rows arrive grouped by table, dossiers are needed grouped by client, and a dump can be far larger
/// than memory, so the run has two phases over a disk spill:
///
/// 1. Every row is routed to the client it belongs to (a client-key column, or one hop through a
///    link table's key → clients map) and appended to one of `bucketCount` bucket files, chosen by
///    FNV-1a hash of the client key. Rows whose link table has not been read yet are appended to a
///    per-link-table deferred file and routed when the input has ended; so are all rows through a
///    link map that outgrew `linkMemory` and was partitioned on disk (see `LinkMap`). Lines a
///    reader carries undecoded are routed on a second thread while it reads on (see `AssemblyRelay`).
/// 2. Each bucket is loaded on its own, its records indexed by client key and input order, and
///    each client's rows mapped and assembled into a dossier, which is validated and emitted. A
///    bucket file larger than `bucketLimit` is first streamed into sub-bucket files by a second,
///    independent hash of the client key, recursively (see `ClientAssembler`), so what is loaded
///    at once stays bounded however large the dump. Clients are independent, so `threads` workers
///    share each loaded (sub-)bucket client by client (see `OrderedAssembly`); the calling thread
///    books their results and emits them in order, at most 64 clients behind the workers.
///
/// Dossiers come out bucket by bucket (bucket index ascending), within a split bucket sub-bucket by
/// sub-bucket (index ascending, depth first), and within a loaded (sub-)bucket by client key
/// (numerically when both keys are digits, else by UTF-8 bytes): deterministic for the same input,
/// `bucketCount` and `bucketLimit`, whatever `threads` is. Records within a section keep input
/// order. Memory holds the link maps (about 100 bytes per link row, up to `linkMemory` each), one entry per row delivered
/// to several clients until its last delivery is mapped, a loaded (sub-)bucket's bytes (at most
/// `bucketLimit`, unless one client alone is larger) plus a 40-byte index entry per record in it
/// for the part being handed out, the one loaded ahead and one a worker may still be finishing,
/// and up to 64 clients' dossiers waiting to be emitted.
public final class DossierAssembler {
    public let profile: MappingProfile
    public let options: ExportOptions
    let documents: (any DocumentResolver)?
    /// Phase 1's rules; each phase-2 worker compiles its own (see `AssemblyRules`).
    let client: RecordRules
    let mappings: [RecordRules]

    /// Fails when the profile maps document content but no resolver is given.
    public init(profile: MappingProfile, options: ExportOptions = ExportOptions(),
                documents: (any DocumentResolver)? = nil) throws {
        self.profile = profile
        self.options = options
        self.documents = documents
        let rules = AssemblyRules(profile)
        client = rules.client
        mappings = rules.mappings
        if documents == nil, let i = profile.mappings.firstIndex(where: { $0.document != nil }) {
            throw DossierError("profile.documents", "the profile maps document content but no document resolver was given",
                               path: "$.mappings[\(i)].document")
        }
    }

    /// Reads every source to its end, then emits each dossier with the diagnostics about it.
    ///
    /// Readers are read in the order given; for CSV, one reader per file. Returns the account of
    /// every row. Throws on malformed input, spill I/O failure, or an error thrown by `emit`.
    public func run(_ readers: [any RowReader], emit: (Dossier, [Diagnostic]) throws -> Void) throws -> ExportAccount {
        try run(readers, emitWithFindings: { dossier, diagnostics, _ in try emit(dossier, diagnostics) })
    }

    /// As `run(_:emit:)`, also handing over the validator's findings as it gave them (unlocated).
    ///
    /// A consumer that validates every dossier itself, as an export session does, takes these
    /// instead of running the validator a second time on the same dossier.
    public func run(_ readers: [any RowReader],
                    emitWithFindings emit: (Dossier, _ diagnostics: [Diagnostic], _ findings: [Diagnostic]) throws -> Void) throws -> ExportAccount {
        let folder = try PrivateFolder(under: options.spillDirectory, prefix: "dossierport-spill")
        defer { folder.remove() }
        let run = AssemblyRun(self, folder)
        let sieve = AssemblySieve(run)
        let relay = AssemblyRelay(sieve, threaded: options.threads > 1, take: run.take)
        defer { relay.stop() }
        for reader in readers {
            reader.setSieve(relay)
            defer { reader.setSieve(nil) }
            while let row = try relay.next(reader) { try run.take(row) }
            sieve.flush()
            run.endOfReader()
        }
        try run.drainDeferred()
        try run.assemble(emit)
        return run.finish()
    }
}

/// How phase 1 treats the rows of one table.
struct TableRoute {
    var isClient = false
    var mappings: [Int] = []
    var links: [Int] = []
    var disposition: TableAccount.Disposition
}

/// The state of one run: counters, spill files, link maps. Lives only for the duration of `run`.
final class AssemblyRun {
    let a: DossierAssembler
    let folder: PrivateFolder
    let dict = SpillDictionary()
    var routes: [String: TableRoute] = [:]
    var links: [LinkMap] = []
    /// Per mapping, the link it goes through, if any.
    var mappingLink: [Int?] = []
    /// Per mapping, the slot of the row column that leads to the client (directly or via a link).
    var joinSlots: [Int: Int] = [:]
    var conditions: [(slot: Int, values: Set<String>)?] = []
    // Unchecked exclusivity on the two properties every carried row touches: a run is used by one
    // thread at a time, and the runtime's check cost as much as the access.
    @exclusivity(unchecked) var buckets: [SpillWriter?]
    var tables: [String: TableAccount] = [:]
    /// Where each unmapped table's first row is, so `table.unmapped` points into the source.
    var unmappedAt: [String: SourceLocation] = [:]
    var entities: [Entity: EntityAccount] = [:]
    var account = ExportAccount()
    @exclusivity(unchecked) var ordinal = 0
    var currentTable: String?
    /// The route of `currentTable`, looked up once per run of rows of one table.
    var currentRoute = TableRoute(disposition: .unmapped)
    /// Rows delivered to several clients: deliveries still to come, and whether one was mapped.
    var shared: [Int: (pending: Int, mapped: Bool, mapping: Int, table: String)] = [:]

    init(_ a: DossierAssembler, _ folder: PrivateFolder) {
        self.a = a
        self.folder = folder
        buckets = Array(repeating: nil, count: a.options.bucketCount)
        account.diagnostics = DiagnosticLog(limit: a.options.keptDiagnostics)
        routes[a.client.table] = TableRoute(isClient: true, disposition: .mapped)
        entities[.client] = EntityAccount(entity: .client)
        var linkIndex: [LinkSpec: Int] = [:]
        for (i, m) in a.profile.mappings.enumerated() {
            routes[m.table, default: TableRoute(disposition: .mapped)].mappings.append(i)
            entities[m.entity] = entities[m.entity] ?? EntityAccount(entity: m.entity)
            let rules = a.mappings[i]
            conditions.append(m.when.map { (rules.columns.slot($0.column), Set($0.values)) })
            switch m.join {
            case .column(let c):
                mappingLink.append(nil)
                joinSlots[i] = rules.columns.slot(c)
            case .link(let column, let table, let key, let clientColumn):
                let spec = LinkSpec(table: table, key: key, clientColumn: clientColumn)
                let l = linkIndex[spec] ?? { links.append(LinkMap(spec, index: links.count, only: a.options.clientKey, budget: a.options.linkMemory, folder: folder)); linkIndex[spec] = links.count - 1; return links.count - 1 }()
                mappingLink.append(l)
                joinSlots[i] = rules.columns.slot(column)
                if !(routes[table]?.links.contains(l) ?? false) {
                    routes[table, default: TableRoute(disposition: .link)].links.append(l)
                }
            }
        }
        for t in a.profile.ignore where routes[t] == nil { routes[t] = TableRoute(disposition: .ignored) }
    }

    func report(_ d: Diagnostic) { account.diagnostics.append(d) }

    // MARK: Phase 1: route rows to buckets

    func take(_ row: SourceRow) throws {
        ordinal += 1
        if row.table != currentTable { try enter(row.table, at: row.location) }
        let route = currentRoute
        tables[row.table]!.read += 1
        for l in route.links { try links[l].add(row) }
        if route.isClient {
            try routeClient(row)
        } else if !route.mappings.isEmpty {
            try routeMapped(row, route.mappings, ordinal: ordinal)
        } else {
            tables[row.table]!.notMapped += 1
        }
    }

    /// Starts the rows of `table`, whose first row is at `location`.
    func enter(_ table: String, at location: SourceLocation) throws {
        if let t = currentTable { markComplete(t) }
        currentTable = table
        let route = route(table)
        if route.links.contains(where: { links[$0].complete }) {
            throw DossierError("source.table-split", "link table \(table) appears again after other tables; its rows must be contiguous",
                               at: location)
        }
        currentRoute = route
        if tables[table] == nil {
            tables[table] = TableAccount(table: table, disposition: route.disposition)
            if route.disposition == .unmapped { unmappedAt[table] = SourceLocation(file: location.file, line: location.line, table: table) }
        }
    }

    func route(_ table: String) -> TableRoute { routes[table] ?? TableRoute(disposition: .unmapped) }

    func endOfReader() {
        if let t = currentTable { markComplete(t) }
        currentTable = nil
    }

    func markComplete(_ table: String) {
        for l in routes[table]?.links ?? [] { links[l].complete = true }
    }

    func reject(_ table: String, _ entity: Entity?, _ d: Diagnostic) {
        tables[table]!.rejected += 1
        if let entity { entities[entity]!.rejected += 1 }
        report(d)
    }

    func filtered(_ table: String, _ entity: Entity) {
        tables[table]!.filtered += 1
        entities[entity]!.filtered += 1
    }

    func routeClient(_ row: SourceRow) throws {
        entities[.client]!.read += 1
        a.client.columns.bind(row.columns)
        guard let key = a.client.key(row) else {
            return reject(row.table, .client, .error("value.missing", "client key column is empty", at: a.client.location(row)))
        }
        if let only = a.options.clientKey, only != key { return filtered(row.table, .client) }
        try bucket(key).append(SpillRecord(ordinal: ordinal, clientKey: key, mapping: SpillRecord.clientRow, shared: false, row: row), dict)
    }

    func routeMapped(_ row: SourceRow, _ candidates: [Int], ordinal: Int) throws {
        guard let m = candidates.first(where: { matches(row, $0) }) else {
            return reject(row.table, nil, .error("row.unmatched", "no mapping's 'when' condition matches the row",
                                                 at: a.mappings[candidates[0]].location(row)))
        }
        let rules = a.mappings[m]
        entities[rules.entity]!.read += 1
        guard let joinValue = RecordRules.identifier(rules.columns.value(joinSlots[m]!, row)) else {
            return reject(row.table, rules.entity, .error("row.orphan", "the column leading to the client is empty", at: rules.location(row)))
        }
        guard let l = mappingLink[m] else { return try deliver(row, m, .one(joinValue), ordinal) }
        let link = links[l]
        guard !link.defers else {
            return try link.deferRow(SpillRecord(ordinal: ordinal, clientKey: joinValue, mapping: m, shared: false, row: row), dict)
        }
        try resolveLink(row, m, link, joinValue, ordinal)
    }

    func matches(_ row: SourceRow, _ m: Int) -> Bool {
        a.mappings[m].columns.bind(row.columns)
        guard let c = conditions[m] else { return true }
        return RecordRules.identifier(a.mappings[m].columns.value(c.slot, row)).map(c.values.contains) ?? false
    }

    func resolveLink(_ row: SourceRow, _ m: Int, _ link: LinkMap, _ linkKey: String, _ ordinal: Int) throws {
        guard let targets = link.targets[linkKey] else {
            if link.otherClients.contains(linkKey) { return filtered(row.table, a.mappings[m].entity) }
            let rules = a.mappings[m]
            if let others = link.others {
                return try others.wait(OtherLinkKeys.Waiting(key: linkKey, mapping: m, file: dict.id(row.location.file ?? ""),
                                                             line: row.location.line ?? 0, recordKey: rules.key(row), counted: true))
            }
            return reject(row.table, rules.entity, orphan(link, at: rules.location(row)))
        }
        try deliver(row, m, targets, ordinal)
    }

    func deliver(_ row: SourceRow, _ m: Int, _ targets: LinkTargets, _ ordinal: Int) throws {
        try deliver(m, targets, ordinal, table: row.table) { key, shared in
            try bucket(key).append(SpillRecord(ordinal: ordinal, clientKey: key, mapping: m, shared: shared, row: row), dict)
        }
    }

    /// Books a row for the clients it goes to (with `--client`, that one only) and has `write`
    /// put it in each one's bucket.
    func deliver(_ m: Int, _ targets: LinkTargets, _ ordinal: Int, table: @autoclosure () -> String,
                 write: (_ client: String, _ shared: Bool) throws -> Void) throws {
        // One client is nearly every row's case, and it needs no array.
        if case .one(let key) = targets {
            if let only = a.options.clientKey, only != key { return filtered(table(), a.mappings[m].entity) }
            return try write(key, false)
        }
        let keys = targets.keys
        let chosen = a.options.clientKey.map { keys.contains($0) ? [$0] : [] } ?? keys
        if chosen.isEmpty { return filtered(table(), a.mappings[m].entity) }
        if chosen.count > 1 { shared[ordinal] = (chosen.count, false, m, table()) }
        for key in chosen { try write(key, chosen.count > 1) }
    }

    func bucket(_ key: String) throws -> SpillWriter { try bucket(hash: fnv1a(key)) }

    /// The bucket of the client whose key is these UTF-8 bytes.
    func bucket(_ key: UnsafeBufferPointer<UInt8>) throws -> SpillWriter { try bucket(hash: fnv1a(key)) }

    private func bucket(hash: UInt64) throws -> SpillWriter {
        let b = Int(hash % UInt64(buckets.count))
        if let w = buckets[b] { return w }
        let w = try SpillWriter(path: folder.file("bucket-\(b)"))
        buckets[b] = w
        return w
    }

    /// Routes rows that waited for their link table, now that every table has been read; then
    /// tells the rows waiting on other clients' keys (`--client`, past the budget) apart.
    func drainDeferred() throws {
        for link in links {
            try link.drain { try routeDeferred($0, link) }
            try link.others?.drain(mappings: a.mappings.count, files: dict.strings.count) { w, isOther in
                let entity = a.mappings[w.mapping].entity, table = a.profile.mappings[w.mapping].table
                if !w.counted { entities[entity]!.read += 1 }
                if isOther { return filtered(table, entity) }
                reject(table, entity, orphan(link, at: SourceLocation(file: dict.strings[w.file], line: w.line, table: table, key: w.recordKey)))
            }
        }
    }

    /// A row whose key its link table does not have.
    func orphan(_ link: LinkMap, at location: SourceLocation) -> Diagnostic {
        .error("row.orphan", "key not found in link table \(link.spec.table) column '\(link.spec.key)'", at: location)
    }

    /// Routes one file of deferred rows through `link`'s loaded targets. A row whose key is found
    /// is moved into its buckets as the bytes it was spilled as, under its client's key: the
    /// mapping and `when` were chosen before it was deferred, so only orphans and rows for
    /// another client (with `--client`) are decoded again, to be reported and counted.
    func routeDeferred(_ path: String, _ link: LinkMap) throws {
        let stream = try SpillStream(path: path, dict: dict)
        while let body = try stream.nextBody() {
            var d = SpillDecoder(bytes: body, dict: dict, path: path)
            let h = try d.routing(mappings: a.mappings.count)
            if let targets = link.targets[String(decoding: body[h.key], as: UTF8.self)] {
                try deliver(h.mapping, targets, h.ordinal, table: self.dict.strings[h.table]) { key, shared in
                    try bucket(key).appendRerouted(body, from: h.key.upperBound, ordinal: h.ordinal, mapping: h.mapping,
                                                   flags: h.flags & ~SpillFlag.shared | (shared ? SpillFlag.shared : 0), clientKey: key)
                }
            } else {
                var full = SpillDecoder(bytes: body, dict: dict, path: path)
                let r = try full.record()
                a.mappings[r.mapping].columns.bind(r.row.columns)
                try resolveLink(r.row, r.mapping, link, r.clientKey, r.ordinal)
            }
        }
    }

    func finish() -> ExportAccount {
        for t in tables.values.sorted(by: { $0.table < $1.table }) where t.disposition == .unmapped {
            report(.error("table.unmapped", "table \(t.table) is not in the profile: \(t.read) rows not exported",
                          at: unmappedAt[t.table] ?? SourceLocation(table: t.table)))
        }
        account.tables = tables.values.sorted { $0.table < $1.table }
        account.entities = Entity.allCases.compactMap { entities[$0] }
        return account
    }
}

/// FNV-1a, 64-bit: a fixed hash (Swift's `Hasher` is seeded per process) so buckets, and with them
/// the dossier order, are the same on every run. `basis` other than the standard offset basis
/// gives an independent hash (sub-buckets are chosen by one).
func fnv1a(_ bytes: some Sequence<UInt8>, basis: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
    var h = basis
    for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
    return h
}

/// `fnv1a` of a text's UTF-8, through a buffer where the text has one (a short key's is copied to
/// the stack): walking `utf8` byte by byte cost twice the hash, for every row routed.
func fnv1a(_ s: String) -> UInt64 {
    s.utf8.withContiguousStorageIfAvailable { fnv1a($0) } ?? fnv1a(s.utf8)
}
