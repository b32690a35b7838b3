@testable import DossierFormats
import DossierIO
import DossierModel
import DossierXML
import Foundation
import Testing

// The direct (non-Codable) XML path must never drift from the Codable path: the same bytes out,
// the same values in, and never a document accepted that `XMLElementDecoder` refuses (the public
// decode then falls back to Codable, so its errors stay that path's; see XMLDecoderTests).

private let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("fixtures/dossiers")

/// The sample with every field filled and awkward text, the minimal dossier, and every fixture
/// dossier. (The JSON sample holds text that XML cannot carry.)
private func dossiers() throws -> [(name: String, dossier: Dossier)] {
    let names = try FileManager.default.contentsOfDirectory(atPath: fixtures.path).filter { $0.hasSuffix(".json") }.sorted()
    let files = try names.map { ($0, try DossierJSON.read(path: fixtures.appendingPathComponent($0).path)) }
    return [("xml sample", XMLSample.dossier()), ("minimal", Sample.minimal())] + files
}

/// Writes through `Codable` only.
private func codableEncode(_ d: Dossier) throws -> [UInt8] {
    let sink = MemorySink()
    let output = XMLOutput(sink: sink)
    output.declaration()
    try output.element(d, named: XMLNames.dossier, attributes: XMLNames.rootAttributes)
    try output.flush()
    return sink.bytes
}

private func root(_ bytes: [UInt8]) throws -> XMLElementNode {
    try ParsedXMLDocument.parse(bytes, file: "t.xml").root()
}

private func directDecode(_ bytes: [UInt8]) throws -> Dossier {
    try XMLDirect.readObject(Dossier.self, try root(bytes))
}

/// The direct path over libxml2's own tree, as `DossierXMLFormat.decode(_:file:)` tries it first.
private func viewDecode(_ bytes: [UInt8]) throws -> Dossier {
    try ParsedXMLDocument.parse(bytes, file: "t.xml").withRoot { root in
        guard let root else { throw XMLDirectRefusal() }
        return try XMLDirect.readDossier(root)
    }
}

/// The route the public decode falls back to: the Swift tree, its direct path, then `Codable`.
private func treeDecode(_ bytes: [UInt8]) throws -> Dossier {
    try DossierXMLFormat.decode(try root(bytes), file: "t.xml")
}

private func codableDecode(_ bytes: [UInt8]) throws -> Dossier {
    try Dossier(from: XMLElementDecoder(element: try root(bytes), file: "t.xml", codingPath: []))
}

@Suite struct XMLDirectTests {
    @Test func fixturesAreFound() throws {
        #expect(try dossiers().count == 9)
    }

    @Test func directOutputIsByteIdenticalToCodable() throws {
        for (name, d) in try dossiers() {
            let direct = try DossierXMLFormat.encode(d), codable = try codableEncode(d)
            #expect(direct == codable, "\(name)")
        }
    }

    /// Every fixture is written by the direct path itself: `DossierXMLFormat.write` would hide a
    /// refusal (a kind of value it failed to tell) by writing the dossier again through `Codable`.
    @Test func directWritingWritesEveryFixtureItself() throws {
        for (name, d) in try dossiers() {
            let sink = MemorySink()
            let output = XMLOutput(sink: sink)
            output.declaration()
            output.openElement(XMLNames.dossier, attributes: XMLNames.rootAttributes)
            var x = d
            #expect(throws: Never.self, "\(name)") { try XMLDirect.writeObject(Dossier.self, &x, to: output, depth: 1) }
            output.close(downTo: 0)
            try output.flush()
            #expect(sink.bytes == (try codableEncode(d)), "\(name)")
        }
    }

    @Test func streamedDirectOutputIsByteIdenticalToCodable() throws {
        let direct = MemorySink()
        let writer = try DossierXMLStreamWriter(sink: direct)
        let codable = MemorySink()
        let output = XMLOutput(sink: codable)
        output.declaration()
        output.openElement(XMLNames.dossiers, attributes: XMLNames.rootAttributes)
        for (_, d) in try dossiers() {
            try writer.append(d)
            try output.element(d, named: XMLNames.dossier)
        }
        try writer.finish()
        output.close(downTo: 0)
        try output.flush()
        #expect(direct.bytes == codable.bytes)
    }

    /// Every fixture is read by the direct path itself (not by its fallback), to the same value.
    @Test func directDecodingReadsWhatCodableReads() throws {
        for (name, d) in try dossiers() {
            let xml = try DossierXMLFormat.encode(d)
            let direct = try directDecode(xml)
            #expect(direct == d, "\(name)")
            let codable = try codableDecode(xml)
            #expect(direct == codable, "\(name)")
            #expect(try viewDecode(xml) == codable, "\(name)")
        }
    }

    /// A text that is not a valid value of its type, in a direct write, is written by the Codable
    /// path instead, so its error names the field.
    @Test func unrepresentableTextFailsAsCodableFails() throws {
        var d = XMLSample.dossier()
        d.progressReports[0].text = "bell \u{07}"
        let e = xmlError { _ = try DossierXMLFormat.encode(d) }
        #expect(e?.code == XMLErrorCode.unrepresentable)
        #expect(e?.diagnostic.path == "$.progressReports[0].text")
    }

    /// The sample's canonical XML with `edit.0` (which must be there) replaced by `edit.1`.
    func sample(edited edit: (String, String)) throws -> [UInt8] {
        let canonical = String(decoding: try DossierXMLFormat.encode(XMLSample.dossier()), as: UTF8.self)
        #expect(canonical.contains(edit.0))
        return Array(canonical.replacingOccurrences(of: edit.0, with: edit.1).utf8)
    }

    /// Documents that differ from the canonical form but that the Codable path accepts: the direct
    /// path reads them the same or refuses them (and the fallback reads them).
    @Test(arguments: [
        ("<callName>Jan</callName>", "<callName>J<!-- note -->an</callName>"),
        ("<callName>Jan</callName>", "<callName><![CDATA[Jan]]></callName>"),
        ("<callName>Jan</callName>", "<callName>J<![CDATA[a]]>n</callName>"),
        ("<callName>Jan</callName>", "<callName>Jan</callName><!-- c --><?pi x?>"),
        ("<callName>Jan</callName>", "<d:callName xmlns:d=\"urn:dossierport:dossier:1\">Jan</d:callName>"),
        ("<restricted>false</restricted>", "<restricted>false</restricted>\n\t\r "),
        ("<callName>Jan</callName>", "<callName>&#74;a&#x6E;</callName>"),
        ("<callName>Jan</callName>", "<callName>J&amp;n</callName>"),
        ("<callName>Jan</callName>", "<callName>J<?pi x?>an</callName>"),
        ("<callName>Jan</callName>", "<callName></callName>"),
        ("<callName>Jan</callName>", "<callName/>"),
        ("<goals>", "<!-- c --><goals>"),
        ("<goals>", "<goals><![CDATA[ ]]>"),
        ("<dossier xmlns", "<dossier xmlns:o=\"urn:o\" xmlns"),
    ])
    func acceptedVariantsReadTheSame(_ edit: (String, String)) throws {
        let xml = try sample(edited: edit)
        let codable = try codableDecode(xml)
        let decoded = try DossierXMLFormat.decode(xml, file: "t.xml")
        #expect(decoded == codable)
        if let direct = try? directDecode(xml) { #expect(direct == codable) }
        if let view = try? viewDecode(xml) { #expect(view == codable) }
    }

    /// Whatever the Codable path refuses, the direct path refuses too.
    @Test(arguments: [
        ("<callName>Jan</callName>", "<callName>Jan</callName><nickname>x</nickname>"),
        ("<callName>Jan</callName>", "<callName>Jan</callName><callName>Jan</callName>"),
        ("<callName>Jan</callName>", "<callName a=\"1\">Jan</callName>"),
        ("<callName>Jan</callName>", "<callName><b>Jan</b></callName>"),
        ("<callName>Jan</callName>", "<callName xmlns=\"urn:other\">Jan</callName>"),
        ("<callName>Jan</callName>", "<callName>Jan</callName>x"),
        ("<kvkNumber>12345678</kvkNumber>", ""),
        ("<dateOfBirth>1950-02-28</dateOfBirth>", "<dateOfBirth>1950-02-30</dateOfBirth>"),
        ("<gender>female</gender>", "<gender>Female</gender>"),
        ("<restricted>false</restricted>", "<restricted>0</restricted>"),
        ("<restricted>false</restricted>", "<restricted> false</restricted>"),
        ("<line>101</line>", "<line>+101</line>"),
        ("<line>101</line>", "<line>0101</line>"),
        ("<line>101</line>", "<line>99999999999999999999</line>"),
        ("<createdAt>2024-03-02T09:30:00.12345+01:00</createdAt>", "<createdAt>2024-03-02 09:30</createdAt>"),
        ("<goal>Zelfstandig wonen</goal>", "<item>Zelfstandig wonen</item>"),
        ("<goals>", "<goals x=\"1\">"),
        ("<progressReports>", "<progressReports>text"),
        ("<client>", "<client xmlns:o=\"urn:o\" o:a=\"1\">"),
        ("<callName>Jan</callName>", "<callName>J<x/>an</callName>"),
        ("<goals>", "<goals>\u{A0}"),
        ("<dossier xmlns=\"urn:dossierport:dossier:1\"", "<dossier xmlns=\"urn:dossierport:dossier:1\" a=\"1\""),
        ("<dossier xmlns=\"urn:dossierport:dossier:1\"", "<dossier xmlns=\"urn:dossierport:dossier:2\""),
    ])
    func refusedVariantsAreRefusedByBoth(_ edit: (String, String)) throws {
        let xml = try sample(edited: edit)
        #expect(throws: (any Error).self) { try codableDecode(xml) }
        #expect(throws: (any Error).self) { try directDecode(xml) }
        #expect(throws: (any Error).self) { try viewDecode(xml) }
        // The public decode, which reads libxml2's tree first, fails as the Swift tree's route does.
        let decoded = xmlError { _ = try DossierXMLFormat.decode(xml, file: "t.xml") }
        let tree = xmlError { _ = try treeDecode(xml) }
        #expect(decoded != nil)
        #expect(decoded == tree)
    }

    /// A root that is not a `<dossier>` in the dossier namespace, or one that is but lacks what a
    /// dossier needs, fails as the Swift tree's route fails.
    @Test(arguments: [
        "<dossier/>",
        "<x xmlns=\"urn:dossierport:dossier:1\"/>",
        "<dossier xmlns=\"urn:dossierport:dossier:1\"/>",
        "<d:dossier xmlns:d=\"urn:dossierport:dossier:1\" xmlns=\"urn:other\"><schemaVersion>1</schemaVersion></d:dossier>",
    ])
    func refusedRootsFailAsTheTreeFails(_ text: String) throws {
        let xml = Array(text.utf8)
        #expect(throws: (any Error).self) { try viewDecode(xml) }
        let decoded = xmlError { _ = try DossierXMLFormat.decode(xml, file: "t.xml") }
        #expect(decoded != nil)
        #expect(decoded == xmlError { _ = try treeDecode(xml) })
    }
}
