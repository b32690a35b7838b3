public import DossierModel
public import DossierIO
public import DossierPolicy

/// What the access copy needs besides the dossier: the art. 15 information and what was cut.
public struct AccessCopyContext: Sendable {
    public var organisation: Organisation
    public var purpose: ExportPurpose
    /// Records left out or redacted by the purpose, explained in the copy.
    public var notes: [ScopeNote]
    /// The date printed as the copy's date; passed in so the same input gives the same bytes.
    public var createdOn: LocalDate
    public var language: CopyLanguage
    /// Document id → link relative to the HTML file, for documents whose bytes travel with it.
    public var documentLinks: [String: String]

    public init(organisation: Organisation, purpose: ExportPurpose, notes: [ScopeNote], createdOn: LocalDate,
                language: CopyLanguage = .nl, documentLinks: [String: String] = [:]) {
        self.organisation = organisation; self.purpose = purpose; self.notes = notes
        self.createdOn = createdOn; self.language = language; self.documentLinks = documentLinks
    }
}

/// The copy a person can read (art. 15 "afschrift"): one self-contained HTML page.
///
/// No scripts, no external resources, inline CSS only, so it opens offline, cannot phone home,
/// reads on a phone and prints whole. The art. 15(1) information comes first because that is what
/// the law requires beside the data; then every section of the dossier, rendered generically from
/// the model so no field is forgotten.
public enum HTMLAccessCopy {
    public static func write(_ d: Dossier, context c: AccessCopyContext, to sink: any ByteSink) throws {
        var h = HTMLBuilder(lang: c.language)
        let nl = c.language == .nl
        func t(_ dutch: String, _ english: String) -> String { nl ? dutch : english }

        h.raw("<!DOCTYPE html>\n<html lang=\"\(c.language.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n")
        h.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        h.raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src 'self'\">\n")
        h.element("title", t("Afschrift dossier", "Copy of record") + " – " + d.controller.name)
        h.raw("<style>\(css)</style>\n</head>\n<body>\n<main>\n")

        h.element("h1", t("Afschrift van uw dossier", "Copy of your record"))
        h.paragraph(t("Dit is een afschrift van de gegevens die ", "This is a copy of the data that ") + d.controller.name
                    + t(" over u verwerkt, opgemaakt op ", " processes about you, made on ") + c.createdOn.description
                    + t(" op grond van artikel 15 AVG.", " under article 15 GDPR."))
        h.raw("<table class=\"facts\">\n")
        h.row(t("Naam", "Name"), d.client.name.formal)
        h.row(t("Cliëntnummer", "Client number"), d.client.clientNumber)
        h.row(t("Verantwoordelijke", "Controller"), d.controller.name + " (KvK \(d.controller.kvkNumber))")
        h.row(t("Functionaris gegevensbescherming", "Data protection officer"),
              [d.controller.dpo.name, d.controller.dpo.email, d.controller.dpo.phone].compactMap { $0 }.joined(separator: ", "))
        h.row(t("Doel van deze uitgifte", "Purpose of this copy"), purposeLabel(c.purpose, nl))
        h.raw("</table>\n")

        // Art. 15(1)(a)–(h): purposes, categories, recipients, retention, rights, source.
        h.open("section", id: "art15")
        h.element("h2", t("Wat de wet u laat weten", "What the law says you must be told"))
        h.element("h3", t("Waarom wij uw gegevens verwerken", "Why we process your data"))
        h.list(c.organisation.processingPurposes.map {
            $0.purpose + " — " + HTMLLabels.value($0.legalBasis.rawValue, c.language)
                + ($0.specialCategoryBasis.map { " (\($0))" } ?? "")
        })
        h.element("h3", t("Welke gegevens wij van u hebben", "Which data we hold"))
        h.list(Entity.allCases.compactMap { e in
            let n = d.records(e).count
            return n == 0 ? nil : "\(HTMLLabels.section(e, c.language)): \(n)"
        })
        h.element("h3", t("Aan wie wij gegevens verstrekken", "To whom we disclose data"))
        h.list(c.organisation.recipientCategories)
        h.element("h3", t("Hoe lang wij gegevens bewaren", "How long we keep data"))
        h.list(RecordCategory.allCases.compactMap { cat in
            c.organisation.retention.categories[cat].map { HTMLLabels.value(cat.rawValue, c.language) + ": " + termText($0, nl) }
        } + c.organisation.retention.entities.sorted { $0.key.rawValue < $1.key.rawValue }.map {
            HTMLLabels.section($0.key, c.language) + ": " + termText($0.value, nl)
        })
        h.element("h3", t("Waar de gegevens vandaan komen", "Where the data came from"))
        let fromOthers = d.allRecords.filter { $0.record.meta.provenance == .thirdParty }.count
        h.paragraph(t("Registratiesysteem: ", "Record system: ") + (d.sourceSystem ?? t("onbekend", "unknown")) + ". "
                    + t("Gegevens van anderen dan uzelf of onze zorgverleners (bijvoorbeeld een verwijzer): ",
                        "Records from others than you or our professionals (such as a referrer): ") + "\(fromOthers).")
        h.element("h3", t("Uw rechten", "Your rights"))
        h.list(nl ? rightsNL : rightsEN)
        if !c.notes.isEmpty {
            h.element("h3", t("Wat niet (volledig) in dit afschrift staat", "What this copy leaves out or shortens"))
            h.raw("<table class=\"notes\"><tr><th>\(t("Onderdeel", "Section"))</th><th>\(t("Kenmerk", "Identifier"))</th><th>\(t("Wat", "What"))</th><th>\(t("Waarom", "Why"))</th></tr>\n")
            for n in c.notes {
                h.raw("<tr>"); h.cell(HTMLLabels.section(n.entity, c.language)); h.cell(n.recordID)
                h.cell(actionLabel(n.action, nl)); h.cell(reasonLabel(n.reason, nl)); h.raw("</tr>\n")
            }
            h.raw("</table>\n")
        }
        h.close("section")

        for e in Entity.allCases {
            let records = d.records(e)
            guard !records.isEmpty else { continue }
            h.open("section", id: e.rawValue)
            h.element("h2", HTMLLabels.section(e, c.language) + " (\(records.count))")
            for r in records {
                h.raw("<table class=\"record\">\n<caption>")
                h.text(r.id)
                h.raw("</caption>\n")
                if case .object(let fields) = try ValueTree.of(r) {
                    for (k, v) in fields where k != "id" { h.field(k, v, docLink: e == .documents ? c.documentLinks[r.id] : nil) }
                }
                h.raw("</table>\n")
            }
            h.close("section")
        }
        h.raw("</main>\n</body>\n</html>\n")
        try sink.write(h.out)
    }

    static func purposeLabel(_ p: ExportPurpose, _ nl: Bool) -> String {
        switch p {
        case .access: nl ? "inzage en afschrift (art. 15 AVG)" : "access (art. 15 GDPR)"
        case .portability: nl ? "dataportabiliteit (art. 20 AVG)" : "portability (art. 20 GDPR)"
        case .transfer: nl ? "overdracht aan een nieuwe houder" : "transfer to a new holder"
        }
    }

    static func termText(_ t: RetentionTerm, _ nl: Bool) -> String {
        var parts: [String] = []
        if t.years > 0 { parts.append("\(t.years) " + (nl ? "jaar" : (t.years == 1 ? "year" : "years"))) }
        if t.months > 0 { parts.append("\(t.months) " + (nl ? (t.months == 1 ? "maand" : "maanden") : (t.months == 1 ? "month" : "months"))) }
        return parts.joined(separator: " ")
    }

    static func actionLabel(_ a: ScopeNote.Action, _ nl: Bool) -> String {
        switch a {
        case .excluded: nl ? "weggelaten" : "left out"
        case .redacted: nl ? "tekst achtergehouden" : "text withheld"
        case .kept: nl ? "opgenomen" : "included"
        }
    }

    static func reasonLabel(_ r: ScopeReason, _ nl: Bool) -> String {
        switch r {
        case .workNote: nl ? "persoonlijke werkaantekening van een zorgverlener" : "a professional's personal work note"
        case .thirdPartyData: nl ? "bevat gegevens over anderen (art. 15 lid 4 AVG)" : "contains data about others (art. 15(4) GDPR)"
        case .notProvidedByClient: nl ? "niet door uzelf verstrekt" : "not provided by you"
        case .notConsentOrContract: nl ? "niet verwerkt op basis van toestemming of overeenkomst" : "not processed on consent or contract"
        case .pastRetention: nl ? "bewaartermijn verstreken" : "retention period has passed"
        case .clientObjected: nl ? "u heeft bezwaar gemaakt tegen overdracht" : "you objected to the transfer"
        }
    }

    static let rightsNL = [
        "U kunt vragen onjuiste gegevens te corrigeren of aan te vullen (art. 16 AVG); uw verzoek wordt naast het origineel bewaard.",
        "U kunt vragen gegevens te verwijderen (art. 17 AVG) of af te schermen (art. 18 AVG).",
        "U kunt bezwaar maken tegen verwerking en tegen overdracht van uw dossier.",
        "U kunt gegevens die u zelf heeft verstrekt in een machineleesbare vorm krijgen (art. 20 AVG).",
        "U kunt een klacht indienen bij de Autoriteit Persoonsgegevens.",
    ]

    static let rightsEN = [
        "You can ask for incorrect data to be corrected or completed (art. 16 GDPR); your request is kept beside the original.",
        "You can ask for data to be erased (art. 17 GDPR) or restricted (art. 18 GDPR).",
        "You can object to processing and to the transfer of your record.",
        "You can receive data you provided yourself in a machine-readable form (art. 20 GDPR).",
        "You can lodge a complaint with the Dutch Data Protection Authority (Autoriteit Persoonsgegevens).",
    ]

    static let css = """
    body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fff}\
    main{max-width:56rem;margin:0 auto;padding:1rem}h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:2px solid #274b7a;\
    padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.05rem;margin-bottom:.3rem}table{border-collapse:collapse;width:100%;\
    margin:.5rem 0 1rem}th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border:1px solid #c9d1dc;\
    overflow-wrap:anywhere}th{background:#eef2f7;font-weight:600}table.record th,table.facts th{width:34%}caption{text-align:left;font-weight:600;\
    padding:.3rem 0;color:#274b7a}table table{margin:0;font-size:.92em}.withheld{font-style:italic;color:#6b3b00}\
    @media print{body{font-size:11pt}main{max-width:none}section{break-inside:auto}table.record{break-inside:avoid}a{color:inherit}}
    """
}

/// Accumulates escaped HTML; every piece of data passes through `text`, never `raw`.
struct HTMLBuilder {
    var out: [UInt8] = []
    let lang: CopyLanguage

    init(lang: CopyLanguage) { self.lang = lang; out.reserveCapacity(64 * 1024) }

    mutating func raw(_ s: String) { out.append(contentsOf: s.utf8) }

    /// Escapes the five characters that can change HTML structure.
    mutating func text(_ s: String) {
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "&"): raw("&amp;")
            case UInt8(ascii: "<"): raw("&lt;")
            case UInt8(ascii: ">"): raw("&gt;")
            case UInt8(ascii: "\""): raw("&quot;")
            case UInt8(ascii: "'"): raw("&#39;")
            default: out.append(b)
            }
        }
    }

    mutating func element(_ tag: String, _ content: String) { raw("<\(tag)>"); text(content); raw("</\(tag)>\n") }
    mutating func paragraph(_ s: String) { element("p", s) }
    mutating func open(_ tag: String, id: String) { raw("<\(tag) id=\""); text(id); raw("\">\n") }
    mutating func close(_ tag: String) { raw("</\(tag)>\n") }
    mutating func cell(_ s: String) { raw("<td>"); text(s); raw("</td>") }

    mutating func row(_ label: String, _ value: String) {
        raw("<tr><th>"); text(label); raw("</th><td>"); text(value); raw("</td></tr>\n")
    }

    mutating func list(_ items: [String]) {
        guard !items.isEmpty else { raw("<p>–</p>\n"); return }
        raw("<ul>\n")
        for i in items { raw("<li>"); text(i); raw("</li>\n") }
        raw("</ul>\n")
    }

    /// One field as a table row; nested objects become nested tables, lists become lists.
    mutating func field(_ key: String, _ value: ValueTree, docLink: String? = nil) {
        raw("<tr><th>"); text(HTMLLabels.field(key, lang)); raw("</th><td>")
        if key == "path", let link = docLink {
            raw("<a href=\""); text(link); raw("\">"); text(link); raw("</a>")
        } else {
            content(value, key: key)
        }
        raw("</td></tr>\n")
    }

    /// Enumeration values are translated; free text never is, even when it happens to match one.
    mutating func content(_ value: ValueTree, key: String) {
        switch value {
        case .scalar(let s):
            if s == PurposePolicy.placeholder { raw("<span class=\"withheld\">"); text(s); raw("</span>") }
            else { text(HTMLLabels.enumFields.contains(key) ? HTMLLabels.value(s, lang) : s) }
        case .array(let items):
            guard !items.isEmpty else { raw("–"); return }
            raw("<ul>")
            for i in items { raw("<li>"); content(i, key: key); raw("</li>") }
            raw("</ul>")
        case .object(let fields):
            raw("<table>")
            for (k, v) in fields { field(k, v) }
            raw("</table>")
        }
    }
}
