import Foundation
import Testing
import DossierModel
import DossierIO
@testable import DossierSources

@Suite struct MappingValueTests {
    func converter(_ kind: FieldKind, _ pattern: String = "yyyy-MM-dd", decimalComma: Bool = false,
                   zone: String = "Europe/Amsterdam") -> ValueConverter {
        ValueConverter(kind: kind, pattern: DatePattern(pattern)!, decimalComma: decimalComma, timeZone: TimeZone(identifier: zone)!)
    }

    func code(_ body: () throws -> Converted?) -> String? {
        do { _ = try body(); return nil } catch { return (error as? ConversionFailure)?.code ?? "other" }
    }

    @Test(arguments: [("dd-mm-jjjj", "17-05-1980"), ("dd-MM-yyyy", "17-05-1980"), ("d-M-yyyy", "17-5-1980"),
                      ("yyyy-MM-dd", "1980-05-17"), ("dd/MM/yyyy", "17/05/1980"), ("yyyyMMdd", "19800517")])
    func datePatterns(pattern: String, text: String) throws {
        #expect(try converter(.date, pattern).convert(.text(text)) == .date(LocalDate(year: 1980, month: 5, day: 17)!))
    }

    @Test func impossibleAndMalformedDates() throws {
        let c = converter(.date, "dd-mm-jjjj")
        #expect(code { try c.convert(.text("31-02-2024")) } == "value.date")
        #expect(code { try c.convert(.text("29-02-2023")) } == "value.date")
        #expect(code { try c.convert(.text("2024-02-01")) } == "value.date")
        #expect(code { try c.convert(.text("01-02-2024 extra")) } == "value.date")
        #expect(code { try c.convert(.number("20240201")) } == "value.date")
        #expect(try c.convert(.text("29-02-2024")) == .date(LocalDate(year: 2024, month: 2, day: 29)!))
        #expect(try c.convert(.text("")) == nil)
        #expect(try c.convert(.null) == nil)
    }

    /// Fixed-width patterns are matched at known places; every text, valid or broken at any byte,
    /// cut short or run on, must give what the token-by-token walk gives.
    @Test(arguments: [("yyyy-MM-dd HH:mm:ss", "2024-03-31 01:59:59"), ("yyyy-MM-dd", "1999-12-31"), ("dd-mm-jjjj", "29-02-2024"),
                      ("yyyyMMdd", "19800517"), ("dd/MM/yyyy HH:mm", "31/12/1999 23:59")])
    func fixedWidthPathAgreesWithTheTokenWalk(pattern: String, valid: String) throws {
        let p = try #require(DatePattern(pattern))
        #expect(p.fixedWidth == valid.utf8.count)
        #expect(p.iso == pattern.hasPrefix("yyyy-MM-dd"))
        var texts = [valid, "", valid + "Z", valid + ".250+01:00", valid + "-0330", valid + "x", valid + "0"]
        let bytes = Array(valid.utf8)
        for n in 0..<bytes.count { texts.append(String(decoding: bytes[..<n], as: UTF8.self)) }
        for i in bytes.indices {
            for c in "0 9/-:Tx.".utf8 {
                var b = bytes
                b[i] = c
                texts.append(String(decoding: b, as: UTF8.self))
            }
        }
        var matched = 0
        for t in texts {
            #expect(p.match(t) == p.matchByTokens(t), "\(t)")
            if p.match(t) != nil { matched += 1 }
        }
        #expect(matched > bytes.count)
    }

    @Test func badPatternsAreRefused() {
        for p in ["yyyy", "dd-MM-yy", "dd-MM-yyyy HH", "dd-qq-yyyy", "dd-MM-yyyy ss", "dd-MM-yyyy é"] {
            #expect(DatePattern(p) == nil, "\(p)")
        }
    }

    /// Offsets on both sides of the 2024 switches in Europe/Amsterdam: CEST from 31 March 01:00 UTC
    /// to 27 October 01:00 UTC (EU Directive 2000/84/EC: last Sunday of March and of October).
    @Test(arguments: [("2024-03-31 01:59:59", "+01:00"), ("2024-03-31 03:00:00", "+02:00"),
                      ("2024-10-27 01:59:59", "+02:00"), ("2024-10-27 03:00:00", "+01:00"),
                      ("2024-01-15 12:00:00", "+01:00"), ("2024-07-15 12:00:00", "+02:00")])
    func amsterdamOffsets(text: String, offset: String) throws {
        let v = try converter(.timestamp, "yyyy-MM-dd HH:mm:ss").convert(.text(text))
        guard case .timestamp(let ts)? = v else { Issue.record("no timestamp"); return }
        #expect(ts.description == text.replacingOccurrences(of: " ", with: "T") + offset)
    }

    @Test func explicitOffsetsAndFractionsWin() throws {
        let c = converter(.timestamp, "yyyy-MM-dd HH:mm:ss")
        #expect(try c.convert(.text("2024-07-01 10:00:00.250+00")) == .timestamp(Timestamp(rfc3339: "2024-07-01T10:00:00.25Z")!))
        #expect(try c.convert(.text("2024-07-01T10:00:00-0330")) == .timestamp(Timestamp(rfc3339: "2024-07-01T10:00:00-03:30")!))
        #expect(try converter(.timestamp, "yyyy-MM-dd HH:mm:ss", zone: "UTC").convert(.text("2024-07-01 10:00:00"))
                == .timestamp(Timestamp(rfc3339: "2024-07-01T10:00:00Z")!))
        #expect(code { try c.convert(.text("2024-07-01 24:00:00")) } == "value.date")
    }

    @Test func amountsWithDecimalCommaAndPoint() throws {
        let comma = converter(.amount, decimalComma: true)
        #expect(try comma.convert(.text("1.234,56")) == .amount(Amount(cents: 123_456)))
        #expect(try comma.convert(.text("-0,5")) == .amount(Amount(cents: -50)))
        #expect(try comma.convert(.text("1.000.000")) == .amount(Amount(cents: 100_000_000)))
        // A dump's numeric literal is always written with a point, whatever the profile says.
        #expect(try comma.convert(.number("1234.500")) == .amount(Amount(cents: 123_450)))
        #expect(code { try comma.convert(.text("12,345")) } == "value.number")
        #expect(code { try comma.convert(.text("€ 12")) } == "value.number")
        let point = converter(.amount)
        #expect(try point.convert(.text("1234.56")) == .amount(Amount(cents: 123_456)))
        #expect(code { try point.convert(.text("1,5")) } == "value.number")
    }

    /// The byte-level path must decide exactly as the general `String` path, edge cases included.
    @Test func plainAmountsAgreeWithTheGeneralPath() {
        let texts = ["0", "-0", "7", "-7", "0.5", "1234.56", "1234.560", "1234.561", "1234.5", "5.", ".5", "-.5", "-",
                     "007.10", "1.234,56", "1.000.000", "12,345", "1,5", "1,5.0", "1,2,3", "1.2.3", "123456789012345",
                     "1234567890123456", "99999999999999.99", "-1,50", "1,500", "1,", ",5", "--5", "+5", "5-"]
        var decided = 0
        for t in texts {
            for comma in [false, true] {
                guard let plain = ValueConverter.plainAmount(t, decimalComma: comma) else { continue }
                decided += 1
                #expect(plain == ValueConverter.generalAmount(t, decimalComma: comma), "\(t) comma: \(comma)")
            }
        }
        // Left to the general path: the 3 texts with `+` or a second `-` (both ways) and the 9 with a
        // comma when the comma is not decimal: 62 - 6 - 9.
        #expect(decided == 47)
    }

    @Test func otherKinds() throws {
        #expect(try converter(.bsn).convert(.number("12345672")) == .bsn(BSN("012345672")))
        #expect(try converter(.boolean).convert(.text("Ja")) == .boolean(true))
        #expect(try converter(.boolean).convert(.number("0")) == .boolean(false))
        #expect(code { try converter(.boolean).convert(.text("misschien")) } == "value.boolean")
        #expect(try converter(.integer).convert(.number("-15")) == .integer(-15))
        #expect(code { try converter(.integer).convert(.text("15 min")) } == "value.number")
        #expect(code { try converter(.text).convert(.bytes([0])) } == "value.type")
        #expect(try converter(.text).convert(.boolean(true)) == .text("true"))
        #expect(code { try converter(.enumeration(["male", "female"])).convert(.text("M")) } == "value.unmapped-code")
    }

    @Test func fieldPaths() {
        #expect(FieldPath("addresses[0].postalCode")?.pattern == "addresses[].postalCode")
        #expect(FieldPath("addresses[0].postalCode")?.indices == PathIndices([0]))
        #expect(FieldPath("goals[12]")?.indices == PathIndices([12]))
        // Positions come out outermost first, each once.
        let nested = FieldPath("a[3].b[99].c[7]")?.indices
        #expect(nested?.count == 3)
        #expect([nested?.first, nested?.dropFirst().first, nested?.dropFirst().dropFirst().first] == [3, 99, 7])
        #expect(nested?.dropFirst().dropFirst().dropFirst().first == nil)
        #expect(FieldPath("a" + String(repeating: "[0].a", count: PathIndices.maxDepth) + "[0]") == nil)
        #expect(FieldPath("a" + String(repeating: "[0].a", count: PathIndices.maxDepth - 1) + "[0]")?.indices.count == PathIndices.maxDepth)
        #expect(FieldPath("addresses[100].city") == nil)
        #expect(FieldPath("addresses[x].city") == nil)
        #expect(FieldCatalog.kind(of: .client, "addresses[].postalCode") == .text)
        #expect(FieldCatalog.kind(of: .accessLog, "at") == .timestamp)
        #expect(FieldCatalog.kind(of: .progressReports, "meta.author") == .text)
        #expect(FieldCatalog.kind(of: .documents, "sha256") == nil)
    }

    @Test func spillRecordsRoundTrip() throws {
        let folder = try PrivateFolder(under: NSTemporaryDirectory())
        defer { folder.remove() }
        let dict = SpillDictionary()
        let w = try SpillWriter(path: folder.file("t"))
        let rows = [
            SourceRow(table: "t", columns: ["a", "b", "c", "d", "e"],
                      values: [.null, .text("é\u{0}x"), .number("-1.5e3"), .bytes(Array(0...255)), .boolean(true)],
                      location: SourceLocation(file: "f.sql", line: 1 << 40, column: 3, table: "t", key: "k", entry: "/a/b")),
            SourceRow(table: "u", columns: [], values: [], location: SourceLocation()),
        ]
        for (i, r) in rows.enumerated() {
            try w.append(SpillRecord(ordinal: i, clientKey: "c\(i)", mapping: i - 1, shared: i == 0, row: r), dict)
        }
        try w.close()
        let s = try SpillStream(path: w.path, dict: dict)
        for (i, r) in rows.enumerated() {
            let back = try #require(try s.next())
            #expect(back.row == r && back.ordinal == i && back.clientKey == "c\(i)" && back.mapping == i - 1 && back.shared == (i == 0))
        }
        #expect(try s.next() == nil)
    }

    /// A carried COPY line's record, its header encoded on the stack: numbers that take one to
    /// nine varint bytes (the edges of one, two, three and four), a key of multi-byte characters,
    /// and the line's fields decoded back.
    @Test func carriedRecordsRoundTrip() throws {
        let folder = try PrivateFolder(under: NSTemporaryDirectory())
        defer { folder.remove() }
        let dict = SpillDictionary()
        let w = try SpillWriter(path: folder.file("t"))
        let line = Array("7\t\\N\tregel\\neen\tcliënt\t".utf8)
        let ids = CarriedIDs(table: dict.id("reports"), columns: dict.id(columns: ["id", "x", "body", "name", "empty"]),
                             kinds: dict.id(kinds: [true, false, false, false, false]), file: dict.id("d.sql"))
        // Each width's first and last number: one, two and three bytes are read without a loop.
        let records = [(ordinal: 0, key: "1", line: 1), (ordinal: 127, key: "cliënt-Ω", line: 128),
                       (ordinal: 16_383, key: "2", line: 16_384), (ordinal: 2_097_151, key: "3", line: 2_097_152),
                       (ordinal: 1 << 62, key: "42", line: 1 << 40)]
        for r in records {
            try line.withUnsafeBufferPointer {
                try w.appendCarried(CarriedLine(bytes: $0, numeric: [true, false, false, false, false], ascii: false), number: r.line, ids,
                                    ordinal: r.ordinal, mapping: 3, shared: r.ordinal == 0, clientKey: r.key)
            }
        }
        try w.close()
        let s = try SpillStream(path: w.path, dict: dict)
        for r in records {
            let back = try #require(try s.next())
            #expect(back.ordinal == r.ordinal && back.clientKey == r.key && back.mapping == 3 && back.shared == (r.ordinal == 0))
            #expect(back.row.values == [.number("7"), .null, .text("regel\neen"), .text("cliënt"), .text("")])
            #expect(back.row.location == SourceLocation(file: "d.sql", line: r.line, table: "reports", key: "7"))
        }
        #expect(try s.next() == nil)
        // A line of one empty field has no bytes at all.
        #expect(CarriedLine.values(UnsafeBufferPointer(start: nil, count: 0), numeric: [true]) == [.number("")])
    }

    /// A carried line has one field per column; one with fewer or more comes only from a spill
    /// file damaged on disk, and decoding it says so rather than reading past the line.
    @Test(arguments: [("a\tb", true), ("a\t", true), ("\t", true), ("a", false), ("", false), ("a\tb\tc", false), ("\t\t", false)])
    func carriedLinesHaveOneFieldPerColumn(line: String, whole: Bool) throws {
        var values: [SourceValue] = []
        let bytes = Array(line.utf8)
        #expect(bytes.withUnsafeBufferPointer { CarriedLine.values($0, numeric: [false, false], into: &values) } == whole)
        #expect(CarriedLine.values(UnsafeBufferPointer(start: nil, count: 0), numeric: [false, false], into: &values) == false)
        #expect(CarriedLine.values(UnsafeBufferPointer(start: nil, count: 0), numeric: [], into: &values))
        #expect(bytes.withUnsafeBufferPointer { CarriedLine.values($0, numeric: [], into: &values) } == bytes.isEmpty)

        // In a spill record: the run stops with the spill's error.
        let folder = try PrivateFolder(under: NSTemporaryDirectory())
        defer { folder.remove() }
        let dict = SpillDictionary()
        let w = try SpillWriter(path: folder.file("t"))
        let ids = CarriedIDs(table: dict.id("t"), columns: dict.id(columns: ["a", "b"]), kinds: dict.id(kinds: [false, false]), file: dict.id("d.sql"))
        try bytes.withUnsafeBufferPointer {
            try w.appendCarried(CarriedLine(bytes: $0, numeric: [false, false], ascii: true), number: 1, ids, ordinal: 0, mapping: 0,
                                shared: false, clientKey: "k")
        }
        try w.close()
        let s = try SpillStream(path: w.path, dict: dict)
        if whole {
            #expect(try s.next()?.row.values.count == 2)
        } else {
            #expect { try s.next() } throws: { ($0 as? DossierError)?.code == "spill.corrupt" }
        }
    }

    /// A deferred record is routed by its header alone; one naming a mapping the profile lacks,
    /// or none, was damaged on disk and stops the run with the spill's error.
    @Test func routingRefusesAnUnknownMapping() throws {
        let dict = SpillDictionary()
        _ = dict.id("reports")
        // Ordinal 1, mapping + 1, flags 0, key "7", table 0.
        func routed(_ mappingPlusOne: UInt8) throws -> Int {
            var d = SpillDecoder(bytes: [1, mappingPlusOne, 0, 1, 0x37, 0], dict: dict, path: "deferred-0")
            return try d.routing(mappings: 3).mapping
        }
        #expect(try routed(3) == 2)
        for bad: UInt8 in [0, 4, 100] {
            #expect { try routed(bad) } throws: { ($0 as? DossierError)?.code == "spill.corrupt" }
        }
    }
}
