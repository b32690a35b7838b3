import Testing
import Foundation
import DossierModel
import DossierIO
@testable import DossierBundle

/// A mixed set of entries covering every source kind, empty and multi-megabyte payloads.
private func sampleEntries(in dir: String) throws -> [(String, ZipSource, [UInt8])] {
    let bigText = ZipTestSupport.text(lines: 120_000)          // ~7 MB, compressible
    let bigRandom = ZipTestSupport.randomBytes(3 << 20, seed: 7)
    let filePath = dir + "/scan.pdf"
    try ZipTestSupport.write(bigRandom, to: filePath)
    let textPath = dir + "/export.ndjson"
    try ZipTestSupport.write(bigText, to: textPath)
    let streamed = ZipTestSupport.text(lines: 5_000, seed: 3)
    var entries: [(String, ZipSource, [UInt8])] = [
        ("bagit.txt", .bytes(Array("BagIt-Version: 1.0\n".utf8)), Array("BagIt-Version: 1.0\n".utf8)),
        ("data/empty.txt", .bytes([]), []),
        ("data/scan.pdf", .file(filePath), bigRandom),
        ("data/export.ndjson", .file(textPath), bigText),
        ("data/streamed.ndjson", .stream({ sink in
            for chunk in stride(from: 0, to: streamed.count, by: 1000) {
                try sink.write(Array(streamed[chunk..<min(chunk + 1000, streamed.count)]))
            }
        }), streamed),
        ("data/photo.jpg", .bytes(ZipTestSupport.randomBytes(100_000, seed: 9)), ZipTestSupport.randomBytes(100_000, seed: 9)),
        ("data/zero-byte-stream.bin", .stream({ _ in }), []),
    ]
    for i in 0..<200 {
        let bytes = i % 2 == 0 ? ZipTestSupport.text(lines: i, seed: i) : ZipTestSupport.randomBytes(i * 13, seed: UInt64(i))
        entries.append(("data/records/r\(i).json", .bytes(bytes), bytes))
    }
    return entries
}

private func writeArchive(_ path: String, _ entries: [(String, ZipSource, [UInt8])],
                          options: ZipWriterOptions = .init()) throws {
    try ZipWriter.write(to: path, options: options) { writer in
        for (name, source, _) in entries { try writer.add(name, source) }
    }
}

@Test func crc32KnownAnswer() {
    // CRC-32 check value for "123456789" is 0xCBF43926 (Rocksoft model CRC catalogue, CRC-32/ISO-HDLC).
    var crc = CRC32()
    Array("123456789".utf8).withUnsafeBytes { crc.update($0) }
    #expect(crc.value == 0xCBF4_3926)
}

@Test func roundTripManyEntries() throws {
    let dir = try ZipTestSupport.scratch()
    defer { ZipTestSupport.remove(dir) }
    let entries = try sampleEntries(in: dir)
    let archive = dir + "/out.zip"
    try writeArchive(archive, entries)
    let reader = try ZipReader(path: archive)
    #expect(reader.entries.map(\.name) == entries.map(\.0))
    for (name, _, expected) in entries {
        let entry = try #require(reader.entry(named: name))
        #expect(try reader.bytes(of: entry) == expected, "\(name)")
    }
    try reader.verify()
    // Media is stored, text deflated.
    #expect(reader.entry(named: "data/scan.pdf")?.compressedSize == UInt64(3 << 20))
    let text = try #require(reader.entry(named: "data/export.ndjson"))
    #expect(text.compressedSize * 10 < text.uncompressedSize)
}

@Test func outputIsByteIdenticalAcrossRunsAndWorkerCounts() throws {
    let dir = try ZipTestSupport.scratch()
    defer { ZipTestSupport.remove(dir) }
    let entries = try sampleEntries(in: dir)
    var serial = ZipWriterOptions()
    serial.workers = 1
    var spilling = ZipWriterOptions()
    spilling.memoryPerEntry = 64 * 1024   // forces the temporary-file path for large entries
    try writeArchive(dir + "/a.zip", entries)
    try writeArchive(dir + "/b.zip", entries)
    try writeArchive(dir + "/serial.zip", entries, options: serial)
    try writeArchive(dir + "/spill.zip", entries, options: spilling)
    let a = try ZipTestSupport.read(dir + "/a.zip")
    #expect(a == (try ZipTestSupport.read(dir + "/b.zip")))
    #expect(a == (try ZipTestSupport.read(dir + "/serial.zip")))
    #expect(a == (try ZipTestSupport.read(dir + "/spill.zip")))
}

@Test func headersAreFixedAndHostIndependent() throws {
    let dir = try ZipTestSupport.scratch()
    defer { ZipTestSupport.remove(dir) }
    let sink = MemorySink()
    let writer = ZipWriter(sink: sink, path: "mem.zip")
    try writer.add("a.txt", .bytes(Array("hello".utf8)), compression: .stored)
    try writer.finish()
    let b = sink.bytes
    // Local header: version 20, flags 0x0800 (UTF-8), method 0, time 0, date 0x0021 (1980-01-01).
    #expect(Array(b[0..<14]) == [0x50, 0x4B, 0x03, 0x04, 20, 0, 0x00, 0x08, 0, 0, 0, 0, 0x21, 0x00])
    #expect(b[28] == 0 && b[29] == 0)  // no extra field
    let cd = 30 + 5 + 5
    // Central record: made by Unix (3) version 3.0, external attributes 0100644 << 16.
    #expect(b[cd + 4] == 30 && b[cd + 5] == 3)
    #expect(Array(b[(cd + 38)..<(cd + 42)]) == [0, 0, 0xA4, 0x81])
}

@Test(.enabled(if: ZipTestSupport.hasArchiveTools, "needs unzip, 7z and python3 (Debian unzip, p7zip-full)"))
func forcedZip64IsReadableEverywhere() throws {
    let dir = try ZipTestSupport.scratch()
    defer { ZipTestSupport.remove(dir) }
    var options = ZipWriterOptions()
    options.forceZip64 = true
    let entries: [(String, ZipSource, [UInt8])] = (0..<50).map {
        let b = ZipTestSupport.text(lines: $0 * 3, seed: $0)
        return ("z/\($0).txt", .bytes(b), b)
    }
    let archive = dir + "/z64.zip"
    try writeArchive(archive, entries, options: options)
    let reader = try ZipReader(path: archive)
    #expect(reader.entries.count == 50)
    for (name, _, expected) in entries {
        #expect(try reader.bytes(of: try #require(reader.entry(named: name))) == expected)
    }
    let bytes = try ZipTestSupport.read(archive)
    #expect(bytes.count > 98 && Array(bytes[(bytes.count - 98)..<(bytes.count - 94)]) == [0x50, 0x4B, 0x06, 0x06])
    try expectExternalToolsAccept(archive)
}

@Test(.enabled(if: ZipTestSupport.has("python3"), "needs python3"))
func manyEntriesSwitchToZip64Automatically() throws {
    let dir = try ZipTestSupport.scratch()
    defer { ZipTestSupport.remove(dir) }
    let archive = dir + "/many.zip"
    var options = ZipWriterOptions()
    options.level = 1
    try ZipWriter.write(to: archive, options: options) { writer in
        for i in 0..<70_000 { try writer.add("e/\(i)", .bytes([UInt8(i & 0xFF)]), compression: .stored) }
    }
    let reader = try ZipReader(path: archive)
    #expect(reader.entries.count == 70_000)
    #expect(try reader.bytes(of: reader.entries[69_999]) == [UInt8(69_999 & 0xFF)])
    let status = try ZipTestSupport.run("python3", ["-c", "import zipfile,sys; z=zipfile.ZipFile(sys.argv[1]); assert len(z.infolist())==70000; assert z.testzip() is None", archive])
    #expect(status.status == 0, "\(status.output)")
}

@Test func extractWritesPrivateFilesOnly() throws {
    let dir = try ZipTestSupport.scratch()
    defer { ZipTestSupport.remove(dir) }
    let entries = try sampleEntries(in: dir)
    let archive = dir + "/out.zip"
    try writeArchive(archive, entries)
    let staging = dir + "/staging"
    try ZipReader(path: archive).extract(to: staging)
    let attributes = try FileManager.default.attributesOfItem(atPath: staging)
    #expect((attributes[.posixPermissions] as? Int) == 0o700)
    for (name, _, expected) in entries {
        #expect(try ZipTestSupport.read(staging + "/" + name) == expected)
        let mode = try FileManager.default.attributesOfItem(atPath: staging + "/" + name)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
    // The staging directory must be fresh.
    #expect(throws: DossierError.self) { try ZipReader(path: archive).extract(to: staging) }
}

@Test(arguments: [
    ("a/b.txt", nil), ("dir/", nil), ("café.json", nil),
    ("../x", "zip.path-traversal"), ("a/../../x", "zip.path-traversal"), ("/etc/passwd", "zip.path-traversal"),
    ("a\\b", "zip.path-traversal"), ("C:/x", "zip.path-traversal"), ("c:x", "zip.path-traversal"),
    ("", "zip.name"), ("./a", "zip.name"), ("a//b", "zip.name"), ("a/./b", "zip.name"), ("nul.txt", "zip.name"),
    ("LPT1", "zip.name"), ("a\u{7}b", "zip.name"),
])
func entryNamesAreChecked(name: String, code: String?) {
    switch ZipName.check(Array(name.utf8), limits: .default) {
    case .success(let decoded): #expect(code == nil && decoded == name)
    case .failure(let e): #expect(e.code == code)
    }
}

@Test func writerRefusesNamesItsReaderWouldReject() throws {
    let writer = ZipWriter(sink: MemorySink(), path: "mem.zip")
    #expect { try writer.add("../evil", .bytes([])) } throws: { ($0 as? DossierError)?.code == "zip.path-traversal" }
    try writer.add("Manifest.json", .bytes([1]))
    try writer.add("manifest.json", .bytes([2]))
    #expect { try writer.finish() } throws: { ($0 as? DossierError)?.code == "zip.duplicate-name" }
}

/// `unzip -t`, `7z t` and Python's `testzip()` must all accept the archive.
func expectExternalToolsAccept(_ archive: String) throws {
    let r1 = try ZipTestSupport.run("unzip", ["-tq", archive])
    #expect(r1.status == 0, "unzip -t: \(r1.output)")
    let r2 = try ZipTestSupport.run("7z", ["t", archive])
    #expect(r2.status == 0, "7z t: \(r2.output)")
    let r3 = try ZipTestSupport.run("python3", ["-c", "import zipfile,sys; assert zipfile.ZipFile(sys.argv[1]).testzip() is None", archive])
    #expect(r3.status == 0, "python testzip: \(r3.output)")
}
