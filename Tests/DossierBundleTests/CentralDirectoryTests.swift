import Testing
import Foundation
import DossierModel
import DossierIO
@testable import DossierBundle

/// A stored-entries archive whose central records carry an extra field of `extraLength` bytes
/// (an unknown ID, which readers skip), so records outgrow the reader's first small read.
private func archive(_ files: [(String, [UInt8])], extraLength: Int) -> [UInt8] {
    var out: [UInt8] = [], central: [UInt8] = []
    for (name, data) in files {
        var crc = CRC32()
        data.withUnsafeBytes { crc.update($0) }
        let offset = UInt32(out.count), n = Array(name.utf8)
        out.le32(ZipSignature.localHeader); out.le16(20); out.le16(0); out.le16(0); out.le16(0); out.le16(0x21)
        out.le32(crc.value); out.le32(UInt32(data.count)); out.le32(UInt32(data.count)); out.le16(UInt16(n.count)); out.le16(0)
        out += n + data
        central.le32(ZipSignature.centralHeader); central.le16(0x031E); central.le16(20); central.le16(0); central.le16(0)
        central.le16(0); central.le16(0x21); central.le32(crc.value); central.le32(UInt32(data.count)); central.le32(UInt32(data.count))
        central.le16(UInt16(n.count)); central.le16(UInt16(extraLength)); central.le16(0); central.le16(0); central.le16(0)
        central.le32(0o100644 << 16); central.le32(offset)
        central += n
        central.le16(0xCAFE); central.le16(UInt16(extraLength - 4))
        central += [UInt8](repeating: 0x5A, count: extraLength - 4)
    }
    let cdOffset = UInt32(out.count)
    out += central
    out.le32(ZipSignature.endOfCentralDirectory); out.le16(0); out.le16(0)
    out.le16(UInt16(files.count)); out.le16(UInt16(files.count)); out.le32(UInt32(central.count)); out.le32(cdOffset); out.le16(0)
    return out
}

@Test func recordsLongerThanTheFirstReadAreReadWhole() throws {
    let dir = try ZipTestSupport.scratch()
    defer { ZipTestSupport.remove(dir) }
    let files = (0..<5).map { ("dir/file-\($0).txt", Array("content \($0)\n".utf8)) }
    try ZipTestSupport.write(archive(files, extraLength: 4_000), to: dir + "/long-extra.zip")
    let reader = try ZipReader(path: dir + "/long-extra.zip")
    #expect(reader.entries.map(\.name) == files.map(\.0))
    for (name, data) in files {
        #expect(try reader.bytes(of: try #require(try reader.findEntry(named: name))) == data)
    }
    try reader.verify()
}

@Test func aCentralRecordChangedAfterOpeningIsAnError() throws {
    let dir = try ZipTestSupport.scratch()
    defer { ZipTestSupport.remove(dir) }
    let path = dir + "/t.zip"
    try ZipWriter.write(to: path) { w in
        for n in ["a.txt", "b.txt", "c.txt"] { try w.add(n, .bytes(Array(n.utf8))) }
    }
    let reader = try ZipReader(path: path)
    // Rename b.txt to ../.txt in the central directory (its last occurrence), in place.
    var bytes = try ZipTestSupport.read(path)
    let name = Array("b.txt".utf8)
    let at = try #require((0...(bytes.count - name.count)).last { Array(bytes[$0..<($0 + name.count)]) == name })
    bytes.replaceSubrange(at..<(at + 3), with: Array("../".utf8))
    let handle = try #require(FileHandle(forWritingAtPath: path))
    try handle.write(contentsOf: bytes)
    try handle.close()

    #expect(try reader.entry(at: 0).name == "a.txt")
    #expect { try reader.entry(at: 1) } throws: { ($0 as? DossierError)?.code == "zip.changed" }
    #expect { try reader.findEntry(named: "b.txt") } throws: { ($0 as? DossierError)?.code == "zip.changed" }
    #expect { try reader.extract(to: dir + "/out") } throws: { ($0 as? DossierError)?.code == "zip.changed" }
    #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
}
