import DossierFormats
import DossierModel
import Testing

// Hostile inputs of reliability.md G11 (I-JSON profile, RFC 7493) and the strictness rules of the
// dossier format. Each case pins the error code, the line:column and, where there is one, the path.

private struct Number: Codable { var n: Int }
private struct Small: Codable { var n: UInt8 }
private struct Text: Codable, Equatable { var s: String }
private struct Anything: Codable {}

private func failure<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) -> DossierError? {
    do {
        _ = try JSONByteDecoder.decode(type, from: bytes, file: "in.json")
        return nil
    } catch {
        return error as? DossierError
    }
}

private func failure<T: Decodable>(_ type: T.Type, _ json: String) -> DossierError? {
    failure(type, Array(json.utf8))
}

private func dossierFailure(_ bytes: [UInt8]) -> DossierError? {
    do {
        _ = try DossierJSON.decode(bytes, file: "d.json")
        return nil
    } catch {
        return error as? DossierError
    }
}

/// The minimal dossier in pretty form with `edit` applied; its layout is pinned in
/// `minimalDossierHasExactCanonicalLayout`, which the line:column numbers below rely on.
private func minimal(_ edit: (inout String) -> Void = { _ in }) throws -> [UInt8] {
    var s = String(decoding: try DossierJSON.encode(Sample.minimal()), as: UTF8.self)
    edit(&s)
    return Array(s.utf8)
}

private func check(_ e: DossierError?, _ code: String, _ line: Int, _ column: Int, path: String? = nil, file: String,
                   sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(e?.code == code, sourceLocation: sourceLocation)
    #expect(e?.location == DossierModel.SourceLocation(file: file, line: line, column: column), sourceLocation: sourceLocation)
    if let path { #expect(e?.diagnostic.path == path, sourceLocation: sourceLocation) }
}

// MARK: Syntax and encoding (G11)

@Test func duplicateKeyIsRefused() throws {
    check(failure(Anything.self, "{\n  \"a\": 1,\n  \"a\": 2\n}"), "json.duplicate-key", 3, 3, file: "in.json")
    // Escapes do not hide a duplicate: "\u0061" is "a".
    check(failure(Anything.self, #"{"a":1,"\u0061":2}"#), "json.duplicate-key", 1, 8, file: "in.json")
    check(dossierFailure(try minimal { $0.replace(#""id": "d-0","#, with: #""id": "d-0", "id": "d-1","#) }),
          "json.duplicate-key", 3, 16, file: "d.json")
}

@Test func duplicatesAreFoundInLargeObjectsToo() {
    let members = (0..<100).map { "\"k\($0)\":0" } + ["\"k7\":1"]
    let json = "{" + members.joined(separator: ",") + "}"
    let column = json.utf8.count - 6
    check(failure(Anything.self, json), "json.duplicate-key", 1, column, file: "in.json")
}

@Test func deepNestingIsRefused() {
    check(failure(Anything.self, String(repeating: "[", count: 10_000)), "json.depth", 1, 129, file: "in.json")
    // 128 levels are allowed (the error is then about the type, not the depth).
    let ok = String(repeating: "[", count: 128) + String(repeating: "]", count: 128)
    #expect(failure([[[Int]]].self, ok)?.code == "json.type")
}

@Test func hugeNumbersDoNotFitIntegers() throws {
    check(failure(Number.self, #"{"n": 1e999999}"#), "json.number", 1, 7, path: "$.n", file: "in.json")
    check(failure(Number.self, #"{"n": 1.5}"#), "json.number", 1, 7, path: "$.n", file: "in.json")
    check(failure(Number.self, #"{"n": 9223372036854775808}"#), "json.number", 1, 7, path: "$.n", file: "in.json")
    check(failure(Small.self, #"{"n": 256}"#), "json.number", 1, 7, path: "$.n", file: "in.json")
    #expect(try JSONByteDecoder.decode(Number.self, from: Array(#"{"n": -9223372036854775808}"#.utf8)).n == Int.min)
}

@Test func loneSurrogatesAreRefused() throws {
    check(failure(Text.self, #"{"s": "\ud800"}"#), "json.surrogate", 1, 8, file: "in.json")
    check(failure(Text.self, #"{"s": "x\ud800\u0041"}"#), "json.surrogate", 1, 9, file: "in.json")
    check(failure(Text.self, #"{"s": "\udc00"}"#), "json.surrogate", 1, 8, file: "in.json")
    // A proper pair is fine.
    #expect(try JSONByteDecoder.decode(Text.self, from: Array(#"{"s": "\ud83d\ude00\u00eb\/"}"#.utf8)) == Text(s: "😀ë/"))
}

@Test func noncharactersAreRefused() {
    check(failure(Text.self, #"{"s": "\uffff"}"#), "json.noncharacter", 1, 8, file: "in.json")
    // U+FDD0 as raw UTF-8.
    check(failure(Text.self, Array(#"{"s": "ab"#.utf8) + [0xEF, 0xB7, 0x90, 0x22, 0x7D]), "json.noncharacter", 1, 10, file: "in.json")
}

@Test func byteOrderMarkIsRefusedClearly() throws {
    let e = dossierFailure([0xEF, 0xBB, 0xBF] + (try minimal()))
    check(e, "json.bom", 1, 1, file: "d.json")
    #expect(e?.diagnostic.message.contains("byte order mark") == true)
}

/// A Windows-1252 file: "Cliënt" with ë as the single byte 0xEB.
@Test func windows1252IsReportedAsInvalidUTF8() throws {
    var bytes = try minimal { $0.replace(#""Smit""#, with: #""Cli#nt""#) }
    let offset = bytes.firstIndex(of: UInt8(ascii: "#"))!
    bytes[offset] = 0xEB
    let e = dossierFailure(bytes)
    check(e, "json.utf8", 13, 25, file: "d.json")
    #expect(e?.diagnostic.message.contains("invalid UTF-8") == true)
    #expect(e?.diagnostic.message.contains("byte offset \(offset)") == true)
    #expect(e?.diagnostic.message.contains("Cli") == false)
}

@Test func overlongAndSurrogateUTF8AreRefused() {
    check(failure(Text.self, [0x7B, 0x22, 0x73, 0x22, 0x3A, 0x22, 0xC0, 0xAF, 0x22, 0x7D]), "json.utf8", 1, 7, file: "in.json")
    check(failure(Text.self, [0x7B, 0x22, 0x73, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D]), "json.utf8", 1, 7, file: "in.json")
}

@Test func truncatedDocumentsAreRefused() throws {
    check(failure(Anything.self, #"{"a": [1, 2"#), "json.truncated", 1, 12, file: "in.json")
    check(failure(Text.self, #"{"s": "abc"#), "json.truncated", 1, 11, file: "in.json")
    let half = Array(try DossierJSON.encode(Sample.dossier()).prefix(2000))
    #expect(dossierFailure(half)?.code == "json.truncated")
    check(failure(Anything.self, ""), "json.truncated", 1, 1, file: "in.json")
}

@Test func garbageAroundTheDocumentIsRefused() {
    check(failure(Anything.self, "{} x"), "json.syntax", 1, 4, file: "in.json")
    check(failure(Anything.self, "{}\n{}"), "json.syntax", 2, 1, file: "in.json")
    check(failure(Anything.self, "x{}"), "json.syntax", 1, 1, file: "in.json")
}

@Test func otherSyntaxErrorsAreRefused() {
    check(failure(Text.self, "{\"s\": \"a\tb\"}"), "json.syntax", 1, 9, file: "in.json")
    check(failure(Number.self, #"{"n": 01}"#), "json.syntax", 1, 8, file: "in.json")
    check(failure(Anything.self, #"{"a": [1,]}"#), "json.syntax", 1, 10, file: "in.json")
    check(failure(Anything.self, #"{"a" 1}"#), "json.syntax", 1, 6, file: "in.json")
    check(failure(Text.self, #"{"s": "\x"}"#), "json.syntax", 1, 8, file: "in.json")
    check(failure(Anything.self, #"{'a': 1}"#), "json.syntax", 1, 2, file: "in.json")
    check(failure(Anything.self, #"{"a": NaN}"#), "json.syntax", 1, 7, file: "in.json")
}

// MARK: Model strictness

@Test func unknownFieldIsRefused() throws {
    let e = dossierFailure(try minimal { $0.replace(#""clientNumber": "1","#, with: #""clientNumber": "1", "nickname": "Bep","#) })
    check(e, "json.unknown-field", 11, 26, path: "$.client.nickname", file: "d.json")
    #expect(e?.diagnostic.message == "unknown field 'nickname'")
    check(failure(Number.self, #"{"n": 1, "m": {"deep": [1]}}"#), "json.unknown-field", 1, 10, path: "$.m", file: "in.json")
    // A value where a name belongs (found by fuzzing) is data: neither message nor path quotes it.
    let shifted = dossierFailure(try minimal { $0.replace(#""clientNumber": "1","#, with: #""clientNumber": "1", "111222333": "x","#) })
    check(shifted, "json.unknown-field", 11, 26, path: "$.client.<a name of 9 bytes>", file: "d.json")
    #expect(shifted?.diagnostic.message == "unknown field '<a name of 9 bytes>'")
}

@Test func missingRequiredFieldIsRefused() throws {
    let e = dossierFailure(try minimal { $0.replace("    \"clientNumber\": \"1\",\n", with: "") })
    check(e, "json.missing-field", 9, 13, path: "$.client.clientNumber", file: "d.json")
    // Arrays with a default are still required: the canonical form always writes them.
    check(dossierFailure(try minimal { $0.replace(",\n  \"accessLog\": []", with: "") }),
          "json.missing-field", 1, 1, path: "$.accessLog", file: "d.json")
}

@Test func unknownSchemaVersionIsRefusedFirst() throws {
    // Also an unknown field and a wrong type: the version must be what is reported.
    let bytes = try minimal {
        $0.replace(#""schemaVersion": "1.0""#, with: #""schemaVersion": "2.0""#)
        $0.replace(#""clientNumber": "1","#, with: #""clientNumber": 1, "nickname": "x","#)
    }
    let e = dossierFailure(bytes)
    check(e, "schema.version", 2, 20, path: "$.schemaVersion", file: "d.json")
    #expect(e?.diagnostic.message.contains("2.0") == false)
    // An older minor of the same major is readable.
    #expect(Dossier.canRead(schemaVersion: "1.0"))
}

@Test func wrongTypeIsRefused() throws {
    let e = dossierFailure(try minimal { $0.replace(#""kvkNumber": "87654321""#, with: #""kvkNumber": 87654321"#) })
    check(e, "json.type", 6, 18, path: "$.controller.kvkNumber", file: "d.json")
    #expect(e?.diagnostic.message == "expected a string, found a number")
    check(dossierFailure(try minimal { $0.replace(#""addresses": []"#, with: #""addresses": {}"#) }),
          "json.type", 15, 18, path: "$.client.addresses", file: "d.json")
    check(dossierFailure(try minimal { $0.replace(#""restricted": false"#, with: #""restricted": "no""#) }),
          "json.type", 21, 21, path: "$.client.meta.restricted", file: "d.json")
}

/// Values the model itself rejects: the message names the type or the rule, never the value.
@Test func invalidValuesAreLocatedWithoutEchoingThem() throws {
    let e = dossierFailure(try minimal { $0.replace(#""category": "personal""#, with: #""category": "robot-cliënt""#) })
    check(e, "json.value", 18, 19, path: "$.client.meta.category", file: "d.json")
    #expect(e?.diagnostic.message.contains("robot") == false)
    #expect(e?.diagnostic.message.contains("RecordCategory") == true)

    let d = dossierFailure(try minimal { $0.replace(#""clientNumber": "1","#, with: #""clientNumber": "1", "dateOfBirth": "1988-02-30","#) })
    check(d, "json.value", 11, 41, path: "$.client.dateOfBirth", file: "d.json")
    #expect(d?.diagnostic.message.contains("1988") == false)
}

/// Errors inside an array element name the element: `$.progressReports[1].meta.createdAt`.
@Test func pathsNameArrayElements() throws {
    var s = String(decoding: try DossierJSON.encode(Sample.dossier(), style: .compact), as: UTF8.self)
    let good = #""createdAt":"2024-03-01T09:30:00+01:00""#
    let ranges = s.ranges(of: good)
    // The client's meta comes first, then the representative, referral, insurance, consent,
    // objection, and the first two progress reports.
    s.replaceSubrange(ranges[7], with: #""createdAt":"2024-03-01 09:30""#)
    let e = dossierFailure(Array(s.utf8))
    #expect(e?.code == "json.value")
    #expect(e?.diagnostic.path == "$.progressReports[1].meta.createdAt")
    #expect(e?.location?.line == 1)
}

/// Mutation oracle (reliability.md, fuzzing): a damaged document either fails with a located
/// `DossierError` or decodes to a value whose re-encoding decodes to the same value; it never
/// crashes and never throws anything else. Deterministic (xorshift) so failures reproduce.
@Test func damagedDocumentsFailCleanlyOrRoundTrip() throws {
    let original = try DossierJSON.encode(Sample.dossier(), style: .compact)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func random(_ bound: Int) -> Int {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Int(state % UInt64(bound))
    }
    let interesting: [UInt8] = Array(#"{}[]",:\"0-e.tfnu"#.utf8) + [0x00, 0x0A, 0x80, 0xC3, 0xEB, 0xED, 0xF4, 0xFF]
    for round in 0..<600 {
        var bytes = original
        switch round % 3 {
        case 0: bytes = Array(bytes.prefix(random(bytes.count)))
        case 1: bytes[random(bytes.count)] = interesting[random(interesting.count)]
        default: bytes.remove(at: random(bytes.count))
        }
        do {
            let d = try DossierJSON.decode(bytes, file: "fuzz.json")
            #expect(try DossierJSON.decode(DossierJSON.encode(d)) == d)
        } catch let e as DossierError {
            #expect(e.location?.line != nil && e.location?.column != nil, "round \(round): \(e)")
        }
    }
}
