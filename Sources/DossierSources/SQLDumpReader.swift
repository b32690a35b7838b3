#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DossierModel
import DossierIO

/// Reads the rows of a pg_dump, mysqldump/mariadb-dump or sqlite3 `.dump` file without executing
/// anything and without loading the file.
///
/// Only a whitelisted subset is understood: `CREATE TABLE` (for column names and types), `COPY …
/// FROM stdin` blocks, `INSERT … VALUES` (extended inserts are read tuple by tuple as bytes
/// arrive), and the `SET`s that change how literals are read. Every other statement is skipped
/// by a lexer that knows the dialect's quotes and comments; psql meta-commands other than
/// `\restrict`/`\unrestrict` are refused, since a dump is not allowed to ask for anything to run.
///
/// Policies, chosen so that nothing changes silently:
/// - Table names drop the default schema (`public.clients` and `main.clients` are `clients`) so
///   one mapping profile fits every dialect; other schemas stay in the name (`billing.invoices`).
///   Identifiers are kept as written (PostgreSQL's unquoted ones folded to lower case), never
///   truncated to 63 bytes.
/// - Values are typed by literal and declared column type: unquoted numbers (`1e999` too) are
///   `.number` as written; strings in bytea/blob/binary columns are `.bytes`; in PostgreSQL,
///   numeric and boolean columns (COPY text, quoted `'NaN'`) become `.number`/`.boolean`; arrays,
///   JSON, dates stay text for the mapping profile.
/// - COPY data with a raw CR (a dump saved with CRLF) is refused (`sql.crlf`), not stripped;
///   COPY options other than the default text format are refused (`sql.unsupported`).
/// - Memory is bounded by one row plus `limit` bytes for any single line or literal.
/// - With a `RowSieve`, COPY lines it turns away are only split, never decoded: a structural
///   error (no `\.`, a truncated file, a wrong column count, counted by tabs) is still reported
///   exactly as for a decoded row, but a bad value in such a line is not looked for. INSERT
///   tuples are lexed in any case (only that finds their end); those of a counted table are not
///   decoded, those of other tables always are.
/// - Not read: MySQL's ANSI_QUOTES and NO_BACKSLASH_ESCAPES modes, SQLite `[identifiers]`; MySQL's
///   `--x` (no space) is taken as a comment.
///
/// A thrown error ends the stream (later calls throw it again); rows yielded before it must be
/// treated as uncommitted, since a truncated dump (`sql.truncated`) is only noticed at its end.
public final class SQLDumpReader: RowReader {
    public private(set) var tables: [String: SourceTable] = [:]
    public let dialect: SQLDialect
    /// The default cap on one statement's line, literal or COPY line.
    public static let defaultLimit = 64 << 20

    private let input: SQLInput
    private let lexer: SQLLexer
    private var encoding = SQLTextEncoding.utf8
    private var delimiter: [UInt8] = [UInt8(ascii: ";")]
    private var restrictKey: String?
    private var state = State.statements
    private var failure: DossierError?
    /// Where the current statement starts on its line, for errors about the whole statement.
    private var statementColumn = 1
    /// COPY fields with escapes are unescaped here.
    private let scratch = SQLByteBuffer()
    private var sieve: (any RowSieve)?
    /// The probed fields of the current COPY line, reused so a skipped row allocates nothing.
    private let probed: UnsafeMutablePointer<UnsafeBufferPointer<UInt8>?>
    /// Where the first tabs of the current COPY line are.
    private let tabAt: UnsafeMutablePointer<Int>

    /// Where rows of the current COPY block or INSERT go.
    private struct Target {
        let table: String
        let columns: [String]
        let kinds: [SQLColumnKind]
        /// Where the COPY or INSERT starts, for errors that concern the whole statement.
        let line: Int
        let column: Int
        /// What the sieve asked for; INSERT rows are decoded unless their table is only counted.
        var plan = RowPlan.decode
        /// With a `.carry` plan: per column, whether it is numeric (all others are text).
        var numeric: [Bool] = []
    }

    private enum State {
        case statements
        case copy(Target)
        case tuples(Target)
        case done
    }

    /// Opens `path` (`-` is standard input). The dialect is detected from the dump's header
    /// unless given.
    public init(path: String, dialect: SQLDialect? = nil, limit: Int = SQLDumpReader.defaultLimit) throws {
        input = SQLInput(reader: try ByteReader(path: path), limit: limit)
        self.dialect = try dialect ?? Self.detect(input)
        lexer = SQLLexer(input: input, dialect: self.dialect)
        // Allocated last, after everything that can throw: an initialiser that fails part-way
        // runs no `deinit`, and these 240 KB were lost with every file that was not a dump
        // (found by `DossierportFuzz run sql`, whose memory grew with each such input).
        probed = .allocate(capacity: SQLDumpReader.maxColumns)
        tabAt = .allocate(capacity: SQLDumpReader.maxColumns + 1)
    }

    public func setSieve(_ sieve: (any RowSieve)?) { self.sieve = sieve }

    deinit {
        probed.deallocate()
        tabAt.deallocate()
    }

    public func nextRow() throws -> SourceRow? {
        if let failure { throw failure }
        do {
            while true {
                switch state {
                case .statements:
                    try statement()
                case .copy(let target):
                    if let row = try copyRow(target) { return row }
                    state = .statements
                case .tuples(let target):
                    guard target.plan == .count, let sieve else { return try tupleRow(target) }
                    let line = try skipTuple(target)
                    _ = try sieve.admit(RawFields(probed, count: 0), line: line)
                case .done:
                    return nil
                }
            }
        } catch let error as DossierError {
            failure = error
            throw error
        }
    }

    // MARK: Dialect

    /// Recognises the dump tools' own header lines; hand-written dumps must name their dialect.
    private static func detect(_ input: SQLInput) throws -> SQLDialect {
        let head = try input.prefix(1 << 16)
        func has(_ needle: String) -> Bool {
            let n = Array(needle.utf8)
            guard head.count >= n.count else { return false }
            return (0...(head.count - n.count)).contains { i in head[i..<i + n.count].elementsEqual(n) }
        }
        if has("-- PostgreSQL database dump") || has("\n\\restrict ") || has("SET standard_conforming_strings")
            || has(" FROM stdin;") {
            return .postgres
        }
        if has("/*M!999999") || has("-- MySQL dump") || has("-- MariaDB dump") || has("/*!40101 SET") {
            return .mysql
        }
        if head.starts(with: Array("PRAGMA foreign_keys".utf8)) || has("BEGIN TRANSACTION;") {
            return .sqlite
        }
        throw input.error("sql.dialect-unknown",
                          "cannot tell which tool made this dump; name the dialect (postgres, mysql, sqlite)",
                          line: 1, column: 1)
    }

    // MARK: Statements

    private func statement() throws {
        let token = try lexer.next()
        let line = lexer.tokenLine
        statementColumn = lexer.tokenColumn
        switch token {
        case .end:
            if restrictKey != nil {
                throw input.error("sql.restrict-mismatch",
                                  "the dump ends without the \\unrestrict that its \\restrict asks for; it may be truncated")
            }
            state = .done
        case .punct(0x5C) where dialect == .postgres:
            try metaCommand(line: line)
        case .word(let word):
            switch word.uppercased() {
            case "CREATE": try createStatement(line: line)
            case "COPY": try copyStatement(line: line)
            case "INSERT", "REPLACE": try insertStatement(line: line)
            case "SET": try setStatement(line: line)
            case "DELIMITER" where dialect == .mysql: try delimiterCommand(line: line)
            default: try skipStatement(after: token, line: line)
            }
        default:
            try skipStatement(after: token, line: line)
        }
    }

    /// True when `token` starts the statement delimiter, whose other bytes are then consumed.
    private func atDelimiter(_ token: SQLToken) throws -> Bool {
        guard token == .punct(delimiter[0]) else { return false }
        for byte in delimiter.dropFirst() {
            let t = try lexer.next()
            guard t == .punct(byte) else { lexer.unread(t); return false }
        }
        return true
    }

    private func skipStatement(after first: SQLToken, line: Int) throws {
        var token = first
        while !(try atDelimiter(token)) {
            if token == .end { throw truncated("a statement", line: line, column: statementColumn) }
            if token == .punct(0x5C), dialect == .postgres {
                // psql ends a statement at a meta-command such as \gexec, which would run its result.
                throw input.error("sql.meta-command", "the dump contains a psql meta-command, which is refused",
                                  line: lexer.tokenLine, column: lexer.tokenColumn)
            }
            token = try lexer.next()
        }
    }

    private func expectDelimiter(line: Int) throws {
        let t = try lexer.next()
        if t == .end { throw truncated("a statement", line: line, column: statementColumn) }
        guard try atDelimiter(t) else { throw syntax("expected the end of the statement") }
    }

    /// psql meta-commands: only `\restrict`/`\unrestrict` (pg_dump's guard against injected
    /// meta-commands) are accepted, and their keys must match.
    private func metaCommand(line: Int) throws {
        let text = String(decoding: try input.restOfLine(), as: UTF8.self)
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
        switch words.first {
        case "restrict" where words.count == 2 && restrictKey == nil:
            restrictKey = words[1]
        case "unrestrict" where words.count == 2:
            guard restrictKey == words[1] else {
                throw input.error("sql.restrict-mismatch", "\\unrestrict does not match the dump's \\restrict key",
                                  line: line, column: statementColumn)
            }
            restrictKey = nil
        case "restrict", "unrestrict":
            throw input.error("sql.restrict-mismatch", "a malformed or repeated \\restrict", line: line, column: statementColumn)
        default:
            throw input.error("sql.meta-command", "the dump contains a psql meta-command, which is refused", line: line, column: statementColumn)
        }
    }

    /// MySQL's client directive, used around triggers and routines whose bodies hold `;`.
    private func delimiterCommand(line: Int) throws {
        let bytes = try input.restOfLine().filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }
        guard !bytes.isEmpty, !bytes.contains(0x5C) else { throw input.error("sql.syntax", "a DELIMITER without a delimiter", line: line, column: statementColumn) }
        delimiter = bytes
    }

    private func setStatement(line: Int) throws {
        var token = try lexer.next()
        if case .word(let w) = token, ["SESSION", "LOCAL", "GLOBAL"].contains(w.uppercased()) {
            token = try lexer.next()
        }
        guard case .word(let name) = token else { return try skipStatement(after: token, line: line) }
        let variable = name.lowercased()
        var value: String?
        if variable == "names" {
            value = settingText(try lexer.next())
        } else {
            let t = try lexer.next()
            if case .word(let w) = t, w.uppercased() == "TO" {
                value = settingText(try lexer.next())
            } else if t == .punct(UInt8(ascii: "=")) {
                value = settingText(try lexer.next())
            } else {
                lexer.unread(t)
            }
        }
        switch (variable, value?.lowercased()) {
        case ("client_encoding", let v?), ("names", let v?), ("character_set_client", let v?):
            guard v != "default" else { break }
            guard let e = SQLTextEncoding.named(v, dialect: dialect) else {
                throw input.error("sql.encoding-unsupported", "the dump declares an encoding that is not supported (\(Diagnostic.shownName(v)))",
                                  line: line, column: statementColumn)
            }
            encoding = e
        case ("standard_conforming_strings", "on"?), ("standard_conforming_strings", "true"?):
            lexer.standardConformingStrings = true
        case ("standard_conforming_strings", "off"?), ("standard_conforming_strings", "false"?):
            lexer.standardConformingStrings = false
        default:
            break
        }
        try skipStatement(after: try lexer.next(), line: line)
    }

    /// A setting's value; nil for a variable (`@saved_cs_client`) or an expression.
    private func settingText(_ token: SQLToken) -> String? {
        switch token {
        case .word(let w): return w
        case .identifier(let s): return s
        case .string(.text): return String(decoding: lexer.literal.bytes, as: UTF8.self)
        default: return nil
        }
    }

    // MARK: CREATE TABLE

    private func createStatement(line: Int) throws {
        var token = try lexer.next()
        while case .word(let w) = token,
              ["OR", "REPLACE", "TEMPORARY", "TEMP", "UNLOGGED", "GLOBAL", "LOCAL"].contains(w.uppercased()) {
            token = try lexer.next()
        }
        guard case .word(let w) = token, w.uppercased() == "TABLE" else {
            return try skipStatement(after: token, line: line)
        }
        token = try lexer.next()
        if case .word(let w) = token, w.uppercased() == "IF" {
            _ = try lexer.next(); _ = try lexer.next()
            token = try lexer.next()
        }
        let name = try qualifiedName(token)
        token = try lexer.next()
        guard token == .punct(UInt8(ascii: "(")) else { return try skipStatement(after: token, line: line) }
        tables[name] = SourceTable(name: name, columns: try columnDefinitions(line: line))
        try skipStatement(after: try lexer.next(), line: line)
    }

    /// The column list of a `CREATE TABLE`, after its `(`: one element per top-level comma.
    private func columnDefinitions(line: Int) throws -> [SourceColumn] {
        var columns: [SourceColumn] = []
        var element: [SQLToken] = []
        var depth = 0
        while true {
            var token = try lexer.next()
            switch token {
            case .end:
                throw truncated("a CREATE TABLE", line: line, column: statementColumn)
            case .punct(UInt8(ascii: "(")):
                depth += 1
            case .punct(UInt8(ascii: ")")) where depth == 0, .punct(UInt8(ascii: ",")) where depth == 0:
                if let c = column(element) { columns.append(c) }
                if columns.count > Self.maxColumns { throw input.tooLarge() }
                element.removeAll()
                if token == .punct(UInt8(ascii: ")")) { return columns }
                continue
            case .punct(UInt8(ascii: ")")):
                depth -= 1
            case .string:
                // Kept for types such as enum('a','b'); the text is only informational.
                token = .word("'" + String(decoding: lexer.literal.bytes, as: UTF8.self) + "'")
            default:
                break
            }
            element.append(token)
            if element.count > 10_000 { throw input.tooLarge() }
        }
    }

    /// Far above any engine's limit (PostgreSQL 1600, MySQL 4096), so a crafted CREATE TABLE or
    /// column list cannot grow memory without bound.
    static let maxColumns = 10_000

    private static let constraintStarts: Set<String> = [
        "CONSTRAINT", "PRIMARY", "UNIQUE", "KEY", "INDEX", "FOREIGN", "CHECK", "FULLTEXT", "SPATIAL", "EXCLUDE",
        "LIKE", "PERIOD",
    ]
    private static let typeEnds: Set<String> = [
        "NOT", "NULL", "DEFAULT", "PRIMARY", "REFERENCES", "UNIQUE", "CHECK", "COLLATE", "CONSTRAINT", "GENERATED",
        "AUTO_INCREMENT", "AUTOINCREMENT", "COMMENT", "CHARSET", "CHARACTER", "ON", "AS", "IDENTITY", "KEY",
        "INVISIBLE", "VISIBLE", "STORAGE", "COMPRESSION",
    ]

    /// A column from one element of a column list, or nil for a table constraint.
    private func column(_ element: [SQLToken]) -> SourceColumn? {
        let name: String
        switch element.first {
        case .identifier(let s)?: name = s
        case .word(let w)? where !Self.constraintStarts.contains(w.uppercased()): name = foldIdentifier(w)
        default: return nil
        }
        var type = ""
        var spaced = false
        for token in element.dropFirst() {
            switch token {
            case .word(let w):
                if !type.isEmpty, Self.typeEnds.contains(w.uppercased()) { return SourceColumn(name: name, type: type) }
                if type.isEmpty, w.uppercased() != "CHARACTER", Self.typeEnds.contains(w.uppercased()) {
                    return SourceColumn(name: name, type: nil)
                }
                type += (spaced ? " " : "") + w.lowercased()
                spaced = true
            case .identifier(let s):
                type += (spaced ? " " : "") + s.lowercased()
                spaced = true
            case .number(let n):
                type += n
                spaced = false
            case .punct(let p):
                type += String(UnicodeScalar(p))
                spaced = p == UInt8(ascii: ")")
            case .string, .end:
                break
            }
        }
        return SourceColumn(name: name, type: type.isEmpty ? nil : type)
    }

    /// PostgreSQL folds unquoted names to lower case (ASCII only); the others keep them as written.
    private func foldIdentifier(_ word: String) -> String {
        guard dialect == .postgres else { return word }
        return String(decoding: word.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    private func identifier(_ token: SQLToken) throws -> String {
        switch token {
        case .identifier(let s): return s
        case .word(let w): return foldIdentifier(w)
        case .end: throw truncated("a statement", line: lexer.tokenLine, column: lexer.tokenColumn)
        default: throw syntax("expected a name")
        }
    }

    /// `schema.table`, with the default schema dropped.
    private func qualifiedName(_ first: SQLToken) throws -> String {
        var parts = [try identifier(first)]
        while true {
            let t = try lexer.next()
            guard t == .punct(UInt8(ascii: ".")) else { lexer.unread(t); break }
            parts.append(try identifier(try lexer.next()))
        }
        if parts.count == 2, parts[0] == (dialect == .postgres ? "public" : "main") { parts.removeFirst() }
        return parts.joined(separator: ".")
    }

    /// `(a, b, …)` after its `(`.
    private func identifierList() throws -> [String] {
        var names: [String] = []
        while true {
            names.append(try identifier(try lexer.next()))
            if names.count > Self.maxColumns { throw input.tooLarge() }
            let t = try lexer.next()
            if t == .punct(UInt8(ascii: ")")) { return names }
            guard t == .punct(UInt8(ascii: ",")) else { throw syntax("expected ',' or ')' in a column list") }
        }
    }

    private func target(table: String, columns: [String]?, line: Int) throws -> Target {
        let declared = tables[table]?.columns
        guard let names = columns ?? declared?.map(\.name) else {
            throw input.error("sql.unknown-table", "rows for table \(Diagnostic.shownName(table)) have no column list and no CREATE TABLE",
                              line: line, column: statementColumn)
        }
        let kinds = names.map { name in
            SQLColumnKind(type: declared?.first { $0.name == name }?.type, dialect: dialect)
        }
        return Target(table: table, columns: names, kinds: kinds, line: line, column: statementColumn)
    }

    // MARK: INSERT

    private func insertStatement(line: Int) throws {
        var token = try lexer.next()
        if case .word(let w) = token, w.uppercased() == "IGNORE" { token = try lexer.next() }
        guard case .word(let into) = token, into.uppercased() == "INTO" else {
            throw input.error("sql.unsupported", "only INSERT INTO … VALUES is read", line: line, column: statementColumn)
        }
        let table = try qualifiedName(try lexer.next())
        token = try lexer.next()
        var columns: [String]?
        if token == .punct(UInt8(ascii: "(")) {
            columns = try identifierList()
            token = try lexer.next()
        }
        if case .word(let w) = token, w.uppercased() == "OVERRIDING" {
            _ = try lexer.next(); _ = try lexer.next()
            token = try lexer.next()
        }
        guard case .word(let values) = token, ["VALUES", "VALUE"].contains(values.uppercased()) else {
            throw input.error("sql.unsupported", "only INSERT INTO … VALUES is read", line: line, column: statementColumn)
        }
        var target = try target(table: table, columns: columns, line: line)
        if let sieve, sieve.plan(table: table, columns: target.columns, file: input.file) == .count { target.plan = .count }
        state = .tuples(target)
    }

    /// One `( … )` tuple of an INSERT, and the `,` or end of statement after it.
    private func tupleRow(_ target: Target) throws -> SourceRow {
        var token = try lexer.next()
        if token == .end { throw truncated("an INSERT", line: target.line, column: target.column) }
        guard token == .punct(UInt8(ascii: "(")) else { throw syntax("expected a parenthesised row of values") }
        let line = lexer.tokenLine, column = lexer.tokenColumn
        var values: [SourceValue] = []
        values.reserveCapacity(target.columns.count)
        while true {
            if values.count == target.columns.count { throw columnCount(target, line: line, column: column) }
            values.append(try value(kind: target.kinds[values.count]))
            token = try lexer.next()
            if token == .punct(UInt8(ascii: ")")) { break }
            if token == .end { throw truncated("an INSERT", line: target.line, column: target.column) }
            guard token == .punct(UInt8(ascii: ",")) else {
                throw input.error("sql.unsupported-expression", "a value is an expression, which is not evaluated",
                                  line: lexer.tokenLine, column: lexer.tokenColumn)
            }
        }
        if values.count != target.columns.count { throw columnCount(target, line: line, column: column) }
        try endOfTuple(target)
        return makeRow(target, values, line: line)
    }

    /// Passes over one tuple of a counted table, lexing it (only that finds its end) but building
    /// no value; returns the line it starts on. Its values are counted as `tupleRow` counts them,
    /// so a wrong count is the same error; a value that is an expression is not looked at.
    private func skipTuple(_ target: Target) throws -> Int {
        var token = try lexer.next()
        if token == .end { throw truncated("an INSERT", line: target.line, column: target.column) }
        guard token == .punct(UInt8(ascii: "(")) else { throw syntax("expected a parenthesised row of values") }
        let line = lexer.tokenLine, column = lexer.tokenColumn
        var values = 0, depth = 0
        while true {
            token = try lexer.next()
            switch token {
            case .end:
                throw truncated("an INSERT", line: target.line, column: target.column)
            case .punct(UInt8(ascii: "(")):
                depth += 1
            case .punct(UInt8(ascii: ")")) where depth > 0:
                depth -= 1
            case .punct(UInt8(ascii: ")")):
                guard values + 1 == target.columns.count else { throw columnCount(target, line: line, column: column) }
                try endOfTuple(target)
                return line
            case .punct(UInt8(ascii: ",")) where depth == 0:
                values += 1
                if values == target.columns.count { throw columnCount(target, line: line, column: column) }
            default:
                break
            }
        }
    }

    /// What follows a tuple: another one, or the end of the INSERT.
    private func endOfTuple(_ target: Target) throws {
        let token = try lexer.next()
        if token == .punct(UInt8(ascii: ",")) {
            // Another tuple follows.
        } else if try atDelimiter(token) {
            state = .statements
        } else if case .word(let w) = token, w.uppercased() == "ON" {
            // ON CONFLICT DO NOTHING / ON DUPLICATE KEY UPDATE: rows are still the rows dumped.
            try skipStatement(after: token, line: target.line)
            state = .statements
        } else if token == .end {
            throw truncated("an INSERT", line: target.line, column: target.column)
        } else {
            throw syntax("expected ',' or the end of the INSERT")
        }
    }

    private func value(kind: SQLColumnKind) throws -> SourceValue {
        let token = try lexer.next()
        let line = lexer.tokenLine, column = lexer.tokenColumn
        switch token {
        case .string(.text):
            let bytes = lexer.literal.bytes
            if dialect == .postgres, bytes.count > 0, memchr(bytes.baseAddress!, 0, bytes.count) != nil {
                throw nulError(line: line, column: column)
            }
            return try typed(bytes, kind, line: line, column: column)
        case .string(.hex):
            return .bytes(Array(lexer.literal.bytes))
        case .string(.bits):
            let bits = lexer.literal.bytes
            guard bits.count <= 64 else { throw input.error("sql.unsupported", "a bit literal is longer than 64 bits") }
            return .number(String(bits.reduce(UInt64(0)) { $0 << 1 | UInt64($1 - 0x30) }))
        case .number(let n):
            return .number(n)
        case .punct(UInt8(ascii: "-")), .punct(UInt8(ascii: "+")):
            guard case .number(let n) = try lexer.next() else { break }
            return .number(token == .punct(UInt8(ascii: "-")) ? "-" + n : n)
        case .word(let w):
            switch w.uppercased() {
            case "NULL": return .null
            case "TRUE": return .boolean(true)
            case "FALSE": return .boolean(false)
            case "REPLACE" where dialect == .sqlite:
                return try sqliteReplace(depth: 0).withUnsafeBufferPointer { try typed($0, kind, line: line, column: column) }
            default:
                // MySQL charset introducers: _binary '…' is bytes, _utf8mb4 '…' is text.
                guard dialect == .mysql, w.hasPrefix("_"), try lexer.next() == .string(.text) else { break }
                if w.lowercased() == "_binary" { return .bytes(Array(lexer.literal.bytes)) }
                return try typed(lexer.literal.bytes, kind, line: line, column: column)
            }
        case .end:
            throw truncated("an INSERT", line: line, column: column)
        default:
            break
        }
        throw input.error("sql.unsupported-expression", "a value is an expression, which is not evaluated",
                          line: line, column: column)
    }

    /// sqlite3 `.dump` writes text holding CR or LF as `replace('…\n…','\n',char(10))`, nested at
    /// most twice; exactly that shape is evaluated, nothing else.
    private func sqliteReplace(depth: Int) throws -> [UInt8] {
        func expect(_ t: SQLToken) throws {
            guard try lexer.next() == t else { throw unsupportedExpression() }
        }
        guard depth < 4 else { throw unsupportedExpression() }
        try expect(.punct(UInt8(ascii: "(")))
        let subject: [UInt8]
        switch try lexer.next() {
        case .string(.text): subject = Array(lexer.literal.bytes)
        case .word(let w) where w.lowercased() == "replace": subject = try sqliteReplace(depth: depth + 1)
        default: throw unsupportedExpression()
        }
        try expect(.punct(UInt8(ascii: ",")))
        try expect(.string(.text))
        let pattern = Array(lexer.literal.bytes)
        try expect(.punct(UInt8(ascii: ",")))
        guard case .word(let char) = try lexer.next(), char.lowercased() == "char" else { throw unsupportedExpression() }
        try expect(.punct(UInt8(ascii: "(")))
        guard case .number(let n) = try lexer.next(), let code = UInt32(n), let scalar = Unicode.Scalar(code) else {
            throw unsupportedExpression()
        }
        try expect(.punct(UInt8(ascii: ")")))
        try expect(.punct(UInt8(ascii: ")")))
        guard !pattern.isEmpty else { return subject }
        let replacement = Array(String(scalar).utf8)
        var out: [UInt8] = []
        out.reserveCapacity(subject.count)
        var i = 0
        while i < subject.count {
            if subject[i] == pattern[0], subject.count - i >= pattern.count,
               subject[i..<i + pattern.count].elementsEqual(pattern) {
                out += replacement
                i += pattern.count
            } else {
                out.append(subject[i])
                i += 1
            }
        }
        return out
    }

    // MARK: COPY

    private func copyStatement(line: Int) throws {
        let table = try qualifiedName(try lexer.next())
        var token = try lexer.next()
        var columns: [String]?
        if token == .punct(UInt8(ascii: "(")) {
            columns = try identifierList()
            token = try lexer.next()
        }
        guard case .word(let from) = token, from.uppercased() == "FROM",
              case .word(let source) = try lexer.next(), source.uppercased() == "STDIN" else {
            throw input.error("sql.unsupported", "only COPY … FROM stdin is read", line: line, column: statementColumn)
        }
        // Only the default text format (tab, \N) is read; anything else is refused, not guessed.
        var options: [String] = []
        token = try lexer.next()
        while !(try atDelimiter(token)) {
            switch token {
            case .end: throw truncated("a COPY statement", line: line, column: statementColumn)
            case .word(let w): options.append(w.lowercased())
            case .punct(let p): options.append(String(UnicodeScalar(p)))
            default: options.append("?")
            }
            if options.count > 8 { break }
            token = try lexer.next()
        }
        if options.first == "with" { options.removeFirst() }
        guard options.isEmpty || options == ["(", "format", "text", ")"] else {
            throw input.error("sql.unsupported", "COPY options other than the default text format are not supported",
                              line: line, column: statementColumn)
        }
        let rest = try input.restOfLine()
        if rest.contains(0x0D) {
            throw input.error("sql.crlf", "the COPY statement ends with a carriage return (CRLF line ends are not accepted)",
                              line: line, column: statementColumn)
        }
        guard rest.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else {
            throw input.error("sql.syntax", "COPY data must start on the line after the COPY statement", line: line, column: statementColumn)
        }
        var target = try target(table: table, columns: columns, line: line)
        if let sieve {
            target.plan = copyPlan(sieve.plan(table: table, columns: target.columns, file: input.file), target)
            if case .carry = target.plan { target.numeric = target.kinds.map { $0 == .number } }
        }
        state = .copy(target)
    }

    /// The sieve's plan, or `.decode` when a probed column is one whose decoded text is not its
    /// raw bytes (bytea, boolean) or does not exist; lines are carried only when every column is
    /// text or numeric and the dump is UTF-8, so that a checked line's bytes are its values.
    private func copyPlan(_ plan: RowPlan, _ target: Target) -> RowPlan {
        let columns: [Int]
        switch plan {
        case .probe(let c): columns = c
        case .carry(let c):
            guard encoding == .utf8, target.kinds.count <= Self.maxColumns,
                  target.kinds.allSatisfy({ $0 == .text || $0 == .number }) else { return .decode }
            columns = c
        case .decode, .count: return plan
        }
        let readable = columns.count <= Self.maxColumns
            && columns.allSatisfy { $0 >= 0 && $0 < target.kinds.count && (target.kinds[$0] == .text || target.kinds[$0] == .number) }
        return readable ? plan : .decode
    }

    /// The next decoded line of a COPY block in PostgreSQL's text format, or nil at its `\.` marker;
    /// lines the sieve turns away are passed over.
    private func copyRow(_ target: Target) throws -> SourceRow? {
        let sieve = target.plan == .decode ? nil : self.sieve
        // Once the sieve has taken one row of a counted table, runs of plain lines go to it in bulk.
        var counting = false
        while true {
            if counting, let sieve {
                let n = input.passLines(tabs: target.columns.count - 1)
                if n > 0 { sieve.passOver(n) }
            }
            let line = input.line
            guard let (bytes, ended) = try input.nextLine() else {
                throw truncated("a COPY block (no \\. end marker)", line: target.line, column: target.column)
            }
            let p = bytes.baseAddress!, count = bytes.count
            if count == 2, p[0] == 0x5C, p[1] == UInt8(ascii: ".") { return nil }
            guard ended else { throw truncated("a COPY block (no \\. end marker)", line: target.line, column: target.column) }
            if let sieve, case .carry(let columns) = target.plan {
                if try !carries(target, columns, sieve, p, count, line: line) { continue }
            } else if let sieve, try !admits(target, sieve, p, count, line: line) {
                counting = target.plan == .count
                continue
            }
            return try copyValues(target, p, count, line: line)
        }
    }

    /// Asks the sieve about a COPY line, giving it the planned fields raw; true (decode) whenever
    /// the line is not plainly what it seems, so that decoding reports any error exactly as it would
    /// without a sieve.
    ///
    /// A line is taken as is only when its tabs give the table's column count (so a line holding a
    /// backslash-escaped tab after the probed fields is decoded too) and the probed fields are
    /// `\N` or text without escapes that decodes to its own bytes. Other defects of a passed-over
    /// line (a bad value, NUL, a raw CR) are not looked for: its values are never used.
    private func admits(_ target: Target, _ sieve: any RowSieve, _ p: UnsafePointer<UInt8>, _ count: Int, line: Int) throws -> Bool {
        guard case .probe(let columns) = target.plan else {
            guard countTabs(p, count) == target.columns.count - 1 else { return true }
            return try sieve.admit(RawFields(probed, count: 0), line: line)
        }
        let last = columns.max() ?? -1
        let (tabs, backslash, _, _) = scanCopyLine(p, count, recording: last + 1, into: tabAt)
        guard tabs == target.columns.count - 1 else { return true }
        if backslash < (last < tabs ? tabAt[last] : count) {
            guard probeEscaped(target, columns, p, count) else { return true }
        } else {
            for (i, c) in columns.enumerated() {
                let start = c == 0 ? 0 : tabAt[c - 1] + 1
                let value = UnsafeBufferPointer(start: p + start, count: (c < tabs ? tabAt[c] : count) - start)
                guard plainText(value, target.kinds[c]) else { return true }
                probed[i] = value
            }
        }
        return try sieve.admit(RawFields(probed, count: columns.count), line: line)
    }

    /// Hands a COPY line to the sieve whole when it is sure to decode without error (see
    /// `CarriedLine`); true when it must be decoded here after all, which reports any error.
    private func carries(_ target: Target, _ columns: [Int], _ sieve: any RowSieve, _ p: UnsafePointer<UInt8>, _ count: Int,
                         line: Int) throws -> Bool {
        let n = target.columns.count
        let scan = scanCopyLine(p, count, recording: n, into: tabAt)
        guard scan.tabs == n - 1, !scan.nulOrCR else { return true }
        func isNull(_ start: Int, _ end: Int) -> Bool { end - start == 2 && p[start] == 0x5C && p[start + 1] == UInt8(ascii: "N") }
        var start = 0
        for f in 0..<n {
            let end = f < n - 1 ? tabAt[f] : count
            if end > scan.backslash, !isNull(start, end), let first = find(0x5C, p, from: start, to: end) {
                // Text may hold the escapes pg_dump writes for control characters and backslashes,
                // which decode to ASCII whatever follows; numbers and the probed fields may not.
                guard !target.numeric[f], !columns.contains(f), CarriedLine.plainEscapes(p, from: first, to: end) else { return true }
            }
            if !scan.ascii, target.numeric[f], !isNull(start, end),
               !UnsafeBufferPointer(start: p + start, count: end - start).allSatisfy({ $0 < 0x80 }) {
                return true
            }
            start = end + 1
        }
        let bytes = UnsafeBufferPointer(start: p, count: count)
        guard scan.ascii || UTF8Validation.firstInvalid(bytes) == nil else { return true }
        for (i, c) in columns.enumerated() {
            let start = c == 0 ? 0 : tabAt[c - 1] + 1, end = c < n - 1 ? tabAt[c] : count
            probed[i] = isNull(start, end) ? nil : UnsafeBufferPointer(start: p + start, count: end - start)
        }
        return try sieve.carry(RawFields(probed, count: columns.count), line: line, raw: CarriedLine(bytes: bytes, numeric: target.numeric, ascii: scan.ascii))
    }

    /// The probed fields of a line with a backslash among them or before them, whose boundaries
    /// only escape-aware splitting finds; false when a probed field is not plain text.
    private func probeEscaped(_ target: Target, _ columns: [Int], _ p: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let last = columns.max() ?? -1
        var field = 0, fieldStart = 0
        probed.update(repeating: nil, count: columns.count)
        while field <= last {
            let end = copyFieldEnd(p, from: fieldStart, to: count)
            if columns.contains(field) {
                let value = UnsafeBufferPointer(start: p + fieldStart, count: end - fieldStart)
                if find(0x5C, p, from: fieldStart, to: end) != nil {
                    guard value.count == 2, value[1] == UInt8(ascii: "N") else { return false }
                } else {
                    guard plainText(value, target.kinds[field]) else { return false }
                    for (i, c) in columns.enumerated() where c == field { probed[i] = value }
                }
            }
            if end == count { return field == last }
            field += 1
            fieldStart = end + 1
        }
        return true
    }

    /// Where the COPY field that starts at `start` ends: at the first tab that no backslash escapes.
    private func copyFieldEnd(_ p: UnsafePointer<UInt8>, from start: Int, to count: Int) -> Int {
        var i = start
        while true {
            let tab = find(0x09, p, from: i, to: count) ?? count
            guard let j = find(0x5C, p, from: i, to: tab) else { return tab }
            i = j + 2
            if i >= count { return count }
        }
    }

    /// True when `value` decodes to a text of exactly these bytes in this column.
    private func plainText(_ value: UnsafeBufferPointer<UInt8>, _ kind: SQLColumnKind) -> Bool {
        if encoding == .utf8, kind == .text { return UTF8Validation.firstInvalid(value) == nil }
        return value.allSatisfy { $0 < 0x80 }
    }

    /// The values of one COPY line.
    ///
    /// One scan finds the tabs; the fields before the first backslash are cut at them, the rest
    /// are split and unescaped field by field, since a backslash may escape a tab. A CR is refused
    /// rather than stripped: COPY TO writes CR as `\r`, so a raw one means the file was edited
    /// (Windows line ends) and the last column would silently change.
    private func copyValues(_ target: Target, _ p: UnsafePointer<UInt8>, _ count: Int, line: Int) throws -> SourceRow {
        let n = target.columns.count
        let scan = scanCopyLine(p, count, recording: n, into: tabAt)
        if scan.nulOrCR, let nul = memchr(p, 0, count) {
            throw nulError(line: line, column: UnsafeRawPointer(nul) - UnsafeRawPointer(p) + 1)
        }
        if scan.nulOrCR, let cr = memchr(p, 0x0D, count) {
            throw input.error("sql.crlf", "a COPY line holds a raw carriage return (CRLF line ends are not accepted)",
                              line: line, column: UnsafeRawPointer(cr) - UnsafeRawPointer(p) + 1)
        }
        var values: [SourceValue] = []
        values.reserveCapacity(n)
        var start = 0, first = 0
        while first < n {
            let end = first < scan.tabs ? tabAt[first] : count
            guard end < scan.backslash else { break }
            values.append(try typed(UnsafeBufferPointer(start: p + start, count: end - start), target.kinds[first],
                                    line: line, column: start + 1))
            if first < n - 1 ? end == count : end != count { throw columnCount(target, line: line, column: 1) }
            start = end + 1
            first += 1
        }
        for index in first..<n {
            var end = find(0x09, p, from: start, to: count) ?? count
            let value: SourceValue
            if end - start == 2, p[start] == 0x5C, p[start + 1] == UInt8(ascii: "N") {
                value = .null
            } else if find(0x5C, p, from: start, to: end) == nil {
                value = try typed(UnsafeBufferPointer(start: p + start, count: end - start), target.kinds[index],
                                  line: line, column: start + 1)
            } else {
                end = try unescapeCopyField(p, count, from: start, line: line)
                value = try typed(scratch.bytes, target.kinds[index], line: line, column: start + 1)
            }
            if index < target.columns.count - 1 ? end == count : end != count {
                throw columnCount(target, line: line, column: 1)
            }
            values.append(value)
            start = end + 1
        }
        return makeRow(target, values, line: line)
    }

    /// Unescapes the COPY field that starts at `start` into `scratch` and returns where it ends (at
    /// an unescaped tab or the end of the line): a backslash may escape a tab, so only this pass
    /// knows the end. Escapes: `\b \f \n \r \t \v`, 1–3 octal digits, `\x` and 1–2 hex digits;
    /// any other escaped byte is itself.
    private func unescapeCopyField(_ p: UnsafePointer<UInt8>, _ count: Int, from start: Int, line: Int) throws -> Int {
        scratch.removeAll()
        var i = start
        var tab = find(0x09, p, from: i, to: count) ?? count
        while true {
            guard let j = find(0x5C, p, from: i, to: tab) else {
                scratch.append(p + i, tab - i)
                return tab
            }
            scratch.append(p + i, j - i)
            guard j + 1 < count else {
                throw input.error("sql.copy-escape", "a COPY field ends with a lone backslash", line: line, column: j + 1)
            }
            let c = p[j + 1]
            i = j + 2
            // The one-character escapes are those a carried line may hold, decoded by the same
            // table, so that carrying a line cannot change what it decodes to.
            if let b = CarriedLine.unescape(c) {
                scratch.append(b)
            } else if (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(c) {
                var v = Int(c - 0x30)
                while i < count, i < j + 4, p[i] >= 0x30, p[i] <= 0x37 { v = v * 8 + Int(p[i] - 0x30); i += 1 }
                if v == 0 { throw nulError(line: line, column: j + 1) }
                guard v <= 0xFF else {
                    throw input.error("sql.copy-escape", "an octal escape in COPY data is out of range",
                                      line: line, column: j + 1)
                }
                scratch.append(UInt8(v))
            } else if c == UInt8(ascii: "x"), i < count, let h = hexValue(p[i]) {
                var v = h
                i += 1
                if i < count, let l = hexValue(p[i]) { v = v * 16 + l; i += 1 }
                if v == 0 { throw nulError(line: line, column: j + 1) }
                scratch.append(UInt8(v))
            } else {
                scratch.append(c)
            }
            if tab < i { tab = find(0x09, p, from: i, to: count) ?? count }
        }
    }

    // MARK: Values

    /// Turns a string's bytes into a value as the column's type says: bytes for binary columns,
    /// numbers and booleans for PostgreSQL's numeric and boolean columns, otherwise text in the
    /// declared encoding.
    private func typed(_ bytes: UnsafeBufferPointer<UInt8>, _ kind: SQLColumnKind, line: Int, column: Int) throws -> SourceValue {
        switch kind {
        case .binary:
            guard dialect == .postgres else { return .bytes(Array(bytes)) }
            guard let decoded = decodeBytea(bytes) else {
                throw input.error("sql.bytea", "a bytea value is malformed", line: line, column: column)
            }
            return .bytes(decoded)
        case .number:
            guard bytes.allSatisfy({ $0 < 0x80 }) else {
                throw input.error("sql.value", "a numeric column holds a value that is not a number", line: line, column: column)
            }
            return .number(String(decoding: bytes, as: UTF8.self))
        case .boolean:
            // COPY writes t/f; --inserts writes true/false, which the lexer already made booleans.
            if bytes.count == 1, bytes[0] == UInt8(ascii: "t") { return .boolean(true) }
            if bytes.count == 1, bytes[0] == UInt8(ascii: "f") { return .boolean(false) }
            switch String(decoding: bytes, as: UTF8.self).lowercased() {
            case "true", "y", "yes", "on", "1": return .boolean(true)
            case "false", "n", "no", "off", "0": return .boolean(false)
            default:
                throw input.error("sql.value", "a boolean column holds a value that is not a boolean", line: line, column: column)
            }
        case .text:
            guard let s = encoding.decode(bytes) else {
                throw input.error("sql.encoding", "a value is not valid UTF-8 (at byte \((UTF8Validation.firstInvalid(bytes)?.index ?? 0) + 1) of the value)",
                                  line: line, column: column)
            }
            return .text(s)
        }
    }

    private func makeRow(_ target: Target, _ values: [SourceValue], line: Int) -> SourceRow {
        SourceRow(dumpTable: target.table, columns: target.columns, values: values, file: input.file, line: line)
    }

    // MARK: Errors

    private func truncated(_ what: String, line: Int, column: Int) -> DossierError {
        input.error("sql.truncated", "the input ends inside \(what) that starts here", line: line, column: column)
    }

    private func syntax(_ message: String) -> DossierError {
        input.error("sql.syntax", message, line: lexer.tokenLine, column: lexer.tokenColumn)
    }

    private func unsupportedExpression() -> DossierError {
        input.error("sql.unsupported-expression", "a value is an expression other than sqlite's replace(…, char(N))",
                    line: lexer.tokenLine, column: lexer.tokenColumn)
    }

    /// PostgreSQL values cannot hold NUL, so one means a corrupt or crafted dump.
    private func nulError(line: Int, column: Int) -> DossierError {
        input.error("sql.nul", "a value holds NUL, which PostgreSQL cannot store", line: line, column: column)
    }

    private func columnCount(_ target: Target, line: Int, column: Int) -> DossierError {
        input.error("sql.column-count", "a row of table \(Diagnostic.shownName(target.table)) does not have \(target.columns.count) values",
                    line: line, column: column)
    }
}

/// The top bit of every zero byte of `x`, exactly: no borrow crosses bytes, unlike the usual
/// `(x - 0x01…) & ~x` test. XORed with a byte repeated, it marks that byte's occurrences.
@inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 {
    let low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    return ~(((x & low) &+ low) | x | low)
}

/// The tabs of a COPY line, eight bytes at a time: all a counted table's line is checked for.
func countTabs(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int {
    var tabs = 0, i = 0
    while i + 8 <= count {
        tabs += zeroBytes(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) ^ 0x0909_0909_0909_0909).nonzeroBitCount
        i += 8
    }
    while i < count {
        if p[i] == 0x09 { tabs += 1 }
        i += 1
    }
    return tabs
}

/// One pass over a COPY line, eight bytes at a time: its tab count, the positions of its first
/// `wanted` tabs (stored in `tabAt`), the position of its first backslash (`Int.max` if none),
/// whether it holds a NUL or CR (errors that decoding reports), and whether it is all ASCII (most
/// lines of a dump are, and they need no UTF-8 validation).
func scanCopyLine(_ p: UnsafePointer<UInt8>, _ count: Int, recording wanted: Int,
                  into tabAt: UnsafeMutablePointer<Int>) -> (tabs: Int, backslash: Int, nulOrCR: Bool, ascii: Bool) {
    let tab: UInt64 = 0x0909_0909_0909_0909, slash: UInt64 = 0x5C5C_5C5C_5C5C_5C5C, cr: UInt64 = 0x0D0D_0D0D_0D0D_0D0D
    var tabs = 0, backslash = Int.max, i = 0
    var special: UInt64 = 0, high: UInt64 = 0
    while i + 8 <= count {
        let w = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
        high |= w
        var tm = zeroBytes(w ^ tab)
        let bm = zeroBytes(w ^ slash)
        special |= zeroBytes(w) | zeroBytes(w ^ cr)
        if bm != 0, backslash == Int.max { backslash = i + bm.trailingZeroBitCount / 8 }
        while tm != 0, tabs < wanted {
            tabAt[tabs] = i + tm.trailingZeroBitCount / 8
            tabs += 1
            tm &= tm - 1
        }
        tabs += tm.nonzeroBitCount
        i += 8
    }
    while i < count {
        high |= UInt64(p[i])
        if p[i] == 0x09 {
            if tabs < wanted { tabAt[tabs] = i }
            tabs += 1
        } else if p[i] == 0x5C, backslash == Int.max {
            backslash = i
        } else if p[i] == 0 || p[i] == 0x0D {
            special = 1
        }
        i += 1
    }
    return (tabs, backslash, special != 0, high & 0x8080_8080_8080_8080 == 0)
}

/// The index of the first `byte` in `p[from..<to]`, by memchr.
@inline(__always) func find(_ byte: UInt8, _ p: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
    guard from < to, let hit = memchr(p + from, Int32(byte), to - from) else { return nil }
    return UnsafeRawPointer(hit) - UnsafeRawPointer(p)
}
