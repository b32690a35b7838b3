import DossierIO
import DossierModel
import Foundation
import Testing

/// Spill files are read back record by record; a record must come out whole wherever the reader's
/// chunks end, and a file cut short must fail rather than lose or invent a record.
@Suite struct RecordFileTests {
    /// Empty, short and chunk-crossing (over 64 KiB) bodies, with every byte value.
    static let bodies: [[UInt8]] = [[], [0], [1, 2, 3], (0..<70_000).map { UInt8($0 % 256) }, [], (0..<300).map { UInt8(255 - $0 % 256) }]

    func written(_ bodies: [[UInt8]], in dir: String) throws -> String {
        let path = dir + "/records"
        let writer = try RecordFileWriter(path: path)
        for b in bodies { try writer.append(b) }
        try writer.close()
        return path
    }

    @Test func recordsComeBackAsWritten() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let reader = try RecordFileReader(path: try written(Self.bodies, in: dir))
        var read: [[UInt8]] = []
        while let body = try reader.next() { read.append(body) }
        #expect(read == Self.bodies)
        #expect(try reader.next() == nil)
    }

    /// Cut at every point of the framing of the short records and at a few points inside the long
    /// one: the records before the cut come back, and then the reader ends cleanly exactly when
    /// the cut falls between records, else reports the damage.
    @Test func aCutFileEndsCleanlyOnlyBetweenRecords() throws {
        let dir = try scratchFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let whole = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try written(Self.bodies, in: dir))))
        var boundaries: [Int] = [0]
        for b in Self.bodies { boundaries.append(boundaries.last! + 4 + b.count) }
        #expect(boundaries.last == whole.count)
        let cuts = Array(0...20) + [boundaries[3] + 2, boundaries[3] + 4 + 65_536, boundaries[4] - 1, boundaries[4], whole.count - 1]
        for cut in cuts {
            let path = dir + "/cut-\(cut)"
            #expect(FileManager.default.createFile(atPath: path, contents: Data(whole[..<cut])))
            let reader = try RecordFileReader(path: path)
            var read: [[UInt8]] = []
            var failure: DossierError?
            do { while let body = try reader.next() { read.append(body) } } catch let e as DossierError { failure = e }
            let complete = boundaries.filter { $0 <= cut }.count - 1
            #expect(read == Array(Self.bodies.prefix(complete)), "cut at \(cut)")
            #expect((failure == nil) == boundaries.contains(cut), "cut at \(cut)")
            if let failure { #expect(failure.code == "spill.corrupt") }
        }
    }
}
