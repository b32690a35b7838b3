/// Calendar date without a time zone, as care records keep birth dates and validity periods.
///
/// Stored as components rather than `Foundation.Date` so that a birth date never shifts by a day
/// when a machine's time zone changes, and so that the model needs no Foundation.
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Returns nil for impossible dates (31 April, 29 February outside leap years, year 0).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= LocalDate.daysIn(month: month, year: year) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`, the ISO 8601 calendar form the canonical formats use.
    public init?(iso text: some StringProtocol) {
        var s = String(text)
        guard let v = s.withUTF8({ LocalDate(iso: $0) }) else { return nil }
        self = v
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public var description: String {
        String(capacity: LocalDate.maxTextCount) { writeText(to: $0) }
    }

    /// Days since 1970-01-01 (proleptic Gregorian), for date arithmetic such as retention terms.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public init(daysSinceEpoch z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    /// The same day `years` later; 29 February falls back to 28 February in a common year.
    public func adding(years: Int, months: Int = 0) -> LocalDate {
        let total = (year + years) * 12 + (month - 1) + months
        let y = total / 12, m = total % 12 + 1
        return LocalDate(year: y, month: m, day: min(day, LocalDate.daysIn(month: m, year: y)))
            ?? self
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let v = LocalDate(iso: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a valid YYYY-MM-DD date")
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// A moment in time with the UTC offset it was recorded in (RFC 3339).
///
/// The offset is kept, not normalised away, so that "09:00 in Utrecht" written by a source system
/// comes back out exactly as it went in; comparisons use the instant.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let date: LocalDate
    /// Seconds since local midnight.
    public let secondOfDay: Int
    /// Fractional second in nanoseconds; zero is written without a fraction.
    public let nanosecond: Int
    /// Minutes east of UTC; nil when the source gave no offset (floating local time is not allowed in
    /// the canonical form, so adapters must supply one).
    public let offsetMinutes: Int

    public init?(date: LocalDate, hour: Int, minute: Int, second: Int, nanosecond: Int = 0, offsetMinutes: Int = 0) {
        guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second),
              (0..<1_000_000_000).contains(nanosecond), (-18 * 60...18 * 60).contains(offsetMinutes)
        else { return nil }
        self.date = date
        self.secondOfDay = hour * 3600 + minute * 60 + second
        self.nanosecond = nanosecond
        self.offsetMinutes = offsetMinutes
    }

    /// Parses RFC 3339 (`2024-03-01T09:30:00+01:00`, `…Z`, optional fraction up to nanoseconds).
    public init?(rfc3339 text: some StringProtocol) {
        var s = String(text)
        guard let v = s.withUTF8({ Timestamp(rfc3339: $0) }) else { return nil }
        self = v
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    public var epochSeconds: Int {
        date.daysSinceEpoch * 86_400 + secondOfDay - offsetMinutes * 60
    }

    public var description: String {
        String(capacity: Timestamp.maxTextCount) { writeText(to: $0) }
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool {
        (a.epochSeconds, a.nanosecond) < (b.epochSeconds, b.nanosecond)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        guard let v = Timestamp(rfc3339: try c.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an RFC 3339 date-time with offset")
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Burgerservicenummer: the Dutch citizen service number.
///
/// The digits are kept even when they fail the elfproef, so that a reader can load a bad file and
/// report where the bad number is; `isValid` is what validation checks. `description` never shows
/// the number, so a BSN cannot leak into a log line by string interpolation.
public struct BSN: Hashable, Sendable, Codable, CustomStringConvertible {
    public let digits: String

    public init(_ digits: String) { self.digits = digits }

    /// Nine digits whose weighted sum 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is divisible by 11, and not zero.
    public static func passesElfproef(_ digits: some StringProtocol) -> Bool {
        let u = Array(digits.utf8)
        guard u.count == 9, u.allSatisfy({ (0x30...0x39).contains($0) }) else { return false }
        var sum = 0
        for (i, c) in u.enumerated() {
            let d = Int(c - 0x30)
            sum += i == 8 ? -d : d * (9 - i)
        }
        return sum != 0 && sum % 11 == 0
    }

    public var isValid: Bool { BSN.passesElfproef(digits) }
    public var description: String { "BSN(redacted)" }

    public init(from decoder: any Decoder) throws {
        digits = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(digits)
    }
}

/// Dutch postal codes: four digits (not starting with 0), a space, two capital letters.
public enum DutchPostalCode {
    /// Normalises `1234ab`, `1234 AB`, ` 1234  ab ` to `1234 AB`; nil when the input is not a Dutch code.
    public static func normalise(_ raw: some StringProtocol) -> String? {
        let u = raw.utf8.filter { $0 != 0x20 && $0 != 0x09 }
        guard u.count == 6, (0x31...0x39).contains(u[0]), u[1...3].allSatisfy({ (0x30...0x39).contains($0) })
        else { return nil }
        var letters = [UInt8]()
        for c in u[4...5] {
            switch c {
            case 0x41...0x5A: letters.append(c)
            case 0x61...0x7A: letters.append(c - 0x20)
            default: return nil
            }
        }
        // SA, SD and SS are not issued.
        if [[0x53, 0x41], [0x53, 0x44], [0x53, 0x53]].contains(letters) { return nil }
        return String(decoding: u[0...3], as: UTF8.self) + " " + String(decoding: letters, as: UTF8.self)
    }

    public static func isCanonical(_ s: String) -> Bool { normalise(s) == s }
}

/// An amount of money in euro cents, written as a decimal string so no binary float touches it.
public struct Amount: Hashable, Sendable, Codable, CustomStringConvertible {
    public let cents: Int64
    public init(cents: Int64) { self.cents = cents }

    /// Parses `1234.56`, `-7`, `0.5`; a decimal comma (`1.234,56`) is the adapter's job, not this type's.
    public init?(decimal text: some StringProtocol) {
        var s = Substring(text)
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].utf8.count <= 15,
              let whole = Int64(parts[0]), parts[0].allSatisfy(\.isASCII) else { return nil }
        var cents = whole * 100
        if parts.count == 2 {
            let f = parts[1]
            guard (1...2).contains(f.count), let v = Int64(f), f.allSatisfy(\.isASCII) else { return nil }
            cents += f.count == 1 ? v * 10 : v
        }
        self.cents = negative ? -cents : cents
    }

    public var description: String { String(capacity: Amount.maxTextCount) { writeText(to: $0) } }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        guard let v = Amount(decimal: try c.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a decimal amount with at most two decimals")
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Small ASCII digit helpers shared by the value types' parsers and printers.
package enum Digits {
    static func parse(_ bytes: some Collection<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var v = 0
        for b in bytes {
            guard (0x30...0x39).contains(b) else { return nil }
            v = v * 10 + Int(b - 0x30)
        }
        return v
    }

    static func pad(_ v: Int, _ width: Int) -> String {
        String(capacity: max(width, 20)) { write(v, width, $0) }
    }

    /// Writes exactly `width` digits of `v`, which must be in `0..<10^width` (the fields of a
    /// valid date or time are); returns the position after them. The hot path of `writeText`.
    @inline(__always)
    static func fixed(_ v: Int, _ width: Int, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        // Two digits (months, days, hours, minutes, seconds: most of a timestamp) without a loop.
        if width == 2 {
            let (tens, ones) = v.quotientAndRemainder(dividingBy: 10)
            p[0] = 0x30 &+ UInt8(truncatingIfNeeded: tens)
            p[1] = 0x30 &+ UInt8(truncatingIfNeeded: ones)
            return p + 2
        }
        var v = v
        for k in stride(from: width - 1, through: 0, by: -1) {
            p[k] = 0x30 &+ UInt8(truncatingIfNeeded: v % 10)
            v /= 10
        }
        return p + width
    }

    /// How many digits `v` has, its sign not counted.
    package static func count(_ v: Int) -> Int {
        var count = 1
        var m = v.magnitude
        while m >= 10 { m /= 10; count += 1 }
        return count
    }

    /// Writes `v` at `p`, zero-padded to at least `width` digits as `pad` does (a sign counts
    /// towards the width and follows the zeros); returns the position after it.
    package static func write(_ v: Int, _ width: Int, _ p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let count = Self.count(v)
        var m = v.magnitude
        var q = p
        let length = count + (v < 0 ? 1 : 0)
        if length < width {
            q.initialize(repeating: 0x30, count: width - length)
            q += width - length
        }
        if v < 0 { q.pointee = 0x2D; q += 1 }
        m = v.magnitude
        for k in stride(from: count - 1, through: 0, by: -1) {
            q[k] = 0x30 + UInt8(m % 10)
            m /= 10
        }
        return q + count
    }
}
