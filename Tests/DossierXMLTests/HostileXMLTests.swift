import DossierModel
import DossierXML
import Foundation
import Testing

/// reliability.md §2, X1–X15: every hostile input is refused with its documented code, fast, by both
/// the in-memory parser and the streaming reader.
@Suite struct HostileXMLTests {
    struct Case: CustomStringConvertible, Sendable {
        let file: String
        let code: String
        var description: String { file }
    }

    /// `fixtures/hostile/xml/expected.tsv`: file, expected code (or `parses`), case number.
    static let corpus: [Case] = {
        let text = (try? String(contentsOf: hostileXML.appendingPathComponent("expected.tsv"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
            let f = $0.split(separator: "\t")
            return Case(file: String(f[0]), code: String(f[1]))
        }
    }()

    @Test func manifestCoversEveryFile() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: hostileXML.path).filter { $0 != "expected.tsv" }
        #expect(Set(files) == Set(HostileXMLTests.corpus.map(\.file)))
        #expect(HostileXMLTests.corpus.count >= 20)
    }

    @Test(arguments: HostileXMLTests.corpus)
    func rejectedByBothParsers(_ c: Case) throws {
        let path = hostileXML.appendingPathComponent(c.file).path
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        if c.code == "parses" {
            // X7: XInclude is never processed; the element stays an ordinary (foreign) element.
            let root = try ParsedXMLDocument.parse(bytes, file: c.file).root()
            #expect(root.elements.map(\.localName) == ["include"])
            #expect(root.elements.first?.namespace == "http://www.w3.org/2001/XInclude")
            #expect(!root.text.contains("root:"))
            let events = try drain(path: path)
            #expect(!events.contains { if case .text(let t) = $0 { t.contains("root:") } else { false } })
            return
        }
        let memory = seconds {
            let e = dossierError { _ = try ParsedXMLDocument.parse(bytes, file: c.file) }
            #expect(e?.code == c.code, "memory: \(String(describing: e))")
            #expect(e?.location?.file == c.file)
        }
        let stream = seconds {
            let e = dossierError { try drain(path: path) }
            #expect(e?.code == c.code, "stream: \(String(describing: e))")
        }
        #expect(memory < 1 && stream < 1)
        // One byte per read: the screen must catch what spans chunk boundaries.
        let bytewise = dossierError { try drain(path: path, chunkSize: 1) }
        #expect(bytewise?.code == c.code, "stream, 1-byte chunks: \(String(describing: bytewise))")
    }

    /// X1: the XXE target is never read: its content appears in no error, and the in-memory and
    /// streaming parsers both stop at the DOCTYPE.
    @Test func xxeTargetNeverRead() throws {
        let secret = "canary-\(UUID().uuidString)"
        let target = try temporaryFile("secret.txt", Array(secret.utf8))
        defer { cleanup(target) }
        for doc in [
            "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file://\(target.path)\">]><r>&x;</r>",
            "<!DOCTYPE r [<!ENTITY % p SYSTEM \"\(target.path)\"> %p;]><r/>",
            "<!DOCTYPE r SYSTEM \"\(target.path)\"><r/>",
        ] {
            let bytes = Array(doc.utf8)
            let memory = dossierError { _ = try ParsedXMLDocument.parse(bytes, file: "xxe.xml") }
            #expect(memory?.code == XMLErrorCode.doctype)
            #expect(!"\(String(describing: memory))".contains(secret))
            let file = try temporaryFile("xxe.xml", bytes)
            defer { cleanup(file) }
            let stream = dossierError { try drain(path: file.path) }
            #expect(stream?.code == XMLErrorCode.doctype)
            #expect(!"\(String(describing: stream))".contains(secret))
        }
    }

    /// The deny-all entity loader, tested where the byte screen does not apply: a schema that
    /// includes another schema from disk must fail to compile, though the included file is valid.
    @Test func entityLoaderDeniesFiles() throws {
        let included = try temporaryFile("included.xsd", Array("""
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:simpleType name="Secret"><xs:restriction base="xs:string"/></xs:simpleType></xs:schema>
            """.utf8))
        defer { cleanup(included) }
        let main = """
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:include schemaLocation="file://\(included.path)"/>\
            <xs:element name="r" type="Secret"/></xs:schema>
            """
        let e = dossierError { _ = try XMLSchema(bytes: Array(main.utf8), name: "main.xsd") }
        #expect(e?.code == XMLErrorCode.schemaInvalid)
        #expect(e?.location?.file == "main.xsd")
    }

    // Large inputs are generated here rather than committed.

    /// X6: the 110 KB quadratic blow-up (a 50 KB entity referenced 20,000 times) stops at its DOCTYPE.
    @Test func quadraticBlowup() throws {
        let entity = String(repeating: "a", count: 50_000)
        let doc = "<!DOCTYPE r [<!ENTITY a \"\(entity)\">]><r>" + String(repeating: "&a;", count: 20_000) + "</r>"
        try expectRejected(Array(doc.utf8), XMLErrorCode.doctype)
    }

    /// X8: 100,000 nested elements fail at the depth limit, without deep recursion anywhere.
    @Test func deepNesting() throws {
        let doc = String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000)
        try expectRejected(Array(doc.utf8), XMLErrorCode.limit)
    }

    /// X9: one text node over the byte cap is refused before any parsing (64 MiB in memory; a
    /// 1 MiB cap for the stream here, since libxml2's own 10 MB text-node ceiling would fire first).
    @Test func hugeText() throws {
        let bytes = Array("<r>".utf8) + [UInt8](repeating: 0x61, count: 64 << 20) + Array("</r>".utf8)
        let t = seconds {
            #expect(dossierError { _ = try ParsedXMLDocument.parse(bytes, file: "huge.xml") }?.code == XMLErrorCode.limit)
        }
        #expect(t < 1)
        let file = try temporaryFile("huge.xml", Array(bytes[0..<(2 << 20)]) + Array("</r>".utf8))
        defer { cleanup(file) }
        let capped = XMLLimits(maxBytes: 1 << 20, maxNodes: nil)
        #expect(dossierError { try drain(path: file.path, limits: capped) }?.code == XMLErrorCode.limit)
    }

    /// X10: a million attributes on one element hit the attribute limit before libxml2's quadratic
    /// duplicate check sees them.
    @Test func manyAttributes() throws {
        var doc = "<r"
        for i in 0..<1_000_000 { doc += " a\(i)=\"\"" }
        doc += "/>"
        try expectRejected(Array(doc.utf8), XMLErrorCode.limit)
    }

    /// X13: 100,000 namespace declarations on one element count as attributes.
    @Test func namespaceBomb() throws {
        var doc = "<r"
        for i in 0..<100_000 { doc += " xmlns:p\(i)=\"urn:x:\(i)\"" }
        doc += "/>"
        try expectRejected(Array(doc.utf8), XMLErrorCode.limit)
    }

    /// Both parsers refuse `bytes` with `code` in under a second each.
    private func expectRejected(_ bytes: [UInt8], _ code: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let memory = seconds {
            #expect(dossierError { _ = try ParsedXMLDocument.parse(bytes, file: "generated.xml") }?.code == code, sourceLocation: sourceLocation)
        }
        let file = try temporaryFile("generated.xml", bytes)
        defer { cleanup(file) }
        let stream = seconds {
            #expect(dossierError { try drain(path: file.path) }?.code == code, sourceLocation: sourceLocation)
        }
        #expect(memory < 1, sourceLocation: sourceLocation)
        #expect(stream < 1, sourceLocation: sourceLocation)
    }
}
