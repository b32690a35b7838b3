import Testing
import Foundation
import DossierModel
import DossierIO
@testable import DossierBundle

/// One entry of 4 GiB + 1 MiB, streamed: sizes past 0xFFFFFFFF must switch that entry to Zip64
/// while memory stays flat. Zeros at level 1 keep it fast (output is about 4 MB); the reader's
/// ratio cap is raised because zeros deflate at about 1030:1, which the default would refuse.
@Test(.enabled(if: ZipTestSupport.has("python3"), "needs python3"))
func entryLargerThanFourGiBUsesZip64() throws {
    let dir = try ZipTestSupport.scratch()
    defer { ZipTestSupport.remove(dir) }
    let archive = dir + "/big.zip"
    let chunk = [UInt8](repeating: 0, count: 1 << 20)
    let chunks = 4 * 1024 + 1
    var options = ZipWriterOptions()
    options.level = 1
    let before = ZipTestSupport.peakRSS()
    try ZipWriter.write(to: archive, options: options) { writer in
        try writer.add("small.txt", .bytes(Array("before\n".utf8)))
        try writer.add("zeros.bin", .stream({ sink in for _ in 0..<chunks { try sink.write(chunk) } }), compression: .deflate)
        try writer.add("after.txt", .bytes(Array("after\n".utf8)))
    }
    var limits = ZipLimits()
    limits.maxRatio = 2_000
    let reader = try ZipReader(path: archive, limits: limits)
    let big = try #require(reader.entry(named: "zeros.bin"))
    #expect(big.uncompressedSize == UInt64(chunks) << 20)
    try reader.verify()
    #expect(try reader.bytes(of: try #require(reader.entry(named: "after.txt"))) == Array("after\n".utf8))
    // Peak RSS is process-wide and other suites run beside this one, so the bound proves streaming
    // (an eighth of the entry) rather than the isolated figure (about 30 MB when run alone).
    #expect(ZipTestSupport.peakRSS() - before < 512 << 20)
    let r = try ZipTestSupport.run("python3", ["-c", """
        import zipfile, sys
        z = zipfile.ZipFile(sys.argv[1])
        i = z.getinfo('zeros.bin')
        assert i.file_size == \(UInt64(chunks) << 20), i.file_size
        assert z.read('after.txt') == b'after\\n'
        """, archive])
    #expect(r.status == 0, "\(r.output)")
}
