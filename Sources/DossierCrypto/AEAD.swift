internal import CLibCrypto

/// ChaCha20-Poly1305 (RFC 8439) through one reusable `EVP_CIPHER_CTX`.
///
/// age seals every 64 KiB chunk with the same key and a counter nonce; reusing one context
/// avoids a fetch and an allocation per chunk. Decryption writes into a caller buffer that must
/// not be released to anyone until `open` returns without throwing: the tag is only checked in
/// `EVP_DecryptFinal_ex`, after the plaintext bytes already exist.
final class ChaChaPoly {
    static let tagLength = 16
    private let cipher: OpaquePointer
    private let ctx: OpaquePointer
    private let key: [UInt8]

    init(key: [UInt8]) throws {
        precondition(key.count == 32, "ChaCha20-Poly1305 takes a 256-bit key")
        self.key = key
        cipher = try OpenSSL.check("EVP_CIPHER_fetch", EVP_CIPHER_fetch(nil, "ChaCha20-Poly1305", nil))
        guard let ctx = EVP_CIPHER_CTX_new() else {
            EVP_CIPHER_free(cipher)
            throw OpenSSL.failure("EVP_CIPHER_CTX_new")
        }
        self.ctx = ctx
    }

    deinit {
        EVP_CIPHER_CTX_free(ctx)
        EVP_CIPHER_free(cipher)
    }

    private func start(encrypt: Bool, nonce: [UInt8], aad: [UInt8]) throws {
        precondition(nonce.count == 12, "ChaCha20-Poly1305 takes a 96-bit nonce")
        try OpenSSL.check("EVP_CipherInit_ex2", EVP_CipherInit_ex2(ctx, cipher, key, nonce, encrypt ? 1 : 0, nil))
        if !aad.isEmpty {
            var outl: Int32 = 0
            try OpenSSL.check("EVP_CipherUpdate", EVP_CipherUpdate(ctx, nil, &outl, aad, Int32(aad.count)))
        }
    }

    /// Encrypts `plaintext` into `output`, which must hold `plaintext.count + 16` bytes.
    func seal(_ plaintext: UnsafeRawBufferPointer, nonce: [UInt8], aad: [UInt8] = [],
              into output: UnsafeMutableRawBufferPointer) throws {
        precondition(output.count >= plaintext.count + Self.tagLength)
        try start(encrypt: true, nonce: nonce, aad: aad)
        let out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var outl: Int32 = 0
        if plaintext.count > 0 {
            try OpenSSL.check("EVP_EncryptUpdate", EVP_EncryptUpdate(
                ctx, out, &outl, plaintext.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(plaintext.count)))
        }
        var finl: Int32 = 0
        try OpenSSL.check("EVP_EncryptFinal_ex", EVP_EncryptFinal_ex(ctx, out + Int(outl), &finl))
        try OpenSSL.check("EVP_CIPHER_CTX_ctrl", EVP_CIPHER_CTX_ctrl(
            ctx, EVP_CTRL_AEAD_GET_TAG, Int32(Self.tagLength), out + plaintext.count))
    }

    /// Decrypts and authenticates `ciphertext` (tag last) into `output`; false when the tag is wrong.
    func open(_ ciphertext: UnsafeRawBufferPointer, nonce: [UInt8], aad: [UInt8] = [],
              into output: UnsafeMutableRawBufferPointer) throws -> Bool {
        guard ciphertext.count >= Self.tagLength else { return false }
        let bodyLength = ciphertext.count - Self.tagLength
        precondition(output.count >= bodyLength)
        try start(encrypt: false, nonce: nonce, aad: aad)
        let input = ciphertext.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        try OpenSSL.check("EVP_CIPHER_CTX_ctrl", EVP_CIPHER_CTX_ctrl(
            ctx, EVP_CTRL_AEAD_SET_TAG, Int32(Self.tagLength), UnsafeMutableRawPointer(mutating: input + bodyLength)))
        var outl: Int32 = 0
        if bodyLength > 0 {
            try OpenSSL.check("EVP_DecryptUpdate", EVP_DecryptUpdate(ctx, out, &outl, input, Int32(bodyLength)))
        }
        var finl: Int32 = 0
        let ok = EVP_DecryptFinal_ex(ctx, out + Int(outl), &finl) == 1
        ERR_clear_error()
        return ok
    }

    /// One-shot seal of a small value (age's 16-byte file key).
    func seal(_ plaintext: [UInt8], nonce: [UInt8], aad: [UInt8] = []) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: plaintext.count + Self.tagLength)
        try plaintext.withUnsafeBytes { p in try out.withUnsafeMutableBytes { try seal(p, nonce: nonce, aad: aad, into: $0) } }
        return out
    }

    /// One-shot open of a small value; nil when the tag is wrong.
    func open(_ ciphertext: [UInt8], nonce: [UInt8], aad: [UInt8] = []) throws -> [UInt8]? {
        guard ciphertext.count >= Self.tagLength else { return nil }
        var out = [UInt8](repeating: 0, count: max(1, ciphertext.count - Self.tagLength))
        let ok = try ciphertext.withUnsafeBytes { c in try out.withUnsafeMutableBytes { try open(c, nonce: nonce, aad: aad, into: $0) } }
        return ok ? Array(out.prefix(ciphertext.count - Self.tagLength)) : nil
    }
}
