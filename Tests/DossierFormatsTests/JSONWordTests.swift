@testable import DossierFormats
import DossierIO
import Foundation
import Testing

/// The writer's eight-byte test must agree with its one-byte rule for every byte value at every
/// position, next to both ASCII and multi-byte neighbours, or text would be copied unescaped.
@Test func wordTestAgreesWithTheByteRule() {
    for filler: UInt8 in [0x61, 0xC3, 0xA9, 0x7F, 0x80, 0xEE, 0x20] {
        for b in 0...255 {
            for position in 0..<8 {
                var word = [UInt8](repeating: filler, count: 8)
                word[position] = UInt8(b)
                let expected = word.allSatisfy(JSONWriter.isPlain)
                word.withUnsafeBufferPointer { #expect(ASCIIWord.isPlainUTF8($0.baseAddress!) == expected, "byte \(b) at \(position) among \(filler)") }
            }
        }
    }
    // Random words of bytes at the edges of each rule, so that combinations (carries between
    // lanes) are covered too; about a fifth of them are plain.
    let edges: [UInt8] = [0x00, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xC3, 0xEE, 0xEF, 0xFF]
    let plain: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xC3, 0xEE, 0x61]
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    for _ in 0..<100_000 {
        var word: [UInt8] = []
        for _ in 0..<8 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            word.append(state % 5 == 0 ? edges[Int(state >> 8) % edges.count] : plain[Int(state >> 8) % plain.count])
        }
        let expected = word.allSatisfy(JSONWriter.isPlain)
        word.withUnsafeBufferPointer { #expect(ASCIIWord.isPlainUTF8($0.baseAddress!) == expected) }
    }
}

/// Texts of up to 16 bytes are checked and copied as whole words: at every length around that
/// limit, with each byte that needs escaping (or may start a noncharacter) at every position, the
/// writer must give exactly what escaping one scalar at a time gives, and must never copy a byte
/// past the text.
@Test func shortTextsAreWrittenAsTheByteRuleSays() throws {
    func reference(_ s: String) -> [UInt8] {
        var out: [UInt8] = [0x22]
        for b in s.utf8 {
            switch b {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0x08: out += [0x5C, 0x62]
            case 0x0C: out += [0x5C, 0x66]
            case 0..<0x20: out += Array(String(format: "\\u%04x", b).utf8)
            default: out.append(b)
            }
        }
        return out + [0x22]
    }
    let specials = ["\"", "\\", "\n", "\u{01}", "\u{1F}", "ë", "\u{FEFF}", "😀", "\u{7F}"]
    for length in 0...18 {
        for position in 0..<max(length, 1) {
            for special in specials {
                var units = Array(repeating: "a", count: length)
                if length > 0 { units[position] = special }
                let text = units.joined()
                let w = JSONWriter(sink: MemorySink(), style: .compact)
                // Written after another text, so that a word stored past the end of one shows up
                // in the next if the count is wrong.
                try w.string("x")
                try w.string(text)
                let written = Array(UnsafeBufferPointer(start: w.buffer, count: w.used))
                #expect(written == [0x22, 0x78, 0x22] + reference(text), "\(length) bytes, \(special.unicodeScalars.first!.value) at \(position)")
            }
        }
    }
    // A noncharacter is refused at every short length, not copied.
    for length in 1...16 {
        let text = String(repeating: "a", count: length - 1) + "\u{FFFF}"
        #expect(throws: (any Error).self) { try JSONWriter(sink: MemorySink(), style: .compact).string(text) }
    }
}

/// Integers are written through a scratch buffer, from the last digit; they must give what
/// `String(describing:)` gives, at every digit count and sign, and wider than 64 bits.
@Test func integersAreWrittenAsTheirDecimalText() {
    var values: [Int64] = [0, 1, -1, 9, -9, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1]
    var p: Int64 = 1
    for _ in 1...18 {
        p *= 10
        values += [p - 1, p, p + 1, -(p - 1), -p, -(p + 1)]
    }
    for v in values {
        let w = JSONWriter(sink: MemorySink(), style: .compact)
        w.integer(v)
        w.integer(Int32(truncatingIfNeeded: v))
        w.integer(UInt64(bitPattern: v))
        w.integer(Int128(v) * 1_000_000_007)
        let written = String(decoding: UnsafeBufferPointer(start: w.buffer, count: w.used), as: UTF8.self)
        let expected = "\(v)\(Int32(truncatingIfNeeded: v))\(UInt64(bitPattern: v))\(Int128(v) * 1_000_000_007)"
        #expect(written == expected, "\(v)")
    }
}
