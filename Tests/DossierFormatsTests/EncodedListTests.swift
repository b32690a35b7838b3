import DossierFormats
import DossierIO
import Foundation
import Testing

/// A long list element of a pretty document, as `EncodedList` keeps it and `writePretty` splices it.
private struct Item: Codable, Equatable {
    var id: String
    var note: String?
    var tags: [String]
}

/// A document with two long lists among other members, and a nested member with a list's name
/// that the splice must not take for the top-level one.
private struct Document: Codable, Equatable {
    var name: String
    var items: [Item]
    var inner: [String: [Item]]
    var cut: [Item]
    var total: Int
}

private func items(_ n: Int, _ prefix: String) -> [Item] {
    (0..<n).map { Item(id: "\(prefix)-\($0)", note: $0 % 2 == 0 ? "line\nbreak \"\($0)\" cliënt" : nil, tags: $0 % 3 == 0 ? [] : ["a", "b"]) }
}

/// The folders of lists that went to disk under `tmp`.
private func spilled(in tmp: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: tmp).filter { $0.hasPrefix("dossierport-list-") }
}

/// Spliced from two lists, in memory or on disk, a document is byte for byte its pretty encoding
/// with the lists in it.
@Test(arguments: [0, 1, 2, 300])
func listsSplicedIntoADocumentGiveItsPrettyEncoding(count: Int) throws {
    let parent = try PrivateFolder(under: PrivateFolder.temporaryDirectory, prefix: "encodedlist-test")
    defer { parent.remove() }
    var (a, b) = (EncodedList<Item>(holding: 2048, temporaryDirectory: parent.path),
                  EncodedList<Item>(holding: 2048, temporaryDirectory: parent.path))
    for i in items(count, "a") { try a.append(i) }
    for i in items(count / 2, "b") { try b.append(i) }
    let nested = ["items": items(2, "n"), "cut": []]
    let bare = Document(name: "x \"items\": []", items: [], inner: nested, cut: [], total: count)
    let sink = MemorySink()
    try JSONByteEncoder.writePretty(bare, lists: [SplicedList("items", a), SplicedList("cut", b)], to: sink)
    let whole = Document(name: bare.name, items: items(count, "a"), inner: nested, cut: items(count / 2, "b"), total: count)
    #expect(sink.bytes == (try JSONByteEncoder.encode(whole, style: .pretty)))
    #expect(try spilled(in: parent.path).count == (count == 300 ? 2 : 0))
}

/// A copy appended to has elements of its own, on disk as in memory; through `Codable` the list
/// is an array of its elements.
@Test(arguments: [64, 1 << 20])
func anEncodedListIsAValue(holding: Int) throws {
    let parent = try PrivateFolder(under: PrivateFolder.temporaryDirectory, prefix: "encodedlist-test")
    defer { parent.remove() }
    var list = EncodedList<Item>(holding: holding, temporaryDirectory: parent.path)
    for i in items(5, "a") { try list.append(i) }
    var copy = list
    try copy.append(Item(id: "extra", note: nil, tags: []))
    try list.append(Item(id: "other", note: "x", tags: ["y"]))
    func elements(_ l: EncodedList<Item>) throws -> [Item] {
        var out: [Item] = []
        try l.forEach { out.append($0) }
        return out
    }
    #expect(try elements(list) == items(5, "a") + [Item(id: "other", note: "x", tags: ["y"])])
    #expect(try elements(copy) == items(5, "a") + [Item(id: "extra", note: nil, tags: [])])
    #expect(try spilled(in: parent.path).count == (holding == 64 ? 2 : 0))

    let json = try JSONByteEncoder.encode(list, style: .compact)
    #expect(json == (try JSONByteEncoder.encode(try elements(list), style: .compact)))
    #expect(try elements(try JSONByteDecoder.decode(EncodedList<Item>.self, from: json)) == (try elements(list)))
}
