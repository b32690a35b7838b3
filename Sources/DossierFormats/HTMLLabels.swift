import DossierModel

/// The language of a copy a person reads: Dutch by default, since the clients are Dutch.
public enum CopyLanguage: String, Hashable, Sendable, CaseIterable { case nl, en }

/// Human labels for model field names, section names and enumeration values, in both languages.
///
/// Kept as data in one table so a missing label falls back to the field's own name rather than
/// hiding the field: the copy must stay complete even when a translation is missing.
enum HTMLLabels {
    static func field(_ key: String, _ lang: CopyLanguage) -> String {
        guard let pair = fields[key] else { return key }
        return lang == .nl ? pair.0 : pair.1
    }

    static func value(_ raw: String, _ lang: CopyLanguage) -> String {
        guard lang == .nl, let nl = dutchValues[raw] else { return raw }
        return nl
    }

    static func section(_ e: Entity, _ lang: CopyLanguage) -> String { field(e.rawValue, lang) }

    static let fields: [String: (String, String)] = [
        // sections
        "client": ("Persoonsgegevens", "Personal details"),
        "representatives": ("Vertegenwoordigers en gemachtigden", "Representatives and authorised persons"),
        "referrals": ("Verwijzingen en beschikkingen", "Referrals and entitlements"),
        "insurances": ("Verzekering en financiering", "Insurance and funding"),
        "consents": ("Toestemmingen", "Consents"),
        "objections": ("Bezwaren", "Objections"),
        "progressReports": ("Rapportages", "Progress reports"),
        "carePlans": ("Zorgplannen", "Care plans"),
        "diagnoses": ("Diagnoses", "Diagnoses"),
        "medicationAdministrations": ("Toedienlijsten medicatie", "Medication administration"),
        "incidents": ("Incidenten", "Incidents"),
        "restrictiveMeasures": ("Vrijheidsbeperkende maatregelen", "Freedom-restricting measures"),
        "domesticViolenceReports": ("Meldcode huiselijk geweld en kindermishandeling", "Domestic-violence code reports"),
        "workNotes": ("Werkaantekeningen", "Work notes"),
        "financialRecords": ("Financiële gegevens", "Financial records"),
        "appointments": ("Afspraken en contacten", "Appointments and contacts"),
        "documents": ("Documenten", "Documents"),
        "corrections": ("Correcties en aanvullingen", "Corrections and additions"),
        "restrictions": ("Afgeschermde gegevens", "Restrictions"),
        "accessLog": ("Wie uw dossier heeft ingezien (logging)", "Who accessed your record (access log)"),
        // fields
        "id": ("Kenmerk", "Identifier"), "clientNumber": ("Cliëntnummer", "Client number"), "bsn": ("BSN", "BSN"),
        "name": ("Naam", "Name"), "initials": ("Voorletters", "Initials"), "givenNames": ("Voornamen", "Given names"),
        "callName": ("Roepnaam", "Call name"), "prefix": ("Tussenvoegsel", "Prefix"), "familyName": ("Achternaam", "Family name"),
        "partnerPrefix": ("Tussenvoegsel partner", "Partner's prefix"), "partnerFamilyName": ("Achternaam partner", "Partner's family name"),
        "dateOfBirth": ("Geboortedatum", "Date of birth"), "placeOfBirth": ("Geboorteplaats", "Place of birth"),
        "gender": ("Geslacht", "Gender"), "civilStatus": ("Burgerlijke staat", "Civil status"), "nationality": ("Nationaliteit", "Nationality"),
        "livingSituation": ("Woonsituatie", "Living situation"), "addresses": ("Adressen", "Addresses"), "address": ("Adres", "Address"),
        "contacts": ("Contactgegevens", "Contact details"), "use": ("Soort", "Use"), "street": ("Straat", "Street"),
        "houseNumber": ("Huisnummer", "House number"), "houseNumberAddition": ("Toevoeging", "Addition"),
        "postalCode": ("Postcode", "Postal code"), "city": ("Plaats", "City"), "country": ("Land", "Country"),
        "validFrom": ("Geldig vanaf", "Valid from"), "validUntil": ("Geldig tot", "Valid until"),
        "system": ("Systeem", "System"), "value": ("Waarde", "Value"), "kind": ("Soort", "Kind"),
        "relationship": ("Relatie", "Relationship"), "hasLegalAuthority": ("Wettelijk vertegenwoordiger", "Legal authority"),
        "documentRef": ("Bijbehorend document", "Related document"), "referrerType": ("Verwijzer (soort)", "Referrer type"),
        "referrerName": ("Verwijzer", "Referrer"), "referrerCode": ("AGB-code verwijzer", "Referrer AGB code"),
        "framework": ("Wet of regeling", "Framework"), "decisionNumber": ("Beschikkingsnummer", "Decision number"),
        "productCode": ("Productcode", "Product code"), "productDescription": ("Product", "Product"),
        "insurerName": ("Verzekeraar", "Insurer"), "insurerCode": ("UZOVI-code", "Insurer code"), "policyNumber": ("Polisnummer", "Policy number"),
        "purpose": ("Doel", "Purpose"), "recipient": ("Ontvanger", "Recipient"), "status": ("Status", "Status"),
        "givenBy": ("Gegeven door", "Given by"), "givenOn": ("Gegeven op", "Given on"), "withdrawnOn": ("Ingetrokken op", "Withdrawn on"),
        "scope": ("Reikwijdte", "Scope"), "madeOn": ("Gemaakt op", "Made on"), "upheld": ("Van kracht", "Upheld"),
        "recordedAt": ("Vastgelegd op", "Recorded at"), "discipline": ("Discipline", "Discipline"), "text": ("Tekst", "Text"),
        "title": ("Titel", "Title"), "startDate": ("Startdatum", "Start date"), "endDate": ("Einddatum", "End date"),
        "goals": ("Doelen", "Goals"), "agreedOn": ("Akkoord op", "Agreed on"), "code": ("Code", "Code"),
        "description": ("Omschrijving", "Description"), "diagnosedOn": ("Vastgesteld op", "Diagnosed on"), "resolvedOn": ("Afgesloten op", "Resolved on"),
        "medication": ("Medicatie", "Medication"), "dose": ("Dosis", "Dose"), "route": ("Toedieningsweg", "Route"),
        "scheduledAt": ("Gepland", "Scheduled"), "administeredAt": ("Toegediend", "Administered"), "note": ("Opmerking", "Note"),
        "occurredAt": ("Tijdstip", "Occurred at"), "type": ("Soort", "Type"), "injury": ("Letsel", "Injury"), "measures": ("Maatregelen", "Measures"),
        "startedAt": ("Begonnen", "Started"), "durationMinutes": ("Duur (minuten)", "Duration (minutes)"), "reason": ("Reden", "Reason"),
        "responsiblePerson": ("Verantwoordelijke", "Responsible person"), "location": ("Locatie", "Location"),
        "legalFramework": ("Wettelijk kader", "Legal framework"), "date": ("Datum", "Date"), "step": ("Stap", "Step"),
        "reportedToVeiligThuis": ("Gemeld bij Veilig Thuis", "Reported to Veilig Thuis"), "number": ("Nummer", "Number"),
        "periodStart": ("Periode vanaf", "Period start"), "periodEnd": ("Periode tot", "Period end"), "amount": ("Bedrag", "Amount"),
        "currency": ("Valuta", "Currency"), "start": ("Begin", "Start"), "end": ("Einde", "End"), "professional": ("Zorgverlener", "Professional"),
        "mediaType": ("Bestandstype", "Media type"), "fileName": ("Bestandsnaam", "File name"), "size": ("Grootte (bytes)", "Size (bytes)"),
        "sha256": ("Controlegetal (SHA-256)", "Checksum (SHA-256)"), "path": ("Bestand", "File"), "documentDate": ("Documentdatum", "Document date"),
        "targetRecord": ("Betreft", "Concerns"), "field": ("Veld", "Field"), "requestedOn": ("Gevraagd op", "Requested on"),
        "decidedOn": ("Besloten op", "Decided on"), "targetRecords": ("Betreft", "Concerns"), "until": ("Tot", "Until"),
        "active": ("Actief", "Active"), "at": ("Tijdstip", "Time"), "user": ("Gebruiker", "User"), "role": ("Rol", "Role"),
        "responsibleUser": ("Verantwoordelijke gebruiker", "Responsible user"), "organisation": ("Organisatie", "Organisation"),
        "action": ("Handeling", "Action"), "recordRef": ("Gegeven", "Record"), "accessPoint": ("Werkplek", "Access point"),
        "emergency": ("Noodprocedure", "Emergency access"),
        "meta": ("Over dit gegeven", "About this record"), "category": ("Categorie", "Category"), "provenance": ("Herkomst", "Provenance"),
        "legalBasis": ("Grondslag", "Legal basis"), "createdAt": ("Aangemaakt", "Created"), "author": ("Vastgelegd door", "Recorded by"),
        "retentionUntil": ("Bewaard tot", "Kept until"), "restricted": ("Afgeschermd", "Restricted"),
        "containsThirdPartyData": ("Bevat gegevens over anderen", "Contains third-party data"), "source": ("Bron", "Source"),
        "file": ("Bestand", "File"), "line": ("Regel", "Line"), "column": ("Kolom", "Column"), "table": ("Tabel", "Table"),
        "key": ("Sleutel", "Key"), "entry": ("Onderdeel", "Entry"),
    ]

    /// Fields whose values are enumeration cases or booleans, and so may be translated.
    static let enumFields: Set<String> = [
        "gender", "civilStatus", "use", "system", "kind", "referrerType", "framework", "purpose", "status",
        "scope", "action", "category", "provenance", "legalBasis", "hasLegalAuthority", "upheld",
        "reportedToVeiligThuis", "active", "emergency", "restricted", "containsThirdPartyData",
    ]

    static let dutchValues: [String: String] = [
        "true": "ja", "false": "nee",
        "male": "man", "female": "vrouw", "other": "anders", "unknown": "onbekend",
        "unmarried": "ongehuwd", "married": "gehuwd", "registeredPartnership": "geregistreerd partnerschap",
        "divorced": "gescheiden", "widowed": "weduwe/weduwnaar",
        "home": "woonadres", "postal": "postadres", "temporary": "tijdelijk adres", "work": "werk",
        "phone": "telefoon", "mobile": "mobiel", "email": "e-mail",
        "curator": "curator", "mentor": "mentor", "parentWithAuthority": "ouder met gezag", "guardian": "voogd",
        "authorisedPerson": "schriftelijk gemachtigde", "partner": "partner", "child": "kind", "sibling": "broer/zus",
        "generalPractitioner": "huisarts", "municipality": "gemeente", "ciz": "CIZ", "medicalSpecialist": "medisch specialist",
        "youthDoctor": "jeugdarts", "court": "rechter", "selfReferral": "eigen aanmelding",
        "wlz": "Wlz", "zvw": "Zvw", "wmo": "Wmo", "jeugdwet": "Jeugdwet", "pgb": "pgb", "selfPay": "eigen betaling",
        "shareWithGeneralPractitioner": "delen met huisarts", "shareWithPharmacy": "delen met apotheek",
        "shareWithSupervisor": "delen met toezichthouder", "shareWithReferrer": "delen met verwijzer",
        "shareWithCIZ": "delen met CIZ", "shareWithInsurer": "delen met verzekeraar", "research": "onderzoek",
        "given": "gegeven", "refused": "geweigerd", "withdrawn": "ingetrokken", "missed": "gemist", "withheld": "niet gegeven",
        "transfer": "overdracht", "processing": "verwerking",
        "invoice": "factuur", "declaration": "declaratie", "payment": "betaling",
        "planned": "gepland", "attended": "verschenen", "noShow": "niet verschenen", "cancelled": "geannuleerd",
        "correction": "correctie", "addition": "aanvulling", "statement": "eigen verklaring",
        "requested": "aangevraagd", "accepted": "toegekend", "rejected": "afgewezen",
        "view": "ingezien", "create": "aangemaakt", "update": "gewijzigd", "delete": "verwijderd", "print": "afgedrukt",
        "export": "geëxporteerd", "import": "geïmporteerd",
        "care": "zorg", "financial": "financieel", "administrative": "administratief", "personal": "persoonlijk", "log": "logging",
        "client": "uzelf", "professional": "zorgverlener", "thirdParty": "derde", "system": "systeem",
        "consent": "toestemming", "contract": "overeenkomst", "legalObligation": "wettelijke plicht",
        "vitalInterests": "vitaal belang", "publicTask": "publieke taak", "legitimateInterests": "gerechtvaardigd belang",
    ]
}
