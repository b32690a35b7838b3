internal import DossierModel
internal import Foundation

/// A date or timestamp pattern such as `dd-MM-yyyy HH:mm`, parsed once and matched over bytes.
///
/// Hand-written rather than `DateFormatter` because DateFormatter is slow per value, lenient in ways
/// that hide bad data (it rolls 31-02 over to 2 March), and shifts dates through the process time
/// zone. Tokens: `yyyy`/`jjjj` year, `MM`/`M` month, `dd`/`d` day, `HH`/`H`/`uu` hour, `mm` minute,
/// `ss` second; other ASCII characters are literals (a space also matches `T`). In a pattern with
/// `jjjj` and no hour, `mm` is the month, so the Dutch `dd-mm-jjjj` reads as written. After the
/// last token, a fraction (`.123`) and an offset (`Z`, `+01`, `+01:00`, `+0100`) are accepted.
struct DatePattern: Sendable, Equatable {
    enum Token: Equatable, Sendable {
        case year, month(fixed: Bool), day(fixed: Bool), hour(fixed: Bool), minute, second, literal(UInt8)
    }

    let tokens: [Token]
    /// Stored: asked twice per value matched.
    let hasTime: Bool
    /// The width of the text the tokens cover when each has a fixed width (`yyyy-MM-dd HH:mm:ss`,
    /// not `d-M-yyyy`), else nil.
    let fixedWidth: Int?
    /// `yyyy-MM-dd` or `yyyy-MM-dd HH:mm:ss`: how PostgreSQL writes dates and timestamps (DateStyle
    /// ISO, its default), so most values of a dump, matched with no walk over the tokens at all.
    let iso: Bool

    init?(_ pattern: String) {
        let u = Array(pattern.utf8)
        let dutch = pattern.contains("jjjj") && !pattern.contains("HH") && !pattern.contains("uu") && !pattern.contains("H")
        var tokens: [Token] = []
        var i = 0
        while i < u.count {
            let c = u[i]
            var n = 1
            while i + n < u.count, u[i + n] == c { n += 1 }
            let letter = (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c)
            guard letter else {
                guard c < 0x80 else { return nil }
                for _ in 0..<n { tokens.append(.literal(c)) }
                i += n
                continue
            }
            switch (Character(UnicodeScalar(c)), n) {
            case ("y", 4), ("j", 4): tokens.append(.year)
            case ("M", 1), ("M", 2): tokens.append(.month(fixed: n == 2))
            case ("d", 1), ("d", 2): tokens.append(.day(fixed: n == 2))
            case ("H", 1), ("H", 2), ("u", 2): tokens.append(.hour(fixed: n == 2))
            case ("m", 2): tokens.append(dutch ? .month(fixed: true) : .minute)
            case ("s", 2): tokens.append(.second)
            default: return nil
            }
            i += n
        }
        func has(_ t: (Token) -> Bool) -> Bool { tokens.filter(t).count == 1 }
        guard has({ $0 == .year }), has({ if case .month = $0 { true } else { false } }),
              has({ if case .day = $0 { true } else { false } }) else { return nil }
        let timed = tokens.contains { if case .hour = $0 { true } else { false } }
        if timed != tokens.contains(.minute) || (tokens.contains(.second) && !timed) { return nil }
        self.tokens = tokens
        hasTime = timed
        var width: Int? = 0
        for t in tokens {
            switch t {
            case .year: width? += 4
            case .month(let fixed), .day(let fixed), .hour(let fixed): width = fixed ? width.map { $0 + 2 } : nil
            case .minute, .second: width? += 2
            case .literal: width? += 1
            }
        }
        fixedWidth = width
        let d: [Token] = [.year, .literal(0x2D), .month(fixed: true), .literal(0x2D), .day(fixed: true)]
        iso = tokens == d || tokens == d + [.literal(0x20), .hour(fixed: true), .literal(0x3A), .minute, .literal(0x3A), .second]
    }

    struct Fields: Equatable { var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, nanosecond = 0; var offset: Int? }

    /// The fields, or nil when the text does not follow the pattern.
    func match(_ text: String) -> Fields? {
        var text = text
        return text.withUTF8 { match($0, fixed: true) }
    }

    /// As `match`, always walking the tokens: what the fixed-width path must agree with.
    func matchByTokens(_ text: String) -> Fields? {
        var text = text
        return text.withUTF8 { match($0, fixed: false) }
    }

    private func match(_ u: UnsafeBufferPointer<UInt8>, fixed: Bool) -> Fields? {
        var f = Fields()
        var i = 0
        func digits(_ min: Int, _ max: Int) -> Int? { Self.digits(u, &i, min, max) }
        if fixed, let width = fixedWidth, u.count >= width, let p = u.baseAddress {
            guard matchFixed(p, &f) else { return nil }
            i = width
        } else {
            guard matchTokens(u, &i, &f) else { return nil }
        }
        if hasTime, i < u.count, u[i] == 0x2E || u[i] == 0x2C {
            i += 1
            let start = i
            guard let frac = digits(1, 9) else { return nil }
            f.nanosecond = frac * [1, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1000, 100, 10, 1][i - start]
        }
        if hasTime, i < u.count {
            if u[i] == 0x5A { f.offset = 0; i += 1 }
            else if u[i] == 0x2B || u[i] == 0x2D {
                let sign = u[i] == 0x2D ? -1 : 1
                i += 1
                guard let h = digits(2, 2) else { return nil }
                var m = 0
                if i < u.count, u[i] == 0x3A { i += 1; guard let v = digits(2, 2) else { return nil }; m = v }
                else if i < u.count { guard let v = digits(2, 2) else { return nil }; m = v }
                f.offset = sign * (h * 60 + m)
            }
        }
        return i == u.count ? f : nil
    }

    /// Up to `max` digits at `i` (at least `min`), read on; nil when there are fewer.
    private static func digits(_ u: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ min: Int, _ max: Int) -> Int? {
        var v = 0, n = 0
        while n < max, i < u.count, (0x30...0x39).contains(u[i]) { v = v * 10 + Int(u[i] - 0x30); i += 1; n += 1 }
        return n >= min ? v : nil
    }

    /// The tokens matched one by one from the start of `u`, `i` left after the last.
    private func matchTokens(_ u: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ f: inout Fields) -> Bool {
        for t in tokens {
            switch t {
            case .year: guard let v = Self.digits(u, &i, 4, 4) else { return false }; f.year = v
            case .month(let fixed): guard let v = Self.digits(u, &i, fixed ? 2 : 1, 2) else { return false }; f.month = v
            case .day(let fixed): guard let v = Self.digits(u, &i, fixed ? 2 : 1, 2) else { return false }; f.day = v
            case .hour(let fixed): guard let v = Self.digits(u, &i, fixed ? 2 : 1, 2) else { return false }; f.hour = v
            case .minute: guard let v = Self.digits(u, &i, 2, 2) else { return false }; f.minute = v
            case .second: guard let v = Self.digits(u, &i, 2, 2) else { return false }; f.second = v
            case .literal(let c):
                guard i < u.count, u[i] == c || (c == 0x20 && u[i] == 0x54) else { return false }
                i += 1
            }
        }
        return true
    }

    /// The two digits at `p` as a number; nil when either is not a digit.
    @inline(__always) private static func pair(_ p: UnsafePointer<UInt8>) -> Int? {
        let a = p[0] &- 0x30, b = p[1] &- 0x30
        return a < 10 && b < 10 ? Int(a) * 10 + Int(b) : nil
    }

    /// As `matchFixed` for the ISO patterns (`iso`), their places written out: about 70
    /// instructions a timestamp against 240 through the tokens.
    private func matchISO(_ p: UnsafePointer<UInt8>, _ f: inout Fields) -> Bool {
        func pair(_ i: Int) -> Int? { Self.pair(p + i) }
        guard let y1 = pair(0), let y2 = pair(2), p[4] == 0x2D, let month = pair(5), p[7] == 0x2D, let day = pair(8) else { return false }
        f.year = y1 * 100 + y2; f.month = month; f.day = day
        guard hasTime else { return true }
        guard p[10] == 0x20 || p[10] == 0x54, let hour = pair(11), p[13] == 0x3A, let minute = pair(14), p[16] == 0x3A,
              let second = pair(17) else { return false }
        f.hour = hour; f.minute = minute; f.second = second
        return true
    }

    /// As `matchTokens` for a fixed-width pattern, on a text at least `fixedWidth` long: each
    /// field is a pair of digits at a known place, read without bounds checks or a digit loop
    /// (a timestamp took about 500 instructions through `matchTokens`).
    private func matchFixed(_ p: UnsafePointer<UInt8>, _ f: inout Fields) -> Bool {
        if iso { return matchISO(p, &f) }
        var i = 0
        func pair() -> Int? {
            defer { i += 2 }
            return Self.pair(p + i)
        }
        for t in tokens {
            switch t {
            case .year: guard let hi = pair(), let lo = pair() else { return false }; f.year = hi * 100 + lo
            case .month: guard let v = pair() else { return false }; f.month = v
            case .day: guard let v = pair() else { return false }; f.day = v
            case .hour: guard let v = pair() else { return false }; f.hour = v
            case .minute: guard let v = pair() else { return false }; f.minute = v
            case .second: guard let v = pair() else { return false }; f.second = v
            case .literal(let c):
                guard p[i] == c || (c == 0x20 && p[i] == 0x54) else { return false }
                i += 1
            }
        }
        return true
    }
}

/// Why a source value could not be converted; the code becomes the diagnostic's reason code.
struct ConversionFailure: Error {
    let code: String
    let reason: String
}

/// Converts one source value to one model field's kind, with the source's conventions.
struct ValueConverter {
    let kind: FieldKind
    let pattern: DatePattern
    let decimalComma: Bool
    let timeZone: TimeZone
    let offsets: ZoneOffsets

    init(kind: FieldKind, pattern: DatePattern, decimalComma: Bool, timeZone: TimeZone) {
        self.kind = kind; self.pattern = pattern; self.decimalComma = decimalComma; self.timeZone = timeZone
        offsets = ZoneOffsets(timeZone)
    }

    /// The converted value, or nil for a null or empty value (left unset).
    /// Takes the value over, so that a text is handed on without counting a reference on it.
    func convert(_ value: consuming SourceValue) throws(ConversionFailure) -> Converted? {
        let text: String, isNumber: Bool
        switch consume value {
        case .null: return nil
        case .bytes: throw ConversionFailure(code: "value.type", reason: "binary value for a \(kind.name) field")
        case .boolean(let b):
            if kind == .boolean { return .boolean(b) }
            text = b ? "true" : "false"; isNumber = false
        case .number(let s): text = s; isNumber = true
        case .text(let s): text = s; isNumber = false
        }
        if text.isEmpty { return nil }
        switch kind {
        case .text: return .text(text)
        case .bsn:
            // Numeric BSN columns lose leading zeros; the nine-digit form is restored.
            let padded = text.utf8.count < 9 && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
                ? String(repeating: "0", count: 9 - text.utf8.count) + text : text
            return .bsn(BSN(padded))
        case .enumeration(let cases):
            guard cases.contains(text) else {
                throw ConversionFailure(code: "value.unmapped-code", reason: "code is not a \(kind.name) and no map lists it")
            }
            return .text(text)
        case .integer:
            guard let v = Int(text) else { throw ConversionFailure(code: "value.number", reason: "not an integer") }
            return .integer(v)
        case .boolean:
            switch text.lowercased() {
            case "true", "t", "1", "yes", "y", "ja", "j": return .boolean(true)
            case "false", "f", "0", "no", "n", "nee": return .boolean(false)
            default: throw ConversionFailure(code: "value.boolean", reason: "not a boolean")
            }
        case .amount:
            guard let a = Self.amount(text, decimalComma: decimalComma && !isNumber) else {
                throw ConversionFailure(code: "value.number", reason: "not an amount with at most two decimals")
            }
            return .amount(a)
        case .date:
            guard let f = pattern.match(text) else { throw ConversionFailure(code: "value.date", reason: "date does not match its format") }
            guard let d = LocalDate(year: f.year, month: f.month, day: f.day) else {
                throw ConversionFailure(code: "value.date", reason: "impossible date")
            }
            return .date(d)
        case .timestamp:
            guard let f = pattern.match(text) else { throw ConversionFailure(code: "value.date", reason: "timestamp does not match its format") }
            guard let d = LocalDate(year: f.year, month: f.month, day: f.day),
                  let t = timestamp(d, f) else { throw ConversionFailure(code: "value.date", reason: "impossible date or time") }
            return .timestamp(t)
        }
    }

    /// Applies the offset the text gave, or the one the source's zone had at that local time.
    ///
    /// A local time in the spring-forward gap or the autumn repeat has no single answer; the
    /// two-step lookup resolves it to the offset in force one offset-width earlier in UTC, which is
    /// deterministic and is what `TimeZone` gives for the wall time read as standard time.
    func timestamp(_ d: LocalDate, _ f: DatePattern.Fields) -> Timestamp? {
        var offset = f.offset
        if offset == nil {
            let wall = d.daysSinceEpoch * 86_400 + f.hour * 3600 + f.minute * 60 + f.second
            offset = offsets.secondsFromGMT(wall - offsets.secondsFromGMT(wall)) / 60
        }
        return Timestamp(date: d, hour: f.hour, minute: f.minute, second: f.second, nanosecond: f.nanosecond,
                         offsetMinutes: offset!)
    }

    /// `1.234,56` (decimal comma) or `1234.56`; zeros past the cents (numeric(10,3)) are dropped.
    static func amount(_ text: String, decimalComma: Bool) -> Amount? {
        plainAmount(text, decimalComma: decimalComma) ?? generalAmount(text, decimalComma: decimalComma)
    }

    static func generalAmount(_ text: String, decimalComma: Bool) -> Amount? {
        var s = text.trimmingCharacters(in: .whitespaces)
        if decimalComma {
            s = s.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
        }
        if let dot = s.firstIndex(of: ".") {
            let fraction = s[s.index(after: dot)...]
            if fraction.count > 2, fraction.dropFirst(2).allSatisfy({ $0 == "0" }) {
                s = String(s[...s.index(dot, offsetBy: 2)])
            }
        }
        return Amount(decimal: s)
    }

    /// The result `amount` gives, decided over bytes for texts of only digits, separators and a
    /// leading minus (what dumps hold), or nil when the text needs the general path.
    ///
    /// Amounts are a large share of a dump's values and the general path trims, rewrites and splits
    /// `String`s per value.
    static func plainAmount(_ text: String, decimalComma: Bool) -> Amount?? {
        var negative = false, whole: Int64 = 0, wholeDigits = 0, dots = 0
        var fraction: Int64 = 0, fractionDigits = 0, zeroTail = true
        var i = 0
        for b in text.utf8 {
            defer { i += 1 }
            switch b {
            case 0x2D where i == 0: negative = true
            case 0x30...0x39:
                let d = Int64(b - 0x30)
                if dots == 0 {
                    wholeDigits += 1
                    if wholeDigits <= 15 { whole = whole * 10 + d }
                } else {
                    fractionDigits += 1
                    if fractionDigits <= 2 { fraction = fraction * 10 + d } else if d != 0 { zeroTail = false }
                }
            case 0x2E: if !decimalComma { dots += 1 }
            case 0x2C:
                guard decimalComma else { return nil }
                dots += 1
            default: return nil
            }
        }
        guard dots <= 1, (1...15).contains(wholeDigits) else { return .some(nil) }
        var cents = whole * 100
        if dots == 1 {
            let n = fractionDigits > 2 && zeroTail ? 2 : fractionDigits
            guard (1...2).contains(n) else { return .some(nil) }
            cents += n == 1 ? fraction * 10 : fraction
        }
        return .some(Amount(cents: negative ? -cents : cents))
    }
}

/// A time zone's offset per UTC day, remembered for the days without a transition.
///
/// Asking `TimeZone` (ICU) costs a lock and a calendar computation per call, twice per timestamp,
/// while a zone changes its offset on a handful of days per year. Per compiled field, so a
/// worker thread has its own.
///
/// Days are kept in blocks of 512, each filled on first use by walking the zone's transitions
/// through it (a few ICU calls), and found by position rather than by hashing the day: the dates
/// of a dump are spread over decades, so a cache of the last day alone rarely hits.
final class ZoneOffsets {
    let timeZone: TimeZone
    private static let blockShift = 9, blockDays = 1 << blockShift
    /// Blocks cover days −65,536 ..< 98,304 (the years 1790–2239); other days ask the zone.
    private static let firstBlock = -128, blockCount = 320
    // Unchecked exclusivity: a converter belongs to one worker thread, and the runtime's check
    // cost more than the lookup it guards.
    /// Where each block starts in `days`, or −1 while it is not filled.
    @exclusivity(unchecked) private var blockStart: [Int32] = []
    /// Seconds east of UTC of each day of the filled blocks; `changes` for a day with a transition.
    @exclusivity(unchecked) private var days: [Int32] = []
    private static let changes = Int32.min

    init(_ timeZone: TimeZone) { self.timeZone = timeZone }

    /// Seconds east of UTC at `instant` (seconds since 1970).
    func secondsFromGMT(_ instant: Int) -> Int {
        let day = instant >= 0 ? instant / 86_400 : (instant - 86_399) / 86_400
        let block = (day >> Self.blockShift) - Self.firstBlock
        if block >= 0, block < Self.blockCount {
            if blockStart.isEmpty { blockStart = Array(repeating: -1, count: Self.blockCount) }
            var start = Int(blockStart[block])
            if start < 0 { start = fill(block) }
            let offset = days[start + (day & (Self.blockDays - 1))]
            if offset != Self.changes { return Int(offset) }
        }
        return timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    /// Fills `block` from the zone's transitions and returns where it starts in `days`.
    private func fill(_ block: Int) -> Int {
        let start = days.count
        let firstDay = (block + Self.firstBlock) << Self.blockShift
        var instant = Date(timeIntervalSince1970: TimeInterval(firstDay * 86_400))
        var offset = Int32(timeZone.secondsFromGMT(for: instant))
        var d = 0
        while d < Self.blockDays {
            // The day a transition falls in has two offsets; the days before it have the one before.
            let next = timeZone.nextDaylightSavingTimeTransition(after: instant)
            let changeDay = next.map { Int(($0.timeIntervalSince1970 / 86_400).rounded(.down)) - firstDay } ?? Self.blockDays
            while d < min(changeDay, Self.blockDays) { days.append(offset); d += 1 }
            guard let next, changeDay < Self.blockDays else { break }
            if d == changeDay { days.append(Self.changes); d += 1 }
            instant = next
            offset = Int32(timeZone.secondsFromGMT(for: next))
        }
        blockStart[block] = Int32(start)
        return start
    }
}
