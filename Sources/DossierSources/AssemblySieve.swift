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

    /// The probed fields of one table, by position in the reader's field list.
    private struct Plan {
        let table: String
        let file: String
        let route: TableRoute
        /// The client table's key columns.
        var key: [Int] = []
        /// Candidate mappings in `take`'s order: the `when` field and its values, the join field.
        var mappings: [(m: Int, condition: (field: Int, values: Set<String>)?, join: Int)] = []
        /// Link maps this table fills: the key and client fields.
        var links: [(l: Int, key: Int, client: Int)] = []
    }

    init(_ run: AssemblyRun) { self.run = run }

    func plan(table: String, columns: [String], file: String) -> RowPlan {
        current = nil
        let route = run.route(table)
        var plan = Plan(table: table, file: file, route: route)
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
        } else {
            for m in route.mappings {
                var condition: (Int, Set<String>)?
                if let when = run.a.profile.mappings[m].when {
                    guard let f = field(when.column) else { return .decode }
                    condition = (f, Set(when.values))
                }
                let joinColumn: String
                switch run.a.profile.mappings[m].join {
                case .column(let c): joinColumn = c
                case .link(let c, _, _, _): joinColumn = c
                }
                guard let j = field(joinColumn) else { return .decode }
                plan.mappings.append((m, condition, j))
            }
            for l in route.links {
                guard let k = field(run.links[l].spec.key), let c = field(run.links[l].spec.clientColumn) else { return .decode }
                plan.links.append((l, k, c))
            }
        }
        current = plan
        return .probe(probed)
    }

    func admit(_ fields: [UnsafeBufferPointer<UInt8>?], line: Int) throws -> Bool {
        guard let plan = current else { return true }
        let run = self.run
        if run.currentTable != plan.table {
            // A link table met again must fail in `take`, with the decoded row's location.
            if plan.route.links.contains(where: { run.links[$0].complete }) { return true }
            try run.enter(plan.table, at: SourceLocation(file: plan.file, line: line, table: plan.table))
        }
        /// What `RecordRules.identifier` makes of the decoded value.
        func text(_ f: Int) -> String? {
            guard let v = fields[f], !v.isEmpty else { return nil }
            return String(decoding: v, as: UTF8.self)
        }
        let table = plan.table
        if plan.route.isClient {
            guard let key = RecordRules.joined(plan.key.map(text)), key != run.a.options.clientKey else { return true }
            run.entities[.client]!.read += 1
            count(table)
            run.filtered(table, .client)
            return false
        }
        let only = run.a.options.clientKey
        var linked: [(l: Int, key: String)] = []
        for link in plan.links {
            let client = text(link.client)
            if client == only { return true }
            if client != nil, let key = text(link.key) { linked.append((link.l, key)) }
        }
        if plan.route.mappings.isEmpty {
            // A plain link table, or a table that is only counted.
            for (l, key) in linked { run.links[l].otherClients.insert(key) }
            count(table)
            run.tables[table]!.notMapped += 1
            return false
        }
        guard let (m, _, join) = plan.mappings.first(where: { c in c.condition.map { text($0.field).map($0.values.contains) ?? false } ?? true }),
              let joinValue = text(join) else { return true }
        if let l = run.mappingLink[m] {
            let link = run.links[l]
            guard link.complete, link.targets[joinValue] == nil, link.otherClients.contains(joinValue) else { return true }
        } else if joinValue == only {
            return true
        }
        for (l, key) in linked { run.links[l].otherClients.insert(key) }
        let entity = run.a.mappings[m].entity
        count(table)
        run.entities[entity]!.read += 1
        run.filtered(table, entity)
        return false
    }

    /// What `take` counts for every row.
    private func count(_ table: String) {
        run.ordinal += 1
        run.tables[table]!.read += 1
    }
}
