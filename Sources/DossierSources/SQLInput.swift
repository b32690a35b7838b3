#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DossierIO
import DossierModel

/// A growable byte buffer reused for every literal and line, so the hot loops append slices
/// without per-value allocation or copy-on-write checks.
final class SQLByteBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    func removeAll() { count = 0 }

    func removeLast(_ n: Int) { count -= n }

    @inline(__always) func append(_ byte: UInt8) {
        if count == capacity { grow(count + 1) }
        base[count] = byte
        count += 1
    }

    func append(_ p: UnsafePointer<UInt8>, _ n: Int) {
        guard n > 0 else { return }
        if count + n > capacity { grow(count + n) }
        (base + count).update(from: p, count: n)
        count += n
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if let p = bytes.baseAddress { append(p, bytes.count) }
    }

    private func grow(_ needed: Int) {
        var c = capacity * 2
        while c < needed { c *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = c
    }
}

/// A cursor over a dump's bytes, one `ByteReader` chunk at a time, that keeps the line and the
/// offset of the line's start, so every error can name a line and column without per-byte work.
final class SQLInput {
    let file: String
    private let reader: ByteReader
    /// The current chunk; valid bytes are `base[pos..<end]`.
    private(set) var base: UnsafePointer<UInt8>?
    var pos = 0
    private(set) var end = 0
    /// Absolute offset of `base[0]`.
    private var chunkOffset: Int64 = 0
    private(set) var line = 1
    /// Absolute offset of the first byte of `line`.
    private var lineStart: Int64 = 0
    /// Holds a line that spans chunks.
    private let spill = SQLByteBuffer()
    let limit: Int

    init(reader: ByteReader, limit: Int) {
        self.reader = reader
        self.file = reader.path
        self.limit = limit
    }

    var column: Int { Int(chunkOffset + Int64(pos) - lineStart) + 1 }

    /// Makes at least one byte available; false at end of input.
    @inline(__always) func ensure() throws -> Bool {
        if pos < end { return true }
        return try refill()
    }

    private func refill() throws -> Bool {
        while true {
            chunkOffset += Int64(end)
            pos = 0; end = 0
            guard let chunk = try reader.nextChunk() else { return false }
            guard chunk.count > 0, let p = chunk.baseAddress else { continue }
            base = p.assumingMemoryBound(to: UInt8.self)
            end = chunk.count
            return true
        }
    }

    /// The first bytes of the input (up to one chunk), for dialect detection, without consuming them.
    func prefix(_ n: Int) throws -> [UInt8] {
        guard try ensure() else { return [] }
        return Array(UnsafeBufferPointer(start: base! + pos, count: min(n, end - pos)))
    }

    @inline(__always) func peek() throws -> UInt8? {
        try ensure() ? base![pos] : nil
    }

    /// Consumes one byte, counting lines.
    @inline(__always) func next() throws -> UInt8? {
        guard try ensure() else { return nil }
        let b = base![pos]
        pos += 1
        if b == 0x0A { newline(at: pos) }
        return b
    }

    /// Records that the byte before `index` in the current chunk was a line feed.
    @inline(__always) func newline(at index: Int) {
        line += 1
        lineStart = chunkOffset + Int64(index)
    }

    /// Passes over the complete lines of the current chunk that each hold exactly `tabs` tabs and
    /// do not start with a backslash, and returns how many there were.
    ///
    /// A counted COPY table needs of each line only its end and its tab count, so this finds both
    /// eight bytes at a time with no call per line, which is what lets a scan keep up with the
    /// disk. It stops before any other line (the `\.` end marker, a line with another tab count,
    /// one cut by the end of the chunk or over the line limit), which the caller reads the
    /// ordinary way, so every error is found where it was before.
    func passLines(tabs expected: Int) -> Int {
        guard let base, pos < end, base[pos] != 0x5C else { return 0 }
        let tab: UInt64 = 0x0909_0909_0909_0909, lf: UInt64 = 0x0A0A_0A0A_0A0A_0A0A
        var lines = 0, start = pos, tabsInLine = 0, i = pos
        scan: while i + 8 <= end {
            // Most stretches of 32 or 16 bytes hold no line end: only their tabs are counted.
            if i + 32 <= end, let n = Self.tabsWithoutLineEnd(base + i, words: 4) { tabsInLine += n; i += 32; continue }
            if i + 16 <= end, let n = Self.tabsWithoutLineEnd(base + i, words: 2) { tabsInLine += n; i += 16; continue }
            let w = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            let tabBits = zeroBytes(w ^ tab)
            var lfBits = zeroBytes(w ^ lf)
            // Tab bits of this word already given to an earlier line.
            var done: UInt64 = 0
            while lfBits != 0 {
                let bit = lfBits.trailingZeroBitCount
                let upTo: UInt64 = bit == 63 ? ~0 : (1 << (bit + 1)) &- 1
                tabsInLine += (tabBits & upTo & ~done).nonzeroBitCount
                let next = i + bit / 8 + 1
                guard tabsInLine == expected, next - start - 1 <= limit else { break scan }
                lines += 1
                start = next
                guard next < end, base[next] != 0x5C else { break scan }
                tabsInLine = 0
                done = upTo
                lfBits &= lfBits &- 1
            }
            tabsInLine += (tabBits & ~done).nonzeroBitCount
            i += 8
        }
        if lines > 0 {
            pos = start
            line += lines
            lineStart = chunkOffset + Int64(start)
        }
        return lines
    }

    /// The tabs in `words` eight-byte words at `p`, or nil when they hold a line feed.
    @inline(__always)
    private static func tabsWithoutLineEnd(_ p: UnsafePointer<UInt8>, words: Int) -> Int? {
        var lineEnds: UInt64 = 0, tabs: UInt64 = 0
        for k in 0..<words {
            let w = UInt64(littleEndian: UnsafeRawPointer(p + 8 * k).loadUnaligned(as: UInt64.self))
            lineEnds |= zeroBytes(w ^ 0x0A0A_0A0A_0A0A_0A0A)
            // One per tab in each byte lane; at most four words, so no lane carries.
            tabs &+= zeroBytes(w ^ 0x0909_0909_0909_0909) >> 7
        }
        // The lanes summed into the top byte.
        return lineEnds == 0 ? Int((tabs &* 0x0101_0101_0101_0101) >> 56) : nil
    }

    /// The next line without its LF, and whether it had one (false for a last line cut by the end of
    /// input); nil at end of input. The bytes are valid until the next call on this input.
    func nextLine() throws -> (bytes: UnsafeBufferPointer<UInt8>, ended: Bool)? {
        guard try ensure() else { return nil }
        if let nl = memchr(base! + pos, 0x0A, end - pos) {
            let i = UnsafePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - base!
            if i - pos > limit { throw tooLarge() }
            let bytes = UnsafeBufferPointer(start: base! + pos, count: i - pos)
            pos = i + 1
            newline(at: pos)
            return (bytes, true)
        }
        spill.removeAll()
        while true {
            spill.append(base! + pos, end - pos)
            pos = end
            if spill.count > limit { throw tooLarge() }
            guard try ensure() else { return (spill.bytes, false) }
            if let nl = memchr(base! + pos, 0x0A, end - pos) {
                let i = UnsafePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - base!
                spill.append(base! + pos, i - pos)
                pos = i + 1
                newline(at: pos)
                if spill.count > limit { throw tooLarge() }
                return (spill.bytes, true)
            }
        }
    }

    /// Consumes the rest of the current line, including its LF, as raw bytes.
    func restOfLine() throws -> [UInt8] {
        var out: [UInt8] = []
        while let b = try next(), b != 0x0A {
            out.append(b)
            if out.count > limit { throw tooLarge() }
        }
        return out
    }

    func error(_ code: String, _ message: String, line: Int? = nil, column: Int? = nil) -> DossierError {
        DossierError(code, message, at: SourceLocation(file: file, line: line ?? self.line,
                                                       column: column ?? (line == nil ? self.column : nil)))
    }

    func tooLarge() -> DossierError {
        error("sql.too-large", "a statement, line or value is larger than the \(limit)-byte limit")
    }
}
