import DossierModel
import Foundation
import Testing
@testable import DossierIO

/// Private folders, and what a stopped process must remove (`Interruption`).
@Suite struct PrivateFolderTests {
    @Test func isPrivateAndGoesWithEverythingInIt() throws {
        let parent = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let folder = try PrivateFolder(under: parent, prefix: "dossierport-spill")
        #expect(folder.path.hasPrefix(parent + "/dossierport-spill-"))
        let mode = try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        #expect(Interruption.isRegistered(folder.path))
        try AtomicFile.write(Array("bucket".utf8), to: folder.file("bucket-0"))
        try FileManager.default.createDirectory(atPath: folder.file("sub"), withIntermediateDirectories: false)
        folder.remove()
        #expect(contents(parent).isEmpty)
        #expect(!Interruption.isRegistered(folder.path))
        folder.remove()

        var dropped: PrivateFolder? = try PrivateFolder(under: parent)
        let path = dropped!.path
        #expect(FileManager.default.fileExists(atPath: path))
        dropped = nil
        #expect(!FileManager.default.fileExists(atPath: path) && !Interruption.isRegistered(path))
    }

    @Test func missingParentIsAnErrorNamingIt() {
        do {
            _ = try PrivateFolder(under: "/nonexistent-dossierport")
            Issue.record("made a folder under a missing parent")
        } catch let e as DossierError {
            #expect(e.code == "io.mkdtemp" && e.location?.file == "/nonexistent-dossierport")
        } catch {
            Issue.record("\(error)")
        }
    }

    /// A temporary output file and a staging folder are on the list only until they are in place.
    @Test func pendingOutputIsRegisteredUntilCommitted() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pending = try PendingFile(path: dir + "/out.json")
        #expect(Interruption.isRegistered(pending.sink.path))
        try pending.sink.write(Array("{}".utf8))
        try pending.commit()
        #expect(!Interruption.isRegistered(pending.sink.path))

        let staged = try StagedDirectory(finalPath: dir + "/export")
        #expect(Interruption.isRegistered(staged.stagingPath))
        try staged.write("a.json") { try $0.write(Array("{}".utf8)) }
        try staged.commit()
        #expect(!Interruption.isRegistered(staged.stagingPath))
        #expect(contents(dir) == ["export", "out.json"])
    }
}

/// Programs the process started are stopped with it.
@Suite struct InterruptionChildrenTests {
    @Test func registeredProgramsAreStopped() throws {
        // A test runner's threads block SIGTERM and a child inherits that, so the child unblocks it,
        // as `dossierport` does for itself and so for what it starts.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import signal, time; signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM]); time.sleep(60)"]
        try p.run()
        Interruption.started(p.processIdentifier)
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        Interruption.started(ended.processIdentifier)
        Interruption.ended(ended.processIdentifier)
        Interruption.stopChildren()
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGTERM)
    }
}
