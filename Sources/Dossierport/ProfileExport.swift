#if canImport(Glibc)
import Glibc
#endif
public import DossierModel
public import DossierSources
public import DossierIO
import DossierCrypto
import Foundation

/// How a profile run reads its source, beyond what the export itself is asked to do.
public struct ProfileExportOptions: Sendable {
    /// Folder for the assembler's spill and the staged documents (both private, mode 0700, removed
    /// at the end); they hold health data, so it belongs on an encrypted volume.
    public var workDirectory: String
    /// Copy document bytes to a staging folder for a destination that carries them (a folder, a
    /// bundle); false only hashes them, for standard output, where documents do not travel.
    public var stageDocuments: Bool
    /// Bucket files of the assembler's spill (see `DossierAssembler`).
    public var bucketCount: Int
    /// The most blob bytes kept in memory for dossiers not yet written, rather than staged as
    /// files (see `DocumentStaging`); 0 stages every document.
    public var heldDocumentBudget: Int

    public init(workDirectory: String = "/tmp", stageDocuments: Bool = true, bucketCount: Int = 128, heldDocumentBudget: Int = 64 << 20) {
        self.workDirectory = workDirectory; self.stageDocuments = stageDocuments; self.bucketCount = bucketCount
        self.heldDocumentBudget = heldDocumentBudget
    }
}

/// What a profile run did: the export's report and the account of every source row.
public struct ProfileExportResult: Sendable, Encodable {
    /// Dossiers and records written, cut and rejected, as for any export; its diagnostics include
    /// the source's rejected rows and bad values, and `sourceErrors` counts the errors among them.
    public var report: ExportReport
    /// Rows read, mapped, rejected and filtered per table and per section.
    public var account: ExportAccount

    /// The report's keys with the account beside them, so `--report` has one shape for every run.
    public func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(account, forKey: .account)
    }

    private enum Key: String, CodingKey { case account }

    /// As `ExportReport.writePretty`, with the account after the report's keys.
    public func writePretty(to sink: any ByteSink) throws { try ExportReport.writePretty(self, scope: \.report.scope, to: sink) }
}

/// Exports dossiers straight from an EPD's own export (SQL dump, CSV, XML) through a mapping profile.
///
/// The profile engine (`DossierAssembler`) builds the dossiers; this puts them through the same
/// `ExportSession` as canonical files, so validation, purposes, pseudonyms and destinations behave
/// identically. Document bytes are staged in a private folder while they are hashed, so a
/// destination copies and re-checks them exactly as it does documents beside a dossier file.
public enum ProfileExport {
    /// Reads and checks a profile file.
    public static func loadProfile(_ path: String) throws -> MappingProfile {
        try MappingProfile.load(path: path)
    }

    /// The row readers for `source` as the profile's `source.kind` says: a dump file or `-`; a
    /// folder of CSV files or one CSV file; an XML file.
    public static func readers(_ profile: MappingProfile, source: String) throws -> [any RowReader] {
        switch profile.source.kind {
        case .sqlDump:
            return [try SQLDumpReader(path: source)]
        case .csv:
            let options = CSVReadOptions(delimiter: try delimiter(profile), encoding: try encoding(profile))
            if source != "-", FileSystem.isDirectory(source) { return [try CSVDirectorySource(directory: source, options: options)] }
            return [try CSVReader(path: source, options: options)]
        case .xml:
            return [try XMLRowReader(path: source, tables: XMLTableSpec.specs(for: profile))]
        }
    }

    /// `profile check`: the profile against what the source really holds, with the readers' own warnings.
    public static func check(_ profile: MappingProfile, source: String) throws -> DiagnosticLog {
        let readers = try readers(profile, source: source)
        var log = DiagnosticLog()
        log.append(contentsOf: try ProfileCheck.check(profile, readers: readers))
        for w in warnings(readers) { log.append(contentsOf: w) }
        return log
    }

    /// Assembles every dossier from `source`, feeds each through an `ExportSession` to
    /// `destination`, and commits only when no dossier was rejected and no source row had an error
    /// (unless `options.keepGoing`). `options.client` selects a client by its key in the source
    /// (the profile's client key columns joined by `-`).
    public static func run(_ profile: MappingProfile, source: String, to destination: any DossierDestination,
                           options: ExportOptions, profileOptions: ProfileExportOptions = ProfileExportOptions()) throws -> ProfileExportResult {
        let readers = try readers(profile, source: source)
        let staging = try DocumentStaging(under: profileOptions.workDirectory, sourceFolder: sourceFolder(source),
                                          stage: profileOptions.stageDocuments, heldBudget: profileOptions.heldDocumentBudget)
        defer { staging.remove() }
        let assembler = try DossierAssembler(
            profile: profile,
            options: DossierSources.ExportOptions(clientKey: options.client, spillDirectory: profileOptions.workDirectory,
                                                  bucketCount: profileOptions.bucketCount, keptDiagnostics: options.keptDiagnostics),
            documents: staging)
        var sessionOptions = options
        sessionOptions.client = nil
        let session = ExportSession(to: destination, options: sessionOptions)
        session.findingsReportedBySource = true
        let account = try assembler.run(readers) { dossier, _, findings in
            let origin = dossier.client.meta.source ?? SourceLocation(file: source)
            var loaded = LoadedDossier(dossier: dossier, origin: origin, documentRoot: staging.folder)
            loaded.heldDocuments = staging.heldDocuments(of: dossier)
            loaded.findings = findings
            try session.process(loaded)
            staging.clear(dossier)
        }
        if let key = options.client, account.dossiers == 0 {
            throw DossierError("export.no-client", "no row of \(profile.client.table) has the client key '\(key)'",
                               at: SourceLocation(file: source, table: profile.client.table))
        }
        // The account lists the validator's findings with the rows' diagnostics, in the order they arose.
        var diagnostics = account.diagnostics
        for w in warnings(readers) { diagnostics.append(contentsOf: w) }
        let rejected = account.tables.reduce(0) { $0 + $1.rejected } + account.tables.filter { $0.disposition == .unmapped }.count
        let rowErrors = account.diagnostics.errors - account.validationErrors
        session.addSourceDiagnostics(diagnostics, errors: max(rejected, rowErrors))
        return ProfileExportResult(report: try session.finish(), account: account)
    }

    /// The folder path columns are relative to: the CSV folder itself, else the source file's folder.
    static func sourceFolder(_ source: String) -> String {
        if source == "-" { return FileManager.default.currentDirectoryPath }
        if FileSystem.isDirectory(source) { return source }
        return AtomicFile.split(source).dir
    }

    /// The readers' own warnings about rows they accepted, one log per file.
    static func warnings(_ readers: [any RowReader]) -> [DiagnosticLog] {
        readers.flatMap { reader -> [DiagnosticLog] in
            switch reader {
            case let r as XMLRowReader: [r.diagnostics]
            case let r as CSVReader: [r.diagnostics]
            case let r as CSVDirectorySource: r.reports.map(\.diagnostics)
            default: []
            }
        }
    }

    static func delimiter(_ p: MappingProfile) throws -> UInt8? {
        guard let d = p.source.delimiter else { return nil }
        guard let b = d.utf8.first, d.utf8.count == 1 else {
            throw DossierError("profile.delimiter", "a CSV delimiter must be one ASCII character", path: "$.source.delimiter")
        }
        return b
    }

    /// The profile's encoding name as a `TextEncoding`, accepting the common aliases.
    static func encoding(_ p: MappingProfile) throws -> TextEncoding {
        let name = p.source.encoding.lowercased()
        let aliases: [String: TextEncoding] = ["utf8": .utf8, "cp1252": .windows1252, "win1252": .windows1252,
                                               "utf-16": .utf16LE, "utf16le": .utf16LE, "utf16be": .utf16BE]
        guard let e = TextEncoding(rawValue: name) ?? aliases[name] else {
            throw DossierError("profile.encoding", "unknown encoding; use utf-8, windows-1252, utf-16le or utf-16be", path: "$.source.encoding")
        }
        return e
    }
}

/// Measures, hashes and stages document bytes for the destinations.
///
/// A blob's bytes are already in memory when the row is decoded, so a small one (up to
/// `heldDocumentLimit`) is kept there, while all kept bytes stay under `heldBudget`; any other
/// document goes to a private folder, because documents can be large and a destination streams them
/// from a file. Staging every document as a file cost a file created and removed per document, and
/// on ext4 a file created among many just removed ones is slow to place (`recently_deleted`).
/// Both are released once their dossier has been written, so they hold the documents of the few
/// dossiers being assembled or waiting to be written. The assembler's workers resolve from several
/// threads, so the name counter and the kept bytes are behind a lock; the names never reach the
/// output (a destination names documents by dossier and document id). Path columns are read only
/// inside the source folder: the engine refuses `..` and absolute paths, and a symbolic link that
/// leads out of the folder is refused here.
final class DocumentStaging: DocumentResolver, @unchecked Sendable {
    private let staging: PrivateFolder
    var folder: String { staging.path }
    let sourceFolder: String
    let stage: Bool
    /// The largest blob kept in memory.
    static let heldDocumentLimit = 1 << 20
    /// The most blob bytes kept at once.
    let heldBudget: Int
    private let lock = NSLock()
    private var counter = 0
    private var held: [String: [UInt8]] = [:]
    private var heldBytes = 0

    init(under parent: String, sourceFolder: String, stage: Bool, heldBudget: Int) throws {
        staging = try PrivateFolder(under: parent, prefix: "dossierport-docs")
        self.sourceFolder = URL(fileURLWithPath: sourceFolder).resolvingSymlinksInPath().path
        self.stage = stage
        self.heldBudget = heldBudget
    }

    func resolve(_ content: DocumentContent, recordID: String, at location: SourceLocation) throws -> ResolvedDocument {
        var name = String(lock.withLock { counter += 1; return counter })
        let file: FileSink?, hashing: HashingSink
        switch content {
        case .bytes(let bytes):
            file = stage && hold(name, bytes) ? nil : try stagedFile(name)
            hashing = try HashingSink(file ?? DiscardSink())
            try bytes.withUnsafeBytes { try hashing.write($0) }
        case .file(let relative):
            // The path is checked before anything is staged under its name.
            let path = try inside(relative, at: location)
            name += fileExtension(of: relative)
            let reader = try ByteReader(path: path)
            file = try stagedFile(name)
            hashing = try HashingSink(file ?? DiscardSink())
            while let chunk = try reader.nextChunk() { try hashing.write(chunk) }
        }
        try file?.flush()
        return ResolvedDocument(size: Int(hashing.size), sha256: try hashing.digest.finalize().hexString, path: stage ? name : nil)
    }

    /// A new file in the staging folder (mode 0600), or nil when documents are only hashed.
    private func stagedFile(_ name: String) throws -> FileSink? {
        guard stage else { return nil }
        let path = folder + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DossierError("io.open", "cannot create a staged document (errno \(errno))", at: SourceLocation(file: path)) }
        return FileSink(descriptor: fd, path: path, ownsDescriptor: true)
    }

    /// The absolute path of a source-relative document path, refusing one that links out of the folder.
    private func inside(_ relative: String, at location: SourceLocation) throws -> String {
        let resolved = URL(fileURLWithPath: sourceFolder + "/" + relative).resolvingSymlinksInPath().path
        guard resolved.hasPrefix(sourceFolder + "/") else {
            throw DossierError("document.path", "document path leads out of the source folder", at: location)
        }
        return resolved
    }

    /// Keeps `bytes` under `name` when they fit the limits; false: stage them as a file.
    private func hold(_ name: String, _ bytes: [UInt8]) -> Bool {
        guard bytes.count <= Self.heldDocumentLimit else { return false }
        return lock.withLock {
            guard heldBytes + bytes.count <= heldBudget else { return false }
            held[name] = bytes
            heldBytes += bytes.count
            return true
        }
    }

    /// The kept bytes of `dossier`'s documents, by their `path`.
    func heldDocuments(of dossier: Dossier) -> [String: [UInt8]] {
        lock.withLock {
            guard !held.isEmpty else { return [:] }
            var found: [String: [UInt8]] = [:]
            for case let name? in dossier.documents.map(\.path) { found[name] = held[name] }
            return found
        }
    }

    /// Releases the documents kept or staged for `dossier`, once it has been written.
    func clear(_ dossier: Dossier) {
        for case let name? in dossier.documents.map(\.path) {
            let wasHeld = lock.withLock { () -> Bool in
                guard let bytes = held.removeValue(forKey: name) else { return false }
                heldBytes -= bytes.count
                return true
            }
            if !wasHeld { unlink(folder + "/" + name) }
        }
    }

    func remove() { staging.remove() }
}
