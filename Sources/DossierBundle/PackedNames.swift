import Foundation

/// Many names in one byte buffer, in the order they were added.
///
/// A bundle of 50,000 dossiers has as many entry names; a `String` each (and a dictionary to find
/// them, and a set to find duplicates) made a name cost hundreds of bytes at the peak of an import.
/// Here a name costs its bytes and eight for where it ends, less what all names share.
struct PackedNames: Sendable {
    /// Bytes every name starts with, kept once (see `shareCommonPrefix`).
    private(set) var prefix: [UInt8] = []
    /// The names after `prefix`, one after the other.
    private(set) var bytes: [UInt8] = []
    private var ends: [Int] = []

    var count: Int { ends.count }

    mutating func reserve(names: Int, bytes total: Int) {
        ends.reserveCapacity(names)
        bytes.reserveCapacity(total)
    }

    mutating func append(_ name: some Collection<UInt8>) {
        precondition(prefix.isEmpty, "PackedNames.append after shareCommonPrefix")
        bytes.append(contentsOf: name)
        ends.append(bytes.count)
    }

    /// Where name `i`, after `prefix`, lies in `bytes`.
    func range(_ i: Int) -> Range<Int> { (i == 0 ? 0 : ends[i - 1])..<ends[i] }

    /// Name `i` as bytes, while no prefix is shared (the checks made while an archive is opened).
    subscript(_ i: Int) -> ArraySlice<UInt8> {
        precondition(prefix.isEmpty, "PackedNames subscript after shareCommonPrefix")
        return bytes[range(i)]
    }

    func length(_ i: Int) -> Int { prefix.count + range(i).count }

    func string(_ i: Int) -> String { withName(i) { String(decoding: $0, as: UTF8.self) } }

    func withName<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let r = range(i)
        return try bytes.withUnsafeBytes { b in
            let rest = UnsafeRawBufferPointer(rebasing: b[r])
            guard !prefix.isEmpty else { return try body(rest) }
            return try withUnsafeTemporaryAllocation(byteCount: prefix.count + r.count, alignment: 1) { name in
                prefix.withUnsafeBytes { name.copyMemory(from: $0) }
                UnsafeMutableRawBufferPointer(rebasing: name[prefix.count...]).copyMemory(from: rest)
                return try body(UnsafeRawBufferPointer(name))
            }
        }
    }

    /// Keeps the bytes all names start with once: in a zipped bag, every name starts with the
    /// bag's folder (`DP-<KvK>-<time>-<purpose>/`), which was over half of a dossier's name.
    mutating func shareCommonPrefix() {
        guard prefix.isEmpty, count > 0 else { return }
        var common = range(0).count
        for i in 1..<count where common > 0 {
            let a = range(0).lowerBound, b = range(i).lowerBound
            var n = 0
            while n < min(common, range(i).count) && bytes[a + n] == bytes[b + n] { n += 1 }
            common = n
        }
        guard common > 0 else { return }
        prefix = Array(bytes[0..<common])
        var rest: [UInt8] = []
        rest.reserveCapacity(bytes.count - common * count)
        var start = 0
        for i in 0..<count {
            rest.append(contentsOf: bytes[(start + common)..<ends[i]])
            start = ends[i]
            ends[i] = rest.count
        }
        bytes = rest
    }
}

/// Finds a name in `PackedNames` by a sorted table of 64-bit hashes (twelve bytes a name), comparing
/// names only among those whose hashes are equal.
///
/// Names match as Swift strings do (canonical equivalence), as the dictionary this replaces did:
/// an ASCII name is hashed and compared as its bytes, any other by its NFC form. The hashes are
/// seeded per process (`Hasher`), so an archive cannot be built to make its names collide.
struct PackedNameIndex: Sendable {
    private let hashes: [UInt64]
    private let positions: [UInt32]

    init(_ names: PackedNames) {
        var pairs = (0..<names.count).map { (hash: names.withName($0, Self.hash), position: UInt32($0)) }
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
    func find(_ name: String, in names: PackedNames) -> Int? {
        var name = name
        return name.withUTF8 { utf8 in
            let key = UnsafeRawBufferPointer(utf8)
            let h = Self.hash(key)
            var lo = 0, hi = hashes.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if hashes[mid] < h { lo = mid + 1 } else { hi = mid }
            }
            while lo < hashes.count && hashes[lo] == h {
                let p = Int(positions[lo])
                if names.withName(p, { Self.equal($0, key) }) { return p }
                lo += 1
            }
            return nil
        }
    }
}
