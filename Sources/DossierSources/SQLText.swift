internal import DossierIO

/// The character encoding a dump declares for its text (`SET client_encoding`, `SET NAMES`).
enum SQLTextEncoding {
    case utf8
    /// ISO 8859-1: PostgreSQL's LATIN1.
    case latin1
    /// Windows-1252: PostgreSQL's WIN1252 and MySQL's `latin1` (which is really cp1252).
    case windows1252

    /// The encoding a dialect means by `name`, or nil for one we do not decode.
    static func named(_ name: String, dialect: SQLDialect) -> SQLTextEncoding? {
        let n = name.lowercased().filter { $0 != "-" && $0 != "_" }
        switch n {
        case "utf8", "utf8mb4", "utf8mb3", "unicode": return .utf8
        case "latin1", "iso88591", "l1": return dialect == .mysql ? .windows1252 : .latin1
        case "win1252", "windows1252", "cp1252": return .windows1252
        default: return nil
        }
    }

    /// Decodes text, or nil when the bytes are not valid in this encoding.
    func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        switch self {
        case .utf8:
            return UTF8Validation.firstInvalid(bytes) == nil ? String(decoding: bytes, as: UTF8.self) : nil
        case .latin1:
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case .windows1252:
            var scalars = String.UnicodeScalarView()
            for b in bytes {
                if b >= 0x80, b < 0xA0 {
                    guard let s = Unicode.Scalar(windows1252High[Int(b - 0x80)]) else { return nil }
                    scalars.append(s)
                } else {
                    scalars.append(Unicode.Scalar(b))
                }
            }
            return String(scalars)
        }
    }
}

/// Windows-1252 0x80–0x9F; the five undefined bytes map to the C1 controls as MySQL does.
private let windows1252High: [UInt32] = [
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
    0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
]

/// How a column's declared type changes the reading of a string value.
enum SQLColumnKind {
    case text
    /// bytea, blob, binary, varbinary: the string is bytes.
    case binary
    /// PostgreSQL numeric types: COPY and quoted literals are numbers as written.
    case number
    /// PostgreSQL boolean: `t`/`f`, `true`/`false`.
    case boolean

    /// Numbers and booleans are inferred only for PostgreSQL, whose server checked them; SQLite
    /// columns take any value, and MySQL dumps write numbers unquoted anyway.
    init(type: String?, dialect: SQLDialect) {
        guard let type = type?.lowercased(), !type.hasSuffix("]") else { self = .text; return }
        if type.contains("bytea") || type.contains("blob") || type.contains("binary") {
            self = .binary
            return
        }
        guard dialect == .postgres else { self = .text; return }
        let base = type.prefix { $0 != "(" && $0 != " " }
        switch base {
        case "smallint", "integer", "bigint", "int", "int2", "int4", "int8", "numeric", "decimal", "real",
             "double", "float", "float4", "float8", "serial", "smallserial", "bigserial", "serial4", "serial8", "oid":
            self = .number
        case "boolean", "bool":
            self = .boolean
        default:
            self = .text
        }
    }
}

/// PostgreSQL's bytea text forms: hex (`\x00ff`, whitespace allowed between pairs) or the old
/// escape form (`\\` and `\NNN` octal, other bytes as themselves). Nil when malformed.
func decodeBytea(_ s: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
    var out: [UInt8] = []
    if s.count >= 2, s[0] == 0x5C, s[1] == UInt8(ascii: "x") {
        out.reserveCapacity((s.count - 2) / 2)
        var i = 2
        while i < s.count {
            let b = s[i]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1; continue }
            guard i + 1 < s.count, let h = hexValue(b), let l = hexValue(s[i + 1]) else { return nil }
            out.append(UInt8(h << 4 | l))
            i += 2
        }
        return out
    }
    out.reserveCapacity(s.count)
    var i = 0
    while i < s.count {
        let b = s[i]
        guard b == 0x5C else { out.append(b); i += 1; continue }
        if i + 1 < s.count, s[i + 1] == 0x5C { out.append(0x5C); i += 2; continue }
        guard i + 3 < s.count, s[i + 1] >= 0x30, s[i + 1] <= 0x33, s[i + 2] >= 0x30, s[i + 2] <= 0x37,
              s[i + 3] >= 0x30, s[i + 3] <= 0x37 else { return nil }
        out.append((s[i + 1] - 0x30) << 6 | (s[i + 2] - 0x30) << 3 | (s[i + 3] - 0x30))
        i += 4
    }
    return out
}
