import Foundation
import Testing
import DossierModel
import Dossierport

/// `validate` counts every problem by code and lists the first of each severity, as an export
/// does: a file with a fault in each of a million dossiers must not hold a million messages.
@Test func validationCountsEveryProblemAndListsTheFirst() throws {
    let dir = try TestEnv.tempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    // The pretty fixture on one line (its strings hold no raw line breaks), five times.
    let pretty = try Data(contentsOf: TestEnv.fixtures.appendingPathComponent("invalid/bsn-elfproef.json"))
    let line = pretty.filter { $0 != 0x0A } + [0x0A]
    let path = dir.appendingPathComponent("five.ndjson").path
    try Data(Array(repeating: line, count: 5).joined()).write(to: URL(fileURLWithPath: path))

    let all = Validation.validate(paths: [path]), cut = Validation.validate(paths: [path], keeping: 2)
    #expect(all.dossiers == 5 && all.errorCount == 5 && all.diagnostics.counts["bsn.elfproef"] == 5)
    #expect(all.diagnostics.listed.map(\.location?.line) == [1, 2, 3, 4, 5])
    #expect(cut.errorCount == 5 && cut.diagnostics.counts == all.diagnostics.counts)
    #expect(cut.diagnostics.listed == Array(all.diagnostics.listed.prefix(2)) && cut.diagnostics.omitted == 3)
}
