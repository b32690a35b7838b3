import Foundation
import DossierIO
import Testing
import DossierModel
import DossierSources

/// Decodes `bytes` fed in chunks of `size` bytes.
func csvDecode(_ bytes: [UInt8], chunk size: Int, _ encoding: TextEncoding? = nil) throws -> (String, EncodingChoice?) {
    var decoder = TextDecoder(file: "t", encoding: encoding)
    var out: [UInt8] = []
    var i = 0
    while i < bytes.count {
        let end = min(i + size, bytes.count)
        try bytes[i..<end].withUnsafeBytes { try decoder.decode($0, into: &out) }
        i = end
    }
    try decoder.finish(into: &out)
    return (String(decoding: out, as: UTF8.self), decoder.choice)
}

func csvDecodeError(_ bytes: [UInt8], _ encoding: TextEncoding? = nil) -> DossierError? {
    #expect(throws: DossierError.self) { try csvDecode(bytes, chunk: 3, encoding) }
}

@Suite struct CSVTextDecoderTests {
    static let text = "naam;plaats\nZoë 😀;'s-Hertogenbosch € ’\r\nʤ\u{10FFFF}"

    @Test(arguments: 1...9) func sequencesMayStraddleChunks(_ size: Int) throws {
        let utf16LE = Array(Self.text.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let utf16BE = Array(Self.text.utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(try csvDecode(Array(Self.text.utf8), chunk: size) == (Self.text, EncodingChoice(.utf8, .validUTF8)))
        #expect(try csvDecode([0xEF, 0xBB, 0xBF] + Self.text.utf8, chunk: size).0 == Self.text)
        #expect(try csvDecode([0xFF, 0xFE] + utf16LE, chunk: size) == (Self.text, EncodingChoice(.utf16LE, .byteOrderMark)))
        #expect(try csvDecode([0xFE, 0xFF] + utf16BE, chunk: size) == (Self.text, EncodingChoice(.utf16BE, .byteOrderMark)))
        let cp1252: [UInt8] = Array("Caf".utf8) + [0xE9, 0x3B, 0x80, 0x92, 0xEB]
        #expect(try csvDecode(cp1252, chunk: size) == ("Café;€’ë", EncodingChoice(.windows1252, .heuristic)))
    }

    /// Chunking never changes the outcome: random inputs decode to the same text, or fail with the
    /// same error at the same place, whether fed whole or byte by byte.
    @Test(arguments: [nil, TextEncoding.utf8, .windows1252, .utf16LE, .utf16BE]) func chunkingDoesNotMatter(_ encoding: TextEncoding?) {
        let alphabet: [[UInt8]] = [[0x61], [0x0A], [0x00], [0xC3, 0xAB], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80],
                                   [0xE9], [0x80], [0x81], [0xC3], [0xD8, 0x3D], [0xDE, 0x00], [0xFF, 0xFE], [0xEF, 0xBB, 0xBF]]
        var rng = SplitMix64(seed: 1252)
        func outcome(_ bytes: [UInt8], _ size: Int) -> String {
            do { return "ok \(try csvDecode(bytes, chunk: size, encoding))" } catch { return "\(error)" }
        }
        for _ in 0..<400 {
            let bytes = (0..<Int.random(in: 0...12, using: &rng)).flatMap { _ in alphabet.randomElement(using: &rng)! }
            let whole = outcome(bytes, max(bytes.count, 1))
            for size in 1...3 { #expect(outcome(bytes, size) == whole, "\(bytes) in chunks of \(size)") }
        }
    }

    /// Windows-1252 copies runs of ASCII whole, eight bytes at a time, and counts their lines with
    /// memchr. Fed a byte at a time, every run is one byte long, so that is the byte-by-byte
    /// reading to hold it to: long runs around line breaks, high bytes, undefined bytes and UTF-8
    /// sequences at every offset give the same text, or the same error at the same line and column.
    @Test func windows1252AsciiRunsDecodeAsByteByByte() {
        let alphabet: [[UInt8]] = [Array("abcdefghijklmnop".utf8), Array("qrstu\nvwxyz0123".utf8), [0x0A], [0x0D, 0x0A],
                                   Array("Zo".utf8), [0xEB], [0x80], [0x92], [0x9D], [0xC3, 0xAB], [0x20]]
        var rng = SplitMix64(seed: 2024)
        func outcome(_ bytes: [UInt8], _ size: Int) -> String {
            do { return "ok \(try csvDecode(bytes, chunk: size, .windows1252))" } catch { return "\(error)" }
        }
        var failures = 0
        for _ in 0..<300 {
            let bytes = (0..<Int.random(in: 0...14, using: &rng)).flatMap { _ in alphabet.randomElement(using: &rng)! }
            let byteByByte = outcome(bytes, 1)
            if byteByByte.hasPrefix("ok") == false { failures += 1 }
            for size in [bytes.count + 1, 7, 64] { #expect(outcome(bytes, size) == byteByByte, "\(bytes) in chunks of \(size)") }
        }
        #expect(failures > 30 && failures < 270, "both outcomes are exercised")
    }

    /// An undefined byte after a kilobyte of ASCII lines is placed by line and column.
    @Test func windows1252ErrorAfterLongAsciiRunsIsPlaced() {
        let lines = (1...40).map { "regel \($0);" + String(repeating: "x", count: $0) }.joined(separator: "\n")
        let e = csvDecodeError(Array((lines + "\nab").utf8) + [0xE9, 0x8D], .windows1252)
        #expect(e?.code == "encoding.cp1252-undefined")
        #expect(e?.location == SourceLocation(file: "t", line: 41, column: 4))
    }

    /// Known answers from the WHATWG Encoding Standard's index-windows-1252.
    @Test func windows1252Table() throws {
        let vectors: [(UInt8, String)] = [
            (0x80, "€"), (0x82, "‚"), (0x83, "ƒ"), (0x85, "…"), (0x8A, "Š"), (0x8C, "Œ"), (0x8E, "Ž"),
            (0x91, "‘"), (0x92, "’"), (0x93, "“"), (0x94, "”"), (0x96, "–"), (0x97, "—"), (0x99, "™"),
            (0x9C, "œ"), (0x9F, "Ÿ"), (0xA0, "\u{A0}"), (0xA9, "©"), (0xE9, "é"), (0xEB, "ë"), (0xFF, "ÿ"),
        ]
        for (byte, expected) in vectors {
            #expect(try csvDecode([byte], chunk: 1, .windows1252).0 == expected, "0x\(String(byte, radix: 16))")
        }
        let all = (0x80...0xFF).map(UInt8.init).filter { ![0x81, 0x8D, 0x8F, 0x90, 0x9D].contains($0) }
        #expect(try csvDecode(all, chunk: 1, .windows1252).0.unicodeScalars.count == 123)
    }

    @Test(arguments: [UInt8(0x81), 0x8D, 0x8F, 0x90, 0x9D]) func windows1252UndefinedBytesFail(_ byte: UInt8) {
        let e = csvDecodeError([0x61, 0x0A, 0x62, byte], .windows1252)
        #expect(e?.code == "encoding.cp1252-undefined")
        #expect(e?.location == SourceLocation(file: "t", line: 2, column: 2))
        #expect(e?.diagnostic.message.contains("byte offset 3") == true)
    }

    @Test func malformedUTF8Fails() {
        let cases: [([UInt8], String, Int, Int)] = [
            ([0x61, 0x0A, 0x62, 0xFF], "encoding.invalid-utf8", 2, 2),
            ([0x61, 0xC0, 0x80], "encoding.invalid-utf8", 1, 2),          // overlong
            ([0x61, 0xED, 0xA0, 0x80], "encoding.invalid-utf8", 1, 2),    // surrogate
            ([0x61, 0xF4, 0x90, 0x80, 0x80], "encoding.invalid-utf8", 1, 2), // above U+10FFFF
            ([0x61, 0xE2, 0x82], "encoding.truncated", 1, 2),
        ]
        for (bytes, code, line, column) in cases {
            let e = csvDecodeError(bytes, .utf8)
            #expect(e?.code == code, "\(bytes)")
            #expect(e?.location == SourceLocation(file: "t", line: line, column: column), "\(bytes)")
        }
    }

    @Test func malformedUTF16Fails() {
        #expect(csvDecodeError([0xFF, 0xFE, 0x00, 0xDC])?.code == "encoding.invalid-utf16")
        #expect(csvDecodeError([0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00])?.code == "encoding.invalid-utf16")
        #expect(csvDecodeError([0xFF, 0xFE, 0x41, 0x00, 0x42])?.code == "encoding.truncated")
    }

    /// A UTF-8 sequence inside Windows-1252 text is refused, also when a chunk boundary splits it.
    @Test(arguments: 1...4) func mixedEncodingIsRefused(_ size: Int) {
        let bytes: [UInt8] = [0x45, 0xE9, 0x0A, 0x5A, 0x6F, 0xC3, 0xAB]
        let e = #expect(throws: DossierError.self) { try csvDecode(bytes, chunk: size) }
        #expect(e?.code == "encoding.mixed")
        #expect(e?.location == SourceLocation(file: "t", line: 2, column: 3))
    }

    /// The first 4 KiB are the sample; one that ends inside a character is still UTF-8.
    @Test(arguments: [1, 3, 4096]) func sampleCutInsideACharacterIsUTF8(_ size: Int) throws {
        let text = String(repeating: "a", count: 4094) + "€;Zoë"
        #expect(try csvDecode(Array(text.utf8), chunk: size) == (text, EncodingChoice(.utf8, .validUTF8)))
    }

    @Test func byteOrderMarkContradictingTheCallerIsRefused() {
        #expect(csvDecodeError([0xFF, 0xFE, 0x41, 0x00], .windows1252)?.code == "encoding.bom-mismatch")
        #expect(csvDecodeError([0xEF, 0xBB, 0xBF, 0x41], .utf16LE)?.code == "encoding.bom-mismatch")
    }

    @Test func shortAndEmptyInputs() throws {
        #expect(try csvDecode([], chunk: 1) == ("", EncodingChoice(.utf8, .validUTF8)))
        #expect(try csvDecode([0x61], chunk: 1).0 == "a")
        #expect(try csvDecode([0xEF, 0xBB, 0xBF], chunk: 1) == ("", EncodingChoice(.utf8, .byteOrderMark)))
    }
}
