public import DossierModel
import DossierPolicy
public import DossierBundle

/// What `inspect` shows and `verify --json` prints: sender, purpose, contents, status.
public struct BundleSummary: Sendable, Codable {
    public var path: String
    public var valid: Bool
    public var encrypted: Bool
    public var signature: String
    public var signedBy: String?
    public var bundleID: String?
    public var sender: String?
    public var senderKvK: String?
    public var createdAt: String?
    public var purpose: String?
    public var recipient: String?
    public var payloadFiles: Int
    public var payloadOctets: UInt64
    /// How many dossiers export.json lists.
    public var dossierCount: Int
    /// Their ids in export.json's order: all of them, unless export.json lists more dossiers than
    /// the payload has files, which no valid bundle does; then only as many, so that a hostile
    /// list cannot decide how much memory inspecting it takes.
    public var dossiers: [String]
    public var counts: EntityMap<Int>
    public var documents: Int
    /// Records the purpose excluded and redacted, as export.json's scope lists them.
    public var excluded: Int
    public var redacted: Int
    public var problems: DiagnosticLog

    public init(_ c: BundleCheck) {
        let m = c.manifest
        path = c.path
        valid = c.isValid
        encrypted = c.encrypted
        signature = Self.signatureText(c.bag.signature)
        if case .verified(let p) = c.bag.signature { signedBy = p }
        bundleID = m?.bundleID ?? c.bag.bagInfo["External-Identifier"]
        sender = m?.controller.name ?? c.bag.bagInfo["Source-Organization"]
        senderKvK = m?.controller.kvkNumber
        createdAt = m?.createdAt.description ?? c.bag.bagInfo["Bagging-Date"]
        purpose = m.map { $0.purpose?.rawValue ?? "complete" }
        recipient = m?.recipient
        payloadFiles = c.bag.payloadFiles
        payloadOctets = c.bag.payloadOctets
        var ids: [String] = [], count = 0
        try? c.dossiers?.forEach {
            if ids.count < c.bag.payloadFiles { ids.append($0.id) }
            count += 1
        }
        dossiers = ids
        dossierCount = count
        counts = m?.counts ?? EntityMap()
        documents = m?.documents ?? 0
        (excluded, redacted) = c.cut
        problems = c.allProblems
    }

    /// Ids the table names; a person reads a few, a program reads `--json`.
    static let shownIDs = 20

    public static func signatureText(_ s: SignatureStatus) -> String {
        switch s {
        case .absent: "not signed"
        case .unchecked: "signed, not checked (no --trusted keys given)"
        case .verified(let p): "signed by \(p), verified"
        case .invalid: "signature INVALID"
        }
    }

    /// A readable block for people: one fact per line, then the counts.
    public var table: String {
        var lines: [(String, String)] = [
            ("bundle", path), ("status", valid ? "valid" : "INVALID"), ("encrypted", encrypted ? "yes (age)" : "no"),
            ("signature", signature),
        ]
        if let bundleID { lines.append(("bundle id", bundleID)) }
        if let sender { lines.append(("sender", sender + (senderKvK.map { " (KvK \($0))" } ?? ""))) }
        if let createdAt { lines.append(("created", createdAt)) }
        if let purpose { lines.append(("purpose", purpose)) }
        if let recipient { lines.append(("recipient", recipient)) }
        lines.append(("payload", "\(payloadFiles) files, \(payloadOctets) bytes"))
        let shown = dossiers.prefix(Self.shownIDs)
        lines.append(("dossiers", dossierCount == 0 ? "-" : "\(dossierCount): " + shown.joined(separator: ", ")
                      + (dossierCount > shown.count ? ", ... and \(dossierCount - shown.count) more" : "")))
        lines.append(("documents", String(documents)))
        if excluded + redacted > 0 { lines.append(("cut", "\(excluded) records excluded, \(redacted) redacted by the purpose")) }
        var out = lines.map { $0.0.padding(toLength: 11) + $0.1 }
        if !counts.entries.isEmpty {
            out.append("")
            out.append("section".padding(toLength: 28) + "records")
            for (e, n) in counts.entries { out.append(e.rawValue.padding(toLength: 28) + String(n)) }
        }
        return out.joined(separator: "\n")
    }
}

extension String {
    func padding(toLength n: Int) -> String { count >= n ? self + " " : self + String(repeating: " ", count: n - count) }
}
