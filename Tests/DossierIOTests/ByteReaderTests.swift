import DossierIO
import DossierModel
import Foundation
import Testing

/// Chunks and lines must come out the same whatever the buffer size, since parsers above rely on
/// the reader to cut nothing and repeat nothing at buffer edges.
@Suite struct ByteReaderTests {
    let dump = packageRoot.appendingPathComponent("fixtures/dumps/pg-default.sql").path

    @Test(arguments: [1, 7, 4096, 64 << 10])
    func chunksConcatenateToTheFile(chunkSize: Int) throws {
        let reader = try ByteReader(path: dump, chunkSize: chunkSize)
        var bytes: [UInt8] = []
        while let chunk = try reader.nextChunk() {
            #expect(chunk.count <= chunkSize)
            bytes.append(contentsOf: chunk)
        }
        #expect(bytes == [UInt8](try Data(contentsOf: URL(fileURLWithPath: dump))))
        #expect(reader.consumed == Int64(bytes.count))
    }

    /// Lines longer than the buffer make it grow; the last line may lack its newline.
    @Test(arguments: [3, 64, 64 << 10])
    func linesMatchASplitOnNewline(chunkSize: Int) throws {
        let whole = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dump)))
        let expected = whole.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        let reader = try ByteReader(path: dump, chunkSize: chunkSize)
        var lines: [[UInt8]] = []
        var ended: [Bool] = []
        while let (line, lineEnded) = try reader.nextLine() { lines.append(Array(line)); ended.append(lineEnded) }
        // The file ends with a newline, so the split has one empty piece after it that is no line.
        #expect(whole.last == 0x0A)
        #expect(lines == Array(expected.dropLast()))
        #expect(ended.allSatisfy { $0 })
    }

    @Test func finalLineWithoutNewline() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("eerste\r\ntweede".utf8).write(to: URL(fileURLWithPath: dir + "/t.csv"))
        let reader = try ByteReader(path: dir + "/t.csv", chunkSize: 4)
        let first = try #require(try reader.nextLine())
        #expect(Array(first.bytes) == Array("eerste\r".utf8) && first.lineEnded)
        let second = try #require(try reader.nextLine())
        #expect(Array(second.bytes) == Array("tweede".utf8) && !second.lineEnded)
        #expect(try reader.nextLine() == nil)
    }

    /// A regular file over the limit is refused by its size, unread: a sparse 64 GiB file would
    /// otherwise be read up to the limit first.
    @Test func readAllRefusesALargeFileUnread() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/sparse"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try h.truncate(atOffset: 64 << 30)
        try h.close()
        let clock = ContinuousClock()
        let t = clock.now
        #expect { try ByteReader.readAll(path: path, limit: 1 << 30) } throws: { ($0 as? DossierError)?.code == "input.too-large" }
        #expect(clock.now - t < .seconds(1))
    }

    /// A line up to the limit is read; a longer one, ended or not, is read past and refused, and
    /// the next call goes on with the line after it (a validator reports a line and reads on).
    @Test(arguments: [4, 64 << 10])
    func linesPastTheLimitAreRefusedAndPassed(chunkSize: Int) throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let long = String(repeating: "x", count: 300_000)
        try Data(("12345\n123456\n" + long + "\nabc\n" + long).utf8).write(to: URL(fileURLWithPath: dir + "/t"))
        let reader = try ByteReader(path: dir + "/t", chunkSize: chunkSize)
        #expect(Array(try #require(try reader.nextLine(limit: 5)).bytes) == Array("12345".utf8))
        #expect(throws: ByteReader.LineTooLong.self) { try reader.nextLine(limit: 5) }
        #expect(throws: ByteReader.LineTooLong.self) { try reader.nextLine(limit: 1000) }
        #expect(Array(try #require(try reader.nextLine(limit: 5)).bytes) == Array("abc".utf8))
        #expect(throws: ByteReader.LineTooLong.self) { try reader.nextLine(limit: 1000) }
        #expect(try reader.nextLine(limit: 1000) == nil)
        #expect(reader.consumed == Int64(13 + 300_001 + 4 + 300_000))
    }

    @Test func readAllRefusesWhatIsOverTheLimit() throws {
        let size = try #require(try FileManager.default.attributesOfItem(atPath: dump)[.size] as? Int)
        #expect(try ByteReader.readAll(path: dump, limit: size).count == size)
        #expect(throws: DossierError.self) { try ByteReader.readAll(path: dump, limit: size - 1) }
        do { _ = try ByteReader.readAll(path: dump, limit: 10) } catch let e as DossierError {
            #expect(e.diagnostic.code == "input.too-large")
            #expect(e.diagnostic.location?.file == dump)
        }
    }

    /// A spill file is read back whole at the size it was written with; any other size means it
    /// was changed under us.
    @Test func readWholeWantsTheWrittenSize() throws {
        let whole = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dump)))
        #expect(whole.count > 2 * (64 << 10))
        #expect(try ByteReader.readWhole(path: dump, size: whole.count) == whole)
        for size in [whole.count - 1, whole.count + 1, 0] {
            do {
                _ = try ByteReader.readWhole(path: dump, size: size)
                Issue.record("size \(size) was accepted")
            } catch let e as DossierError {
                #expect(e.diagnostic.code == "input.changed")
                #expect(e.diagnostic.location?.file == dump)
            }
        }
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data().write(to: URL(fileURLWithPath: dir + "/empty"))
        #expect(try ByteReader.readWhole(path: dir + "/empty", size: 0) == [])
    }

    @Test func missingFileNamesThePath() throws {
        do {
            _ = try ByteReader(path: "/nonexistent/dossiers.sql")
            Issue.record("opened a missing file")
        } catch let e as DossierError {
            #expect(e.description.contains("/nonexistent/dossiers.sql"))
        }
    }
}
