import DossierModel
import Foundation
import Testing
@testable import DossierSources

/// The hostile corpus of reliability.md section 4 (S1–S26), written by
/// fixtures/hostile/sql/make-hostile.py: each file has one asserted outcome.
@Suite struct SQLHostileTests {
    static let directory = packageRoot.appendingPathComponent("fixtures/hostile/sql")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// The values of each table's rows.
    static func values(_ name: String, dialect: SQLDialect? = nil) throws -> [String: [[SourceValue]]] {
        try readAll(path(name), dialect: dialect).rows.mapValues { $0.map(\.values) }
    }

    static let errors: [(file: String, code: String, line: Int)] = [
        ("pg-no-terminator.sql", "sql.truncated", 8),               // S4: line of the COPY
        ("pg-octal-nul.sql", "sql.nul", 10),                        // S5
        ("pg-octal-range.sql", "sql.copy-escape", 9),               // S5
        ("pg-colcount.sql", "sql.column-count", 10),                // S6
        ("pg-crlf.sql", "sql.crlf", 8),                             // S8: the COPY line already
        ("pg-copy-csv.sql", "sql.unsupported", 8),                  // S9
        ("pg-copy-delimiter.sql", "sql.unsupported", 8),            // S9
        ("pg-metacmd-shell.sql", "sql.meta-command", 7),            // S10
        ("pg-metacmd-include.sql", "sql.meta-command", 7),          // S10
        ("pg-metacmd-copy.sql", "sql.meta-command", 7),             // S10
        ("pg-metacmd-gexec.sql", "sql.meta-command", 7),            // S10: after a SELECT, still refused
        ("pg-metacmd-set.sql", "sql.meta-command", 7),              // S10
        ("pg-restrict-mismatch.sql", "sql.restrict-mismatch", 8),   // S11
        ("pg-restrict-missing.sql", "sql.restrict-mismatch", 8),    // S11: noticed at the end
        ("my-raw-text.sql", "sql.encoding", 7),                     // S16
        ("sqlite-function.sql", "sql.unsupported-expression", 5),   // S22
        ("py-iterdump-inf.sql", "sql.unsupported-expression", 4),   // S24
        ("pg-invalid-utf8.sql", "sql.encoding", 10),                // S25
        ("pg-encoding-unsupported.sql", "sql.encoding-unsupported", 5), // S25
        ("my-unterminated.sql", "sql.truncated", 7),                // string start line
    ]

    @Test(arguments: errors.map(\.file))
    func hostileFileFailsWithCodeAndLine(file: String) throws {
        let want = Self.errors.first { $0.file == file }!
        let got = try #require(failure(Self.path(file)), "\(file) must fail")
        #expect(got.code == want.code)
        #expect(got.line == want.line)
        #expect(got.column != nil)
    }

    @Test func errorsNameColumnsButNeverValues() throws {
        do {
            _ = try readAll(Self.path("pg-invalid-utf8.sql"))
            Issue.record("must fail")
        } catch let error as DossierError {
            #expect(error.location?.column == 1)
            #expect(!error.description.contains("ab"))
        }
        do {
            _ = try readAll(Self.path("sqlite-function.sql"))
            Issue.record("must fail")
        } catch let error as DossierError {
            #expect(error.location?.column == 24)
        }
    }

    /// A quoted encoding or table name that runs on (its closing quote lost) swallows the
    /// records after it; the message shows such a name by its length only (found by
    /// `DossierportFuzz run sql`: the whole rest of the dump was in the message).
    @Test(arguments: [
        ("SET client_encoding = 'LATIN9;\nCOPY public.clients (id, bsn) FROM stdin;\n1\t123456782\n\\.\n-- '\n;\n", "sql.encoding-unsupported"),
        ("INSERT INTO \"clients\n1, '123456782', 'Jan'\n\" VALUES (1);\n", "sql.unknown-table"),
    ])
    func runOnNamesStayOutOfMessages(_ dump: String, _ code: String) throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dossierport-\(UUID().uuidString)-runon.sql")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(dump.utf8).write(to: url)
        let error = #expect(throws: DossierError.self) { _ = try readAll(url.path, dialect: .postgres) }
        #expect(error?.code == code && error?.location?.line == 1, "\(String(describing: error))")
        let message = error?.diagnostic.message ?? ""
        #expect(!message.contains("123456782") && !message.contains("\n") && message.contains("<a name of "), "\(message)")
        #expect(Diagnostic.shownName("LATIN9") == "LATIN9" && Diagnostic.shownName("clients") == "clients")
    }

    @Test func s1CopyEscapes() throws {
        #expect(try Self.values("pg-copy-escapes.sql")["t"] == [[
            .number("1"), .text("tab\there\nnewline back\\slash \\N literal"), .bytes([0x00, 0xFF, 0x5C, 0x0A]),
            .text(#"{"k": "v\\n"}"#), .text(#"{"a,b","c\"d",NULL}"#), .number("NaN"), .number("infinity"),
        ]])
    }

    @Test func s2NullIsMatchedBeforeUnescaping() throws {
        #expect(try Self.values("pg-null-vs-literal.sql")["t"] == [[.null], [.text("\\N")], [.text("\\N")]])
    }

    @Test func s3EndMarkerInData() throws {
        #expect(try Self.values("pg-eod-in-data.sql")["t"] == [[.number("1"), .text("\\.")], [.number("2"), .text("after")]])
    }

    @Test func s5OctalAndHex() throws {
        #expect(try Self.values("pg-octal-hex.sql")["t"] == [[.text("AA")]])
    }

    @Test func s7ByteaEscapeFormat() throws {
        #expect(try Self.values("pg-bytea-escape-format.sql")["t"] == [[.bytes([0x00, 0xFF])], [.bytes([0x61, 0x5C, 0x62])]])
    }

    @Test func s12MultilineInserts() throws {
        let (rows, _) = try readAll(Self.path("pg-inserts-multiline.sql"))
        let t = try #require(rows["t"])
        #expect(t.map(\.values) == [
            [.number("1"), .text("two\nlines\tand tab")], [.number("2"), .text("a;b")], [.number("3"), .text("--x")],
            [.number("4"), .text("/*")], [.number("5"), .text("'")],
        ])
        #expect(t.map(\.location.line) == [8, 10, 11, 12, 13])
    }

    @Test func s13StandardConformingStrings() throws {
        #expect(try Self.values("pg-scs-off.sql")["t"] == [
            [.number("1"), .text("a\\nb")], [.number("2"), .text("A😀")], [.number("3"), .text("It's")],
            [.number("4"), .text("tab\there")], [.number("5"), .text("x\\y")],
        ])
    }

    @Test func s14DollarQuotesAndNestedComments() throws {
        #expect(try Self.values("pg-dollar.sql")["t"] == [[.number("7")]])
    }

    @Test func s15MySQLEscapes() throws {
        #expect(try Self.values("my-escapes.sql")["t"] == [
            [.number("1"), .text("\u{0}\u{1A}'\"\\\\%\\_")], [.number("2"), .text("a'b")],
            [.number("3"), .text("q\u{8}\n\r\t")],
        ])
    }

    @Test func s16RawBytesInBlob() throws {
        #expect(try Self.values("my-raw-blob.sql")["t"] == [[.number("1"), .bytes([0x00, 0xFF, 0xFE, 0x00])]])
    }

    @Test func s17HexBinaryAndBitLiterals() throws {
        #expect(try Self.values("my-hex.sql")["t"] == [[
            .bytes([0x00, 0xFF]), .bytes([0x00, 0xFF]), .bytes([0x61, 0x00, 0x62]), .number("5"), .bytes([]),
        ]])
    }

    @Test func s19To21MySQLCommentsDelimitersAndSandbox() throws {
        #expect(try Self.values("mariadb-sandbox.sql")["t"] == [[.number("1")]])
        #expect(try Self.values("my-delimiter.sql")["t"] == [[.number("1"), .text("x;y")]])
        #expect(try Self.values("my-comments.sql")["t"] == [
            [.number("1"), .text("# not a comment")], [.number("2"), .text("-- nor this")],
        ])
    }

    @Test func s22SqliteReplace() throws {
        #expect(try Self.values("sqlite-replace.sql")["t"] == [
            [.number("1"), .text("a\nb")], [.number("2"), .text("c\rd\ne")], [.number("3"), .text("x\ny\\n")],
        ])
    }

    @Test func s23SqliteInfinityStaysAsWritten() throws {
        #expect(try Self.values("sqlite-inf.sql")["t"] == [[.number("1"), .number("1e999")], [.number("2"), .number("-1e999")]])
    }

    @Test func s25DeclaredEncodings() throws {
        #expect(try Self.values("pg-latin1.sql")["t"] == [[.text("Cliënt")], [.text("Zoë")]])
        // MySQL's latin1 is Windows-1252: 0x80 is the euro sign.
        #expect(try Self.values("my-latin1.sql", dialect: .mysql)["t"] == [[.text("€ Zoë")]])
    }

    @Test func s26Identifiers() throws {
        let (rows, reader) = try readAll(Self.path("pg-identifiers.sql"))
        let row = try #require(rows["billing.Tabel \"x\""]?.first)
        #expect(row.columns == ["a\"b", "cliënt", "plain"])
        #expect(row["cliënt"] == .text("Zoë"))
        #expect(reader.tables["billing.Tabel \"x\""]?.columns.map(\.name) == ["a\"b", "cliënt", "plain"])
        let (my, _) = try readAll(Self.path("my-identifiers.sql"))
        #expect(my["a`b"]?.first?.columns == ["c`d", "cliënt"])
    }

    @Test func unknownDialectIsAnError() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dossierport-nodialect-\(getpid()).sql")
        try Data("INSERT INTO t VALUES (1);\n".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(failure(file.path)?.code == "sql.dialect-unknown")
        #expect(failure(file.path, dialect: .sqlite)?.code == "sql.unknown-table")
    }
}
