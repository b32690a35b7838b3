internal import DossierModel

/// Phase 1's answer to a reader's `RowSieve` questions: which rows an export run only counts.
///
/// Rows of ignored and unmapped tables are only counted; with a selected client, so are rows that
/// plainly lead to another client, by the same tests `AssemblyRun.take` applies to a decoded row.
/// A row is passed over only when its fate is certain from the probed fields; anything else (an
/// empty key, no matching `when`, a link table not yet complete, an unknown link key) is decoded and
/// goes through `take`, which reports it. The counts of a passed-over row are kept exactly as
/// `take` would keep them, so the account does not depend on whether a reader can skip.
final class AssemblySieve: RowSieve {
    private unowned let run: AssemblyRun
    private var current: Plan?

    /// The probed fields of one table, by position in the reader's field list, and the counts of
    /// its passed-over rows, kept here and added to the run's account by `flush` so that a row
    /// costs no dictionary update.
    private final class Plan {
        let table: String
        let file: String
        let route: TableRoute
        var entered = false
        /// The client table's key columns.
        var key: [Int] = []
        /// Candidate mappings in `take`'s order: the `when` field and its values, the join field,
        /// the link it goes through.
        var mappings: [(m: Int, condition: (field: Int, values: [String])?, join: Int, link: LinkMap?)] = []
        /// Link maps this table fills: the key and client fields.
        var links: [(map: LinkMap, key: Int, client: Int)] = []
        var read = 0
        /// Per `mappings` element, or `[0]` for the client table.
        var filtered: [Int] = []

        init(table: String, file: String, route: TableRoute) {
            self.table = table; self.file = file; self.route = route
        }
    }

    init(_ run: AssemblyRun) { self.run = run }

    func plan(table: String, columns: [String], file: String) -> RowPlan {
        flush()
        current = nil
        let route = run.route(table)
        let plan = Plan(table: table, file: file, route: route)
        if !route.isClient, route.mappings.isEmpty, route.links.isEmpty {
            current = plan
            return .count
        }
        guard run.a.options.clientKey != nil, !(route.isClient && !route.links.isEmpty) else { return .decode }
        var probed: [Int] = []
        func field(_ name: String) -> Int? {
            guard let c = columns.firstIndex(of: name) else { return nil }
            if let f = probed.firstIndex(of: c) { return f }
            probed.append(c)
            return probed.count - 1
        }
        if route.isClient {
            for name in run.a.client.keyNames {
                guard let f = field(name) else { return .decode }
                plan.key.append(f)
            }
            plan.filtered = [0]
        } else {
            for m in route.mappings {
                var condition: (Int, [String])?
                if let when = run.a.profile.mappings[m].when {
                    guard let f = field(when.column) else { return .decode }
                    condition = (f, when.values)
                }
                let joinColumn: String
                switch run.a.profile.mappings[m].join {
                case .column(let c): joinColumn = c
                case .link(let c, _, _, _): joinColumn = c
                }
                guard let j = field(joinColumn) else { return .decode }
                plan.mappings.append((m, condition, j, run.mappingLink[m].map { run.links[$0] }))
            }
            for l in route.links {
                guard let k = field(run.links[l].spec.key), let c = field(run.links[l].spec.clientColumn) else { return .decode }
                plan.links.append((run.links[l], k, c))
            }
            plan.filtered = Array(repeating: 0, count: plan.mappings.count)
        }
        current = plan
        return .probe(probed)
    }

    func admit(_ fields: [UnsafeBufferPointer<UInt8>?], line: Int) throws -> Bool {
        guard let plan = current else { return true }
        if !plan.entered {
            // A link table met again must fail in `take`, with the decoded row's location.
            if plan.route.links.contains(where: { run.links[$0].complete }) { return true }
            try run.enter(plan.table, at: SourceLocation(file: plan.file, line: line, table: plan.table))
            plan.entered = true
        }
        /// What `RecordRules.identifier` makes of the decoded value.
        func text(_ f: Int) -> String? {
            guard let v = fields[f], !v.isEmpty else { return nil }
            return String(decoding: v, as: UTF8.self)
        }
        let only = run.a.options.clientKey
        if plan.route.isClient {
            guard let key = RecordRules.joined(plan.key.map(text)), key != only else { return admitted(plan) }
            plan.read += 1
            plan.filtered[0] += 1
            return false
        }
        for link in plan.links where text(link.client) == only { return admitted(plan) }
        var chosen = -1
        if !plan.mappings.isEmpty {
            for (i, c) in plan.mappings.enumerated() {
                if let condition = c.condition {
                    guard let v = text(condition.field), condition.values.contains(v) else { continue }
                }
                chosen = i
                break
            }
            guard chosen >= 0, let joinValue = text(plan.mappings[chosen].join) else { return admitted(plan) }
            if let link = plan.mappings[chosen].link {
                guard link.complete, link.otherClients.contains(joinValue) else { return admitted(plan) }
            } else if joinValue == only {
                return admitted(plan)
            }
            plan.filtered[chosen] += 1
        }
        for link in plan.links where fields[link.client]?.isEmpty == false {
            if let key = text(link.key) { link.map.addOther(key) }
        }
        plan.read += 1
        return false
    }

    /// Adds the counts of passed-over rows to the run's account, as `take` would have kept them
    /// row by row; before a decoded row too, so ordinals stay those of a run that decodes all.
    func flush() {
        guard let plan = current, plan.read > 0 else { return }
        let table = plan.table
        run.ordinal += plan.read
        run.tables[table]!.read += plan.read
        if plan.route.isClient {
            run.entities[.client]!.read += plan.filtered[0]
            run.tables[table]!.filtered += plan.filtered[0]
            run.entities[.client]!.filtered += plan.filtered[0]
        } else if plan.mappings.isEmpty {
            run.tables[table]!.notMapped += plan.read
        }
        for (i, c) in plan.mappings.enumerated() where plan.filtered[i] > 0 {
            let entity = run.a.mappings[c.m].entity
            run.entities[entity]!.read += plan.filtered[i]
            run.tables[table]!.filtered += plan.filtered[i]
            run.entities[entity]!.filtered += plan.filtered[i]
        }
        plan.read = 0
        for i in plan.filtered.indices { plan.filtered[i] = 0 }
    }

    private func admitted(_ plan: Plan) -> Bool {
        if plan.read > 0 { flush() }
        return true
    }
}
