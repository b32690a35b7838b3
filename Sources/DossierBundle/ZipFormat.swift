import Foundation

/// Record signatures and field values from PKWARE's APPNOTE.TXT (6.3.x), §4.3 and §4.5.
enum ZipSignature {
    static let localHeader: UInt32 = 0x0403_4b50
    static let centralHeader: UInt32 = 0x0201_4b50
    static let endOfCentralDirectory: UInt32 = 0x0605_4b50
    static let zip64EndOfCentralDirectory: UInt32 = 0x0606_4b50
    static let zip64Locator: UInt32 = 0x0706_4b50
    static let zip64ExtraID: UInt16 = 0x0001
}

enum ZipConstant {
    static let localHeaderSize = 30
    static let centralHeaderSize = 46
    static let endRecordSize = 22
    static let zip64EndRecordSize = 56
    static let zip64LocatorSize = 20
    /// The EOCD record plus the longest possible comment: the only region searched for it.
    static let endSearchWindow = 22 + 0xFFFF
    static let flagEncrypted: UInt16 = 1 << 0
    static let flagDataDescriptor: UInt16 = 1 << 3
    static let flagStrongEncryption: UInt16 = 1 << 6
    static let flagUTF8: UInt16 = 1 << 11
    static let flagMaskedDirectory: UInt16 = 1 << 13
    static let methodStored: UInt16 = 0
    static let methodDeflate: UInt16 = 8
    static let methodAES: UInt16 = 99
    static let hostUnix: UInt8 = 3
    /// 1980-01-01 00:00, the earliest DOS date: output must not depend on the clock.
    static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1
    static let dosTime: UInt16 = 0
}

/// Safety caps for reading untrusted archives; the defaults suit care-record bundles.
///
/// Zip bombs rely on extreme ratios, huge entry counts or sizes; each cap turns one of those into
/// a clean rejection before any byte is produced (reliability.md §1).
public struct ZipLimits: Sendable, Hashable {
    /// Checked against the end record before the central directory is even read. A bundle has one
    /// to three files a dossier, so the default admits an organisation of some 150,000 clients
    /// or more (a receiver raises it for larger), and still refuses a million empty entries.
    public var maxEntries = 500_000
    /// The sum of declared sizes; reading never produces more than declared.
    public var maxTotalUncompressedSize: UInt64 = 16 << 30
    /// Deflate alone cannot exceed about 1032:1, so a higher ratio means overlap or nesting.
    public var maxRatio: UInt64 = 1_000
    /// Tiny entries (an empty-ish text of zeros) may legitimately compress very well.
    public var ratioAppliesAbove: UInt64 = 1 << 20
    /// Bytes per entry name, and path components per name.
    public var maxNameLength = 1_024
    public var maxDepth = 64
    /// The central directory is streamed through a 1 MiB window, but every byte of it is read
    /// several times while validating (and names are hashed), so its size bounds that work.
    public var maxCentralDirectorySize = 64 << 20
    /// Bundles never carry archives; accepting one would invite recursive bombs (42.zip).
    public var rejectNestedArchives = true
    /// The largest dossier file (JSON or XML) read, in a zip or a folder: each is read whole and
    /// decoded, which takes about five times its size in memory on every core checking one. A
    /// client's dossier of twenty years of daily reports is tens of megabytes.
    public var maxDossierSize: UInt64 = 256 << 20

    public init() {}
    public static let `default` = ZipLimits()
}

/// Checks entry names, shared by the reader (untrusted input) and the writer (so it never
/// produces an archive its own reader would refuse).
enum ZipName {
    static let archiveExtensions: Set<String> = ["zip", "jar", "7z", "rar", "tar", "gz", "tgz", "bz2", "xz", "zst"]
    private static let reservedWindowsNames: Set<String> = [
        "con", "prn", "aux", "nul",
        "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9",
        "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
    ]

    /// The decoded name, or the error code and reason for refusing it.
    ///
    /// A trailing `/` marks a directory entry and is not part of the checked path. Anything a
    /// file system could interpret as leaving the extraction root is `zip.path-traversal`; the
    /// other malformed names are `zip.name`.
    static func check(_ bytes: [UInt8], limits: ZipLimits) -> Result<String, ZipCheckError> {
        if bytes.isEmpty { return .failure(.init("zip.name", "empty name")) }
        if bytes.count > limits.maxNameLength {
            return .failure(.init("zip.name", "name is \(bytes.count) bytes, over the \(limits.maxNameLength)-byte limit"))
        }
        if bytes.contains(0) { return .failure(.init("zip.name", "name contains a NUL byte")) }
        guard let name = String(validating: bytes, as: UTF8.self) else {
            return .failure(.init("zip.name", "name is not valid UTF-8"))
        }
        if bytes.first == UInt8(ascii: "/") { return .failure(.init("zip.path-traversal", "absolute path")) }
        if bytes.contains(UInt8(ascii: "\\")) { return .failure(.init("zip.path-traversal", "backslash in path")) }
        if bytes.count >= 2, bytes[1] == UInt8(ascii: ":"), (bytes[0] | 0x20) >= 0x61, (bytes[0] | 0x20) <= 0x7A {
            return .failure(.init("zip.path-traversal", "drive-letter path"))
        }
        var components = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        if components.count > 1, components.last!.isEmpty { components.removeLast() }
        if components.contains(where: { $0.elementsEqual("..".utf8) }) {
            return .failure(.init("zip.path-traversal", "path contains a '..' component"))
        }
        if components.count > limits.maxDepth {
            return .failure(.init("zip.name", "path is \(components.count) levels deep, over the \(limits.maxDepth)-level limit"))
        }
        for c in components {
            if c.isEmpty { return .failure(.init("zip.name", "path contains an empty component")) }
            if c.elementsEqual(".".utf8) { return .failure(.init("zip.name", "path contains a '.' component")) }
            if c.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
                return .failure(.init("zip.name", "path contains a control character"))
            }
            let stem = c.prefix(while: { $0 != UInt8(ascii: ".") })
            if stem.count == 3 || stem.count == 4,
               reservedWindowsNames.contains(String(decoding: stem, as: UTF8.self).lowercased()) {
                return .failure(.init("zip.name", "path uses a reserved device name"))
            }
        }
        return .success(name)
    }

    /// Whether the name's extension marks an archive (`.zip`, `.gz`…), case-insensitively.
    static func isArchive(_ name: String) -> Bool {
        lowercasedExtension(name).map(archiveExtensions.contains) ?? false
    }

    /// The text after the last dot of the last path component, lower-cased.
    static func lowercasedExtension(_ name: String) -> String? {
        let utf8 = name.utf8
        guard let dot = utf8.lastIndex(of: UInt8(ascii: ".")), !utf8[dot...].contains(UInt8(ascii: "/")) else { return nil }
        return String(decoding: utf8[utf8.index(after: dot)...], as: UTF8.self).lowercased()
    }
}

/// Why a name or field was refused; the caller makes it a `DossierError` located at the archive
/// and entry, which the check itself does not know.
struct ZipCheckError: Error {
    let code: String
    let reason: String
    init(_ code: String, _ reason: String) { self.code = code; self.reason = reason }
}

/// Little-endian field reads from a byte buffer with bounds already checked by the caller.
extension UnsafeRawBufferPointer {
    func u16(_ at: Int) -> UInt16 { UInt16(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt16.self)) }
    func u32(_ at: Int) -> UInt32 { UInt32(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
}

/// Little-endian field writes for building headers.
extension Array where Element == UInt8 {
    mutating func le16(_ v: UInt16) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
    mutating func le32(_ v: UInt32) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
    mutating func le64(_ v: UInt64) { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
}
