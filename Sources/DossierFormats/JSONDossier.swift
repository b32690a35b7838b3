public import DossierIO
public import DossierModel

/// The canonical JSON form of a dossier: one dossier per file, pretty-printed.
///
/// Reading checks `schemaVersion` before anything else, so a file from a newer Dossierport is
/// refused as such instead of failing on whichever new field happens to come first.
public enum DossierJSON {
    public static func write(_ d: Dossier, to sink: any ByteSink, style: JSONStyle = .pretty) throws {
        let writer = JSONWriter(sink: sink, style: style)
        try JSONByteEncoder.encode(direct: d, with: writer)
        try writer.flush()
    }

    public static func encode(_ d: Dossier, style: JSONStyle = .pretty) throws -> [UInt8] {
        let sink = MemorySink()
        try write(d, to: sink, style: style)
        return sink.bytes
    }

    /// Writes `path` atomically (or standard output for `-`).
    public static func write(_ d: Dossier, toFile path: String, style: JSONStyle = .pretty) throws {
        try Output.write(to: path) { try write(d, to: $0, style: style) }
    }

    /// `file` only names the input in error locations.
    public static func decode(_ bytes: [UInt8], file: String? = nil) throws -> Dossier {
        try bytes.withUnsafeBytes { try decode($0, parser: JSONParser(), file: file, firstLine: 1) }
    }

    /// Reads a dossier file (or standard input for `-`), refusing inputs over `limit` bytes.
    public static func read(path: String, limit: Int = 1 << 30) throws -> Dossier {
        try decode(ByteReader.readAll(path: path, limit: limit), file: path == "-" ? "<stdin>" : path)
    }

    static func decode(_ input: UnsafeRawBufferPointer, parser: JSONParser, file: String?, firstLine: Int) throws -> Dossier {
        try JSONByteDecoder.decode(direct: Dossier.self, from: input, parser: parser, file: file, firstLine: firstLine,
                                   check: checkSchemaVersion)
    }

    private static func checkSchemaVersion(_ tape: TapeDecoder) throws {
        guard tape.nodes[0].kind == .object, let v = tape.member("schemaVersion", in: 0, consume: false),
              let version = try? tape.string(v), !Dossier.canRead(schemaVersion: version) else { return }
        throw tape.error("schema.version",
                         "schema version is not one this build reads (it reads \(Dossier.schemaVersion) and older minor versions)",
                         at: v)
    }
}
