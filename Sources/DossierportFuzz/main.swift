// Dossierport fuzzing: mutated copies of the fixtures fed to every reader that takes untrusted
// input, checking that each input is read or refused with an error that names the file (and the
// line, for text formats) and quotes no data, and that nothing traps, hangs or runs out of memory.
//
//   swift build -c release --product DossierportFuzz
//   .build/release/DossierportFuzz run all|TARGET [--iterations N] [--seconds S] [--seed N] [--work DIR] [--timeout S]
//   .build/release/DossierportFuzz replay TARGET FILE
//   .build/release/DossierportFuzz list
//
// Each input is written to WORK/input.EXT before it is read, so after a trap, a hang (the
// per-input alarm ends the process) or an allocation past the address-space limit, that file is
// the reproducer. Inputs that break a promise without ending the process are kept in
// WORK/findings. The same seed gives the same inputs. Exit 0: no finding; 1: findings; 64: usage.
import DossierModel
import Foundation

func usage() -> Never {
    FileHandle.standardError.write(Data("""
        usage: DossierportFuzz run all|TARGET [--iterations N] [--seconds S] [--seed N] [--work DIR] [--timeout S]
               DossierportFuzz replay TARGET FILE
               DossierportFuzz list

        """.utf8))
    exit(64)
}

/// Unbuffered, so that what was said before a crash is not lost with the process.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("DossierportFuzz: \(message)\n".utf8))
    exit(1)
}

func target(_ name: String) -> FuzzTarget {
    guard let t = FuzzTarget.named(name) else { fail("unknown target '\(name)' (see: DossierportFuzz list)") }
    return t
}

/// Resident bytes once malloc has given its free memory back (`malloc_trim`, looked up at run
/// time: `malloc.h` is not in Swift's Glibc module), which is what the process still holds.
func heldMemory() -> Int {
    typealias Trim = @convention(c) (Int) -> Int32
    if let trim = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") { _ = unsafeBitCast(trim, to: Trim.self)(0) }
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kB = Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).dropLast(3)) else { return 0 }
    return kB << 10
}

/// A mutation that makes a reader allocate without bound ends here, with its input on disk,
/// rather than taking the machine's memory.
func limitAddressSpace(gibibytes: UInt64) {
    var limit = rlimit(rlim_cur: rlim_t(gibibytes << 30), rlim_max: rlim_t(gibibytes << 30))
    _ = withUnsafePointer(to: &limit) { setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), $0) }
}

var args = Array(CommandLine.arguments.dropFirst())
guard let command = args.first else { usage() }
args.removeFirst()

switch command {
case "list":
    for t in FuzzTarget.all { say("\(t.name.padding(toLength: 13, withPad: " ", startingAt: 0)) \(t.summary)") }

case "replay":
    guard args.count == 2 else { usage() }
    let t = target(args[0])
    let run = try FuzzRun(t, work: NSTemporaryDirectory(), seed: 0)
    let outcome = run.check(args[1])
    say("\(t.name): \(outcome.signature)" + (outcome.violation.map { "; FINDING: \($0)" } ?? ""))
    exit(outcome.violation == nil ? 0 : 1)

case "run":
    guard let which = args.first else { usage() }
    args.removeFirst()
    var iterations = Int.max, seconds: Double?, seed: UInt64 = 1, timeout: UInt32 = 20
    var work = NSTemporaryDirectory() + "/dossierport-fuzz"
    while !args.isEmpty {
        guard args.count >= 2 else { usage() }
        let (flag, value) = (args[0], args[1])
        args.removeFirst(2)
        switch flag {
        case "--iterations": guard let n = Int(value), n > 0 else { usage() }; iterations = n
        case "--seconds": guard let s = Double(value), s > 0 else { usage() }; seconds = s
        case "--seed": guard let s = UInt64(value) else { usage() }; seed = s
        case "--timeout": guard let s = UInt32(value), s > 0 else { usage() }; timeout = s
        case "--work": work = value
        default: usage()
        }
    }
    if iterations == .max && seconds == nil { iterations = 1000 }
    let targets = which == "all" ? FuzzTarget.all : [target(which)]
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    limitAddressSpace(gibibytes: 8)
    say("inputs are written to \(work)/input.EXT before they are read; after a crash or a hang:")
    say("  DossierportFuzz replay TARGET \(work)/input.EXT")
    if targets.contains(where: { $0.name == BagTarget.importTarget.name }) && BagTarget.sqlite3 == nil {
        say("sqlite3 is not installed: bag-import writes its scripts but does not run them")
    }
    var findings = 0
    for (i, t) in targets.enumerated() {
        let start = Date()
        let deadline = seconds.map { start.addingTimeInterval($0) }
        // Warm up first, so that what is made once (libxml2's tables, caches of metadata) does
        // not count as growth.
        var warm = try FuzzRun(t, work: work, seed: seed &+ UInt64(i))
        try warm.run(iterations: 20, until: nil, timeout: timeout)
        let heldBefore = heldMemory()
        do {
            var run = try FuzzRun(t, work: work, seed: seed &+ UInt64(i))
            try run.run(iterations: iterations, until: deadline, timeout: timeout)
            let elapsed = Date().timeIntervalSince(start)
            let common = run.outcomes.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .prefix(6).map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            // How many inputs were read through is the measure of how deep the mutations reach.
            say(String(format: "%@: %d inputs in %.1f s, %d read through, %d outcomes (%@)", t.name, run.inputs, elapsed,
                       run.outcomes["ok"] ?? 0, run.outcomes.count, common))
            for f in run.findings { say("  FINDING \(f.file): \(f.reason)") }
            findings += run.findings.count
        }
        // The run and its corpus are gone: what is still held was lost by the code under test.
        let grown = heldMemory() - heldBefore
        say(String(format: "  memory held after the run: %+.1f MiB", Double(grown) / Double(1 << 20)))
        if grown > 4 << 20 {
            say("  FINDING \(t.name): the heap grew by \(grown >> 20) MiB over the run (memory not freed)")
            findings += 1
        }
    }
    exit(findings == 0 ? 0 : 1)

default:
    usage()
}
