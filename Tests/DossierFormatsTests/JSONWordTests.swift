@testable import DossierFormats
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
