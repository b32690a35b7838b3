import DossierIO
import DossierModel
import DossierXML
import Foundation
import Testing

/// The package root, found from this file so tests run from any working directory.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let hostileXML = packageRoot.appendingPathComponent("fixtures/hostile/xml")

/// A file in a fresh temporary directory, removed by the caller through `cleanup`.
func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("dossierxml-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(bytes).write(to: url)
    return url
}

func cleanup(_ url: URL) { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }

/// Reads every event of the file at `path`, as the streaming reader delivers them.
@discardableResult
func drain(path: String, limits: XMLLimits = .stream, chunkSize: Int = 1 << 20) throws -> [XMLEvent] {
    let reader = try XMLStreamReader(input: try ByteReader(path: path, chunkSize: chunkSize), limits: limits)
    var events: [XMLEvent] = []
    while let e = try reader.next() { events.append(e) }
    return events
}

/// The error `body` throws, as a `DossierError`; records an issue when it throws nothing or something else.
func dossierError(_ body: () throws -> Void) -> DossierError? {
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

/// Seconds `body` takes on the monotonic clock.
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}
