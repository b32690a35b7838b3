import Foundation
import Testing
import DossierModel

@Suite struct BSNTests {
    // Elfproef-valid test numbers (invented, as used in Dutch test data) and near misses.
    @Test(arguments: ["111222333", "123456782", "999999990"])
    func validNumbers(_ s: String) { #expect(BSN.passesElfproef(s)) }

    @Test(arguments: ["123456789", "000000000", "12345678", "1234567890", "12345678a"])
    func invalidNumbers(_ s: String) { #expect(!BSN.passesElfproef(s)) }

    @Test func descriptionNeverShowsTheNumber() {
        #expect(!"\(BSN("111222333"))".contains("111"))
    }
}

@Suite struct DateTests {
    @Test func leapYears() {
        #expect(LocalDate(year: 2024, month: 2, day: 29) != nil)
        #expect(LocalDate(year: 2023, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 1900, month: 2, day: 29) == nil)
        #expect(LocalDate(year: 2000, month: 2, day: 29) != nil)
        #expect(LocalDate(iso: "2024-04-31") == nil)
    }

    @Test func epochDaysRoundTrip() {
        for days in stride(from: -800_000, through: 2_000_000, by: 997) {
            #expect(LocalDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
        #expect(LocalDate(iso: "1970-01-01")!.daysSinceEpoch == 0)
    }

    @Test func timestampsKeepTheirOffset() {
        let t = Timestamp(rfc3339: "2024-03-31T02:30:00.120+02:00")!
        #expect(t.description == "2024-03-31T02:30:00.12+02:00")
        #expect(Timestamp(rfc3339: "2024-03-31T00:30:00Z")!.epochSeconds == t.epochSeconds)
        #expect(Timestamp(rfc3339: "2024-03-31 02:30") == nil)
    }

    /// Every two-digit field value (months, days, hours, minutes, seconds, offsets) is written as
    /// the text it was read from; the fields are written a pair of digits at a time.
    @Test func timestampTextRoundTripsEveryTwoDigitValue() {
        for v in 0...59 {
            let two = v < 10 ? "0\(v)" : "\(v)"
            let month = String(format: "%02d", v % 12 + 1), day = String(format: "%02d", v % 28 + 1)
            let hour = String(format: "%02d", v % 24), offset = String(format: "%02d", v % 14 + 1)
            for text in ["2024-\(month)-\(day)T\(hour):\(two):\(two)+\(offset):\(two)",
                         "1999-\(month)-\(day)T\(hour):\(two):\(two)-\(offset):\(two)",
                         "0001-\(month)-\(day)T\(hour):\(two):\(two).5Z"] {
                #expect(Timestamp(rfc3339: text)?.description == text)
            }
            #expect(LocalDate(iso: "2000-\(month)-\(day)")?.description == "2000-\(month)-\(day)")
        }
    }

    @Test func postalCodes() {
        #expect(DutchPostalCode.normalise(" 1234ab") == "1234 AB")
        #expect(DutchPostalCode.normalise("0123 AB") == nil)
        #expect(DutchPostalCode.normalise("1234 SS") == nil)
    }

    @Test func amounts() {
        #expect(Amount(decimal: "1234.5")?.cents == 123_450)
        #expect(Amount(decimal: "-0.07")?.description == "-0.07")
        #expect(Amount(decimal: "1,5") == nil)
    }

    /// The byte-level text (which the JSON writer writes) against the decimal arithmetic it
    /// replaces, at signs, zero, single cents and Int64's ends; and it parses back.
    @Test(arguments: [0, 1, -1, 5, -5, 99, 100, -100, 123_456, -7, 1_000_000_000_000, Int64.max, Int64.min, Int64.min + 1])
    func amountText(cents: Int64) {
        let a = Amount(cents: cents)
        let m = cents.magnitude
        let expected = (cents < 0 ? "-" : "") + String(m / 100) + "." + (m % 100 < 10 ? "0" : "") + String(m % 100)
        #expect(a.description == expected)
        #expect(a.description.utf8.count <= Amount.maxTextCount)
        if m / 100 < 1_000_000_000_000_000 { #expect(Amount(decimal: a.description) == a) }
    }

    /// The byte-level reader of the plain form agrees with `init(decimal:)` wherever it answers,
    /// and answers for every plain form: odd texts it leaves to `init(decimal:)`, which must then
    /// judge them as before. Every text of up to four characters over the characters that matter,
    /// and the longest amounts.
    @Test func plainDecimalsReadAsDecimalDoes() {
        let alphabet = Array("0159-.+, a٣".utf8CString.dropLast().map { UInt8(bitPattern: $0) })
        var texts: [[UInt8]] = [[]]
        for length in 1...4 {
            var next: [[UInt8]] = []
            for t in texts where t.count == length - 1 { for c in alphabet { next.append(t + [c]) } }
            texts += next
        }
        texts += ["999999999999999.99", "-999999999999999", "1234567890123456", "0.123", "00.50", "--5", "-.5", "5."].map { Array($0.utf8) }
        var answered = 0
        for t in texts {
            let text = String(decoding: t, as: UTF8.self)
            let plain = t.withUnsafeBufferPointer { Amount(plainDecimal: $0) }
            let isPlain = text.wholeMatch(of: /-?[0-9]{1,15}(\.[0-9]{1,2})?/) != nil
            #expect((plain != nil) == isPlain, "\(text)")
            if let plain {
                answered += 1
                #expect(Amount(decimal: text) == plain, "\(text)")
            }
        }
        #expect(answered > 500)
    }
}

/// Names from an input are quoted in messages only when they look like names: a value that
/// landed where a name belongs is a record's data.
@Suite struct ShownNameTests {
    @Test(arguments: ["clients", "public.clients", "LATIN9", "ISO-8859-1", "utf8mb4", "clientNumbr", "cliënt", "postcode_1234AB"])
    func namesAreShown(_ name: String) {
        #expect(Diagnostic.shownName(name) == name)
    }

    @Test(arguments: ["111222333", "bsn123456782", "0612345678", "j.jansen@example.nl", "Jan de Vries", "a\tb", "line\nbreak",
                      String(repeating: "x", count: 65)])
    func dataIsShownByItsLengthOnly(_ name: String) {
        #expect(Diagnostic.shownName(name) == "<a name of \(name.utf8.count) bytes>")
    }
}

/// Counts by code come out in code order whatever order they arrived in, so a report is the same
/// bytes on every run, and read back as they were written.
@Test func codeCountsAreInCodeOrder() throws {
    var a = CodeCounts(), b = CodeCounts()
    let codes = ["row.orphan", "bsn.elfproef", "retention.undated", "a", "row.orphan", "z.z", "bsn.elfproef", "row.orphan"]
    for c in codes { a.add(c) }
    for c in codes.reversed() { b.add(c) }
    #expect(a == b && a.total == codes.count)
    #expect(a.map(\.0) == ["a", "bsn.elfproef", "retention.undated", "row.orphan", "z.z"])
    #expect(a["row.orphan"] == 3 && a["missing"] == 0)
    var merged = CodeCounts()
    merged.add(a)
    merged.add("a", 4)
    #expect(merged["a"] == 5 && merged.total == codes.count + 4)
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let json = try encoder.encode(a)
    #expect(String(decoding: json, as: UTF8.self) == #"{"a":1,"bsn.elfproef":2,"retention.undated":1,"row.orphan":3,"z.z":1}"#)
    #expect(try JSONDecoder().decode(CodeCounts.self, from: json) == a)
}

/// A log lists the first diagnostics of each severity and counts all of them by code, so that a
/// warning on every record neither fills memory nor crowds out the errors.
@Test func aDiagnosticLogListsTheFirstOfEachSeverityAndCountsAll() throws {
    var log = DiagnosticLog(limit: 2)
    for i in 1...5 { log.append(.warning("retention.undated", "record has no createdAt", recordID: "r\(i)")) }
    log.append(.error("bsn.elfproef", "BSN fails the elfproef", recordID: "c1"))
    log.append(.error("row.orphan", "no client", recordID: "x1"))
    log.append(.error("row.orphan", "no client", recordID: "x2"))
    #expect(log.listed.map(\.recordID) == ["r1", "r2", "c1", "x1"])
    #expect(log.total == 8 && log.errors == 3 && log.warnings == 5 && log.omitted == 4)
    #expect(log.counts.map(\.0) == ["bsn.elfproef", "retention.undated", "row.orphan"])
    #expect(log.counts["retention.undated"] == 5 && log.counts["row.orphan"] == 2)
    #expect(!log.lists(.warning) && !log.lists(.error))

    // Counting without listing keeps the figures whole.
    var counted = DiagnosticLog(limit: 0)
    counted.count("retention.undated", .warning)
    #expect(counted.listed.isEmpty && counted.total == 1 && counted.errors == 0 && !counted.isEmpty)

    // A diagnostic past the limit is counted without being built.
    var lazy = DiagnosticLog(limit: 1)
    var built = 0
    func make(_ id: String) -> Diagnostic { built += 1; return .warning("retention.undated", "no createdAt", recordID: id) }
    for i in 1...3 { lazy.append("retention.undated", .warning, make("r\(i)")) }
    #expect(built == 1 && lazy.listed.map(\.recordID) == ["r1"] && lazy.counts["retention.undated"] == 3)

    // Taking over another log lists its diagnostics while there is room and adds all its counts.
    var merged = DiagnosticLog(limit: 3)
    merged.append(.error("table.unmapped", "table x is not in the profile", recordID: "t"))
    merged.append(contentsOf: log)
    merged.append(contentsOf: counted)
    #expect(merged.listed.map(\.recordID) == ["t", "r1", "r2", "c1", "x1"])
    #expect(merged.total == 10 && merged.errors == 4 && merged.omitted == 5)
    #expect(merged.counts["retention.undated"] == 6)

    // A person sees errors first, then the rest counted by code.
    let (shown, rest) = log.summary(showing: 3)
    #expect(shown.map(\.recordID) == ["c1", "x1", "r1"])
    #expect(Array(rest.map(\.0)) == ["retention.undated", "row.orphan"] && rest.total == 5)
    #expect(log.summary(showing: 100).rest.map(\.1) == [3, 1])

    // Its JSON carries the figures a reader would otherwise have to add up, and decodes to the same log.
    let json = try JSONEncoder().encode(log)
    let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
    #expect(object["errors"] as? Int == 3 && object["warnings"] as? Int == 5 && object["omitted"] as? Int == 4)
    #expect(object["limit"] as? Int == 2 && (object["listed"] as? [Any])?.count == 4)
    let decoded = try JSONDecoder().decode(DiagnosticLog.self, from: json)
    #expect(decoded == log)
    var more = decoded
    more.append(.error("row.orphan", "no client"))
    #expect(more.listed.count == 4, "the decoded log knows how many errors it lists")
    let inflated = String(decoding: json, as: UTF8.self).replacingOccurrences(of: #""errors":3"#, with: #""errors":9"#)
    #expect(throws: DecodingError.self) { try JSONDecoder().decode(DiagnosticLog.self, from: Data(inflated.utf8)) }
}
