internal import DossierModel

/// Phase 1's answer to a reader's `RowSieve` questions: which rows an export run only counts, and
/// which it moves on undecoded.
///
/// Rows of ignored and unmapped tables are only counted; with a selected client, so are rows that
/// plainly lead to another client, by the same tests `AssemblyRun.take` applies to a decoded row.
/// Exporting all clients, rows of mapped tables (other than the client table and link tables) are
/// carried: routed by their probed fields and spilled as the reader's checked raw line, to be
/// decoded in phase 2, on its worker threads, rather than here on the one thread that reads.
/// A row is passed over or carried only when its fate is certain from the probed fields; anything
/// else (an empty key, no matching `when`, a link table not yet complete, an unknown link key) is
/// decoded and goes through `take`, which reports it. The counts of a passed-over or carried row are
/// kept exactly as `take` would keep them, so the account does not depend on what a reader can do.
final class AssemblySieve: RowSieve {
    private let run: AssemblyRun
    private let only: String?
    private var current: Plan?

    /// How one table's rows are judged, fixed when its COPY starts: `let`s and a counter buffer,
    /// so that judging a row costs no exclusivity check, retain or dictionary update.
    private final class Plan {
        let table: String
        let file: String
        let route: TableRoute
        /// The client table's key fields.
        let key: [Int]
        /// Candidate mappings in `take`'s order, side by side: mapping, `when` field (-1: none)
        /// and values, join field, the link it goes through.
        let mappings: [Int], conditionFields: [Int], conditionValues: [[String]], joinFields: [Int], mappingLinks: [LinkMap?]
        /// The `when` values' UTF-8, and whether all of a mapping's are ASCII (see `holds`).
        let conditionBytes: [[[UInt8]]], conditionASCII: [Bool]
        /// Link maps this table fills, with their key and client fields.
        let links: [LinkMap], linkKeys: [Int], linkClients: [Int]
        /// [0]: rows passed over; [1]: whether the run has entered the table; [2...]: rows
        /// filtered per candidate mapping (or for the client table), then rows carried per
        /// candidate mapping, until `flush` adds them up.
        let counts: UnsafeMutablePointer<Int>
        let slots: Int
        /// Carried lines' interned ids; the kind set's is known at the first line.
        var ids: CarriedIDs?
        /// With a selected client: per candidate mapping, the fields of its record key, which a row
        /// waiting on other clients' link keys on disk (see `OtherLinkKeys`) is reported by.
        var keyFields: [[Int]] = []
        var fileID = 0

        init(table: String, file: String, route: TableRoute, key: [Int] = [], mappings: [Int] = [], conditionFields: [Int] = [],
             conditionValues: [[String]] = [], joinFields: [Int] = [], mappingLinks: [LinkMap?] = [],
             links: [LinkMap] = [], linkKeys: [Int] = [], linkClients: [Int] = []) {
            self.table = table; self.file = file; self.route = route; self.key = key
            self.mappings = mappings; self.conditionFields = conditionFields; self.conditionValues = conditionValues
            self.joinFields = joinFields; self.mappingLinks = mappingLinks
            conditionBytes = conditionValues.map { $0.map { Array($0.utf8) } }
            conditionASCII = conditionValues.map { $0.allSatisfy { $0.utf8.allSatisfy { $0 < 0x80 } } }
            self.links = links; self.linkKeys = linkKeys; self.linkClients = linkClients
            slots = 2 + 2 * max(1, mappings.count)
            counts = .allocate(capacity: slots)
            counts.initialize(repeating: 0, count: slots)
        }

        /// Where the carried count of candidate `i` is kept.
        func carried(_ i: Int) -> Int { 2 + max(1, mappings.count) + i }

        deinit { counts.deallocate() }
    }

    init(_ run: AssemblyRun) {
        self.run = run
        only = run.a.options.clientKey
    }

    /// The last question and its answer: a dump made with `--inserts` asks again for every row.
    private var last: (table: String, columns: [String], file: String, answer: RowPlan, plan: Plan?)?

    func plan(table: String, columns: [String], file: String) -> RowPlan {
        flush()
        if let l = last, l.table == table, l.columns == columns, l.file == file {
            current = l.plan
            return l.answer
        }
        let answer = newPlan(table: table, columns: columns, file: file)
        last = (table, columns, file, answer, current)
        return answer
    }

    private func newPlan(table: String, columns: [String], file: String) -> RowPlan {
        current = nil
        let route = run.route(table)
        if !route.isClient, route.mappings.isEmpty, route.links.isEmpty {
            current = Plan(table: table, file: file, route: route)
            return .count
        }
        let carrying = only == nil
        if carrying {
            guard !route.isClient, route.links.isEmpty else { return .decode }
        } else {
            guard !(route.isClient && !route.links.isEmpty) else { return .decode }
        }
        var probed: [Int] = []
        func field(_ name: String) -> Int? {
            guard let c = columns.firstIndex(of: name) else { return nil }
            if let f = probed.firstIndex(of: c) { return f }
            probed.append(c)
            return probed.count - 1
        }
        if route.isClient {
            var key: [Int] = []
            for name in run.a.client.keyNames {
                guard let f = field(name) else { return .decode }
                key.append(f)
            }
            current = Plan(table: table, file: file, route: route, key: key)
            return .probe(probed)
        }
        var conditionFields: [Int] = [], conditionValues: [[String]] = [], joinFields: [Int] = [], mappingLinks: [LinkMap?] = []
        var keyFields: [[Int]] = []
        for m in route.mappings {
            if let when = run.a.profile.mappings[m].when {
                guard let f = field(when.column) else { return .decode }
                conditionFields.append(f)
                conditionValues.append(when.values)
            } else {
                conditionFields.append(-1)
                conditionValues.append([])
            }
            let joinColumn: String
            switch run.a.profile.mappings[m].join {
            case .column(let c): joinColumn = c
            case .link(let c, _, _, _): joinColumn = c
            }
            guard let j = field(joinColumn) else { return .decode }
            joinFields.append(j)
            mappingLinks.append(run.mappingLink[m].map { run.links[$0] })
            if !carrying, run.mappingLink[m] != nil {
                var key: [Int] = []
                for name in run.a.mappings[m].keyNames {
                    guard let f = field(name) else { return .decode }
                    key.append(f)
                }
                keyFields.append(key)
            } else {
                keyFields.append([])
            }
        }
        var linkKeys: [Int] = [], linkClients: [Int] = []
        for l in route.links {
            guard let k = field(run.links[l].spec.key), let c = field(run.links[l].spec.clientColumn) else { return .decode }
            linkKeys.append(k)
            linkClients.append(c)
        }
        let plan = Plan(table: table, file: file, route: route, mappings: route.mappings, conditionFields: conditionFields,
                        conditionValues: conditionValues, joinFields: joinFields, mappingLinks: mappingLinks,
                        links: route.links.map { run.links[$0] }, linkKeys: linkKeys, linkClients: linkClients)
        current = plan
        plan.keyFields = keyFields
        plan.fileID = run.dict.id(file)
        guard carrying else { return .probe(probed) }
        plan.ids = CarriedIDs(table: run.dict.id(table), columns: run.dict.id(columns: columns), kinds: -1, file: plan.fileID)
        return .carry(probed)
    }

    /// Enters the plan's table at its first row the sieve sees; false when the row must be decoded
    /// instead: a link table met again must fail in `take`, with the decoded row's location.
    private func entered(_ plan: Plan, line: Int) throws -> Bool {
        guard plan.counts[1] == 0 else { return true }
        if plan.route.links.contains(where: { run.links[$0].complete }) { return false }
        try run.enter(plan.table, at: SourceLocation(file: plan.file, line: line, table: plan.table))
        plan.counts[1] = 1
        return true
    }

    /// What `RecordRules.identifier` makes of the decoded value.
    private func text(_ fields: RawFields, _ f: Int) -> String? {
        guard let v = fields[f], !v.isEmpty else { return nil }
        return String(validatedUTF8: v)  // the reader checked the field (see `RowSieve.admit`)
    }

    /// What `RecordRules.key` makes of the decoded key columns.
    private func key(_ fields: RawFields, _ key: [Int]) -> String? {
        key.count == 1 ? text(fields, key[0]) : RecordRules.joined(key.map { text(fields, $0) })
    }

    /// The candidate mapping `take` would choose for the row (its index in the plan) and the bytes
    /// of its join column (not empty), if both are certain from the probed fields.
    private func choice(_ plan: Plan, _ fields: RawFields) -> (index: Int, join: UnsafeBufferPointer<UInt8>)? {
        for i in 0..<plan.mappings.count {
            let f = plan.conditionFields[i]
            if f >= 0 {
                guard let v = fields[f], !v.isEmpty, holds(plan, i, v) else { continue }
            }
            guard let join = fields[plan.joinFields[i]], !join.isEmpty else { return nil }
            return (i, join)
        }
        return nil
    }

    /// Whether `value` is one of candidate `i`'s `when` values as `take` compares them, by
    /// `String`'s `==`: by bytes, the texts compared only when either side is not all ASCII,
    /// where different bytes can be canonically equivalent. Making a text of the value for
    /// every carried row was a tenth of routing it.
    private func holds(_ plan: Plan, _ i: Int, _ value: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in plan.conditionBytes[i] where b.elementsEqual(value) { return true }
        if plan.conditionASCII[i], !value.contains(where: { $0 >= 0x80 }) { return false }
        return plan.conditionValues[i].contains(String(validatedUTF8: value))
    }

    func carry(_ fields: RawFields, line: Int, raw: CarriedLine) throws -> Bool {
        guard let plan = current, var ids = plan.ids, try entered(plan, line: line),
              let (i, join) = choice(plan, fields) else { return true }
        if ids.kinds < 0 {
            ids = CarriedIDs(table: ids.table, columns: ids.columns, kinds: run.dict.id(kinds: raw.numeric), file: ids.file)
            plan.ids = ids
        }
        let m = plan.mappings[i], link = plan.mappingLinks[i]
        // The client: the join value's own bytes unless a link gives another.
        var linked: LinkClient?
        if let link, !link.defers {
            // An unknown link key is an orphan, which `take` reports.
            guard let c = link.targets.client(join) else { return true }
            linked = c
        }
        if plan.counts[0] > 0 { flush() }
        run.ordinal += 1
        plan.counts[plan.carried(i)] += 1
        let ordinal = run.ordinal
        func spill(to key: UnsafeBufferPointer<UInt8>, in writer: SpillWriter) throws {
            try writer.appendCarried(raw, number: line, ids, ordinal: ordinal, mapping: m, shared: false, clientKey: key)
        }
        if let link, link.defers {
            try spill(to: join, in: link.deferral(String(validatedUTF8: join)))
            return false
        }
        // Carried rows are not filtered (rows are carried only when exporting every client), so a
        // row for one client goes to its bucket here, by bytes; `deliver` books a shared one.
        switch linked {
        case nil:
            try spill(to: join, in: run.bucket(join))
        case .number(let client)?:
            try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
                let start = digits.baseAddress!
                let key = UnsafeBufferPointer(start: start, count: Digits.write(Int(client), 1, start) - start)
                try spill(to: key, in: run.bucket(key))
            }
        case .targets(let targets)?:
            try run.deliver(m, targets, ordinal, table: plan.table) { key, shared in
                try run.bucket(key).appendCarried(raw, number: line, ids, ordinal: ordinal, mapping: m, shared: shared, clientKey: key)
            }
        }
        return false
    }

    func admit(_ fields: RawFields, line: Int) throws -> Bool {
        guard let plan = current else { return true }
        let counts = plan.counts
        guard try entered(plan, line: line) else { return true }
        func text(_ f: Int) -> String? { self.text(fields, f) }
        if plan.route.isClient {
            guard let key = key(fields, plan.key), key != only else { return admitted(plan) }
            counts[0] += 1
            counts[2] += 1
            return false
        }
        for c in plan.linkClients where text(c) == only { return admitted(plan) }
        if !plan.mappings.isEmpty {
            guard let (chosen, join) = choice(plan, fields) else { return admitted(plan) }
            let joinValue = String(validatedUTF8: join)
            if let link = plan.mappingLinks[chosen] {
                guard link.complete else { return admitted(plan) }
                if link.otherClients.contains(joinValue) {
                    counts[2 + chosen] += 1
                } else {
                    // Not known as another client's: the selected client's (in `targets`) or an
                    // unknown key is decoded; past the budget, the rest waits on disk.
                    guard let others = link.others, link.partitions == nil, link.targets[joinValue] == nil else { return admitted(plan) }
                    try others.wait(OtherLinkKeys.Waiting(
                        key: joinValue, mapping: plan.mappings[chosen], file: plan.fileID, line: line,
                        recordKey: key(fields, plan.keyFields[chosen]), counted: false))
                }
            } else if joinValue == only {
                return admitted(plan)
            } else {
                counts[2 + chosen] += 1
            }
        }
        for i in 0..<plan.links.count where fields[plan.linkClients[i]]?.isEmpty == false {
            if let key = text(plan.linkKeys[i]) { try plan.links[i].addOther(key) }
        }
        counts[0] += 1
        return false
    }

    func passOver(_ rows: Int) {
        current!.counts[0] += rows
    }

    /// Adds the counts of passed-over rows to the run's account, as `take` would have kept them
    /// row by row; before a decoded row too, so ordinals stay those of a run that decodes all.
    func flush() {
        guard let plan = current else { return }
        let table = plan.table, counts = plan.counts
        for (i, m) in plan.mappings.enumerated() where counts[plan.carried(i)] > 0 {
            run.tables[table]!.read += counts[plan.carried(i)]
            run.entities[run.a.mappings[m].entity]!.read += counts[plan.carried(i)]
            counts[plan.carried(i)] = 0
        }
        guard counts[0] > 0 else { return }
        run.ordinal += counts[0]
        run.tables[table]!.read += counts[0]
        if plan.route.isClient {
            run.entities[.client]!.read += counts[2]
            run.tables[table]!.filtered += counts[2]
            run.entities[.client]!.filtered += counts[2]
        } else if plan.mappings.isEmpty {
            run.tables[table]!.notMapped += counts[0]
        }
        for (i, m) in plan.mappings.enumerated() where counts[2 + i] > 0 {
            let entity = run.a.mappings[m].entity
            run.entities[entity]!.read += counts[2 + i]
            run.tables[table]!.filtered += counts[2 + i]
            run.entities[entity]!.filtered += counts[2 + i]
        }
        counts[0] = 0
        for i in 2..<plan.carried(0) { counts[i] = 0 }
    }

    private func admitted(_ plan: Plan) -> Bool {
        if plan.counts[0] > 0 { flush() }
        return true
    }
}
