/// Many names in one byte buffer, in the order they were added.
///
/// A bundle of 50,000 dossiers has as many entry names, a payload manifest as many paths, and a
/// migration's report and log entry as many dossier ids; a `String` each (an object on the heap
/// for any name over 15 bytes, and a dictionary or set around them) made a name cost hundreds of
/// bytes at the peak of an import. Here a name costs its bytes and eight for where it ends. (A
/// zip's names are not kept at all: its reader and writer read them back from the central
/// directory, `CentralDirectory` and `WrittenDirectory`.)
public struct PackedNames: Hashable, Sendable {
    public init() {}

    /// The names, one after the other.
    public private(set) var bytes: [UInt8] = []
    private var ends: [Int] = []

    public var count: Int { ends.count }

    public mutating func append(_ name: some Collection<UInt8>) {
        bytes.append(contentsOf: name)
        ends.append(bytes.count)
    }

    /// Where name `i` lies in `bytes`.
    public func range(_ i: Int) -> Range<Int> { (i == 0 ? 0 : ends[i - 1])..<ends[i] }

    public func string(_ i: Int) -> String { withName(i) { String(decoding: $0, as: UTF8.self) } }

    public func withName<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[range(i)])) }
    }
}
