import DossierFormats
import DossierModel
import DossierXML
import Testing

/// The decoder is strict: anything the model does not define is an error naming the element path
/// and line, never silently dropped, and messages never quote the offending value.
@Suite struct XMLDecoderTests {
    /// The sample's XML with `edit` applied to its lines; returns the text and the edited line number.
    private func edited(_ edit: (inout [String]) throws -> Int) throws -> ([UInt8], Int) {
        var lines = String(decoding: try DossierXMLFormat.encode(XMLSample.dossier()), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let line = try edit(&lines)
        return (Array(lines.joined(separator: "\n").utf8), line)
    }

    private func expectFailure(_ code: String, path: String, _ edit: (inout [String]) throws -> Int, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let (bytes, line) = try edited(edit)
        let e = xmlError { _ = try DossierXMLFormat.decode(bytes, file: "e.xml") }
        #expect(e?.code == code, sourceLocation: sourceLocation)
        #expect(e?.diagnostic.path == path, sourceLocation: sourceLocation)
        #expect(e?.location?.file == "e.xml" && e?.location?.line == line, "\(String(describing: e))", sourceLocation: sourceLocation)
        #expect(e?.description.contains("secret") == false, sourceLocation: sourceLocation)
    }

    private func index(of fragment: String, in lines: [String]) throws -> Int {
        try #require(lines.firstIndex { $0.contains(fragment) })
    }

    @Test func unknownElement() throws {
        try expectFailure(XMLErrorCode.unknownElement, path: "$.client.name.nickname") { lines in
            let i = try index(of: "<callName>", in: lines)
            lines.insert("      <nickname>secret</nickname>", at: i + 1)
            return i + 2
        }
    }

    /// An element name that looks like data (here a value made into a name) is shown by length.
    @Test func unknownElementNamedLikeData() throws {
        try expectFailure(XMLErrorCode.unknownElement, path: "$.client.name.<a name of 17 bytes>") { lines in
            let i = try index(of: "<callName>", in: lines)
            lines.insert("      <secret_0612345678>x</secret_0612345678>", at: i + 1)
            return i + 2
        }
    }

    @Test func duplicateElement() throws {
        try expectFailure(XMLErrorCode.duplicateElement, path: "$.controller.name") { lines in
            let i = try index(of: "<name>Zorg", in: lines)
            lines.insert("    <name>secret</name>", at: i + 1)
            return i + 2
        }
    }

    @Test func missingRequiredElement() throws {
        try expectFailure(XMLErrorCode.missingElement, path: "$.controller.kvkNumber") { lines in
            let i = try index(of: "<kvkNumber>", in: lines)
            lines.remove(at: i)
            return try index(of: "<controller>", in: lines) + 1
        }
    }

    @Test func invalidValueIsLocatedWithoutQuotingIt() throws {
        try expectFailure(XMLErrorCode.value, path: "$.client.dateOfBirth") { lines in
            let i = try index(of: "<dateOfBirth>", in: lines)
            lines[i] = "    <dateOfBirth>secret</dateOfBirth>"
            return i + 1
        }
        try expectFailure(XMLErrorCode.value, path: "$.client.gender") { lines in
            let i = try index(of: "<gender>", in: lines)
            lines[i] = "    <gender>secret</gender>"
            return i + 1
        }
        try expectFailure(XMLErrorCode.value, path: "$.restrictiveMeasures[0].durationMinutes") { lines in
            let i = try index(of: "<durationMinutes>", in: lines)
            lines[i] = "      <durationMinutes>+45</durationMinutes>"
            return i + 1
        }
        try expectFailure(XMLErrorCode.value, path: "$.client.meta.restricted") { lines in
            let i = try index(of: "<restricted>", in: lines)
            lines[i] = "      <restricted>1</restricted>"
            return i + 1
        }
    }

    @Test func wrongListItem() throws {
        try expectFailure(XMLErrorCode.unknownElement, path: "$.accessLog[1]") { lines in
            let i = try index(of: "<id>log0b</id>", in: lines)
            lines[i - 1] = "    <logEntry>"
            lines[try index(of: "</accessLog>", in: lines) - 1] = "    </logEntry>"
            return i
        }
    }

    @Test func strayTextAttributeAndForeignNamespace() throws {
        try expectFailure(XMLErrorCode.unexpectedContent, path: "$.client") { lines in
            let i = try index(of: "<client>", in: lines)
            lines[i] = "  <client>secret"
            return i + 1
        }
        try expectFailure(XMLErrorCode.unexpectedContent, path: "$.controller") { lines in
            let i = try index(of: "<controller>", in: lines)
            lines[i] = "  <controller kind=\"secret\">"
            return i + 1
        }
        try expectFailure(XMLErrorCode.unknownElement, path: "$.client.name.callName") { lines in
            let i = try index(of: "<callName>", in: lines)
            lines[i] = "      <callName xmlns=\"urn:other\">secret</callName>"
            return i + 1
        }
    }

    @Test func wrongRoot() throws {
        let e = xmlError { _ = try DossierXMLFormat.decode(Array("<dossier xmlns='urn:other'/>".utf8), file: "r.xml") }
        #expect(e?.code == XMLErrorCode.unknownElement && e?.location?.line == 1)
        let bulk = xmlError { _ = try DossierXMLFormat.decode(Array("<dossiers xmlns='urn:dossierport:dossier:1'/>".utf8), file: "r.xml") }
        #expect(bulk?.code == XMLErrorCode.unknownElement)
    }
}
