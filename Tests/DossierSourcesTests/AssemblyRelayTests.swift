import DossierModel
import Foundation
import Testing
@testable import DossierSources

/// A sieve that carries every line of table `notes`, turns away those whose id ends in 7, and
/// fails at one line if asked; it writes down every question, in the order it was asked.
final class RecordingSieve: RowSieve, @unchecked Sendable {
    var events: [String] = []
    let failAt: Int?

    init(failAt: Int? = nil) { self.failAt = failAt }

    func plan(table: String, columns: [String], file: String) -> RowPlan {
        events.append("plan \(table)")
        return table == "notes" ? .carry([0]) : .decode
    }

    func admit(_ fields: RawFields, line: Int) throws -> Bool { true }

    func passOver(_ rows: Int) {}

    func carry(_ fields: RawFields, line: Int, raw: CarriedLine) throws -> Bool {
        if line == failAt { throw DossierError("test.route", "routing failed", at: SourceLocation(line: line)) }
        let id = String(decoding: fields[0]!, as: UTF8.self)
        events.append("carry \(line) \(id) \(raw.bytes.count)")
        return id.hasSuffix("7")
    }
}

/// Phase 1's second thread: what the sieve is asked, and what is decoded and taken, must be what
/// one thread gives, in the same order, across many batches; failures keep their order.
@Suite struct AssemblyRelayTests {
    /// A dump of `notes` lines (1.3 MB for 20,000: several batches) with a line the reader must decode
    /// (an octal escape) every 1000 lines, a second table between two COPY blocks of `notes`,
    /// and, if asked, a line with a column too many at `badAt`.
    func dump(lines: Int, badAt: Int? = nil) throws -> String {
        var text = "--\n-- PostgreSQL database dump\n--\n\n"
            + "CREATE TABLE public.notes (\n    id integer NOT NULL,\n    body text\n);\n\n"
            + "CREATE TABLE public.other (\n    id integer NOT NULL,\n    body text\n);\n\n"
            + "COPY public.notes (id, body) FROM stdin;\n"
        for i in 1...lines {
            if i == badAt { text += "\(i)\tone\ttoo many\n"; continue }
            let body = i % 1000 == 0 ? "Cli\\303\\253nt \(i)" : "Regel \(i).\\nTweede regel met een tab\\t, 👍 en \\\\ erin."
            text += "\(i)\t\(body)\n"
            if i == lines / 2 { text += "\\.\n\nCOPY public.other (id, body) FROM stdin;\n1\tx\n\\.\n\nCOPY public.notes (id, body) FROM stdin;\n" }
        }
        text += "\\.\n"
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("relay-\(UUID().uuidString).sql").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The line of note `id` in `dump(lines:)`: 15 lines come before the first, 7 between the halves.
    func line(_ id: Int, of lines: Int = 20_000) -> Int { id <= lines / 2 ? 15 + id : 22 + id }

    /// What a run sees. One thread has the reader decode a line the sieve turns away and return
    /// it; two have the routing thread decode it for `take`; either way the run takes it, as here.
    struct Outcome: Equatable {
        var events: [String] = []
        /// Rows taken, by line.
        var rows: [Int: SourceRow] = [:]
        var error: String?
        /// Of those, rows the reader returned.
        var returned = 0

        static func == (a: Outcome, b: Outcome) -> Bool { a.events == b.events && a.rows == b.rows && a.error == b.error }
    }

    func relay(_ path: String, threaded: Bool, failAt: Int? = nil) throws -> Outcome {
        let sieve = RecordingSieve(failAt: failAt)
        var outcome = Outcome()
        func take(_ row: SourceRow) {
            sieve.events.append("take \(row.location.line!)")
            outcome.rows[row.location.line!] = row
        }
        let relay = AssemblyRelay(sieve, threaded: threaded, take: take)
        defer { relay.stop() }
        let reader = try SQLDumpReader(path: path)
        reader.setSieve(relay)
        do {
            while let row = try relay.next(reader) {
                take(row)
                outcome.returned += 1
            }
        } catch let e as DossierError {
            outcome.error = "\(e.code) at \(e.location?.line ?? -1)"
        }
        outcome.events = sieve.events
        return outcome
    }

    /// Every row of the dump as a reader without a sieve decodes it, by line.
    func plainRows(_ path: String) throws -> [Int: SourceRow] {
        let reader = try SQLDumpReader(path: path)
        var rows: [Int: SourceRow] = [:]
        while let row = try reader.nextRow() { rows[row.location.line!] = row }
        return rows
    }

    @Test func relayedLinesKeepTheirOrderAcrossBatches() throws {
        let path = try dump(lines: 20_000)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let threaded = try relay(path, threaded: true)
        #expect(threaded == (try relay(path, threaded: false)))
        #expect(threaded.error == nil)

        let carried = threaded.events.filter { $0.hasPrefix("carry") }
        #expect(carried.count == 20_000 - 20)
        let bytes = carried.reduce(0) { $0 + Int($1.split(separator: " ")[3])! }
        #expect(bytes > 3 * AssemblyRelay.batchBytes)
        #expect(threaded.events.filter { $0.hasPrefix("plan") } == ["plan notes", "plan other", "plan notes"])

        // Lines turned away are decoded into the rows the reader makes: the routing thread decodes
        // them, and the reader only those it cannot carry (and the other table's).
        let plain = try plainRows(path)
        #expect(threaded.rows.count == 2_000 + 20 + 1)
        #expect(threaded.returned == 20 + 1)
        for (line, row) in threaded.rows { #expect(plain[line] == row, "line \(line)") }
        #expect(threaded.returned + carried.count == plain.count)
    }

    /// A routing failure is the run's error even when the reader has meanwhile read on to an error
    /// of its own further down: in the batch being filled (300), in the next (5,000), or far
    /// beyond (it stops at its next hand-over); no line after the failure reaches the sieve.
    @Test(arguments: [nil, 300, 5_000, 19_990])
    func routingFailureComesFirst(badAt: Int?) throws {
        let path = try dump(lines: 20_000, badAt: badAt)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let failAt = line(155)
        let threaded = try relay(path, threaded: true, failAt: failAt)
        #expect(threaded == (try relay(path, threaded: false, failAt: failAt)))
        #expect(threaded.error == "test.route at \(failAt)")
        let last = threaded.events.last { $0.hasPrefix("carry") }.map { Int($0.split(separator: " ")[1])! }
        #expect(last == failAt - 1)

        // Without it, the reader's own error is the run's.
        let unfailed = try relay(path, threaded: true)
        #expect(unfailed == (try relay(path, threaded: false)))
        #expect(unfailed.error == badAt.map { "sql.column-count at \(line($0))" })
    }

    /// A failure found when the reader plans its next statement (where it cannot throw) stops
    /// the run there all the same: the other table's row is never taken.
    @Test func routingFailureBeforeAPlanIsNotLost() throws {
        let path = try dump(lines: 100)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let failAt = line(20, of: 100)
        let threaded = try relay(path, threaded: true, failAt: failAt)
        #expect(threaded == (try relay(path, threaded: false, failAt: failAt)))
        #expect(threaded.error == "test.route at \(failAt)")
        #expect(!threaded.events.contains("plan other"))
    }
}
