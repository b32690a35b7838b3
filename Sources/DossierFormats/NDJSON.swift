public import DossierIO
public import DossierModel

/// Writes one compact JSON document per line (NDJSON), for exports of many dossiers.
///
/// One encoder buffer serves every line and is handed to the sink in large chunks, so writing a
/// million dossiers costs the same per dossier as writing one.
public final class NDJSONWriter {
    private let writer: JSONWriter

    public init(sink: any ByteSink) {
        writer = JSONWriter(sink: sink, style: .compact, flushThreshold: JSONWriter.streamThreshold)
    }

    public func write<T: Encodable>(_ value: T) throws {
        try JSONByteEncoder.encode(value, with: writer)
        writer.byte(0x0A)
        try writer.flushIfFull()
    }

    /// Dossiers, the bulk of every export, take the direct path (see `JSONObject`).
    public func write(_ d: Dossier) throws {
        try JSONByteEncoder.encode(direct: d, with: writer)
        writer.byte(0x0A)
        try writer.flushIfFull()
    }

    /// Hands the remaining bytes to the sink; call before closing it.
    public func finish() throws {
        try writer.flush()
    }
}

/// Reads NDJSON one line at a time, so memory stays flat however large the file.
///
/// Errors name the file and the line of the offending record; columns count bytes in that line.
/// Empty lines are refused rather than skipped: in a strict export they mean a lost record.
public final class NDJSONReader {
    private let reader: ByteReader
    private let parser = JSONParser()
    /// The longest line read: the buffer grows to hold a line, so a file without line breaks
    /// would otherwise be read whole into memory.
    private let maxLine: Int
    /// The line of the record most recently returned.
    public private(set) var lineNumber = 0

    /// `-` reads standard input. `maxLine` is the default limit of a dossier file read whole
    /// (`DossierJSON.read`).
    public init(path: String, maxLine: Int = 1 << 30) throws {
        reader = try ByteReader(path: path)
        self.maxLine = maxLine
    }

    public var path: String { reader.path }

    /// The next dossier, or nil at the end of the input.
    public func next() throws -> Dossier? {
        guard let line = try nextLine() else { return nil }
        return try DossierJSON.decode(line, parser: parser, file: reader.path, firstLine: lineNumber)
    }

    /// The next record decoded as `type`, for NDJSON files of other record kinds.
    public func next<T: Decodable>(_ type: T.Type) throws -> T? {
        guard let line = try nextLine() else { return nil }
        return try JSONByteDecoder.decode(type, from: line, parser: parser, file: reader.path, firstLine: lineNumber)
    }

    private func nextLine() throws -> UnsafeRawBufferPointer? {
        // Counted before it is read: a line past the limit is passed over, and the next call
        // reads the line after it.
        lineNumber += 1
        guard let (bytes, _) = try reader.nextLine(limit: maxLine, line: lineNumber, code: "ndjson.line-too-large") else {
            lineNumber -= 1
            return nil
        }
        guard !bytes.isEmpty else {
            throw DossierError("ndjson.empty-line", "empty line; NDJSON has one JSON document on every line",
                               at: SourceLocation(file: reader.path, line: lineNumber, column: 1))
        }
        return bytes
    }
}
