import Foundation
import RedisFactory
import RedisTestSupport

/// The stub against a loopback redis-server through the same typed client (target: stub ≥ 5×),
/// then redis-benchmark against `redis-infra stub-server` and `redis-server` (target: ≥ 0.5×
/// Redis). Build `redis-infra` in the same configuration first.
func stubBenchmark(quick: Bool) throws {
    let operations = quick ? 4_000 : 40_000
    let runs = quick ? 3 : 5
    let server = try RedisServer.start()
    let real = try RedisFactory.makeClient(preferredURL: server.url, fallbackToFake: false, context: "bench", options: quietOptions)
    let stub = try RedisFactory.makeClient(
        preferredURL: "redis://127.0.0.1:\(try freeLoopbackPort())", context: "bench-\(UUID())", options: quietOptions
    )
    precondition(stub.isStub && !real.isStub)

    print("typed client, commands/s (\(runs) runs)".padding(toLength: 48, withPad: " ", startingAt: 0)
        + "      median          min          max   stub/redis")
    for workload in Workload.all {
        var rates: [String: Summary] = [:]
        for (name, client) in [("redis", real), ("stub", stub)] {
            try workload.prepare(client)
            let times = try measure(runs) { try workload.run(client, operations) }
            rates[name] = Summary(samples: times.samples.map { Double(operations * workload.commandsPerOperation) / $0 })
        }
        report("\(workload.name), loopback redis-server", rates["redis"]!.rateRow)
        report("\(workload.name), stub", rates["stub"]!.rateRow + String(format: "   %8.1fx", rates["stub"]!.median / rates["redis"]!.median))
    }

    // The stub-server as users run it: the `redis-infra` built beside this harness.
    let stubServer = try StubServerProcess()
    let stubPort = stubServer.port!
    let requests = quick ? 20_000 : 200_000
    print("redis-benchmark -c 50 -n \(requests), requests/s".padding(toLength: 48, withPad: " ", startingAt: 0)
        + "      median          min          max   stub/redis")
    for pipeline in [1, 16] {
        for test in ["SET", "GET"] {
            let redisRate = try redisBenchmark(port: server.port, test: test, pipeline: pipeline, requests: requests, runs: runs)
            let stubRate = try redisBenchmark(port: stubPort, test: test, pipeline: pipeline, requests: requests, runs: runs)
            report("\(test) -P \(pipeline), redis-server", redisRate.rateRow)
            report("\(test) -P \(pipeline), stub-server", stubRate.rateRow + String(format: "   %8.2fx", stubRate.median / redisRate.median))
        }
    }
    stubServer.terminate()
}

/// One redis-benchmark test, requests per second over `runs` runs.
func redisBenchmark(port: Int, test: String, pipeline: Int, requests: Int, runs: Int, clients: Int = 50) throws -> Summary {
    var samples: [Double] = []
    for _ in 0..<runs {
        let result = try runSystem(
            "/usr/bin/redis-benchmark",
            ["-p", "\(port)", "-c", "\(clients)", "-n", "\(requests)", "-P", "\(pipeline)", "-t", test.lowercased(), "--csv"]
        )
        // CSV rows: "test","rps","avg_latency_ms",...
        for line in result.stdout.split(separator: "\n") where line.hasPrefix("\"\(test)\"") {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            if let rate = Double(fields[1]) { samples.append(rate) }
        }
    }
    guard !samples.isEmpty else { throw TestSupportError("redis-benchmark printed no \(test) row") }
    return Summary(samples: samples)
}

/// A pattern of typed-client calls the factory's callers make.
struct Workload: Sendable {
    var name: String
    var commandsPerOperation: Int
    var prepare: @Sendable (RedisClient) throws -> Void
    var run: @Sendable (RedisClient, Int) throws -> Void

    static let all = [getSet, sortedSet, stream, slidingWindow]

    static let getSet = Workload(name: "SET+GET", commandsPerOperation: 2, prepare: { _ in }) { client, count in
        for index in 0..<count {
            try client.set("bench:k\(index % 1000)", "value-\(index)")
            _ = try client.get("bench:k\(index % 1000)")
        }
    }

    static let sortedSet = Workload(name: "ZADD+ZRANGE", commandsPerOperation: 2, prepare: { try $0.del("bench:z") }) { client, count in
        for index in 0..<count {
            try client.zadd("bench:z", [ScoredMember("m\(index % 500)", Double(index))])
            _ = try client.zrange("bench:z", start: 0, stop: 9)
        }
    }

    static let stream = Workload(name: "XADD+XREADGROUP+XACK", commandsPerOperation: 3, prepare: { client in
        try client.del("bench:s")
        try client.xgroupCreate("bench:s", group: "g", id: "$", makeStream: true)
    }) { client, count in
        for _ in 0..<count {
            try client.xadd("bench:s", [("job", "payload")])
            let read = try client.xreadgroup(group: "g", consumer: "c", streams: [("bench:s", ">")], count: 1)
            try client.xack("bench:s", group: "g", read?.first?.entries.map(\.id) ?? [])
        }
    }

    static let slidingWindow = Workload(name: "EVALSHA sliding window", commandsPerOperation: 1, prepare: { client in
        try client.del("bench:rl")
        _ = try client.scriptLoad(RateLimitScripts.slidingWindow.source)
    }) { client, count in
        let sha = try client.scriptLoad(RateLimitScripts.slidingWindow.source)
        for index in 0..<count {
            _ = try client.evalsha(sha, keys: ["bench:rl"], arguments: ["\(1_700_000_000_000 + index * 10)", "1000", "50", "r\(index)"])
        }
    }
}
