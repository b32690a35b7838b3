import DossierIO

extension SplitMix64 {
    /// A number in `0..<bound`.
    mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(next() % UInt64(bound)) }

    mutating func pick<C: Collection>(_ c: C) -> C.Element where C.Index == Int { c[c.startIndex + below(c.count)] }
}

/// Byte-level mutations of a seed, the kinds of damage real files suffer (cut short, a byte
/// changed, a block lost or repeated, bytes of the wrong encoding) plus the format's own
/// syntax spliced in at random places, which is what reaches past a parser's first check.
struct Mutator {
    /// Tokens of the format: quotes, escapes, keywords, headers.
    let dictionary: [[UInt8]]
    /// Inputs are kept under this size, so that one cannot grow without bound by repetition.
    let maxSize: Int
    /// For formats with values to swap: most inputs then get value mutations only, which keep
    /// the syntax and so reach what lies behind the tokeniser.
    var syntax: ValueSyntax? = nil
    /// For readers that refuse anything but UTF-8 first: most ill-formed results are repaired
    /// (U+FFFD), so that the rest of the reader sees the input; a tenth still tests the refusal.
    var keepsUTF8 = false

    static let interestingBytes: [UInt8] = [0x00, 0x01, 0x09, 0x0A, 0x0D, 0x20, 0x22, 0x27, 0x2C, 0x3B, 0x3C, 0x3E,
                                            0x5C, 0x7F, 0x80, 0xBF, 0xC0, 0xE9, 0xFE, 0xFF]
    /// Ill-formed UTF-8: a lone continuation byte, an overlong form, a surrogate, a truncated
    /// sequence, bytes that never occur.
    static let invalidUTF8: [[UInt8]] = [[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82], [0xF8, 0x88, 0x80, 0x80, 0x80],
                                         [0xFF], [0xF4, 0x90, 0x80, 0x80]]

    func mutate(_ seed: [UInt8], other: [UInt8], rng: inout SplitMix64) -> [UInt8] {
        var b = seed
        let valuesOnly = syntax != nil && rng.below(5) < 3
        for _ in 0..<(1 + rng.below(4)) {
            if valuesOnly, let syntax, !b.isEmpty { syntax.mutate(&b, extra: dictionary, rng: &rng) } else { mutateOnce(&b, other: other, rng: &rng) }
        }
        if b.count > maxSize { b.removeLast(b.count - maxSize) }
        if keepsUTF8, rng.below(10) != 0, b.withUnsafeBufferPointer({ UTF8Validation.firstInvalid($0) }) != nil {
            b = Array(String(decoding: b, as: UTF8.self).utf8)
        }
        return b
    }

    private func mutateOnce(_ b: inout [UInt8], other: [UInt8], rng: inout SplitMix64) {
        guard !b.isEmpty else { b = dictionary.isEmpty ? [0x0A] : rng.pick(dictionary); return }
        let at = rng.below(b.count)
        switch rng.below(10) {
        case 0:
            b[at] ^= 1 << UInt8(rng.below(8))
        case 1:
            b[at] = rng.pick(Mutator.interestingBytes)
        case 2:
            b.removeSubrange(at..<min(b.count, at + 1 + rng.below(64)))
        case 3:
            let run = Array(b[at..<min(b.count, at + 1 + rng.below(256))])
            b.insert(contentsOf: run, at: rng.below(b.count + 1))
        case 4, 5:
            if !dictionary.isEmpty { b.insert(contentsOf: rng.pick(dictionary), at: at) }
        case 6:
            b.removeSubrange(at...)
        case 7:
            // The start of this input and the rest of another: two valid halves that disagree.
            guard !other.isEmpty else { return }
            b = Array(b[..<at]) + other[rng.below(other.count)...]
        case 8:
            b.insert(contentsOf: rng.pick(Mutator.invalidUTF8), at: at)
        default:
            // A number where one is expected, made too long or too large.
            let digits = Array(String(rng.next()).utf8) + (rng.below(2) == 0 ? Array(repeating: 0x39, count: 30) : [])
            b.replaceSubrange(at..<min(b.count, at + 1 + rng.below(8)), with: digits)
        }
    }
}
