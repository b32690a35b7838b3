@testable import DossierCrypto
import DossierIO
import DossierModel
import Testing

/// Vectors from the age reference testkit (https://age-encryption.org/testkit, files under
/// `testdata/testkit/` in FiloSottile/age, mirrored in C2SP/CCTV `age/`). Only the textual headers
/// are copied: every vector here is decided in the header, before any payload byte is read.
@Suite("age testkit vectors")
struct AgeTestkitTests {
    /// The file key every testkit vector wraps: "YELLOW SUBMARINE".
    static let fileKey = hex("59454c4c4f57205355424d4152494e45")
    static let identityA = "AGE-SECRET-KEY-1XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F6"
    static let identityB = "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
    static let identityC = "AGE-SECRET-KEY-143WN7DCXU4G8R5AXQSSYD9AEPYDNT3HXSLWSPK36CDU6E8M59SSSAGZ3KG"

    struct Vector: Sendable, CustomStringConvertible {
        var name: String
        var header: String
        var identity: String?
        var passphrase: String?
        var expected: String
        var description: String { name }
    }

    static let failures: [Vector] = [
        Vector(name: "hmac_garbage", header: """
            age-encryption.org/v1
            -> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc
            hjabGXwSLQ9c3S6Lw2i+S2Tu2fiwQHHslbBN6B41FLE
            --- WyJp9F/9FOZh7gJdheq2WIJcwHgYc8NIVh3ddwhrcNgAAA
            """, identity: identityB, expected: "age.header"),
        Vector(name: "hmac_not_canonical", header: """
            age-encryption.org/v1
            -> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc
            hjabGXwSLQ9c3S6Lw2i+S2Tu2fiwQHHslbBN6B41FLE
            --- WyJp9F/9FOZh7gJdheq2WIJcwHgYc8NIVh3ddwhrcNh
            """, identity: identityB, expected: "age.header"),
        Vector(name: "hmac_extra_space", header: """
            age-encryption.org/v1
            -> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc
            hjabGXwSLQ9c3S6Lw2i+S2Tu2fiwQHHslbBN6B41FLE
            ---  WyJp9F/9FOZh7gJdheq2WIJcwHgYc8NIVh3ddwhrcNg
            """, identity: identityB, expected: "age.header"),
        Vector(name: "hmac_truncated", header: """
            age-encryption.org/v1
            -> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc
            hjabGXwSLQ9c3S6Lw2i+S2Tu2fiwQHHslbBN6B41FLE
            --- WyJp
            """, identity: identityB, expected: "age.header"),
        Vector(name: "stanza_base64_padding", header: """
            age-encryption.org/v1
            -> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc
            EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U
            -> stanza
            QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
            QUE=
            --- OtG7IuNHaf2SHZuowmxg/fhbhtz0/DI5g5OGd7WH7S0
            """, identity: identityA, expected: "age.header"),
        Vector(name: "stanza_not_canonical", header: """
            age-encryption.org/v1
            -> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc
            EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U
            -> stanza
            QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB
            QUF
            --- nQM2VCzmNLPrUurNWN+SW9wVp/9uTMQ/6CTUM7l8c84
            """, identity: identityA, expected: "age.header"),
        Vector(name: "stanza_missing_final_line", header: """
            age-encryption.org/v1
            -> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc
            EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U
            -> stanza
            AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
            --- GRjUy1ShNhFoV3cQikdtUZqDeDEZSrbtNXUgDtDbwC8
            """, identity: identityA, expected: "age.header"),
        Vector(name: "scrypt_and_x25519 (identity)", header: scryptAndX25519, identity: identityC, expected: "age.scrypt-mixed"),
        Vector(name: "scrypt_and_x25519 (passphrase)", header: scryptAndX25519, passphrase: "password", expected: "age.scrypt-mixed"),
        Vector(name: "scrypt_double", header: scryptDouble, passphrase: "password", expected: "age.scrypt-mixed"),
        Vector(name: "scrypt_work_factor_23", header: """
            age-encryption.org/v1
            -> scrypt rF0/NwblUHHTpgQgRpe5CQ 23
            qW9eVsT0NVb/Vswtw8kPIxUnaYmm9Px1dYmq2+4+qZA
            --- 38TpQMxQRRNMfmYYpBX6DDrPx4/QY5UmJnhPyVoX/cw
            """, passphrase: "password", expected: "age.scrypt-work-factor"),
        Vector(name: "x25519_low_order", header: x25519LowOrder, identity: identityB, expected: "age.header"),
        Vector(name: "x25519_not_canonical_share", header: """
            age-encryption.org/v1
            -> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCd
            EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U
            --- AO6haEGU6BGJ8Tzeqnr2fSLEo31JrWodGtZuCZmijI8
            """, identity: identityA, expected: "age.header"),
    ]

    static let scryptAndX25519 = """
        age-encryption.org/v1
        -> X25519 ajtqAvDEkVNr2B7zUOtq2mAQXDSBlNrVAuM/dKb5sT4
        U+hKlJ4isweJ9PKG7pgscmG3cPASLgTw7SOBpbZ8x2U
        -> scrypt 3d9y0G+8q1ffPQ0xJJatIQ 10
        foZolxuhRSL7IG7oaR+456IzkHtvue7j4mUjh3DB6EI
        --- yp4Z0lV1LEdkm1+uDCuPUV+9hIXbPKrBXKQ/f5Y03As
        """
    static let scryptDouble = """
        age-encryption.org/v1
        -> scrypt rF0/NwblUHHTpgQgRpe5CQ 10
        gUjEymFKMVXQEKdMMHL24oYexjE3TIC0O0zGSqJ2aUY
        -> scrypt GzXG5ofdANo6w3msn3QsIQ 10
        OveITuwxakv7k2oLnioNYF4Bhgz9KZ36pb098wDoAv8
        --- a5d+4Ay1evJhoDskIzuTZV9bBgKk4573VZNfuoWJDPE
        """
    static let x25519LowOrder = """
        age-encryption.org/v1
        -> X25519 X5yVvKNQjCSx0LFVnIPvWwREXMRYHI6G2CJO3dCfEdc
        3E0NpFans/m0WLWF7+54ZBdNj3iqQqpraGDFiaRkvBA
        --- sXw327YMT1/ULXe+ZyRMbMY0Z2jnWHGgI9j1we6yQ8A
        """

    /// Each vector fails in the header with the class the testkit expects (header or MAC failure).
    @Test(arguments: failures)
    func headerFailure(vector: Vector) throws {
        // A dummy nonce and final chunk: these vectors must fail before the payload is looked at.
        let file = Array((vector.header + "\n").utf8) + [UInt8](repeating: 0, count: 16 + 32)
        let delivered = MemorySink()
        let decryptor = try vector.identity.map { AgeDecryptor(identities: [try AgeIdentity($0)], output: delivered) }
            ?? AgeDecryptor(passphrase: vector.passphrase!, output: delivered)
        do {
            try decryptor.write(file)
            try decryptor.finish()
            Issue.record("\(vector.name) decrypted")
        } catch let error as DossierError {
            #expect(error.code == vector.expected)
        }
        #expect(delivered.bytes.isEmpty)
    }

    /// X25519 and scrypt stanzas from the testkit unwrap to the testkit's file key.
    @Test func stanzasUnwrapToTheFileKey() throws {
        func parse(_ text: String) throws -> AgeHeader { try AgeHeader.parse(Array((text + "\n").utf8)[...]).header }
        let x25519 = try parse("""
            age-encryption.org/v1
            -> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc
            EmECAEcKN+n/Vs9SbWiV+Hu0r+E8R77DdWYyd83nw7U
            --- AO6haEGU6BGJ8Tzeqnr2fSLEo31JrWodGtZuCZmijI8
            """)
        #expect(try AgeKeyWrap.unwrap(x25519, identities: [try AgeIdentity(Self.identityA)]) == Self.fileKey)
        let double = try parse(Self.scryptDouble)
        for (stanza, passphrase) in zip(double.stanzas, ["password", "hunter2"]) {
            let single = AgeHeader(stanzas: [stanza])
            #expect(try AgeKeyWrap.unwrap(single, passphrase: Array(passphrase.utf8), maxWorkFactor: 22) == Self.fileKey)
        }
    }

    /// Re-encoding a testkit header with its file key reproduces it byte for byte, MAC included.
    @Test(arguments: [scryptDouble, x25519LowOrder, scryptAndX25519])
    func headerEncodingAndMAC(text: String) throws {
        let bytes = Array((text + "\n").utf8)
        let parsed = try AgeHeader.parse(bytes[...])
        #expect(try parsed.header.encoded(fileKey: Self.fileKey) == bytes)
    }
}
