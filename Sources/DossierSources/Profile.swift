public import DossierModel
internal import Foundation
internal import DossierIO

/// A declarative description of how one EPD stores its dossiers, written once per source system.
///
/// Kept as data rather than code so that an organisation can adapt the toolkit to its EPD without a
/// build, and so that `profile check` can compare the description with a real export before a run.
/// The format is specified in `formats/profile.schema.json` and explained in `formats/profile.md`.
public struct MappingProfile: Sendable {
    /// The profile format versions this build reads.
    public static let supportedVersions = [1]

    public var profileVersion: Int
    public var name: String
    /// Written into `Dossier.sourceSystem` (art. 15's "source of the data").
    public var sourceSystem: String?
    public var source: SourceDescription
    public var controller: Controller
    public var client: ClientMapping
    public var mappings: [EntityMapping]
    /// Tables deliberately left out; their rows are counted, not reported one by one.
    public var ignore: [String]
}

/// What kind of export the profile reads, and the conventions its values follow.
public struct SourceDescription: Sendable {
    public enum Kind: String, Sendable, CaseIterable { case sqlDump = "sql-dump", csv, xml }

    public var kind: Kind
    /// `postgresql`, `mysql`, `mssql`, `sqlite`…: informational for the reader that is chosen.
    public var dialect: String?
    public var encoding: String
    /// CSV field separator (one character).
    public var delimiter: String?
    /// Default pattern for date fields, e.g. `dd-MM-yyyy` or the Dutch `dd-mm-jjjj`.
    public var dateFormat: String
    /// Default pattern for timestamp fields, e.g. `dd-MM-yyyy HH:mm`.
    public var timestampFormat: String
    /// True when numbers are written `1.234,56`.
    public var decimalComma: Bool
    /// IANA zone for timestamps written without an offset, e.g. `Europe/Amsterdam`.
    public var timeZone: String
}

/// How a record's id is built: a prefix plus the key columns joined by `-`.
public struct RecordIDRule: Sendable {
    public var prefix: String
    public var columns: [String]
}

/// The three facts every record must carry (`RecordMeta`), fixed per mapped table.
public struct MetaDefaults: Sendable {
    public var category: RecordCategory
    public var provenance: Provenance
    public var legalBasis: LegalBasis
}

/// Where one model field takes its value from.
public struct FieldSource: Sendable {
    public enum Origin: Sendable, Equatable {
        case column(String)
        /// A fixed value, written as JSON text would give it (numbers and booleans as their text).
        case constant(String)
    }

    public var origin: Origin
    /// Pattern overriding the source's default date or timestamp format.
    public var format: String?
    /// Source code → canonical value, applied before conversion.
    public var map: [String: String]?
    /// Canonical value for codes that `map` does not list; without it they are reported.
    public var mapDefault: String?
    /// When true, a missing or unconvertible value rejects the row instead of leaving the field empty.
    public var required: Bool
    /// Put before a text value read from a column, so that a source key becomes the record id it
    /// refers to (`documentRef`, `targetRecord`, `recordRef`): `"doc-"` turns `7` into `doc-7`.
    public var prefix: String?
}

/// One model field and where its value comes from.
public struct FieldMapping: Sendable {
    /// Dotted model path such as `name.familyName` or `addresses[0].postalCode`.
    public var path: String
    public var source: FieldSource
}

/// The client entity: the table whose rows become dossiers.
public struct ClientMapping: Sendable {
    public var table: String
    public var key: [String]
    public var recordID: RecordIDRule
    /// Prefix of `Dossier.id`, followed by the client record id.
    public var dossierIDPrefix: String
    public var meta: MetaDefaults
    /// Model field path → source, sorted by path.
    public var fields: [FieldMapping]
}

/// How rows of a table reach their client.
public enum ClientJoin: Sendable {
    /// The row holds the client key in this column.
    case column(String)
    /// One hop through a link table: `column` in the row equals `linkKey` in `table`, whose
    /// `clientColumn` holds the client key. Several link rows may name the same key (many-to-many):
    /// the row then belongs to each of those clients.
    case link(column: String, table: String, linkKey: String, clientColumn: String)
}

/// Which rows of a shared table a mapping takes: `column` equals one of `values`.
public struct RowCondition: Sendable {
    public var column: String
    public var values: [String]
}

/// Where a document's bytes are.
public enum DocumentContentRule: Sendable {
    case blob(column: String)
    /// A path relative to the source folder.
    case file(column: String)
}

/// One table's rows as records of one dossier section.
public struct EntityMapping: Sendable {
    public var entity: Entity
    public var table: String
    public var key: [String]
    public var join: ClientJoin
    public var when: RowCondition?
    public var recordID: RecordIDRule
    public var meta: MetaDefaults
    public var fields: [FieldMapping]
    public var document: DocumentContentRule?
}

extension MappingProfile {
    /// Reads and checks a profile file; errors name the file and the JSON path of the problem.
    public static func load(path: String) throws -> MappingProfile {
        let bytes = try ByteReader.readAll(path: path, limit: 4 << 20)
        return try decode(bytes, file: path)
    }

    /// Decodes and checks profile JSON; `file` is used in error locations.
    public static func decode(_ bytes: [UInt8], file: String) throws -> MappingProfile {
        let json: JSONValue
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw DossierError("profile.json", "profile is not valid JSON", at: SourceLocation(file: file), path: "$")
        }
        return try ProfileParser(file: file).profile(json)
    }
}
