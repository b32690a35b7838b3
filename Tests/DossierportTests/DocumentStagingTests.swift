import Foundation
import Testing
import DossierModel
import DossierSources
@testable import Dossierport

/// A blob small enough is kept in memory while the budget lasts; the rest is staged as files; both
/// are released when the dossier has been written, and released bytes make room again.
@Test func smallBlobsAreHeldAndTheRestStaged() throws {
    let dir = try TestEnv.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    let staging = try DocumentStaging(under: dir.path, sourceFolder: dir.path, stage: true, heldBudget: 1000)
    defer { staging.remove() }
    let at = SourceLocation(file: "dump.sql", line: 1)
    func resolve(_ bytes: [UInt8]) throws -> ResolvedDocument { try staging.resolve(.bytes(bytes), recordID: "r", at: at) }
    func staged() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: staging.folder).sorted() }

    let small = try resolve([1, 2, 3])
    let overBudget = try resolve([UInt8](repeating: 7, count: 998))
    let overLimit = try resolve([UInt8](repeating: 9, count: DocumentStaging.heldDocumentLimit + 1))
    #expect(small.size == 3 && overBudget.size == 998 && overLimit.size == DocumentStaging.heldDocumentLimit + 1)
    #expect(try staged() == [overBudget.path!, overLimit.path!].sorted())

    var dossier = try #require(try CanonicalSource(path: TestEnv.dossiers).next()).dossier
    dossier.documents = [small, overBudget, overLimit].enumerated().map { i, r in
        var doc = Document(id: "doc-\(i)", meta: dossier.client.meta)
        doc.path = r.path
        return doc
    }
    #expect(staging.heldDocuments(of: dossier) == [small.path!: [1, 2, 3]])

    staging.clear(dossier)
    #expect(try staged().isEmpty)
    #expect(staging.heldDocuments(of: dossier).isEmpty)
    // The 3 bytes released, 998 more now fit and are not staged.
    let again = try resolve([UInt8](repeating: 7, count: 998))
    #expect(try staged().isEmpty)
    dossier.documents = [dossier.documents[0]]
    dossier.documents[0].path = again.path
    #expect(staging.heldDocuments(of: dossier)[again.path!]?.count == 998)
}
