public import DossierModel
import DossierIO

/// The compact canonical JSON of one record at a time, through the direct path.
///
/// An import stores every record's JSON beside its columns and hashes it to decide "changed";
/// through `Codable` that encoding was a sixth of the whole import. The bytes are those of
/// `JSONByteEncoder.encode(record, style: .compact)`: tests pin the direct path to the `Codable`
/// one, and a record the direct path refuses (a noncharacter in a text) goes through `Codable`,
/// whose error names the field. One writer buffer is reused for every record.
public final class RecordJSONWriter {
    private let writer = JSONWriter(sink: MemorySink(), style: .compact)

    public init() {}

    /// Hands `body` the record's JSON; the bytes are valid only during the call.
    public func withJSON<R>(of record: any DossierRecord, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        writer.truncate(to: 0)
        if let direct = record as? any JSONObject, (try? write(direct)) != nil {
            return try body(UnsafeRawBufferPointer(start: writer.buffer, count: writer.used))
        }
        return try JSONByteEncoder.encode(record, style: .compact).withUnsafeBytes(body)
    }

    private func write<T: JSONObject>(_ value: T) throws {
        var x = value
        try T.writeJSON(&x, to: writer, level: 0)
    }
}
