/// Names the canonical XML layout needs beyond the model's own keys, kept in one place.
///
/// Fields are elements named as their JSON keys; only list items need a name the model does not
/// have, and the writer, the reader and `formats/dossier.xsd` must agree on it.
enum XMLNames {
    static let namespace = "urn:dossierport:dossier:1"
    static let dossier = "dossier"
    static let dossiers = "dossiers"
    /// Only the root element declares the namespace; everything below inherits it.
    static let rootAttributes = " xmlns=\"\(namespace)\""

    /// List element → item element. A list key missing here fails loudly when written.
    static let items: [String: String] = [
        "addresses": "address",
        "contacts": "contact",
        "representatives": "representative",
        "referrals": "referral",
        "insurances": "insurance",
        "consents": "consent",
        "objections": "objection",
        "progressReports": "progressReport",
        "carePlans": "carePlan",
        "goals": "goal",
        "diagnoses": "diagnosis",
        "medicationAdministrations": "medicationAdministration",
        "incidents": "incident",
        "restrictiveMeasures": "restrictiveMeasure",
        "domesticViolenceReports": "domesticViolenceReport",
        "workNotes": "workNote",
        "financialRecords": "financialRecord",
        "appointments": "appointment",
        "documents": "document",
        "corrections": "correction",
        "restrictions": "restriction",
        "targetRecords": "targetRecord",
        "accessLog": "entry",
        "dossiers": "dossier",
    ]

    /// The item name for the list at the end of `codingPath`, or nil when the path does not end in
    /// a known list key.
    static func item(in codingPath: [any CodingKey]) -> String? {
        guard let key = codingPath.last, key.intValue == nil else { return nil }
        return items[key.stringValue]
    }

    /// `$.progressReports[3].meta.author`: the path form diagnostics use across formats.
    static func path(_ codingPath: [any CodingKey]) -> String {
        "$" + codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
    }
}

/// A list position in a coding path.
struct XMLIndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { return nil }
}

/// A fixed key such as `super`, for `superEncoder()`/`superDecoder()`.
struct XMLNamedKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}
