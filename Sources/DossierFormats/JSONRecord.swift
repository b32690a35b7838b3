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
    private let writer = JSONWriter(sink: MemorySink(), style: .compact, flushThreshold: JSONWriter.wholeDocument)

    public init() {}

    /// Hands `body` the record's JSON; the bytes are valid only during the call.
    public func withJSON<R>(of record: any DossierRecord, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        writer.truncate(to: 0)
        if let direct = record as? any JSONObject, (try? write(direct)) != nil {
            return try body(UnsafeRawBufferPointer(start: writer.buffer, count: writer.used))
        }
        return try JSONByteEncoder.encode(record, style: .compact).withUnsafeBytes(body)
    }

    /// `{"name":"text",…,"record":{record}}`, compact, as `JSONByteEncoder` writes an object with
    /// these members: a record with the few texts that place it (the NDJSON lines of
    /// `import --target files`). The bytes are valid only during the call.
    public func withJSON<R>(of record: any DossierRecord, after members: [(name: String, text: String)],
                            _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        writer.truncate(to: 0)
        writer.byte(0x7B)
        for (name, text) in members {
            try writer.string(name)
            writer.byte(0x3A)
            try writer.string(text)
            writer.byte(0x2C)
        }
        writer.ascii("\"record\":")
        let start = writer.used
        if let direct = record as? any JSONObject, (try? write(direct)) != nil {
        } else {
            writer.truncate(to: start)
            let bytes = try JSONByteEncoder.encode(record, style: .compact)
            bytes.withUnsafeBufferPointer { writer.bytes($0.baseAddress!, $0.count) }
        }
        writer.byte(0x7D)
        return try body(UnsafeRawBufferPointer(start: writer.buffer, count: writer.used))
    }

    private func write<T: JSONObject>(_ value: T) throws {
        var x = value
        try T.writeJSON(&x, to: writer, level: 0)
    }
}
