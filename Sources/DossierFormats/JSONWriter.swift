import DossierIO
import DossierModel

/// How a JSON document is laid out; both are canonical, so equal values give equal bytes.
public enum JSONStyle: Sendable {
    /// Two-space indent, `"key": value`, a final newline: one dossier per file, diff-friendly.
    case pretty
    /// One line without spaces: one dossier per NDJSON line.
    case compact
}

/// The byte-level half of the JSON writer: a growable buffer, container framing and string escaping.
///
/// Everything is appended to one reusable raw buffer that is handed to the sink in large chunks,
/// so encoding a field costs no heap allocation and no system call. Framing is a stack of open
/// containers: the `Encoder` protocol has no "container finished" call, so a container is closed
/// when a shallower one writes again, which is exactly when synthesized `Codable` code is done with it.
final class JSONWriter {
    struct Frame {
        var isObject: Bool
        var count: Int
        /// The key being written in an object, kept for `codingPath` (the Encoder protocol wants it).
        var key: String
    }

    let sink: any ByteSink
    let pretty: Bool
    // Unchecked exclusivity: a writer is used by one encoding at a time, and the runtime's
    // per-access check on these hot fields was a visible share of the encoding profile.
    @exclusivity(unchecked) private(set) var buffer: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) private(set) var used = 0
    @exclusivity(unchecked) var frames: [Frame] = []
    /// True while a value has been announced (key or separator written) but not yet written.
    @exclusivity(unchecked) var pending = false
    /// The encoding of the last record metadata's first members and what it encodes (see
    /// `RecordMeta.writeJSON`).
    @exclusivity(unchecked) var metaHead: (key: RecordMetaHead, bytes: [UInt8])?
    @exclusivity(unchecked) var sourceFileHead: (key: SourceFileHead, bytes: [UInt8])?
    @exclusivity(unchecked) var metaTail: (key: RecordMetaTail, bytes: [UInt8])?
    @exclusivity(unchecked) var sourceTableHead: (key: SourceTableHead, bytes: [UInt8])?
    /// Bytes kept before handing the buffer to the sink.
    private let flushThreshold: Int
    /// For one document: large enough to make writes cheap, small enough that the buffer comes
    /// from the heap rather than a fresh `mmap` per document.
    static let documentThreshold = 1 << 16
    /// For a long stream (NDJSON): chunks at least as large as `FileSink`'s buffer go to the file
    /// (256 KiB by default) without being copied into it first: about 7% of writing to a file.
    static let streamThreshold = 1 << 18
    /// For bytes read back from the buffer once written (`RecordJSONWriter`): never flushed.
    static let wholeDocument = Int.max

    init(sink: any ByteSink, style: JSONStyle, flushThreshold: Int = JSONWriter.documentThreshold) {
        self.sink = sink
        self.pretty = style == .pretty
        self.flushThreshold = flushThreshold
        capacity = min(flushThreshold, JSONWriter.streamThreshold) + 4096
        buffer = .allocate(capacity: capacity)
    }

    deinit { buffer.deallocate() }

    // MARK: Buffer

    /// Makes room for `n` more bytes by growing, never by flushing, so that the non-throwing
    /// container calls of `Encoder` can write.
    @inline(__always)
    private func reserve(_ n: Int) {
        if used + n > capacity { grow(used + n) }
    }

    private func grow(_ needed: Int) {
        (buffer, capacity) = OutputBuffer.grown(buffer, count: used, capacity: capacity, needed: needed)
    }

    @inline(__always)
    func byte(_ b: UInt8) {
        reserve(1)
        buffer[used] = b
        used += 1
    }

    @inline(__always)
    func bytes(_ p: UnsafePointer<UInt8>, _ n: Int) {
        reserve(n)
        (buffer + used).update(from: p, count: n)
        used += n
    }

    func ascii(_ s: StaticString) {
        bytes(s.utf8Start, s.utf8CodeUnitCount)
    }

    /// Appends the bytes `kept` holds if its key passes `encodes`, and says whether it did (see
    /// `JSONObject.writeJSON(_:to:level:leading:encoding:kept:)`). The pair is read where it is
    /// kept: binding it counted a reference on its bytes and its key's texts for every record.
    @inline(__always)
    func copyKept<Key>(_ kept: inout (key: Key, bytes: [UInt8])?, if encodes: (inout Key) -> Bool) -> Bool {
        guard kept != nil, encodes(&kept!.key) else { return false }
        kept!.bytes.withUnsafeBufferPointer { bytes($0.baseAddress!, $0.count) }
        return true
    }

    /// A copy of what was written from `start` (after the last flush) to `end` (or what is used).
    func written(since start: Int, to end: Int? = nil) -> [UInt8] {
        Array(UnsafeBufferPointer(start: buffer + start, count: (end ?? used) - start))
    }

    /// Drops what was written after `mark`, so a document can be written again by another path.
    func truncate(to mark: Int) {
        used = mark
    }

    /// Hands the buffer to the sink once it is large; called from the throwing write paths only.
    @inline(__always)
    func flushIfFull() throws {
        if used >= flushThreshold { try flush() }
    }

    func flush() throws {
        guard used > 0 else { return }
        try sink.write(UnsafeRawBufferPointer(start: buffer, count: used))
        used = 0
        flushes += 1
    }

    /// How many times the buffer has gone to the sink: a mark in the buffer (`used`) still holds
    /// only while this has not changed since it was taken.
    private(set) var flushes = 0

    // MARK: Framing

    func newline(indent level: Int) {
        reserve(1 + 2 * level)
        buffer[used] = 0x0A
        (buffer + used + 1).initialize(repeating: 0x20, count: 2 * level)
        used += 1 + 2 * level
    }

    /// Writes the separator before the next element of the innermost container.
    private func separator() {
        let last = frames.count - 1
        if frames[last].count > 0 { byte(0x2C) }
        frames[last].count += 1
        if pretty { newline(indent: frames.count) }
    }

    /// Closes containers until `depth` are open; false if the caller's container was closed already.
    func close(to depth: Int) -> Bool {
        guard frames.count >= depth else { return false }
        while frames.count > depth {
            let f = frames.removeLast()
            if pretty && f.count > 0 { newline(indent: frames.count) }
            byte(f.isObject ? 0x7D : 0x5D)
        }
        return true
    }

    /// Announces the next member of the object at `depth`: separator, `"key":`.
    func key(_ key: String, depth: Int) throws -> Bool {
        guard close(to: depth) else { return false }
        separator()
        frames[depth - 1].key = key
        try string(key)
        if pretty { ascii(": ") } else { byte(0x3A) }
        pending = true
        return true
    }

    /// Announces the next element of the array at `depth`.
    func element(depth: Int) -> Bool {
        guard close(to: depth) else { return false }
        separator()
        pending = true
        return true
    }

    func open(object: Bool) {
        pending = false
        byte(object ? 0x7B : 0x5B)
        frames.append(Frame(isObject: object, count: 0, key: ""))
    }

    // MARK: Direct framing (see `JSONObject`)

    /// `,` unless first, the indent, `"key":` (and a space when pretty), in one reservation.
    /// Model keys are ASCII identifiers, so they are copied without escaping.
    @inline(__always)
    func memberName(_ key: StaticString, first: Bool, level: Int) {
        let n = key.utf8CodeUnitCount
        reserve(n + 2 * level + 6)
        var p = buffer + used
        if !first { p.pointee = 0x2C; p += 1 }
        if pretty {
            p.pointee = 0x0A
            (p + 1).initialize(repeating: 0x20, count: 2 * level)
            p += 1 + 2 * level
        }
        p.pointee = 0x22
        (p + 1).update(from: key.utf8Start, count: n)
        p += n + 1
        p[0] = 0x22; p[1] = 0x3A
        p += 2
        if pretty { p.pointee = 0x20; p += 1 }
        used = p - buffer
    }

    @inline(__always)
    func elementSeparator(first: Bool, level: Int) {
        if !first { byte(0x2C) }
        if pretty { newline(indent: level) }
    }

    @inline(__always)
    func closeContainer(_ bracket: UInt8, level: Int, empty: Bool) {
        if pretty && !empty { newline(indent: level) }
        byte(bracket)
    }

    // MARK: Scalars

    func integer<T: FixedWidthInteger>(_ v: T) {
        pending = false
        reserve(OutputBuffer.maxDecimalCount)
        used += OutputBuffer.writeDecimal(v, to: buffer + used)
    }

    /// Writes a timestamp's text without building a `String`: every record carries timestamps,
    /// and through `description` they were a third of the encoding time.
    func timestamp(_ t: Timestamp) { quotedText(Timestamp.maxTextCount, t.writeText) }

    /// Writes a date's text as a JSON string, for the same reason.
    func localDate(_ d: LocalDate) { quotedText(LocalDate.maxTextCount, d.writeText) }

    /// Writes an amount's text as a JSON string, for the same reason: a financial record has one.
    func amount(_ a: Amount) { quotedText(Amount.maxTextCount, a.writeText) }

    /// Writes, between quotes, the ASCII text (no escapes) that `write` puts at a position and
    /// whose end it returns, in at most `maxCount` bytes.
    @inline(__always)
    private func quotedText(_ maxCount: Int, _ write: (UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8>) {
        pending = false
        reserve(maxCount + 2)
        let p = buffer + used
        p.pointee = 0x22
        let q = write(p + 1)
        q.pointee = 0x22
        used = q + 1 - buffer
    }

    func bool(_ v: Bool) {
        pending = false
        if v { ascii("true") } else { ascii("false") }
    }

    func null() {
        pending = false
        ascii("null")
    }

    /// Writes a finite binary float in Swift's shortest round-trip form, which is valid JSON.
    func float(_ description: String) throws {
        try string(description, quoted: false)
    }

    /// Writes `s` as a JSON string: minimal escapes, other bytes raw UTF-8.
    ///
    /// Unicode noncharacters (U+FDD0…U+FDEF, U+xFFFE, U+xFFFF) are refused because I-JSON
    /// (RFC 7493 §2.1) forbids them and our reader would refuse the file.
    func string(_ s: String, quoted: Bool = true) throws {
        pending = false
        var ok = s.utf8.withContiguousStorageIfAvailable { escaped($0, quoted: quoted) }
        if ok == nil {
            var copy = s
            copy.makeContiguousUTF8()
            ok = copy.utf8.withContiguousStorageIfAvailable { escaped($0, quoted: quoted) }
        }
        if ok != true {
            throw DossierError("json.noncharacter", "text contains a Unicode noncharacter, which I-JSON (RFC 7493) forbids",
                               path: path)
        }
    }

    /// The JSON path of the value being written, for error messages.
    var path: String {
        var s = "$"
        for f in frames { s += f.isObject ? "." + f.key : "[\(f.count - 1)]" }
        return s
    }

    /// False when `u` holds a noncharacter; the buffer is then left partly written.
    private func escaped(_ u: UnsafeBufferPointer<UInt8>, quoted: Bool) -> Bool {
        // Worst case every byte becomes `\u00XX`; the short path stores whole words, up to 8 past.
        reserve(u.count * 6 + 10)
        var out = buffer + used
        if quoted { out.pointee = 0x22; out += 1 }
        guard var p = u.baseAddress else {
            if quoted { out.pointee = 0x22; out += 1 }
            used = out - buffer
            return true
        }
        let end = p + u.count
        // Most texts are short and plain (codes, ids, keys, names): checked and copied as one or two
        // words, with no loop and no call, which cost more than the checks themselves.
        if u.count <= 16, let words = ASCIIWord.plainShort(p, u.count) {
            let o = UnsafeMutableRawPointer(out)
            o.storeBytes(of: words.head, as: UInt64.self)
            if u.count > 8 { o.storeBytes(of: words.tail, toByteOffset: u.count - 8, as: UInt64.self) }
            out += u.count
            if quoted { out.pointee = 0x22; out += 1 }
            used = out - buffer
            return true
        }
        while p < end {
            // Copy the longest run that needs no escape in one go.
            var q = p
            while true {
                while end - q >= 8 && ASCIIWord.isPlainUTF8(q) { q += 8 }
                guard q < end && JSONWriter.isPlain(q.pointee) else { break }
                q += 1
            }
            if q > p {
                out.update(from: p, count: q - p)
                out += q - p
                p = q
            }
            guard p < end else { break }
            let c = p.pointee
            if c >= 0x80 {
                if UTF8Validation.isNoncharacter(p, end) { used = out - buffer; return false }
                out.pointee = c; out += 1; p += 1
                continue
            }
            out[0] = 0x5C
            switch c {
            case 0x22: out[1] = 0x22; out += 2
            case 0x5C: out[1] = 0x5C; out += 2
            case 0x0A: out[1] = 0x6E; out += 2
            case 0x0D: out[1] = 0x72; out += 2
            case 0x09: out[1] = 0x74; out += 2
            case 0x08: out[1] = 0x62; out += 2
            case 0x0C: out[1] = 0x66; out += 2
            default:
                out[1] = 0x75; out[2] = 0x30; out[3] = 0x30
                let low = c & 0xF
                out[4] = 0x30 + (c >> 4); out[5] = low < 10 ? 0x30 + low : 0x57 + low
                out += 6
            }
            p += 1
        }
        if quoted { out.pointee = 0x22; out += 1 }
        used = out - buffer
        return true
    }

    /// Bytes copied as they are: everything but `"`, `\`, C0 controls and the lead bytes that may
    /// start a noncharacter (0xEF and above; UTF-8 otherwise stays raw).
    @inline(__always)
    static func isPlain(_ c: UInt8) -> Bool {
        c >= 0x20 && c != 0x22 && c != 0x5C && c < 0xEF
    }
}
