#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DossierModel

/// Reads a file or standard input in large chunks, so parsers see bytes without loading the whole
/// input: a 5 GB dump is read through one fixed buffer.
public final class ByteReader {
    let fd: Int32
    public let path: String
    private let ownsDescriptor: Bool
    private var buffer: UnsafeMutableRawBufferPointer
    private let chunkSize: Int
    /// Valid bytes are `buffer[start..<end]`.
    private var start = 0
    private var end = 0
    private var atEOF = false
    /// Bytes consumed before `buffer[start]`, for error offsets.
    public private(set) var consumed: Int64 = 0

    /// 64 KiB reads measured fastest here: larger reads cost ~3x the kernel time per GB (cache misses
    /// on the copy out of the page cache).
    public init(path: String, chunkSize: Int = 64 << 10) throws {
        if path == "-" {
            fd = 0; ownsDescriptor = false; self.path = "<stdin>"
        } else {
            fd = try valueOrErrno("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
            ownsDescriptor = true; self.path = path
        }
        buffer = .allocate(byteCount: chunkSize, alignment: 16)
        self.chunkSize = chunkSize
    }

    deinit {
        if ownsDescriptor { _ = close(fd) }
        buffer.deallocate()
    }

    /// Reads all of a (small) file into memory, refusing files larger than `limit` bytes before
    /// reading them, so a hostile input cannot make us allocate without bound: a regular file by
    /// its size, unread; a pipe once it has given more.
    public static func readAll(path: String, limit: Int) throws -> [UInt8] {
        let r = try ByteReader(path: path)
        let tooLarge = DossierError("input.too-large", "input is larger than the \(limit)-byte limit", at: SourceLocation(file: r.path))
        var out: [UInt8] = []
        var st = stat()
        if fstat(r.fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG {
            guard st.st_size <= limit else { throw tooLarge }
            out.reserveCapacity(Int(st.st_size))
        }
        while let chunk = try r.nextChunk() {
            if out.count + chunk.count > limit { throw tooLarge }
            out.append(contentsOf: chunk)
        }
        return out
    }

    /// Reads a file this process wrote, of known size, straight into an array: the same 64 KiB
    /// reads as `nextChunk`, without copying each chunk again out of a buffer. A file shorter or
    /// longer than `size` was changed under us and is an error.
    public static func readWhole(path: String, size: Int) throws -> [UInt8] {
        let fd = try valueOrErrno("open", path) { open(path, O_RDONLY | O_CLOEXEC) }
        defer { _ = close(fd) }
        var extra: UInt8 = 0
        let bytes = try [UInt8](writingUpTo: size) { out, count in
            while count < size {
                let n = try valueOrErrno("read", path) { read(fd, out.baseAddress! + count, min(64 << 10, size - count)) }
                guard n > 0 else { break }
                count += n
            }
        }
        guard bytes.count == size, try valueOrErrno("read", path, { read(fd, &extra, 1) }) == 0 else {
            throw DossierError("input.changed", "file is not the \(size) bytes it was when it was written", at: SourceLocation(file: path))
        }
        return bytes
    }

    /// The next run of bytes, or nil at end of input. The buffer is valid until the next call.
    public func nextChunk() throws -> UnsafeRawBufferPointer? {
        if start < end {
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
            consumed += Int64(end - start)
            start = end
            return chunk
        }
        guard try fill() else { return nil }
        return try nextChunk()
    }

    /// Refills the buffer after moving the unread tail to its front; false at end of input.
    private func fill() throws -> Bool {
        if atEOF { return false }
        if start > 0 {
            let tail = end - start
            if tail > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: tail) }
            start = 0; end = tail
        }
        if end == buffer.count {
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
            bigger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
            buffer.deallocate()
            buffer = bigger
        }
        let n = try valueOrErrno("read", path) { read(fd, buffer.baseAddress! + end, buffer.count - end) }
        if n == 0 { atEOF = true; return false }
        end += n
        return true
    }

    /// The next line without its terminator (LF; a CR before it is kept for the caller to judge),
    /// or nil at end of input. The pointer is valid until the next call. A final line without a
    /// newline is returned too; `lineEnded` tells whether it had one. A line longer than `limit`
    /// is read past, without being held, and throws `LineTooLong`; the next call reads the line
    /// after it. The buffer grows to hold a line, and an input without line breaks would
    /// otherwise be read whole into memory.
    public func nextLine(limit: Int = .max) throws -> (bytes: UnsafeRawBufferPointer, lineEnded: Bool)? {
        var scanFrom = start
        while true {
            if let nl = memchrIndex(from: scanFrom) {
                guard nl - start <= limit else { try skipLine(); throw LineTooLong(limit: limit) }
                let line = UnsafeRawBufferPointer(rebasing: buffer[start..<nl])
                consumed += Int64(nl + 1 - start)
                start = nl + 1
                return (line, true)
            }
            guard end - start <= limit else { try skipLine(); throw LineTooLong(limit: limit) }
            scanFrom = end - start
            let hadBytes = end > start
            if try !fill() {
                guard hadBytes else { return nil }
                let line = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
                consumed += Int64(end - start)
                start = end
                return (line, false)
            }
            scanFrom += start
        }
    }

    /// Consumes the rest of the current line and its newline, a chunk at a time; the buffer a
    /// long line made grow goes back to its first size.
    private func skipLine() throws {
        while true {
            if let nl = memchrIndex(from: start) {
                consumed += Int64(nl + 1 - start)
                start = nl + 1
                return
            }
            consumed += Int64(end - start)
            start = end
            if buffer.count > chunkSize {
                buffer.deallocate()
                buffer = .allocate(byteCount: chunkSize, alignment: 16)
                (start, end) = (0, 0)
            }
            guard try fill() else { return }
        }
    }

    /// A line past `nextLine`'s limit; the caller, which counts lines, says which.
    public struct LineTooLong: Error {
        public let limit: Int
    }

    /// `nextLine(limit:)` for a caller that counts lines: a line past the limit is an error with
    /// `code`, located at `line`, the number the line would have.
    public func nextLine(limit: Int, line: Int, code: String) throws -> (bytes: UnsafeRawBufferPointer, lineEnded: Bool)? {
        do { return try nextLine(limit: limit) } catch let e as LineTooLong {
            throw DossierError(code, "line is longer than the \(e.limit)-byte limit", at: SourceLocation(file: path, line: line))
        }
    }

    private func memchrIndex(from: Int) -> Int? {
        guard from < end else { return nil }
        guard let p = memchr(buffer.baseAddress! + from, 0x0A, end - from) else { return nil }
        return UnsafeRawPointer(p) - UnsafeRawPointer(buffer.baseAddress!)
    }
}

extension Array where Element == UInt8 {
    /// Up to `capacity` bytes written in place by `fill`, which sets how many it wrote.
    ///
    /// `unsafeUninitializedCapacity` with capacity 0 writes the count into the one empty-array
    /// storage every thread shares: a data race, which ThreadSanitizer reports when two threads
    /// read empty files at once. So an empty array is made without it.
    public init(writingUpTo capacity: Int, _ fill: (inout UnsafeMutableBufferPointer<UInt8>, inout Int) throws -> Void) rethrows {
        guard capacity > 0 else { self = []; return }
        try self.init(unsafeUninitializedCapacity: capacity, initializingWith: fill)
    }
}
