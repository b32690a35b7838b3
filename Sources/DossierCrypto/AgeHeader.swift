import DossierModel

/// The age v1 header (C2SP age, "Header"): recipient stanzas and the HMAC that binds them.
struct AgeHeader {
    struct Stanza {
        var arguments: [String]
        var body: [UInt8]
    }

    static let versionLine = "age-encryption.org/v1"
    static let x25519Info = Array("age-encryption.org/v1/X25519".utf8)
    static let scryptLabel = Array("age-encryption.org/v1/scrypt".utf8)
    static let zeroNonce = [UInt8](repeating: 0, count: 12)

    var stanzas: [Stanza]

    /// Everything the MAC covers: version line, stanzas, and the `---` mark.
    var bytesBeforeMAC: [UInt8] {
        var s = Self.versionLine + "\n"
        for stanza in stanzas {
            s += "-> " + stanza.arguments.joined(separator: " ") + "\n"
            let b64 = Array(Base64.encode(stanza.body, padded: false).utf8)
            // Full 64-column lines, then a shorter final line (empty when the last one was full).
            var i = 0
            while b64.count - i >= 64 {
                s += String(decoding: b64[i..<(i + 64)], as: UTF8.self) + "\n"
                i += 64
            }
            s += String(decoding: b64[i...], as: UTF8.self) + "\n"
        }
        return Array((s + "---").utf8)
    }

    static func macKey(fileKey: [UInt8]) throws -> [UInt8] {
        try Primitive.hkdfSHA256(ikm: fileKey, salt: [], info: Array("header".utf8))
    }

    /// The complete header bytes with their MAC line.
    func encoded(fileKey: [UInt8]) throws -> [UInt8] {
        let body = bytesBeforeMAC
        let mac = try hmacSHA256(key: try Self.macKey(fileKey: fileKey), body)
        return body + Array((" " + Base64.encode(mac, padded: false) + "\n").utf8)
    }

    static func malformed(_ what: String, line: Int) -> DossierError {
        DossierError("age.header", "malformed age header: \(what)", at: SourceLocation(line: line))
    }

    /// Parses a complete header (through the MAC line's LF) strictly by the spec's ABNF.
    static func parse(_ bytes: ArraySlice<UInt8>) throws -> (header: AgeHeader, mac: [UInt8], macInput: [UInt8]) {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        guard lines.last?.isEmpty == true else { throw malformed("missing final newline", line: lines.count) }
        lines.removeLast()
        guard lines.first.map(Array.init) == Array(versionLine.utf8) else {
            throw DossierError("age.header", "not an age v1 file (unknown version line)", at: SourceLocation(line: 1))
        }
        var stanzas: [Stanza] = []
        var index = 1
        while index < lines.count, lines[index].starts(with: Array("->".utf8)) {
            let argLine = lines[index]
            guard argLine.starts(with: Array("-> ".utf8)) else { throw malformed("stanza line", line: index + 1) }
            let args = argLine.dropFirst(3).split(separator: 0x20, omittingEmptySubsequences: false)
            guard !args.isEmpty, args.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 >= 0x21 && $0 <= 0x7E } }) else {
                throw malformed("stanza arguments", line: index + 1)
            }
            index += 1
            var b64: [UInt8] = []
            while true {
                guard index < lines.count else { throw malformed("stanza without a final line", line: index) }
                let line = lines[index]
                guard line.count <= 64 else {
                    throw malformed("stanza body line", line: index + 1)
                }
                b64 += line
                index += 1
                if line.count < 64 { break }
            }
            guard let body = Base64.decode(b64, padded: false) else {
                throw malformed("stanza body is not canonical base64", line: index)
            }
            stanzas.append(Stanza(arguments: args.map { String(decoding: $0, as: UTF8.self) }, body: body))
        }
        guard !stanzas.isEmpty else { throw malformed("no recipient stanzas", line: index + 1) }
        guard index == lines.count - 1 else { throw malformed("unexpected line", line: index + 1) }
        let macLine = Array(lines[index])
        guard macLine.count == 47, macLine.starts(with: Array("--- ".utf8)),
              let mac = Base64.decode(macLine[4...], padded: false), mac.count == 32 else {
            throw malformed("MAC line", line: index + 1)
        }
        let macInput = Array(bytes.prefix(bytes.count - 45))
        return (AgeHeader(stanzas: stanzas), mac, macInput)
    }
}
