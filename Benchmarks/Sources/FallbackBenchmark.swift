import Foundation
import Logging
import RedisFactory
import RedisTestSupport

let quietOptions = ConnectionOptions(logger: Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }, metrics: RedisMetrics())

func factoryDecision(url: String, runs: Int) -> Summary {
    measure(runs) {
        let client = try! RedisFactory.makeClient(preferredURL: url, context: "bench", options: quietOptions)
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

/// How long the factory takes to decide to fall back, against a refused port and against a
/// SIGSTOP'd server, beside redis-py with its defaults when it is installed
/// (`.venv-tools/bin/python`, or `PYTHON=...`).
func fallbackBenchmark(runs: Int) throws {
    let refusedURL = "redis://127.0.0.1:\(try freeLoopbackPort())"
    let server = try RedisServer.start()
    server.suspend()

    print("fallback decision, \(runs) runs, ms".padding(toLength: 48, withPad: " ", startingAt: 0) + "    median        min        max")
    report("factory, refused port", factoryDecision(url: refusedURL, runs: runs).millisecondsRow)
    report("factory, SIGSTOP'd, connect_timeout 0.5 s", factoryDecision(url: server.url + "?connect_timeout=0.5", runs: runs).millisecondsRow)
    report("factory, SIGSTOP'd, default timeout (1 s)", factoryDecision(url: server.url, runs: runs).millisecondsRow)
    if let py = redisPyDecision(url: refusedURL, runs: runs) {
        report("redis-py defaults, refused port", py.millisecondsRow)
    }
    // redis-py has no default timeout against a frozen server; bound its runs.
    let pyStoppedRuns = Int(ProcessInfo.processInfo.environment["PY_STOPPED_RUNS"] ?? "1") ?? 1
    if pyStoppedRuns > 0, let py = redisPyDecision(url: server.url, runs: pyStoppedRuns) {
        report("redis-py defaults, SIGSTOP'd (\(pyStoppedRuns) runs)", py.millisecondsRow)
    }
    server.resume()
    server.stop()
}
