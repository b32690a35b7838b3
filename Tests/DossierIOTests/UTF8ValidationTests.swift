import DossierIO
import Foundation
import Testing

/// A noncharacter as text: Swift's string literals refuse them in `\u{…}` escapes.
fileprivate func nonchar(_ value: UInt32) -> String { String(Unicode.Scalar(value)!) }

/// The shared UTF-8 rule, against the Unicode Standard's table 3-7 and the standard library.
@Suite struct UTF8ValidationTests {
    func firstInvalid(_ bytes: [UInt8]) -> (index: Int, incomplete: Bool)? {
        bytes.withUnsafeBufferPointer { UTF8Validation.firstInvalid($0) }
    }

    /// Boundary cases of table 3-7 (Unicode 15, §3.9) and Markus Kuhn's UTF-8 decoder stress test
    /// (https://www.cl.cam.ac.uk/~mgk25/ucs/examples/UTF-8-test.txt, sections 3–5).
    @Test(arguments: [
        ([0xC2, 0x80], nil),                         // U+0080, first two-byte scalar
        ([0xDF, 0xBF], nil),                         // U+07FF
        ([0xE0, 0xA0, 0x80], nil),                   // U+0800
        ([0xED, 0x9F, 0xBF], nil),                   // U+D7FF, last before the surrogates
        ([0xEE, 0x80, 0x80], nil),                   // U+E000
        ([0xF0, 0x90, 0x80, 0x80], nil),             // U+10000
        ([0xF4, 0x8F, 0xBF, 0xBF], nil),             // U+10FFFF
        ([0xC0, 0x80], 0),                           // overlong NUL (Kuhn 4.3.1)
        ([0xC1, 0xBF], 0),                           // overlong U+007F
        ([0xE0, 0x9F, 0xBF], 0),                     // overlong U+07FF (Kuhn 4.2.2)
        ([0xF0, 0x8F, 0xBF, 0xBF], 0),               // overlong U+FFFF (Kuhn 4.2.3)
        ([0xED, 0xA0, 0x80], 0),                     // surrogate U+D800 (Kuhn 5.1.1)
        ([0xED, 0xBF, 0xBF], 0),                     // surrogate U+DFFF (Kuhn 5.1.7)
        ([0xF4, 0x90, 0x80, 0x80], 0),               // U+110000, above the last scalar
        ([0xF5, 0x80, 0x80, 0x80], 0),               // lead byte that never occurs
        ([0xFE], 0), ([0xFF], 0),                    // Kuhn 3.5
        ([0x80], 0),                                 // lone continuation (Kuhn 3.1.1)
        ([0x61, 0xC3, 0x28], 1),                     // lead byte followed by ASCII (Kuhn 3.2)
        ([0x61, 0xE2, 0x82, 0x41], 1),               // third byte not a continuation
    ] as [([UInt8], Int?)])
    func tableBoundaries(bytes: [UInt8], bad: Int?) {
        #expect(firstInvalid(bytes)?.index == bad)
        #expect(firstInvalid(bytes)?.incomplete ?? false == false)
        #expect((String(validating: bytes, as: UTF8.self) != nil) == (bad == nil))
    }

    @Test func sequenceCutByTheEndIsIncompleteNotInvalid() {
        #expect(firstInvalid(Array("cli".utf8) + [0xC3])! == (3, true))
        #expect(firstInvalid([0xF0, 0x9F, 0x98])! == (0, true))
        // Cut off, but already wrong: invalid, whatever follows.
        #expect(firstInvalid([0xE0, 0x80])! == (0, false))
    }

    /// Every one- and two-byte input, and three-byte inputs over the boundary bytes, agree with the
    /// standard library's validator.
    @Test func agreesWithTheStandardLibrary() {
        for a in 0...255 {
            for b in 0...255 {
                let bytes = [UInt8(a), UInt8(b)]
                let ours = firstInvalid(bytes) == nil
                #expect(ours == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
            }
        }
        let edges: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF]
        for a in 0xC0...0xFF {
            for b in edges {
                for c in edges {
                    for d in edges {
                        let bytes = [UInt8(a), b, c, d]
                        let ours = firstInvalid(bytes) == nil
                        #expect(ours == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
                    }
                }
            }
        }
    }

    /// The eight-byte ASCII fast path must stop exactly at the first non-ASCII byte, wherever it is.
    @Test func offsetsAcrossTheASCIIFastPath() {
        for position in 0..<24 {
            var bytes = Array(repeating: UInt8(ascii: "x"), count: 24)
            bytes[position] = 0xFF
            #expect(firstInvalid(bytes)?.index == position)
            bytes[position] = 0xC3
            if position + 1 < bytes.count {
                bytes[position + 1] = 0xAB  // ë
                #expect(firstInvalid(bytes) == nil)
            }
        }
    }

    /// `asciiEnd` stops at the first non-ASCII byte from any start, and at the end when there is
    /// none, whatever the length (the word loop and the byte loop after it).
    @Test func asciiEndFromEveryStart() {
        for count in 0..<24 {
            for high in 0...count {
                var bytes = Array(repeating: UInt8(ascii: "x"), count: count)
                if high < count { bytes[high] = 0x80 }
                bytes.withUnsafeBufferPointer { p in
                    for start in 0...count {
                        let expected = start <= high ? high : (bytes[start...].firstIndex { $0 >= 0x80 } ?? count)
                        #expect(UTF8Validation.asciiEnd(p, from: start) == expected, "\(count) \(high) \(start)")
                    }
                }
            }
        }
    }

    /// Real text from the fixtures (Dutch names with diacritics, emoji) is valid as a whole.
    /// The scalar rule the JSON reader applies (Unicode §23.7): U+FDD0…U+FDEF and the last two
    /// code points of every plane.
    static func isNoncharacter(_ u: Unicode.Scalar) -> Bool {
        (0xFDD0...0xFDEF).contains(u.value) || u.value & 0xFFFE == 0xFFFE
    }

    func firstNoncharacter(_ s: String, from: Int = 0) -> Int? {
        Array(s.utf8).withUnsafeBufferPointer { UTF8Validation.firstNoncharacter($0, from: from) }
    }

    /// Each of the 66 noncharacters is found wherever it stands around the eight-byte fast path,
    /// and the scalars next to them (U+FDCF, U+FDF0, U+FFFD, U+1FFFD …) are not.
    @Test func everyNoncharacterAtEveryPosition() {
        let nonchars = (0xFDD0...0xFDEF).map { Unicode.Scalar($0)! } + (0...16).flatMap { plane in
            [0xFFFE, 0xFFFF].map { Unicode.Scalar(plane << 16 | $0)! }
        }
        #expect(nonchars.count == 66)
        let neighbours = [0xFDCF, 0xFDF0, 0xFFFD, 0xFFFC, 0xEFFF, 0xF000, 0x1FFFD, 0x10FFFD, 0x1F44D, 0xEBFF]
            .map { Unicode.Scalar($0)! }
        for position in 0..<20 {
            let pad = String(repeating: "x", count: position)
            for u in nonchars {
                #expect(firstNoncharacter(pad + String(u) + "yz") == position, "U+\(String(u.value, radix: 16)) at \(position)")
                #expect(firstNoncharacter(pad + "ë" + String(u)) == position + 2)
            }
            for u in neighbours {
                #expect(firstNoncharacter(pad + String(u) + String(repeating: "y", count: 9)) == nil, "U+\(String(u.value, radix: 16))")
            }
        }
        // `from` passes over those before it.
        let two = "a\(nonchar(0xFFFF))bcdefghijk\(nonchar(0xFDD0))"
        #expect(firstNoncharacter(two) == 1)
        #expect(firstNoncharacter(two, from: 4) == 14)
        #expect(firstNoncharacter(two, from: 15) == nil)
        #expect([UInt8]().withUnsafeBufferPointer { UTF8Validation.firstNoncharacter($0) } == nil)
    }

    /// Random valid UTF-8 over the scalars that matter (ASCII, Dutch letters, the 0xEF and 0xF0
    /// blocks), against the scalar rule.
    @Test func agreesWithTheScalarRule() {
        var rng = SystemRandomNumberGenerator()
        let pool: [Unicode.Scalar] = ["a", "Z", " ", "\t", "ë", "é", "ĳ", "—", "👍", "\u{FFFD}", Unicode.Scalar(0xFFFE)!, Unicode.Scalar(0xFFFF)!,
                                      Unicode.Scalar(0xFDD0)!, Unicode.Scalar(0xFDEF)!, "\u{FDCF}", "\u{F8FF}", Unicode.Scalar(0x1FFFE)!, Unicode.Scalar(0x10FFFF)!, "\u{10FFFD}", "\u{E0001}"]
        var found = 0
        for _ in 0..<2_000 {
            let scalars = (0..<Int.random(in: 0...30, using: &rng)).map { _ in
                Int.random(in: 0..<10, using: &rng) < 8 ? pool[Int.random(in: 0..<9, using: &rng)] : pool.randomElement(using: &rng)!
            }
            var s = String.UnicodeScalarView()
            s.append(contentsOf: scalars)
            let text = String(s)
            var expected: Int?, offset = 0
            for u in scalars {
                if Self.isNoncharacter(u) { expected = offset; break }
                offset += String(u).utf8.count
            }
            #expect(firstNoncharacter(text) == expected, "\(scalars.map { String($0.value, radix: 16) })")
            if expected != nil { found += 1 }
        }
        #expect(found > 100 && found < 1_900)
    }

    @Test func fixtureDossiersAreValid() throws {
        let dir = packageRoot.appendingPathComponent("fixtures/dossiers")
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasSuffix(".json") {
            let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
            #expect(firstInvalid(bytes) == nil, "\(name)")
        }
        let cp1252 = [UInt8](try Data(contentsOf: packageRoot.appendingPathComponent("fixtures/invalid/cp1252.json")))
        #expect(firstInvalid(cp1252)?.index == 689)
    }
}
