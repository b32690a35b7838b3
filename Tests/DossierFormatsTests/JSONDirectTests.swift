@testable import DossierFormats
import DossierIO
import DossierModel
import Foundation
import Testing

// The direct (non-Codable) JSON path for dossiers must never drift from the Codable path: same
// members, same bytes out, same values in, and the same documents refused.

private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private func fixtureDossiers() throws -> [(name: String, dossier: Dossier)] {
    let dir = root.appendingPathComponent("fixtures/dossiers")
    let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted()
    return try names.map { ($0, try DossierJSON.read(path: dir.appendingPathComponent($0).path)) }
}

/// The dossiers both paths are compared on: the sample with every field filled, the minimal one,
/// and every fixture.
private func dossiers() throws -> [(name: String, dossier: Dossier)] {
    [("sample", Sample.dossier()), ("minimal", Sample.minimal())] + (try fixtureDossiers())
}

/// Decodes through the direct path only, without the Codable fallback `DossierJSON` has.
private func directOnly(_ bytes: [UInt8]) throws -> Dossier {
    let parser = JSONParser()
    return try bytes.withUnsafeBytes { input in
        try parser.parse(input)
        return try parser.withTape { nodes in
            let tape = TapeDecoder(nodes: nodes, base: input.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                   position: TextPosition(input: input, file: nil, firstLine: 1))
            let d = try Dossier.readJSON(tape, at: 0)
            try tape.checkAllConsumed()
            return d
        }
    }
}

/// Decodes through `Codable` only.
private func codableOnly(_ bytes: [UInt8]) throws -> Dossier {
    try JSONByteDecoder.decode(Dossier.self, from: bytes)
}

@Test func fixturesAreFound() throws {
    #expect(try fixtureDossiers().count == 7)
}

@Test(arguments: [JSONStyle.pretty, .compact])
func directOutputIsByteIdenticalToCodable(style: JSONStyle) throws {
    for (name, d) in try dossiers() {
        let direct = try DossierJSON.encode(d, style: style)
        let codable = try JSONByteEncoder.encode(d, style: style)
        #expect(direct == codable, "\(name)")
    }
}

@Test func ndjsonDirectOutputIsByteIdenticalToCodable() throws {
    let direct = MemorySink()
    let w = NDJSONWriter(sink: direct)
    var codable: [UInt8] = []
    for (_, d) in try dossiers() {
        try w.write(d)
        codable += try JSONByteEncoder.encode(d, style: .compact) + [0x0A]
    }
    try w.finish()
    #expect(direct.bytes == codable)
}

/// The writer copies the encoding of metadata members and source files that repeat from record
/// to record, and for a row's metadata (file, line, table and key, no dates) the runs around its
/// author, line and key; records whose category, provenance, legal basis, flags, author, source
/// file and table change at every step, lack a file or a key, have a column, an entry or a date
/// (another shape), or name a file or table that needs escaping must come out as the Codable path
/// writes them, in one stream and one document at a time.
@Test func repeatedMetadataIsWrittenAsCodableWritesIt() throws {
    var d = Sample.dossier()
    let files: [String?] = ["a.sql", "a.sql", nil, "b \"quoted\".sql", "a.sql", "a.sql"]
    let base = d.progressReports.first!
    d.progressReports = (0..<24).map { i in
        var r = base
        r.id = "pr-\(i)"
        r.meta.category = i % 5 == 0 ? .care : (i % 5 == 1 ? .personal : .care)
        r.meta.provenance = i % 7 == 3 ? .client : .professional
        r.meta.legalBasis = i % 4 == 2 ? .consent : .legalObligation
        let file = files[i % files.count]
        r.meta.source = i % 9 == 8 ? nil : SourceLocation(file: file, line: file == nil ? nil : i, table: "t", key: "\(i)")
        return r
    } + (0..<40).map { i in
        var r = base
        r.id = "row-\(i)"
        r.meta.category = i % 6 == 5 ? .personal : .care
        r.meta.createdAt = i % 11 == 10 ? Timestamp(rfc3339: "2024-01-02T03:04:05Z") : nil
        r.meta.retentionUntil = i % 13 == 12 ? LocalDate(iso: "2040-01-01") : nil
        r.meta.author = i % 3 == 0 ? nil : (i % 5 == 0 ? "a \"quoted\" author" : "JB")
        r.meta.restricted = i % 7 == 6
        r.meta.containsThirdPartyData = i % 8 == 7
        let file = files[i % files.count]
        r.meta.source = SourceLocation(file: file, line: i * 1_000 + 7, column: i % 17 == 16 ? 3 : nil,
                                       table: i % 4 == 3 ? "other \"t\"" : "reports", key: i % 19 == 18 ? nil : "k\(i)",
                                       entry: i % 23 == 22 ? "member.xml" : nil)
        return r
    }
    for style in [JSONStyle.pretty, .compact] {
        #expect(try DossierJSON.encode(d, style: style) == (try JSONByteEncoder.encode(d, style: style)))
    }
    let direct = MemorySink()
    let w = NDJSONWriter(sink: direct)
    var codable: [UInt8] = []
    for x in [d, Sample.dossier(), d] {
        try w.write(x)
        codable += try JSONByteEncoder.encode(x, style: .compact) + [0x0A]
    }
    try w.finish()
    #expect(direct.bytes == codable)
}

@Test func directDecodingGivesTheSameValues() throws {
    for (name, d) in try dossiers() {
        for style in [JSONStyle.pretty, .compact] {
            let bytes = try DossierJSON.encode(d, style: style)
            let direct = try directOnly(bytes)
            #expect(direct == d, "\(name)")
            #expect(direct == (try codableOnly(bytes)), "\(name)")
        }
    }
}

/// Each type's member list, compared with its stored properties in declaration order: a field
/// added to the model but not to its list would otherwise vanish from the output.
@Test func memberListsMatchTheStoredProperties() throws {
    struct Keys: JSONMemberVisitor {
        var names: [String] = []
        mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T) throws { names.append("\(key)") }
        mutating func callAsFunction<T: JSONValue>(_ key: StaticString, _ value: inout T?) throws { names.append("\(key)") }
    }
    func check<T: JSONObject>(_ type: T.Type) throws {
        var keys = Keys()
        var blank = T.blank
        try T.members(&keys, &blank)
        let stored = Mirror(reflecting: T.blank).children.map { $0.label ?? "?" }
        #expect(keys.names == stored, "\(T.self)")
    }
    let types: [any JSONObject.Type] = [
        Dossier.self, Controller.self, ContactPerson.self, Address.self, Client.self, PersonName.self,
        ContactPoint.self, RecordMeta.self, SourceLocation.self, Representative.self, Referral.self, Insurance.self,
        Consent.self, Objection.self, ProgressReport.self, CarePlan.self, Diagnosis.self, MedicationAdministration.self,
        Incident.self, RestrictiveMeasure.self, DomesticViolenceReport.self, WorkNote.self, FinancialRecord.self,
        Appointment.self, Document.self, Correction.self, Restriction.self, AccessLogEntry.self,
    ]
    for t in types { try check(t) }
}

/// Damaged documents (the mutation oracle of `JSONHostileTests`): the direct path accepts exactly
/// what `Codable` accepts, with equal values, and `DossierJSON` (direct path, then `Codable` for
/// the error) refuses the rest with the same code, line:column, path and message as `Codable`.
@Test func directAndCodableAgreeOnDamagedDocuments() throws {
    let original = try DossierJSON.encode(Sample.dossier(), style: .compact)
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    func random(_ bound: Int) -> Int {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Int(state % UInt64(bound))
    }
    let interesting: [UInt8] = Array(#"{}[]",:\"0-e.tfnuTZ"#.utf8) + [0x00, 0x0A, 0x80, 0xC3, 0xEB, 0xED, 0xF4, 0xFF]
    var accepted = 0
    for round in 0..<1500 {
        var bytes = original
        switch round % 3 {
        case 0: bytes[random(bytes.count)] = interesting[random(interesting.count)]
        case 1: bytes.remove(at: random(bytes.count))
        default:
            let i = random(bytes.count)
            bytes.insert(interesting[random(interesting.count)], at: i)
        }
        let direct = try? directOnly(bytes), codable = try? codableOnly(bytes)
        #expect(direct == codable, "round \(round)")
        if direct != nil { accepted += 1; continue }
        var viaDossierJSON: DossierError?, viaCodable: DossierError?
        do { _ = try DossierJSON.decode(bytes) } catch { viaDossierJSON = error as? DossierError }
        do { _ = try codableOnly(bytes) } catch { viaCodable = error as? DossierError }
        // `DossierJSON` checks the schema version first, which plain `Codable` decoding does not.
        guard viaDossierJSON?.code != "schema.version" else { continue }
        #expect(viaDossierJSON?.code == viaCodable?.code, "round \(round)")
        #expect(viaDossierJSON?.location == viaCodable?.location, "round \(round)")
        #expect(viaDossierJSON?.diagnostic.path == viaCodable?.diagnostic.path, "round \(round)")
        #expect(viaDossierJSON?.diagnostic.message == viaCodable?.diagnostic.message, "round \(round)")
    }
    // Some damage must survive (inside texts), or the comparison above proves nothing.
    #expect(accepted > 50)
}

/// Errors reach the caller as the Codable path reports them, also when the direct path found them.
@Test func directPathErrorsAreTheCodablePathErrors() throws {
    let good = String(decoding: try DossierJSON.encode(Sample.dossier(), style: .pretty), as: UTF8.self)
    let damaged = [
        good.replacingOccurrences(of: #""category": "care""#, with: #""category": "zorg""#),
        good.replacingOccurrences(of: #""restricted": false"#, with: #""restricted": 0"#),
        good.replacingOccurrences(of: #""id": "c-1","#, with: ""),
        good.replacingOccurrences(of: #""progressReports": ["#, with: #""progressReports": [1, "#),
        good.replacingOccurrences(of: #""upheld": false"#, with: #""upheld": false, "extra": null"#),
    ]
    for text in damaged {
        #expect(text != good)
        let bytes = Array(text.utf8)
        var viaDossierJSON: DossierError?, viaCodable: DossierError?
        do { _ = try DossierJSON.decode(bytes, file: "d.json") } catch { viaDossierJSON = error as? DossierError }
        do { _ = try JSONByteDecoder.decode(Dossier.self, from: bytes, file: "d.json") } catch { viaCodable = error as? DossierError }
        #expect(viaDossierJSON != nil)
        #expect(viaDossierJSON?.code == viaCodable?.code)
        #expect(viaDossierJSON?.location == viaCodable?.location)
        #expect(viaDossierJSON?.diagnostic.path == viaCodable?.diagnostic.path)
        #expect(viaDossierJSON?.diagnostic.message == viaCodable?.diagnostic.message)
    }
}

/// A noncharacter in a text is refused on write with the path the Codable encoder names.
@Test func directWriteErrorsAreTheCodablePathErrors() throws {
    var d = Sample.dossier()
    d.progressReports[1].text = "a\u{FFFE}b"
    var direct: DossierError?, codable: DossierError?
    do { _ = try DossierJSON.encode(d) } catch { direct = error as? DossierError }
    do { _ = try JSONByteEncoder.encode(d, style: .pretty) } catch { codable = error as? DossierError }
    #expect(direct?.code == "json.noncharacter")
    #expect(direct?.diagnostic.path == codable?.diagnostic.path)
    #expect(direct?.diagnostic.path == "$.progressReports[1].text")
}
