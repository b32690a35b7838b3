public import DossierPolicy
import DossierIO
import DossierFormats

/// Loads the organisation configuration (formats/organisation.schema.json) with the strict JSON
/// reader, so a misspelt key is an error rather than a silently ignored retention term.
public enum OrganisationFile {
    public static func load(_ path: String) throws -> Organisation {
        try JSONByteDecoder.decode(Organisation.self, from: try ByteReader.readAll(path: path, limit: 4 << 20), file: path)
    }
}
