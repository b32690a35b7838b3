import DossierIO
import DossierModel

/// Trusted signing keys in OpenSSH's `allowed_signers` format (ssh-keygen(1), ALLOWED SIGNERS).
///
/// Using the file `ssh-keygen -Y verify -f` reads means one trust list serves both our verifier
/// and the standard tool. Supported: comma-separated principals (matched literally, not as
/// wildcard patterns), `namespaces="…"`, comments.
/// Lines for other key types are skipped (they cannot match an Ed25519 signature); certificate
/// authorities and validity windows are refused rather than silently ignored.
public struct AllowedSigners: Sendable {
    public struct Entry: Sendable, Hashable {
        public var principals: [String]
        /// nil means any namespace.
        public var namespaces: [String]?
        public var key: SSHPublicKey

        public init(principals: [String], namespaces: [String]? = nil, key: SSHPublicKey) {
            self.principals = principals; self.namespaces = namespaces; self.key = key
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    public init(text: String, path: String = "<allowed_signers>") throws {
        entries = []
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = String(raw).trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") { continue }
            let at = SourceLocation(file: path, line: index + 1)
            var fields = Self.fields(line)
            guard fields.count >= 3 else { throw DossierError("signers.malformed", "expected principals, key type and key", at: at) }
            let principals = fields.removeFirst().split(separator: ",").map(String.init)
            var namespaces: [String]?
            if !fields[0].hasPrefix("ssh-") && !fields[0].hasPrefix("ecdsa-") && !fields[0].hasPrefix("sk-") {
                for option in Self.options(fields.removeFirst()) {
                    let lower = option.lowercased()
                    if lower.hasPrefix("namespaces=") {
                        namespaces = option.dropFirst("namespaces=".count).filter { $0 != "\"" }
                            .split(separator: ",").map(String.init)
                    } else {
                        throw DossierError("signers.unsupported", "unsupported allowed_signers option", at: at)
                    }
                }
            }
            guard fields.count >= 2 else { throw DossierError("signers.malformed", "missing key", at: at) }
            guard fields[0] == SSHPublicKey.keyType else { continue }
            do {
                let key = try SSHPublicKey(line: fields[0] + " " + fields[1])
                entries.append(Entry(principals: principals, namespaces: namespaces, key: key))
            } catch {
                throw DossierError("signers.malformed", "invalid ssh-ed25519 key", at: at)
            }
        }
    }

    public static func read(path: String) throws -> AllowedSigners {
        try AllowedSigners(text: String(decoding: try ByteReader.readAll(path: path, limit: 1 << 20), as: UTF8.self), path: path)
    }

    /// The line `ssh-keygen -Y verify -f` accepts for `principal` trusting `key`.
    public static func line(principal: String, key: SSHPublicKey, namespaces: [String]? = nil) -> String {
        let options = namespaces.map { " namespaces=\"\($0.joined(separator: ","))\"" } ?? ""
        return principal + options + " " + SSHPublicKey.keyType + " " + Base64.encode(key.blob, padded: true)
    }

    /// Splits on spaces outside double quotes, keeping the quotes in the field.
    private static func fields(_ line: String) -> [String] {
        var out: [String] = [], current = "", quoted = false
        for c in line {
            if c == "\"" { quoted.toggle() }
            if (c == " " || c == "\t") && !quoted {
                if !current.isEmpty { out.append(current); current = "" }
            } else {
                current.append(c)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Splits an options field on commas outside double quotes.
    private static func options(_ field: String) -> [String] {
        var out: [String] = [], current = "", quoted = false
        for c in field {
            if c == "\"" { quoted.toggle() }
            if c == "," && !quoted { out.append(current); current = "" } else { current.append(c) }
        }
        out.append(current)
        return out
    }
}

/// Detached OpenSSH signatures (PROTOCOL.sshsig), checkable with `ssh-keygen -Y verify`.
///
/// A recipient can verify a bundle with stock OpenSSH and no Dossierport install. The namespace
/// binds a signature to its purpose, so a bundle signature can never be replayed as, say, a git
/// commit signature. The message is hashed with SHA-512 first, as ssh-keygen does by default.
public enum SSHSignature {
    public static let bundleNamespace = "dossierport-bundle"
    private static let magic = Array("SSHSIG".utf8)
    private static let label = "SSH SIGNATURE"

    /// The bytes Ed25519 signs: PROTOCOL.sshsig §3.
    private static func signedData(namespace: String, hash: HashAlgorithm, message: [UInt8]) throws -> [UInt8] {
        var w = SSHWriter()
        w.raw(magic)
        w.string(namespace)
        w.string([])
        w.string(hash.rawValue)
        w.string(try Digester.hash(hash, message))
        return w.bytes
    }

    /// An armored `-----BEGIN SSH SIGNATURE-----` over `message`.
    public static func sign(_ message: [UInt8], with key: SSHSigningKey, namespace: String = bundleNamespace) throws -> String {
        precondition(!namespace.isEmpty, "PROTOCOL.sshsig forbids an empty namespace")
        let signature = try Primitive.ed25519Sign(seed: key.seed, message: try signedData(namespace: namespace, hash: .sha512, message: message))
        var sig = SSHWriter()
        sig.string(SSHPublicKey.keyType)
        sig.string(signature)
        var w = SSHWriter()
        w.raw(magic)
        w.uint32(1)
        w.string(key.publicKey.blob)
        w.string(namespace)
        w.string([])
        w.string(HashAlgorithm.sha512.rawValue)
        w.string(sig.bytes)
        return SSHArmor.encode(w.bytes, label: label)
    }

    /// Checks `signature` over `message` and returns the trusted principal that made it.
    ///
    /// The signature is checked before trust, so a forged signature is reported as invalid
    /// whoever it claims to come from. When `principal` is given, only that principal is accepted
    /// (like `ssh-keygen -Y verify -I`); otherwise the first principal of the matching entry.
    /// Errors: `signature.malformed`, `signature.namespace`, `signature.invalid`, `signature.untrusted-key`.
    public static func verify(_ message: [UInt8], signature: String, trusted: AllowedSigners,
                              namespace: String = bundleNamespace, principal: String? = nil) throws -> String {
        guard let blob = SSHArmor.decode(signature, label: label) else {
            throw DossierError("signature.malformed", "not an armored SSH signature")
        }
        var r = SSHReader(blob, errorCode: "signature.malformed")
        guard try r.take(magic.count) == magic else { throw r.malformed("missing SSHSIG magic") }
        guard try r.uint32() == 1 else { throw r.malformed("unsupported SSHSIG version") }
        let key = try SSHPublicKey(blob: try r.string(), errorCode: "signature.malformed")
        let signedNamespace = String(decoding: try r.string(), as: UTF8.self)
        _ = try r.string()
        guard let hash = HashAlgorithm(rawValue: String(decoding: try r.string(), as: UTF8.self)) else {
            throw r.malformed("hash algorithm is not sha256 or sha512")
        }
        var s = SSHReader(try r.string(), errorCode: "signature.malformed")
        guard r.atEnd else { throw r.malformed("trailing bytes") }
        try s.expect(SSHPublicKey.keyType, "signature algorithm")
        let raw = try s.string()
        guard s.atEnd, raw.count == 64 else { throw s.malformed("Ed25519 signature length") }
        guard signedNamespace == namespace else {
            throw DossierError("signature.namespace", "signature was made for another namespace than \(namespace)")
        }
        let data = try signedData(namespace: signedNamespace, hash: hash, message: message)
        guard try Primitive.ed25519Verify(publicKey: key.rawKey, message: data, signature: raw) else {
            throw DossierError("signature.invalid", "signature does not match the message")
        }
        for entry in trusted.entries where entry.key.rawKey == key.rawKey {
            if let allowed = entry.namespaces, !allowed.contains(namespace) { continue }
            if let principal {
                if entry.principals.contains(principal) { return principal }
            } else if let first = entry.principals.first {
                return first
            }
        }
        throw DossierError("signature.untrusted-key", "signing key \(try key.fingerprint) is not trusted for this namespace")
    }
}
