import Testing
@testable import Dossierport

@Test(arguments: [0, 1, 15, 16, 17, 100])
func orderedWorkHandsResultsBackInOrder(count: Int) {
    let work = OrderedWork(count: count, workers: 3) { i, worker in (i * i, worker) }
    var seen: [Int] = []
    for _ in 0..<count {
        let (square, worker) = work.next()
        #expect((0..<3).contains(worker))
        seen.append(square)
    }
    #expect(seen == (0..<count).map { $0 * $0 })
}
