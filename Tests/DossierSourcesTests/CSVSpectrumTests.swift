import Foundation
import Testing
import DossierModel
import DossierSources

/// csv-spectrum (max-mapper/csv-spectrum, MIT): every case read and compared with its JSON (C20).
/// Provenance and the two documented departures are in fixtures/csv/spectrum/README.md.
@Suite struct CSVSpectrumTests {
    static let cases = [
        "comma_in_quotes", "empty", "empty_crlf", "escaped_quotes", "json", "latin1", "location_coordinates",
        "newlines", "newlines_cr", "newlines_crlf", "null", "quotes_and_newlines", "simple", "simple_crlf", "utf8",
    ]

    @Test func everyFixtureIsACase() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: csvFixture("csv/spectrum"))
            .filter { $0.hasSuffix(".csv") }.map { String($0.dropLast(4)) }
        #expect(names.sorted() == Self.cases)
    }

    @Test(arguments: cases) func spectrumCase(_ name: String) throws {
        // location_coordinates has bare quotes (`37.8"N`): csv-spectrum expects the lenient reading.
        let options = CSVReadOptions(lenient: name == "location_coordinates")
        let (reader, rows) = try csvReadAll(csvFixture("csv/spectrum/\(name).csv"), options)
        let data = try Data(contentsOf: URL(fileURLWithPath: csvFixture("csv/spectrum/\(name).json")))
        let expected = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) {
            #expect(Set(row.columns) == Set(want.keys))
            #expect(row.columns == reader.columns)
            for (column, value) in want {
                let wanted: SourceValue = value is NSNull ? .null : .text(try #require(value as? String))
                #expect(row[column] == wanted, "\(name) \(column)")
            }
        }
        if name == "latin1" { #expect(reader.encoding == EncodingChoice(.windows1252, .heuristic)) }
    }

    @Test func locationCoordinatesIsAnErrorWhenStrict() throws {
        let path = csvFixture("csv/spectrum/location_coordinates.csv")
        let error = #expect(throws: DossierError.self) { try csvReadAll(path) }
        #expect(error?.code == "csv.bare-quote")
        #expect(error?.location?.line == 2)
    }
}
