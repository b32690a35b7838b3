import Foundation
import DossierCrypto
import DossierIO
import DossierModel

/// Every payload file's path, size and SHA-256, for the payload manifest: reserved in the order
/// files are added, filled in by the compression workers, and written sorted by path once
/// `ZipWriter.drain()` has returned.
///
/// Files are kept in runs of `runLength`. Once a run is full and every file in it has been
/// filled, the thread that adds files sorts it and sets it aside in a private file; the manifest
/// is a merge of the runs. So a bundle holds a run or two of paths and digests, however many
/// files it has: a table of every file was most of what a migration bundle grew by (about 250
/// bytes a dossier). Runs are merged by path and then by position, so where runs happen to end
/// never changes a byte of the manifest.
final class PayloadTable: @unchecked Sendable {
    private let lock = NSLock()
    private let runLength: Int
    /// Runs still in memory, oldest first; files are added to the last.
    private var runs: [Run] = []
    private var appended = 0
    private var totalOctets: Int64 = 0
    private var firstFailure: (slot: Int, error: DossierError)?
    /// Runs set aside, touched only by the thread that adds files (and `writeManifest`, after
    /// every worker is done).
    private var folder: PrivateFolder?
    private(set) var runFiles: [String] = []

    init(runLength: Int = 1 << 15) {
        precondition(runLength > 0)
        self.runLength = runLength
    }

    deinit { folder?.remove() }

    var count: Int { lock.withLock { appended } }
    var octets: Int64 { lock.withLock { totalOctets } }
    var failure: DossierError? { lock.withLock { firstFailure?.error } }

    /// Reserves the next slot, on the thread that adds files, and sets aside the oldest runs
    /// once they are complete.
    func append(_ path: String) throws -> Int {
        let (slot, complete) = lock.withLock {
            if runs.last.map({ $0.count == runLength }) ?? true { runs.append(Run(base: appended)) }
            runs[runs.count - 1].append(path)
            appended += 1
            var complete: [Run] = []
            while runs.count > 1 && runs[0].isComplete { complete.append(runs.removeFirst()) }
            return (appended - 1, complete)
        }
        for run in complete { try setAside(run) }
        return slot
    }

    func fill(_ slot: Int, size: UInt64, digest: [UInt8]) {
        precondition(digest.count == 32, "PayloadTable holds SHA-256 digests")
        lock.withLock {
            let r = runs.firstIndex { slot < $0.base + $0.count }!
            runs[r].fill(slot - runs[r].base, size: size, digest: digest)
            totalOctets += Int64(size)
        }
    }

    /// Keeps the failure of the earliest file, whatever order the workers finish in.
    func fail(_ slot: Int, _ error: DossierError) {
        lock.withLock { if firstFailure.map({ slot < $0.slot }) ?? true { firstFailure = (slot, error) } }
    }

    /// `manifest-sha256.txt`: `digest  data/path` lines sorted by path, as `BagManifest.serialized`
    /// writes them, a few hundred lines at a time. Call once every file is in; it may be called
    /// again, and writes the same bytes.
    func writeManifest(to sink: any ByteSink) throws {
        let inMemory = lock.withLock { runs }
        var cursors: [RunCursor] = []
        for path in runFiles {
            let reader = try RecordFileReader(path: path)
            cursors.append(try RunCursor { try reader.next() })
        }
        for run in inMemory {
            var order = run.sortedOrder().makeIterator()
            cursors.append(try RunCursor { order.next().map(run.record) })
        }
        var heap = RunHeap(cursors)
        var out: [UInt8] = []
        while let record = heap.first?.record {
            out.append(contentsOf: Array(record[Run.digestRange]).hexString.utf8)
            out.append(contentsOf: "  ".utf8)
            let path = String(decoding: record[Run.pathStart...], as: UTF8.self)
            out.append(contentsOf: BagManifest.percentEncode("data/" + path).utf8)
            out.append(0x0A)
            if out.count >= 1 << 16 { try sink.write(out); out.removeAll(keepingCapacity: true) }
            try heap.advanceFirst()
        }
        if !out.isEmpty { try sink.write(out) }
    }

    private func setAside(_ run: Run) throws {
        if folder == nil { folder = try PrivateFolder(under: PrivateFolder.temporaryDirectory, prefix: "dossierport-manifest") }
        let file = try RecordFileWriter(path: folder!.file("run-\(runFiles.count)"))
        for i in run.sortedOrder() { try file.append(run.record(i)) }
        try file.close()
        runFiles.append(file.path)
    }
}

/// Consecutive files of a payload table, packed: a path `String`, a digest array and an object
/// per file cost over 600 bytes a file.
private struct Run {
    /// The slot of the first file.
    let base: Int
    /// The paths, under `data/`.
    private var paths = PackedNames()
    private var sizes: [UInt64] = []
    /// 32 bytes a file.
    private var digests: [UInt8] = []
    private var filled = 0

    init(base: Int) { self.base = base }

    var count: Int { paths.count }
    var isComplete: Bool { filled == count }

    mutating func append(_ path: String) {
        paths.append(path.utf8)
        sizes.append(0)
        digests.append(contentsOf: repeatElement(0, count: 32))
    }

    mutating func fill(_ i: Int, size: UInt64, digest: [UInt8]) {
        sizes[i] = size
        digests.replaceSubrange((i * 32)..<(i * 32 + 32), with: digest)
        filled += 1
    }

    /// Positions in manifest order: by path, then by position.
    func sortedOrder() -> [Int] {
        (0..<count).sorted { a, b in
            let c = compareBytes(paths.bytes[paths.range(a)], paths.bytes[paths.range(b)])
            return c != 0 ? c < 0 : a < b
        }
    }

    /// A file as it is set aside and merged: its slot and size (8 bytes each, little-endian),
    /// digest, then path.
    static let digestRange = 16..<48
    static let pathStart = 48

    func record(_ i: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Run.pathStart + paths.range(i).count)
        for value in [UInt64(base + i), sizes[i]] {
            withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
        }
        out.append(contentsOf: digests[(i * 32)..<(i * 32 + 32)])
        out.append(contentsOf: paths.bytes[paths.range(i)])
        return out
    }
}

/// A sorted run read one record at a time.
private final class RunCursor {
    private let next: () throws -> [UInt8]?
    private(set) var record: [UInt8]?

    init(_ next: @escaping () throws -> [UInt8]?) throws {
        self.next = next
        record = try next()
    }

    func advance() throws { record = try next() }

    /// Manifest order: by path, then by slot (equal paths are refused later, by the zip writer,
    /// but must not make the order depend on where runs end).
    private static func slot(_ record: [UInt8]) -> UInt64 {
        UInt64(littleEndian: record.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
    }

    static func precedes(_ a: RunCursor, _ b: RunCursor) -> Bool {
        let x = a.record!, y = b.record!
        let c = compareBytes(x[Run.pathStart...], y[Run.pathStart...])
        if c != 0 { return c < 0 }
        return slot(x) < slot(y)
    }
}

/// A binary min-heap of the runs' cursors by their current record; spent cursors drop out.
private struct RunHeap {
    private var items: [RunCursor]

    init(_ cursors: [RunCursor]) {
        items = cursors.filter { $0.record != nil }
        for i in stride(from: items.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
    }

    var first: RunCursor? { items.first }

    mutating func advanceFirst() throws {
        try items[0].advance()
        if items[0].record == nil {
            items.swapAt(0, items.count - 1)
            items.removeLast()
        }
        if !items.isEmpty { siftDown(0) }
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var least = i
            if l < items.count && RunCursor.precedes(items[l], items[least]) { least = l }
            if r < items.count && RunCursor.precedes(items[r], items[least]) { least = r }
            if least == i { return }
            items.swapAt(i, least)
            i = least
        }
    }
}
