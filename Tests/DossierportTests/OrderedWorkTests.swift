import Testing
import DossierModel
@testable import Dossierport

@Test(arguments: [0, 1, 15, 16, 17, 100])
func orderedWorkHandsResultsBackInOrder(count: Int) throws {
    var next = 0
    let work = OrderedWork(workers: 3, inputs: { () -> Int? in
        defer { next += 1 }
        return next < count ? next : nil
    }) { i, worker in (i * i, worker) }
    var seen: [Int] = []
    while let (i, (square, worker)) = try work.next() {
        #expect((0..<3).contains(worker))
        #expect(square == i * i)
        seen.append(square)
    }
    #expect(seen == (0..<count).map { $0 * $0 })
    #expect(try work.next() == nil)
}

/// An input source that fails part-way hands back every result before the failure, then the
/// failure, and draws no input after it.
@Test(arguments: [0, 5, 16, 37])
func orderedWorkThrowsTheInputsFailureAfterTheResultsBeforeIt(failAt: Int) throws {
    var drawn = 0
    let work = OrderedWork(chunk: 8, workers: 2, inputs: { () throws -> Int? in
        guard drawn < failAt else { throw DossierError("test.input", "input \(drawn) unreadable") }
        defer { drawn += 1 }
        return drawn
    }) { i, _ in i + 1 }
    var results: [Int] = []
    do {
        while let (_, r) = try work.next() { results.append(r) }
        Issue.record("no error thrown")
    } catch let e as DossierError {
        #expect(e.diagnostic.code == "test.input")
    }
    #expect(results == (0..<failAt).map { $0 + 1 })
    #expect(drawn == failAt)
}
