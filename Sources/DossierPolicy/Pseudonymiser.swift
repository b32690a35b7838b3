public import DossierModel
import DossierCrypto

/// Replaces what identifies people by keyed pseudonyms, for analysis and test data.
///
/// A pseudonym is HMAC-SHA-256 under the organisation's key of a labelled value, so the same person
/// gets the same pseudonym in every export made with the same key, and nobody without the key can
/// recompute or reverse it. What it changes (formats/purposes.md, "Pseudonymised exports"):
/// - the BSN is removed and the client number becomes a pseudonym of the BSN (or, without one, of
///   the client number), so the same person links across sources;
/// - names, street names, contact values of the client, representatives and professionals become
///   pseudonyms; house numbers, postal codes, places and initials are removed; the date of birth
///   is coarsened to 1 January of its year;
/// - every free text is replaced by a marker and document bytes stay behind;
/// - dossier and record ids become pseudonyms, with every reference rewritten to match.
public struct Pseudonymiser: Sendable {
    public static let freeTextMarker = "[free text removed: pseudonymised export]"
    private let key: [UInt8]

    /// The key must be at least 32 bytes of secret randomness (`head -c 32 /dev/urandom`).
    public init(key: [UInt8]) throws {
        guard key.count >= 32 else {
            throw DossierError("pseudonym.key", "the pseudonymisation key must be at least 32 bytes")
        }
        self.key = key
    }

    /// `label` separates namespaces, so a surname and a street with the same spelling differ.
    public func pseudonym(_ label: String, _ value: String, length: Int = 12) -> String {
        let mac = (try? hmacSHA256(key: key, Array((label + "\u{0}" + value).utf8))) ?? []
        return String(mac.hexString.prefix(length))
    }

    public func apply(to original: Dossier) -> Dossier {
        var d = original
        let scope = original.id
        d.id = "PSN-" + pseudonym("dossier", original.id)
        let c = original.client
        d.client.clientNumber = "PSN-" + pseudonym("person", c.bsn?.digits ?? "client:" + c.clientNumber)
        d.client.bsn = nil
        d.client.name = name(c.name)
        d.client.dateOfBirth = c.dateOfBirth.flatMap { LocalDate(year: $0.year, month: 1, day: 1) }
        d.client.placeOfBirth = nil
        d.client.addresses = c.addresses.map(address)
        d.client.contacts = c.contacts.map(contact)
        for i in d.representatives.indices {
            d.representatives[i].name = name(d.representatives[i].name)
            d.representatives[i].address = d.representatives[i].address.map(address)
            d.representatives[i].contacts = d.representatives[i].contacts.map(contact)
            d.representatives[i].relationship = nil
        }
        for i in d.referrals.indices { d.referrals[i].referrerName = d.referrals[i].referrerName.map { person($0) } }
        for i in d.appointments.indices { d.appointments[i].professional = d.appointments[i].professional.map { person($0) } }
        for i in d.restrictiveMeasures.indices {
            d.restrictiveMeasures[i].responsiblePerson = d.restrictiveMeasures[i].responsiblePerson.map { person($0) }
        }
        for i in d.accessLog.indices {
            d.accessLog[i].user = person(d.accessLog[i].user)
            d.accessLog[i].responsibleUser = d.accessLog[i].responsibleUser.map { person($0) }
            d.accessLog[i].accessPoint = d.accessLog[i].accessPoint.map { "host-" + pseudonym("host", $0, length: 8) }
        }

        struct Rewriter: SectionVisitor {
            let p: Pseudonymiser
            let scope: String
            mutating func visit<R: DossierRecord>(_ entity: Entity, _ records: inout [R]) {
                records = records.map { r in
                    var r = Redaction.redacted(r, with: Pseudonymiser.freeTextMarker)
                    r.meta.author = r.meta.author.map { p.person($0) }
                    r.id = p.recordID(r.id, scope)
                    return r
                }
            }
        }
        var rewriter = Rewriter(p: self, scope: scope)
        d.visitSections(&rewriter)
        let rid = { self.recordID($0, scope) }
        for i in d.consents.indices where d.consents[i].givenBy != "client" && d.consents[i].givenBy != Consent.representativeNotIncluded {
            d.consents[i].givenBy = rid(d.consents[i].givenBy)
        }
        for i in d.corrections.indices { d.corrections[i].targetRecord = rid(d.corrections[i].targetRecord) }
        for i in d.restrictions.indices { d.restrictions[i].targetRecords = d.restrictions[i].targetRecords.map(rid) }
        for i in d.accessLog.indices { d.accessLog[i].recordRef = d.accessLog[i].recordRef.map(rid) }
        for i in d.representatives.indices { d.representatives[i].documentRef = d.representatives[i].documentRef.map(rid) }
        return d
    }

    func recordID(_ id: String, _ scope: String) -> String { "r-" + pseudonym("record", scope + "/" + id) }
    func person(_ name: String) -> String { "persoon-" + pseudonym("name", name, length: 8) }

    func name(_ n: PersonName) -> PersonName {
        PersonName(givenNames: n.givenNames.map { "voornaam-" + pseudonym("given", $0, length: 8) },
                   familyName: "achternaam-" + pseudonym("family", [n.prefix, n.familyName].compactMap { $0 }.joined(separator: " "), length: 8))
    }

    func address(_ a: Address) -> Address {
        Address(use: a.use, street: a.street.map { "straat-" + pseudonym("street", $0, length: 8) }, country: a.country,
                validFrom: a.validFrom, validUntil: a.validUntil)
    }

    func contact(_ c: ContactPoint) -> ContactPoint {
        let token = pseudonym("contact", c.value, length: 10)
        return ContactPoint(system: c.system, value: c.system == .email ? "\(token)@pseudonym.invalid" : "PSN-\(token)", use: c.use)
    }
}

