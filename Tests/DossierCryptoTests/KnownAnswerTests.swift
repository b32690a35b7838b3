@testable import DossierCrypto
import DossierModel
import Testing

@Suite("Known-answer vectors through the OpenSSL wrappers")
struct KnownAnswerTests {
    // NIST FIPS 180-2 Appendix B / NIST CSRC "SHA-256" examples: "abc", the empty string, and the
    // 448-bit message "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".
    @Test(arguments: [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256(message: String, digest: String) throws {
        #expect(try Digester.hash(.sha256, Array(message.utf8)).hexString == digest)
    }

    // NIST FIPS 180-2 Appendix C.1 (SHA-512 of "abc") and the SHA-512 of the empty string (NIST CSRC examples).
    @Test func sha512() throws {
        #expect(try Digester.hash(.sha512, Array("abc".utf8)).hexString ==
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        #expect(try Digester.hash(.sha512, []).hexString ==
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")
    }

    /// Streaming in uneven pieces gives the one-shot digest (NIST 448-bit message, split at odd offsets).
    @Test func streamingMatchesOneShot() throws {
        let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        let digester = try Digester(.sha256)
        try digester.write(Array(message[..<1]))
        try digester.write(Array(message[1..<33]))
        try digester.write([])
        try digester.write(Array(message[33...]))
        #expect(try digester.finalize().hexString == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// The file hasher agrees with coreutils on a file spanning many read chunks.
    @Test func fileHashMatchesCoreutils() throws {
        let dir = try makeTemporaryDirectory()
        defer { removeDirectory(dir) }
        try writeFile(dir + "/f", pattern(3_000_017))
        for (algorithm, tool) in [(HashAlgorithm.sha256, "sha256sum"), (.sha512, "sha512sum")] {
            let expected = String(decoding: try run(tool, [dir + "/f"]).stdout.prefix(algorithm.digestLength * 2), as: UTF8.self)
            #expect(try Digester.hash(algorithm, fileAt: dir + "/f").hexString == expected)
        }
    }

    // RFC 4231 §4.2 (test case 1) and §4.3 (test case 2), HMAC-SHA-256.
    @Test func hmac() throws {
        #expect(try hmacSHA256(key: [UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8)).hexString ==
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(try hmacSHA256(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8)).hexString ==
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    // RFC 5869 Appendix A.1 (basic HKDF-SHA-256 test case).
    @Test func hkdf() throws {
        let okm = try Primitive.hkdfSHA256(ikm: [UInt8](repeating: 0x0b, count: 22), salt: hex("000102030405060708090a0b0c"),
                                           info: hex("f0f1f2f3f4f5f6f7f8f9"), length: 42)
        #expect(okm.hexString == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    // RFC 7914 §12, first two test vectors (P="", S="", N=16, r=1, p=1; P="password", S="NaCl", N=1024, r=8, p=16).
    @Test func scrypt() throws {
        let a = try Primitive.scrypt(password: [], salt: [], logN: 4, r: 1, p: 1, length: 64)
        #expect(a == hex("""
            77 d6 57 62 38 65 7b 20 3b 19 ca 42 c1 8a 04 97 f1 6b 48 44 e3 07 4a e8 df df fa 3f ed e2 14 42
            fc d0 06 9d ed 09 48 f8 32 6a 75 3a 0f c8 1f 17 e8 d3 e0 fb 2e 0d 36 28 cf 35 e2 0c 38 d1 89 06
            """))
        let b = try Primitive.scrypt(password: Array("password".utf8), salt: Array("NaCl".utf8), logN: 10, r: 8, p: 16, length: 64)
        #expect(b == hex("""
            fd ba be 1c 9d 34 72 00 78 56 e7 19 0d 01 e9 fe 7c 6a d7 cb c8 23 78 30 e7 73 76 63 4b 37 31 62
            2e af 30 d9 2e 22 a3 88 6f f1 09 27 9d 98 30 da c7 27 af b9 4a 83 ee 6d 83 60 cb df a2 cc 06 40
            """))
    }

    // RFC 7748 §5.2 (first X25519 vector) and §6.1 (Alice and Bob's Diffie-Hellman).
    @Test func x25519() throws {
        #expect(try Primitive.x25519(privateKey: hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
                                     peer: hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")).hexString ==
            "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")
        let alice = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
        let bob = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
        let alicePublic = try Primitive.x25519PublicKey(privateKey: alice)
        let bobPublic = try Primitive.x25519PublicKey(privateKey: bob)
        #expect(alicePublic.hexString == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        #expect(bobPublic.hexString == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        let shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        #expect(try Primitive.x25519(privateKey: alice, peer: bobPublic).hexString == shared)
        #expect(try Primitive.x25519(privateKey: bob, peer: alicePublic).hexString == shared)
    }

    /// A low-order point gives an all-zero shared secret, which must be refused (RFC 7748 §6.1);
    /// the error names the failing EVP call and OpenSSL's reason.
    @Test func x25519RejectsAllZeroResult() {
        do {
            _ = try Primitive.x25519(privateKey: hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
                                     peer: [UInt8](repeating: 0, count: 32))
            Issue.record("all-zero X25519 result accepted")
        } catch let error as DossierError {
            #expect(error.code == "crypto.openssl")
            #expect(error.diagnostic.message.hasPrefix("EVP_PKEY_derive failed: error:"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    // RFC 8439 §2.8.2, AEAD_CHACHA20_POLY1305 example.
    @Test func chachaPoly() throws {
        let key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
        let nonce = hex("070000004041424344454647")
        let aad = hex("50515253c0c1c2c3c4c5c6c7")
        let plaintext = Array("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.".utf8)
        let expected = hex("""
            d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b
            1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc
            3ff4def08e4b7a9de576d26586cec64b6116
            """) + hex("1ae10b594f09e26a7e902ecbd0600691")
        let cipher = try ChaChaPoly(key: key)
        #expect(try cipher.seal(plaintext, nonce: nonce, aad: aad) == expected)
        #expect(try cipher.open(expected, nonce: nonce, aad: aad) == plaintext)
        var tampered = expected
        tampered[5] ^= 1
        #expect(try cipher.open(tampered, nonce: nonce, aad: aad) == nil)
        #expect(try cipher.open(expected, nonce: nonce, aad: []) == nil)
    }

    // RFC 8032 §7.1, Ed25519 TEST 1, TEST 2 and TEST 3.
    @Test(arguments: [
        ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
         "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
         "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
         "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
         "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
         "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
         "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
    ])
    func ed25519(secret: String, publicKey: String, message: String, signature: String) throws {
        #expect(try Primitive.ed25519PublicKey(seed: hex(secret)).hexString == publicKey)
        #expect(try Primitive.ed25519Sign(seed: hex(secret), message: hex(message)).hexString == signature)
        #expect(try Primitive.ed25519Verify(publicKey: hex(publicKey), message: hex(message), signature: hex(signature)))
        #expect(try !Primitive.ed25519Verify(publicKey: hex(publicKey), message: hex(message) + [0], signature: hex(signature)))
    }

    @Test func randomBytesDiffer() throws {
        let a = try secureRandomBytes(32), b = try secureRandomBytes(32)
        #expect(a.count == 32 && a != b)
        #expect(try secureRandomBytes(0).isEmpty)
    }
}
