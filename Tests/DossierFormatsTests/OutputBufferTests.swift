@testable import DossierFormats
import DossierModel
import Testing

/// The writers' raw buffer: what goes in comes out, across every growth, and numbers are
/// spelled as Swift spells them (the JSON and XML forms both rely on it).
@Suite struct OutputBufferTests {
    @Test func bytesSurviveEveryGrowth() {
        var b = OutputBuffer(capacity: 16)
        defer { b.deallocate() }
        var expected: [UInt8] = []
        for n in 0..<300 {
            let piece = (0..<(n % 37)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ n) }
            piece.withUnsafeBufferPointer { if let p = $0.baseAddress { b.append(p, count: $0.count) } }
            b.append(UInt8(truncatingIfNeeded: n))
            b.append(repeating: 0x20, count: n % 5)
            expected += piece + [UInt8(truncatingIfNeeded: n)] + [UInt8](repeating: 0x20, count: n % 5)
        }
        b.append("<é>" as StaticString)
        b.append("cliënt")
        expected += Array("<é>cliënt".utf8)
        #expect(Array(b.bytes) == expected)
        #expect(b.capacity >= expected.count)
    }

    @Test func loweringTheCountDropsWhatFollows() {
        var b = OutputBuffer(capacity: 16)
        defer { b.deallocate() }
        b.append("abcdef" as StaticString)
        let mark = b.count
        b.append(String(repeating: "x", count: 100))
        b.count = mark
        b.append("!" as StaticString)
        #expect(Array(b.bytes) == Array("abcdef!".utf8))
    }

    @Test(arguments: [0, 7, -7, 10, -10, 1_000_000, Int.max, Int.min])
    func integersAreSpelledAsDescription(_ v: Int) {
        var b = OutputBuffer(capacity: 16)
        defer { b.deallocate() }
        b.append(integer: v)
        b.append(integer: UInt64(v.magnitude))
        #expect(String(decoding: b.bytes, as: UTF8.self) == v.description + v.magnitude.description)
    }

    @Test func textWrittenInPlaceEndsWhereItsWriterSays() throws {
        var b = OutputBuffer(capacity: 16)
        defer { b.deallocate() }
        b.append("date:" as StaticString)
        let date = try #require(LocalDate(iso: "2024-02-29"))
        b.append(writing: LocalDate.maxTextCount, date.writeText)
        #expect(String(decoding: b.bytes, as: UTF8.self) == "date:2024-02-29")
    }
}
