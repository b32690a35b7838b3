public import DossierModel
public import DossierPolicy

/// A dossier as read from somewhere, with what is needed to find its documents' bytes.
public struct LoadedDossier: Sendable {
    public var dossier: Dossier
    /// Where it was read from, for diagnostics.
    public var origin: SourceLocation
    /// The folder that document `path`s are relative to, when the documents travel beside the file.
    public var documentRoot: String?
    /// Document bytes its producer already holds in memory, by document `path`; a destination
    /// takes a document from here before it looks under `documentRoot`.
    public var heldDocuments: [String: [UInt8]] = [:]
    /// What the export's purpose cut from this dossier; destinations that show it (the access copy)
    /// read it here.
    public var scope: [ScopeNote] = []
    /// The validator's findings about `dossier` when its producer already ran the validator (the
    /// profile assembler does), so the session does not run it twice; nil: the session validates.
    var findings: [Diagnostic]?

    public init(dossier: Dossier, origin: SourceLocation, documentRoot: String? = nil) {
        self.dossier = dossier; self.origin = origin; self.documentRoot = documentRoot
    }
}

/// The first stage of every pipeline: something that yields dossiers one at a time.
///
/// One at a time so that a migration of 50,000 clients holds one dossier in memory, and so that a
/// test can put any list of dossiers in front of any writer.
public protocol DossierSource: AnyObject {
    func next() throws -> LoadedDossier?
}

/// The last stage of an export: something that takes dossiers and finally commits them.
///
/// `finish` is where output becomes visible under its final name; a destination dropped without
/// `finish` leaves nothing behind.
public protocol DossierDestination: AnyObject {
    func write(_ dossier: LoadedDossier) throws
    /// A whole dossier the purpose left out (a client who objected), for destinations that
    /// account for it in what they write (a bundle's export.json).
    func excluded(_ dossierID: String, notes: [ScopeNote]) throws
    func finish() throws
    /// What the destination noticed about the dossiers written since it was last asked, for the
    /// run's report: a warning, such as a dossier too large for a receiver's default limit.
    func takeWarnings() -> [Diagnostic]
}

extension DossierDestination {
    public func excluded(_ dossierID: String, notes: [ScopeNote]) throws {}
    public func takeWarnings() -> [Diagnostic] { [] }
}

/// A source over a fixed list, for tests and for callers that already hold dossiers.
public final class ListSource: DossierSource {
    private var items: [LoadedDossier]
    public init(_ items: [LoadedDossier]) { self.items = items.reversed() }
    public func next() throws -> LoadedDossier? { items.popLast() }
}
