import DossierFormats
import DossierIO
import DossierModel
import Foundation

/// One target's run: seeds first as they are, then mutations of seeds and of inputs that gave
/// an outcome not seen before, which is the only guidance a fuzzer without coverage has.
struct FuzzRun {
    let target: FuzzTarget
    /// Where each input is written before it is read: after a trap or a hang it is still there.
    let input: String
    let findingsFolder: String
    var rng: SplitMix64
    private var corpus: [[UInt8]] = []
    private(set) var outcomes: [String: Int] = [:]
    private(set) var findings: [(file: String, reason: String)] = []
    private(set) var inputs = 0
    static let corpusLimit = 512

    init(_ target: FuzzTarget, work: String, seed: UInt64) throws {
        self.target = target
        input = work + "/input." + target.fileExtension
        findingsFolder = work + "/findings"
        rng = SplitMix64(seed: seed)
        corpus = try target.madeSeeds?() ?? target.seedFiles().map { try target.seedBytes($0) }
        guard !corpus.isEmpty else { throw FuzzFinding("no seed files for \(target.name)") }
    }

    /// Runs the seeds, then mutated inputs until `iterations` inputs in all or the deadline.
    mutating func run(iterations: Int, until deadline: Date?, timeout: UInt32) throws {
        let mutator = Mutator(dictionary: target.dictionary.map { Array($0.utf8) },
                              maxSize: max(1 << 20, corpus.map(\.count).max() ?? 0), syntax: target.syntax, keepsUTF8: target.keepsUTF8)
        let seeds = corpus.count
        while inputs < iterations, deadline.map({ Date() < $0 }) ?? true {
            let bytes = inputs < seeds ? corpus[inputs]
                : mutator.mutate(rng.pick(corpus), other: rng.pick(corpus), rng: &rng)
            try Data(bytes).write(to: URL(fileURLWithPath: input))
            alarm(timeout)
            let outcome = check(input)
            alarm(0)
            inputs += 1
            if outcomes[outcome.signature] == nil, inputs > seeds, corpus.count < Self.corpusLimit { corpus.append(bytes) }
            outcomes[outcome.signature, default: 0] += 1
            if let reason = outcome.violation {
                try FileManager.default.createDirectory(atPath: findingsFolder, withIntermediateDirectories: true)
                let file = findingsFolder + "/\(target.name)-\(findings.count + 1).\(target.fileExtension)"
                try Data(bytes).write(to: URL(fileURLWithPath: file))
                findings.append((file, reason))
            }
        }
    }

    /// What the target did with the file at `path`, and whether that broke a promise.
    func check(_ path: String) -> Outcome {
        do {
            if let problems = target.problems {
                let found = try problems(path)
                guard let first = found.first else { return Outcome(signature: "ok") }
                return Outcome(signature: first.code, violation: found.lazy.compactMap { self.violation($0, path) }.first)
            }
            try target.run(path)
            return Outcome(signature: "ok")
        } catch let e as DossierError {
            return Outcome(signature: e.code, violation: violation(e.diagnostic, path))
        } catch let f as FuzzFinding {
            return Outcome(signature: "finding", violation: f.description)
        } catch {
            return Outcome(signature: "untyped", violation: "threw \(type(of: error)), not a DossierError: \(error)")
        }
    }

    /// An error must say where (the file, and for text formats the line) and must not quote data.
    private func violation(_ d: Diagnostic, _ path: String) -> String? {
        // A bundle's problems may name the entry they are in (`data/dossiers/x.json:12:5`) instead.
        // A target that reads a folder made from the input (`input.src/…`) names a file in it.
        let named = d.location?.file == path || d.location?.file?.hasPrefix(path + ".") == true
            || (target.problems != nil && (d.location?.file ?? d.location?.entry) != nil)
        guard named else {
            return "\(d.code) does not name the input file (location: \(d.location.map { "\($0)" } ?? "none"))"
        }
        if target.needsLine && d.location?.line == nil { return "\(d.code) names no line" }
        // The path is printed with the message, and a JSON or XML path is built of names from the input.
        if !target.mayQuoteInput, let quoted = Self.personalData(in: d.message + " " + (d.path ?? "")) {
            return "\(d.code): message or path holds \(quoted): \(d.message) (\(d.path ?? "no path"))"
        }
        return nil
    }

    /// What in a message looks like a value of a record rather than an identifier: a BSN (nine
    /// digits, or eight that lost a leading zero, passing the elfproef, standing alone: not part
    /// of a name such as a mutated key or an entry `DP-00000000-…/bagit.txt`), or an e-mail address.
    static func personalData(in message: String) -> String? {
        let u = Array(message.utf8)
        func isAlphanumeric(_ b: UInt8) -> Bool {
            (0x30...0x39).contains(b) || (0x61...0x7A).contains(b | 0x20) || b >= 0x80 || b == 0x2D || b == 0x5F || b == 0x2F
        }
        var i = 0
        while i < u.count {
            guard (0x30...0x39).contains(u[i]) else { i += 1; continue }
            var j = i
            while j < u.count, (0x30...0x39).contains(u[j]) { j += 1 }
            // A count with its unit ("654311961 stored and 537 original bytes") is a size, not a BSN,
            // and so is a number after what it measures ("local header offset 33554432").
            let unit = String(decoding: u[j...].prefix(10), as: UTF8.self)
            let before = String(decoding: u[max(0, i - 8)..<i], as: UTF8.self)
            let isCount = [" bytes", " stored", " original", " octets", " entries", " files"].contains { unit.hasPrefix($0) }
                || ["offset ", "size ", "length ", "line ", "column "].contains { before.hasSuffix($0) }
            if (8...9).contains(j - i), i == 0 || !isAlphanumeric(u[i - 1]), j == u.count || !isAlphanumeric(u[j]), !isCount,
               BSN(String(repeating: "0", count: 9 - (j - i)) + String(decoding: u[i..<j], as: UTF8.self)).isValid {
                return "a BSN"
            }
            i = j
        }
        // local@domain.tld: a local-part byte before the `@`, a domain with a dot and letters after.
        func isLocal(_ b: UInt8) -> Bool { isAlphanumeric(b) && b != 0x2F || b == 0x2E || b == 0x2B || b == 0x25 }
        for at in u.indices where u[at] == 0x40 && at > 0 && isLocal(u[at - 1]) {
            var j = at + 1, dot = false, lettersAfterDot = 0
            while j < u.count, (0x30...0x39).contains(u[j]) || (0x61...0x7A).contains(u[j] | 0x20) || u[j] == 0x2D || u[j] == 0x2E {
                if u[j] == 0x2E { dot = true; lettersAfterDot = 0 } else if dot, (0x61...0x7A).contains(u[j] | 0x20) { lettersAfterDot += 1 }
                j += 1
            }
            if dot && lettersAfterDot >= 2 { return "an e-mail address" }
        }
        return nil
    }
}

extension FuzzTarget {
    /// The seed files, in a fixed order.
    func seedFiles() throws -> [String] {
        var files: [String] = []
        let fm = FileManager.default
        for s in seeds {
            let path = FuzzTarget.root + "/" + s
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else { throw FuzzFinding("seed \(s) is missing") }
            if isDirectory.boolValue {
                files += try fm.contentsOfDirectory(atPath: path).sorted().map { path + "/" + $0 }.filter { isSeed($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }

    private func isSeed(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return false }
        return path.hasSuffix("." + (name == "dossier-xml" ? "json" : fileExtension))
    }

    /// A seed's bytes; the XML dossier target starts from the JSON fixtures written as XML.
    func seedBytes(_ path: String) throws -> [UInt8] {
        let bytes = try ByteReader.readAll(path: path, limit: 16 << 20)
        guard name == "dossier-xml" else { return bytes }
        return try DossierXMLFormat.encode(try DossierJSON.decode(bytes, file: path))
    }
}
