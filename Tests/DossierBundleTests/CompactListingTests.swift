import Testing
import Foundation
import DossierModel
import DossierIO
@testable import DossierBundle

/// The line splitting `forEachLine` replaced: a `String` split at `Character`s, where CR LF is one
/// `Character` that is neither "\n" nor "\r". The byte splitter must give the same lines.
private func stringLines(_ bytes: [UInt8]) -> [(Int, String)] {
    var out: [(Int, String)] = []
    var blank: [Int] = []
    var n = 0
    var rest = String(decoding: bytes, as: UTF8.self)[...]
    while true {
        let end = rest.firstIndex(of: "\n")
        var l = end.map { rest[..<$0] } ?? rest
        n += 1
        if l.hasSuffix("\r") { l = l.dropLast() }
        for (k, part) in l.split(separator: "\r", omittingEmptySubsequences: false).enumerated() {
            if part.isEmpty { blank.append(n + k); continue }
            for b in blank { out.append((b, "")) }
            blank.removeAll()
            out.append((n + k, String(part)))
        }
        guard let end else { break }
        rest = rest[rest.index(after: end)...]
    }
    return out
}

@Test(arguments: ["a\nb\n", "a\r\nb\r\n", "a\rb\rc", "a\r\nb\rc\n\nd", "x\r", "\r\r\n", "\n\n\na", "é\r\nü\n\r\n", "a\r\r\rb\n", "", "\r", "\n"])
func linesSplitAsStringsDo(text: String) throws {
    var lines: [(Int, String)] = []
    try BagItText.forEachLine(Array(text.utf8), file: "t") { lines.append(($0, String($1))) }
    let expected = stringLines(Array(text.utf8))
    #expect(lines.map(\.0) == expected.map(\.0))
    #expect(lines.map(\.1) == expected.map(\.1))
}

private let digest = String(repeating: "a", count: 64)

private func manifestError(_ lines: [String]) -> DossierError? {
    do {
        _ = try BagManifest.parse(Array(lines.joined(separator: "\n").utf8), file: "manifest-sha256.txt", digestLength: 64)
        return nil
    } catch { return error as? DossierError }
}

@Test func duplicateIsReportedAtTheFirstRepeatingLine() throws {
    let e = try #require(manifestError(["\(digest)  data/a", "\(digest)  data/b", "\(digest)  data/c", "\(digest)  data/b",
                                        "\(digest)  data/a", "not a line"]))
    #expect(e.code == "bag.manifest-duplicate")
    #expect(e.location?.line == 4)
}

@Test func aMalformedLineBeforeAnyRepeatWins() throws {
    let e = try #require(manifestError(["\(digest)  data/a", "xyz", "\(digest)  data/a"]))
    #expect(e.code == "bag.manifest-syntax")
    #expect(e.location?.line == 2)
}

@Test func pathsRepeatAsStringsDo() throws {
    // The same path in NFC and NFD is one path to a Swift `Set<String>`, as it was to the old check.
    let e = try #require(manifestError(["\(digest)  data/\u{E9}", "\(digest)  data/e\u{301}"]))
    #expect(e.code == "bag.manifest-duplicate")
    #expect(e.location?.line == 2)
    #expect(manifestError((0..<3000).map { "\(digest)  data/\($0)" }) == nil)
}

@Test func packedNamesAreFoundByTheirBytesOrCanonicalForm() throws {
    var names = PackedNames()
    let list = ["bagit.txt", "data/x.json", "data/\u{E9}.txt", "data/", "a/b/c"] + (0..<2000).map { "data/dossiers/d-\($0).json" }
    for n in list { names.append(n.utf8) }
    let index = try PackedNameIndex(names)
    for (i, n) in list.enumerated() {
        #expect(try index.find(n, in: names) == i)
        #expect(names.string(i) == n)
    }
    #expect(try index.find("data/e\u{301}.txt", in: names) == 2)
    #expect(try index.find("data/X.json", in: names) == nil)
    #expect(try index.find("data", in: names) == nil)
}

@Test func zipEntriesAreReadBackFromThePackedTable() throws {
    let dir = try ZipTestSupport.scratch()
    defer { ZipTestSupport.remove(dir) }
    let sink = MemorySink()
    let writer = ZipWriter(sink: sink, path: "mem.zip")
    let names = (0..<300).map { "bag/data/dossiers/d-\($0).json" } + ["bag/bagit.txt"]
    for (i, n) in names.enumerated() { try writer.add(n, .bytes(Array("\(i)".utf8))) }
    try writer.finish()
    try ZipTestSupport.write(sink.bytes, to: dir + "/t.zip")
    let reader = try ZipReader(path: dir + "/t.zip")
    #expect(reader.entries.map(\.name) == names)
    for (i, n) in names.enumerated() {
        #expect(try reader.bytes(of: try #require(reader.entry(named: n))) == Array("\(i)".utf8))
    }
    let store = try ZipBagStore(reader: reader)
    #expect(store.prefix == "bag/")
    #expect(store.fileSize("data/dossiers/d-7.json") == 1)
    #expect(store.fileSize("data/dossiers") == nil)
    var listed: [String] = []
    try store.forEachFile { path, _ in listed.append(path) }
    #expect(listed == names.map { String($0.dropFirst(4)) })
}
