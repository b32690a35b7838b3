/// The client's personal details (seed 002 art. 9): who the dossier is about.
public struct Client: DossierRecord {
    public var id: String
    /// The source system's own client number, kept so a receiver can answer the sender about it.
    public var clientNumber: String
    public var bsn: BSN?
    public var name: PersonName
    public var dateOfBirth: LocalDate?
    public var placeOfBirth: String?
    public var gender: Gender?
    public var civilStatus: CivilStatus?
    public var nationality: String?
    public var livingSituation: String?
    public var addresses: [Address] = []
    public var contacts: [ContactPoint] = []
    public var meta: RecordMeta

    public init(id: String, clientNumber: String, name: PersonName, meta: RecordMeta) {
        self.id = id; self.clientNumber = clientNumber; self.name = name; self.meta = meta
    }
}

/// A Dutch name in its parts: "J.A." "Jan Arie" "van der" "Berg", plus the partner's name used in
/// daily life ("naamgebruik"), because sorting and matching work on the family name without prefix.
public struct PersonName: Hashable, Sendable, Codable {
    public var initials: String?
    public var givenNames: String?
    /// Roepnaam: the name the person is called by.
    public var callName: String?
    /// Tussenvoegsel: "van", "de", "van der", "ter".
    public var prefix: String?
    public var familyName: String
    public var partnerPrefix: String?
    public var partnerFamilyName: String?

    public init(initials: String? = nil, givenNames: String? = nil, callName: String? = nil,
                prefix: String? = nil, familyName: String, partnerPrefix: String? = nil,
                partnerFamilyName: String? = nil) {
        self.initials = initials; self.givenNames = givenNames; self.callName = callName
        self.prefix = prefix; self.familyName = familyName
        self.partnerPrefix = partnerPrefix; self.partnerFamilyName = partnerFamilyName
    }

    /// "J.A. van der Berg": the form letters use.
    public var formal: String {
        [initials, prefix, familyName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}

public enum Gender: String, Hashable, Sendable, Codable, CaseIterable { case male, female, other, unknown }

public enum CivilStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case unmarried, married, registeredPartnership, divorced, widowed, unknown
}

public struct Address: Hashable, Sendable, Codable {
    public var use: AddressUse
    public var street: String?
    public var houseNumber: String?
    /// Huisnummertoevoeging: "A", "bis", "2-hoog".
    public var houseNumberAddition: String?
    /// `1234 AB` for Dutch addresses (see `DutchPostalCode`); as given for foreign ones.
    public var postalCode: String?
    public var city: String?
    /// ISO 3166-1 alpha-2.
    public var country: String
    public var validFrom: LocalDate?
    public var validUntil: LocalDate?

    public init(use: AddressUse = .home, street: String? = nil, houseNumber: String? = nil,
                houseNumberAddition: String? = nil, postalCode: String? = nil, city: String? = nil,
                country: String = "NL", validFrom: LocalDate? = nil, validUntil: LocalDate? = nil) {
        self.use = use; self.street = street; self.houseNumber = houseNumber
        self.houseNumberAddition = houseNumberAddition; self.postalCode = postalCode; self.city = city
        self.country = country; self.validFrom = validFrom; self.validUntil = validUntil
    }
}

public enum AddressUse: String, Hashable, Sendable, Codable, CaseIterable { case home, postal, temporary, work }

public struct ContactPoint: Hashable, Sendable, Codable {
    public var system: ContactSystem
    public var value: String
    public var use: String?

    public init(system: ContactSystem, value: String, use: String? = nil) {
        self.system = system; self.value = value; self.use = use
    }
}

public enum ContactSystem: String, Hashable, Sendable, Codable, CaseIterable { case phone, mobile, email }

/// The controller that holds the dossier: who is answerable for it and whom a client writes to.
public struct Controller: Hashable, Sendable, Codable {
    public var name: String
    /// Kamer van Koophandel: 8 digits.
    public var kvkNumber: String
    /// AGB code of the care provider, when it has one.
    public var agbCode: String?
    /// URA number used in Dutch health-data exchange, when it has one.
    public var uraNumber: String?
    /// The data protection officer (FG) and how to reach them.
    public var dpo: ContactPerson
    public var address: Address?

    public init(name: String, kvkNumber: String, agbCode: String? = nil, uraNumber: String? = nil,
                dpo: ContactPerson, address: Address? = nil) {
        self.name = name; self.kvkNumber = kvkNumber; self.agbCode = agbCode; self.uraNumber = uraNumber
        self.dpo = dpo; self.address = address
    }
}

public struct ContactPerson: Hashable, Sendable, Codable {
    public var name: String?
    public var email: String?
    public var phone: String?
    public init(name: String? = nil, email: String? = nil, phone: String? = nil) {
        self.name = name; self.email = email; self.phone = phone
    }
}
