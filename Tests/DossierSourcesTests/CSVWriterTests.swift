import Foundation
import Testing
import DossierIO
import DossierModel
import DossierSources

@Suite struct CSVWriterTests {
    /// Pieces that stress quoting: every delimiter, quotes, all line ends, formula triggers,
    /// spaces at the edges, non-ASCII and astral characters.
    static let pieces = ["a", "Zoë", "\"", ",", ";", "\t", "|", "\r", "\n", "\r\n", " ", "=", "+", "-", "@", "'",
                         "😀", "ʤ", "sep=", "1,5", "€"]

    static func randomText(_ rng: inout SplitMix64) -> String {
        (0..<Int.random(in: 0...6, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    /// Random tables written with `neutraliseFormulas: false` read back identical, for every
    /// delimiter, with and without a byte-order mark.
    @Test(arguments: CSVDialect.candidates) func randomTablesRoundTrip(_ delimiter: UInt8) throws {
        var rng = SplitMix64(seed: UInt64(delimiter))
        for round in 0..<60 {
            let width = Int.random(in: 1...5, using: &rng)
            let header = (0..<width).map { "k\($0)" + Self.randomText(&rng).filter { !$0.isWhitespace } }
            let rows: [[String?]] = (0..<Int.random(in: 0...12, using: &rng)).map { _ in
                (0..<width).map { _ in Bool.random(using: &rng) && Bool.random(using: &rng) ? nil : Self.randomText(&rng) }
            }
            let sink = MemorySink()
            let writer = try CSVWriter(sink: sink, options: CSVWriter.Options(
                delimiter: delimiter, byteOrderMark: round % 2 == 0, neutraliseFormulas: false))
            try writer.write(header)
            for row in rows { try writer.write(row) }
            let path = try csvTempFile(sink.bytes)
            let (reader, back) = try csvReadAll(path, CSVReadOptions(delimiter: delimiter))
            #expect(reader.columns == header)
            // The one documented loss: a lone nil field is written `""` (a blank line is no record).
            let expected = rows.map { row in row.map { $0.map(SourceValue.text) ?? (width == 1 ? .text("") : .null) } }
            #expect(back.map(\.values) == expected, "delimiter \(delimiter) round \(round)")
        }
    }

    @Test func recordsUseCRLFAndTheChosenDelimiter() throws {
        let sink = MemorySink()
        let writer = try CSVWriter(sink: sink)
        try writer.write(["naam", "bedrag"])
        try writer.write(["Zoë", "1,5"])
        try writer.write([nil, ""])
        #expect(sink.bytes == [0xEF, 0xBB, 0xBF] + Array("naam;bedrag\r\nZoë;1,5\r\n;\"\"\r\n".utf8))
    }

    @Test func sepLikeFirstFieldIsQuoted() throws {
        let sink = MemorySink()
        try CSVWriter(sink: sink, options: CSVWriter.Options(byteOrderMark: false)).write(["sep=,"])
        #expect(String(decoding: sink.bytes, as: UTF8.self) == "\"sep=,\"\r\n")
    }

    @Test func nulAndBadDelimitersAreRefused() throws {
        let writer = try CSVWriter(sink: MemorySink())
        #expect(throws: DossierError.self) { try writer.write(["a\u{0}b"]) }
        #expect(throws: DossierError.self) {
            try CSVWriter(sink: MemorySink(), options: CSVWriter.Options(delimiter: UInt8(ascii: "\"")))
        }
    }
}

/// Records encoded apart (on other threads) and written as bytes give the file `write` gives
/// field by field, for both option sets, with a first record that only `write` may treat as first.
@Test(arguments: [CSVWriter.Options(), CSVWriter.Options(delimiter: UInt8(ascii: ","), byteOrderMark: false, neutraliseFormulas: false)])
func encodedRecordsWriteTheSameFile(options: CSVWriter.Options) throws {
    let rows: [[String?]] = [["sep=;", "header"], ["sep=,", "=1+1", nil], ["a;b", "say \"hi\"", "line\nbreak", ""], [nil], ["cliënt", "-5", "@x", "\r"]]
    let direct = MemorySink()
    let one = try CSVWriter(sink: direct, options: options)
    for r in rows { try one.write(r) }
    let apart = MemorySink()
    let two = try CSVWriter(sink: apart, options: options)
    try two.write(rows[0])
    var bytes: [UInt8] = []
    for (i, r) in rows.dropFirst().enumerated() { try CSVWriter.encode(r, options: options, number: i + 2, into: &bytes) }
    try two.write(encoded: bytes, records: rows.count - 1)
    #expect(apart.bytes == direct.bytes)
    #expect(two.recordCount == one.recordCount)
    #expect(throws: DossierError.self) { try CSVWriter.encode(["a\u{0}b"], options: options, number: 2, into: &bytes) }
}
