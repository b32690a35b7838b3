import Testing
import Foundation
import DossierIO
@testable import DossierBundle

@Test func crc32KnownAnswer() {
    // CRC-32 check value for "123456789" is 0xCBF43926 (Rocksoft model CRC catalogue, CRC-32/ISO-HDLC).
    var crc = CRC32()
    Array("123456789".utf8).withUnsafeBytes { crc.update($0) }
    #expect(crc.value == 0xCBF4_3926)
}
