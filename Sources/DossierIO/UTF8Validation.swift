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
