/// The canonical dossier XML Schema, kept byte-identical to `formats/dossier.xsd` (a test checks it).
///
/// Compiled into the binary because top-level folders cannot be SwiftPM resources.
enum XMLSchemaSource {
    static let dossierXSD = #"""
<?xml version="1.0" encoding="UTF-8"?>
<!-- Dossierport canonical dossier XML (urn:dossierport:dossier:1). Every field is an element named as its
     JSON key, in the model's declaration order; absent optionals are omitted; lists are a container element
     (written even when empty) holding one element per item. XML 1.0 cannot carry C0 control characters other
     than tab, LF and CR, nor U+FFFE/U+FFFF: dossiers holding them travel as JSON. Semantic rules (elfproef,
     references, date order) are checked by DossierValidator, not by this schema. -->
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:d="urn:dossierport:dossier:1"
           targetNamespace="urn:dossierport:dossier:1" elementFormDefault="qualified" version="1.0">

  <xs:element name="dossier" type="d:Dossier">
    <xs:annotation><xs:documentation>One dossier as a document of its own.</xs:documentation></xs:annotation>
  </xs:element>
  <xs:element name="dossiers">
    <xs:annotation><xs:documentation>Many dossiers in one document, for bulk export; read one dossier at a time.</xs:documentation></xs:annotation>
    <xs:complexType>
      <xs:sequence>
        <xs:element name="dossier" type="d:Dossier" minOccurs="0" maxOccurs="unbounded">
          <xs:annotation><xs:documentation>One dossier.</xs:documentation></xs:annotation>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>

  <xs:complexType name="Dossier">
    <xs:annotation><xs:documentation>Everything one controller holds about one client, in the canonical form every adapter produces and every writer consumes.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="schemaVersion" type="d:SchemaVersion">
        <xs:annotation><xs:documentation>Version of this format the dossier was written in.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of the dossier.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="controller" type="d:Controller">
        <xs:annotation><xs:documentation>The controller that holds the dossier.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="sourceSystem" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>The EPD the data came from, for GDPR art. 15's source.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="client" type="d:Client">
        <xs:annotation><xs:documentation>The client the dossier is about.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="representatives" type="d:RepresentativeList">
        <xs:annotation><xs:documentation>Legal representatives and authorised persons.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="referrals" type="d:ReferralList">
        <xs:annotation><xs:documentation>Referrals and entitlement decisions.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="insurances" type="d:InsuranceList">
        <xs:annotation><xs:documentation>Insurances and funding entitlements.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="consents" type="d:ConsentList">
        <xs:annotation><xs:documentation>Consents to share, including refused and withdrawn ones.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="objections" type="d:ObjectionList">
        <xs:annotation><xs:documentation>Objections the client made.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="progressReports" type="d:ProgressReportList">
        <xs:annotation><xs:documentation>Day-to-day progress notes (rapportage).</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="carePlans" type="d:CarePlanList">
        <xs:annotation><xs:documentation>Care plans.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="diagnoses" type="d:DiagnosisList">
        <xs:annotation><xs:documentation>Diagnoses.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="medicationAdministrations" type="d:MedicationAdministrationList">
        <xs:annotation><xs:documentation>Medication administration list lines.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="incidents" type="d:IncidentList">
        <xs:annotation><xs:documentation>Incident reports (MIC/MIM).</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="restrictiveMeasures" type="d:RestrictiveMeasureList">
        <xs:annotation><xs:documentation>Freedom-restricting measures (Wzd/Wvggz).</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="domesticViolenceReports" type="d:DomesticViolenceReportList">
        <xs:annotation><xs:documentation>Steps under the domestic-violence and child-abuse reporting code.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="workNotes" type="d:WorkNoteList">
        <xs:annotation><xs:documentation>Professionals' personal work notes.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="financialRecords" type="d:FinancialRecordList">
        <xs:annotation><xs:documentation>Declarations, invoices and payments.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="appointments" type="d:AppointmentList">
        <xs:annotation><xs:documentation>Appointments.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="documents" type="d:DocumentList">
        <xs:annotation><xs:documentation>Descriptions of binary documents whose bytes travel beside the dossier.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="corrections" type="d:CorrectionList">
        <xs:annotation><xs:documentation>Corrections and additions the client asked for (art. 16).</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="restrictions" type="d:RestrictionList">
        <xs:annotation><xs:documentation>Restrictions of processing the client asked for (art. 18).</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="accessLog" type="d:AccessLogList">
        <xs:annotation><xs:documentation>The access log (NEN 7513).</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Controller">
    <xs:annotation><xs:documentation>The controller that holds the dossier: who is answerable for it and whom a client writes to.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="name" type="xs:string">
        <xs:annotation><xs:documentation>Name of the care provider.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="kvkNumber" type="d:KvKNumber">
        <xs:annotation><xs:documentation>Kamer van Koophandel number.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="agbCode" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>AGB code of the care provider, when it has one.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="uraNumber" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>URA number used in Dutch health-data exchange, when it has one.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="dpo" type="d:ContactPerson">
        <xs:annotation><xs:documentation>The data protection officer (FG) and how to reach them.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="address" type="d:Address" minOccurs="0">
        <xs:annotation><xs:documentation>Postal or visiting address of the controller.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="ContactPerson">
    <xs:annotation><xs:documentation>A person and how to reach them.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="name" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Name of the person.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="email" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>E-mail address.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="phone" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Telephone number.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Client">
    <xs:annotation><xs:documentation>The client's personal details (seed 002 art. 9): who the dossier is about.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this client record, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="clientNumber" type="xs:string">
        <xs:annotation><xs:documentation>The source system's own client number, kept so a receiver can answer the sender about it.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="bsn" type="d:BSN" minOccurs="0">
        <xs:annotation><xs:documentation>Burgerservicenummer.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="name" type="d:PersonName">
        <xs:annotation><xs:documentation>The client's name in its Dutch parts.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="dateOfBirth" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Date of birth.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="placeOfBirth" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Place of birth.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="gender" type="d:Gender" minOccurs="0">
        <xs:annotation><xs:documentation>Administrative gender.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="civilStatus" type="d:CivilStatus" minOccurs="0">
        <xs:annotation><xs:documentation>Civil status.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="nationality" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Nationality.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="livingSituation" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Living situation, as the source describes it.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="addresses" type="d:AddressList">
        <xs:annotation><xs:documentation>Addresses of the client.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="contacts" type="d:ContactPointList">
        <xs:annotation><xs:documentation>Telephone numbers and e-mail addresses of the client.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="PersonName">
    <xs:annotation><xs:documentation>A Dutch name in its parts, plus the partner's name used in daily life (naamgebruik).</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="initials" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Initials, e.g. J.A.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="givenNames" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Given names in full.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="callName" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Roepnaam: the name the person is called by.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="prefix" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Tussenvoegsel: van, de, van der, ter.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="familyName" type="xs:string">
        <xs:annotation><xs:documentation>Family name without prefix, used for sorting and matching.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="partnerPrefix" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Prefix of the partner's family name.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="partnerFamilyName" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Partner's family name, when used in daily life.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Address">
    <xs:annotation><xs:documentation>An address with its use and validity period.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="use" type="d:AddressUse">
        <xs:annotation><xs:documentation>What the address is used for.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="street" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Street name.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="houseNumber" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>House number.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="houseNumberAddition" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Huisnummertoevoeging: A, bis, 2-hoog.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="postalCode" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Postal code: 1234 AB for Dutch addresses, as given for foreign ones.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="city" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>City or town.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="country" type="d:Country">
        <xs:annotation><xs:documentation>Country of the address.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="validFrom" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>First day the address is valid.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="validUntil" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Last day the address is valid.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="ContactPoint">
    <xs:annotation><xs:documentation>A telephone number or e-mail address.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="system" type="d:ContactSystem">
        <xs:annotation><xs:documentation>Kind of contact point.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="value" type="xs:string">
        <xs:annotation><xs:documentation>The number or address.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="use" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>What it is used for (home, work), as the source says.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="RecordMeta">
    <xs:annotation><xs:documentation>What every record carries besides its content: the facts that decide where it may go.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="category" type="d:RecordCategory">
        <xs:annotation><xs:documentation>Retention class of the record.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="provenance" type="d:Provenance">
        <xs:annotation><xs:documentation>Who supplied the data.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="legalBasis" type="d:LegalBasis">
        <xs:annotation><xs:documentation>GDPR art. 6(1) ground for processing.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="createdAt" type="d:Timestamp" minOccurs="0">
        <xs:annotation><xs:documentation>When the record was created in the source.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="author" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Who recorded it: a professional's name or code, the client, or a system name.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="retentionUntil" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>The date after which the record must be destroyed.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="restricted" type="d:Boolean">
        <xs:annotation><xs:documentation>The client had it blocked (afgeschermd, GDPR art. 18).</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="containsThirdPartyData" type="d:Boolean">
        <xs:annotation><xs:documentation>Names or describes third parties whose interests may justify withholding it (art. 15(4)).</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="source" type="d:SourceLocation" minOccurs="0">
        <xs:annotation><xs:documentation>Where the record came from in the source, so every value can be traced back.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="SourceLocation">
    <xs:annotation><xs:documentation>A place in a source: a file position, a table row, or an element path.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="file" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Source file name.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="line" type="d:Integer" minOccurs="0">
        <xs:annotation><xs:documentation>Line in the source file.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="column" type="d:Integer" minOccurs="0">
        <xs:annotation><xs:documentation>Column in the source line.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="table" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Table in a database dump.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="key" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Primary key of the row.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="entry" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>An entry inside a container: a zip member or an XML element path.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Representative">
    <xs:annotation><xs:documentation>A legal representative or authorised person (seed 002 art. 5).</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this representative, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="kind" type="d:RepresentativeKind">
        <xs:annotation><xs:documentation>Kind of representation.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="name" type="d:PersonName">
        <xs:annotation><xs:documentation>Name of the representative.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="relationship" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Relationship to the client.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="hasLegalAuthority" type="d:Boolean">
        <xs:annotation><xs:documentation>True for a curator, mentor, guardian or parent with authority: they may act for the client.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="validFrom" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>First day of the representation.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="validUntil" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Last day of the representation.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="address" type="d:Address" minOccurs="0">
        <xs:annotation><xs:documentation>Address of the representative.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="contacts" type="d:ContactPointList">
        <xs:annotation><xs:documentation>Telephone numbers and e-mail addresses of the representative.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="documentRef" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Id of the document holding a written authorisation or court decision.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Referral">
    <xs:annotation><xs:documentation>A referral or entitlement decision: GP letter, municipal beschikking (Jeugdwet, Wmo), CIZ (Wlz).</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this referral, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="referrerType" type="d:ReferrerType">
        <xs:annotation><xs:documentation>Who referred or decided.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="referrerName" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Name of the referrer.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="referrerCode" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>AGB code of the referring professional or organisation.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="framework" type="d:FundingFramework" minOccurs="0">
        <xs:annotation><xs:documentation>The law or scheme the referral falls under.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="decisionNumber" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Number of the decision (beschikking).</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="productCode" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Product code of the granted care.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="productDescription" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Description of the granted care.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="validFrom" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>First day of validity.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="validUntil" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Last day of validity.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Insurance">
    <xs:annotation><xs:documentation>An insurance or funding entitlement.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this insurance, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="framework" type="d:FundingFramework">
        <xs:annotation><xs:documentation>The law or scheme that pays.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="insurerName" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Name of the insurer or funder.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="insurerCode" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>UZOVI code of a health insurer.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="policyNumber" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Policy or membership number.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="validFrom" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>First day of cover.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="validUntil" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Last day of cover.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Consent">
    <xs:annotation><xs:documentation>Consent to share with a recipient (seed 002 art. 22); a withdrawal keeps the record, dated.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this consent, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="purpose" type="d:ConsentPurpose">
        <xs:annotation><xs:documentation>What the consent allows sharing for.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="recipient" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Who may receive the data.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="status" type="d:ConsentStatus">
        <xs:annotation><xs:documentation>Given, refused or withdrawn.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="givenBy" type="xs:string">
        <xs:annotation><xs:documentation>client, the id of the representative who gave it, or representative when that representative is not part of this export.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="givenOn" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Date the consent was given or refused.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="withdrawnOn" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Date the consent was withdrawn.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Objection">
    <xs:annotation><xs:documentation>A client's objection, notably to the transfer of their registration (seed 002 art. 27).</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this objection, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="scope" type="d:ObjectionScope">
        <xs:annotation><xs:documentation>What the client objects to.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="madeOn" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Date the objection was made.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="upheld" type="d:Boolean">
        <xs:annotation><xs:documentation>Whether the objection was upheld.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="ProgressReport">
    <xs:annotation><xs:documentation>Rapportage: a day-to-day progress note.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this progress report, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="recordedAt" type="d:Timestamp" minOccurs="0">
        <xs:annotation><xs:documentation>When the note was written.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="discipline" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Discipline of the author.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="text" type="xs:string">
        <xs:annotation><xs:documentation>The note itself.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="CarePlan">
    <xs:annotation><xs:documentation>A care plan with its goals.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this care plan, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="title" type="xs:string">
        <xs:annotation><xs:documentation>Title of the plan.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="startDate" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>First day of the plan.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="endDate" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Last day of the plan.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="goals" type="d:GoalList">
        <xs:annotation><xs:documentation>The goals of the plan.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="text" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Free text of the plan.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="agreedOn" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>The date the client (or representative) agreed to the plan.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Diagnosis">
    <xs:annotation><xs:documentation>A diagnosis in a coding system.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this diagnosis, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="system" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>The coding system: DSM-5, ICD-10, Omaha, or local.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="code" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Code in that system.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="description" type="xs:string">
        <xs:annotation><xs:documentation>Description of the diagnosis.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="diagnosedOn" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Date of diagnosis.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="resolvedOn" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Date the condition was resolved.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="MedicationAdministration">
    <xs:annotation><xs:documentation>One line of a medication administration list (kept 2 years, 15 after an incident).</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this administration, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="medication" type="xs:string">
        <xs:annotation><xs:documentation>Name of the medication.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="dose" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Dose.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="route" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Route of administration.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="scheduledAt" type="d:Timestamp" minOccurs="0">
        <xs:annotation><xs:documentation>When it was due.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="administeredAt" type="d:Timestamp" minOccurs="0">
        <xs:annotation><xs:documentation>When it was given.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="status" type="d:AdministrationStatus">
        <xs:annotation><xs:documentation>Outcome.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="note" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Remark.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Incident">
    <xs:annotation><xs:documentation>An incident report (MIC/MIM).</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this incident, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="occurredAt" type="d:Timestamp" minOccurs="0">
        <xs:annotation><xs:documentation>When the incident happened.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="type" type="xs:string">
        <xs:annotation><xs:documentation>MIC/MIM type: fall, medication, aggression, other.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="description" type="xs:string">
        <xs:annotation><xs:documentation>What happened.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="injury" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Injury caused.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="measures" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Measures taken.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="RestrictiveMeasure">
    <xs:annotation><xs:documentation>A freedom-restricting measure (Wzd/Wvggz): type, time, duration, reason, who, where.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this measure, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="type" type="xs:string">
        <xs:annotation><xs:documentation>Kind of measure.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="startedAt" type="d:Timestamp" minOccurs="0">
        <xs:annotation><xs:documentation>When the measure started.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="durationMinutes" type="d:Integer" minOccurs="0">
        <xs:annotation><xs:documentation>Duration in minutes.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="reason" type="xs:string">
        <xs:annotation><xs:documentation>Why the measure was taken.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="responsiblePerson" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Who was responsible.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="location" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Where it took place.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="legalFramework" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>The law it was taken under.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="DomesticViolenceReport">
    <xs:annotation><xs:documentation>A step taken under the domestic-violence and child-abuse reporting code (meldcode): very sensitive.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this report, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="date" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Date of the step.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="step" type="d:Integer" minOccurs="0">
        <xs:annotation><xs:documentation>Meldcode step 1 to 5.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="text" type="xs:string">
        <xs:annotation><xs:documentation>Account of the step.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="reportedToVeiligThuis" type="d:Boolean">
        <xs:annotation><xs:documentation>Whether a report was made to Veilig Thuis.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="WorkNote">
    <xs:annotation><xs:documentation>A professional's personal work note: not part of what a client may inspect (seed 002 art. 12.3).</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this work note, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="recordedAt" type="d:Timestamp" minOccurs="0">
        <xs:annotation><xs:documentation>When the note was written.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="text" type="xs:string">
        <xs:annotation><xs:documentation>The note itself.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="FinancialRecord">
    <xs:annotation><xs:documentation>A declaration, invoice or payment (kept 7 years, fiscal).</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this financial record, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="kind" type="d:FinancialKind">
        <xs:annotation><xs:documentation>Kind of financial record.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="number" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Invoice or declaration number.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="date" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Date of the record.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="periodStart" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>First day of the period it covers.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="periodEnd" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Last day of the period it covers.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="amount" type="d:Amount" minOccurs="0">
        <xs:annotation><xs:documentation>Amount.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="currency" type="d:Currency">
        <xs:annotation><xs:documentation>Currency of the amount; EUR in practice.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="status" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Status as the source names it.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="description" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Description.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Appointment">
    <xs:annotation><xs:documentation>An appointment.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this appointment, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="start" type="d:Timestamp" minOccurs="0">
        <xs:annotation><xs:documentation>Start of the appointment.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="end" type="d:Timestamp" minOccurs="0">
        <xs:annotation><xs:documentation>End of the appointment.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="kind" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Kind of appointment.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="professional" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Professional the appointment is with.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="location" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Where it takes place.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="status" type="d:AppointmentStatus">
        <xs:annotation><xs:documentation>State of the appointment.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Document">
    <xs:annotation><xs:documentation>A binary document (letter, referral letter, scanned form): described here, its bytes travel beside.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this document, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="title" type="xs:string">
        <xs:annotation><xs:documentation>Title of the document.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="kind" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Kind of document.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="mediaType" type="xs:string">
        <xs:annotation><xs:documentation>Media type of the bytes.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="fileName" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Original file name.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="size" type="d:Integer">
        <xs:annotation><xs:documentation>Size of the bytes.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="sha256" type="d:SHA256">
        <xs:annotation><xs:documentation>SHA-256 of the bytes, so a receiver can check each document on its own.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="path" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Path of the bytes relative to the root of the export that carries them (the folder of the dossier files, or a bundle data/ folder).</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="documentDate" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Date of the document.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Correction">
    <xs:annotation><xs:documentation>A correction or addition the client asked for (art. 16): kept beside the original, never over it.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this correction, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="targetRecord" type="xs:string">
        <xs:annotation><xs:documentation>The id of the record it concerns.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="field" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>The field it concerns.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="kind" type="d:CorrectionKind">
        <xs:annotation><xs:documentation>Correction, addition or statement.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="requestedOn" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Date of the request.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="text" type="xs:string">
        <xs:annotation><xs:documentation>What the client asked for.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="status" type="d:CorrectionStatus">
        <xs:annotation><xs:documentation>Decision on the request.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="decidedOn" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Date of the decision.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="Restriction">
    <xs:annotation><xs:documentation>A restriction of processing the client asked for (art. 18): which records, since when, why.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this restriction, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="targetRecords" type="d:TargetRecordList">
        <xs:annotation><xs:documentation>The ids of the records concerned; empty means the whole dossier.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="requestedOn" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Date of the request.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="until" type="d:Date" minOccurs="0">
        <xs:annotation><xs:documentation>Last day of the restriction.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="reason" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Why the restriction was asked for.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="active" type="d:Boolean">
        <xs:annotation><xs:documentation>Whether the restriction is in force.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="AccessLogEntry">
    <xs:annotation><xs:documentation>One line of the access log (NEN 7513): who did what to which record, when, from where, on whose behalf.</xs:documentation></xs:annotation>
    <xs:sequence>
      <xs:element name="id" type="xs:string">
        <xs:annotation><xs:documentation>Identifier of this log entry, unique within the dossier and stable across exports.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="at" type="d:Timestamp">
        <xs:annotation><xs:documentation>When the access happened.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="user" type="xs:string">
        <xs:annotation><xs:documentation>The user who acted.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="role" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Role of the user.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="responsibleUser" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>The responsible user on whose behalf the user acted, when different.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="organisation" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>Organisation of the user.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="action" type="d:AccessAction">
        <xs:annotation><xs:documentation>What was done.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="recordRef" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>The id of the record acted on; absent for the dossier as a whole.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="accessPoint" type="xs:string" minOccurs="0">
        <xs:annotation><xs:documentation>The workstation or network address the event came from.</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="emergency" type="d:Boolean">
        <xs:annotation><xs:documentation>Access under the emergency procedure (noodknop).</xs:documentation></xs:annotation>
      </xs:element>
      <xs:element name="meta" type="d:RecordMeta">
        <xs:annotation><xs:documentation>The facts that decide where this record may go: category, provenance, legal basis, retention.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="AddressList">
    <xs:sequence>
      <xs:element name="address" type="d:Address" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>An address.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="ContactPointList">
    <xs:sequence>
      <xs:element name="contact" type="d:ContactPoint" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A contact point.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="RepresentativeList">
    <xs:sequence>
      <xs:element name="representative" type="d:Representative" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A representative.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="ReferralList">
    <xs:sequence>
      <xs:element name="referral" type="d:Referral" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A referral.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="InsuranceList">
    <xs:sequence>
      <xs:element name="insurance" type="d:Insurance" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>An insurance.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="ConsentList">
    <xs:sequence>
      <xs:element name="consent" type="d:Consent" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A consent.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="ObjectionList">
    <xs:sequence>
      <xs:element name="objection" type="d:Objection" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>An objection.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="ProgressReportList">
    <xs:sequence>
      <xs:element name="progressReport" type="d:ProgressReport" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A progress note.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="CarePlanList">
    <xs:sequence>
      <xs:element name="carePlan" type="d:CarePlan" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A care plan.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="GoalList">
    <xs:sequence>
      <xs:element name="goal" type="xs:string" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A goal of the plan.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="DiagnosisList">
    <xs:sequence>
      <xs:element name="diagnosis" type="d:Diagnosis" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A diagnosis.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="MedicationAdministrationList">
    <xs:sequence>
      <xs:element name="medicationAdministration" type="d:MedicationAdministration" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A medication administration.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="IncidentList">
    <xs:sequence>
      <xs:element name="incident" type="d:Incident" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>An incident.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="RestrictiveMeasureList">
    <xs:sequence>
      <xs:element name="restrictiveMeasure" type="d:RestrictiveMeasure" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A restrictive measure.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="DomesticViolenceReportList">
    <xs:sequence>
      <xs:element name="domesticViolenceReport" type="d:DomesticViolenceReport" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A meldcode step.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="WorkNoteList">
    <xs:sequence>
      <xs:element name="workNote" type="d:WorkNote" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A work note.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="FinancialRecordList">
    <xs:sequence>
      <xs:element name="financialRecord" type="d:FinancialRecord" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A financial record.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="AppointmentList">
    <xs:sequence>
      <xs:element name="appointment" type="d:Appointment" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>An appointment.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="DocumentList">
    <xs:sequence>
      <xs:element name="document" type="d:Document" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A document description.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="CorrectionList">
    <xs:sequence>
      <xs:element name="correction" type="d:Correction" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A correction.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="RestrictionList">
    <xs:sequence>
      <xs:element name="restriction" type="d:Restriction" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A restriction.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="TargetRecordList">
    <xs:sequence>
      <xs:element name="targetRecord" type="xs:string" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>The id of a record concerned.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:complexType name="AccessLogList">
    <xs:sequence>
      <xs:element name="entry" type="d:AccessLogEntry" minOccurs="0" maxOccurs="unbounded">
        <xs:annotation><xs:documentation>A log entry.</xs:documentation></xs:annotation>
      </xs:element>
    </xs:sequence>
  </xs:complexType>

  <xs:simpleType name="Gender">
    <xs:annotation><xs:documentation>Administrative gender.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="male"/>
      <xs:enumeration value="female"/>
      <xs:enumeration value="other"/>
      <xs:enumeration value="unknown"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="CivilStatus">
    <xs:annotation><xs:documentation>Civil status.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="unmarried"/>
      <xs:enumeration value="married"/>
      <xs:enumeration value="registeredPartnership"/>
      <xs:enumeration value="divorced"/>
      <xs:enumeration value="widowed"/>
      <xs:enumeration value="unknown"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="AddressUse">
    <xs:annotation><xs:documentation>What an address is used for.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="home"/>
      <xs:enumeration value="postal"/>
      <xs:enumeration value="temporary"/>
      <xs:enumeration value="work"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="ContactSystem">
    <xs:annotation><xs:documentation>Kind of contact point.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="phone"/>
      <xs:enumeration value="mobile"/>
      <xs:enumeration value="email"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="RecordCategory">
    <xs:annotation><xs:documentation>Retention class of a record (seed 002 art. 17); each maps to a configurable term.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="care"/>
      <xs:enumeration value="financial"/>
      <xs:enumeration value="administrative"/>
      <xs:enumeration value="personal"/>
      <xs:enumeration value="log"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Provenance">
    <xs:annotation><xs:documentation>Who supplied the data; portability (GDPR art. 20) covers only client.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="client"/>
      <xs:enumeration value="professional"/>
      <xs:enumeration value="thirdParty"/>
      <xs:enumeration value="system"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="LegalBasis">
    <xs:annotation><xs:documentation>GDPR art. 6(1) ground; portability applies only to consent and contract.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="consent"/>
      <xs:enumeration value="contract"/>
      <xs:enumeration value="legalObligation"/>
      <xs:enumeration value="vitalInterests"/>
      <xs:enumeration value="publicTask"/>
      <xs:enumeration value="legitimateInterests"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="RepresentativeKind">
    <xs:annotation><xs:documentation>Kind of legal representative or authorised person.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="curator"/>
      <xs:enumeration value="mentor"/>
      <xs:enumeration value="parentWithAuthority"/>
      <xs:enumeration value="guardian"/>
      <xs:enumeration value="authorisedPerson"/>
      <xs:enumeration value="partner"/>
      <xs:enumeration value="child"/>
      <xs:enumeration value="sibling"/>
      <xs:enumeration value="other"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="ReferrerType">
    <xs:annotation><xs:documentation>Who referred the client or decided on the entitlement.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="generalPractitioner"/>
      <xs:enumeration value="municipality"/>
      <xs:enumeration value="ciz"/>
      <xs:enumeration value="medicalSpecialist"/>
      <xs:enumeration value="youthDoctor"/>
      <xs:enumeration value="court"/>
      <xs:enumeration value="selfReferral"/>
      <xs:enumeration value="other"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="FundingFramework">
    <xs:annotation><xs:documentation>The law or scheme that pays for the care.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="wlz"/>
      <xs:enumeration value="zvw"/>
      <xs:enumeration value="wmo"/>
      <xs:enumeration value="jeugdwet"/>
      <xs:enumeration value="pgb"/>
      <xs:enumeration value="selfPay"/>
      <xs:enumeration value="other"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="ConsentPurpose">
    <xs:annotation><xs:documentation>What a consent allows sharing for.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="shareWithGeneralPractitioner"/>
      <xs:enumeration value="shareWithPharmacy"/>
      <xs:enumeration value="shareWithSupervisor"/>
      <xs:enumeration value="shareWithReferrer"/>
      <xs:enumeration value="shareWithCIZ"/>
      <xs:enumeration value="shareWithInsurer"/>
      <xs:enumeration value="research"/>
      <xs:enumeration value="other"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="ConsentStatus">
    <xs:annotation><xs:documentation>State of a consent; a withdrawal keeps the record, dated.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="given"/>
      <xs:enumeration value="refused"/>
      <xs:enumeration value="withdrawn"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="ObjectionScope">
    <xs:annotation><xs:documentation>What a client objects to.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="transfer"/>
      <xs:enumeration value="processing"/>
      <xs:enumeration value="research"/>
      <xs:enumeration value="other"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="AdministrationStatus">
    <xs:annotation><xs:documentation>Outcome of one scheduled medication administration.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="given"/>
      <xs:enumeration value="refused"/>
      <xs:enumeration value="missed"/>
      <xs:enumeration value="withheld"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="FinancialKind">
    <xs:annotation><xs:documentation>Kind of financial record.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="invoice"/>
      <xs:enumeration value="declaration"/>
      <xs:enumeration value="payment"/>
      <xs:enumeration value="other"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="AppointmentStatus">
    <xs:annotation><xs:documentation>State of an appointment.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="planned"/>
      <xs:enumeration value="attended"/>
      <xs:enumeration value="noShow"/>
      <xs:enumeration value="cancelled"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="CorrectionKind">
    <xs:annotation><xs:documentation>Kind of request under GDPR art. 16.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="correction"/>
      <xs:enumeration value="addition"/>
      <xs:enumeration value="statement"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="CorrectionStatus">
    <xs:annotation><xs:documentation>Decision on a correction request.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="requested"/>
      <xs:enumeration value="accepted"/>
      <xs:enumeration value="rejected"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="AccessAction">
    <xs:annotation><xs:documentation>What was done in a logged access (NEN 7513).</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="view"/>
      <xs:enumeration value="create"/>
      <xs:enumeration value="update"/>
      <xs:enumeration value="delete"/>
      <xs:enumeration value="print"/>
      <xs:enumeration value="export"/>
      <xs:enumeration value="import"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="SchemaVersion">
    <xs:annotation><xs:documentation>Format version as major.minor; readers accept their own major with a minor not newer than theirs.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:pattern value="[0-9]+\.[0-9]+"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Date">
    <xs:annotation><xs:documentation>Calendar date without time zone, YYYY-MM-DD (ISO 8601).</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:pattern value="[0-9]{4}-[0-9]{2}-[0-9]{2}"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Timestamp">
    <xs:annotation><xs:documentation>RFC 3339 date-time with its UTC offset (Z for UTC), fraction only when non-zero.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:pattern value="[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+\-][0-9]{2}:[0-9]{2})"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="BSN">
    <xs:annotation><xs:documentation>Burgerservicenummer: nine digits (the elfproef is checked by dossierport validate, not here).</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:pattern value="[0-9]{9}"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="KvKNumber">
    <xs:annotation><xs:documentation>Kamer van Koophandel number: eight digits.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:pattern value="[0-9]{8}"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="SHA256">
    <xs:annotation><xs:documentation>Lower-case hexadecimal SHA-256 digest.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:pattern value="[0-9a-f]{64}"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Country">
    <xs:annotation><xs:documentation>ISO 3166-1 alpha-2 country code.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:pattern value="[A-Z]{2}"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Currency">
    <xs:annotation><xs:documentation>ISO 4217 currency code.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:pattern value="[A-Z]{3}"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Amount">
    <xs:annotation><xs:documentation>Amount of money as a decimal string with exactly two decimals; never a binary float.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string">
      <xs:pattern value="-?[0-9]{1,15}\.[0-9]{2}"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Integer">
    <xs:annotation><xs:documentation>Whole number in canonical decimal form (no plus sign, no leading zeros).</xs:documentation></xs:annotation>
    <xs:restriction base="xs:long">
      <xs:pattern value="0|-?[1-9][0-9]*"/>
    </xs:restriction>
  </xs:simpleType>

  <xs:simpleType name="Boolean">
    <xs:annotation><xs:documentation>true or false (the numeric forms 1 and 0 are not used).</xs:documentation></xs:annotation>
    <xs:restriction base="xs:boolean">
      <xs:pattern value="true|false"/>
    </xs:restriction>
  </xs:simpleType>
</xs:schema>

"""#
}
