import Foundation
import Testing
import DossierModel
import DossierFormats

/// Every fixture dossier survives JSON → model → XML → model → JSON unchanged.
@Suite struct FixtureRoundTripTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/dossiers")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    @Test(arguments: files)
    func jsonModelXMLRoundTripIsLossless(_ name: String) throws {
        let path = Self.dir.appendingPathComponent(name).path
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let fromJSON = try DossierJSON.decode(original, file: name)
        // The committed fixtures are in canonical form: writing them back gives the same bytes.
        #expect(try DossierJSON.encode(fromJSON) == original, "\(name) is not in canonical JSON form")
        let xml = try DossierXMLFormat.encode(fromJSON)
        #expect(DossierXMLFormat.validate(xml, file: name).isEmpty, "\(name): XML fails the XSD")
        let fromXML = try DossierXMLFormat.decode(xml, file: name)
        #expect(fromXML == fromJSON, "\(name): XML round trip changed a field")
        #expect(try DossierXMLFormat.encode(fromXML) == xml)
        #expect(try DossierJSON.encode(fromXML) == original)
        // Compact (NDJSON) form reads back the same.
        #expect(try DossierJSON.decode(try DossierJSON.encode(fromJSON, style: .compact), file: name) == fromJSON)
    }

    @Test func thereAreFixtures() { #expect(Self.files.count >= 5) }
}
