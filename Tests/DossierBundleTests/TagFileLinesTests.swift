import Testing
import DossierModel
import DossierIO
@testable import DossierBundle

/// A tag file read as a stream, cut anywhere (one cut, or a byte at a time), gives the lines
/// the whole-file split gives, which `linesSplitAsStringsDo` holds to `String`'s own splitting.
@Test(arguments: ["a\nb\n", "a\r\nb\r\n", "a\rb\rc", "a\r\nb\rc\n\nd", "x\r", "\r\r\n", "\n\n\na", "é\r\nü\n\r\n", "a\r\r\rb\n", "", "\r", "\n",
                  "\u{1F600} one\r\n\r\ntwo\r\rthree\n\n"])
func streamedTagFileLinesMatchTheWholeFile(text: String) throws {
    let bytes = Array(text.utf8)
    var whole: [String] = []
    try BagItText.forEachLine(bytes, file: "t") { whole.append("\($0):\($1)") }
    var cuttings = (0...bytes.count).map { [$0] }
    cuttings.append(Array(0...bytes.count))
    for cuts in cuttings {
        var lines: [String] = []
        let sink = TagFileLineSink(file: "t") { lines.append("\($0):\($1)") }
        var start = 0
        for cut in cuts + [bytes.count] where cut >= start {
            try sink.write(Array(bytes[start..<cut]))
            start = cut
        }
        try sink.finish()
        #expect(lines == whole, "cuts \(cuts)")
    }
}

@Test func aTagFileLineWithoutEndIsRefusedPastTheLimit() throws {
    let sink = TagFileLineSink(file: "manifest-sha256.txt") { _, _ in }
    let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
    #expect(throws: DossierError.self) {
        for _ in 0...(TagFileLineSink.maxLine / chunk.count) { try sink.write(chunk) }
    }
}
