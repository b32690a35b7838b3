import DossierBundle
import DossierModel
import DossierPolicy
import DossierFormats
import DossierIO
import Foundation
import Testing

/// export.json's dossier list reads back the same whether it stayed in memory or went to disk,
/// and leaves nothing on disk once released.
@Test(arguments: [0, 1, 3, 1000])
func dossierListReadsBackWhatWasAppended(holding: Int) throws {
    let entries = (0..<7).map { i in
        ExportManifest.Entry(id: "D-\(i)", json: "dossiers/D-\(i).json", xml: i % 2 == 0 ? "dossiers/D-\(i).xml" : nil,
                             accessCopy: i == 3 ? "access/D-3.html" : nil,
                             documents: (0..<(i % 3)).map { "documents/D-\(i)/doc \($0) cliënt.pdf" } + (i == 5 ? [""] : []))
    }
    // A folder of its own: the cases run side by side, each with a list of its own to find.
    let parent = try PrivateFolder(under: PrivateFolder.temporaryDirectory, prefix: "dossierlist-test")
    defer { parent.remove() }
    var folder: String?
    do {
        let list = DossierList(holding: holding, temporaryDirectory: parent.path)
        for e in entries { try list.append(e) }
        #expect(list.count == 7)
        #expect(list.documents == entries.reduce(0) { $0 + $1.documents.count })
        for _ in 0..<2 {
            var back: [ExportManifest.Entry] = []
            try list.forEach { back.append($0) }
            #expect(back == entries)
        }
        folder = try spillFolder(in: parent.path)
        #expect((folder != nil) == (holding < entries.count))
    }
    if let folder { #expect(!FileManager.default.fileExists(atPath: folder)) }
}

/// The private folder of a list that went to disk, found as the one registered for removal.
private func spillFolder(in tmp: String) throws -> String? {
    try FileManager.default.contentsOfDirectory(atPath: tmp)
        .filter { $0.hasPrefix("dossierport-list-") }.map { tmp + "/" + $0 }
        .first { Interruption.isRegistered($0) }
}

/// export.json written element by element from its lists is byte for byte the pretty encoding of
/// the manifest with the lists in it, for no dossiers, one, and many set aside on disk, and as
/// many scope entries (the many encoded ones on disk too).
@Test(arguments: [0, 1, 2, 700])
func exportManifestWrittenFromAListIsItsPrettyEncoding(count: Int) throws {
    let entries = (0..<count).map { i in
        ExportManifest.Entry(id: "D-\(i)", json: "dossiers/D-\(i).json", xml: i % 2 == 0 ? "dossiers/D-\(i).xml" : nil,
                             accessCopy: i % 3 == 0 ? "copy/D-\(i).html" : nil,
                             documents: (0..<(i % 3)).map { "documents/D-\(i)/brief \($0) \"cliënt\".pdf" })
    }
    let controller = Controller(name: "Zorggroep \"De Linde\"\n", kvkNumber: "12345678", dpo: ContactPerson(name: "FG", email: "fg@example.org"))
    var manifest = ExportManifest(bundleID: "DP-12345678", software: "dossierport test", createdAt: Timestamp(rfc3339: "2026-11-22T10:00:00Z")!,
                                  purpose: nil, controller: controller, recipient: nil, sourceSystems: ["a", "b"], counts: EntityMap(),
                                  documents: entries.reduce(0) { $0 + $1.documents.count }, dossiers: [], scope: [])
    let list = DossierList(holding: 64)
    for e in entries { try list.append(e) }
    let scope = (0..<count).map { i in
        ScopeEntry(dossier: "D-\(i)", note: ScopeNote(entity: .workNotes, recordID: "note \"\(i)\"", action: i % 2 == 0 ? .excluded : .redacted,
                                                   reason: .workNote))
    }
    let parent = try PrivateFolder(under: PrivateFolder.temporaryDirectory, prefix: "encodedlist-test")
    defer { parent.remove() }
    var encoded = EncodedList<ScopeEntry>(holding: 4096, temporaryDirectory: parent.path)
    for e in scope { try encoded.append(e) }
    let sink = MemorySink()
    try manifest.writePretty(dossiers: list, scope: encoded, to: sink)
    let spilled = try spillFolder(in: parent.path) != nil
    #expect(encoded.count == count && spilled == (count == 700))
    manifest.dossiers = entries
    manifest.scope = scope
    #expect(sink.bytes == (try JSONByteEncoder.encode(manifest, style: .pretty)))
}
