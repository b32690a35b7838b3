internal import CZlib
import DossierModel

/// The one place a zlib return code becomes a Swift error, keeping the function name and code.
///
/// zlib reports through integers plus an optional `msg`; naming both lets a report say
/// "inflate returned Z_DATA_ERROR (-3): invalid block type" for the archive entry concerned.
private func zlibCheck(_ function: String, _ code: Int32, _ stream: UnsafeMutablePointer<z_stream>?,
                       at location: SourceLocation) throws {
    guard code < 0 || code == Z_NEED_DICT else { return }
    let names: [Int32: String] = [
        Z_NEED_DICT: "Z_NEED_DICT", Z_ERRNO: "Z_ERRNO", Z_STREAM_ERROR: "Z_STREAM_ERROR",
        Z_DATA_ERROR: "Z_DATA_ERROR", Z_MEM_ERROR: "Z_MEM_ERROR", Z_BUF_ERROR: "Z_BUF_ERROR",
        Z_VERSION_ERROR: "Z_VERSION_ERROR",
    ]
    var message = "\(function) returned \(names[code] ?? "code") (\(code))"
    if let msg = stream?.pointee.msg { message += ": " + String(cString: msg) }
    throw DossierError("zlib.\(function)", message, at: location)
}

/// zlib's CRC-32 (the one zip uses), updated as bytes pass so payloads are never held whole.
struct CRC32 {
    private(set) var value: UInt32 = 0

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes
        var crc = UInt(value)
        while !rest.isEmpty {
            let n = min(rest.count, Int(UInt32.max))
            crc = crc32(crc, rest.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(n))
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
        }
        value = UInt32(truncatingIfNeeded: crc)
    }
}

/// Output chunk size for both directions: large enough to keep call counts low, small enough that
/// a decompression bomb is stopped within one chunk of its declared size.
private let chunkSize = 64 * 1024

/// A raw deflate stream (windowBits −15, no zlib header), as zip entries store it.
///
/// zlib keeps a pointer back to its `z_stream` and refuses calls from a moved copy, so the
/// stream lives in memory this class allocates once; `deinit` pairs `deflateEnd` with the init.
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer
    private let location: SourceLocation

    init(level: Int32, at location: SourceLocation) throws {
        self.location = location
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = .allocate(byteCount: chunkSize, alignment: 16)
        let code = CZlib_deflateInit2(stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY)
        do {
            try zlibCheck("deflateInit2", code, nil, at: location)
        } catch {
            output.deallocate(); stream.deallocate()
            throw error
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        output.deallocate()
    }

    /// Compresses `input`, handing each produced chunk to `emit`; `finish` ends the stream.
    func compress(_ input: UnsafeRawBufferPointer, finish: Bool,
                  emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        var rest = input
        repeat {
            let n = min(rest.count, 1 << 30)
            stream.pointee.next_in = n == 0 ? nil
                : UnsafeMutablePointer(mutating: rest.baseAddress!.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(n)
            let flush = finish && n == rest.count ? Z_FINISH : Z_NO_FLUSH
            var code: Int32
            repeat {
                stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(chunkSize)
                code = deflate(stream, flush)
                if code == Z_BUF_ERROR { code = Z_OK } // no progress possible: not an error here
                try zlibCheck("deflate", code, stream, at: location)
                let produced = chunkSize - Int(stream.pointee.avail_out)
                if produced > 0 { try emit(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
            } while stream.pointee.avail_out == 0 || (flush == Z_FINISH && code != Z_STREAM_END)
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
        } while !rest.isEmpty
    }
}

/// A raw inflate stream (windowBits −15) for zip entries.
///
/// Same ownership as `Deflater`. Output is emitted in chunks of at most 64 KiB, so a caller that
/// throws from `emit` once the declared size is passed stops a bomb within one chunk.
final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer
    private let location: SourceLocation
    private(set) var finished = false

    init(at location: SourceLocation) throws {
        self.location = location
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = .allocate(byteCount: chunkSize, alignment: 16)
        let code = CZlib_inflateInit2(stream, -15)
        do {
            try zlibCheck("inflateInit2", code, nil, at: location)
        } catch {
            output.deallocate(); stream.deallocate()
            throw error
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        output.deallocate()
    }

    /// Inflates `input`, emitting output chunks; returns how many input bytes were used, which is
    /// fewer than given only when the stream ended (`finished`) inside `input`.
    func inflate(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        guard !input.isEmpty, !finished else { return 0 }
        precondition(input.count <= Int(UInt32.max))
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        repeat {
            stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(chunkSize)
            var code = CZlib.inflate(stream, Z_NO_FLUSH)
            if code == Z_BUF_ERROR { code = Z_OK } // needs more input: the caller supplies it
            try zlibCheck("inflate", code, stream, at: location)
            let produced = chunkSize - Int(stream.pointee.avail_out)
            if produced > 0 { try emit(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
            if code == Z_STREAM_END { finished = true; break }
        } while stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0
        return input.count - Int(stream.pointee.avail_in)
    }
}
