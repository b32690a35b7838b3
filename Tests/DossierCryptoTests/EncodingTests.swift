@testable import DossierCrypto
import Testing

@Suite("Strict base64 and Bech32")
struct EncodingTests {
    // RFC 4648 §10 test vectors.
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                      ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func base64(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8), padded: true) == encoded)
        #expect(Base64.decode(Array(encoded.utf8), padded: true) == Array(plain.utf8))
        let unpadded = encoded.filter { $0 != "=" }
        #expect(Base64.encode(Array(plain.utf8), padded: false) == unpadded)
        #expect(Base64.decode(Array(unpadded.utf8), padded: false) == Array(plain.utf8))
    }

    /// Non-canonical forms (RFC 4648 §3.5 non-zero pad bits), padding where age forbids it,
    /// whitespace and impossible lengths are all refused.
    @Test(arguments: ["Zh", "Zm9=", "Zg=", "Zm9vY", "Zm 9v", "Zm9v\n", "Zg==", "Z", "Zm8-"])
    func base64RejectsUnpadded(bad: String) {
        #expect(Base64.decode(Array(bad.utf8), padded: false) == nil)
    }

    @Test(arguments: ["Zh==", "Zm9=", "Zg=", "Zg", "Zm9vY===", "Z===", "Zg==Zg==", "Zm 9v"])
    func base64RejectsPadded(bad: String) {
        #expect(Base64.decode(Array(bad.utf8), padded: true) == nil)
    }

    // BIP 173 "Test vectors": valid Bech32 strings, then strings with invalid checksums or structure.
    @Test(arguments: ["A12UEL5L", "a12uel5l",
                      "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
                      "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
                      "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
                      "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w"])
    func bech32Valid(text: String) throws {
        let decoded = try #require(Bech32.decode(text))
        #expect(decoded.hrp == String(text[..<text.lastIndex(of: "1")!]).lowercased())
    }

    @Test(arguments: [" 1nwldj5", "pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A12UEl5L"])
    func bech32Invalid(text: String) {
        #expect(Bech32.decode(text) == nil)
    }

    @Test func bech32RoundTrip() {
        let data = (0..<32).map { UInt8($0 * 7 & 0xFF) }
        let text = Bech32.encode(hrp: "age", data)
        #expect(Bech32.decode(text)?.data == data)
        #expect(Bech32.decode(text.uppercased())?.data == data)
    }
}
