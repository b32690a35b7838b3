import DossierIO
import DossierModel

/// Reads RFC 4251 §5 wire values (`uint32`, `string`), failing with one error code on any overrun.
struct SSHReader {
    private let bytes: [UInt8]
    private var position = 0
    private let errorCode: String

    init(_ bytes: [UInt8], errorCode: String) { self.bytes = bytes; self.errorCode = errorCode }

    var atEnd: Bool { position == bytes.count }
    var remaining: ArraySlice<UInt8> { bytes[position...] }

    func malformed(_ what: String) -> DossierError { DossierError(errorCode, "malformed SSH data: \(what)") }

    mutating func take(_ count: Int) throws -> [UInt8] {
        guard count >= 0, bytes.count - position >= count else { throw malformed("truncated at byte \(position)") }
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    mutating func uint32() throws -> UInt32 {
        try take(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func string() throws -> [UInt8] { try take(Int(try uint32())) }

    /// A string that must equal `expected`, such as a key type or magic value.
    mutating func expect(_ expected: String, _ what: String) throws {
        guard try string() == Array(expected.utf8) else { throw malformed("unexpected \(what)") }
    }
}

/// Builds RFC 4251 §5 wire values.
struct SSHWriter {
    private(set) var bytes: [UInt8] = []

    mutating func raw(_ b: [UInt8]) { bytes += b }
    mutating func uint32(_ v: UInt32) { bytes += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
    mutating func string(_ b: [UInt8]) { uint32(UInt32(b.count)); bytes += b }
    mutating func string(_ s: String) { string(Array(s.utf8)) }
}

/// PEM-style armor as OpenSSH writes it: base64 wrapped at 70 columns between BEGIN/END lines.
enum SSHArmor {
    static func encode(_ blob: [UInt8], label: String) -> String {
        let b64 = Array(Base64.encode(blob, padded: true).utf8)
        var lines = ["-----BEGIN \(label)-----"]
        stride(from: 0, to: b64.count, by: 70).forEach {
            lines.append(String(decoding: b64[$0..<min($0 + 70, b64.count)], as: UTF8.self))
        }
        lines.append("-----END \(label)-----")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The blob inside the armor; nil unless the text is exactly one armored block (LF or CRLF).
    static func decode(_ text: String, label: String) -> [UInt8]? {
        // Swift reads CRLF as one Character, which `isNewline` matches like LF.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard lines.count >= 3, lines.first == "-----BEGIN \(label)-----", lines.last == "-----END \(label)-----" else {
            return nil
        }
        return Base64.decode(Array(lines.dropFirst().dropLast().joined().utf8), padded: true)
    }
}

/// An Ed25519 public key in OpenSSH's encodings: the wire blob and the `ssh-ed25519 AAAA… comment` line.
public struct SSHPublicKey: Hashable, Sendable {
    public static let keyType = "ssh-ed25519"
    /// The 32-byte RFC 8032 public key.
    public let rawKey: [UInt8]
    public var comment: String

    init(rawKey: [UInt8], comment: String = "") {
        self.rawKey = rawKey; self.comment = comment
    }

    /// Parses `ssh-ed25519 AAAA… [comment]`, the form of `.pub` files and `authorized_keys`.
    public init(line: String) throws {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0] == Self.keyType, let blob = Base64.decode(Array(parts[1].utf8), padded: true) else {
            throw DossierError("key.malformed", "not an ssh-ed25519 public key line")
        }
        try self.init(blob: blob, errorCode: "key.malformed")
        comment = parts.count == 3 ? String(parts[2]).trimmingSpaces : ""
    }

    init(blob: [UInt8], errorCode: String) throws {
        var r = SSHReader(blob, errorCode: errorCode)
        try r.expect(Self.keyType, "key type")
        let key = try r.string()
        guard key.count == 32, r.atEnd else { throw r.malformed("Ed25519 public key length") }
        self.init(rawKey: key)
    }

    var blob: [UInt8] {
        var w = SSHWriter()
        w.string(Self.keyType)
        w.string(rawKey)
        return w.bytes
    }

    /// The one-line form OpenSSH writes to `.pub` files.
    public var line: String {
        Self.keyType + " " + Base64.encode(blob, padded: true) + (comment.isEmpty ? "" : " " + comment)
    }

    /// `SHA256:…`, the fingerprint `ssh-keygen -l` prints, for naming a key in messages.
    public var fingerprint: String {
        get throws {
            "SHA256:" + Base64.encode(try Digester.hash(.sha256, blob), padded: false)
        }
    }
}

/// An Ed25519 signing key kept as its 32-byte seed, stored in OpenSSH's `openssh-key-v1` format.
///
/// Using OpenSSH's own format means `ssh-keygen -y -f key` and `ssh-keygen -Y sign` work on our
/// keys, and keys made by `ssh-keygen -t ed25519 -N ''` work here. Only unencrypted keys are read:
/// the bcrypt KDF is not in OpenSSL, and a passphrase prompt belongs to the caller.
public struct SSHSigningKey: Sendable {
    let seed: [UInt8]
    public let publicKey: SSHPublicKey
    private static let magic = Array("openssh-key-v1".utf8) + [0]
    private static let label = "OPENSSH PRIVATE KEY"

    init(seed: [UInt8], comment: String) throws {
        self.seed = seed
        publicKey = SSHPublicKey(rawKey: try Primitive.ed25519PublicKey(seed: seed), comment: comment)
    }

    public static func generate(comment: String) throws -> SSHSigningKey {
        try SSHSigningKey(seed: try secureRandomBytes(32), comment: comment)
    }

    /// Parses an unencrypted `-----BEGIN OPENSSH PRIVATE KEY-----` file holding one Ed25519 key.
    public init(openSSHPrivateKey text: String) throws {
        guard let blob = SSHArmor.decode(text, label: Self.label) else {
            throw DossierError("key.malformed", "not an OpenSSH private key (armor or base64 invalid)")
        }
        var r = SSHReader(blob, errorCode: "key.malformed")
        guard try r.take(Self.magic.count) == Self.magic else { throw r.malformed("missing openssh-key-v1 magic") }
        let cipher = try r.string(), kdf = try r.string()
        _ = try r.string()
        guard cipher == Array("none".utf8), kdf == Array("none".utf8) else {
            throw DossierError("key.encrypted", "the private key is passphrase-protected; remove the passphrase with ssh-keygen -p")
        }
        guard try r.uint32() == 1 else { throw r.malformed("expected exactly one key") }
        let outerPublic = try SSHPublicKey(blob: try r.string(), errorCode: "key.malformed")
        var p = SSHReader(try r.string(), errorCode: "key.malformed")
        guard r.atEnd else { throw r.malformed("trailing bytes") }
        guard try p.uint32() == (try p.uint32()) else { throw p.malformed("check integers differ") }
        try p.expect(SSHPublicKey.keyType, "key type")
        let pub = try p.string(), secret = try p.string()
        let comment = String(decoding: try p.string(), as: UTF8.self)
        let padding = Array(p.remaining)
        guard padding == (0..<padding.count).map({ UInt8($0 + 1) }), padding.count < 8 else { throw p.malformed("bad padding") }
        guard pub.count == 32, secret.count == 64, Array(secret[32...]) == pub, pub == outerPublic.rawKey else {
            throw p.malformed("inconsistent Ed25519 key material")
        }
        try self.init(seed: Array(secret[..<32]), comment: comment)
        guard publicKey.rawKey == pub else { throw p.malformed("public key does not match the private key") }
    }

    /// The `openssh-key-v1` text (cipher and KDF "none"), as `ssh-keygen -t ed25519 -N ''` writes it.
    public func openSSHPrivateKey() throws -> String {
        let check = try secureRandomBytes(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        var p = SSHWriter()
        p.uint32(check); p.uint32(check)
        p.string(SSHPublicKey.keyType)
        p.string(publicKey.rawKey)
        p.string(seed + publicKey.rawKey)
        p.string(publicKey.comment)
        var pad: UInt8 = 1
        while p.bytes.count % 8 != 0 { p.raw([pad]); pad += 1 }
        var w = SSHWriter()
        w.raw(Self.magic)
        w.string("none"); w.string("none"); w.string([])
        w.uint32(1)
        w.string(publicKey.blob)
        w.string(p.bytes)
        return SSHArmor.encode(w.bytes, label: Self.label)
    }

    /// Reads a private key file, refusing files over 64 KiB before reading them.
    public static func read(path: String) throws -> SSHSigningKey {
        let bytes = try ByteReader.readAll(path: path, limit: 64 * 1024)
        do {
            return try SSHSigningKey(openSSHPrivateKey: String(decoding: bytes, as: UTF8.self))
        } catch var error as DossierError {
            error.diagnostic.location = SourceLocation(file: path)
            throw error
        }
    }

    /// Writes the private key (mode 0600, as ssh-keygen insists) and the `.pub` line beside it.
    public func write(to path: String) throws {
        try AtomicFile.write(Array(try openSSHPrivateKey().utf8), to: path, mode: 0o600)
        try AtomicFile.write(Array((publicKey.line + "\n").utf8), to: path + ".pub")
    }
}

extension String {
    var trimmingSpaces: String {
        String(self.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
