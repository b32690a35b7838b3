import DossierModel

/// The CSV state machine over decoded UTF-8: splits records into fields and counts lines.
///
/// A value type owned by `CSVReader`, so that the hot loop touches only `self`: as stored
/// properties of a class, every field access paid a dynamic exclusivity check, a third of the
/// running time. The rules it implements are documented on `CSVReader`.
struct CSVScanner {
    let file: String
    let table: String
    let options: CSVReadOptions
    private let maxFieldBytes: Int
    private let maxRecordBytes: Int
    var delimiter = UInt8(ascii: ",")
    /// Set while reading the header, so messages say "the header" rather than a record number.
    var readingHeader = false

    var line = 1
    /// Decoded offset where the current physical line starts, for columns.
    var lineStart: Int64 = 0
    /// Decoded offset of the last CR, so that the LF of a CRLF does not count as a second line.
    private var lastCR: Int64 = -2
    /// Decoded offset of the buffer being scanned.
    private var base: Int64 = 0

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }
    private var state = State.fieldStart
    /// The record being read: its fields' bytes back to back, where each ends, which were quoted.
    private var recordBytes: [UInt8] = []
    private var fieldEnds: [Int] = []
    private var fieldQuoted: [Bool] = []
    private var fieldStart = 0
    private(set) var recordLine = 1
    private var fieldLine = 1
    private var fieldColumn = 1

    /// Data records completed so far.
    private(set) var recordCount = 0
    private(set) var blankLinesSkipped = 0
    private(set) var diagnostics = DiagnosticLog(limit: 1000)

    private static let quote = UInt8(ascii: "\""), cr: UInt8 = 0x0D, lf: UInt8 = 0x0A

    init(file: String, table: String, options: CSVReadOptions) {
        self.file = file; self.table = table; self.options = options
        maxFieldBytes = options.maxFieldBytes; maxRecordBytes = options.maxRecordBytes
    }

    mutating func startRecord() {
        recordBytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        fieldQuoted.removeAll(keepingCapacity: true)
        fieldStart = 0
    }

    /// Runs over `p` from `i` until a record ends (true) or `p` is used up (false); `i` is left
    /// after the last byte consumed. `base` is the decoded offset of `p[0]`. Runs of ordinary
    /// bytes are copied in one go.
    mutating func scan(_ p: UnsafeBufferPointer<UInt8>, from i: inout Int, base: Int64) throws -> Bool {
        self.base = base
        let d = delimiter, quote = CSVScanner.quote, cr = CSVScanner.cr, lf = CSVScanner.lf
        let n = p.count
        while i < n {
            let b = p[i]
            switch state {
            case .fieldStart:
                if fieldEnds.isEmpty && b != cr && b != lf { recordLine = line }
                if b == quote {
                    markField(at: i); state = .quoted; i += 1
                } else if b == d {
                    markField(at: i); try endField(quoted: false); i += 1
                } else if b == cr || b == lf {
                    let crlf = b == lf && lastCR == base + Int64(i) - 1
                    newline(b, at: i)
                    i += 1
                    if fieldEnds.isEmpty {
                        if !crlf { blankLinesSkipped += 1 }
                        continue
                    }
                    try endField(quoted: false)
                    return true
                } else {
                    markField(at: i); state = .unquoted
                }
            case .unquoted:
                var j = CSVScanner.skipPlain(p, from: i, d, quote, cr, lf, 0)
                while j < n {
                    let c = p[j]
                    if c == d || c == quote || c == cr || c == lf || c == 0 { break }
                    j += 1
                }
                try append(UnsafeBufferPointer(rebasing: p[i..<j]))
                i = j
                guard j < n else { break }
                let c = p[j]
                i += 1
                if c == d {
                    try endField(quoted: false); state = .fieldStart
                } else if c == cr || c == lf {
                    newline(c, at: j)
                    try endField(quoted: false); state = .fieldStart
                    return true
                } else if c == quote {
                    try bareQuote(at: j)
                    try append(quote)
                } else {
                    throw nulError(at: j)
                }
            case .quoted:
                var j = CSVScanner.skipPlain(p, from: i, quote, quote, cr, lf, 0)
                while j < n {
                    let c = p[j]
                    if c == quote || c == cr || c == lf || c == 0 { break }
                    j += 1
                }
                try append(UnsafeBufferPointer(rebasing: p[i..<j]))
                i = j
                guard j < n else { break }
                let c = p[j]
                i += 1
                if c == quote {
                    state = .quoteInQuoted
                } else if c == cr || c == lf {
                    newline(c, at: j)
                    try append(c)
                } else {
                    throw nulError(at: j)
                }
            case .quoteInQuoted:
                if b == quote {
                    try append(quote); state = .quoted; i += 1
                } else if b == d {
                    try endField(quoted: true); state = .fieldStart; i += 1
                } else if b == cr || b == lf {
                    newline(b, at: i); i += 1
                    try endField(quoted: true); state = .fieldStart
                    return true
                } else {
                    let message = "\(fieldLabel): text after the closing quote"
                    guard options.lenient else {
                        throw DossierError("csv.text-after-quote", message, at: location(at: i))
                    }
                    warn("csv.text-after-quote", message, line: line, column: column(at: i))
                    try append(quote); state = .unquoted
                }
            }
        }
        return false
    }

    /// Ends the input: completes a last record without a line end; false when there is none.
    mutating func finish() throws -> Bool {
        switch state {
        case .fieldStart:
            if fieldEnds.isEmpty { return false }
            try endField(quoted: false)
        case .unquoted:
            try endField(quoted: false)
        case .quoteInQuoted:
            try endField(quoted: true)
        case .quoted:
            let message = "\(fieldLabel): the quote opened here is never closed"
            guard options.lenient else {
                throw DossierError("csv.unterminated-quote", message,
                                   at: SourceLocation(file: file, line: fieldLine, column: fieldColumn))
            }
            warn("csv.unterminated-quote", message, line: fieldLine, column: fieldColumn)
            try endField(quoted: true)
        }
        state = .fieldStart
        return true
    }

    // MARK: Values

    /// The record's values, counting it as a data record and flagging suspicious fields: ones
    /// that hide characters (C19) or look like Excel damaged a number (C18), naming only the
    /// record and field.
    mutating func values() -> [SourceValue] {
        recordCount += 1
        let empty: SourceValue = options.emptyField == .emptyText ? .text("") : .null
        var values: [SourceValue] = []
        values.reserveCapacity(fieldEnds.count)
        var flags: [(code: String, field: Int)] = []
        recordBytes.withUnsafeBufferPointer { p in
            let hidden = CSVScanner.hasInvisibleCharacter(p)
            var start = 0
            for (k, end) in fieldEnds.enumerated() {
                defer { start = end }
                if start == end {
                    values.append(fieldQuoted[k] ? .text("") : empty)
                    continue
                }
                let field = UnsafeBufferPointer(rebasing: p[start..<end])
                values.append(.text(String(decoding: field, as: UTF8.self)))
                if hidden && CSVScanner.hasInvisibleCharacter(field) { flags.append(("csv.invisible-character", k + 1)) }
                if CSVScanner.looksScientific(field) { flags.append(("csv.excel-scientific", k + 1)) }
            }
        }
        for flag in flags {
            let what = flag.code == "csv.invisible-character"
                ? "contains a bidirectional control or invisible character"
                : "is a number in scientific notation, as Excel writes long numbers after rounding them: digits may be lost"
            warn(flag.code, "record \(recordCount), field \(flag.field) \(what)", line: recordLine, column: nil)
        }
        return values
    }

    /// The header's names; an empty field gives an empty name, which the header check refuses.
    func names() -> [String] {
        var start = 0
        return fieldEnds.map { end in
            defer { start = end }
            return String(decoding: recordBytes[start..<end], as: UTF8.self)
        }
    }

    mutating func warn(_ code: String, _ message: String, line: Int, column: Int?) {
        diagnostics.append(code, .warning, .warning(code, message, at: SourceLocation(file: file, line: line, column: column, table: table)))
    }

    // MARK: Fields

    private var recordLabel: String { readingHeader ? "the header" : "record \(recordCount + 1)" }
    private var fieldLabel: String { "\(recordLabel), field \(fieldEnds.count + 1)" }

    private mutating func markField(at i: Int) {
        fieldStart = recordBytes.count
        fieldLine = line
        fieldColumn = column(at: i)
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        recordBytes.append(contentsOf: bytes)
        if recordBytes.count - fieldStart > maxFieldBytes || recordBytes.count > maxRecordBytes { try sizeError() }
    }

    private mutating func append(_ byte: UInt8) throws {
        recordBytes.append(byte)
        if recordBytes.count - fieldStart > maxFieldBytes || recordBytes.count > maxRecordBytes { try sizeError() }
    }

    private func sizeError() throws {
        if recordBytes.count - fieldStart > options.maxFieldBytes {
            throw DossierError("csv.field-too-large", "\(fieldLabel) is larger than \(options.maxFieldBytes) bytes",
                               at: SourceLocation(file: file, line: fieldLine, column: fieldColumn))
        }
        if recordBytes.count > options.maxRecordBytes {
            throw DossierError("csv.record-too-large", "\(recordLabel) is larger than \(options.maxRecordBytes) bytes",
                               at: SourceLocation(file: file, line: recordLine))
        }
    }

    private mutating func endField(quoted: Bool) throws {
        fieldEnds.append(recordBytes.count)
        fieldQuoted.append(quoted)
        fieldStart = recordBytes.count
        if fieldEnds.count > options.maxColumns {
            throw DossierError("csv.too-many-columns", "\(recordLabel) has more than \(options.maxColumns) fields",
                               at: SourceLocation(file: file, line: recordLine))
        }
    }

    /// Counts a line end at `p[i]`: CR, LF, or the LF of a CRLF, which is the same line end.
    private mutating func newline(_ b: UInt8, at i: Int) {
        let at = base + Int64(i)
        if b == CSVScanner.cr {
            lastCR = at
        } else if lastCR == at - 1 {
            lineStart = at + 1
            return
        }
        line += 1
        lineStart = at + 1
    }

    private func column(at i: Int) -> Int { Int(base + Int64(i) - lineStart) + 1 }

    private func location(at i: Int) -> SourceLocation { SourceLocation(file: file, line: line, column: column(at: i)) }

    private mutating func bareQuote(at i: Int) throws {
        let why = recordBytes[fieldStart...].allSatisfy({ $0 == 0x20 })
            ? "a quote after a space (quote the whole field, without the space)" : "a quote inside an unquoted field"
        let message = "\(fieldLabel): \(why)"
        guard options.lenient else { throw DossierError("csv.bare-quote", message, at: location(at: i)) }
        warn("csv.bare-quote", message, line: line, column: column(at: i))
    }

    private func nulError(at i: Int) -> DossierError {
        DossierError("csv.nul", "\(fieldLabel) contains a NUL byte", at: location(at: i))
    }

    /// Skips whole eight-byte words that contain none of the five stop bytes (SWAR, as in
    /// "Bit Twiddling Hacks": a word has a zero byte when `(v - 0x01…) & ~v & 0x80…` is non-zero);
    /// the byte loop after it finds the exact stop. On long free-text fields this made the reader
    /// about 30% faster (240 → 315 MB/s of CPU time, release build).
    static func skipPlain(_ p: UnsafeBufferPointer<UInt8>, from i: Int, _ a: UInt8, _ b: UInt8, _ c: UInt8,
                          _ d: UInt8, _ e: UInt8) -> Int {
        guard let base = p.baseAddress else { return i }
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        func hasByte(_ w: UInt64, _ x: UInt8) -> Bool {
            let v = w ^ (ones &* UInt64(x))
            return (v &- ones) & ~v & highs != 0
        }
        var j = i
        while j + 8 <= p.count {
            let w = raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)
            if hasByte(w, a) || hasByte(w, b) || hasByte(w, c) || hasByte(w, d) || hasByte(w, e) { break }
            j += 8
        }
        return j
    }

    // MARK: Suspicious fields

    /// U+061C, U+200B–U+200F, U+202A–U+202E, U+2060, U+2066–U+2069 and U+FEFF, found by their
    /// UTF-8 bytes: all start with 0xD8, 0xE2 or 0xEF, so ordinary text is passed over quickly.
    static func hasInvisibleCharacter(_ f: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let raw = f.baseAddress.map(UnsafeRawPointer.init) else { return false }
        var i = 0
        let n = f.count
        while i + 1 < n {
            // ASCII fast path, eight bytes at a time.
            if i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i += 8
                continue
            }
            let b = f[i]
            if b >= 0xD8 {
                let c = f[i + 1]
                if b == 0xD8 && c == 0x9C { return true }
                if i + 2 < n {
                    let e = f[i + 2]
                    if b == 0xE2 && c == 0x80 && ((0x8B...0x8F).contains(e) || (0xAA...0xAE).contains(e)) { return true }
                    if b == 0xE2 && c == 0x81 && (e == 0xA0 || (0xA6...0xA9).contains(e)) { return true }
                    if b == 0xEF && c == 0xBB && e == 0xBF { return true }
                }
            }
            i += 1
        }
        return false
    }

    /// `9.1E+08`, `6,12346E+8`: a digit, an optional fraction (dot or comma), E, a signed exponent.
    static func looksScientific(_ f: UnsafeBufferPointer<UInt8>) -> Bool {
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        guard f.count >= 4, f.count <= 24, isDigit(f[0]) || f[0] == UInt8(ascii: "-"), let e = f.firstIndex(where: { $0 | 0x20 == UInt8(ascii: "e") }) else {
            return false
        }
        var mantissa = f[..<e]
        if mantissa.first == UInt8(ascii: "-") { mantissa = mantissa.dropFirst() }
        let parts = mantissa.split(omittingEmptySubsequences: false) { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ",") }
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(isDigit),
              parts.count == 1 || parts[1].allSatisfy(isDigit) else { return false }
        let exponent = f[(e + 1)...]
        guard let sign = exponent.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return false }
        let digits = exponent.dropFirst()
        return !digits.isEmpty && digits.allSatisfy(isDigit)
    }
}
