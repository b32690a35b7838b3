import DossierModel
internal import DossierIO

/// The SQL dialects whose dumps are read: each differs in quoting, escapes and comments.
public enum SQLDialect: String, Sendable, CaseIterable {
    /// `pg_dump` plain format (COPY or `--inserts`).
    case postgres
    /// `mysqldump` and `mariadb-dump`.
    case mysql
    /// The `sqlite3` shell's `.dump`.
    case sqlite
}

/// One lexical token. String literal bytes live in `SQLLexer.literal` until the next token.
enum SQLToken: Equatable {
    /// A bare word, as written (keywords and unquoted identifiers).
    case word(String)
    /// A quoted identifier, unquoted.
    case identifier(String)
    /// A string literal whose decoded bytes are in `literal`.
    case string(SQLStringKind)
    case number(String)
    case punct(UInt8)
    case end
}

enum SQLStringKind: Equatable {
    /// Characters, to decode per the client encoding (or keep as bytes for a binary column).
    case text
    /// `X'..'` or `0x..`: bytes.
    case hex
    /// `b'0101'`: bits, big-endian.
    case bits
}

/// Splits a dump into tokens, byte by byte, so that quotes, comments, dollar quotes and
/// versioned comments can never desynchronise the statement boundaries.
///
/// Only lexing lives here; what a statement means is decided by `SQLDumpReader`.
final class SQLLexer {
    let input: SQLInput
    let dialect: SQLDialect
    /// PostgreSQL `standard_conforming_strings`: when off, plain strings take backslash escapes.
    var standardConformingStrings = true
    /// Inside a MySQL `/*!NNNNN … */` comment, whose body is SQL.
    private var inVersionedComment = false
    let literal = SQLByteBuffer()
    private var pushedBack: (token: SQLToken, line: Int, column: Int)?
    /// Where the last token returned started.
    private(set) var tokenLine = 1
    private(set) var tokenColumn = 1

    init(input: SQLInput, dialect: SQLDialect) {
        self.input = input
        self.dialect = dialect
    }

    /// Returns a token so the next `next()` gives it again (one token of lookahead).
    func unread(_ token: SQLToken) { pushedBack = (token, tokenLine, tokenColumn) }

    func next() throws -> SQLToken {
        if pushedBack == nil { try skipSpaceAndComments() }
        // A lone '-' or '/' seen while looking for comments comes back here as a token too.
        if let p = pushedBack {
            pushedBack = nil
            tokenLine = p.line; tokenColumn = p.column
            return p.token
        }
        tokenLine = input.line
        tokenColumn = input.column
        guard let b = try input.next() else {
            if inVersionedComment { throw truncated("a versioned comment") }
            return .end
        }
        switch b {
        case UInt8(ascii: "'"):
            try readQuoted(quote: b, escapes: dialect == .mysql ? .mysql
                           : (dialect == .postgres && !standardConformingStrings) ? .postgres : .none)
            return .string(.text)
        case UInt8(ascii: "\""):
            if dialect == .mysql {
                try readQuoted(quote: b, escapes: .mysql)
                return .string(.text)
            }
            try readQuoted(quote: b, escapes: .none)
            return .identifier(try identifierText())
        case UInt8(ascii: "`") where dialect != .postgres:
            try readQuoted(quote: b, escapes: .none)
            return .identifier(try identifierText())
        case UInt8(ascii: "$") where dialect == .postgres:
            return try dollar()
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try number(first: b)
        case UInt8(ascii: "."):
            if let c = try input.peek(), isDigit(c) { return try number(first: b) }
            return .punct(b)
        case UInt8(ascii: "*") where inVersionedComment:
            if try input.peek() == UInt8(ascii: "/") {
                _ = try input.next()
                inVersionedComment = false
                return try next()
            }
            return .punct(b)
        default:
            if isWordStart(b) { return try word(first: b) }
            return .punct(b)
        }
    }

    // MARK: Whitespace and comments

    private func skipSpaceAndComments() throws {
        while let b = try input.peek() {
            switch b {
            case 0x20, 0x09, 0x0A, 0x0D, 0x0C, 0x0B:
                _ = try input.next()
            case UInt8(ascii: "-"):
                // One byte of lookahead only: consume the '-' and hand it back as a token if the
                // next byte does not make a comment.
                let line = input.line, column = input.column
                _ = try input.next()
                if try input.peek() == UInt8(ascii: "-") {
                    _ = try input.restOfLine()
                } else {
                    pushedBack = (.punct(b), line, column)
                    return
                }
            case UInt8(ascii: "#") where dialect == .mysql:
                _ = try input.restOfLine()
            case UInt8(ascii: "/"):
                let line = input.line, column = input.column
                _ = try input.next()
                if try input.peek() == UInt8(ascii: "*") {
                    _ = try input.next()
                    try blockComment(line: line, column: column)
                } else {
                    pushedBack = (.punct(b), line, column)
                    return
                }
            default:
                return
            }
        }
    }

    /// Skips a `/* … */` comment (nested in PostgreSQL), or enters a MySQL versioned comment, whose
    /// body is SQL. Versions of 999999 and above never run, which is how MariaDB's sandbox line
    /// `/*M!999999\- enable the sandbox mode */` is kept a comment.
    private func blockComment(line: Int, column: Int) throws {
        if dialect == .mysql, let b = try input.peek(), b == UInt8(ascii: "!") || b == UInt8(ascii: "M") {
            _ = try input.next()
            let versioned = b == UInt8(ascii: "!") ? true : try input.peek() == UInt8(ascii: "!")
            if versioned {
                if b == UInt8(ascii: "M") { _ = try input.next() }
                var version = 0
                while let d = try input.peek(), isDigit(d) {
                    _ = try input.next()
                    version = min(version * 10 + Int(d - 0x30), 1_000_000)
                }
                if version < 999_999 {
                    inVersionedComment = true
                    return
                }
            }
        }
        var depth = 1
        while let b = try input.next() {
            if b == UInt8(ascii: "*"), try input.peek() == UInt8(ascii: "/") {
                _ = try input.next()
                depth -= 1
                if depth == 0 { return }
            } else if b == UInt8(ascii: "/"), dialect == .postgres, try input.peek() == UInt8(ascii: "*") {
                _ = try input.next()
                depth += 1
            }
        }
        throw input.error("sql.truncated", "the input ends inside a comment that starts here", line: line, column: column)
    }

    // MARK: Quoted strings and identifiers

    enum Escapes { case none, mysql, postgres, unicode }

    /// Reads a quoted run into `literal`, undoing doubling and (per `escapes`) backslash escapes.
    /// Copies whole runs between special bytes, so a long value costs a scan and a copy.
    func readQuoted(quote q: UInt8, escapes: Escapes) throws {
        literal.removeAll()
        let startLine = tokenLine, startColumn = tokenColumn
        let backslash: UInt8 = escapes == .none ? q : 0x5C
        // Every byte that needs a look is at most `top`, so most text bytes cost one compare.
        let top = max(q, backslash, 0x0A)
        while true {
            guard try input.ensure() else {
                throw input.error("sql.truncated", "the input ends inside a quoted string that starts here",
                                  line: startLine, column: startColumn)
            }
            let p = input.base!
            let start = input.pos, end = input.end
            var i = start
            while i < end {
                let b = p[i]
                if b > top { i += 1; continue }
                if b == q || b == backslash { break }
                i += 1
                if b == 0x0A { input.newline(at: i) }
            }
            literal.append(p + start, i - start)
            input.pos = i
            if literal.count > input.limit { throw input.tooLarge() }
            if i == end { continue }
            let b = p[i]
            input.pos += 1
            if b == q {
                if try input.peek() == q {
                    input.pos += 1
                    literal.append(q)
                    continue
                }
                return
            }
            guard let c = try input.next() else { continue }
            switch escapes {
            case .none: break
            case .mysql: mysqlEscape(c)
            case .postgres: try postgresEscape(c)
            case .unicode: try unicodeEscape(c)
            }
        }
    }

    /// MySQL's escape table: `\%` and `\_` keep their backslash (they are LIKE escapes), any other
    /// `\c` is `c`.
    private func mysqlEscape(_ c: UInt8) {
        switch c {
        case UInt8(ascii: "0"): literal.append(0)
        case UInt8(ascii: "b"): literal.append(0x08)
        case UInt8(ascii: "n"): literal.append(0x0A)
        case UInt8(ascii: "r"): literal.append(0x0D)
        case UInt8(ascii: "t"): literal.append(0x09)
        case UInt8(ascii: "Z"): literal.append(0x1A)
        case UInt8(ascii: "%"), UInt8(ascii: "_"): literal.append(0x5C); literal.append(c)
        default: literal.append(c)
        }
    }

    /// PostgreSQL's `E'…'` escapes (also plain strings with standard_conforming_strings off).
    private func postgresEscape(_ c: UInt8) throws {
        switch c {
        case UInt8(ascii: "b"): literal.append(0x08)
        case UInt8(ascii: "f"): literal.append(0x0C)
        case UInt8(ascii: "n"): literal.append(0x0A)
        case UInt8(ascii: "r"): literal.append(0x0D)
        case UInt8(ascii: "t"): literal.append(0x09)
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var v = Int(c - 0x30)
            for _ in 0..<2 {
                guard let d = try input.peek(), d >= 0x30, d <= 0x37 else { break }
                _ = try input.next()
                v = v * 8 + Int(d - 0x30)
            }
            try appendEscapedByte(v)
        case UInt8(ascii: "x"):
            var v = -1
            for _ in 0..<2 {
                guard let d = try input.peek(), let h = hexValue(d) else { break }
                _ = try input.next()
                v = max(v, 0) * 16 + h
            }
            if v < 0 { literal.append(c) } else { try appendEscapedByte(v) }
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            try appendScalar(hexDigits: c == UInt8(ascii: "u") ? 4 : 8)
        default: literal.append(c)
        }
    }

    /// `U&'…'`: `\XXXX`, `\+XXXXXX`, `\\`.
    private func unicodeEscape(_ c: UInt8) throws {
        if c == 0x5C { literal.append(c); return }
        if c == UInt8(ascii: "+") { try appendScalar(hexDigits: 6); return }
        guard let h = hexValue(c) else {
            throw input.error("sql.syntax", "invalid Unicode escape in a U& string")
        }
        try appendScalar(hexDigits: 3, initial: h)
    }

    private func appendEscapedByte(_ v: Int) throws {
        if v > 0xFF { throw input.error("sql.syntax", "an octal escape is out of range") }
        literal.append(UInt8(v))
    }

    private func appendScalar(hexDigits: Int, initial: Int = 0) throws {
        var v = initial
        for _ in 0..<hexDigits {
            guard let d = try input.next(), let h = hexValue(d) else {
                throw input.error("sql.syntax", "invalid Unicode escape")
            }
            v = v * 16 + h
        }
        guard v != 0, let s = Unicode.Scalar(v) else {
            throw input.error("sql.syntax", "a Unicode escape names no valid character")
        }
        for u in String(s).utf8 { literal.append(u) }
    }

    private func identifierText() throws -> String {
        guard UTF8Validation.firstInvalid(literal.bytes) == nil else {
            throw input.error("sql.encoding", "a quoted identifier is not valid UTF-8", line: tokenLine, column: tokenColumn)
        }
        return String(decoding: literal.bytes, as: UTF8.self)
    }

    /// `$tag$ … $tag$` (a function body, usually): the body is taken verbatim.
    private func dollar() throws -> SQLToken {
        var tag: [UInt8] = [UInt8(ascii: "$")]
        while let b = try input.peek(), b != UInt8(ascii: "$") {
            guard isWordStart(b) || (isDigit(b) && tag.count > 1) else { return .punct(UInt8(ascii: "$")) }
            tag.append(b)
            _ = try input.next()
        }
        guard try input.next() != nil else { return .punct(UInt8(ascii: "$")) }
        tag.append(UInt8(ascii: "$"))
        literal.removeAll()
        var matched = 0
        while let b = try input.next() {
            literal.append(b)
            if literal.count > input.limit { throw input.tooLarge() }
            matched = b == tag[matched] ? matched + 1 : (b == tag[0] ? 1 : 0)
            if matched == tag.count {
                literal.removeLast(tag.count)
                return .string(.text)
            }
        }
        throw input.error("sql.truncated", "the input ends inside a dollar-quoted string that starts here",
                          line: tokenLine, column: tokenColumn)
    }

    // MARK: Numbers and words

    private func number(first: UInt8) throws -> SQLToken {
        if first == UInt8(ascii: "0"), dialect == .mysql, let x = try input.peek(),
           x == UInt8(ascii: "x") || x == UInt8(ascii: "b") {
            _ = try input.next()
            var digits: [UInt8] = []
            while let d = try input.peek(), isWordByte(d) { digits.append(d); _ = try input.next() }
            return try radixLiteral(digits, hex: x == UInt8(ascii: "x"))
        }
        literal.removeAll()
        literal.append(first)
        var previous = first
        while let b = try input.peek() {
            let exponentSign = (b == UInt8(ascii: "+") || b == UInt8(ascii: "-"))
                && (previous == UInt8(ascii: "e") || previous == UInt8(ascii: "E"))
            guard isDigit(b) || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
                    || exponentSign else { break }
            literal.append(b)
            previous = b
            input.pos += 1
        }
        return .number(String(decoding: literal.bytes, as: UTF8.self))
    }

    private func word(first: UInt8) throws -> SQLToken {
        var bytes: [UInt8] = [first]
        while let b = try input.peek(), isWordByte(b) || (b == UInt8(ascii: "$") && dialect != .sqlite) {
            bytes.append(b)
            _ = try input.next()
        }
        if bytes.count == 1, try input.peek() == UInt8(ascii: "'") {
            switch first | 0x20 {
            case UInt8(ascii: "e") where dialect == .postgres:
                _ = try input.next()
                try readQuoted(quote: UInt8(ascii: "'"), escapes: .postgres)
                return .string(.text)
            case UInt8(ascii: "n"):
                _ = try input.next()
                try readQuoted(quote: UInt8(ascii: "'"), escapes: dialect == .mysql ? .mysql : .none)
                return .string(.text)
            case UInt8(ascii: "x"), UInt8(ascii: "b"):
                _ = try input.next()
                try readQuoted(quote: UInt8(ascii: "'"), escapes: .none)
                return try radixLiteral(Array(literal.bytes), hex: first | 0x20 == UInt8(ascii: "x"))
            default: break
            }
        }
        if bytes == [UInt8(ascii: "U")] || bytes == [UInt8(ascii: "u")], dialect == .postgres,
           try input.peek() == UInt8(ascii: "&") {
            _ = try input.next()
            guard try input.next() == UInt8(ascii: "'") else {
                throw input.error("sql.unsupported", "U& identifiers are not supported")
            }
            try readQuoted(quote: UInt8(ascii: "'"), escapes: .unicode)
            return .string(.text)
        }
        guard bytes.withUnsafeBufferPointer({ UTF8Validation.firstInvalid($0) }) == nil else {
            throw input.error("sql.encoding", "a word is not valid UTF-8", line: tokenLine, column: tokenColumn)
        }
        return .word(String(decoding: bytes, as: UTF8.self))
    }

    /// Decodes `X'..'`/`0x..` (hex) or `b'..'`/`0b..` (bits) into `literal`.
    private func radixLiteral(_ digits: [UInt8], hex: Bool) throws -> SQLToken {
        literal.removeAll()
        if hex {
            // MySQL reads an odd-length 0x literal as if it had a leading zero.
            let even = digits.count % 2 == 1 ? [UInt8(ascii: "0")] + digits : digits
            var i = 0
            while i < even.count {
                guard let h = hexValue(even[i]), let l = hexValue(even[i + 1]) else {
                    throw input.error("sql.syntax", "invalid hexadecimal literal", line: tokenLine, column: tokenColumn)
                }
                literal.append(UInt8(h << 4 | l))
                i += 2
            }
            return .string(.hex)
        }
        for d in digits {
            guard d == UInt8(ascii: "0") || d == UInt8(ascii: "1") else {
                throw input.error("sql.syntax", "invalid bit literal", line: tokenLine, column: tokenColumn)
            }
            literal.append(d)
        }
        return .string(.bits)
    }

    private func truncated(_ what: String) -> DossierError {
        input.error("sql.truncated", "the input ends inside \(what)")
    }
}

@inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

@inline(__always) func isWordStart(_ b: UInt8) -> Bool {
    (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A || b == UInt8(ascii: "_") || b >= 0x80
}

@inline(__always) func isWordByte(_ b: UInt8) -> Bool { isWordStart(b) || isDigit(b) }

@inline(__always) func hexValue(_ b: UInt8) -> Int? {
    switch b {
    case 0x30...0x39: return Int(b - 0x30)
    case 0x41...0x46: return Int(b - 0x37)
    case 0x61...0x66: return Int(b - 0x57)
    default: return nil
    }
}
