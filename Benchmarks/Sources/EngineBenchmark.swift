import Foundation
import RedisFactory
import RedisTestSupport

/// The client and the probe against Redis and against Valkey, in the same run (issue 18): each
/// row's ratio is to its anchor on the same server (redis-benchmark, redis-cli ping), so the
/// two engines' rows compare what this project adds on each.
func engineBenchmark(quick: Bool) throws {
    let requests = quick ? 5_000 : 100_000
    let runs = quick ? 3 : 5
    let probeRuns = quick ? 10 : 30
    // The probe as the image ships it (fully static, scripts/test.sh builds it), when built.
    let shipped = packageRoot.appendingPathComponent(".build-fullstatic/release/redis-healthcheck").path
    let probe = FileManager.default.isExecutableFile(atPath: shipped) ? shipped : productsDirectory.appendingPathComponent("redis-healthcheck").path
    print("\nthe probe: \(probe.contains("fullstatic") ? "fully static, as the image ships it" : "dynamically linked (no .build-fullstatic)")")
    header("client and probe, Redis and Valkey, same run", "ours/anchor")
    for engine in [ServerEngine.redis, .valkey] {
        var options = RedisServer.Options()
        options.engine = engine
        let server = try RedisServer.start(options)
        defer { server.stop() }
        let client = try RedisFactory.makeClient(preferredURL: server.url, fallbackToFake: false, context: "bench", options: quietOptions)
        let name = "\(engine.name) \(engine.version)"

        // Anchor and ours alternate run by run (this machine is shared and noisy); the ratio is
        // the median of each pair's.
        func interleaved(_ label: String, anchorLabel: String, test: String, pipeline: Int, count: Int, target: String, _ body: () throws -> Void) throws {
            var anchors: [Double] = []
            var ours: [Double] = []
            for _ in 0..<runs {
                anchors.append(try redisBenchmark(port: server.port, test: test, pipeline: pipeline, requests: count, runs: 1, clients: 1).median)
                ours.append(try rate(count, 1, body).median)
            }
            row("\(name): \(anchorLabel)", Summary(samples: anchors))
            row("\(name): \(label)", Summary(samples: ours), ratio: Summary(samples: zip(ours, anchors).map { $0 / $1 }).median, target: target)
        }
        try interleaved("GET, typed client", anchorLabel: "GET, redis-benchmark -c 1 -P 1", test: "GET", pipeline: 1, count: requests, target: "≥ 0.9") {
            for index in 0..<requests { _ = try client.get("key:\(index % 1000)") }
        }
        let depth = 100
        let batch = (0..<depth).map { argv("SET", "key:\($0)", "xxx") }
        try interleaved("SET, client.pipeline of 100", anchorLabel: "SET, redis-benchmark -c 1 -P 100", test: "SET", pipeline: depth, count: requests * 4, target: "≥ 0.8") {
            for _ in 0..<(requests * 4 / depth) { _ = try client.pipeline(batch) }
        }

        let ping = try wallMilliseconds(["/usr/bin/redis-cli", "-p", "\(server.port)", "ping"], runs: probeRuns)
        let judged = try wallMilliseconds([probe, "probe", "--role", "master", "--url", server.url], runs: probeRuns)
        report("\(name): redis-cli ping, wall ms", ping.millisecondsRow)
        report("\(name): redis-healthcheck probe, wall ms", judged.millisecondsRow + String(format: "   %8.2fx   report", judged.median / ping.median))
    }
}

/// Wall time of a command, spawned as the probe benchmark spawns it.
private func wallMilliseconds(_ argv: [String], runs: Int) throws -> Summary {
    var samples: [Double] = []
    for _ in 0..<runs {
        let (seconds, _, status) = try spawnMeasured(argv)
        precondition(status == 0, "\(argv.joined(separator: " ")) failed")
        samples.append(seconds)
    }
    return Summary(samples: samples)
}
