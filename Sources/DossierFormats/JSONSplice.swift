public import DossierIO

/// A top-level array member of a pretty document whose elements come from elsewhere (a list on
/// disk), each handed over as a pretty document of its own by `forEach`.
public struct SplicedList {
    public let member: String
    public let forEach: (([UInt8]) throws -> Void) throws -> Void

    public init(_ member: String, _ forEach: @escaping (([UInt8]) throws -> Void) throws -> Void) {
        self.member = member; self.forEach = forEach
    }

    public init<Element>(_ member: String, _ list: EncodedList<Element>) {
        self.init(member) { try list.forEachEncoded($0) }
    }
}

extension JSONByteEncoder {
    /// `value` as `encode(_:style: .pretty)` writes it, with the top-level members named in
    /// `lists` (empty arrays in `value`, named in the order it encodes them) filled element by
    /// element, each indented to its place: a document with a list as long as a migration is
    /// never held whole. The bytes are those of encoding `value` with the lists in it.
    public static func writePretty<T: Encodable>(_ value: T, lists: [SplicedList], to sink: any ByteSink) throws {
        let whole = try encode(value, style: .pretty)
        // Members are one to a line and strings never hold a raw line break, so an empty array
        // at two spaces' indent is the member itself, not text inside a value.
        var written = 0
        for list in lists {
            guard let at = whole[written...].firstRange(of: Array("\n  \"\(list.member)\": []".utf8)) else {
                preconditionFailure("pretty JSON has an empty \(list.member) at the top level, after the lists before it")
            }
            let open = at.upperBound - 1
            try sink.write(Array(whole[written..<open]))
            try writeElements(to: sink, list.forEach)
            written = open
        }
        try sink.write(Array(whole[written...]))
    }

    /// The elements `forEach` hands over (each a pretty document of its own), as the inside of a
    /// top-level member's array: one to a line, indented by four.
    private static func writeElements(to sink: any ByteSink, _ forEach: (([UInt8]) throws -> Void) throws -> Void) throws {
        var first = true
        try forEach { encoded in
            var element = Array((first ? "\n" : ",\n").utf8)
            first = false
            element.append(contentsOf: "    ".utf8)
            // A document ends with a line break; an element does not.
            for b in encoded.last == 0x0A ? encoded.dropLast() : encoded[...] {
                element.append(b)
                if b == 0x0A { element.append(contentsOf: "    ".utf8) }
            }
            try sink.write(element)
        }
        try sink.write(Array((first ? "" : "\n  ").utf8))
    }
}
