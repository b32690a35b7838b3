@testable import DossierFormats
import DossierIO
import DossierModel
import DossierXML
import Testing

/// The encoder and decoder beyond what synthesised model conformances use: hand-written
/// `encode(to:)` with nested containers, which close lazily, and lists the item table lacks.
@Suite struct XMLEncoderTests {
    struct Custom: Codable, Equatable {
        var id: String
        var point: (x: Int, y: Double)
        var goals: [String]
        var flag: Bool

        enum Keys: String, CodingKey { case id, point, goals, flag }
        enum PointKeys: String, CodingKey { case x, y }

        init(id: String, point: (x: Int, y: Double), goals: [String], flag: Bool) {
            self.id = id; self.point = point; self.goals = goals; self.flag = flag
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(id, forKey: .id)
            var p = c.nestedContainer(keyedBy: PointKeys.self, forKey: .point)
            try p.encode(point.x, forKey: .x)
            try p.encode(point.y, forKey: .y)
            var g = c.nestedUnkeyedContainer(forKey: .goals)
            for goal in goals { try g.encode(goal) }
            try c.encode(flag, forKey: .flag)
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            id = try c.decode(String.self, forKey: .id)
            let p = try c.nestedContainer(keyedBy: PointKeys.self, forKey: .point)
            point = (try p.decode(Int.self, forKey: .x), try p.decode(Double.self, forKey: .y))
            var g = try c.nestedUnkeyedContainer(forKey: .goals)
            goals = []
            while !g.isAtEnd { goals.append(try g.decode(String.self)) }
            flag = try c.decode(Bool.self, forKey: .flag)
        }

        static func == (a: Custom, b: Custom) -> Bool {
            a.id == b.id && a.point == b.point && a.goals == b.goals && a.flag == b.flag
        }
    }

    private func xml(_ value: some Encodable) throws -> String {
        let sink = MemorySink()
        let output = XMLOutput(sink: sink)
        try output.element(value, named: "custom", attributes: XMLNames.rootAttributes)
        try output.flush()
        return String(decoding: sink.bytes, as: UTF8.self)
    }

    @Test func nestedContainersCloseWhenTheNextFieldStarts() throws {
        let value = Custom(id: "a&b", point: (-3, 0.1), goals: ["x", ""], flag: true)
        let text = try xml(value)
        #expect(text == """
            <custom xmlns="urn:dossierport:dossier:1">
              <id>a&amp;b</id>
              <point>
                <x>-3</x>
                <y>0.1</y>
              </point>
              <goals>
                <goal>x</goal>
                <goal></goal>
              </goals>
              <flag>true</flag>
            </custom>

            """)
        let root = try ParsedXMLDocument.parse(Array(text.utf8), file: nil).root()
        #expect(try Custom(from: XMLElementDecoder(element: root, file: nil, codingPath: [])) == value)
    }

    struct Unlisted: Encodable {
        var things: [Int]
        var nested: [[Int]]
    }

    @Test func listsWithoutAnItemNameFail() throws {
        #expect(throws: EncodingError.self) { try xml(Unlisted(things: [1], nested: [])) }
        #expect(throws: EncodingError.self) { try xml(Unlisted(things: [], nested: [[1]])) }
    }

    /// `nestedUnkeyedContainer()` cannot throw; its failure surfaces when the element ends, and the
    /// element's partial output is rolled back.
    struct DeepUnlisted: Encodable {
        enum Keys: String, CodingKey { case matrix }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            var rows = c.nestedUnkeyedContainer(forKey: .matrix)
            _ = rows.nestedUnkeyedContainer()
        }
    }

    @Test func deferredFailureRollsBack() throws {
        let sink = MemorySink()
        let output = XMLOutput(sink: sink)
        #expect(throws: EncodingError.self) { try output.element(DeepUnlisted(), named: "custom") }
        try output.flush()
        #expect(sink.bytes.isEmpty)
    }

    @Test func nonFiniteNumbersAndNilItemsFail() throws {
        struct Numbers: Encodable { var goals: [Double?] }
        #expect(throws: EncodingError.self) { try xml(Numbers(goals: [.infinity])) }
        #expect(throws: EncodingError.self) { try xml(Numbers(goals: [nil])) }
    }
}

/// The XML writer's eight-byte test must agree with its one-byte rule (copied as is: from 0x20 up,
/// below 0xEF, not `&`, `<` or `>`) for every byte value at every position, next to both ASCII and
/// multi-byte neighbours, or text would be copied unescaped.
@Test func xmlWordTestAgreesWithTheByteRule() {
    func plain(_ b: UInt8) -> Bool { b >= 0x20 && b < 0xEF && b != 0x26 && b != 0x3C && b != 0x3E }
    for filler: UInt8 in [0x61, 0xC3, 0xA9, 0x7F, 0x80, 0xEE, 0x20, 0x25, 0x27, 0x3D, 0x3F] {
        for b in 0...255 {
            for position in 0..<8 {
                var word = [UInt8](repeating: filler, count: 8)
                word[position] = UInt8(b)
                let expected = word.allSatisfy(plain)
                word.withUnsafeBufferPointer { #expect(ASCIIWord.isPlainXML($0.baseAddress!) == expected, "byte \(b) at \(position) among \(filler)") }
            }
        }
    }
}

/// Texts around the word size, with each byte the writer escapes (or refuses) at every position,
/// are written exactly as escaping one byte at a time writes them.
@Test(arguments: ["&", "<", ">", "\r", "\t", "\n", "\u{01}", "\u{FFFE}", "\u{FFFF}", "\u{FFFD}", "ë", "😀"])
func xmlEscapingAtEveryPositionMatchesTheByteRule(_ special: String) throws {
    func reference(_ s: String) -> String {
        s.unicodeScalars.map { c -> String in
            switch c {
            case "&": "&amp;"
            case "<": "&lt;"
            case ">": "&gt;"
            case "\r": "&#xD;"
            default: String(c)
            }
        }.joined()
    }
    for length in 0..<20 {
        for position in 0...length {
            let base = String(repeating: "abcdefgh", count: 3)
            let text = String(base.prefix(position)) + special + String(base.prefix(length - position))
            let sink = MemorySink()
            let output = XMLOutput(sink: sink)
            output.openElement("t")
            let refused = special == "\u{01}" || special == "\u{FFFE}" || special == "\u{FFFF}"
            if refused {
                #expect(throws: DossierError.self) { try output.leaf(text, codingPath: []) }
                continue
            }
            try output.leaf(text, codingPath: [])
            try output.flush()
            #expect(String(decoding: sink.bytes, as: UTF8.self) == "<t>" + reference(text) + "</t>\n", "\(length) \(position)")
        }
    }
}
