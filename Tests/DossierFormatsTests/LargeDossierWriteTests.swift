@testable import DossierFormats
import DossierIO
import DossierModel
import DossierXML
import Testing

// A large dossier goes to its sink while it is written, between a section's records, so the
// writers' buffers stay near their flush threshold instead of growing to the document's size
// (a dossier of 400,000 reports was held whole as text beside its model). The bytes must be those
// of writing it whole, and a failure after part of it has gone out must still be the error, with
// the path, that a small dossier gives.

/// Every write's size, and all the bytes in order.
private final class ChunkSink: ByteSink {
    var sizes: [Int] = []
    var bytes: [UInt8] = []
    func write(_ b: UnsafeRawBufferPointer) throws {
        sizes.append(b.count)
        bytes.append(contentsOf: b)
    }
}

/// The sample dossier with `count` progress reports, each with its own id and text: about
/// 300 bytes of JSON each.
private func large(reports count: Int) -> Dossier {
    var d = Sample.dossier()
    let template = d.progressReports[0]
    d.progressReports = (0..<count).map { i in
        var r = template
        r.id = "report-\(i)"
        r.text = "Rapportage \(i): cliënt sliep goed, \"rustig\" en at mee. " + String(repeating: "x", count: i % 97)
        return r
    }
    return d
}

/// Large enough for many chunks at every threshold, small enough to leave the process-wide peak
/// that `MappingScaleTests` bounds alone while it runs beside these.
private let reports = 5_000

/// At least the chunks `bytes` need at `threshold` (each is at most the threshold plus one record).
private func expectChunked(_ sink: ChunkSink, threshold: Int) {
    #expect(sink.sizes.count >= max(4, sink.bytes.count / (threshold + 4096)))
    #expect(sink.sizes.max()! < threshold + 4096)
}

@Test(arguments: [JSONStyle.pretty, .compact])
func aLargeDossierIsWrittenInChunksWithTheBytesOfAWholeWrite(style: JSONStyle) throws {
    let d = large(reports: reports)
    let sink = ChunkSink()
    try DossierJSON.write(d, to: sink, style: style)
    #expect(sink.bytes == (try JSONByteEncoder.encode(d, style: style)))
    #expect(sink.bytes.count > 1_000_000)
    // The document threshold (64 KiB) plus at most one report past it, never the document.
    expectChunked(sink, threshold: JSONWriter.documentThreshold)
}

@Test func aLargeDossierGoesToAnNDJSONStreamInChunks() throws {
    let d = large(reports: reports)
    let sink = ChunkSink()
    let writer = NDJSONWriter(sink: sink)
    try writer.write(Sample.minimal())
    try writer.write(d)
    try writer.write(Sample.minimal())
    try writer.finish()
    let whole = try JSONByteEncoder.encode(Sample.minimal(), style: .compact) + [0x0A]
        + (try JSONByteEncoder.encode(d, style: .compact)) + [0x0A]
        + (try JSONByteEncoder.encode(Sample.minimal(), style: .compact)) + [0x0A]
    #expect(sink.bytes == whole)
    expectChunked(sink, threshold: JSONWriter.streamThreshold)
}

@Test func aLargeXMLDossierIsWrittenInChunksWithTheBytesOfAWholeWrite() throws {
    let d = large(reports: reports)
    let sink = ChunkSink()
    try DossierXMLFormat.write(d, to: sink)
    // The same path without a threshold: the whole document in one buffer, as before.
    let whole = MemorySink()
    let output = XMLOutput(sink: whole)
    output.declaration()
    try output.element(direct: d, named: XMLNames.dossier, attributes: XMLNames.rootAttributes)
    try output.flush()
    #expect(sink.bytes == whole.bytes)
    expectChunked(sink, threshold: 1 << 18)
    #expect(DossierXMLFormat.isEncoding(of: d, whole.bytes))
}

/// A refused text near the end, after most of the document went to the sink: the error and its
/// path are those of the same text in a small dossier, and what went out is the document up to
/// the failing record, nothing after it or in between.
@Test(arguments: [("json", "a\u{FFFE}b", "json.noncharacter"), ("xml", "a\u{1}b", XMLErrorCode.unrepresentable)])
func aRefusalAfterChunksWentOutIsStillTheErrorWithItsPath(format: String, text: String, code: String) throws {
    let write: (Dossier, any ByteSink) throws -> Void = format == "json" ? { try DossierJSON.write($0, to: $1) }
        : { try DossierXMLFormat.write($0, to: $1) }
    var d = large(reports: reports)
    d.progressReports[reports - 2].text = text
    let sink = ChunkSink()
    var error: DossierError?
    do { try write(d, sink) } catch let e as DossierError { error = e }
    #expect(sink.sizes.count > 3, "part of the document had gone to the sink")
    #expect(error?.code == code)
    #expect(error?.diagnostic.path == "$.progressReports[\(reports - 2)].text")
    d.progressReports[reports - 2].text = "ab"
    let clean = ChunkSink()
    try write(d, clean)
    #expect(clean.bytes.starts(with: sink.bytes))
    #expect(clean.bytes.count > sink.bytes.count)
}

/// `<dossiers>` streams keep each dossier whole until it is done, so one that fails leaves no
/// bytes and the stream goes on, however large the dossier.
@Test func aLargeDossierThatFailsLeavesNothingInAnXMLStream() throws {
    let sink = MemorySink()
    let writer = try DossierXMLStreamWriter(sink: sink)
    try writer.append(Sample.minimal())
    var bad = large(reports: reports)
    bad.progressReports[reports - 1].text = "\u{7}"
    #expect(throws: DossierError.self) { try writer.append(bad) }
    try writer.finish()
    let clean = MemorySink()
    let again = try DossierXMLStreamWriter(sink: clean)
    try again.append(Sample.minimal())
    try again.finish()
    #expect(sink.bytes == clean.bytes)
}

/// `RecordJSONWriter` reads a record's bytes back from its buffer: it must hold the whole record
/// however large, never hand part of it to its sink.
@Test func recordJSONHoldsALargeRecordWhole() throws {
    var plan = CarePlan(id: "plan-1", meta: Sample.dossier().carePlans[0].meta)
    plan.goals = (0..<3_000).map { "Doel \($0): " + String(repeating: "zelfstandig ", count: 10) }
    let writer = RecordJSONWriter()
    let bytes = try writer.withJSON(of: plan) { Array($0) }
    #expect(bytes.count > 300_000)
    #expect(bytes == (try JSONByteEncoder.encode(plan, style: .compact)))
}
