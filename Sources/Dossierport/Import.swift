public import DossierModel
import DossierIO
import DossierCrypto
import DossierFormats
public import DossierBundle

/// Where an imported bundle goes.
public enum ImportTarget: String, Sendable, Codable, CaseIterable {
    case postgres, mysql, sqlite, files

    var dialect: SQLDialect? { SQLDialect(rawValue: rawValue) }
}

public struct ImportOptions: Sendable {
    public var target: ImportTarget
    /// A file for SQL (or `-` for standard output), a new folder for `files`.
    public var output: String
    public var keys: BundleKeys
    /// Leave the `CREATE TABLE IF NOT EXISTS` statements out of the script.
    public var includeDDL = true
    /// Entries of export.json's dossier list held in memory; the rest wait on disk (`DossierList`).
    public var dossiersHeld = 4096
    /// What the archive may declare before it is refused unread (entries, size, ratio).
    public var limits = ZipLimits.default

    public init(target: ImportTarget, output: String, keys: BundleKeys = BundleKeys()) {
        self.target = target; self.output = output; self.keys = keys
    }
}

/// The account of one import, for people and (`--json`) for machines.
public struct ImportReport: Sendable, Codable {
    public var bundle: String
    public var target: ImportTarget
    public var output: String?
    public var bundleID: String?
    /// SHA-256 of the tag manifest: the identity under which the `imports` table records the bundle.
    public var bundleDigest: String?
    public var sender: String?
    public var senderKvK: String?
    public var purpose: String?
    public var createdAt: String?
    /// False when a check failed; then nothing was written.
    public var loaded: Bool
    public var dossiers = 0
    /// The dossier ids the bundle holds, for the export log.
    public var dossierIDs = IDList()
    /// Per table: what the bundle holds and, where known, what became of it.
    public var entities: [EntityOutcome] = []
    public var conflicts: [ImportConflict] = []
    /// Whether the outcome columns are known (files, or a database the command applied itself)
    /// or left to the script, which prints them when it runs.
    public var outcomesKnown = false
    /// The bundle's problems, the first listed and every one counted (see `BundleCheck.problems`).
    public var problems = DiagnosticLog()

    public struct EntityOutcome: Sendable, Codable, Hashable {
        public var table: String
        public var records: Int
        public var added: Int?
        public var updated: Int?
        public var unchanged: Int?
        public var rejected: Int?
    }

    public struct ImportConflict: Sendable, Codable, Hashable {
        public var dossierID: String
        public var reason: String
    }
}

/// Loads a verified bundle into a database script or a folder of per-entity files.
///
/// Nothing is written unless the whole bundle passes `BundleInspection`'s checks, and the check and
/// the load read the same opened (and, when encrypted, the same decrypted) bytes, so what is loaded
/// is what was checked.
public enum BundleImport {
    public static func run(bundle path: String, options: ImportOptions) -> ImportReport {
        var report = ImportReport(bundle: path, target: options.target, loaded: false)
        do {
            try BundleInspection.withStore(path: path, keys: options.keys, limits: options.limits) { store, encrypted in
                var check = BundleCheck(path: path)
                check.encrypted = encrypted
                check.bag = BundleInspection.verifyBag(store, options.keys)
                var staged: StagedScript?
                var stagedFiles: StagedFiles?
                if check.bag.isValid {
                    if let payload = BundleInspection.readManifest(store, &check, holding: options.dossiersHeld), let manifest = check.manifest, let dossiers = check.dossiers {
                        if check.isValid, let dialect = options.target.dialect {
                            let script = StagedScript(dialect: dialect, manifest: manifest, dossiers: dossiers, store: store, options: options)
                            let renderers = (0..<BundleInspection.workers).map { _ in SQLDossierRenderer(dialect: dialect, location: store.location) }
                            checkAndRender(manifest, dossiers, payload, store, &check, options.limits, render: { try renderers[$0].render($1, documents: $2) },
                                           each: script.write)
                            staged = script
                        } else if check.isValid {
                            let folder = StagedFiles(path: options.output, store: store)
                            let renderers = (0..<BundleInspection.workers).map { _ in FilesRenderer() }
                            checkAndRender(manifest, dossiers, payload, store, &check, options.limits, render: { try renderers[$0].render($1, documents: $2) },
                                           each: folder.write)
                            stagedFiles = folder
                        } else {
                            BundleInspection.checkDossiers(manifest, dossiers, payload, store, &check, limits: options.limits)
                        }
                    }
                    if check.manifest == nil && check.isValid {
                        check.problems.append(.error("import.not-a-bundle", "a plain BagIt bag without data/export.json cannot be imported",
                                                     at: SourceLocation(file: path, entry: "data/export.json")))
                    }
                }
                BagVerifier.checkDeferred(store, &check.bag)
                report.problems = check.allProblems
                guard check.isValid, let manifest = check.manifest, let dossiers = check.dossiers else { return }
                let facts = try SQLBundleFacts(manifest, dossiers, store)
                try report.describe(facts)
                if let staged {
                    try staged.commit()
                } else if let stagedFiles {
                    try stagedFiles.commit()
                    report.outcomesKnown = true
                    for i in report.entities.indices { report.entities[i].added = report.entities[i].records }
                }
                report.output = options.output
                report.loaded = true
            }
        } catch {
            report.problems.append(BundleInspection.diagnostic(error, SourceLocation(file: path)))
        }
        return report
    }

    /// Checks every dossier and has each one that passed rendered, on the core that checked it, by
    /// `render` (given the worker, the dossier and the payload paths export.json lists for it);
    /// `each` gets the results in export.json order.
    private static func checkAndRender<Rendered>(_ manifest: ExportManifest, _ dossiers: DossierList, _ payload: Int, _ store: any BagStore,
                                                 _ check: inout BundleCheck, _ limits: ZipLimits,
                                                 render: @escaping @Sendable (_ worker: Int, Dossier, Set<String>) throws -> Rendered,
                                                 each: (Result<Rendered, any Error>) -> Void) {
        BundleInspection.checkDossiers(manifest, dossiers, payload, store, &check, limits: limits, prepare: { d, entry, worker in
            Result { try render(worker, d, Set(entry.documents.map { "data/" + $0 })) }
        }, each: each)
    }

    /// A script file written while the bundle is checked, under a temporary name that becomes the
    /// output only in `commit`: each dossier is decoded once, for the check and the load together
    /// (and rendered on the core that checked it), and a bundle that fails any check leaves no
    /// file under the output name.
    ///
    /// Standard output cannot be taken back, so its script is staged in a private temporary folder
    /// and copied out only in `commit`: decoding every dossier a second time cost more than writing
    /// and reading back the script (which is in the page cache and is never synced).
    /// A write failure stops the staging but not the check, so the report still lists every
    /// problem the bundle has; it is thrown only if the bundle passed.
    final class StagedScript {
        private var file: PendingFile?
        /// For standard output: the private folder the script is staged in, never committed.
        private var staging: PrivateFolder?
        private var writer: SQLScriptWriter?
        private var failure: (any Error)?

        init(dialect: SQLDialect, manifest: ExportManifest, dossiers: DossierList, store: any BagStore, options: ImportOptions) {
            do {
                let toStandardOutput = options.output == "-"
                if toStandardOutput { staging = try PrivateFolder(under: PrivateFolder.temporaryDirectory) }
                let file = try PendingFile(path: staging.map { $0.path + "/import.sql" } ?? options.output,
                                           mode: toStandardOutput ? 0o600 : 0o644)
                let writer = SQLScriptWriter(dialect: dialect, facts: try SQLBundleFacts(manifest, dossiers, store), store: store, to: file.sink)
                try writer.begin(includeDDL: options.includeDDL)
                (self.file, self.writer) = (file, writer)
            } catch { failure = error }
        }

        /// Writes a dossier a `SQLDossierRenderer` rendered, or keeps the error that stopped it.
        func write(_ rendered: Result<RenderedDossier, any Error>) {
            guard failure == nil, let writer else { return }
            do { try writer.write(rendered.get()) } catch { failure = error }
        }

        func commit() throws {
            if let failure { throw failure }
            guard let file, let writer else { return }
            try writer.finish()
            guard staging != nil else { return try file.commit() }
            try file.sink.close()
            let out = FileSink.standardOutput()
            let reader = try ByteReader(path: file.sink.path)
            while let chunk = try reader.nextChunk() { try out.write(chunk) }
            try out.flush()
        }
    }
}

extension ImportReport {
    mutating func describe(_ f: SQLBundleFacts) throws {
        let m = f.manifest
        bundleID = f.bundleID
        bundleDigest = f.digest
        sender = m.controller.name
        senderKvK = m.controller.kvkNumber
        purpose = m.purpose?.rawValue ?? "complete"
        createdAt = m.createdAt.description
        dossiers = f.dossiers.count
        try f.dossiers.forEach { dossierIDs.append($0.id) }
        entities = [EntityOutcome(table: "dossiers", records: dossiers)]
            + Entity.allCases.map { EntityOutcome(table: SQLStagingSchema.tableName($0), records: m.counts[$0] ?? 0) }
    }

    /// The report as a table: per table what the bundle holds and what became of it.
    public var table: String {
        var lines: [String] = []
        lines.append("bundle \(bundleID ?? "?") from \(sender ?? "?") (KvK \(senderKvK ?? "?")), purpose \(purpose ?? "?"), created \(createdAt ?? "?")")
        lines.append("target \(target.rawValue)" + (output.map { " -> \($0)" } ?? ""))
        func cell(_ n: Int?) -> String { n.map(String.init) ?? "-" }
        lines.append(pad("table", 28) + ["records", "added", "updated", "unchanged", "rejected"].map { lpad($0, 10) }.joined())
        for e in entities where e.records > 0 {
            lines.append(pad(e.table, 28) + ([e.records] + [e.added, e.updated, e.unchanged, e.rejected].map { $0 as Int? })
                .map { lpad(cell($0), 10) }.joined())
        }
        for c in conflicts { lines.append("conflict: dossier \(c.dossierID) not merged (\(c.reason))") }
        if !outcomesKnown && loaded {
            lines.append("the script decides added/updated/unchanged/rejected against the database and prints them when it runs")
        }
        return lines.joined(separator: "\n")
    }

    private func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
    private func lpad(_ s: String, _ w: Int) -> String { s.count >= w ? " " + s : String(repeating: " ", count: w - s.count) + s }
}
