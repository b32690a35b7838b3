/// UTF-8 well-formedness per the Unicode Standard, table 3-7 (RFC 3629 §4): no overlong forms,
/// no surrogates, nothing above U+10FFFF.
///
/// Every reader of untrusted text (CSV, XML, SQL dumps, JSON) must refuse the same byte sequences,
/// and say where the first bad one is, so the rule lives here once. Inlinable because it runs on
/// every non-ASCII byte of every input.
public enum UTF8Validation {
    /// What a sequence starting at a given byte turned out to be.
    public enum Sequence: Equatable, Sendable {
        case valid(Int)
        case invalid
        /// Well-formed so far, but cut off by the end of the buffer.
        case incomplete
    }

    /// For a lead byte: how many continuation bytes follow, and the range the first of them must
    /// fall in (the later ones are always 0x80–0xBF). `(0, …)` for ASCII; nil for a byte that
    /// cannot start a sequence.
    @inlinable
    public static func lead(_ b: UInt8) -> (continuation: Int, low: UInt8, high: UInt8)? {
        switch b {
        case 0x00...0x7F: (0, 0x80, 0xBF)
        case 0xC2...0xDF: (1, 0x80, 0xBF)
        case 0xE0: (2, 0xA0, 0xBF)
        case 0xE1...0xEC, 0xEE, 0xEF: (2, 0x80, 0xBF)
        case 0xED: (2, 0x80, 0x9F)
        case 0xF0: (3, 0x90, 0xBF)
        case 0xF1...0xF3: (3, 0x80, 0xBF)
        case 0xF4: (3, 0x80, 0x8F)
        default: nil
        }
    }

    /// The sequence that starts at `p[i]`.
    @inlinable
    public static func sequence(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> Sequence {
        guard let (need, low, high) = lead(p[i]) else { return .invalid }
        for j in stride(from: 1, through: need, by: 1) {
            guard i + j < p.count else { return .incomplete }
            let c = p[i + j]
            if c < (j == 1 ? low : 0x80) || c > (j == 1 ? high : 0xBF) { return .invalid }
        }
        return .valid(need + 1)
    }

    /// The index of the first byte at or after `i` that is not ASCII (`p.count` when there is
    /// none), found eight bytes at a time, since most of what care systems store is ASCII.
    @inlinable
    public static func asciiEnd(_ p: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        guard let base = p.baseAddress else { return i }
        let raw = UnsafeRawPointer(base)
        let n = p.count
        var i = i
        while i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            i += 8
        }
        while i < n && base[i] < 0x80 { i += 1 }
        return i
    }

    /// The index of the first byte that does not start a well-formed sequence, and whether it is
    /// merely cut off by the end of `p`; nil when all of `p` is valid. ASCII runs are skipped by
    /// `asciiEnd`.
    @inlinable
    public static func firstInvalid(_ p: UnsafeBufferPointer<UInt8>) -> (index: Int, incomplete: Bool)? {
        var i = 0
        let n = p.count
        while i < n {
            i = asciiEnd(p, from: i)
            guard i < n else { break }
            switch sequence(p, at: i) {
            case .valid(let width): i += width
            case .invalid: return (i, false)
            case .incomplete: return (i, true)
            }
        }
        return nil
    }

    /// Whether the valid UTF-8 sequence at `p` encodes a noncharacter (U+FDD0…U+FDEF, or the
    /// last two code points of a plane). Only lead bytes 0xEF (U+F000…U+FFFF) and 0xF0…0xF4
    /// (supplementary planes) can start one.
    @inlinable
    public static func isNoncharacter(_ p: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Bool {
        if p[0] == 0xEF, end - p >= 3 {
            return (p[1] == 0xB7 && (0x90...0xAF).contains(p[2])) || (p[1] == 0xBF && p[2] >= 0xBE)
        }
        if p[0] >= 0xF0, end - p >= 4 {
            return p[1] & 0x0F == 0x0F && p[2] == 0xBF && p[3] >= 0xBE
        }
        return false
    }

    /// The index of the first noncharacter in valid UTF-8 `p` at or after `i`, nil when it holds
    /// none. Noncharacters are valid UTF-8, so readers let them through, but I-JSON (RFC 7493)
    /// and XML 1.0 cannot carry them. Bytes below 0xEF, which is all Dutch text (ë is 0xC3 0xAB),
    /// are passed over sixteen at a time.
    @inlinable
    public static func firstNoncharacter(_ p: UnsafeBufferPointer<UInt8>, from i: Int = 0) -> Int? {
        guard let base = p.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base), n = p.count, end = base + n
        let lead = SIMD16<UInt8>(repeating: 0xEF)
        func clear(_ at: Int) -> Bool { !any(raw.loadUnaligned(fromByteOffset: at, as: SIMD16<UInt8>.self) .>= lead) }
        var i = i
        // Sixteen bytes at a time: this runs over every carried line of an export.
        while n - i >= 16 {
            if clear(i) { i += 16; continue }
            for k in i..<(i + 16) where base[k] >= 0xEF && isNoncharacter(base + k, end) { return k }
            i += 16
        }
        // The last few bytes through the sixteen that end the text, when it has that many.
        if i < n, n >= 16, clear(n - 16) { return nil }
        for k in i..<max(i, n) where base[k] >= 0xEF && isNoncharacter(base + k, end) { return k }
        return nil
    }
}

extension String {
    /// A string of bytes this process has already found to be valid UTF-8, made without
    /// checking them again.
    ///
    /// For bytes checked on their way in and then kept as bytes: a COPY line the reader
    /// validated and carried to the second phase, the texts of the process's own spill files.
    /// Checking them again was about a sixth of decoding a row. Never for bytes from outside;
    /// debug builds (the tests) check the promise.
    @inlinable public init(validatedUTF8 bytes: UnsafeBufferPointer<UInt8>) {
        assert(UTF8Validation.firstInvalid(bytes) == nil, "bytes promised as valid UTF-8 are not")
        self.init(copying: UTF8Span(unchecked: bytes.span))
    }
}
