#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DossierModel
internal import DossierIO

/// A character encoding a text source (CSV, a fixed-width export) may be written in.
///
/// Only the encodings Dutch care systems actually produce: UTF-8, Excel's "Unicode text"
/// (UTF-16 with a byte-order mark) and Windows-1252 from older Windows software. Latin-1 is not
/// listed because every Latin-1 file in practice is Windows-1252.
public enum TextEncoding: String, Hashable, Sendable, CaseIterable {
    case utf8 = "utf-8"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"
    case windows1252 = "windows-1252"
}

/// The encoding a decoder settled on and why, so the import report can say how text was read.
public struct EncodingChoice: Hashable, Sendable, CustomStringConvertible {
    public enum Evidence: String, Hashable, Sendable {
        /// The caller named the encoding.
        case caller
        /// A byte-order mark at the start of the input (which is then removed).
        case byteOrderMark = "byte-order-mark"
        /// The sample was valid UTF-8.
        case validUTF8 = "valid-utf-8"
        /// The sample was not valid UTF-8, so Windows-1252 was assumed (see `TextDecoder`).
        case heuristic
    }

    public var encoding: TextEncoding
    public var evidence: Evidence

    public init(_ encoding: TextEncoding, _ evidence: Evidence) {
        self.encoding = encoding; self.evidence = evidence
    }

    public var description: String { "\(encoding.rawValue) (\(evidence.rawValue))" }
}

/// Turns bytes in a source encoding into validated UTF-8, chunk by chunk, never guessing silently.
///
/// Decoding happens before parsing so that every parser above it works on UTF-8 bytes only, and so
/// that an encoding problem is reported once, with its byte offset, instead of surfacing later as
/// mojibake in a client's name. Rules (reliability.md §3):
/// - A UTF-8 byte-order mark is removed; a UTF-16 LE/BE mark selects UTF-16 and is removed.
///   A mark that contradicts the caller's encoding is an error.
/// - Without a mark and without a caller's choice, the first chunk (at least 4 KiB of input, or
///   all of it when shorter) is the sample. Valid UTF-8 means UTF-8, strictly validated to the
///   end: a later invalid byte is an error, never a switch. Invalid UTF-8 means Windows-1252,
///   reported as `.heuristic`.
/// - Windows-1252's five undefined bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) are errors.
/// - While decoding Windows-1252, a well-formed UTF-8 multi-byte sequence is an error
///   (`encoding.mixed`): genuine Windows-1252 text practically never contains "Ã©"-like pairs,
///   while a file stitched together from two exports does, and decoding it would store mojibake.
/// Chunks may split a multi-byte sequence anywhere; the unfinished tail is carried to the next
/// chunk. Error locations give the line and the 1-based byte column in the input, plus the byte
/// offset in the message.
public struct TextDecoder {
    public let file: String
    /// Set once the first bytes have been seen (or at `finish` for a tiny input).
    public private(set) var choice: EncodingChoice?
    private let requested: TextEncoding?
    /// Input bytes not yet decoded: an unfinished sequence, or the first bytes before the choice.
    private var pending: [UInt8] = []
    /// Input offset of the first byte not yet decoded (`pending[0]` when there is one).
    private var offset: Int64 = 0
    private var line = 1
    /// Input offset of the first byte of the current line, for columns.
    private var lineStart: Int64 = 0

    public init(file: String, encoding: TextEncoding? = nil) {
        self.file = file
        self.requested = encoding
        if let encoding { choice = EncodingChoice(encoding, .caller) }
    }

    /// Decodes one chunk, appending UTF-8 to `out`.
    public mutating func decode(_ chunk: UnsafeRawBufferPointer, into out: inout [UInt8]) throws {
        guard !chunk.isEmpty else { return }
        let bytes = chunk.bindMemory(to: UInt8.self)
        if !bomHandled {
            pending.append(contentsOf: bytes)
            // Four bytes settle a byte-order mark; a guess needs a sample worth judging.
            if pending.count < (requested == nil ? 4096 : 4) { return }
            try startDecoding(final: false)
            try drainPending(into: &out, final: false)
            return
        }
        var used = 0
        // Complete a sequence split by the previous chunk one byte at a time: at most three bytes.
        while !pending.isEmpty && used < bytes.count {
            pending.append(bytes[used]); used += 1
            try drainPending(into: &out, final: false)
        }
        let rest = UnsafeBufferPointer(rebasing: bytes[used...])
        let n = try run(rest, into: &out, final: false)
        pending.append(contentsOf: rest[n...])
    }

    /// Ends the input: an unfinished sequence left over is an error, not dropped.
    public mutating func finish(into out: inout [UInt8]) throws {
        if !bomHandled { try startDecoding(final: true) }
        try drainPending(into: &out, final: true)
    }

    private var bomHandled = false

    /// Removes a byte-order mark and settles the encoding from `pending`, the sample.
    private mutating func startDecoding(final: Bool) throws {
        bomHandled = true
        let p = pending
        var bom: (TextEncoding, Int)?
        if p.starts(with: [0xEF, 0xBB, 0xBF]) { bom = (.utf8, 3) }
        else if p.starts(with: [0xFF, 0xFE]) { bom = (.utf16LE, 2) }
        else if p.starts(with: [0xFE, 0xFF]) { bom = (.utf16BE, 2) }
        if let (encoding, length) = bom {
            // A mark that contradicts the caller is refused: either decoding would be mojibake.
            if let requested, requested != encoding {
                throw DossierError("encoding.bom-mismatch",
                                   "the file starts with a \(encoding.rawValue) byte-order mark, not \(requested.rawValue)",
                                   at: SourceLocation(file: file, line: 1, column: 1))
            }
            if requested == nil { choice = EncodingChoice(encoding, .byteOrderMark) }
            pending.removeFirst(length)
            offset = Int64(length); lineStart = offset
        }
        if choice == nil {
            // A sample cut off inside a character is still valid UTF-8 unless the input ends there.
            let bad = p.withUnsafeBufferPointer { UTF8Validation.firstInvalid($0) }
            let sampleValid = bad == nil || (bad!.incomplete && !final)
            choice = sampleValid ? EncodingChoice(.utf8, .validUTF8) : EncodingChoice(.windows1252, .heuristic)
        }
    }

    private mutating func drainPending(into out: inout [UInt8], final: Bool) throws {
        guard !pending.isEmpty else { return }
        let p = pending
        let n = try p.withUnsafeBufferPointer { try run($0, into: &out, final: final) }
        pending.removeFirst(n)
    }

    /// Decodes as much of `p` as forms whole characters; returns how many bytes that was. Without
    /// `final`, an unfinished tail of at most three bytes is left for the next chunk; with it, such
    /// a tail is an error.
    private mutating func run(_ p: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], final: Bool) throws -> Int {
        let n: Int
        switch choice!.encoding {
        case .utf8: n = try utf8(p, into: &out, final: final)
        case .windows1252: n = try windows1252(p, into: &out, final: final)
        case .utf16LE: n = try utf16(p, bigEndian: false, into: &out, final: final)
        case .utf16BE: n = try utf16(p, bigEndian: true, into: &out, final: final)
        }
        offset += Int64(n)
        return n
    }

    private mutating func utf8(_ p: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], final: Bool) throws -> Int {
        var n = p.count
        if let bad = UTF8Validation.firstInvalid(p) {
            if bad.incomplete && !final {
                n = bad.index
            } else {
                countLines(p, upTo: bad.index)
                if bad.incomplete {
                    throw failure("encoding.truncated", "the input ends inside a UTF-8 character", at: bad.index)
                }
                throw failure("encoding.invalid-utf8", "invalid UTF-8 (byte 0x\(hex(p[bad.index])))"
                              + "; if the file is Windows-1252, pass that encoding explicitly", at: bad.index)
            }
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: p[..<n]))
        countLines(p, upTo: n)
        return n
    }

    private mutating func windows1252(_ p: UnsafeBufferPointer<UInt8>, into out: inout [UInt8], final: Bool) throws -> Int {
        var i = 0
        while i < p.count {
            let b = p[i]
            if b < 0x80 {
                // ASCII is the same in both encodings: a run of it is copied whole, and its line
                // breaks found with memchr, rather than appended and checked byte by byte.
                let end = UTF8Validation.asciiEnd(p, from: i)
                out.append(contentsOf: UnsafeBufferPointer(rebasing: p[i..<end]))
                countLines(p, from: i, upTo: end)
                i = end
                continue
            }
            if b >= 0xC2 && b <= 0xF4 {
                switch UTF8Validation.sequence(p, at: i) {
                case .valid:
                    throw failure("encoding.mixed", "a UTF-8 sequence inside Windows-1252 text: the file mixes encodings",
                                  at: i)
                case .incomplete where !final:
                    return i
                default: break
                }
            }
            let scalar = windows1252High[Int(b) - 0x80]
            if scalar == 0 {
                throw failure("encoding.cp1252-undefined", "byte 0x\(hex(b)) is undefined in Windows-1252", at: i)
            }
            appendUTF8(Unicode.Scalar(scalar)!, to: &out)
            i += 1
        }
        return i
    }

    private mutating func utf16(_ p: UnsafeBufferPointer<UInt8>, bigEndian: Bool, into out: inout [UInt8],
                                final: Bool) throws -> Int {
        func unit(_ i: Int) -> UInt32 {
            bigEndian ? UInt32(p[i]) << 8 | UInt32(p[i + 1]) : UInt32(p[i + 1]) << 8 | UInt32(p[i])
        }
        var i = 0
        while i < p.count {
            guard i + 1 < p.count else { break }
            let u = unit(i)
            var scalar = u
            var width = 2
            if u >= 0xD800 && u <= 0xDBFF {
                guard i + 3 < p.count else { break }
                let low = unit(i + 2)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw failure("encoding.invalid-utf16", "a high surrogate without its low half", at: i)
                }
                scalar = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)
                width = 4
            } else if u >= 0xDC00 && u <= 0xDFFF {
                throw failure("encoding.invalid-utf16", "a low surrogate without its high half", at: i)
            }
            if scalar == 0x0A { line += 1; lineStart = offset + Int64(i + width) }
            appendUTF8(Unicode.Scalar(scalar)!, to: &out)
            i += width
        }
        if final && i < p.count {
            throw failure("encoding.truncated", "the input ends inside a UTF-16 character", at: i)
        }
        return i
    }

    /// Advances the line count over `p[start..<n]`, input that decodes to itself (UTF-8, or
    /// ASCII in Windows-1252), with memchr, which is cheaper than a per-byte check in the loop.
    private mutating func countLines(_ p: UnsafeBufferPointer<UInt8>, from start: Int = 0, upTo n: Int) {
        guard let base = p.baseAddress else { return }
        var from = start
        while from < n, let hit = memchr(base + from, 0x0A, n - from) {
            let at = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            line += 1; lineStart = offset + Int64(at) + 1
            from = at + 1
        }
    }

    /// An error at byte `index` of the run whose first byte is at input offset `offset`; the line
    /// count must already include the lines before it.
    private func failure(_ code: String, _ message: String, at index: Int) -> DossierError {
        let at = offset + Int64(index)
        return DossierError(code, "\(message) at byte offset \(at)",
                            at: SourceLocation(file: file, line: line, column: Int(at - lineStart) + 1))
    }
}

func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
    let v = scalar.value
    switch v {
    case 0..<0x80: out.append(UInt8(v))
    case 0x80..<0x800:
        out.append(UInt8(0xC0 | v >> 6)); out.append(UInt8(0x80 | v & 0x3F))
    case 0x800..<0x10000:
        out.append(UInt8(0xE0 | v >> 12)); out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
    default:
        out.append(UInt8(0xF0 | v >> 18)); out.append(UInt8(0x80 | v >> 12 & 0x3F))
        out.append(UInt8(0x80 | v >> 6 & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
    }
}

func hex(_ b: UInt8) -> String {
    let s = String(b, radix: 16, uppercase: true)
    return s.count == 1 ? "0" + s : s
}

/// Windows-1252 bytes 0x80–0xFF as Unicode scalars; 0 marks the five undefined bytes.
/// Source: the WHATWG Encoding Standard's index-windows-1252 (0xA0–0xFF equal Latin-1), except that
/// WHATWG maps the five bytes Microsoft leaves undefined to C1 controls, which we refuse instead.
private let windows1252High: [UInt32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
    0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
] + (0xA0...0xFF).map { UInt32($0) }
