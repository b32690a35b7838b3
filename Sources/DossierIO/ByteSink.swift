#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DossierModel

/// Somewhere bytes go: a file, standard output, a hash, a zip entry, a memory buffer.
///
/// Writers take a sink rather than a path so that one writer serves files, stdout (`-`) and
/// bundle entries, and so that nothing is built whole in memory before it is written.
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
}

extension ByteSink {
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ string: String) throws {
        var s = string
        try s.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }
}

/// Drops what it is given: for bytes that are only checked or hashed on their way through.
public final class DiscardSink: ByteSink {
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws {}
}

/// Collects bytes in memory; for tests and small documents.
public final class MemorySink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ b: UnsafeRawBufferPointer) throws { bytes.append(contentsOf: b) }
}

/// Compares what it is given with bytes it was made with, and stops the writer (by throwing
/// `MatchingSink.Differs`) at the first write that differs: checking that a file is what a writer
/// would write then costs no more than writing it, and the sink keeps no copy. A writer that
/// buffers a whole document (as a `<dossiers>` stream's `XMLOutput` does, to roll back a failed
/// one) still encodes all of it before the first compare.
public final class MatchingSink: ByteSink {
    public struct Differs: Error {}
    private let expected: [UInt8]
    private var offset = 0

    public init(_ expected: [UInt8]) { self.expected = expected }

    /// Whether everything written so far matched and covered all of the bytes.
    public var matchedWhole: Bool { offset == expected.count }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count <= expected.count - offset else { throw Differs() }
        let same = expected.withUnsafeBytes { e in
            bytes.isEmpty || memcmp(e.baseAddress! + offset, bytes.baseAddress!, bytes.count) == 0
        }
        guard same else { throw Differs() }
        offset += bytes.count
    }
}

/// A buffered writer on a file descriptor. It owns the descriptor only when it opened it.
///
/// Buffering in 256 KiB chunks keeps the system-call count low when writers emit many small pieces.
public final class FileSink: ByteSink {
    let fd: Int32
    public let path: String
    private var buffer: UnsafeMutableRawBufferPointer
    private var used = 0
    private let ownsDescriptor: Bool
    private var closed = false

    public init(descriptor: Int32, path: String, ownsDescriptor: Bool, bufferSize: Int = 256 * 1024) {
        self.fd = descriptor
        self.path = path
        self.ownsDescriptor = ownsDescriptor
        self.buffer = .allocate(byteCount: bufferSize, alignment: 16)
    }

    /// Standard output, for `--out -`.
    public static func standardOutput() -> FileSink {
        FileSink(descriptor: 1, path: "<stdout>", ownsDescriptor: false)
    }

    deinit {
        if ownsDescriptor && !closed { _ = Glibc.close(fd) }
        buffer.deallocate()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if bytes.count > buffer.count - used {
            try flush()
            if bytes.count >= buffer.count { try writeAll(bytes); return }
        }
        UnsafeMutableRawBufferPointer(rebasing: buffer[used..<(used + bytes.count)]).copyMemory(from: bytes)
        used += bytes.count
    }

    /// Writes `a`, `b` and `c` one after the other, with one check for room when they fit: a
    /// spill record is three small pieces (length, header, line), and a call each was a third of
    /// spilling one on the routing thread.
    public func write(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, _ c: UnsafeRawBufferPointer) throws {
        guard a.count + b.count + c.count <= buffer.count - used else {
            try write(a); try write(b); try write(c)
            return
        }
        let base = buffer.baseAddress!
        func put(_ piece: UnsafeRawBufferPointer) {
            guard let from = piece.baseAddress else { return }
            (base + used).copyMemory(from: from, byteCount: piece.count)
            used += piece.count
        }
        put(a); put(b); put(c)
    }

    public func flush() throws {
        guard used > 0 else { return }
        try writeAll(UnsafeRawBufferPointer(rebasing: buffer[0..<used]))
        used = 0
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = try valueOrErrno("write", path) {
                Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            }
            offset += n
        }
    }

    /// Flushes and fsyncs. An fsync failure is final: the data may already be gone (fsyncgate).
    public func sync() throws {
        try flush()
        try valueOrErrno("fsync", path) { fsync(fd) }
    }

    /// Flushes and closes a descriptor this sink owns; close errors are reported, not ignored.
    public func close() throws {
        try flush()
        guard ownsDescriptor, !closed else { return }
        closed = true
        try valueOrErrno("close", path) { Glibc.close(fd) }
    }
}
