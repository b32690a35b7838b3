import DossierFormats
import DossierIO
import DossierModel
import Foundation
import Testing

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

@Test(arguments: [JSONStyle.pretty, .compact])
func sampleRoundTrips(style: JSONStyle) throws {
    let d = Sample.dossier()
    let bytes = try DossierJSON.encode(d, style: style)
    let back = try DossierJSON.decode(bytes, file: "sample.json")
    #expect(back == d)
    // Canonical: decoding and re-encoding gives the same bytes, and so does encoding again.
    #expect(try DossierJSON.encode(back, style: style) == bytes)
    #expect(try DossierJSON.encode(d, style: style) == bytes)
}

@Test func minimalDossierHasExactCanonicalLayout() throws {
    let expected = """
    {
      "schemaVersion": "1.0",
      "id": "d-0",
      "controller": {
        "name": "Zorg B.V.",
        "kvkNumber": "87654321",
        "dpo": {}
      },
      "client": {
        "id": "c-0",
        "clientNumber": "1",
        "name": {
          "familyName": "Smit"
        },
        "addresses": [],
        "contacts": [],
        "meta": {
          "category": "personal",
          "provenance": "client",
          "legalBasis": "contract",
          "restricted": false,
          "containsThirdPartyData": false
        }
      },
      "representatives": [],
      "referrals": [],
      "insurances": [],
      "consents": [],
      "objections": [],
      "progressReports": [],
      "carePlans": [],
      "diagnoses": [],
      "medicationAdministrations": [],
      "incidents": [],
      "restrictiveMeasures": [],
      "domesticViolenceReports": [],
      "workNotes": [],
      "financialRecords": [],
      "appointments": [],
      "documents": [],
      "corrections": [],
      "restrictions": [],
      "accessLog": []
    }

    """
    #expect(text(try DossierJSON.encode(Sample.minimal(), style: .pretty)) == expected)
    let compact = text(try DossierJSON.encode(Sample.minimal(), style: .compact))
    #expect(compact.hasPrefix(#"{"schemaVersion":"1.0","id":"d-0","controller":{"name":"Zorg B.V.","kvkNumber":"87654321","dpo":{}},"#))
    #expect(compact.hasSuffix(#""restrictions":[],"accessLog":[]}"#))
}

/// Pretty and compact differ only in whitespace outside strings.
@Test func prettyAndCompactCarryTheSameTokens() throws {
    let d = Sample.dossier()
    let pretty = try DossierJSON.encode(d, style: .pretty)
    let compact = try DossierJSON.encode(d, style: .compact)
    #expect(pretty.last == 0x0A)
    #expect(!compact.contains(0x0A))
    var stripped: [UInt8] = []
    var inString = false, escaped = false
    for b in pretty {
        if inString {
            if escaped { escaped = false } else if b == 0x5C { escaped = true } else if b == 0x22 { inString = false }
        } else if b == 0x22 {
            inString = true
        } else if b == 0x20 || b == 0x0A {
            continue
        }
        stripped.append(b)
    }
    #expect(stripped == compact)
}

@Test func escapesMinimallyAndKeepsUTF8Raw() throws {
    struct Note: Codable, Equatable { var s: String }
    let value = Note(s: "\"\\\n\r\t\u{08}\u{0C}\u{00}\u{1F}\u{7F}/é😀")
    let bytes = try JSONByteEncoder.encode(value, style: .compact)
    #expect(text(bytes) == #"{"s":"\"\\\n\r\t\b\f\u0000\u001f"# + "\u{7F}/é😀\"}")
    #expect(try JSONByteDecoder.decode(Note.self, from: bytes) == value)
}

@Test func genericValuesRoundTrip() throws {
    struct Numbers: Codable, Equatable {
        var ints: [Int]
        var big: UInt64
        var small: Int8
        var ratio: Double
        var flags: [Bool]
        var table: [String: [Int]]
        var nested: [[String]]
        var maybe: Int?
    }
    let value = Numbers(ints: [Int.min, -1, 0, 7, Int.max], big: .max, small: -128, ratio: 0.1,
                        flags: [true, false], table: ["a": [1], "b": [], "": [2]], nested: [[], ["x", "ÿ"]], maybe: nil)
    let bytes = try JSONByteEncoder.encode(value, style: .compact)
    #expect(text(bytes).hasPrefix(#"{"ints":[-9223372036854775808,-1,0,7,9223372036854775807],"big":18446744073709551615,"small":-128,"ratio":0.1,"#))
    #expect(!text(bytes).contains("maybe"))
    #expect(try JSONByteDecoder.decode(Numbers.self, from: bytes) == value)
}

/// Foundation's decoder is an independent oracle: it must read our output as the same value.
@Test(arguments: [JSONStyle.pretty, .compact])
func foundationDecoderAgrees(style: JSONStyle) throws {
    let d = Sample.dossier()
    let bytes = try DossierJSON.encode(d, style: style)
    #expect(try JSONDecoder().decode(Dossier.self, from: Data(bytes)) == d)
    // And the documents agree as JSON trees with what Foundation's encoder writes.
    let ours = try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary
    let theirs = try JSONSerialization.jsonObject(with: JSONEncoder().encode(d)) as? NSDictionary
    #expect(ours != nil && ours == theirs)
}

@Test func nonCharactersAreRefusedOnWrite() {
    struct Note: Codable { var s: String }
    #expect { try JSONByteEncoder.encode(Note(s: "a\u{FFFE}"), style: .compact) } throws: {
        ($0 as? DossierError)?.code == "json.noncharacter" && ($0 as? DossierError)?.diagnostic.path == "$.s"
    }
}

@Test func writesToAFileAtomically() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dossier-json-\(UUID())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("d.json").path
    try DossierJSON.write(Sample.dossier(), toFile: path)
    #expect(try DossierJSON.read(path: path) == Sample.dossier())
    #expect(try Array(Data(contentsOf: URL(fileURLWithPath: path))) == DossierJSON.encode(Sample.dossier()))
}

// MARK: NDJSON

private func temporaryFile(_ name: String) throws -> (path: String, cleanup: () -> Void) {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dossier-ndjson-\(UUID())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return (dir.appendingPathComponent(name).path, { try? FileManager.default.removeItem(at: dir) })
}

@Test func ndjsonStreamsSeveralDossiers() throws {
    var second = Sample.dossier()
    second.id = "d-2"
    second.progressReports.removeAll()
    let dossiers = [Sample.dossier(), Sample.minimal(), second]
    let (path, cleanup) = try temporaryFile("all.ndjson")
    defer { cleanup() }
    try AtomicFile.write(to: path) { sink in
        let w = NDJSONWriter(sink: sink)
        for d in dossiers { try w.write(d) }
        try w.finish()
    }
    let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(bytes.filter { $0 == 0x0A }.count == 3)
    #expect(bytes == dossiers.flatMap { try! DossierJSON.encode($0, style: .compact) + [0x0A] })

    let reader = try NDJSONReader(path: path)
    var read: [Dossier] = []
    while let d = try reader.next() { read.append(d) }
    #expect(read == dossiers)
    #expect(reader.lineNumber == 3)
}

@Test func ndjsonErrorNamesTheLineOfTheBadRecord() throws {
    let good = try DossierJSON.encode(Sample.minimal(), style: .compact)
    var bad = text(good)
    bad.replace(#""clientNumber":"1","#, with: #""clientNumber":"1","nickname":"x","#)
    let (path, cleanup) = try temporaryFile("bad.ndjson")
    defer { cleanup() }
    try AtomicFile.write(Array((text(good) + "\n" + text(good) + "\n" + bad + "\n").utf8), to: path)

    let reader = try NDJSONReader(path: path)
    #expect(try reader.next() != nil)
    #expect(try reader.next() != nil)
    let keyColumn = Array(bad.utf8).firstRange(of: Array(#""nickname""#.utf8))!.lowerBound + 1
    #expect { try reader.next() } throws: { error in
        guard let e = error as? DossierError else { return false }
        return e.code == "json.unknown-field" && e.location == DossierModel.SourceLocation(file: path, line: 3, column: keyColumn)
            && e.diagnostic.path == "$.client.nickname"
    }
}

/// A line past the reader's limit is refused at its line, before the rest of it is read: a file
/// without line breaks must not be read whole into memory.
@Test func ndjsonRefusesALinePastItsLimit() throws {
    let good = text(try DossierJSON.encode(Sample.minimal(), style: .compact))
    let (path, cleanup) = try temporaryFile("long.ndjson")
    defer { cleanup() }
    try AtomicFile.write(Array((good + "\n" + String(repeating: " ", count: 200_000) + good + "\n" + good + "\n").utf8), to: path)
    let reader = try NDJSONReader(path: path, maxLine: 100_000)
    #expect(try reader.next() == Sample.minimal())
    #expect { try reader.next() } throws: {
        ($0 as? DossierError)?.code == "ndjson.line-too-large" && ($0 as? DossierError)?.location?.line == 2
    }
    // A reader that reports a line and reads on (as `validate` does) gets the line after it.
    #expect(try reader.next() == Sample.minimal() && reader.lineNumber == 3)
    #expect(try NDJSONReader(path: path).next() == Sample.minimal(), "the default limit is a dossier file's")
}

@Test func ndjsonRefusesEmptyLines() throws {
    let good = text(try DossierJSON.encode(Sample.minimal(), style: .compact))
    let (path, cleanup) = try temporaryFile("gap.ndjson")
    defer { cleanup() }
    try AtomicFile.write(Array((good + "\n\n" + good + "\n").utf8), to: path)
    let reader = try NDJSONReader(path: path)
    #expect(try reader.next() == Sample.minimal())
    #expect { try reader.next() } throws: {
        ($0 as? DossierError)?.code == "ndjson.empty-line" && ($0 as? DossierError)?.location?.line == 2
    }
}

/// The writer formats timestamps and dates itself for speed; it must match the model's own text.
@Test func fastTimestampAndDateFormattingMatchesTheModel() throws {
    var values: [Timestamp] = []
    for (y, m, d) in [(1, 1, 1), (999, 12, 31), (2024, 2, 29), (9999, 12, 31)] {
        for (second, nanos) in [(0, 0), (86_399, 1), (3_723, 100_000_000), (45_296, 999_999_999), (60, 120_000)] {
            for offset in [0, 60, -150, 18 * 60, -18 * 60, 345] {
                values.append(Timestamp(date: LocalDate(year: y, month: m, day: d)!, hour: second / 3600,
                                        minute: second / 60 % 60, second: second % 60, nanosecond: nanos, offsetMinutes: offset)!)
            }
        }
    }
    let expected = "[" + values.map { "\"\($0.description)\"" }.joined(separator: ",") + "]"
    #expect(text(try JSONByteEncoder.encode(values, style: .compact)) == expected)
    let dates = values.map(\.date)
    #expect(text(try JSONByteEncoder.encode(dates, style: .compact)) == "[" + dates.map { "\"\($0)\"" }.joined(separator: ",") + "]")
    #expect(try JSONByteDecoder.decode([Timestamp].self, from: Array(expected.utf8)) == values)
}

/// Every ASCII byte at every position of a word-sized scan, plus multi-byte characters: the
/// writer's and parser's eight-bytes-at-a-time scans must not miss a byte that needs care.
@Test func everyByteAtEveryPositionRoundTrips() throws {
    struct Note: Codable, Equatable { var s: String }
    func reference(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where u.value < 0x20: out += "\\u00" + (u.value < 0x10 ? "0" : "") + String(u.value, radix: 16)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
    for special in (0..<0x80).map({ String(UnicodeScalar(UInt8($0))) }) + ["é", "€", "😀", "\u{FFFD}"] {
        for position in 0..<17 {
            let s = String(repeating: "a", count: position) + special + String(repeating: "b", count: 16 - position)
            let bytes = try JSONByteEncoder.encode(Note(s: s), style: .compact)
            #expect(text(bytes) == "{\"s\":" + reference(s) + "}")
            #expect(try JSONByteDecoder.decode(Note.self, from: bytes) == Note(s: s))
        }
    }
}

/// Hand-written conformances use nested containers and super encoders; the streaming writer must
/// frame them exactly as a tree-building encoder would.
private struct Shapes: Codable, Equatable {
    var a: Int
    var b: [String]
    var inner: [Int]
    var listed: [String]
    var tail: Int
    var sup: [String]

    enum K: String, CodingKey { case a, nested, list, sup }
    enum N: String, CodingKey { case b, inner }

    init(a: Int, b: [String], inner: [Int], listed: [String], tail: Int, sup: [String]) {
        self.a = a; self.b = b; self.inner = inner; self.listed = listed; self.tail = tail; self.sup = sup
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: K.self)
        try c.encode(a, forKey: .a)
        var n = c.nestedContainer(keyedBy: N.self, forKey: .nested)
        try n.encode(b, forKey: .b)
        var i = n.nestedUnkeyedContainer(forKey: .inner)
        for v in inner { try i.encode(v) }
        var list = c.nestedUnkeyedContainer(forKey: .list)
        var element = list.nestedContainer(keyedBy: N.self)
        try element.encode(listed, forKey: .b)
        try list.encode(tail)
        var s = c.superEncoder(forKey: .sup).container(keyedBy: N.self)
        try s.encode(sup, forKey: .b)
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: K.self)
        a = try c.decode(Int.self, forKey: .a)
        let n = try c.nestedContainer(keyedBy: N.self, forKey: .nested)
        b = try n.decode([String].self, forKey: .b)
        var i = try n.nestedUnkeyedContainer(forKey: .inner)
        inner = []
        while !i.isAtEnd { inner.append(try i.decode(Int.self)) }
        var list = try c.nestedUnkeyedContainer(forKey: .list)
        listed = try list.nestedContainer(keyedBy: N.self).decode([String].self, forKey: .b)
        tail = try list.decode(Int.self)
        sup = try c.superDecoder(forKey: .sup).container(keyedBy: N.self).decode([String].self, forKey: .b)
    }
}

@Test func nestedContainersAndSuperEncodersAreFramedCorrectly() throws {
    let value = Shapes(a: 1, b: ["p"], inner: [1, 2], listed: ["x"], tail: 3, sup: ["q"])
    let compact = try JSONByteEncoder.encode(value, style: .compact)
    #expect(text(compact) == #"{"a":1,"nested":{"b":["p"],"inner":[1,2]},"list":[{"b":["x"]},3],"sup":{"b":["q"]}}"#)
    #expect(try JSONByteDecoder.decode(Shapes.self, from: compact) == value)
    #expect(try JSONDecoder().decode(Shapes.self, from: Data(JSONByteEncoder.encode(value, style: .pretty))) == value)
}

/// A container used after its parent moved on cannot be honoured by a streaming writer: error, not garbage.
@Test func outOfOrderContainerUseIsAnError() {
    struct Misuse: Encodable {
        enum K: String, CodingKey { case x, y }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: K.self)
            var n = c.nestedUnkeyedContainer(forKey: .x)
            try c.encode(1, forKey: .y)
            try n.encode(2)
        }
    }
    #expect(throws: EncodingError.self) { try JSONByteEncoder.encode(Misuse(), style: .compact) }
}

/// The decoder reads canonical timestamps and dates itself for speed; on every input it must
/// agree with the model's parser, accepting what it accepts and refusing what it refuses.
@Test func fastTimestampAndDateParsingAgreesWithTheModel() throws {
    let timestamps = [
        "2024-03-01T09:30:00Z", "2024-03-01T09:30:00+01:00", "2024-03-01T09:30:00-02:30", "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59.999999999+18:00", "2024-03-01T09:30:00.1Z", "2024-03-01T09:30:00.000000001-18:00",
        "2024-03-01t09:30:00z", "2024-03-01T09:30:00+00:00", "2024-03-01T09:30:00.0Z",
        "2024-02-30T09:30:00Z", "2024-03-01T24:00:00Z", "2024-03-01T09:60:00Z", "2024-03-01T09:30:60Z",
        "2024-03-01T09:30:00+01:60", "2024-03-01T09:30:00+19:00", "2024-03-01T09:30:00.1234567890Z",
        "2024-03-01T09:30:00.Z", "2024-03-01T09:30:00", "2024-03-01 09:30:00Z", "2024-3-01T09:30:00Z",
        "2024-03-01T09:30:00+0100", "2024-03-01T09:30:00Z ", "+024-03-01T09:30:00Z", "0000-01-01T00:00:00Z",
    ]
    for s in timestamps {
        let model = Timestamp(rfc3339: s)
        let ours = try? JSONByteDecoder.decode([Timestamp].self, from: Array("[\"\(s)\"]".utf8))
        #expect(ours?.first == model, "\(s)")
    }
    for s in ["2024-02-29", "2023-02-29", "0001-01-01", "9999-12-31", "2024-13-01", "2024-00-10", "2024-1-01", "20240101", "2024/01/01", "-024-01-01"] {
        let ours = try? JSONByteDecoder.decode([LocalDate].self, from: Array("[\"\(s)\"]".utf8))
        #expect(ours?.first == LocalDate(iso: s), "\(s)")
    }
}
