import Testing
import Foundation
@testable import DossierBundle
import DossierIO

/// The collision check the hashed one replaced: every folded name sorted, neighbours compared.
/// The hashed check must name the same pair for the same reason, which the error message shows.
private enum SortedCollision {
    private struct Key {
        let index: Int32
        /// Where the folded bytes are: -1 for the name itself (ASCII), else a position in `unicode`.
        let unicode: Int32
        let isDirectory: Bool
    }

    /// The indices of the first colliding pair and the reason, or nil.
    static func first(in names: PackedNames, isDirectory: (Int) -> Bool) -> (Int, Int, String)? {
        var unicode = PackedNames()
        var keys: [Key] = []
        keys.reserveCapacity(names.count)
        for i in 0..<names.count {
            let raw = names.bytes[names.range(i)]
            let dir = isDirectory(i)
            var u: Int32 = -1
            if !raw.allSatisfy({ $0 < 0x80 }) {  // ASCII is already NFC: skip Foundation's normaliser
                let path = String(decoding: dir ? raw.dropLast() : raw, as: UTF8.self)
                unicode.append(path.precomposedStringWithCanonicalMapping.lowercased().utf8)
                u = Int32(unicode.count - 1)
            }
            keys.append(Key(index: Int32(i), unicode: u, isDirectory: dir))
        }
        return names.bytes.withUnsafeBytes { nameBytes in
            unicode.bytes.withUnsafeBytes { unicodeBytes in
                func folded(_ k: Key) -> UnsafeRawBufferPointer {
                    if k.unicode >= 0 { return UnsafeRawBufferPointer(rebasing: unicodeBytes[unicode.range(Int(k.unicode))]) }
                    let r = names.range(Int(k.index))
                    return UnsafeRawBufferPointer(rebasing: nameBytes[r.lowerBound..<(r.upperBound - (k.isDirectory ? 1 : 0))])
                }
                func fold(_ b: UInt8) -> UInt8 { b == UInt8(ascii: "/") ? 0 : (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) }
                /// -1, 0, 1 for the folded keys; 0 also when one is a prefix of the other and as long.
                func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
                    for i in 0..<min(a.count, b.count) {
                        let x = fold(a[i]), y = fold(b[i])
                        if x != y { return x < y ? -1 : 1 }
                    }
                    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
                }
                func raw(_ k: Key) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: nameBytes[names.range(Int(k.index))]) }
                keys.sort { x, y in
                    let c = compare(folded(x), folded(y))
                    return c < 0 || (c == 0 && x.index < y.index)
                }
                for (a, b) in zip(keys, keys.dropFirst()) {
                    let fa = folded(a), fb = folded(b)
                    if compare(fa, fb) == 0 {
                        let same = raw(a).elementsEqual(raw(b))
                        if a.isDirectory && b.isDirectory && !same { continue }
                        let reason = same ? "duplicate entry name" : "names collide after case folding or Unicode normalisation"
                        return (Int(a.index), Int(b.index), reason)
                    }
                    if !a.isDirectory, fb.count > fa.count, fold(fb[fa.count]) == 0,
                       compare(fa, UnsafeRawBufferPointer(rebasing: fb[0..<fa.count])) == 0 {
                        return (Int(a.index), Int(b.index), "a file name is also used as a directory")
                    }
                }
                return nil
            }
        }
    }
}

/// Random lists over a tiny alphabet (so names often meet), with case, NFC/NFD and directory
/// variants, in random order.
@Test func hashedCollisionsMatchTheSortedCheck() throws {
    var rng = SystemRandomNumberGenerator()
    let parts = ["a", "A", "b", "\u{E9}", "e\u{301}", "\u{C9}", "K", "\u{212A}", "ab"]
    var found = 0
    for _ in 0..<4000 {
        var names = PackedNames()
        var list: [String] = []
        for _ in 0..<Int.random(in: 1...8, using: &rng) {
            let depth = Int.random(in: 1...3, using: &rng)
            var name = (0..<depth).map { _ in parts.randomElement(using: &rng)! }.joined(separator: "/")
            if Bool.random(using: &rng) && Int.random(in: 0..<3, using: &rng) == 0 { name += "/" }
            list.append(name)
            names.append(name.utf8)
        }
        let expected = SortedCollision.first(in: names, isDirectory: { names.bytes[names.range($0)].last == UInt8(ascii: "/") })
        let actual = try ZipNameCollision.first(in: names)
        #expect(actual?.0 == expected?.0 && actual?.1 == expected?.1 && actual?.2 == expected?.2, "\(list)")
        if expected != nil { found += 1 }
    }
    #expect(found > 1000)
}
