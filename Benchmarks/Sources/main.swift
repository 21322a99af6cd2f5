import Foundation
import Logging
import RedisFactory
import RedisTestSupport

// How long the factory takes to decide to fall back, against a refused port and against a
// SIGSTOP'd server, beside redis-py with its defaults when it is installed
// (`.venv-tools/bin/python`, or `PYTHON=...`). Usage: redis-infra-benchmarks fallback [runs]

let arguments = CommandLine.arguments.dropFirst()
guard arguments.first == "fallback" else {
    print("usage: redis-infra-benchmarks fallback [runs]")
    exit(2)
}
let runs = arguments.dropFirst().first.flatMap(Int.init) ?? 20

struct Summary {
    var samples: [Double]
    var median: Double { let sorted = samples.sorted(); return sorted[sorted.count / 2] }
    var min: Double { samples.min() ?? .nan }
    var max: Double { samples.max() ?? .nan }
    var row: String {
        String(format: "%10.2f %10.2f %10.2f", median * 1000, min * 1000, max * 1000)
    }
}

func measure(_ runs: Int, _ body: () throws -> Void) rethrows -> Summary {
    var samples: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return Summary(samples: samples)
}

let quiet = ConnectionOptions(logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }, metrics: RedisMetrics())

func factoryDecision(url: String) -> Summary {
    measure(runs) {
        let client = try! RedisFactory.makeClient(preferredURL: url, context: "bench", options: quiet)
        precondition(client.isStub)
    }
}

/// redis-py, defaults only: `Redis.from_url(url).ping()` until it raises.
func redisPyDecision(url: String, runs: Int) -> Summary? {
    let python = ProcessInfo.processInfo.environment["PYTHON"] ?? ".venv-tools/bin/python"
    guard FileManager.default.isExecutableFile(atPath: python) else { return nil }
    let script = """
        import sys, time, redis
        samples = []
        for _ in range(int(sys.argv[2])):
            start = time.perf_counter()
            try:
                redis.Redis.from_url(sys.argv[1]).ping()
            except Exception:
                pass
            samples.append(time.perf_counter() - start)
        print(" ".join(repr(s) for s in samples))
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script, url, String(runs)]
    let out = Pipe()
    process.standardOutput = out
    guard (try? process.run()) != nil else { return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let samples = String(decoding: data, as: UTF8.self).split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    return samples.isEmpty ? nil : Summary(samples: samples)
}

let refusedURL = "redis://127.0.0.1:\(try freeLoopbackPort())"
let server = try RedisServer.start()
server.suspend()

func report(_ label: String, _ summary: Summary) {
    print(label.padding(toLength: 48, withPad: " ", startingAt: 0) + summary.row)
}

print("fallback decision, \(runs) runs, ms".padding(toLength: 48, withPad: " ", startingAt: 0) + "    median        min        max")
report("factory, refused port", factoryDecision(url: refusedURL))
report("factory, SIGSTOP'd, connect_timeout 0.5 s", factoryDecision(url: server.url + "?connect_timeout=0.5"))
report("factory, SIGSTOP'd, default timeout (1 s)", factoryDecision(url: server.url))
if let py = redisPyDecision(url: refusedURL, runs: runs) {
    report("redis-py defaults, refused port", py)
}
// redis-py has no default timeout against a frozen server; bound its runs.
let pyStoppedRuns = Int(ProcessInfo.processInfo.environment["PY_STOPPED_RUNS"] ?? "1") ?? 1
if pyStoppedRuns > 0, let py = redisPyDecision(url: server.url, runs: pyStoppedRuns) {
    report("redis-py defaults, SIGSTOP'd (\(pyStoppedRuns) runs)", py)
}
server.resume()
server.stop()
