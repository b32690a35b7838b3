import Foundation
import Testing
import DossierModel
import DossierFormats
import DossierPolicy
import Dossierport
import DossierIO

/// The access copy of every fixture client renders in a real browser, and shows the key facts.
@Suite struct AccessCopyTests {
    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func copies() throws -> [(Dossier, String)] {
        let org = try TestEnv.organisation()
        let today = TestEnv.createdAt.date
        return try FileManager.default.contentsOfDirectory(atPath: TestEnv.dossiers).filter { $0.hasSuffix(".json") }.sorted().map { name in
            let d = try DossierJSON.read(path: TestEnv.dossiers + "/" + name)
            let scoped = PurposePolicy.apply(.access, to: d, today: today)
            let sink = DossierIOMemory()
            try HTMLAccessCopy.write(scoped.dossier!, context: AccessCopyContext(organisation: org, purpose: .access, notes: scoped.notes,
                                                                                 createdOn: today), to: sink.sink)
            return (scoped.dossier!, sink.text)
        }
    }

    @Test func selfContainedAndComplete() throws {
        for (d, html) in try copies() {
            #expect(!html.contains("<script"), "no scripts")
            #expect(!html.contains("http://") && !html.contains("https://"), "no external resources")
            #expect(html.contains("Content-Security-Policy"))
            #expect(html.contains("Wat de wet u laat weten"), "art. 15 information first")
            #expect(html.contains(d.client.clientNumber))
            for r in d.progressReports where !r.meta.containsThirdPartyData {
                #expect(html.contains(escaped(String(r.text.prefix(40)))), "\(d.id): report \(r.id) text missing")
            }
            #expect(!html.contains("<section id=\"workNotes\">"), "work notes never appear in an access copy")
        }
    }

    @Test(.enabled(if: chromium != nil || ProcessInfo.processInfo.environment["DOSSIERPORT_REQUIRE_TOOLS"] == "1",
                   "needs Debian's chromium"))
    func rendersInHeadlessChromium() throws {
        // Under `.ci/run` the test runs whether or not chromium is there; missing, it fails here.
        let chromium = try #require(Self.chromium, "chromium is not installed")
        let dir = try TestEnv.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (d, html) in try copies() {
            let page = dir.appendingPathComponent("\(d.id).html")
            try html.write(to: page, atomically: false, encoding: .utf8)
            let png = dir.appendingPathComponent("\(d.id).png").path
            let shot = try TestEnv.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1000,1600",
                                                  "--screenshot=\(png)", page.absoluteString])
            #expect(shot.status == 0)
            let size = (try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
            #expect(size > 10_000, "\(d.id): no screenshot")
            let dom = try TestEnv.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.absoluteString])
            #expect(dom.status == 0)
            #expect(dom.out.contains(d.client.name.familyName), "\(d.id): family name not in the rendered DOM")
            #expect(dom.out.contains(d.controller.name))
            #expect(dom.out.contains("Uw rechten"))
            if let birth = d.client.dateOfBirth { #expect(dom.out.contains(birth.description)) }
        }
    }

    func escaped(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }
}

/// A memory sink with the text it collected.
struct DossierIOMemory {
    let sink = MemorySink()
    var text: String { String(decoding: sink.bytes, as: UTF8.self) }
}
