import DossierIO
import DossierModel
import DossierXML
import Foundation
import Testing

@Suite struct SafeXMLTests {
    static let sample = """
        <?xml version="1.0" encoding="utf-8"?>
        <!-- a comment -->
        <r xmlns="urn:t" xmlns:q="urn:q" a="1" q:b="x &amp; y">
          <name>Cli\u{EB}nt Zo\u{EB} \u{1F600} &amp;&lt;&gt;"'</name>
          <cr>a&#xD;
        b\tc</cr>
          <empty/>
          <![CDATA[<raw> & ]]>
          <?pi ignored?>
          <q:other/>
        </r>

        """

    @Test func treeKeepsTextNamespacesAndLines() throws {
        let root = try ParsedXMLDocument.parse(Array(SafeXMLTests.sample.utf8), file: "s.xml").root()
        #expect(root.localName == "r" && root.namespace == "urn:t" && root.line == 3)
        #expect(root.attributes == [XMLAttribute(localName: "a", namespace: nil, value: "1"),
                                    XMLAttribute(localName: "b", namespace: "urn:q", value: "x & y")])
        let children = root.elements
        #expect(children.map(\.localName) == ["name", "cr", "empty", "other"])
        #expect(children.map(\.line) == [4, 5, 7, 10])
        #expect(children[0].text == "Cli\u{EB}nt Zo\u{EB} \u{1F600} &<>\"'")
        #expect(children[1].text == "a\r\nb\tc")
        #expect(children[2].children.isEmpty)
        #expect(children[3].namespace == "urn:q")
        #expect(root.text.contains("<raw> & "))
    }

    /// The streaming reader and the in-memory parser must see the same document.
    @Test(arguments: [1 << 20, 7, 1])
    func streamMatchesMemoryAtAnyChunkSize(chunkSize: Int) throws {
        let bytes = Array(SafeXMLTests.sample.utf8)
        let memory = try ParsedXMLDocument.parse(bytes, file: "s.xml").root()
        let file = try temporaryFile("s.xml", bytes)
        defer { cleanup(file) }
        let reader = try XMLStreamReader(input: try ByteReader(path: file.path, chunkSize: chunkSize))
        guard case .start(let tag) = try reader.next() else { Issue.record("no start event"); return }
        #expect(try reader.readElement(tag) == memory)
        #expect(try reader.next() == nil)
    }

    /// Namespaces are right per element as they change and change back, including to a URI that
    /// extends the last one or that it extends (both builders reuse the last URI's `String`).
    @Test func namespacesChangingBackAndForth() throws {
        let bytes = Array(("<a xmlns=\"urn:x\"><b/><c xmlns=\"urn:y\" xmlns:p=\"urn:x\" p:at=\"1\"><d/><p:e/></c>"
            + "<f xmlns=\"\"/><g/><h xmlns=\"urn:x2\"/><i/></a>").utf8)
        let memory = try ParsedXMLDocument.parse(bytes, file: "n.xml").root()
        func namespaces(_ e: XMLElementNode) -> [String?] { [e.namespace] + e.elements.flatMap(namespaces) }
        #expect(namespaces(memory) == ["urn:x", "urn:x", "urn:y", "urn:y", "urn:x", nil, "urn:x", "urn:x2", "urn:x"])
        #expect(memory.elements[1].attributes.map(\.namespace) == ["urn:x"])
        let file = try temporaryFile("n.xml", bytes)
        defer { cleanup(file) }
        let reader = try XMLStreamReader(path: file.path)
        guard case .start(let tag) = try reader.next() else { Issue.record("no start event"); return }
        #expect(try reader.readElement(tag) == memory)
    }

    @Test func eventsPairStartAndEnd() throws {
        let file = try temporaryFile("e.xml", Array("<a x=\"1\"><b/>t<c>u</c></a>".utf8))
        defer { cleanup(file) }
        let reader = try XMLStreamReader(path: file.path)
        var events: [XMLEvent] = []
        var paths: [String] = []
        while let e = try reader.next() {
            events.append(e)
            paths.append(reader.openElements.joined(separator: "/"))
        }
        #expect(paths == ["a", "a/b", "a", "a", "a/c", "a/c", "a", ""])
        let attr = XMLAttribute(localName: "x", namespace: nil, value: "1")
        #expect(events == [
            .start(XMLStartTag(localName: "a", namespace: nil, attributes: [attr], line: 1)),
            .start(XMLStartTag(localName: "b", namespace: nil, attributes: [], line: 1)),
            .end(localName: "b", namespace: nil),
            .text("t"),
            .start(XMLStartTag(localName: "c", namespace: nil, attributes: [], line: 1)),
            .text("u"),
            .end(localName: "c", namespace: nil),
            .end(localName: "a", namespace: nil),
        ])
    }

    /// A large stream crosses many chunk and libxml2 buffer boundaries; every record arrives intact.
    @Test func longStreamKeepsEveryRecord() throws {
        var doc = "<list>\n"
        for i in 0..<20_000 { doc += "  <item n=\"\(i)\">Zo\u{EB} &amp; \(i)</item>\n" }
        doc += "</list>\n"
        let file = try temporaryFile("long.xml", Array(doc.utf8))
        defer { cleanup(file) }
        let reader = try XMLStreamReader(input: try ByteReader(path: file.path, chunkSize: 4093))
        var seen = 0
        while let event = try reader.next() {
            guard case .start(let tag) = event, tag.localName == "item" else { continue }
            let item = try reader.readElement(tag)
            #expect(item.attributes.first?.value == "\(seen)")
            #expect(item.text == "Zo\u{EB} & \(seen)")
            #expect(item.line == seen + 2)
            seen += 1
        }
        #expect(seen == 20_000)
    }

    @Test func limitsNameTheirPlace() throws {
        let tight = XMLLimits(maxBytes: 200, maxDepth: 3, maxAttributes: 2, maxNodes: 6)
        let cases: [(String, String, Int)] = [
            ("<a>\n<b><c><d/></c></b></a>", "elements nested deeper than 3", 2),
            ("<a>\n\n<b x='1' y='2' z='3'/></a>", "more than 2 attributes", 3),
            ("<a><b/><b/><b/><b/><b/><b/></a>", "more than 6 elements", 1),
            ("<a>" + String(repeating: "x", count: 300) + "</a>", "larger than the 200-byte limit", 0),
        ]
        for (doc, reason, line) in cases {
            let e = dossierError { _ = try ParsedXMLDocument.parse(Array(doc.utf8), file: "t.xml", limits: tight) }
            #expect(e?.code == XMLErrorCode.limit)
            #expect(e?.diagnostic.message.contains(reason) == true, "\(String(describing: e))")
            #expect(e?.location?.line == (line == 0 ? nil : line))
        }
    }

    @Test func malformedReportsLibxml2ReasonAndPlace() throws {
        let e = dossierError { _ = try ParsedXMLDocument.parse(Array("<a>\n  <b>\n</a>".utf8), file: "m.xml") }
        #expect(e?.code == XMLErrorCode.malformed)
        #expect(e?.location?.file == "m.xml")
        #expect(e?.location?.line == 3)
        let message = e?.diagnostic.message ?? ""
        #expect(message.hasPrefix("xmlParseDocument: ") && message.contains("mismatch") && message.contains("[libxml2 1."))
    }

    /// Declarations too short to hold an encoding are screened, not trapped on (found by
    /// `DossierportFuzz run xml`: `<?xml ?>` crashed the screen).
    @Test(arguments: ["<?xml ?>\n<r/>", "<?xml a?><r/>", "<?xml\t?><r/>", "<?xml encoding?><r/>"])
    func shortDeclarationsAreScreened(_ document: String) throws {
        let e = dossierError { _ = try ParsedXMLDocument.parse(Array(document.utf8), file: "d.xml") }
        #expect(e?.code == XMLErrorCode.malformed && e?.location?.file == "d.xml")
        let file = try temporaryFile("d.xml", Array(document.utf8))
        defer { cleanup(file) }
        let streamed = dossierError {
            let reader = try XMLStreamReader(input: try ByteReader(path: file.path))
            while try reader.next() != nil {}
        }
        #expect(streamed?.code == XMLErrorCode.malformed && streamed?.location?.file == file.path)
    }

    /// Only UTF-8 reaches libxml2, also when the declaration naming another encoding never ends
    /// (found by `DossierportFuzz run xml`: libxml2 switched to UTF-7 at the attribute, and its
    /// conversion error printed the failing bytes on stderr).
    @Test(arguments: ["<?xml version=\"1.0\" encoding=\"UTF-7\"+AGEAYgBj-</r>", "<?xml version='1.0' encoding='UTF-16'<r/>",
                      "<?xml version=\"1.0\" encoding=\"ISO-8859-1\""])
    func encodingInAnUnfinishedDeclarationIsRefused(_ document: String) throws {
        let e = dossierError { _ = try ParsedXMLDocument.parse(Array(document.utf8), file: "e.xml") }
        #expect(e?.code == XMLErrorCode.encoding && e?.location?.file == "e.xml", "\(String(describing: e))")
        let file = try temporaryFile("e.xml", Array(document.utf8))
        defer { cleanup(file) }
        let streamed = dossierError { try drain(path: file.path) }
        #expect(streamed?.code == XMLErrorCode.encoding, "\(String(describing: streamed))")
    }

    /// libxml2 quotes up to 50 bytes of the document on a line of its own after some messages;
    /// a client's text must not reach an error message that way.
    @Test(arguments: ["<a><![CDATA[geheim 123456782", "<a><!-- geheim 123456782", "<a>\n<b>geheim 123456782</c></a>"])
    func malformedMessagesQuoteNoText(_ document: String) throws {
        let e = dossierError { _ = try ParsedXMLDocument.parse(Array(document.utf8), file: "m.xml") }
        let message = try #require(e?.diagnostic.message)
        #expect(e?.code == XMLErrorCode.malformed && e?.location?.file == "m.xml")
        #expect(!message.contains("geheim") && !message.contains("123456782") && !message.contains("\n"), "\(message)")
        #expect(message.hasPrefix("xmlParseDocument: ") && message.contains("[libxml2 1."))
    }

    static let schema = """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns="urn:t" elementFormDefault="qualified">
          <xs:element name="r"><xs:complexType><xs:sequence>
            <xs:element name="bsn" maxOccurs="unbounded"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="[0-9]{9}"/></xs:restriction></xs:simpleType></xs:element>
          </xs:sequence></xs:complexType></xs:element>
        </xs:schema>
        """

    @Test func schemaValidationReportsEveryErrorWithoutValues() throws {
        let schema = try XMLSchema(bytes: Array(SafeXMLTests.schema.utf8), name: "t.xsd")
        let good = try ParsedXMLDocument.parse(Array("<r xmlns='urn:t'><bsn>123456782</bsn></r>".utf8), file: "g.xml")
        #expect(good.validate(against: schema).isEmpty)
        let bad = try ParsedXMLDocument.parse(Array("<r xmlns='urn:t'>\n<bsn>12345678X</bsn>\n<bsn>1</bsn>\n<x/>\n</r>".utf8), file: "b.xml")
        let found = bad.validate(against: schema)
        #expect(found.count >= 3)
        #expect(found.map { $0.location?.line } .prefix(3) == [2, 3, 4])
        #expect(found.allSatisfy { $0.code == XMLErrorCode.schema && $0.location?.file == "b.xml" && $0.severity == .error })
        #expect(found.allSatisfy { !$0.message.contains("12345678X") && $0.message.hasPrefix("xmlSchemaValidateDoc: ") })
        #expect(found[0].message.contains("pattern"))
        #expect(found[2].message.contains("{urn:t}x"))
    }

    /// Past the first 1,000 messages violations are not kept, but a last diagnostic says how many.
    @Test func violationsPastTheCapAreCountedNotDropped() throws {
        let schema = try XMLSchema(bytes: Array(SafeXMLTests.schema.utf8), name: "t.xsd")
        let bad = try ParsedXMLDocument.parse(Array(("<r xmlns='urn:t'>" + String(repeating: "<bsn>1</bsn>\n", count: 1_500) + "</r>").utf8), file: "b.xml")
        let found = bad.validate(against: schema)
        #expect(found.count == 1_001)
        #expect(found.dropLast().allSatisfy { $0.location?.line != nil })
        #expect(found.last?.message == "xmlSchemaValidateDoc: 500 more schema violation(s), not listed (the first 1000 messages are)")
        #expect(found.last?.location?.file == "b.xml")
    }

    @Test func brokenSchemaIsReported() {
        let e = dossierError { _ = try XMLSchema(bytes: Array("<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'><xs:element/></xs:schema>".utf8), name: "bad.xsd") }
        #expect(e?.code == XMLErrorCode.schemaInvalid)
        #expect(e?.location?.file == "bad.xsd")
    }

    /// Parses on many threads at once: per-context error collection and the counted entity loader
    /// must keep each parse's errors to itself.
    @Test func parallelParsesKeepTheirOwnErrors() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<32 {
                group.addTask {
                    let name = "p\(i).xml"
                    if i % 2 == 0 {
                        let root = try ParsedXMLDocument.parse(Array("<r><n>\(i)</n></r>".utf8), file: name).root()
                        #expect(root.elements.first?.text == "\(i)")
                    } else {
                        let e = dossierError { _ = try ParsedXMLDocument.parse(Array("<r>\n<n>\(i)</r>".utf8), file: name) }
                        #expect(e?.location?.file == name && e?.location?.line == 2)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
