import Foundation
import Testing
import DossierModel
@testable import DossierSources

/// Generates a CareSys dump on the fly (nothing is held in memory): per client two episodes, ten
/// invoices and progress reports through the episodes link table, in dump order (table by table).
final class GeneratedCareSys: RowReader {
    let clients: Int
    let reportsPerClient: Int
    private(set) var tables: [String: SourceTable] = [:]
    private let clientColumns = ["id", "client_no", "last_name", "birth_date", "gender", "created_at"]
    private let episodeColumns = ["id", "client_id", "title", "start_date", "end_date"]
    private let reportColumns = ["id", "episode_id", "written_at", "author", "discipline", "body"]
    private let invoiceColumns = ["id", "client_id", "invoice_no", "invoice_date", "amount"]
    private var table = 0
    private var i = 0
    private var line = 0
    private let body = String(repeating: "Cliënt heeft goed geslapen en ontbeten. ", count: 3)

    init(clients: Int, reportsPerClient: Int) {
        self.clients = clients
        self.reportsPerClient = reportsPerClient
    }

    var rowCount: Int { clients * (1 + 2 + reportsPerClient + 10) }

    func nextRow() throws -> SourceRow? {
        let counts = [clients, clients * 2, clients * reportsPerClient, clients * 10]
        while table < counts.count, i == counts[table] { table += 1; i = 0 }
        guard table < counts.count else { return nil }
        defer { i += 1; line += 1 }
        let loc = SourceLocation(file: "generated.sql", line: line)
        let day = String(1 + i % 28), pad = day.count == 1 ? "0" + day : day
        switch table {
        case 0:
            if i == 0 { tables["clients"] = SourceTable(name: "clients", columns: clientColumns.map { SourceColumn(name: $0) }) }
            return SourceRow(table: "clients", columns: clientColumns,
                             values: [.number(String(i)), .text("C-\(i)"), .text("Achternaam\(i)"), .text("1970-01-\(pad)"),
                                      .text(i % 2 == 0 ? "M" : "F"), .text("2024-03-\(pad) 10:00:00")], location: loc)
        case 1:
            return SourceRow(table: "episodes", columns: episodeColumns,
                             values: [.number(String(i)), .number(String(i / 2)), .text("Traject"), .text("2024-01-\(pad)"), .null],
                             location: loc)
        case 2:
            return SourceRow(table: "reports", columns: reportColumns,
                             values: [.number(String(i)), .number(String(i % (clients * 2))), .text("2024-06-\(pad) 09:30:00"),
                                      .text("mw. K"), .text("verpleging"), .text(body)], location: loc)
        default:
            return SourceRow(table: "invoices", columns: invoiceColumns,
                             values: [.number(String(i)), .number(String(i % clients)), .text("F-\(i)"), .text("2024-02-\(pad)"),
                                      .number("\(i % 1000).50")], location: loc)
        }
    }
}

/// Peak resident set size of this process (VmHWM), in bytes.
func enginePeakRSS() throws -> Int {
    let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
    let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") })
    let kb = try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]))
    return kb * 1024
}

@Suite struct MappingScaleTests {
    /// Rows through the whole engine with memory staying flat. The default size keeps the debug test
    /// run short; the figure in the report comes from a release run with
    /// `DOSSIERPORT_SCALE_ROWS=2000000 swift test -c release --filter MappingScaleTests`.
    @Test func manyRowsInFlatMemory() throws {
        let wanted = ProcessInfo.processInfo.environment["DOSSIERPORT_SCALE_ROWS"].flatMap(Int.init) ?? 200_000
        let clients = max(1, wanted / 100)
        let reader = GeneratedCareSys(clients: clients, reportsPerClient: 87)
        var dossiers = 0, reports = 0, lastID = ""
        var ordered = true
        let started = Date()
        let account = try DossierAssembler(profile: try fixtureProfile("caresys-postgres.json"), documents: RecordingResolver())
            .run([reader]) { d, diagnostics in
                dossiers += 1
                reports += d.progressReports.count
                if diagnostics.contains(where: { $0.severity == .error }) { ordered = false }
                lastID = d.id
            }
        let seconds = Date().timeIntervalSince(started)
        let peak = try enginePeakRSS()
        print("scale: \(reader.rowCount) rows, \(clients) clients in \(String(format: "%.1f", seconds)) s = \(Int(Double(reader.rowCount) / seconds)) rows/s; VmHWM \(peak / 1_048_576) MiB")
        #expect(dossiers == clients)
        #expect(!lastID.isEmpty && ordered)
        #expect(reports == clients * 87)
        #expect(account.reconciles)
        #expect(account.table("reports").map { [$0.read, $0.mapped] } == [clients * 87, clients * 87])
        #expect(account.diagnostics.isEmpty)
        #expect(peak < 200 * 1_048_576)

        // One client out of the same input: rows of other clients never reach the spill.
        let one = GeneratedCareSys(clients: clients, reportsPerClient: 87)
        var only: [String] = []
        var onlyReports = 0
        let filterStart = Date()
        let filtered = try DossierAssembler(profile: try fixtureProfile("caresys-postgres.json"),
                                            options: ExportOptions(clientKey: "7"), documents: RecordingResolver())
            .run([one]) { d, _ in only.append(d.client.id); onlyReports = d.progressReports.count }
        print("scale: --client filter over \(one.rowCount) rows in \(String(format: "%.1f", Date().timeIntervalSince(filterStart))) s")
        #expect(only == ["client-7"])
        #expect(filtered.reconciles)
        let expected = (0..<(clients * 87)).filter { ($0 % (clients * 2)) / 2 == 7 }.count
        #expect(onlyReports == expected)
        #expect(filtered.table("reports").map { [$0.mapped, $0.filtered] } == [expected, clients * 87 - expected])
    }
}
