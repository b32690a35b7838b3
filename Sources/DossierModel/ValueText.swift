/// The text forms of dates, timestamps and amounts, at the byte level.
///
/// One implementation serves `description`, the string parsers and the JSON writer and reader,
/// which must not build a `String` per value (every record carries several timestamps), so the
/// canonical form cannot differ between them.
extension LocalDate {
    /// The most bytes `writeText` writes: `YYYY-MM-DD`, or a longer year for a date computed
    /// outside 1…9999 (only `init(daysSinceEpoch:)` can make one).
    public static let maxTextCount = 26

    /// Writes `YYYY-MM-DD` at `p`; returns the position after it.
    public func writeText(to p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var q = (0...9999).contains(year) ? Digits.fixed(year, 4, p) : Digits.write(year, 4, p)
        q.pointee = 0x2D
        q = Digits.fixed(month, 2, q + 1)
        q.pointee = 0x2D
        return Digits.fixed(day, 2, q + 1)
    }

    /// Parses exactly `YYYY-MM-DD`, the ISO 8601 calendar form the canonical formats use.
    public init?(iso u: UnsafeBufferPointer<UInt8>) {
        guard u.count == 10, u[4] == 0x2D, u[7] == 0x2D,
              let y = Digits.parse(u[0..<4]), let m = Digits.parse(u[5..<7]), let d = Digits.parse(u[8..<10])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }
}

extension Timestamp {
    /// The most bytes `writeText` writes: a date, `Thh:mm:ss`, nine fraction digits, an offset.
    public static let maxTextCount = LocalDate.maxTextCount + 25

    /// Writes the RFC 3339 form at `p` (`Z` for UTC, the fraction without trailing zeros);
    /// returns the position after it.
    public func writeText(to p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var q = date.writeText(to: p)
        q.pointee = 0x54
        q = Digits.fixed(secondOfDay / 3600, 2, q + 1)
        q.pointee = 0x3A
        q = Digits.fixed(secondOfDay / 60 % 60, 2, q + 1)
        q.pointee = 0x3A
        q = Digits.fixed(secondOfDay % 60, 2, q + 1)
        if nanosecond != 0 {
            var n = nanosecond, width = 9
            while n % 10 == 0 { n /= 10; width -= 1 }
            q.pointee = 0x2E
            q = Digits.fixed(n, width, q + 1)
        }
        if offsetMinutes == 0 {
            q.pointee = 0x5A
            return q + 1
        }
        let a = abs(offsetMinutes)
        q.pointee = offsetMinutes < 0 ? 0x2D : 0x2B
        q = Digits.fixed(a / 60, 2, q + 1)
        q.pointee = 0x3A
        return Digits.fixed(a % 60, 2, q + 1)
    }

    /// Parses RFC 3339 (`2024-03-01T09:30:00+01:00`, `…Z`, optional fraction up to nanoseconds).
    public init?(rfc3339 u: UnsafeBufferPointer<UInt8>) {
        guard u.count >= 20, let date = LocalDate(iso: UnsafeBufferPointer(rebasing: u[0..<10])),
              u[10] == 0x54 || u[10] == 0x74, u[13] == 0x3A, u[16] == 0x3A,
              let h = Digits.parse(u[11..<13]), let mi = Digits.parse(u[14..<16]), let s = Digits.parse(u[17..<19])
        else { return nil }
        var i = 19
        var nanos = 0
        if u[i] == 0x2E {
            i += 1
            let start = i
            while i < u.count, (0x30...0x39).contains(u[i]) { i += 1 }
            let digits = i - start
            guard (1...9).contains(digits), let f = Digits.parse(u[start..<i]) else { return nil }
            nanos = f
            for _ in digits..<9 { nanos *= 10 }
        }
        guard i < u.count else { return nil }
        var offset = 0
        if u[i] == 0x5A || u[i] == 0x7A {
            guard i + 1 == u.count else { return nil }
        } else {
            guard u[i] == 0x2B || u[i] == 0x2D, u.count == i + 6, u[i + 3] == 0x3A,
                  let oh = Digits.parse(u[(i + 1)..<(i + 3)]), let om = Digits.parse(u[(i + 4)..<(i + 6)]), om < 60
            else { return nil }
            offset = (oh * 60 + om) * (u[i] == 0x2D ? -1 : 1)
        }
        self.init(date: date, hour: h, minute: mi, second: s, nanosecond: nanos, offsetMinutes: offset)
    }
}

extension Amount {
    /// The most bytes `writeText` writes: a sign, the 17 digits of Int64's largest euros, the point and the cents.
    public static let maxTextCount = 21

    /// Writes the decimal form (`-1234.56`) at `p`; returns the position after it.
    public func writeText(to p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let a = cents.magnitude
        var q = p
        if cents < 0 { q.pointee = 0x2D; q += 1 }
        q = Digits.write(Int(a / 100), 1, q)
        q.pointee = 0x2E
        return Digits.fixed(Int(a % 100), 2, q + 1)
    }

    /// Reads the plain form `init(decimal:)` takes most (`-1234.56`: an optional minus, 1 to 15
    /// digits, then a point and one or two digits) from its bytes, without a `String`; nil for any
    /// other text, which `init(decimal:)` judges as before. Readers of dossiers meet one in every
    /// financial record, and the text path (a split and two integer parses) was most of reading it.
    public init?(plainDecimal u: UnsafeBufferPointer<UInt8>) {
        var i = 0, negative = false
        if i < u.count, u[i] == 0x2D { negative = true; i += 1 }
        var whole: Int64 = 0, digits = 0
        while i < u.count, u[i] &- 0x30 < 10 { whole = whole * 10 + Int64(u[i] &- 0x30); digits += 1; i += 1 }
        guard (1...15).contains(digits) else { return nil }
        var cents = whole * 100
        if i < u.count {
            guard u[i] == 0x2E, (2...3).contains(u.count - i) else { return nil }
            var fraction: Int64 = 0
            for k in (i + 1)..<u.count {
                guard u[k] &- 0x30 < 10 else { return nil }
                fraction = fraction * 10 + Int64(u[k] &- 0x30)
            }
            cents += u.count - i == 2 ? fraction * 10 : fraction
        }
        self.init(cents: negative ? -cents : cents)
    }
}

extension String {
    /// A string of at most `capacity` bytes written by `write`, which returns the end position.
    package init(capacity: Int, write: (UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8>) {
        self.init(unsafeUninitializedCapacity: capacity) { buffer in
            let start = buffer.baseAddress!
            return write(start) - start
        }
    }
}
