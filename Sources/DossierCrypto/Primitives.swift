internal import CLibCrypto

/// Thin wrappers over the OpenSSL EVP primitives age and SSHSIG need; no primitive is written here.
///
/// Each takes and returns byte arrays so callers never hold an OpenSSL pointer; state that must
/// outlive one call (a cipher context reused per chunk) lives in a `final class` with a `deinit`.
enum Primitive {
    /// An `EVP_PKEY` built from raw key bytes, freed when the closure returns.
    private static func withRawKey<R>(_ type: Int32, privateKey: [UInt8]? = nil, publicKey: [UInt8]? = nil,
                                      _ body: (OpaquePointer) throws -> R) throws -> R {
        let key: OpaquePointer
        if let privateKey {
            key = try OpenSSL.check("EVP_PKEY_new_raw_private_key",
                                    EVP_PKEY_new_raw_private_key(type, nil, privateKey, privateKey.count))
        } else {
            key = try OpenSSL.check("EVP_PKEY_new_raw_public_key",
                                    EVP_PKEY_new_raw_public_key(type, nil, publicKey!, publicKey!.count))
        }
        defer { EVP_PKEY_free(key) }
        return try body(key)
    }

    private static func rawPublicKey(_ key: OpaquePointer) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length = out.count
        try OpenSSL.check("EVP_PKEY_get_raw_public_key", EVP_PKEY_get_raw_public_key(key, &out, &length))
        return Array(out.prefix(length))
    }

    // MARK: X25519 (RFC 7748)

    /// `X25519(scalar, basepoint)`: the public share of a 32-byte secret.
    static func x25519PublicKey(privateKey: [UInt8]) throws -> [UInt8] {
        try withRawKey(EVP_PKEY_X25519, privateKey: privateKey, rawPublicKey)
    }

    /// `X25519(scalar, u)` through `EVP_PKEY_derive`; OpenSSL refuses an all-zero result.
    static func x25519(privateKey: [UInt8], peer: [UInt8]) throws -> [UInt8] {
        try withRawKey(EVP_PKEY_X25519, privateKey: privateKey) { key in
            try withRawKey(EVP_PKEY_X25519, publicKey: peer) { peerKey in
                let ctx = try OpenSSL.check("EVP_PKEY_CTX_new_from_pkey", EVP_PKEY_CTX_new_from_pkey(nil, key, nil))
                defer { EVP_PKEY_CTX_free(ctx) }
                try OpenSSL.check("EVP_PKEY_derive_init", EVP_PKEY_derive_init(ctx))
                try OpenSSL.check("EVP_PKEY_derive_set_peer", EVP_PKEY_derive_set_peer(ctx, peerKey))
                var out = [UInt8](repeating: 0, count: 32)
                var length = out.count
                try OpenSSL.check("EVP_PKEY_derive", EVP_PKEY_derive(ctx, &out, &length))
                return Array(out.prefix(length))
            }
        }
    }

    // MARK: Ed25519 (RFC 8032)

    static func ed25519PublicKey(seed: [UInt8]) throws -> [UInt8] {
        try withRawKey(EVP_PKEY_ED25519, privateKey: seed, rawPublicKey)
    }

    /// PureEd25519 over the whole message (`EVP_DigestSign` with a NULL digest).
    static func ed25519Sign(seed: [UInt8], message: [UInt8]) throws -> [UInt8] {
        try withRawKey(EVP_PKEY_ED25519, privateKey: seed) { key in
            let ctx = try OpenSSL.check("EVP_MD_CTX_new", EVP_MD_CTX_new())
            defer { EVP_MD_CTX_free(ctx) }
            try OpenSSL.check("EVP_DigestSignInit", EVP_DigestSignInit(ctx, nil, nil, nil, key))
            var sig = [UInt8](repeating: 0, count: 64)
            var length = sig.count
            try OpenSSL.check("EVP_DigestSign", EVP_DigestSign(ctx, &sig, &length, message, message.count))
            return Array(sig.prefix(length))
        }
    }

    /// True when `signature` is valid; false for a wrong signature; throws only on an OpenSSL fault.
    static func ed25519Verify(publicKey: [UInt8], message: [UInt8], signature: [UInt8]) throws -> Bool {
        guard publicKey.count == 32, signature.count == 64 else { return false }
        return try withRawKey(EVP_PKEY_ED25519, publicKey: publicKey) { key in
            let ctx = try OpenSSL.check("EVP_MD_CTX_new", EVP_MD_CTX_new())
            defer { EVP_MD_CTX_free(ctx) }
            try OpenSSL.check("EVP_DigestVerifyInit", EVP_DigestVerifyInit(ctx, nil, nil, nil, key))
            let r = EVP_DigestVerify(ctx, signature, signature.count, message, message.count)
            ERR_clear_error()
            return r == 1
        }
    }

    // MARK: KDFs (EVP_KDF)

    /// HKDF-SHA-256 (RFC 5869): extract with `salt`, then expand with `info`.
    static func hkdfSHA256(ikm: [UInt8], salt: [UInt8], info: [UInt8], length: Int = 32) throws -> [UInt8] {
        let kdf = try KDF("HKDF")
        try kdf.set("digest", utf8: "SHA256")
        try kdf.set("key", bytes: ikm)
        // An absent salt is HashLen zero bytes, which RFC 5869 §2.2 defines as the empty salt.
        if !salt.isEmpty { try kdf.set("salt", bytes: salt) }
        if !info.isEmpty { try kdf.set("info", bytes: info) }
        return try kdf.derive(length: length)
    }

    /// scrypt (RFC 7914) with N = 2^`logN`; the caller caps `logN` for untrusted input.
    static func scrypt(password: [UInt8], salt: [UInt8], logN: Int, r: UInt64, p: UInt64, length: Int) throws -> [UInt8] {
        let kdf = try KDF("SCRYPT")
        let n = UInt64(1) << UInt64(logN)
        try kdf.set("pass", bytes: password)
        try kdf.set("salt", bytes: salt)
        try kdf.set("n", uint64: n)
        try kdf.set("r", uint64: r)
        try kdf.set("p", uint64: p)
        // 128·r·N bytes for V plus slack: OpenSSL's 32 MiB default would refuse age's usual 2^18.
        try kdf.set("maxmem_bytes", uint64: 129 * r * n + (1 << 20))
        return try kdf.derive(length: length)
    }
}

/// An `EVP_KDF_CTX`. Parameters are set one call at a time because `EVP_KDF_CTX_set_params`
/// copies them, so no pointer has to outlive the closure that made it.
private final class KDF {
    private let ctx: OpaquePointer

    init(_ algorithm: String) throws {
        let kdf = try OpenSSL.check("EVP_KDF_fetch", EVP_KDF_fetch(nil, algorithm, nil))
        defer { EVP_KDF_free(kdf) }
        ctx = try OpenSSL.check("EVP_KDF_CTX_new", EVP_KDF_CTX_new(kdf))
    }

    deinit { EVP_KDF_CTX_free(ctx) }

    private func apply(_ param: OSSL_PARAM) throws {
        let list = [param, OSSL_PARAM_construct_end()]
        try OpenSSL.check("EVP_KDF_CTX_set_params", EVP_KDF_CTX_set_params(ctx, list))
    }

    func set(_ name: String, bytes: [UInt8]) throws {
        // A non-NULL pointer even for an empty value, which OpenSSL treats as "set, length 0".
        let count = bytes.count
        var bytes = bytes.isEmpty ? [0] : bytes
        try name.withCString { key in
            try bytes.withUnsafeMutableBytes { try apply(OSSL_PARAM_construct_octet_string(key, $0.baseAddress, count)) }
        }
    }

    func set(_ name: String, uint64 value: UInt64) throws {
        var value = value
        try name.withCString { key in
            try withUnsafeMutablePointer(to: &value) { try apply(OSSL_PARAM_construct_uint64(key, $0)) }
        }
    }

    func set(_ name: String, utf8 value: String) throws {
        try name.withCString { key in
            try value.withCString { v in
                try apply(OSSL_PARAM_construct_utf8_string(key, UnsafeMutablePointer(mutating: v), 0))
            }
        }
    }

    func derive(length: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: length)
        try OpenSSL.check("EVP_KDF_derive", EVP_KDF_derive(ctx, &out, length, nil))
        return out
    }
}
