import Foundation

/// Finds names that would land on the same file on some file system.
///
/// Exact duplicates are ambiguous (tools disagree on first versus last), and names equal after
/// NFC normalisation and lower-casing overwrite each other on macOS and Windows. A file that is
/// also a directory prefix of another name (`a` and `a/b`) cannot be extracted either.
///
/// The answer is the one a sort of the folded names (`/` mapped to byte 0, ties by position)
/// would give: the first colliding neighbours in that order. But the names are not sorted, nor
/// kept: a zip's names are read back from its central directory, and holding them all (or a
/// sorted copy) was most of what opening a large archive cost. Instead each folded name is
/// hashed (twelve bytes a name while this runs), and only names whose hashes meet are read again
/// and compared; a second pass hashes every directory prefix of every name to find files used
/// as directories. The hashes are seeded per process, so an archive cannot force many meetings.
enum ZipNameCollision {
    /// The positions of the first colliding pair and the reason, or nil.
    static func first(in names: some NameList) throws -> (Int, Int, String)? {
        let count = names.count
        var hashes: [UInt64] = []
        hashes.reserveCapacity(count)
        var directories = [UInt64](repeating: 0, count: (count + 63) / 64)
        try names.forEachName { i, raw in
            if isDirectory(raw) { directories[i / 64] |= 1 << UInt64(i % 64) }
            hashes.append(withFolded(raw, hash))
        }
        func isDirectoryAt(_ i: Int) -> Bool { directories[i / 64] & (1 << UInt64(i % 64)) != 0 }
        var order = (0..<UInt32(count)).map { $0 }
        order.sort { hashes[Int($0)] != hashes[Int($1)] ? hashes[Int($0)] < hashes[Int($1)] : $0 < $1 }
        func folded(_ i: Int) throws -> [UInt8] { try names.withName(i) { withFolded($0) { Array($0) } } }

        var best: (a: Int, b: Int, reason: String, key: [UInt8], sameKey: Bool)?
        func offer(_ a: Int, _ b: Int, _ reason: String, key: [UInt8], sameKey: Bool) {
            // Earlier in sorted order: a smaller key, or at equal keys the pair of equal names.
            if let current = best, compareBytes(current.key, key) < 0 || (compareBytes(current.key, key) == 0 && current.sameKey) { return }
            best = (a, b, reason, key, sameKey)
        }

        // Equal folded names: the names in a run of equal hashes, sorted as the whole list would be.
        var start = 0
        while start < count {
            var end = start + 1
            while end < count && hashes[Int(order[end])] == hashes[Int(order[start])] { end += 1 }
            if end - start > 1 {
                var run = try order[start..<end].map { (index: Int($0), key: try folded(Int($0))) }
                run.sort { let c = compareBytes($0.key, $1.key); return c < 0 || (c == 0 && $0.index < $1.index) }
                for (a, b) in zip(run, run.dropFirst()) where compareBytes(a.key, b.key) == 0 {
                    let same = try names.withName(a.index) { x in try names.withName(b.index) { x.elementsEqual($0) } }
                    if isDirectoryAt(a.index) && isDirectoryAt(b.index) && !same { continue }
                    let reason = same ? "duplicate entry name" : "names collide after case folding or Unicode normalisation"
                    offer(a.index, b.index, reason, key: a.key, sameKey: true)
                    break
                }
            }
            start = end
        }

        // A file whose folded name, followed by `/`, starts another name: the least such name
        // comes right after the file in sorted order. Only the least (file, name) pair is kept.
        var clash: (a: Int, b: Int, aKey: [UInt8], bKey: [UInt8])?
        try names.forEachName { b, raw in
            try withFolded(raw) { key in
                for p in 1..<max(1, key.count) where key[p] == 0 {
                    let prefix = UnsafeRawBufferPointer(rebasing: key[0..<p])
                    let h = hash(prefix)
                    var lo = 0, hi = count
                    while lo < hi {
                        let mid = (lo + hi) / 2
                        if hashes[Int(order[mid])] < h { lo = mid + 1 } else { hi = mid }
                    }
                    while lo < count && hashes[Int(order[lo])] == h {
                        let a = Int(order[lo])
                        lo += 1
                        guard !isDirectoryAt(a), try folded(a).elementsEqual(prefix) else { continue }
                        // Names come in position order, so at equal keys the one kept is the first.
                        if let c = clash {
                            let byFile = compareBytes(c.aKey, prefix)
                            if byFile < 0 || (byFile == 0 && compareBytes(c.bKey, key) <= 0) { continue }
                        }
                        clash = (a, b, Array(prefix), Array(key))
                    }
                }
            }
        }
        if let clash { offer(clash.a, clash.b, "a file name is also used as a directory", key: clash.aKey, sameKey: false) }
        return best.map { ($0.a, $0.b, $0.reason) }
    }

    private static func isDirectory(_ raw: UnsafeRawBufferPointer) -> Bool { raw.last == UInt8(ascii: "/") }

    /// The name as it is compared: without a directory's trailing `/`, NFC-normalised and lower-cased
    /// (an ASCII name is already NFC, so Foundation is skipped for it), with `/` as byte 0 so that
    /// `a` sorts right before every `a/…`.
    private static func withFolded<R>(_ raw: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let path = UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - (isDirectory(raw) ? 1 : 0))])
        func fold(_ source: some Collection<UInt8>) throws -> R {
            try withUnsafeTemporaryAllocation(byteCount: source.count, alignment: 1) { out in
                for (i, b) in source.enumerated() {
                    out[i] = b == UInt8(ascii: "/") ? 0 : (b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
                }
                return try body(UnsafeRawBufferPointer(out))
            }
        }
        if path.allSatisfy({ $0 < 0x80 }) { return try fold(path) }
        return try fold(Array(String(decoding: path, as: UTF8.self).precomposedStringWithCanonicalMapping.lowercased().utf8))
    }

    private static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var h = Hasher()
        h.combine(bytes: key)
        return UInt64(bitPattern: Int64(h.finalize()))
    }
}
