import DossierFormats
import DossierIO
import DossierModel
import Foundation
import Testing

/// The package root, found from this file so tests read the published `formats/` folder.
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private let schemaPath = root.appendingPathComponent("formats/dossier.schema.json").path

private func runChecker(_ files: [String]) throws -> (status: Int32, errors: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", root.appendingPathComponent("formats/check-json.py").path, schemaPath] + files
    let err = Pipe()
    p.standardError = err
    try p.run()
    let data = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// What the writer produces, pretty and as NDJSON, validates against the published schema
/// (checked by Python's jsonschema, Draft 2020-12, through the CI script).
@Test func writerOutputValidatesAgainstTheSchema() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dossier-schema-\(UUID())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let full = dir.appendingPathComponent("sample.json").path
    let minimal = dir.appendingPathComponent("minimal.json").path
    let lines = dir.appendingPathComponent("all.ndjson").path
    try DossierJSON.write(Sample.dossier(), toFile: full)
    try DossierJSON.write(Sample.minimal(), toFile: minimal)
    try AtomicFile.write(to: lines) { sink in
        let w = NDJSONWriter(sink: sink)
        try w.write(Sample.dossier())
        try w.write(Sample.minimal())
        try w.finish()
    }
    let ok = try runChecker([full, minimal, lines])
    #expect(ok.status == 0, "\(ok.errors)")

    // And the schema is not vacuous: an unknown field, a bad BSN and a bad enum are each caught.
    var text = String(decoding: try DossierJSON.encode(Sample.dossier()), as: UTF8.self)
    text.replace(#""clientNumber": "K-0001","#, with: #""clientNumber": "K-0001", "nickname": "x","#)
    text.replace(#""bsn": "111222333""#, with: #""bsn": "1112223""#)
    text.replace(#""gender": "female""#, with: #""gender": "f""#)
    let bad = dir.appendingPathComponent("bad.json").path
    try AtomicFile.write(Array(text.utf8), to: bad)
    let failed = try runChecker([bad])
    #expect(failed.status == 1)
    #expect(failed.errors.contains("$.client: violates 'additionalProperties'"))
    #expect(failed.errors.contains("$.client.bsn: violates 'pattern'"))
    #expect(failed.errors.contains("$.client.gender: violates 'enum'"))
    #expect(!failed.errors.contains("1112223"))
}

/// Every object in the schema lists its properties in the writer's key order, and the sample
/// (which sets every optional field) uses exactly those properties.
@Test func schemaPropertiesMatchTheModelInOrder() throws {
    let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: schemaPath))) as! [String: Any]
    let defs = schema["$defs"] as! [String: Any]
    let schemaText = try String(contentsOfFile: schemaPath, encoding: .utf8)

    /// Keys of each object in the sample, in order, by the `$defs` name the schema gives it.
    func keys(of value: some Encodable) throws -> [String] {
        // Our writer's compact output keeps declaration order; read the top-level keys back in order.
        let bytes = try JSONByteEncoder.encode(value, style: .pretty)
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix("  \"") }
            .map { String($0.dropFirst(3).prefix { $0 != "\"" }) }
    }
    func schemaKeys(_ def: String) -> [String] {
        // JSONSerialization loses order, so take the order from the file text of that definition.
        let props = ((defs[def] as! [String: Any])["properties"] as! [String: Any]).keys
        let start = schemaText.firstRange(of: "\"\(def)\": {")!.upperBound
        let body = schemaText[schemaText[start...].firstRange(of: "\"properties\": {")!.upperBound...]
        return props.sorted { body.firstRange(of: "\"\($0)\": {")!.lowerBound < body.firstRange(of: "\"\($1)\": {")!.lowerBound }
    }
    let d = Sample.dossier()
    let cases: [(String, any Encodable)] = [
        ("Client", d.client), ("PersonName", d.client.name), ("Address", d.client.addresses[0]),
        ("ContactPoint", d.client.contacts[0]), ("Controller", d.controller), ("ContactPerson", d.controller.dpo),
        ("RecordMeta", d.client.meta), ("SourceLocation", d.client.meta.source!),
        ("Representative", d.representatives[0]), ("Referral", d.referrals[0]), ("Insurance", d.insurances[0]),
        ("Consent", d.consents[0]), ("Objection", d.objections[0]), ("ProgressReport", d.progressReports[0]),
        ("CarePlan", d.carePlans[0]), ("Diagnosis", d.diagnoses[0]), ("MedicationAdministration", d.medicationAdministrations[0]),
        ("Incident", d.incidents[0]), ("RestrictiveMeasure", d.restrictiveMeasures[0]),
        ("DomesticViolenceReport", d.domesticViolenceReports[0]), ("WorkNote", d.workNotes[0]),
        ("FinancialRecord", d.financialRecords[0]), ("Appointment", d.appointments[0]), ("Document", d.documents[0]),
        ("Correction", d.corrections[0]), ("Restriction", d.restrictions[0]), ("AccessLogEntry", d.accessLog[0]),
    ]
    for (def, value) in cases {
        let written = try keys(of: value), published = schemaKeys(def)
        #expect(written == published, "\(def): writer \(written), schema \(published)")
    }
    let top = (schema["properties"] as! [String: Any]).keys
    #expect(Set(top) == Set(try keys(of: d)))
}
