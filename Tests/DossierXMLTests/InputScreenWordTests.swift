@testable import DossierXML
import DossierModel
import Testing

/// The screen's eight-byte test must agree with its one-byte rule (printable ASCII, not the byte
/// that ends the run) for every byte value at every position, next to ASCII and UTF-8 neighbours,
/// or a run could swallow a byte that changes the state.
@Test(arguments: [UInt8(0x3C), 0x3E, 0x22, 0x27])
func screenWordTestAgreesWithTheByteRule(_ stop: UInt8) {
    func plain(_ b: UInt8) -> Bool { b >= 0x20 && b < 0x80 && b != stop }
    for filler: UInt8 in [0x61, 0x20, 0x7F, 0xC3, 0xA9, 0x80, 0x1F, 0x3B, 0x3D, 0x21, 0x23, 0x26, 0x28] {
        for b in 0...255 {
            for position in 0..<8 {
                var word = [UInt8](repeating: filler, count: 8)
                word[position] = UInt8(b)
                let w = word.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
                #expect(InputScreen.isPlainWord(w, other: stop) == word.allSatisfy(plain), "byte \(b) at \(position) among \(filler)")
            }
        }
    }
}

/// A byte that ends a plain run (markup, a control character, a line end, UTF-8) is seen wherever
/// it falls in text, an attribute value or an end tag, around the word size: the document reads
/// the same, or fails at the same column, as with the byte at the start of a run.
@Test func runsEndAtTheirFirstSpecialByteAtAnyPosition() throws {
    let filler = String(repeating: "abcdefgh", count: 3)
    for length in 0..<20 {
        for position in 0...length {
            let before = String(filler.prefix(position)), after = String(filler.prefix(length - position))
            // Markup in text, a quote in an attribute value, a line end counted.
            let text = "<a x=\"\(before)\" y='\(before)'>\(before)<b/>\(after)\n\(before)é\(after)</a\(String(repeating: " ", count: position))>"
            let root = try ParsedXMLDocument.parse(Array(text.utf8), file: "w.xml").root()
            #expect(root.elements.map(\.localName) == ["b"])
            #expect(root.attributes.map(\.value) == [before, before])
            #expect(root.text == before + after + "\n" + before + "é" + after)
            // A control character is refused at its own column.
            let bad = "<a>" + before + "\u{01}" + after + "</a>"
            do {
                _ = try ParsedXMLDocument.parse(Array(bad.utf8), file: "w.xml")
                Issue.record("control character accepted at \(position)")
            } catch let e as DossierError {
                #expect(e.location?.column == 4 + position, "\(length) \(position)")
            }
        }
    }
}
