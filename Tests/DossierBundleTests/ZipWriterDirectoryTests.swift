import Testing
import Foundation
import DossierModel
import DossierIO
@testable import DossierBundle

// The writer sets its central directory aside on disk beyond `centralDirectoryMemory` and reads
// names back from it for the collision check. Wherever the directory is kept, the archive and
// the errors must be the same; these tests force the disk path with tiny budgets.

/// Names enough for a central directory of over 1 MiB (so reading it back crosses the 1 MiB
/// window), with non-ASCII ones and a few long ones.
private func manyNames(_ count: Int) -> [String] {
    (0..<count).map { i in
        switch i % 7 {
        case 0: "data/dossiers/cliënt-\(i)/dossier.json"
        case 1: "data/dossiers/client-\(i)/" + String(repeating: "lang-", count: 100) + "\(i).pdf"
        default: "data/dossiers/client-\(i)/record-\(i).json"
        }
    }
}

/// The archive as written with the given budget and entries, or the error `finish()` threw.
private func written(_ names: [String], budget: Int, forceZip64: Bool = false,
                     temporaryDirectory: String? = nil) -> Result<[UInt8], DossierError> {
    var options = ZipWriterOptions()
    options.centralDirectoryMemory = budget
    options.forceZip64 = forceZip64
    if let temporaryDirectory { options.temporaryDirectory = temporaryDirectory }
    let sink = MemorySink()
    let writer = ZipWriter(sink: sink, path: "out.zip", options: options)
    do {
        for (i, name) in names.enumerated() {
            try writer.add(name, .bytes(i % 3 == 0 ? [] : Array("entry \(i)\n".utf8)))
        }
        try writer.finish()
        return .success(sink.bytes)
    } catch let e as DossierError {
        return .failure(e)
    } catch {
        Issue.record("unexpected error \(error)")
        return .failure(DossierError("test.unexpected", "\(error)"))
    }
}

@Test(arguments: [false, true])
func directoryOnDiskWritesTheSameBytes(forceZip64: Bool) throws {
    let names = manyNames(7_000)
    guard case .success(let inMemory) = written(names, budget: 64 << 20, forceZip64: forceZip64) else {
        Issue.record("in-memory write failed"); return
    }
    let directorySize = inMemory.withUnsafeBytes { $0.u32(inMemory.count - ZipConstant.endRecordSize + 12) }
    #expect(forceZip64 || directorySize > 1 << 20, "the directory must cross the 1 MiB window it is read through")
    for budget in [0, 4096, 1 << 20] {
        guard case .success(let spilled) = written(names, budget: budget, forceZip64: forceZip64) else {
            Issue.record("write with a \(budget)-byte budget failed"); continue
        }
        #expect(spilled == inMemory, "budget \(budget)")
    }

    let dir = try ZipTestSupport.scratch()
    defer { ZipTestSupport.remove(dir) }
    try ZipTestSupport.write(inMemory, to: dir + "/a.zip")
    let reader = try ZipReader(path: dir + "/a.zip")
    var seen = 0
    try reader.forEachEntry { entry in
        #expect(entry.name == names[seen])
        seen += 1
    }
    #expect(seen == names.count)
}

@Test func emptyArchiveIsTheSameWithADirectoryOnDisk() {
    guard case .success(let a) = written([], budget: 0), case .success(let b) = written([], budget: 4 << 20) else {
        Issue.record("empty archive failed"); return
    }
    #expect(a == b && a.count == ZipConstant.endRecordSize)
}

/// Each case puts a colliding pair among many names, one of them past the first megabyte of the
/// directory, so its name is read back from the temporary file.
@Test(arguments: [
    ("data/dossiers/client-6990/record-6990.json", "duplicate entry name"),
    ("DATA/dossiers/client-6990/record-6990.json", "names collide after case folding or Unicode normalisation"),
    ("data/dossiers/clie\u{0308}nt-6986/dossier.json", "names collide after case folding or Unicode normalisation"),
    ("data/dossiers/client-6990", "a file name is also used as a directory"),
])
func collisionsAreReportedAlikeFromDisk(extra: String, reason: String) throws {
    var names = manyNames(7_000)
    names.insert(extra, at: 3)
    guard case .failure(let inMemory) = written(names, budget: 64 << 20) else {
        Issue.record("in-memory write did not fail"); return
    }
    #expect(inMemory.code == "zip.duplicate-name")
    #expect(inMemory.diagnostic.message == reason)
    for budget in [0, 4096] {
        guard case .failure(let spilled) = written(names, budget: budget) else {
            Issue.record("write with a \(budget)-byte budget did not fail"); continue
        }
        #expect(spilled == inMemory, "budget \(budget)")
    }
}

/// The temporary file is unlinked as soon as it is made, so nothing is ever left to remove: not
/// after the archive, not after a failure, not if the process is killed.
@Test func directoryOnDiskLeavesNoFile() throws {
    let dir = try ZipTestSupport.scratch()
    defer { ZipTestSupport.remove(dir) }
    var names = manyNames(2_000)
    #expect(throws: Never.self) { try written(names, budget: 0, temporaryDirectory: dir).get() }
    names.append(names[0])
    #expect(throws: DossierError.self) { try written(names, budget: 0, temporaryDirectory: dir).get() }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
}
