import Foundation
import DossierIO

/// Names that can be visited by position, wherever their bytes are kept: in memory
/// (`PackedNames`) or read back from a zip's central directory (`CentralDirectory`).
protocol NameList {
    var count: Int { get }
    /// Name `i`'s bytes, valid only inside `body`.
    func withName<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R
    /// Every name in order; a list that reads its names from a file streams them here.
    func forEachName(_ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws
}

extension NameList {
    func forEachName(_ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
        for i in 0..<count { try withName(i) { try body(i, $0) } }
    }
}

extension PackedNames: NameList {}

/// Finds a name in a `NameList` by a sorted table of 32-bit hashes (eight bytes a name), comparing
/// names only among those whose hashes are equal.
///
/// Names match as Swift strings do (canonical equivalence), as the dictionary this replaces did:
/// an ASCII name is hashed and compared as its bytes, any other by its NFC form. The hashes are
/// seeded per process (`Hasher`), so an archive cannot be built to make its names collide; 32
/// bits leave a few equal hashes among 100,000 names, each costing one more name comparison.
struct PackedNameIndex: Sendable {
    private let hashes: [UInt32]
    private let positions: [UInt32]

    init(_ names: some NameList) throws {
        var pairs: [(hash: UInt32, position: UInt32)] = []
        pairs.reserveCapacity(names.count)
        try names.forEachName { i, name in pairs.append((UInt32(truncatingIfNeeded: Self.hash(name)), UInt32(i))) }
        pairs.sort { $0.hash != $1.hash ? $0.hash < $1.hash : $0.position < $1.position }
        hashes = pairs.map(\.hash)
        positions = pairs.map(\.position)
    }

    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = Hasher()
        if bytes.allSatisfy({ $0 < 0x80 }) {
            h.combine(bytes: bytes)
        } else {
            var nfc = String(decoding: bytes, as: UTF8.self).precomposedStringWithCanonicalMapping
            nfc.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
        return UInt64(bitPattern: Int64(h.finalize()))
    }

    static func equal(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        if a.elementsEqual(b) { return true }
        if a.allSatisfy({ $0 < 0x80 }) && b.allSatisfy({ $0 < 0x80 }) { return false }
        return String(decoding: a, as: UTF8.self) == String(decoding: b, as: UTF8.self)
    }

    /// The first position (in order of addition) whose name is `name`.
    func find(_ name: String, in names: some NameList) throws -> Int? {
        try first(name) { p, key in try names.withName(p) { Self.equal($0, key) } ? p : nil }
    }

    /// The first non-nil `match` over the positions whose hash equals `name`'s, in order of
    /// addition; `match` gets the position and `name`'s bytes, and compares the names itself (a
    /// zip's reader compares and rebuilds the entry from one read of its record).
    func first<R>(_ name: String, _ match: (Int, UnsafeRawBufferPointer) throws -> R?) throws -> R? {
        var name = name
        return try name.withUTF8 { utf8 in
            let key = UnsafeRawBufferPointer(utf8)
            let h = UInt32(truncatingIfNeeded: Self.hash(key))
            var lo = 0, hi = hashes.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if hashes[mid] < h { lo = mid + 1 } else { hi = mid }
            }
            while lo < hashes.count && hashes[lo] == h {
                if let found = try match(Int(positions[lo]), key) { return found }
                lo += 1
            }
            return nil
        }
    }
}

/// Byte order of two names, three-way (-1, 0, 1): the order of zip name checks and the payload
/// manifest, where a prefix sorts first.
func compareBytes(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Int {
    for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}
