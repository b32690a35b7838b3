/// The growable bytes the JSON and XML writers append to, behind a raw pointer.
///
/// An array's `append(contentsOf:)` checks uniqueness and capacity through a generic path on
/// every call; writers append a few bytes at a time, millions of times, and in the XML writer
/// those calls were a quarter of its instructions. The owner deallocates (`deallocate()`), in
/// its `deinit`: a struct cannot.
struct OutputBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var capacity: Int
    /// Bytes written; lowering it drops the bytes after it.
    var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    func deallocate() { base.deallocate() }

    /// Makes room for `n` more bytes; the room starts at `end`.
    @inline(__always)
    mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    /// Where the next byte goes.
    @inline(__always)
    var end: UnsafeMutablePointer<UInt8> { base + count }

    private mutating func grow(_ needed: Int) {
        (base, capacity) = Self.grown(base, count: count, capacity: capacity, needed: needed)
    }

    /// New storage of at least `needed` bytes (doubling from `capacity`) holding the `count`
    /// bytes at `base`, which is freed. `JSONWriter`, whose fields are its own, grows through it too.
    static func grown(_ base: UnsafeMutablePointer<UInt8>, count: Int, capacity: Int,
                      needed: Int) -> (UnsafeMutablePointer<UInt8>, Int) {
        var c = capacity * 2
        while c < needed { c *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        bigger.initialize(from: base, count: count)
        base.deallocate()
        return (bigger, c)
    }

    @inline(__always)
    mutating func append(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count += 1
    }

    @inline(__always)
    mutating func append(_ p: UnsafePointer<UInt8>, count n: Int) {
        reserve(n)
        (base + count).update(from: p, count: n)
        count += n
    }

    @inline(__always)
    mutating func append(_ s: StaticString) {
        append(s.utf8Start, count: s.utf8CodeUnitCount)
    }

    /// `s`'s UTF-8 bytes, as they are.
    mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { if let p = $0.baseAddress { append(p, count: $0.count) } }
    }

    /// `n` copies of `b`: indentation.
    @inline(__always)
    mutating func append(repeating b: UInt8, count n: Int) {
        reserve(n)
        (base + count).initialize(repeating: b, count: n)
        count += n
    }

    /// `v` in decimal, with no `String` made for it.
    mutating func append<T: FixedWidthInteger>(integer v: T) {
        reserve(Self.maxDecimalCount)
        count += Self.writeDecimal(v, to: end)
    }

    /// The most bytes `writeDecimal` writes.
    static let maxDecimalCount = 41

    /// Writes `v` in decimal at `p`, which has room for `maxDecimalCount` bytes; returns how many
    /// it wrote. Shared with `JSONWriter`.
    @inline(__always)
    static func writeDecimal<T: FixedWidthInteger>(_ v: T, to p: UnsafeMutablePointer<UInt8>) -> Int {
        if v == 0 { p.pointee = 0x30; return 1 }
        var digits: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { d -> Int in
            var m = v.magnitude
            var i = d.count
            while m != 0 {
                let (q, r) = m.quotientAndRemainder(dividingBy: 10)
                i -= 1
                d[i] = 0x30 + UInt8(r)
                m = q
            }
            if v < 0 { i -= 1; d[i] = 0x2D }
            let len = d.count - i
            p.update(from: d.baseAddress!.assumingMemoryBound(to: UInt8.self) + i, count: len)
            return len
        }
    }

    /// Text that `write` puts at a position in at most `maxCount` bytes, returning its end: a
    /// value type's `writeText(to:)`.
    @inline(__always)
    mutating func append(writing maxCount: Int, _ write: (UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8>) {
        reserve(maxCount)
        count = write(end) - base
    }

    /// The bytes written, valid until the next append.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
