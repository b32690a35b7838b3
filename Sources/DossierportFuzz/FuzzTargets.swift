import DossierCrypto
import DossierFormats
import DossierIO
import DossierModel
import DossierSources
import Dossierport
import Foundation

/// What one input did: read through, or refused with an error. Anything else (a trap, a hang,
/// memory without bound) ends the process, with the input left on disk.
struct Outcome {
    /// "ok" or the error's code: a new one keeps its input for further mutation.
    var signature: String
    /// Why the outcome breaks a promise of the tool (an error without a place, a message with
    /// personal data), or nil.
    var violation: String?
}

/// One reader or pipeline of Dossierport, fed mutated copies of the fixtures that it reads.
struct FuzzTarget: Sendable {
    let name: String
    let summary: String
    /// The input's file name extension, which some readers use to choose a format.
    let fileExtension: String
    /// Seed files, relative to the package root (folders are listed, not descended).
    let seeds: [String]
    let dictionary: [String]
    /// Reads the input at the path; throws what the tool throws for it.
    let run: @Sendable (_ path: String) throws -> Void
    /// Whether a thrown error must name a line (text formats) besides the file.
    var needsLine = false
    /// Problems a target reports rather than throws (a bundle's), checked like thrown errors; it
    /// throws a `FuzzFinding` only for a broken promise of its own.
    var problems: (@Sendable (_ path: String) throws -> [Diagnostic])? = nil
    /// Seed inputs made rather than read from `seeds` as they are.
    var madeSeeds: (@Sendable () throws -> [[UInt8]])? = nil
    /// The syntax whose values most mutations swap (see `Mutator.syntax`).
    var syntax: ValueSyntax? = nil
    /// Whether most ill-formed UTF-8 is repaired before the input is read (see `Mutator.keepsUTF8`).
    var keepsUTF8 = false
    /// Whether messages may quote the input: a mapping profile is configuration written by the
    /// organisation and holds no records, and naming its wrong value is the useful message.
    var mayQuoteInput = false
}

extension FuzzTarget {
    static let all: [FuzzTarget] = [sql, csv, xml, export, xmlExport, CSVFolderTarget.target, dossierJSON, dossierXML, profile, bundle, BagTarget.target, BagTarget.importTarget]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    static let sql = FuzzTarget(
        name: "sql", summary: "SQL dump reader (pg_dump COPY and INSERT, mysqldump, SQLite .dump)", fileExtension: "sql",
        seeds: ["fixtures/dumps", "fixtures/epd/caresys", "fixtures/hostile/sql"],
        dictionary: ["COPY public.t (a, b) FROM stdin;\n", "\\.\n", "\\N", "\\\\", "\\t", "\\x", "\\377", "\t", "\n",
                     "INSERT INTO `t` VALUES (", "INSERT INTO \"t\" VALUES(", "),(", ");\n", "'", "''", "E'", "\\'", "X'00ff'",
                     "_binary '", "0x", "/*!40101 SET NAMES utf8mb4 */;\n", "/*", "*/", "-- ", "replace('a\\nb','\\n',char(10))",
                     "CREATE TABLE t (a integer, b text);\n", "LOCK TABLES `t` WRITE;\n", "DELIMITER ;;\n", "NULL", "1e999"],
        run: readsEveryRow { try SQLDumpReader(path: $0) }, needsLine: true)

    static let csv = FuzzTarget(
        name: "csv", summary: "CSV reader (delimiter and encoding detection, RFC 4180 quoting)", fileExtension: "csv",
        seeds: ["fixtures/csv/spectrum", "fixtures/csv/samples", "fixtures/csv-epd", "fixtures/hostile/csv", "fixtures/epd/zorgdossier/export"],
        dictionary: ["\"", "\"\"", ";", ",", "\t", "\r\n", "\n", "\r", "\u{FEFF}", "cli\u{EB}nt", "=SUM(A1)", "\"a\nb\""],
        run: readsEveryRow { try CSVReader(path: $0) }, needsLine: true)

    static let xml = FuzzTarget(
        name: "xml", summary: "XML export reader (libxml2 text reader, the XML EPD's profile)", fileExtension: "xml",
        seeds: ["fixtures/epd/xml-epd", "fixtures/hostile/xml"],
        dictionary: ["<!DOCTYPE a [<!ENTITY e \"x\">]>", "&e;", "&amp;", "&#0;", "&#xD800;", "<![CDATA[", "]]>", "<?xml version=\"1.0\"?>",
                     "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>", "</", "/>", "=\"", "xmlns:x=\"urn:x\"", "<x:a>", "<!--", "-->",
                     "<!ENTITY % p SYSTEM \"file:///etc/passwd\">", "%p;"],
        run: readsEveryRow { path in
            let profile = try MappingProfile.load(path: FuzzTarget.root + "/fixtures/epd/xml-epd/xml-epd.json")
            return try XMLRowReader(path: path, tables: XMLTableSpec.specs(for: profile))
        }, needsLine: true, syntax: .xml, keepsUTF8: true)

    /// The whole profile export of the CareSys pg_dump, bad values and all: mapping, the two
    /// phases of the assembler, validation and NDJSON.
    static let export = FuzzTarget(
        name: "export", summary: "profile export of the CareSys dump (assembler, mapping, validation, NDJSON)", fileExtension: "sql",
        seeds: ["fixtures/epd/caresys/caresys.sql", "fixtures/epd/caresys/caresys-dirty.sql"],
        dictionary: ["\\N", "\t", "\n", "\\n", "\\\\", "01-02-2003", "31-02-2003", "2024-12-31 23:59:60+01", "1.234,56", "-0,001",
                     "999999999", "123456782", "M", "V", "O", "\\.\n"],
        run: exports(with: "fixtures/epd/caresys/caresys.json"), syntax: .copy)

    /// The same for the XML EPD's export: its rows found by path, their values mapped.
    static let xmlExport = FuzzTarget(
        name: "xml-export", summary: "profile export of the XML EPD (row paths, mapping, validation, NDJSON)", fileExtension: "xml",
        seeds: ["fixtures/epd/xml-epd/export.xml", "fixtures/epd/xml-epd/export-dirty.xml"],
        dictionary: ["01-02-2003", "31-02-2003", "2024-12-31T23:59:60", "1.234,56", "-0,001", "123456782", "M", "V", "O", "<![CDATA[x]]>",
                     "&amp;", "&#10;"],
        run: exports(with: "fixtures/epd/xml-epd/xml-epd.json"), syntax: .xml, keepsUTF8: true)

    /// Exports the input through the profile at `profilePath`, keeping going past bad rows.
    static func exports(with profilePath: String) -> @Sendable (String) throws -> Void {
        { path in
            let profile = try MappingProfile.load(path: FuzzTarget.root + "/" + profilePath)
            let work = path + ".work"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: work) }
            var options = Dossierport.ExportOptions(today: LocalDate(iso: "2026-11-22")!)
            options.keepGoing = true
            _ = try ProfileExport.run(profile, source: path, to: NullDestination(), options: options,
                                      profileOptions: ProfileExportOptions(workDirectory: work, stageDocuments: false, bucketCount: 4))
        }
    }

    /// A dossier's JSON, the model's rules over it (which must hold for any dossier that decodes,
    /// however odd its values), and the promise that what is read is written back the same.
    static let dossierJSON = FuzzTarget(
        name: "dossier-json", summary: "canonical dossier JSON (direct reader, Codable fallback, validation, round trip)", fileExtension: "json",
        seeds: ["fixtures/dossiers"],
        dictionary: ["\"", "\\u0000", "\\ud800", "\\\"", "{}", "[]", "null", "1e400", "-0", "\"2024-02-30\"", "\"2024-01-01T25:00:00Z\"",
                     ",", ":", "\"schemaVersion\":\"9.0\"", "\u{FFFE}", "\u{10FFFF}"],
        run: { path in
            let d = try DossierJSON.decode(try ByteReader.readAll(path: path, limit: 64 << 20), file: path)
            if let quoting = DossierValidator.validate(d).first(where: { FuzzRun.personalData(in: $0.message + " " + ($0.path ?? "")) != nil }) {
                throw FuzzFinding("a validation message quotes personal data: \(quoting.code) \(quoting.message)")
            }
            let again = try DossierJSON.decode(try DossierJSON.encode(d, style: .compact), file: path)
            guard again == d else { throw FuzzFinding("a dossier read back from its own JSON differs from the one written") }
        }, syntax: .json, keepsUTF8: true)

    static let dossierXML = FuzzTarget(
        name: "dossier-xml", summary: "canonical dossier XML (libxml2 tree, schema-shaped decoding, round trip)", fileExtension: "xml",
        seeds: ["fixtures/dossiers"],
        dictionary: ["<!DOCTYPE d [<!ENTITY e \"x\">]>", "&e;", "&#0;", "<![CDATA[", "]]>", "</", "/>", "xmlns=\"urn:x\"",
                     "<progressReport>", "2024-02-30", "<!--", "-->"],
        run: { path in
            let d = try DossierXMLFormat.decode(try ByteReader.readAll(path: path, limit: 64 << 20), file: path)
            let again = try DossierXMLFormat.decode(try DossierXMLFormat.encode(d), file: path)
            guard again == d else { throw FuzzFinding("a dossier read back from its own XML differs from the one written") }
        }, syntax: .xml, keepsUTF8: true)

    static let profile = FuzzTarget(
        name: "profile", summary: "mapping profile parser and compiler", fileExtension: "json",
        seeds: ["fixtures/profiles", "fixtures/epd/caresys/caresys.json", "fixtures/epd/zorgdossier/zorgdossier.json",
                "fixtures/epd/xml-epd/xml-epd.json"],
        dictionary: ["\"", "{}", "[]", "null", "\"column\":", "\"constant\":", "\"map\":{}", "\"format\":\"dd-mm-jjjj\"", "\"format\":\"\"",
                     "\"link\":{}", "\"when\":{}", "addresses[99].city", "addresses[100].city", "\"profileVersion\":\"9.0\""],
        run: { path in
            let p = try MappingProfile.load(path: path)
            // Compiling the rules is where paths, kinds and formats meet the model.
            _ = try DossierAssembler(profile: p, options: DossierSources.ExportOptions(spillDirectory: path + ".work"),
                                     documents: NoDocuments())
        }, syntax: .json, keepsUTF8: true, mayQuoteInput: true)

    /// Bundles as `verify` reads them: zip, age, BagIt, signature, export.json and every dossier.
    static let bundle = FuzzTarget(
        name: "bundle", summary: "bundle verification (zip, inflate, age, BagIt, signature, export.json, dossiers)", fileExtension: "zip",
        seeds: ["fixtures/hostile/bundles"],
        dictionary: ["PK\u{03}\u{04}", "PK\u{01}\u{02}", "PK\u{05}\u{06}", "PK\u{06}\u{06}", "../", "/", "data/", "\\", "age-encryption.org/v1\n",
                     "-> X25519 ", "---", "manifest-sha256.txt", "bagit.txt"],
        run: { _ in },
        problems: { path in
            BundleInspection.check(path: path, keys: FuzzTarget.bundleKeys).allProblems.listed.filter { $0.severity == .error }
        })

    /// Opens the input and reads its rows to the end (a million at most).
    static func readsEveryRow(_ open: @escaping @Sendable (String) throws -> any RowReader) -> @Sendable (String) throws -> Void {
        { path in
            let reader = try open(path)
            var rows = 0
            while try reader.nextRow() != nil, rows < 1_000_000 { rows += 1 }
        }
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    static let bundleKeys: BundleKeys = {
        let dir = root + "/fixtures/hostile/bundles/"
        let key = (try? String(contentsOfFile: dir + "receiver.agekey", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("AGE-SECRET-KEY-") }.flatMap { try? AgeIdentity(String($0)) }
        let signers = (try? String(contentsOfFile: dir + "trusted_signers", encoding: .utf8)).flatMap { try? AllowedSigners(text: $0) }
        return BundleKeys(trusted: signers, identities: key.map { [$0] } ?? [])
    }()
}

/// A broken promise found by a target's own check (a round trip that changed a dossier).
struct FuzzFinding: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A resolver for compiling profiles that map document content; no row reaches it.
final class NoDocuments: DocumentResolver {
    func resolve(_ content: DocumentContent, recordID: String, at location: SourceLocation) throws -> ResolvedDocument {
        throw DossierError("fuzz.documents", "no documents in a profile check", at: location)
    }
}

/// Takes the export's dossiers and writes them nowhere: the fuzz run wants the pipeline, not files.
final class NullDestination: DossierDestination {
    func write(_ dossier: LoadedDossier) throws {}
    func finish() throws {}
}
