@testable import DossierFormats
import DossierModel
import Foundation
import Testing

// `RecordJSONWriter` must give exactly the Codable bytes (import hashes them into row digests),
// and a streamed array must decode to what the whole-document decode gives.

private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Test func recordJSONIsTheCodableCompactForm() throws {
    let dir = root.appendingPathComponent("fixtures/dossiers")
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
    let dossiers = [Sample.dossier(), Sample.minimal()] + (try names.map { try DossierJSON.read(path: dir.appendingPathComponent($0).path) })
    let writer = RecordJSONWriter()
    var records = 0
    for d in dossiers {
        for e in Entity.allCases {
            for r in d.records(e) {
                let direct = try writer.withJSON(of: r) { Array($0) }
                #expect(direct == (try JSONByteEncoder.encode(r, style: .compact)), "\(d.id) \(e) \(r.id)")
                records += 1
            }
        }
    }
    #expect(records > 100)
}

@Test func recordJSONFallsBackToCodableOnANoncharacter() throws {
    var d = Sample.minimal()
    d.client.placeOfBirth = "a\u{FFFE}b"
    let writer = RecordJSONWriter()
    #expect(throws: DossierError.self) { try writer.withJSON(of: d.client) { Array($0) } }
}

private struct List: Codable, Equatable {
    var name: String
    var items: [Item]
    var tail: Int
}

private struct Item: Codable, Equatable {
    var id: String
    var n: Int
}

private func streamed(_ text: String) throws -> List { try streamed(text, cuts: []) }

@Test(arguments: [
    #"{"name":"a","items":[{"id":"x","n":1},{"id":"y","n":2}],"tail":3}"#,
    "{\n  \"name\": \"a\",\n  \"items\": [\n    {\"id\": \"x\", \"n\": 1},\n    {\"id\": \"y\", \"n\": 2}\n  ],\n  \"tail\": 3\n}\n",
    #"{"name":"a","items":[],"tail":3}"#,
    #"{"name":"a","it\u0065ms":[{"id":"x","n":1}],"tail":3}"#,
])
func streamedArrayDecodesAsAWhole(text: String) throws {
    #expect(try streamed(text) == (try JSONByteDecoder.decode(List.self, from: Array(text.utf8))))
}

@Test func streamedDocumentIsStillCheckedWhole() throws {
    // Syntax inside an element, a duplicate key inside one, and trailing bytes all fail the whole document.
    for bad in [#"{"name":"a","items":[{"id":"x","n":1,}],"tail":3}"#,
                #"{"name":"a","items":[{"id":"x","id":"y","n":1}],"tail":3}"#,
                #"{"name":"a","items":[{"id":"x","n":1}],"tail":3} x"#] {
        #expect(throws: DossierError.self, "\(bad)") { try streamed(bad) }
    }
}

@Test func streamedElementErrorNamesItsLine() throws {
    let text = "{\n\"name\": \"a\",\n\"items\": [\n{\"id\": \"x\", \"n\": 1},\n{\"id\": \"y\", \"n\": \"two\"}\n],\n\"tail\": 3\n}\n"
    do {
        _ = try streamed(text)
        Issue.record("a string where a number belongs was accepted")
    } catch let e as DossierError {
        #expect(e.diagnostic.location?.line == 5)
    }
}

/// The document fed to a `JSONArrayStream` in pieces, split where `cuts` say.
private func streamed(_ text: String, cuts: [Int]) throws -> List {
    var items: [Item] = []
    let stream = JSONArrayStream(List.self, file: "t.json", streaming: "items", of: Item.self) { items.append($0) }
    let bytes = Array(text.utf8)
    var start = 0
    for cut in (cuts + [bytes.count]).map({ min($0, bytes.count) }) where cut >= start {
        try stream.write(Array(bytes[start..<cut]))
        start = cut
    }
    var list = try stream.finish()
    list.items += items
    return list
}

private let pretty = "{\n  \"name\": \"a \\\"[x]\\\" b\",\n  \"items\": [\n    {\"id\": \"x,]\", \"n\": 1},\n    {\"id\": \"y\\\\\", \"n\": 2}\n  ],\n  \"tail\": 3\n}\n"

@Test func streamedArrayGivesTheSameValueWhereverTheInputIsCut() throws {
    let whole = try JSONByteDecoder.decode(List.self, from: Array(pretty.utf8))
    #expect(whole.items.count == 2)
    for cut in 0...pretty.utf8.count {
        #expect(try streamed(pretty, cuts: [cut]) == whole, "cut at \(cut)")
    }
    #expect(try streamed(pretty, cuts: Array(0...pretty.utf8.count)) == whole)
}

/// A malformed document fails streamed as it fails whole: the same code at the same line and
/// column, whether the fault is inside an element, between elements or after the array.
@Test(arguments: [
    #"{"name":"a","items":[{"id":"x","n":1,}],"tail":3}"#,
    #"{"name":"a","items":[{"id":"x","n":1},],"tail":3}"#,
    #"{"name":"a","items":[,{"id":"x","n":1}],"tail":3}"#,
    #"{"name":"a","items":[{"id":"x","n":1} {"id":"y","n":2}],"tail":3}"#,
    #"{"name":"a","items":[{"id":"x","n":1}],"tail":"3"}"#,
    #"{"name":"a","items":[{"id":"x","n":1}],"tail":3} x"#,
    #"{"name":"a","items":[{"id":"x","n":1}],"tail":3,"extra":1}"#,
    "{\"name\":\"a\",\"items\":[\n{\"id\":\"x\",\"n\":1},\n{\"id\":\"y\",\"n\":\"two\"}\n],\n\"tail\":3}",
    "{\"name\":\"a\",\"items\":[\n{\"id\":\"x\",\"n\":1}\n],\n\"tail\":true}",
    "{\"name\":\"a\",\"items\":[{\"id\":\"x\",\"n\":1}],\"items\":[],\"tail\":3}",
    #"{"name":"a","items":[{"id":"x","n":1}"#,
    #"{"name":"a","items":[{"id":"x","n":1}],"tail":3"#,
    #"{"name":"a","items":[{"id":"x","n":1},{"id":"y","n":[[[]]]}],"tail":3}"#,
    // Two faults: the one a whole-document parse reports first (syntax in document order, then
    // decoding) is the one reported.
    #"{"name":"a","items":[{"id":"x","n":1,},,],"tail":3}"#,
    #"{"name":"a","items":[{"id":"x","n":"one"},{"id":"y","n":2,}],"tail":3}"#,
    #"{"name":"a","items":[{"id":"x","n":1,}],"tail":3,}"#,
    #"{"name":"a",,"items":[{"id":"x","n":1,}],"tail":3}"#,
    #"{"name":"a",,"items":[{"id":"x","n":1},,],"tail":3}"#,
    #"{"name":"a" "b","items":[{"id":"x","n":1}"#,
    #"{"name":"a","items":[{"id":"x","n":"one"}],"tail":3,}"#,
    #"{"name":1,"items":[{"id":"x","n":1,}],"tail":3}"#,
    "{\"name\":\"a\",\"items\":[\n{\"id\":\"x\",\"n\":1,}\n],\n\"tail\":\"3\"}",
])
func streamedErrorIsTheWholeDocumentsError(text: String) throws {
    func failure(_ body: () throws -> List) -> (String, Int?, Int?)? {
        do { _ = try body(); return nil } catch let e as DossierError {
            return (e.diagnostic.code, e.diagnostic.location?.line, e.diagnostic.location?.column)
        } catch { return ("other", nil, nil) }
    }
    let whole = failure { try JSONByteDecoder.decode(List.self, from: Array(text.utf8), file: "t.json") }
    let inPieces = failure { try streamed(text, cuts: [7, 23, 24, 40]) }
    #expect(whole != nil)
    #expect(whole?.0 == inPieces?.0 && whole?.1 == inPieces?.1 && whole?.2 == inPieces?.2, "\(String(describing: whole)) vs \(String(describing: inPieces))")
}

@Test func streamedDocumentBesidesItsArrayIsLimited() throws {
    let stream = JSONArrayStream(List.self, file: "t.json", streaming: "items", of: Item.self, restLimit: 16) { _ in }
    #expect(throws: DossierError.self) { try stream.write(Array(#"{"name":"a long name","items":[],"tail":3}"#.utf8)) }
}

/// One element is held whole while it arrives, so its size is limited too: a hostile list of one
/// endless element is refused at the limit, not read into memory.
@Test func streamedElementIsLimited() throws {
    let fits = JSONArrayStream(List.self, file: "t.json", streaming: "items", of: Item.self, elementLimit: 19) { _ in }
    try fits.write(Array(#"{"name":"a","items":[{"id":"x","n":1}],"tail":3}"#.utf8))
    #expect(try fits.finish().name == "a")
    let stream = JSONArrayStream(List.self, file: "t.json", streaming: "items", of: Item.self, elementLimit: 1 << 10) { _ in }
    try stream.write(Array(#"{"name":"a","items":[{"id":""#.utf8))
    let filler = [UInt8](repeating: UInt8(ascii: "x"), count: 4096)
    do {
        for _ in 0..<16 { try stream.write(filler) }
        Issue.record("an element past the limit was accepted")
    } catch let e as DossierError {
        #expect(e.diagnostic.code == "json.too-large")
        #expect(e.diagnostic.location?.line == 1 && e.diagnostic.location?.column == 22)
    }
}

/// What `withJSON(of:after:)` must equal: the object `Codable` writes with the same members.
private struct PlacedRecord: Encodable {
    let dossierID: String
    let originKvK: String
    let record: any DossierRecord

    enum Keys: String, CodingKey { case dossier_id, origin_kvk, record }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(dossierID, forKey: .dossier_id)
        try c.encode(originKvK, forKey: .origin_kvk)
        try c.encode(record, forKey: .record)
    }
}

@Test func placedRecordJSONIsTheCodableCompactForm() throws {
    let dir = root.appendingPathComponent("fixtures/dossiers")
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
    var odd = Sample.minimal()
    odd.id = "quote\"back\\slash\u{1}é"
    odd.client.placeOfBirth = "a\u{FFFE}b"   // not written by the direct path: falls back to Codable
    let dossiers = [Sample.dossier(), odd] + (try names.map { try DossierJSON.read(path: dir.appendingPathComponent($0).path) })
    let writer = RecordJSONWriter()
    var records = 0
    for d in dossiers {
        for e in Entity.allCases {
            for r in d.records(e) {
                let placed = try? writer.withJSON(of: r, after: [("dossier_id", d.id), ("origin_kvk", d.controller.kvkNumber)]) { Array($0) }
                let codable = try? JSONByteEncoder.encode(PlacedRecord(dossierID: d.id, originKvK: d.controller.kvkNumber, record: r), style: .compact)
                #expect(placed == codable, "\(d.id) \(e) \(r.id)")
                records += 1
            }
        }
    }
    #expect(records > 100)
}

private struct TwoLists: Codable, Equatable {
    var name: String
    var items: [Item]
    var tags: [String]
    var tail: Int
}

/// A second streamed member (export.json's `scope` beside its `dossiers`): both arrays are handed
/// on element by element wherever the input is cut, the document sees both empty, and a fault in
/// the second names its own line and list.
@Test func twoStreamedArraysGiveTheWholeDocumentsValue() throws {
    let text = "{\n\"name\": \"a\",\n\"items\": [{\"id\": \"x\", \"n\": 1}, {\"id\": \"y\", \"n\": 2}],\n\"tags\": [\"p\", \"q\", \"r\"],\n\"tail\": 3\n}\n"
    let whole = try JSONByteDecoder.decode(TwoLists.self, from: Array(text.utf8))
    func streamed(_ text: String, cut: Int, elementLimit: Int = 16 << 20) throws -> TwoLists {
        var items: [Item] = [], tags: [String] = []
        let stream = JSONArrayStream(TwoLists.self, file: "t.json", streaming: "items", of: Item.self, elementLimit: elementLimit) { items.append($0) }
        stream.alsoStreaming("tags", of: String.self) { tags.append($0) }
        let bytes = Array(text.utf8)
        try stream.write(Array(bytes[..<min(cut, bytes.count)]))
        try stream.write(Array(bytes[min(cut, bytes.count)...]))
        var value = try stream.finish()
        #expect(value.items.isEmpty && value.tags.isEmpty)
        value.items = items
        value.tags = tags
        return value
    }
    for cut in 0...text.utf8.count { #expect(try streamed(text, cut: cut) == whole, "cut at \(cut)") }
    do {
        _ = try streamed(text.replacingOccurrences(of: "\"q\"", with: "7"), cut: 30)
        Issue.record("a number in the string list was accepted")
    } catch let e as DossierError {
        #expect(e.diagnostic.location?.line == 4)
    }
    do {
        _ = try streamed(text.replacingOccurrences(of: "\"q\"", with: "\"" + String(repeating: "q", count: 64) + "\""), cut: 30, elementLimit: 32)
        Issue.record("a tag past the element limit was accepted")
    } catch let e as DossierError {
        #expect(e.diagnostic.message.contains("'tags' list"))
    }
}

/// A `[String: _]` dictionary's own encoding follows the process's hash seed: written in key order,
/// the same value gives the same bytes in every run, nested ones too.
@Test func dictionariesAreWrittenInKeyOrder() throws {
    struct Holder: Codable { var name: String; var tally: [String: Int]; var nested: [String: [String: Bool]] }
    let keys = (0..<200).map { "k\($0)" } + ["é", "Z", "a", ""]
    let value = Holder(name: "x", tally: Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) }),
                       nested: ["b": ["y": true, "x": false], "a": [:]])
    let text = String(decoding: try JSONByteEncoder.encode(value, style: .compact), as: UTF8.self)
    let sorted = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    let expected = "{\"name\":\"x\",\"tally\":{" + sorted.map { "\"\($0)\":\(keys.firstIndex(of: $0)!)" }.joined(separator: ",")
        + "},\"nested\":{\"a\":{},\"b\":{\"x\":false,\"y\":true}}}"
    #expect(text == expected)
    // And it reads back as the same value.
    let back = try JSONDecoder().decode(Holder.self, from: Data(text.utf8))
    #expect(back.tally == value.tally && back.nested == value.nested)
}
