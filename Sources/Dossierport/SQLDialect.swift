#if canImport(Glibc)
import Glibc
#endif
import DossierModel
import DossierIO

/// The databases an import script is written for.
///
/// Each has its own string-literal rules, column types and upsert syntax; everything that differs
/// between them is decided here, so the script writer states what to do once.
public enum SQLDialect: String, Sendable, CaseIterable, Codable {
    case postgres, mysql, sqlite

    /// Settings that make literals mean what the writer meant whatever the server's defaults:
    /// standard strings for PostgreSQL, backslash escapes and utf8mb4 for MariaDB, FK checks for SQLite.
    var prelude: String {
        switch self {
        case .postgres: "SET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n"
        case .mysql: "SET NAMES utf8mb4 COLLATE utf8mb4_bin;\nSET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION';\n"
        case .sqlite: "PRAGMA foreign_keys = ON;\n"
        }
    }

    var begin: String { self == .mysql ? "START TRANSACTION;\n" : "BEGIN;\n" }

    func type(_ t: SQLType) -> String {
        switch (self, t) {
        case (.postgres, .key), (.postgres, .text), (.postgres, .json), (.sqlite, .key), (.sqlite, .text), (.sqlite, .json),
             (.sqlite, .date), (.sqlite, .digest): "TEXT"
        case (.mysql, .key): "VARCHAR(255)"
        case (.mysql, .text): "MEDIUMTEXT"
        case (.mysql, .json): "LONGTEXT"
        case (.postgres, .date), (.mysql, .date): "DATE"
        case (.postgres, .digest), (.mysql, .digest): "CHAR(64)"
        case (.postgres, .integer), (.mysql, .integer): "BIGINT"
        case (.sqlite, .integer), (.sqlite, .boolean): "INTEGER"
        case (.postgres, .boolean), (.mysql, .boolean): "BOOLEAN"
        case (.postgres, .blob): "BYTEA"
        case (.mysql, .blob): "LONGBLOB"
        case (.sqlite, .blob): "BLOB"
        }
    }

    /// The column type for the moment a row was loaded, filled by the database's own clock so
    /// that the script itself stays byte-for-byte reproducible.
    var loadedAtColumn: String {
        switch self {
        case .postgres: "TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP"
        case .mysql: "DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP"
        case .sqlite: "TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP"
        }
    }

    var tableOptions: String { self == .mysql ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin" : "" }

    /// `a` differs from `b`, NULL counting as a value.
    func distinct(_ a: String, _ b: String) -> String {
        switch self {
        case .postgres: "\(a) IS DISTINCT FROM \(b)"
        case .mysql: "NOT (\(a) <=> \(b))"
        case .sqlite: "\(a) IS NOT \(b)"
        }
    }

    /// Appends `value` as a literal. Text goes through `appendText`; nothing from the input reaches
    /// the script any other way.
    func append(_ value: SQLValue, to out: inout [UInt8]) throws {
        switch value {
        case .null: out.append(contentsOf: "NULL".utf8)
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .boolean(let b): out.append(contentsOf: (b ? "TRUE" : "FALSE").utf8)
        case .date(let d):
            if self != .sqlite { out.append(contentsOf: "DATE ".utf8) }
            out.append(0x27)
            out.append(contentsOf: d.description.utf8)
            out.append(0x27)
        case .text(let s): try appendText(s, to: &out)
        }
    }

    /// Carriage returns never appear raw: the sqlite3 and mysql shells read scripts by line and drop
    /// a CR before a line feed. PostgreSQL gets them as `\r` in an `E''` string, MariaDB as `\r`,
    /// SQLite (which has no escapes) as `' || char(13) || '`.
    ///
    /// Most values need no escaping and go out as one copy; in the others, each run between two
    /// special bytes is found eight bytes at a time and copied whole (byte by byte, escaping was
    /// the largest single cost of a dossier-heavy import).
    func appendText(_ s: String, to out: inout [UInt8]) throws {
        var s = s
        try s.withUTF8 { bytes in
            var plain = Self.plainPrefix(bytes)
            while plain < bytes.count && !Self.isSpecial(bytes[plain]) { plain += 1 }
            guard plain < bytes.count else {
                out.append(0x27)
                out.append(contentsOf: bytes)
                out.append(0x27)
                return
            }
            // Only PostgreSQL needs to know before the opening quote: a CR makes it an E'' string.
            let cr = self == .postgres && memchr(bytes.baseAddress! + plain, 0x0D, bytes.count - plain) != nil
            let escapes = self == .mysql || cr
            if cr { out.append(0x45) }
            out.append(0x27)
            // Runs of plain bytes go out as one copy each; only the special bytes one at a time.
            var run = 0
            while true {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<plain]))
                guard plain < bytes.count else { break }
                switch bytes[plain] {
                case 0:
                    throw DossierError("import.nul", "text holds a NUL character, which PostgreSQL cannot store; refused for every target")
                case 0x27: out.append(0x27); out.append(0x27)
                case 0x5C where escapes: out.append(0x5C); out.append(0x5C)
                case 0x0D where escapes: out.append(0x5C); out.append(0x72)
                case 0x0D: out.append(contentsOf: "' || char(13) || '".utf8)
                case 0x1A where self == .mysql: out.append(0x5C); out.append(0x5A)
                case let b: out.append(b)
                }
                run = plain + 1
                plain = run + Self.plainPrefix(UnsafeBufferPointer(rebasing: bytes[run...]))
                while plain < bytes.count && !Self.isSpecial(bytes[plain]) { plain += 1 }
            }
            out.append(0x27)
        }
    }

    /// How many leading bytes need no escaping, eight at a time (SWAR: a word holds one of the
    /// special bytes exactly when its XOR with that byte repeated has a zero byte); the scan of
    /// every value was a tenth of a dossier-heavy import byte by byte.
    private static func plainPrefix(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZero(_ x: UInt64) -> Bool { (x &- ones) & ~x & highs != 0 }
        var i = 0
        while bytes.count - i >= 8 {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            if hasZero(w) || hasZero(w ^ (ones &* 0x0D)) || hasZero(w ^ (ones &* 0x1A)) || hasZero(w ^ (ones &* 0x27))
                || hasZero(w ^ (ones &* 0x5C)) { break }
            i += 8
        }
        return i
    }

    /// The bytes `appendText` may have to escape: NUL, CR, SUB, quote and backslash. A bit mask,
    /// not a table: a static table costs a lazy-initialisation check per call, which showed up as
    /// 5% of a dossier-heavy import.
    @inline(__always)
    private static func isSpecial(_ b: UInt8) -> Bool {
        b == 0x5C || (b < 64 && (1 << UInt64(b)) & (1 << 0 | 1 << 0x0D | 1 << 0x1A | 1 << 0x27) as UInt64 != 0)
    }

    func appendBlobOpen(to out: inout [UInt8]) {
        out.append(contentsOf: (self == .postgres ? "'\\x" : "X'").utf8)
    }

    func appendBlobClose(to out: inout [UInt8]) {
        out.append(contentsOf: (self == .postgres ? "'::bytea" : "'").utf8)
    }
}

/// Column types, mapped per dialect by `SQLDialect.type`.
enum SQLType: Sendable {
    /// Identifiers that are part of a key: bounded so MariaDB can index them.
    case key
    case text
    /// Canonical JSON of nested values (addresses, goals) and of the whole record.
    case json
    case date
    case integer
    case boolean
    case blob
    /// Lower-case hex SHA-256.
    case digest
}

/// One value bound for a column. (Bytes are not among them: a document's content streams from the
/// bundle straight into the script, see `HexSink`.)
enum SQLValue: Hashable, Sendable {
    case null
    case text(String)
    case integer(Int64)
    case boolean(Bool)
    case date(LocalDate)

    init(_ s: String?) { self = s.map { .text($0) } ?? .null }
    init(_ d: LocalDate?) { self = d.map { .date($0) } ?? .null }
    /// Timestamps stay RFC 3339 text: a `timestamptz` would drop the offset the source recorded.
    init(_ t: Timestamp?) { self = t.map { .text($0.description) } ?? .null }
    init(_ i: Int?) { self = i.map { .integer(Int64($0)) } ?? .null }
    init(_ b: Bool) { self = .boolean(b) }
    init<E: RawRepresentable>(_ e: E?) where E.RawValue == String { self = e.map { .text($0.rawValue) } ?? .null }
}

/// Writes bytes as lower-case hex into the script, so a document's content streams from the
/// bundle into a literal without being held whole.
///
/// A 256-entry table gives both digits of a byte in one load, and each chunk is written straight
/// into one reused buffer: at hundreds of megabytes of documents, per-digit appends dominated.
final class HexSink: ByteSink {
    private let out: any ByteSink
    private var buffer: UnsafeMutableRawBufferPointer

    init(_ out: any ByteSink) {
        self.out = out
        buffer = .allocate(byteCount: 2 * Self.chunk, alignment: 16)
    }

    deinit { buffer.deallocate() }

    private static let chunk = 128 * 1024

    /// Byte → its two digits, high digit in the low byte so a little-endian store writes them in order.
    private static let pairs: [UInt16] = {
        let digits = Array("0123456789abcdef".utf8)
        return (0..<256).map { UInt16(digits[$0 >> 4]) | UInt16(digits[$0 & 0x0F]) << 8 }
    }()

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var start = 0
        while start < bytes.count {
            let n = min(Self.chunk, bytes.count - start)
            Self.pairs.withUnsafeBufferPointer { table in
                for i in 0..<n {
                    buffer.storeBytes(of: table[Int(bytes[start + i])].littleEndian, toByteOffset: 2 * i, as: UInt16.self)
                }
            }
            try out.write(UnsafeRawBufferPointer(rebasing: buffer[0..<(2 * n)]))
            start += n
        }
    }
}
