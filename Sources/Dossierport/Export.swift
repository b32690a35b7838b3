public import DossierModel
public import DossierPolicy
public import DossierFormats
public import DossierIO

/// What an export run is asked to do, beyond where it reads and writes.
public struct ExportOptions: Sendable {
    /// Only the dossier whose id, client id or client number equals this; nil for all.
    public var client: String?
    /// Cut each dossier to a GDPR purpose; nil exports the complete canonical dossier.
    public var purpose: ExportPurpose?
    /// The date against which retention is judged; fixed by the caller for reproducible output.
    public var today: LocalDate
    /// Write the valid dossiers even when others are rejected (the run still fails).
    public var keepGoing: Bool
    /// Fills missing retention dates from its policy before the purpose is applied.
    public var organisation: Organisation?
    /// Replaces identifying data by keyed pseudonyms after the purpose is applied.
    public var pseudonymiser: Pseudonymiser?
    /// How many diagnostics the report lists in full; the rest are counted by code. A profile
    /// that maps no creation dates gives a retention warning for every record of the run.
    public var keptDiagnostics = 10_000

    public init(client: String? = nil, purpose: ExportPurpose? = nil, today: LocalDate, keepGoing: Bool = false,
                organisation: Organisation? = nil) {
        self.client = client; self.purpose = purpose; self.today = today; self.keepGoing = keepGoing
        self.organisation = organisation
    }
}

/// Per-section record counts: what came in, what went out, and what a purpose cut.
public struct EntityCount: Hashable, Sendable, Codable {
    public init() {}
    public var read = 0
    public var written = 0
    public var excluded = 0
    public var redacted = 0
}

/// The account of one export: every dossier and record is either written or reported here.
public struct ExportReport: Sendable, Codable {
    public var dossiersRead = 0
    public var dossiersWritten = 0
    /// Dossiers that failed validation and were not written.
    public var dossiersRejected = 0
    /// Dossiers the purpose left out as a whole (a client who objected to transfer).
    public var dossiersExcluded = 0
    public var entities = EntityMap<EntityCount>()
    /// Every diagnostic of the run counted by code, the first `ExportOptions.keptDiagnostics` of
    /// each severity listed.
    public var diagnostics = DiagnosticLog()
    /// The ids of the dossiers written, in order, for the export log.
    public var written = IDList()
    /// The controller of the dossiers exported (the first one read).
    public var controller: Controller?
    /// Records cut or redacted by the purpose, with the dossier they belong to: one for each
    /// work note of a transfer, so they wait on disk once long and are spliced into the report
    /// as it is written (`writePretty`).
    public var scope = EncodedList<ScopeEntry>()
    /// Errors in the source rows of a profile run (rejected rows, bad values, unmapped tables):
    /// like a rejected dossier, they keep the output from being committed unless `keepGoing`.
    public var sourceErrors = 0

    /// Every error diagnostic rejects a dossier or counts as a source error, listed or not.
    public var hasErrors: Bool { sourceErrors > 0 || dossiersRejected > 0 || diagnostics.errors > 0 }

    /// The report as pretty JSON, as `JSONByteEncoder` encodes it, with its scope read from disk
    /// a record at a time rather than held whole.
    public func writePretty(to sink: any ByteSink) throws { try Self.writePretty(self, scope: \.scope, to: sink) }

    /// `value` (a report or a value holding one at `scope`) with that scope spliced in.
    static func writePretty<T: Encodable>(_ value: T, scope: WritableKeyPath<T, EncodedList<ScopeEntry>>, to sink: any ByteSink) throws {
        var bare = value
        bare[keyPath: scope] = EncodedList()
        try JSONByteEncoder.writePretty(bare, lists: [SplicedList("scope", value[keyPath: scope])], to: sink)
    }
}

/// source → (validate, retention, purpose, pseudonyms) → destination: the one export pipeline
/// every command uses, whatever produced the dossiers.
public enum Export {
    /// Pulls every dossier from `source` through a session and finishes it.
    public static func run(from source: any DossierSource, to destination: any DossierDestination,
                           options: ExportOptions) throws -> ExportReport {
        let session = ExportSession(to: destination, options: options)
        while let loaded = try source.next() { try session.process(loaded) }
        return try session.finish()
    }

    /// Gives a validator diagnostic (which knows only a JSON path) the file and line it came from.
    static func located(_ d: Diagnostic, _ loaded: LoadedDossier, _ dossier: String) -> Diagnostic {
        var d = d
        if d.location == nil { d.location = loaded.origin }
        if d.recordID == nil { d.recordID = dossier }
        return d
    }
}

/// One export run, fed one dossier at a time: by a pull source (`Export.run`) or by an adapter
/// that pushes dossiers as it assembles them from a dump.
public final class ExportSession {
    public private(set) var report = ExportReport()
    private let destination: any DossierDestination
    private let options: ExportOptions
    private var matched = false
    /// Set when the source lists the validator's findings itself, as a profile run's account does
    /// (located at each record's own row): the session then only acts on them.
    var findingsReportedBySource = false

    public init(to destination: any DossierDestination, options: ExportOptions) {
        self.destination = destination
        self.options = options
        report.diagnostics = DiagnosticLog(limit: options.keptDiagnostics)
    }

    public func process(_ loaded: LoadedDossier) throws {
        let d = loaded.dossier
        if let want = options.client, d.id != want, d.client.id != want, d.client.clientNumber != want { return }
        matched = true
        report.dossiersRead += 1
        let counts = d.counts
        for (e, n) in counts { report.entities[e, default: EntityCount()].read += n }

        let problems = (loaded.findings ?? DossierValidator.validate(d)).map { Export.located($0, loaded, d.id) }
        if !findingsReportedBySource { report.diagnostics.append(contentsOf: problems) }
        if problems.contains(where: { $0.severity == .error }) {
            report.dossiersRejected += 1
            return
        }
        var out = loaded
        if let org = options.organisation {
            org.retention.fillRetention(in: &out.dossier, log: &report.diagnostics, origin: loaded.origin)
        }
        if let purpose = options.purpose {
            let scoped = PurposePolicy.apply(purpose, to: out.dossier, today: options.today)
            for n in scoped.notes {
                try report.scope.append(ScopeEntry(dossier: d.id, note: n))
                switch n.action {
                case .excluded: report.entities[n.entity, default: EntityCount()].excluded += 1
                case .redacted: report.entities[n.entity, default: EntityCount()].redacted += 1
                case .kept: break
                }
            }
            guard let kept = scoped.dossier else {
                report.dossiersExcluded += 1
                try destination.excluded(d.id, notes: scoped.notes)
                return
            }
            out.dossier = kept
            out.scope = scoped.notes
        }
        if let p = options.pseudonymiser {
            out.dossier = p.apply(to: out.dossier)
            out.scope = []
        }
        do {
            try destination.write(out)
        } catch var e as DossierError where e.location == nil && e.diagnostic.path != nil {
            // A text the format cannot carry (XML and a control character): the writer knows only
            // the path, which alone does not say which of a run's dossiers, or which source row.
            if let path = e.diagnostic.path, let record = out.dossier.record(at: path) {
                e.diagnostic.location = record.meta.source
                if e.diagnostic.recordID == nil { e.diagnostic.recordID = record.id }
            }
            throw DossierError(Export.located(e.diagnostic, loaded, d.id))
        }
        report.diagnostics.append(contentsOf: destination.takeWarnings())
        report.dossiersWritten += 1
        report.written.append(out.dossier.id)
        if report.controller == nil { report.controller = d.controller }
        // Only retention, a purpose or pseudonyms change the dossier; counting is not free on large ones.
        let changed = options.organisation != nil || options.purpose != nil || options.pseudonymiser != nil
        for (e, n) in changed ? out.dossier.counts : counts { report.entities[e, default: EntityCount()].written += n }
    }

    /// Adds what a source adapter found wrong in the rows it read; `errors` is how many of them
    /// fail the run.
    public func addSourceDiagnostics(_ log: DiagnosticLog, errors: Int) {
        report.diagnostics.append(contentsOf: log)
        report.sourceErrors += errors
    }

    /// Commits the destination unless a dossier or source row was rejected (and `keepGoing` is off).
    public func finish() throws -> ExportReport {
        if let want = options.client, !matched {
            throw DossierError("export.no-client", "no dossier has id, client id or client number '\(want)'")
        }
        if (report.dossiersRejected == 0 && report.sourceErrors == 0) || options.keepGoing { try destination.finish() }
        return report
    }
}
