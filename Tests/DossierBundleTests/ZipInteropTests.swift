import Testing
import Foundation
import DossierModel
@testable import DossierBundle

/// A small tree of files as another system would hand it over: text, binary, empty, nested.
private func makeTree(_ root: String) throws -> [String: [UInt8]] {
    let files: [String: [UInt8]] = [
        "bag/bagit.txt": Array("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n".utf8),
        "bag/data/clients.ndjson": ZipTestSupport.text(lines: 20_000),
        "bag/data/scan.pdf": ZipTestSupport.randomBytes(300_000, seed: 5),
        "bag/data/empty.txt": [],
        "bag/data/notes/café.txt": Array("UTF-8 name\n".utf8),
    ]
    for (name, bytes) in files {
        let path = root + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try ZipTestSupport.write(bytes, to: path)
    }
    return files
}

private func expectReadable(_ archive: String, _ files: [String: [UInt8]]) throws {
    let reader = try ZipReader(path: archive)
    for (name, bytes) in files {
        let entry = try #require(reader.entry(named: name), "\(name) missing from \(archive)")
        #expect(try reader.bytes(of: entry) == bytes, "\(name) in \(archive)")
    }
    #expect(reader.entries.filter { !$0.isDirectory }.count == files.count)
    try reader.verify()
    let staging = (archive as NSString).deletingPathExtension + "-staging"
    try reader.extract(to: staging)
    for (name, bytes) in files { #expect(try ZipTestSupport.read(staging + "/" + name) == bytes) }
}

@Test(.enabled(if: ZipTestSupport.hasArchiveTools, "needs zip, 7z and python3"),
      arguments: ["info-zip", "info-zip-pipe", "python-deflated", "python-stored", "python-pipe", "7z"])
func readsArchivesMadeByOtherTools(tool: String) throws {
    let dir = try ZipTestSupport.scratch()
    defer { ZipTestSupport.remove(dir) }
    let files = try makeTree(dir)
    let archive = dir + "/\(tool).zip"
    let python = """
        import zipfile, os, sys
        mode = zipfile.ZIP_STORED if sys.argv[2] == 'stored' else zipfile.ZIP_DEFLATED
        # 'pipe' writes to an unseekable stream, so sizes go into data descriptors after the data.
        out = os.fdopen(os.dup(sys.stdout.fileno()), 'wb') if sys.argv[2] == 'pipe' else sys.argv[1]
        with zipfile.ZipFile(out, 'w', mode) as z:
            for root, dirs, names in sorted(os.walk('bag')):
                for n in sorted(names): z.write(os.path.join(root, n))
        """
    let result: (status: Int32, output: String)
    switch tool {
    case "info-zip": result = try ZipTestSupport.run("zip", ["-qr", archive, "bag"], in: dir)
    case "python-deflated": result = try ZipTestSupport.run("python3", ["-c", python, archive, "deflated"], in: dir)
    case "python-stored": result = try ZipTestSupport.run("python3", ["-c", python, archive, "stored"], in: dir)
    case "python-pipe":
        let script = dir + "/pipe.py"
        try ZipTestSupport.write(Array(python.utf8), to: script)
        result = try ZipTestSupport.run("sh", ["-c", "python3 pipe.py - pipe | cat > '\(archive)'"], in: dir)
    case "info-zip-pipe": result = try ZipTestSupport.run("sh", ["-c", "zip -qr - bag | cat > '\(archive)'"], in: dir)
    default: result = try ZipTestSupport.run("7z", ["a", "-tzip", "-bd", archive, "bag"], in: dir)
    }
    try #require(result.status == 0, "\(tool): \(result.output)")
    try expectReadable(archive, files)
}

@Test(.enabled(if: ZipTestSupport.hasArchiveTools, "needs unzip, 7z and python3"))
func archivesWeWritePassOtherTools() throws {
    let dir = try ZipTestSupport.scratch()
    defer { ZipTestSupport.remove(dir) }
    let files = try makeTree(dir)
    let archive = dir + "/ours.zip"
    try ZipWriter.write(to: archive) { writer in
        for name in files.keys.sorted() { try writer.add(name, .file(dir + "/" + name)) }
    }
    try expectExternalToolsAccept(archive)
    // unzip must recreate the same bytes.
    let out = dir + "/unzipped"
    let r = try ZipTestSupport.run("unzip", ["-q", archive, "-d", out])
    #expect(r.status == 0, "\(r.output)")
    for (name, bytes) in files { #expect(try ZipTestSupport.read(out + "/" + name) == bytes) }
}
