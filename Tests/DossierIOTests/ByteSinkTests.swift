import DossierIO
import Testing

/// `MatchingSink` is how `verify` knows an XML form is the writer's own output without parsing
/// it: it must match exactly the bytes it was made with, however the writer cuts its writes.
@Suite struct ByteSinkTests {
    static let expected = Array("<dossier>\n  <id>d1</id>\n</dossier>\n".utf8)

    /// Writes `bytes` in pieces of `piece` bytes; false when the sink stopped the writer.
    func write(_ bytes: [UInt8], in piece: Int, to sink: MatchingSink) -> Bool {
        var at = 0
        while at < bytes.count {
            let end = min(bytes.count, at + piece)
            do { try sink.write(Array(bytes[at..<end])) } catch is MatchingSink.Differs { return false } catch { return false }
            at = end
        }
        return true
    }

    @Test(arguments: [1, 2, 7, 1000])
    func theSameBytesMatchHoweverTheyArrive(piece: Int) {
        let sink = MatchingSink(Self.expected)
        #expect(write(Self.expected, in: piece, to: sink))
        #expect(sink.matchedWhole)
    }

    @Test(arguments: [1, 7, 1000])
    func aDifferentByteStopsTheWriter(piece: Int) {
        for i in Self.expected.indices {
            var other = Self.expected
            other[i] ^= 0x20
            let sink = MatchingSink(Self.expected)
            #expect(!write(other, in: piece, to: sink), "byte \(i)")
            #expect(!sink.matchedWhole)
        }
    }

    @Test func fewerOrMoreBytesDoNotMatch() throws {
        let short = MatchingSink(Self.expected)
        #expect(write(Array(Self.expected.dropLast()), in: 4, to: short))
        #expect(!short.matchedWhole, "a prefix is not the whole")

        let long = MatchingSink(Self.expected)
        #expect(!write(Self.expected + [0x0A], in: 4, to: long), "a byte past the end stops the writer")

        let empty = MatchingSink([])
        try empty.write([UInt8]())
        #expect(empty.matchedWhole)
        #expect(throws: MatchingSink.Differs.self) { try empty.write([0]) }
    }
}
