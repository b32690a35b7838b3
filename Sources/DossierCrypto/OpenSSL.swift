internal import CLibCrypto
import DossierModel

/// The one place a failing OpenSSL call becomes a Swift error.
///
/// Every wrapper in this module funnels its C status through here, so an error always names the
/// EVP function that failed and OpenSSL's own reason, and the thread's error queue is drained so a
/// stale entry never shows up in a later, unrelated error.
enum OpenSSL {
    /// Throws unless `status` is 1, OpenSSL's success value for nearly every EVP call.
    static func check(_ function: String, _ status: Int32) throws {
        guard status == 1 else { throw failure(function) }
    }

    /// Unwraps a pointer an allocating or fetching call returned, throwing when it is NULL.
    static func check<P>(_ function: String, _ pointer: P?) throws -> P {
        guard let pointer else { throw failure(function) }
        return pointer
    }

    /// The error for a failed call, carrying the first queued reason and clearing the queue.
    static func failure(_ function: String) -> DossierError {
        let code = ERR_get_error()
        ERR_clear_error()
        var reason = "no reason queued"
        if code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reason = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return DossierError("crypto.openssl", "\(function) failed: \(reason)")
    }
}

/// Bytes from OpenSSL's CSPRNG (`RAND_bytes`), for keys, nonces and salts.
public func secureRandomBytes(_ count: Int) throws -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    try out.withUnsafeMutableBytes { buf in
        guard count > 0 else { return }
        try OpenSSL.check("RAND_bytes", RAND_bytes(buf.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(count)))
    }
    return out
}

/// Compares secrets without an early exit (`CRYPTO_memcmp`), so timing does not reveal where they differ.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    guard !a.isEmpty else { return true }
    return a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in CRYPTO_memcmp(pa.baseAddress!, pb.baseAddress!, a.count) == 0 } }
}
