import DossierIO
import DossierModel
public import Foundation

/// An age X25519 recipient, the public `age1…` string anyone may encrypt to.
public struct AgeRecipient: Hashable, Sendable, CustomStringConvertible {
    /// The 32-byte X25519 public key.
    let publicKey: [UInt8]

    init(publicKey: [UInt8]) { self.publicKey = publicKey }

    /// Parses `age1…` (Bech32, HRP `age`); post-quantum and plugin recipients are refused.
    public init(_ text: String) throws {
        guard let (hrp, data) = Bech32.decode(text.trimmingSpaces), hrp == "age", data.count == 32 else {
            throw DossierError("age.recipient", "not an age X25519 recipient (age1…)")
        }
        publicKey = data
    }

    public var description: String { Bech32.encode(hrp: "age", publicKey) }
}

/// An age X25519 identity (`AGE-SECRET-KEY-1…`), the secret half that unwraps file keys.
///
/// Its `description` is redacted so that an identity logged by accident prints no secret; the
/// encoded key is only available through `secretKeyString` and the key file.
public struct AgeIdentity: Sendable, CustomStringConvertible {
    let secretKey: [UInt8]
    public let recipient: AgeRecipient

    init(secretKey: [UInt8]) throws {
        self.secretKey = secretKey
        recipient = AgeRecipient(publicKey: try Primitive.x25519PublicKey(privateKey: secretKey))
    }

    public static func generate() throws -> AgeIdentity {
        try AgeIdentity(secretKey: try secureRandomBytes(32))
    }

    /// Parses one `AGE-SECRET-KEY-1…` string.
    public init(_ text: String) throws {
        guard let (hrp, data) = Bech32.decode(text.trimmingSpaces), hrp == "age-secret-key-", data.count == 32 else {
            throw DossierError("age.identity", "not an age X25519 identity (AGE-SECRET-KEY-1…)")
        }
        try self.init(secretKey: data)
    }

    public var secretKeyString: String { Bech32.encode(hrp: "AGE-SECRET-KEY-", secretKey).uppercased() }

    public var description: String { "AgeIdentity(\(recipient))" }

    /// The `age-keygen` file text: creation time and public key as comments, then the secret key.
    public func keyFile(created: Date = Date()) -> String {
        "# created: \(created.formatted(.iso8601))\n# public key: \(recipient)\n\(secretKeyString)\n"
    }

    /// Writes the key file with mode 0600, as `age-keygen -o` does.
    public func write(to path: String, created: Date = Date()) throws {
        try AtomicFile.write(Array(keyFile(created: created).utf8), to: path, mode: 0o600)
    }

    /// Reads every identity in an `age-keygen` style file; `#` comments and blank lines are skipped.
    public static func read(path: String) throws -> [AgeIdentity] {
        let text = String(decoding: try ByteReader.readAll(path: path, limit: 1 << 20), as: UTF8.self)
        var identities: [AgeIdentity] = []
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = String(raw).trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") { continue }
            do {
                identities.append(try AgeIdentity(line))
            } catch let error as DossierError {
                throw DossierError(error.code, error.diagnostic.message, at: SourceLocation(file: path, line: index + 1))
            }
        }
        guard !identities.isEmpty else {
            throw DossierError("age.identity", "no identities in the key file", at: SourceLocation(file: path))
        }
        return identities
    }
}
