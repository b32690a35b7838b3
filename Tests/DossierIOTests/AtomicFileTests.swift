import DossierIO
import DossierModel
import Foundation
import Testing

/// The final name holds nothing, the old content, or all of the new: never a part, never a stray
/// temporary file (reliability.md §5).
@Suite struct AtomicFileTests {
    struct Stop: Error {}

    @Test func writesAndLeavesNoTemporaryFile() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write(Array("eerste versie".utf8), to: dir + "/export.json")
        #expect(contents(dir) == ["export.json"])
        #expect(try String(contentsOfFile: dir + "/export.json", encoding: .utf8) == "eerste versie")
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/export.json")
        #expect((attributes[.posixPermissions] as? Int) == 0o644)
    }

    @Test func failedWriteKeepsTheOldContent() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write(Array("oud".utf8), to: dir + "/export.json")
        #expect(throws: Stop.self) {
            try AtomicFile.write(to: dir + "/export.json") { sink in
                try sink.write(Array(repeating: UInt8(ascii: "n"), count: 1 << 20))
                throw Stop()
            }
        }
        #expect(contents(dir) == ["export.json"])
        #expect(try String(contentsOfFile: dir + "/export.json", encoding: .utf8) == "oud")
    }

    @Test func failedFirstWriteLeavesNothing() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: Stop.self) {
            try AtomicFile.write(to: dir + "/bundle.zip") { sink in
                try sink.write(Array("PK".utf8))
                throw Stop()
            }
        }
        #expect(contents(dir).isEmpty)
    }

    @Test func pendingFileDroppedWithoutCommitLeavesNothing() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let pending = try PendingFile(path: dir + "/dossiers.ndjson")
            try pending.sink.write(Array("{}\n".utf8))
            try pending.sink.flush()
            #expect(contents(dir).count == 1 && contents(dir)[0].hasPrefix(".dossiers.ndjson.tmp-"))
        }
        #expect(contents(dir).isEmpty)
        let pending = try PendingFile(path: dir + "/dossiers.ndjson", mode: 0o600)
        try pending.sink.write(Array("{}\n".utf8))
        try pending.commit()
        #expect(contents(dir) == ["dossiers.ndjson"])
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/dossiers.ndjson")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func missingFolderIsAnErrorNamingIt() throws {
        #expect(throws: DossierError.self) { try AtomicFile.write([1], to: "/nonexistent-dossierport/x.json") }
    }
}

/// Multi-file output appears under its final name only when complete.
@Suite struct StagedDirectoryTests {
    @Test func appearsOnlyOnCommit() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let staged = try StagedDirectory(finalPath: dir + "/out/")
        try staged.write("dossiers/ZDL-000101.json") { try $0.write(Array("{}".utf8)) }
        try staged.write("documents/brief.pdf") { try $0.write([0x25, 0x50, 0x44, 0x46]) }
        #expect(!FileSystem.exists(dir + "/out"))
        try staged.commit()
        #expect(contents(dir) == ["out"])
        #expect(contents(dir + "/out") == ["documents", "dossiers"])
        #expect(contents(dir + "/out/dossiers") == ["ZDL-000101.json"])
    }

    @Test func abandonedRunLeavesNothing() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let staged = try StagedDirectory(finalPath: dir + "/out")
            try staged.write("a/b/c.json") { try $0.write([0x7B, 0x7D]) }
            #expect(contents(dir).count == 1)
        }
        #expect(contents(dir).isEmpty)
    }

    /// Files are written in place (commit's syncfs makes them durable), so the file system is
    /// what refuses a second file of one name, and a failed write removes its file.
    @Test func aNameIsWrittenOnceAndAFailedWriteLeavesNoFile() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let staged = try StagedDirectory(finalPath: dir + "/out")
        try staged.write("documents/d1/a.pdf") { try $0.write([1, 2, 3]) }
        try staged.write("documents/d1/b.pdf") { try $0.write([4]) }
        try staged.write("documents/d2/a.pdf") { try $0.write([5]) }
        try staged.write("documents/d1/c.pdf") { try $0.write([6]) }  // back to a folder made before
        do {
            try staged.write("documents/d1/a.pdf") { try $0.write([9]) }
            Issue.record("wrote a name twice")
        } catch let e as DossierError {
            #expect(e.diagnostic.message.contains("open failed"))
        }
        struct Stop: Error {}
        #expect(throws: Stop.self) { try staged.write("documents/d2/half.pdf") { try $0.write([7, 7]); throw Stop() } }
        try staged.commit()
        #expect(contents(dir + "/out/documents") == ["d1", "d2"])
        #expect(contents(dir + "/out/documents/d1") == ["a.pdf", "b.pdf", "c.pdf"])
        #expect(contents(dir + "/out/documents/d2") == ["a.pdf"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/out/documents/d1/a.pdf")) == Data([1, 2, 3]))
    }

    @Test func refusesANonEmptyDestinationAndUnsafePaths() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/out", withIntermediateDirectories: true)
        try Data("oud".utf8).write(to: URL(fileURLWithPath: dir + "/out/keep.txt"))
        do {
            _ = try StagedDirectory(finalPath: dir + "/out")
            Issue.record("accepted a non-empty destination")
        } catch let e as DossierError {
            #expect(e.diagnostic.code == "output.exists")
        }
        let staged = try StagedDirectory(finalPath: dir + "/new")
        for bad in ["../escape.json", "/etc/passwd", "a/../../b"] {
            #expect(throws: DossierError.self) { try staged.path(for: bad) }
        }
        // An empty destination the user made beforehand is fine.
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
        let intoEmpty = try StagedDirectory(finalPath: dir + "/empty")
        try intoEmpty.write("x.json") { try $0.write([0x31]) }
        try intoEmpty.commit()
        #expect(contents(dir + "/empty") == ["x.json"])
        #expect(contents(dir + "/out") == ["keep.txt"])
    }
}
