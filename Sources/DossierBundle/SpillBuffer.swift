#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import DossierModel
import DossierIO

/// Bytes kept in memory up to a limit, then in an unlinked temporary file read back with `pread`.
final class SpillBuffer: ByteSink {
    private let limit: Int
    private let directory: String
    private let location: SourceLocation
    private var memory: [UInt8] = []
    private var file: FileSink?
    private var fd: Int32 = -1
    private(set) var count: UInt64 = 0

    init(limit: Int, directory: String, at location: SourceLocation) {
        self.limit = limit; self.directory = directory; self.location = location
    }

    deinit { discard() }

    /// Drops the bytes: frees the memory, and closes (so deletes) the temporary file.
    func discard() {
        if fd >= 0 { _ = close(fd) }
        (memory, file, fd, count) = ([], nil, -1, 0)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        count += UInt64(bytes.count)
        if let file { try file.write(bytes); return }
        if memory.count + bytes.count <= limit { memory.append(contentsOf: bytes); return }
        var template = Array((directory + "/dossierport-zip-XXXXXX").utf8CString)
        fd = mkstemp(&template)
        let tempPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard fd >= 0 else { throw IOFailure.error("mkstemp", path: tempPath, errno: errno) }
        unlink(tempPath)
        let sink = FileSink(descriptor: fd, path: tempPath, ownsDescriptor: false)
        try sink.write(memory)
        try sink.write(bytes)
        memory = []
        file = sink
    }

    /// Copies `buffer.count` bytes from `position` on, which must have been written.
    func read(into buffer: UnsafeMutableRawBufferPointer, at position: UInt64) throws {
        precondition(position + UInt64(buffer.count) <= count)
        guard let file else {
            memory.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[Int(position)..<(Int(position) + buffer.count)])) }
            return
        }
        try file.flush()
        try preadFully(fd, into: buffer, at: position, path: file.path, location: location)
    }

    func copy(to write: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard let file else { try memory.withUnsafeBytes { try write($0) }; return }
        try file.flush()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var position: UInt64 = 0
        while position < count {
            let n = min(UInt64(chunk.count), count - position)
            try preadFully(fd, into: UnsafeMutableRawBufferPointer(rebasing: chunk[0..<Int(n)]), at: position,
                           path: file.path, location: location)
            try write(UnsafeRawBufferPointer(rebasing: chunk[0..<Int(n)]))
            position += n
        }
    }
}
