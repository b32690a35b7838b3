import DossierFormats
import DossierIO
import DossierModel
import DossierXML
import Foundation
import Testing

/// A dossier with every section non-empty and every optional field set, and text that tests the
/// escaping: diacritics, emoji, markup characters, CR/LF/tab, edge whitespace, the top code point.
enum XMLSample {
    static let awkward = "Cli\u{EB}nt Zo\u{EB} \u{FC} \u{1F600} \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467} &<>\"' ]]> a\r\nb\tc\rd\n\u{85}\u{FFFD}\u{10FFFF}"

    static func ts(_ s: String) -> Timestamp { Timestamp(rfc3339: s)! }
    static func date(_ s: String) -> LocalDate { LocalDate(iso: s)! }

    static func meta(_ i: Int, _ category: RecordCategory = .care) -> RecordMeta {
        RecordMeta(category: category, provenance: .professional, legalBasis: .legalObligation,
                   createdAt: ts("2024-03-0\(i % 9 + 1)T09:30:00.12345+01:00"), author: "Zo\u{EB} de Vries-\(i)",
                   retentionUntil: date("2039-12-31"), restricted: i % 2 == 0, containsThirdPartyData: i % 3 == 0,
                   source: SourceLocation(file: "export.sql", line: 100 + i, column: 3, table: "rapportage", key: "\(i)", entry: "dump/\(i)"))
    }

    static func name(_ family: String) -> PersonName {
        PersonName(initials: "J.A.", givenNames: "Jan Arie", callName: "Jan", prefix: "van der", familyName: family,
                   partnerPrefix: "de", partnerFamilyName: "M\u{FC}ller")
    }

    static func address(_ use: AddressUse) -> Address {
        Address(use: use, street: "Stra\u{DF}e & Laan", houseNumber: "12", houseNumberAddition: "bis", postalCode: "1234 AB",
                city: "'s-Hertogenbosch", country: "NL", validFrom: date("2020-01-01"), validUntil: date("2030-12-31"))
    }

    /// Variant `n` differs in ids and a few values, for multi-dossier streams.
    static func dossier(_ n: Int = 0) -> Dossier {
        let controller = Controller(name: "Zorg & Co <B.V.>", kvkNumber: "12345678", agbCode: "12345678", uraNumber: "90000001",
                                    dpo: ContactPerson(name: "F. G\u{FC}nther", email: "fg@zorg.example", phone: "+31 30 123 4567"),
                                    address: address(.postal))
        var client = Client(id: "c\(n)", clientNumber: "CL-\(n)", name: name("Berg"), meta: meta(1, .personal))
        client.bsn = BSN("123456782")
        client.dateOfBirth = date("1950-02-28")
        client.placeOfBirth = "Zo\u{EB}terwoude"
        client.gender = .female
        client.civilStatus = .registeredPartnership
        client.nationality = "NL"
        client.livingSituation = "  alone, with dog  "
        client.addresses = [address(.home), address(.temporary)]
        client.contacts = [ContactPoint(system: .email, value: "zoe@example.org", use: "home"), ContactPoint(system: .mobile, value: "+31 6 12345678")]
        var d = Dossier(id: "d\(n)", controller: controller, client: client, sourceSystem: "Ons \u{2014} export")

        var rep = Representative(id: "r\(n)", kind: .curator, name: name("Jansen"), meta: meta(2))
        rep.relationship = "curator"; rep.hasLegalAuthority = true; rep.validFrom = date("2021-01-01"); rep.validUntil = date("2031-01-01")
        rep.address = address(.home); rep.contacts = [ContactPoint(system: .phone, value: "030-1234567", use: "work")]; rep.documentRef = "doc\(n)"
        d.representatives = [rep]

        var ref = Referral(id: "ref\(n)", referrerType: .municipality, meta: meta(3, .administrative))
        ref.referrerName = "Gemeente Utrecht"; ref.referrerCode = "0344"; ref.framework = .wmo; ref.decisionNumber = "B-\(n)"
        ref.productCode = "07A08"; ref.productDescription = "Begeleiding <individueel>"; ref.validFrom = date("2024-01-01"); ref.validUntil = date("2024-12-31")
        d.referrals = [ref]

        var ins = Insurance(id: "ins\(n)", framework: .zvw, meta: meta(4, .administrative))
        ins.insurerName = "Zilveren Kruis"; ins.insurerCode = "3311"; ins.policyNumber = "P-1"; ins.validFrom = date("2024-01-01"); ins.validUntil = date("2024-12-31")
        d.insurances = [ins]

        var consent = Consent(id: "con\(n)", purpose: .shareWithGeneralPractitioner, status: .withdrawn, givenBy: "r\(n)", meta: meta(5))
        consent.recipient = "Huisarts"; consent.givenOn = date("2024-01-02"); consent.withdrawnOn = date("2024-06-01")
        d.consents = [consent]

        var objection = Objection(id: "obj\(n)", scope: .transfer, meta: meta(6))
        objection.madeOn = date("2024-02-02"); objection.upheld = false
        d.objections = [objection]

        var report = ProgressReport(id: "pr\(n)", meta: meta(7))
        report.recordedAt = ts("2024-03-01T09:30:00Z"); report.discipline = "verpleging"; report.text = awkward
        var report2 = ProgressReport(id: "pr\(n)b", meta: meta(8))
        report2.recordedAt = ts("2024-03-01T23:59:59.5-05:30"); report2.discipline = "   "; report2.text = ""
        d.progressReports = [report, report2]

        var plan = CarePlan(id: "cp\(n)", meta: meta(9))
        plan.title = "Zorgplan \u{2018}2024\u{2019}"; plan.startDate = date("2024-01-01"); plan.endDate = date("2024-12-31")
        plan.goals = ["Zelfstandig wonen", awkward, ""]; plan.text = "Plan\r\ntext"; plan.agreedOn = date("2024-01-15")
        d.carePlans = [plan]

        var diagnosis = Diagnosis(id: "dx\(n)", meta: meta(10))
        diagnosis.system = "DSM-5"; diagnosis.code = "F32.1"; diagnosis.description = "Depressie, matig"; diagnosis.diagnosedOn = date("2023-05-05"); diagnosis.resolvedOn = date("2024-05-05")
        d.diagnoses = [diagnosis]

        var med = MedicationAdministration(id: "med\(n)", status: .given, meta: meta(11))
        med.medication = "Paracetamol 500 mg"; med.dose = "1 tablet"; med.route = "oraal"
        med.scheduledAt = ts("2024-03-01T08:00:00+01:00"); med.administeredAt = ts("2024-03-01T08:05:00+01:00"); med.note = "met water"
        d.medicationAdministrations = [med]

        var incident = Incident(id: "inc\(n)", meta: meta(12))
        incident.occurredAt = ts("2024-03-02T14:00:00+01:00"); incident.type = "fall"; incident.description = "Gevallen in de badkamer"
        incident.injury = "blauwe plek"; incident.measures = "antislipmat"
        d.incidents = [incident]

        var measure = RestrictiveMeasure(id: "rm\(n)", meta: meta(13))
        measure.type = "afzondering"; measure.startedAt = ts("2024-03-03T10:00:00+01:00"); measure.durationMinutes = 45 + n
        measure.reason = "ernstig nadeel"; measure.responsiblePerson = "Wzd-functionaris"; measure.location = "kamer 3"; measure.legalFramework = "Wzd"
        d.restrictiveMeasures = [measure]

        var dv = DomesticViolenceReport(id: "dv\(n)", meta: meta(14))
        dv.date = date("2024-03-04"); dv.step = 2; dv.text = "Collegiale consultatie"; dv.reportedToVeiligThuis = true
        d.domesticViolenceReports = [dv]

        var note = WorkNote(id: "wn\(n)", meta: meta(15))
        note.recordedAt = ts("2024-03-05T16:00:00+01:00"); note.text = "Persoonlijke werkaantekening\t\u{1F4DD}"
        d.workNotes = [note]

        var fin = FinancialRecord(id: "fin\(n)", kind: .invoice, meta: meta(16, .financial))
        fin.number = "F-2024-\(n)"; fin.date = date("2024-04-01"); fin.periodStart = date("2024-03-01"); fin.periodEnd = date("2024-03-31")
        fin.amount = Amount(cents: -123_456 - Int64(n)); fin.currency = "EUR"; fin.status = "betaald"; fin.description = "Maart"
        d.financialRecords = [fin]

        var appointment = Appointment(id: "ap\(n)", status: .noShow, meta: meta(17))
        appointment.start = ts("2024-03-06T10:00:00+01:00"); appointment.end = ts("2024-03-06T11:00:00+01:00")
        appointment.kind = "intake"; appointment.professional = "dr. \u{D8}sterberg"; appointment.location = "Utrecht"
        d.appointments = [appointment]

        var doc = Document(id: "doc\(n)", meta: meta(18))
        doc.title = "Beschikking"; doc.kind = "besluit"; doc.mediaType = "application/pdf"; doc.fileName = "beschikking \u{EB}.pdf"
        doc.size = 12_345; doc.sha256 = String(repeating: "ab", count: 32); doc.path = "documents/doc\(n).pdf"; doc.documentDate = date("2024-01-01")
        d.documents = [doc]

        var correction = Correction(id: "cor\(n)", targetRecord: "pr\(n)", kind: .addition, status: .accepted, meta: meta(19))
        correction.field = "text"; correction.requestedOn = date("2024-04-02"); correction.text = "Aanvulling van de cli\u{EB}nt"; correction.decidedOn = date("2024-04-20")
        d.corrections = [correction]

        var restriction = Restriction(id: "res\(n)", meta: meta(20))
        restriction.targetRecords = ["pr\(n)", "wn\(n)"]; restriction.requestedOn = date("2024-05-01"); restriction.until = date("2025-05-01")
        restriction.reason = "bezwaar"; restriction.active = false
        d.restrictions = [restriction]

        var log = AccessLogEntry(id: "log\(n)", at: ts("2024-05-02T12:00:00.000000001Z"), user: "u123", action: .import, meta: meta(21, .log))
        log.role = "verpleegkundige"; log.responsibleUser = "u1"; log.organisation = "Zorg & Co"; log.recordRef = "pr\(n)"
        log.accessPoint = "10.0.0.7"; log.emergency = true
        d.accessLog = [log, AccessLogEntry(id: "log\(n)b", at: ts("2024-05-03T12:00:00Z"), user: "u124", action: .view, meta: meta(22, .log))]
        return d
    }

    /// The least a dossier can hold: optionals nil, sections empty.
    static var minimal: Dossier {
        Dossier(id: "m", controller: Controller(name: "C", kvkNumber: "87654321", dpo: ContactPerson()),
                client: Client(id: "c", clientNumber: "1", name: PersonName(familyName: "X"),
                               meta: RecordMeta(category: .personal, provenance: .client, legalBasis: .contract)))
    }
}

let xmlPackageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

func xmlTemporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dossierformats-xml-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

/// The `DossierError` `body` throws; records an issue when it throws nothing or something else.
func xmlError(_ body: () throws -> Void) -> DossierError? {
    do {
        try body()
        Issue.record("expected a DossierError, nothing was thrown")
    } catch let e as DossierError {
        return e
    } catch {
        Issue.record("expected a DossierError, got \(error)")
    }
    return nil
}

@Suite struct XMLFormatTests {
    @Test func roundTripIsExactAndReencodesByteForByte() throws {
        for original in [XMLSample.dossier(), XMLSample.minimal] {
            let bytes = try DossierXMLFormat.encode(original)
            let decoded = try DossierXMLFormat.decode(bytes, file: "sample.xml")
            #expect(decoded == original)
            #expect(try DossierXMLFormat.encode(decoded) == bytes)
        }
    }

    /// `verify` takes an XML form that is byte for byte the writer's output without parsing it;
    /// anything else, however close, must not be taken as the writer's.
    @Test func isEncodingRecognisesTheWritersBytesAndNothingElse() throws {
        for original in [XMLSample.dossier(), XMLSample.minimal] {
            let bytes = try DossierXMLFormat.encode(original)
            #expect(DossierXMLFormat.isEncoding(of: original, bytes))
            #expect(!DossierXMLFormat.isEncoding(of: original, Array(bytes.dropLast())), "cut short")
            #expect(!DossierXMLFormat.isEncoding(of: original, bytes + [0x0A]), "a byte more")
            #expect(!DossierXMLFormat.isEncoding(of: original, []))
            for i in [0, bytes.count / 2, bytes.count - 1] {
                var changed = bytes
                changed[i] ^= 0x01
                #expect(!DossierXMLFormat.isEncoding(of: original, changed), "byte \(i) changed")
            }
            var other = original
            other.id += "x"
            #expect(!DossierXMLFormat.isEncoding(of: other, bytes), "another dossier")
        }
        // A dossier the writer refuses (XML 1.0 cannot carry U+0001) matches no bytes.
        var refused = XMLSample.minimal
        refused.client.name.familyName = "a\u{1}b"
        #expect(!DossierXMLFormat.isEncoding(of: refused, try DossierXMLFormat.encode(XMLSample.minimal)))
    }

    @Test func layoutFollowsTheModel() throws {
        let bytes = try DossierXMLFormat.encode(XMLSample.dossier())
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<dossier xmlns=\"urn:dossierport:dossier:1\">\n  <schemaVersion>1.0</schemaVersion>\n"))
        #expect(text.hasSuffix("</accessLog>\n</dossier>\n"))
        #expect(text.contains("\n  <progressReports>\n    <progressReport>\n      <id>pr0</id>\n"))
        #expect(text.contains("<text>Cli\u{EB}nt Zo\u{EB} \u{FC} \u{1F600} \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467} &amp;&lt;&gt;\"' ]]&gt; a&#xD;\nb\tc&#xD;d\n"))
        #expect(text.contains("<accessLog>\n    <entry>\n"))
        #expect(text.contains("<goals>\n        <goal>Zelfstandig wonen</goal>\n"))
        #expect(text.contains("<goal></goal>\n"))
        #expect(text.contains("<targetRecords>\n        <targetRecord>pr0</targetRecord>\n"))
        #expect(text.contains("<restricted>true</restricted>") && text.contains("<amount>-1234.56</amount>"))

        // Fields in declaration order, nil optionals absent, empty lists present.
        let root = try ParsedXMLDocument.parse(bytes, file: nil).root()
        #expect(root.elements.map(\.localName) == ["schemaVersion", "id", "controller", "sourceSystem", "client"] + Entity.allCases.dropFirst().map(\.rawValue))
        let minimal = try ParsedXMLDocument.parse(try DossierXMLFormat.encode(XMLSample.minimal), file: nil).root()
        #expect(!minimal.elements.contains { $0.localName == "sourceSystem" })
        #expect(minimal.elements.first { $0.localName == "representatives" }?.children.isEmpty == true)
    }

    @Test func streamOfDossiersRoundTrips() throws {
        let dir = try xmlTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bulk.xml").path
        let originals = (0..<5).map { XMLSample.dossier($0) } + [XMLSample.minimal]
        try AtomicFile.write(to: path) { sink in
            let writer = try DossierXMLStreamWriter(sink: sink)
            for d in originals { try writer.append(d) }
            try writer.finish()
        }
        let reader = try DossierXMLReader(path: path)
        var read: [Dossier] = []
        while let d = try reader.next() { read.append(d) }
        #expect(read == originals)

        // A dossier inside the stream is written exactly as on its own, one level deeper (the
        // minimal one: multi-line text is not indented, so a line-wise comparison needs none).
        let bulk = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        let single = String(decoding: try DossierXMLFormat.encode(originals[5]), as: UTF8.self)
            .split(separator: "\n").dropFirst().map { "  " + $0 }.joined(separator: "\n")
            .replacingOccurrences(of: " xmlns=\"urn:dossierport:dossier:1\"", with: "")
        #expect(bulk.contains(single + "\n"))
        #expect(DossierXMLFormat.validate(Array(bulk.utf8), file: path).isEmpty)
        #expect(DossierXMLFormat.validate(path: path).isEmpty)
    }

    @Test func emptyStreamAndSingleDocumentStream() throws {
        let sink = MemorySink()
        try DossierXMLStreamWriter(sink: sink).finish()
        #expect(String(decoding: sink.bytes, as: UTF8.self) == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<dossiers xmlns=\"urn:dossierport:dossier:1\"/>\n")
        #expect(DossierXMLFormat.validate(sink.bytes, file: nil).isEmpty)

        let dir = try xmlTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("one.xml").path
        try AtomicFile.write(try DossierXMLFormat.encode(XMLSample.dossier(7)), to: path)
        let reader = try DossierXMLReader(path: path)
        #expect(try reader.next() == XMLSample.dossier(7))
        #expect(try reader.next() == nil)
    }

    @Test func schemaFileMatchesTheCompiledInCopy() throws {
        let file = try Data(contentsOf: xmlPackageRoot.appendingPathComponent("formats/dossier.xsd"))
        #expect([UInt8](file) == Array(DossierXMLFormat.schemaText.utf8))
        _ = try DossierXMLFormat.schema()
    }

    @Test func schemaAcceptsWriterOutput() throws {
        let dir = try xmlTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (i, d) in [XMLSample.dossier(), XMLSample.minimal].enumerated() {
            let bytes = try DossierXMLFormat.encode(d)
            #expect(DossierXMLFormat.validate(bytes, file: "w\(i).xml") == [])
            let path = dir.appendingPathComponent("w\(i).xml")
            try Data(bytes).write(to: path)
            if let result = try xmllint(path.path) {
                #expect(result.status == 0, "xmllint: \(result.output)")
                #expect(result.output.contains("validates"))
            }
        }
    }

    @Test func schemaRejectsABrokenDocumentWithLineAndReason() throws {
        var lines = String(decoding: try DossierXMLFormat.encode(XMLSample.dossier()), as: UTF8.self).components(separatedBy: "\n")
        let kvk = try #require(lines.firstIndex { $0.contains("<kvkNumber>") })
        lines[kvk] = "    <kvkNumber>1234</kvkNumber>"
        let bsn = try #require(lines.firstIndex { $0.contains("<bsn>") })
        lines.insert("    <nickname>Zo</nickname>", at: bsn + 1)
        let found = DossierXMLFormat.validate(Array(lines.joined(separator: "\n").utf8), file: "broken.xml")
        #expect(found.count == 2)
        #expect(found.map { $0.location?.line } == [kvk + 1, bsn + 2])
        #expect(found.allSatisfy { $0.code == XMLErrorCode.schema && $0.location?.file == "broken.xml" })
        #expect(found[0].message.contains("kvkNumber") && found[0].message.contains("pattern") && !found[0].message.contains("1234'"))
        #expect(found[1].message.contains("nickname") && found[1].message.contains("not expected"))
        #expect(found[0].description.hasPrefix("broken.xml:\(kvk + 1): error: xmlSchemaValidateDoc: "))

        // Streamed validation finds the same problems at the same lines.
        let dir = try xmlTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("broken.xml").path
        try AtomicFile.write(Array(lines.joined(separator: "\n").utf8), to: path)
        let streamed = DossierXMLFormat.validate(path: path)
        #expect(streamed.map { $0.location?.line } == [kvk + 1, bsn + 2])
        #expect(streamed.map { $0.message.replacingOccurrences(of: "xmlTextReaderRead", with: "xmlSchemaValidateDoc") } == found.map(\.message))
    }

    @Test func validateReportsUnsafeInputAsOneDiagnostic() throws {
        let xxe = try Data(contentsOf: xmlPackageRoot.appendingPathComponent("fixtures/hostile/xml/xxe-file.xml"))
        let found = DossierXMLFormat.validate([UInt8](xxe), file: "xxe-file.xml")
        #expect(found.map(\.code) == [XMLErrorCode.doctype])
        #expect(DossierXMLFormat.validate(path: xmlPackageRoot.appendingPathComponent("fixtures/hostile/xml/xxe-file.xml").path).map(\.code) == [XMLErrorCode.doctype])
        let xinclude = try Data(contentsOf: xmlPackageRoot.appendingPathComponent("fixtures/hostile/xml/xinclude.xml"))
        #expect(DossierXMLFormat.validate([UInt8](xinclude), file: "xinclude.xml").first?.code == XMLErrorCode.schema)
        #expect(xmlError { _ = try DossierXMLFormat.decode([UInt8](xinclude), file: "xinclude.xml") }?.code == XMLErrorCode.unknownElement)
    }

    @Test(arguments: ["\u{0}", "\u{1}", "\u{B}", "\u{1F}", "\u{FFFE}", "\u{FFFF}"])
    func charactersXMLCannotCarryFailWithThePath(_ bad: String) throws {
        var d = XMLSample.dossier()
        d.progressReports[1].text = "secret" + bad + "text"
        let e = xmlError { _ = try DossierXMLFormat.encode(d) }
        #expect(e?.code == XMLErrorCode.unrepresentable)
        #expect(e?.diagnostic.path == "$.progressReports[1].text")
        #expect(e?.description.contains("secret") == false)
    }

    /// A dossier that cannot be written leaves no bytes in a `<dossiers>` stream.
    @Test func streamWriterRollsBackAFailedDossier() throws {
        let sink = MemorySink()
        let writer = try DossierXMLStreamWriter(sink: sink)
        try writer.append(XMLSample.dossier(1))
        var bad = XMLSample.dossier(2)
        bad.workNotes[0].text = "\u{7}"
        #expect(xmlError { try writer.append(bad) }?.diagnostic.path == "$.workNotes[0].text")
        try writer.append(XMLSample.dossier(3))
        try writer.finish()
        #expect(DossierXMLFormat.validate(sink.bytes, file: nil).isEmpty)
        let root = try ParsedXMLDocument.parse(sink.bytes, file: nil).root()
        #expect(root.elements.count == 2)
    }

    @Test func outputIsDeterministic() throws {
        #expect(try DossierXMLFormat.encode(XMLSample.dossier(4)) == DossierXMLFormat.encode(XMLSample.dossier(4)))
    }

    /// Runs `xmllint --schema formats/dossier.xsd` when the tool is installed (libxml2-utils).
    private func xmllint(_ path: String) throws -> (status: Int32, output: String)? {
        let tool = "/usr/bin/xmllint"
        guard FileManager.default.isExecutableFile(atPath: tool) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--noout", "--nonet", "--schema", xmlPackageRoot.appendingPathComponent("formats/dossier.xsd").path, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
