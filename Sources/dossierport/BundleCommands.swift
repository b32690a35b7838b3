#if canImport(Glibc)
import Glibc
#endif
import DossierModel
import DossierIO
import DossierCrypto
import DossierPolicy
import DossierBundle
import Dossierport

struct BundleCommand: Command {
    static let name = "bundle"
    static let summary = "Package dossiers as a signed, optionally encrypted BagIt bag in a zip"
    static let help = """
    Usage: dossierport bundle --out FILE [--source PATH] [--profile FILE] [--client ID|--all] [--purpose access|portability|transfer]
                              [--organisation FILE] [--sign-key FILE] [--encrypt-to AGE-RECIPIENT]...
                              [--passphrase-file FILE] [--xml] [--lang nl|en] [--recipient-org NAME]
                              [--bundle-id ID] [--created-at RFC3339] [--date YYYY-MM-DD] [--keep-going] [--report FILE]

    Writes a BagIt 1.0 bag (formats/bundle.md) inside a zip: data/dossiers/<id>.json, their documents,
    data/export.json, bag-info.txt, manifest-sha256.txt and tagmanifest-sha256.txt. Access bundles
    (--purpose access) also hold a printable HTML copy per client (data/copy/<id>.html).

    Options:
      --out FILE             the bundle to write (appears only when complete)
      --source, --profile, --spill-dir, --client, --all, --purpose, --organisation, --date, --pseudonymise, --keep-going, --report
                             as for 'export' (with --profile, the dossiers are built from a raw export)
      --sign-key FILE        an Ed25519 OpenSSH private key (ssh-keygen -t ed25519): signs tagmanifest-sha256.txt
                             with an SSH signature (namespace dossierport-bundle), stored as tagmanifest-sha256.txt.sig
      --encrypt-to R         encrypt the zip to an age recipient (age1...); repeatable
      --passphrase-file FILE encrypt with the passphrase in FILE (age scrypt) instead
      --xml                  also include the canonical XML of each dossier
      --lang nl|en           language of the HTML copy (default nl)
      --recipient-org NAME   the receiving organisation, recorded in export.json and bag-info.txt
      --bundle-id ID         default: DP-<KvK>-<created-at>-<purpose>
      --level N              deflate level for text entries, 0-9 (default 1: fast; media are always stored)
    \(LogOptions.help)
      --created-at T         the creation time written into the bundle (default: $SOURCE_DATE_EPOCH, else now);
                             the same input and options give a byte-identical bundle

    Exit codes: 0 bundle written; 1 invalid input or failure (no file is left under --out); 64 usage error.
    """
    static let bundleOptions: Set<String> = ["--sign-key", "--encrypt-to", "--passphrase-file", "--lang",
                                             "--recipient-org", "--bundle-id", "--created-at", "--level"]
    static let bundleFlags: Set<String> = ["--xml"]
    static let options = ExportCommand.shared.union(bundleOptions)
    static let flags = bundleFlags.union(ExportCommand.sharedFlags)

    static func run(_ args: Arguments) throws -> ExitCode {
        guard args.operands.isEmpty else { throw UsageError("bundle takes no operands; use --source and --out") }
        try ExportCommand.checkSelection(args)
        guard let out = args.value("--out"), out != "-" else { throw UsageError("bundle needs --out FILE") }
        return try ExportCommand.export(args, to: try destination(args, out: out), event: "bundle", output: out)
    }

    static func destination(_ args: Arguments, out: String) throws -> BundleDestination {
        let created = try createdAt(args)
        var o = BundleOptions(createdAt: created, purpose: try ExportCommand.purpose(args),
                              organisation: try ExportCommand.organisation(args))
        o.includeXML = args.flag("--xml")
        o.language = try args.choice("--lang", default: .nl)
        o.recipient = args.value("--recipient-org")
        o.bundleID = args.value("--bundle-id")
        if let level = try args.integer("--level") {
            guard (0...9).contains(level) else { throw UsageError("--level takes 0 to 9") }
            o.compressionLevel = Int32(level)
        }
        if let k = args.value("--sign-key") { o.signingKey = try SSHSigningKey.read(path: k) }
        o.recipients = try args.all("--encrypt-to").map { try AgeRecipient($0) }
        if let p = args.value("--passphrase-file") { o.passphrase = try Secrets.passphrase(file: p) }
        if !o.recipients.isEmpty && o.passphrase != nil {
            throw UsageError("use --encrypt-to or --passphrase-file, not both (age allows a passphrase only on its own)")
        }
        return try BundleDestination(path: out, options: o)
    }

    static func createdAt(_ args: Arguments) throws(UsageError) -> Timestamp {
        if let v = args.value("--created-at") {
            guard let t = Timestamp(rfc3339: v) else { throw UsageError("--created-at needs an RFC 3339 time such as 2026-11-22T10:00:00Z") }
            return t
        }
        if let e = getenv("SOURCE_DATE_EPOCH"), let secs = Int(String(cString: e)), secs >= 0 {
            return Timestamp(date: LocalDate(daysSinceEpoch: secs / 86_400), hour: secs % 86_400 / 3600,
                             minute: secs % 3600 / 60, second: secs % 60)!
        }
        return Clock.nowUTC
    }
}

/// Options shared by `verify`, `inspect` (and `import`): which keys to trust and to decrypt with.
enum KeyOptions {
    static let options: Set<String> = ["--trusted", "--identity", "--passphrase-file"]
    static let flags: Set<String> = ["--require-signature"]
    static let help = """
      --trusted FILE         allowed_signers file (ssh-keygen format: 'principal ssh-ed25519 AAAA...') of trusted senders
      --require-signature    fail unless the bundle is signed by a key in --trusted
      --identity FILE        an age identity file (age-keygen) to decrypt an encrypted bundle; repeatable
      --passphrase-file FILE the passphrase of a passphrase-encrypted bundle
    """

    static func keys(_ args: Arguments) throws -> BundleKeys {
        var k = BundleKeys()
        if let t = args.value("--trusted") { k.trusted = try AllowedSigners.read(path: t) }
        k.requireSignature = args.flag("--require-signature")
        if k.requireSignature && k.trusted == nil { throw UsageError("--require-signature needs --trusted FILE") }
        k.identities = try args.all("--identity").flatMap { try AgeIdentity.read(path: $0) }
        if let p = args.value("--passphrase-file") { k.passphrase = try Secrets.passphrase(file: p) }
        return k
    }
}

/// The receiver's limits on what an archive may declare, each checked before anything is read.
enum LimitOptions {
    static let options: Set<String> = ["--max-entries", "--max-size", "--max-ratio", "--max-dossier"]
    static let help = """
      --max-entries N        refuse an archive of more than N files (default \(ZipLimits.default.maxEntries))
      --max-size SIZE        refuse an archive whose files add up to more than SIZE unpacked, in bytes or
                             with K, M, G or T (powers of 1024; default \(ZipLimits.default.maxTotalUncompressedSize >> 30)G)
      --max-ratio N          refuse a file over 1 MiB that unpacks to more than N times its packed size
                             (default \(ZipLimits.default.maxRatio); deflate alone never exceeds about 1032)
      --max-dossier SIZE     refuse a dossier file (JSON or XML) larger than SIZE, as for --max-size
                             (default \(ZipLimits.default.maxDossierSize >> 20)M); each is decoded in memory
    """

    static func limits(_ args: Arguments) throws -> ZipLimits {
        var l = ZipLimits.default
        if let n = try args.integer("--max-entries") {
            // More files need a longer central directory: 256 bytes a file leaves room for names
            // far longer than a bundle's own.
            l.maxEntries = n
            l.maxCentralDirectorySize = max(l.maxCentralDirectorySize, n > Int.max / 256 ? Int.max : n * 256)
        }
        if let s = args.value("--max-size") { l.maxTotalUncompressedSize = try size(s, "--max-size") }
        if let s = args.value("--max-dossier") { l.maxDossierSize = try size(s, "--max-dossier") }
        if let n = try args.integer("--max-ratio") { l.maxRatio = UInt64(n) }
        return l
    }

    static func size(_ text: String, _ option: String) throws -> UInt64 {
        let units: [Character: Int] = ["K": 10, "M": 20, "G": 30, "T": 40]
        let shift = text.last.flatMap { units[Character($0.uppercased())] } ?? 0
        guard let n = UInt64(shift == 0 ? text : String(text.dropLast())), n <= UInt64.max >> shift else {
            throw UsageError("\(option) needs a whole number of bytes, or one with K, M, G or T")
        }
        return n << shift
    }
}

struct VerifyCommand: Command {
    static let name = "verify"
    static let summary = "Check a bundle: BagIt validity, signature, export manifest and every dossier"
    static let help = """
    Usage: dossierport verify BUNDLE [--trusted FILE] [--require-signature] [--identity FILE]... [--passphrase-file FILE]
                              [--max-entries N] [--max-size SIZE] [--max-ratio N] [--max-dossier SIZE] [--json]

    BUNDLE is a zip, an age-encrypted zip, or an unpacked bag folder (also bags made by bagit.py).
    Checks, in order: decryption (every chunk authenticated), the signature over the tag manifest,
    the tag manifest, Payload-Oxum, that every payload file is listed and every listed file present,
    every SHA-256/SHA-512; then export.json against the payload and each dossier against the model
    (its XML form too, when the bundle has one: equal to the JSON form, parsed unless it is byte
    for byte what the writer makes of it). A dossier file's checksum is checked on the bytes read
    to decode it, before they are decoded.
    Every failing file is named: standard error shows the first 100 problems, errors first, and
    counts the rest by code; --json lists the first 10,000 errors and 10,000 warnings.

    Options:
    \(KeyOptions.help)
    \(LimitOptions.help)
      --json                 print the result as JSON on standard output

    Exit codes: 0 the bundle is valid; 1 it is not (or cannot be read); 64 usage error.
    """
    static let options = KeyOptions.options.union(LimitOptions.options)
    static let flags = KeyOptions.flags.union(["--json"])

    static func run(_ args: Arguments) throws -> ExitCode {
        guard args.operands.count == 1, let path = args.operands.first else { throw UsageError("verify needs exactly one BUNDLE") }
        let check = BundleInspection.check(path: path, keys: try KeyOptions.keys(args), limits: try LimitOptions.limits(args))
        if args.flag("--json") {
            print(try MachineOutput.json(BundleSummary(check)))
        } else {
            let problems = check.allProblems
            for line in Report.diagnostics(problems, more: "--json") { Console.error(line) }
            Console.error(check.isValid ? "\(path): valid (\(BundleSummary.signatureText(check.bag.signature)))"
                                        : "\(path): INVALID, \(problems.errors) error(s)")
        }
        return check.isValid ? .success : .failure
    }
}

struct InspectCommand: Command {
    static let name = "inspect"
    static let summary = "Show who sent a bundle, when, why, for whom, and what it holds"
    static let help = """
    Usage: dossierport inspect BUNDLE [--trusted FILE] [--require-signature] [--identity FILE]... [--passphrase-file FILE]
                               [--max-entries N] [--max-size SIZE] [--max-ratio N] [--max-dossier SIZE] [--json]

    Prints the sender, creation time, purpose, recipient, signature and validity status, the
    dossiers and the record counts per section. Checks the bundle exactly as 'verify' does.

    Options:
    \(KeyOptions.help)
    \(LimitOptions.help)
      --json                 print as JSON on standard output

    Exit codes: 0 shown and valid; 1 shown but invalid, or unreadable; 64 usage error.
    """
    static let options = KeyOptions.options.union(LimitOptions.options)
    static let flags = KeyOptions.flags.union(["--json"])

    static func run(_ args: Arguments) throws -> ExitCode {
        guard args.operands.count == 1, let path = args.operands.first else { throw UsageError("inspect needs exactly one BUNDLE") }
        let check = BundleInspection.check(path: path, keys: try KeyOptions.keys(args), limits: try LimitOptions.limits(args))
        let summary = BundleSummary(check)
        if args.flag("--json") { print(try MachineOutput.json(summary)) } else { print(summary.table) }
        for line in Report.diagnostics(summary.problems, more: "--json") { Console.error(line) }
        return check.isValid ? .success : .failure
    }
}

/// Reads a secret from a file: the first line, without its line ending. Secrets never come from
/// the command line, where other users can read them in the process list.
enum Secrets {
    static func passphrase(file: String) throws -> String {
        let bytes = try ByteReader.readAll(path: file, limit: 4096)
        let line = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).first ?? []
        let text = String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        guard !text.isEmpty else { throw UsageError("the passphrase file is empty") }
        return text
    }
}
