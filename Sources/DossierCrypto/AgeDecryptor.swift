public import DossierIO
import DossierModel

/// Decrypts an age v1 stream (binary or ASCII-armored) into `output`, one authenticated chunk at a time.
///
/// Plaintext reaches `output` only after its chunk's Poly1305 tag has verified, so a tampered
/// chunk is never seen by a parser. But the file as a whole is only proven complete when
/// `finish()` returns: a truncated file (G8) is detected there, after the earlier chunks were
/// delivered. **A consumer must therefore discard everything it received if `write` or
/// `finish` throws.** `decryptFile(at:to:identities:)` does that for files: it writes to a
/// temporary file that is renamed into place only on success.
///
/// Memory stays flat: input is held only until a whole chunk (64 KiB + tag) is available, and the
/// header is capped at 1 MiB.
public final class AgeDecryptor: ByteSink {
    enum Key {
        case identities([AgeIdentity])
        case passphrase([UInt8], maxWorkFactor: Int)
    }

    static let maxHeaderSize = 1 << 20
    private let key: Key
    private let output: any ByteSink
    private var armor: AgeArmorDecoder?
    private var decided = false
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes dropped from the front of `buffer`, to report input offsets.
    private var dropped = 0
    /// Where the header line being read starts, and how far the search for its end has got.
    private var headerLineStart = 0
    private var headerScanned = 0
    /// Set once the MAC line has arrived; the payload nonce may still be incomplete.
    private var headerEnd: Int?
    private var cipher: ChaChaPoly?
    private var counter: UInt64 = 0
    private let plain: UnsafeMutableRawBufferPointer
    private var finished = false

    public init(identities: [AgeIdentity], output: any ByteSink) {
        precondition(!identities.isEmpty, "age decryption needs at least one identity")
        key = .identities(identities)
        self.output = output
        plain = .allocate(byteCount: AgePayload.chunkSize, alignment: 16)
    }

    /// The scrypt work-factor cap age itself applies: 2^22 needs 128·8·2^22 bytes = 4 GiB and a
    /// few seconds, so a hostile header cannot demand more (G10, 2^40 would be 128 TiB).
    public static let defaultMaxWorkFactor = 22

    /// Decrypts a passphrase file, refusing scrypt work factors above 2^`maxWorkFactor`.
    public init(passphrase: String, maxWorkFactor: Int = AgeDecryptor.defaultMaxWorkFactor, output: any ByteSink) {
        key = .passphrase(Array(passphrase.utf8), maxWorkFactor: maxWorkFactor)
        self.output = output
        plain = .allocate(byteCount: AgePayload.chunkSize, alignment: 16)
    }

    deinit { plain.deallocate() }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "AgeDecryptor written after finish()")
        guard bytes.count > 0 else { return }
        if !decided {
            decided = true
            // Binary files start with "age-"; armor may be preceded by whitespace (C2SP age, ASCII armor).
            if bytes[0] == UInt8(ascii: "-") || bytes[0] == 0x20 || bytes[0] == 0x0A || bytes[0] == 0x0D || bytes[0] == 0x09 {
                armor = AgeArmorDecoder()
            }
        }
        if let armor {
            try armor.write(bytes) { try self.consume($0) }
        } else {
            try consume(bytes)
        }
    }

    /// Checks that the stream ended with an authenticated final chunk and nothing after it.
    public func finish() throws {
        precondition(!finished, "AgeDecryptor finished twice")
        finished = true
        try armor?.finish()
        guard let cipher else {
            throw DossierError("age.truncated", "file ends before the payload starts (\(dropped + buffer.count) bytes read)")
        }
        let remaining = buffer.count - start
        guard remaining > 0 else {
            throw DossierError("age.truncated", "file is truncated: no final chunk after chunk \(counter) (offset \(dropped + start))")
        }
        if try openChunk(cipher, length: remaining, final: true) {
            guard remaining > ChaChaPoly.tagLength || counter == 0 else {
                throw DossierError("age.payload", "empty final chunk after non-empty payload (chunk \(counter))")
            }
            try output.write(UnsafeRawBufferPointer(rebasing: plain[0..<(remaining - ChaChaPoly.tagLength)]))
            return
        }
        if remaining == AgePayload.sealedChunkSize, try openChunk(cipher, length: remaining, final: false) {
            throw DossierError("age.truncated", "file is truncated: chunk \(counter) is not final and nothing follows it")
        }
        throw DossierError("age.payload", "payload chunk \(counter) failed authentication (offset \(dropped + start))")
    }

    private func consume(_ bytes: UnsafeRawBufferPointer) throws {
        buffer.append(contentsOf: bytes)
        if cipher == nil {
            guard try readHeader() else { return }
        }
        guard let cipher else { return }
        // A chunk is known not to be final only once a byte beyond it has arrived.
        while buffer.count - start > AgePayload.sealedChunkSize {
            guard try openChunk(cipher, length: AgePayload.sealedChunkSize, final: false) else {
                if try openChunk(cipher, length: AgePayload.sealedChunkSize, final: true) {
                    throw DossierError("age.trailing-data", "data follows the final chunk \(counter)")
                }
                throw DossierError("age.payload", "payload chunk \(counter) failed authentication (offset \(dropped + start))")
            }
            try output.write(UnsafeRawBufferPointer(rebasing: plain[0..<AgePayload.chunkSize]))
            start += AgePayload.sealedChunkSize
            counter += 1
        }
        if start > 0 {
            buffer.removeSubrange(0..<start)
            dropped += start
            start = 0
        }
    }

    /// Decrypts the chunk at `start` into `plain`; true only if its tag verified.
    private func openChunk(_ cipher: ChaChaPoly, length: Int, final: Bool) throws -> Bool {
        try buffer.withUnsafeBytes { b in
            try cipher.open(UnsafeRawBufferPointer(rebasing: b[start..<(start + length)]),
                            nonce: AgePayload.chunkNonce(counter, final: final), into: plain)
        }
    }

    /// Parses the header once its MAC line and the payload nonce have arrived; false while waiting.
    private func readHeader() throws -> Bool {
        // The header ends at the first line that starts with "---"; stanza lines never do. Bytes
        // already searched are not searched again, so tiny writes cost linear time.
        while headerEnd == nil, let nl = buffer[headerScanned...].firstIndex(of: 0x0A) {
            headerScanned = nl + 1
            if buffer[headerLineStart...].starts(with: Array("---".utf8)) { headerEnd = nl + 1 }
            headerLineStart = nl + 1
        }
        guard let end = headerEnd else {
            headerScanned = buffer.count
            if buffer.count > Self.maxHeaderSize {
                throw DossierError("age.header", "no header end within \(Self.maxHeaderSize) bytes")
            }
            return false
        }
        guard buffer.count >= end + AgePayload.nonceSize else { return false }
        let (header, mac, macInput) = try AgeHeader.parse(buffer[0..<end])
        let fileKey: [UInt8]
        switch key {
        case .identities(let identities): fileKey = try AgeKeyWrap.unwrap(header, identities: identities)
        case .passphrase(let passphrase, let maxWorkFactor):
            fileKey = try AgeKeyWrap.unwrap(header, passphrase: passphrase, maxWorkFactor: maxWorkFactor)
        }
        let expected = try hmacSHA256(key: try AgeHeader.macKey(fileKey: fileKey), macInput)
        guard constantTimeEqual(expected, mac) else {
            throw DossierError("age.header-mac", "header MAC does not match: the header was altered")
        }
        let nonce = Array(buffer[end..<(end + AgePayload.nonceSize)])
        cipher = try ChaChaPoly(key: try AgePayload.key(fileKey: fileKey, nonce: nonce))
        start = end + AgePayload.nonceSize
        return true
    }

    /// Decrypts `source` to `destination` so that `destination` appears only if the whole file
    /// authenticated: on any error the temporary file is removed and nothing is left behind.
    public static func decryptFile(at source: String, to destination: String, identities: [AgeIdentity]) throws {
        try decryptFile(at: source, to: destination) { AgeDecryptor(identities: identities, output: $0) }
    }

    public static func decryptFile(at source: String, to destination: String, passphrase: String) throws {
        try decryptFile(at: source, to: destination) { AgeDecryptor(passphrase: passphrase, output: $0) }
    }

    private static func decryptFile(at source: String, to destination: String,
                                    _ make: (any ByteSink) -> AgeDecryptor) throws {
        let reader = try ByteReader(path: source, chunkSize: fileReadChunkSize)
        do {
            try AtomicFile.write(to: destination) { sink in
                let decryptor = make(sink)
                while let chunk = try reader.nextChunk() { try decryptor.write(chunk) }
                try decryptor.finish()
            }
        } catch var error as DossierError where error.location?.file == nil {
            // The header's errors know their line but not the file.
            var at = error.location ?? SourceLocation()
            at.file = source
            error.diagnostic.location = at
            throw error
        }
    }
}

/// Streams the strict PEM armor of C2SP age ("ASCII armor", RFC 7468 §3) back to binary.
///
/// Body lines are exactly 64 columns except the last; base64 is canonical and padded; only
/// whitespace may surround the block. Lines longer than 64 columns are refused at once, so a
/// hostile input cannot make the line buffer grow.
final class AgeArmorDecoder {
    private enum State { case begin, body, after }
    private static let beginLine = Array("-----BEGIN AGE ENCRYPTED FILE-----".utf8)
    private static let endLine = Array("-----END AGE ENCRYPTED FILE-----".utf8)
    private var state = State.begin
    private var line: [UInt8] = []
    private var lineNumber = 0
    private var sawShortLine = false

    private func fail(_ what: String) -> DossierError {
        DossierError("age.armor", "invalid ASCII armor: \(what)", at: SourceLocation(line: lineNumber))
    }

    func write(_ bytes: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        for b in bytes {
            if b == 0x0A {
                lineNumber += 1
                if line.last == 0x0D { line.removeLast() }
                try endOfLine(emit)
                line.removeAll(keepingCapacity: true)
            } else {
                guard line.count <= 64 else { lineNumber += 1; throw fail("line longer than 64 columns") }
                line.append(b)
            }
        }
    }

    func finish() throws {
        if !line.isEmpty {
            lineNumber += 1
            try endOfLine { _ in }
        }
        guard state == .after else { throw fail("missing END line") }
    }

    private func endOfLine(_ emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        let blank = line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
        switch state {
        case .begin:
            if blank { return }
            guard line == Self.beginLine else { throw fail("expected the BEGIN line") }
            state = .body
        case .body:
            if line == Self.endLine { state = .after; return }
            guard !sawShortLine else { throw fail("data after the short final line") }
            guard line.count <= 64, line.count % 4 == 0, !line.isEmpty else { throw fail("body line length") }
            sawShortLine = line.count < 64 || line.contains(UInt8(ascii: "="))
            guard let decoded = Base64.decode(line, padded: true) else { throw fail("non-canonical base64") }
            try decoded.withUnsafeBytes { try emit($0) }
        case .after:
            guard blank else { throw fail("data after the END line") }
        }
    }
}
