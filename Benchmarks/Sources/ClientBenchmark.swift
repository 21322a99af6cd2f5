import Foundation
import RedisFactory
import RedisTestSupport

/// The real client against its anchors in the same run (issue 9's first three rows, and the
/// TLS and Sentinel costs of issue 8): requests per second as ratios to `redis-benchmark`.
func clientBenchmark(quick: Bool) async throws {
    let requests = quick ? 5_000 : 100_000
    let runs = quick ? 3 : 5
    let server = try RedisServer.start()
    let client = try RedisFactory.makeClient(preferredURL: server.url, fallbackToFake: false, context: "bench", options: quietOptions)

    header("client vs redis-benchmark, requests/s (\(runs) runs)", "ours/anchor")
    for test in ["SET", "GET"] {
        let anchor = try redisBenchmark(port: server.port, test: test, pipeline: 1, requests: requests, runs: runs, clients: 1)
        let ours = try rate(requests, runs) {
            for index in 0..<requests {
                if test == "SET" { try client.set("key:\(index % 1000)", "xxx") } else { _ = try client.get("key:\(index % 1000)") }
            }
        }
        row("\(test), 1 connection, redis-benchmark -c 1 -P 1", anchor)
        row("\(test), 1 connection, typed client", ours, ratio: ours.median / anchor.median, target: "≥ 0.9")
    }
    let depth = 100
    let anchorPipelined = try redisBenchmark(port: server.port, test: "SET", pipeline: depth, requests: requests * 4, runs: runs, clients: 1)
    let batch = (0..<depth).map { argv("SET", "key:\($0)", "xxx") }
    let oursPipelined = try rate(requests * 4, runs) {
        for _ in 0..<(requests * 4 / depth) { _ = try client.pipeline(batch) }
    }
    row("SET, pipeline 100, redis-benchmark -c 1 -P 100", anchorPipelined)
    row("SET, pipeline 100, client.pipeline", oursPipelined, ratio: oursPipelined.median / anchorPipelined.median, target: "≥ 0.8")

    let tasks = 50
    let anchorConcurrent = try redisBenchmark(port: server.port, test: "SET", pipeline: 1, requests: requests * 2, runs: runs, clients: tasks)
    let shared = try await RedisFactory.makeAsyncClient(preferredURL: server.url, fallbackToFake: false, context: "bench", options: quietOptions)
    var ownClients: [AsyncRedisClient] = []
    for _ in 0..<tasks {
        ownClients.append(try await RedisFactory.makeAsyncClient(preferredURL: server.url, fallbackToFake: false, context: "bench", options: quietOptions))
    }
    row("SET, 50 connections, redis-benchmark -c 50", anchorConcurrent)
    let each = ownClients
    for (label, clients) in [
        ("SET, 50 async tasks, one shared client", Array(repeating: shared, count: tasks)),
        ("SET, 50 async tasks, a client each", each),
    ] {
        let ours = try await concurrentSetRate(clients: clients, perTask: requests * 2 / tasks, runs: runs)
        row(label, ours, ratio: ours.median / anchorConcurrent.median, target: "≥ 0.7")
    }

    try tlsRows(requests: requests, runs: runs, plainClient: client)
    try discoveryRows(runs: quick ? 5 : 20)
}

/// TLS against plain, same client, same machine: round trip and pipelined throughput.
private func tlsRows(requests: Int, runs: Int, plainClient: RedisClient) throws {
    let certificates = try TestCertificates.make()
    defer { certificates.remove() }
    let server = try RedisServer.start(.init(tls: (certificates.serverCertificate, certificates.serverKey, certificates.ca, "no")))
    var options = quietOptions
    options.tls = TLSOptions(caFile: certificates.ca)
    let tls = try RedisFactory.makeClient(preferredURL: "rediss://127.0.0.1:\(server.port)", fallbackToFake: false, context: "bench", options: options)
    header("TLS vs plain, requests/s (\(runs) runs)", "tls/plain")
    let batch = (0..<100).map { argv("SET", "key:\($0)", "xxx") }
    for (label, body) in [
        ("GET round trip", { (client: RedisClient) in for index in 0..<requests { _ = try client.get("key:\(index % 1000)") } }),
        ("SET pipeline 100", { (client: RedisClient) in for _ in 0..<(requests / 100) { _ = try client.pipeline(batch) } }),
    ] as [(String, (RedisClient) throws -> Void)] {
        let plain = try rate(requests, runs) { try body(plainClient) }
        let secure = try rate(requests, runs) { try body(tls) }
        row("\(label), plain", plain)
        row("\(label), TLS", secure, ratio: secure.median / plain.median, target: "report")
    }
}

/// The first connect through Sentinels (ask, connect, ROLE) against a direct first connect.
private func discoveryRows(runs: Int) throws {
    let set = try SentinelSet.start(replicas: 1)
    var options = quietOptions
    options.password = set.password
    let direct = measure(runs) { _ = try! RedisFactory.makeClient(preferredURL: "redis://127.0.0.1:\(set.nodes[0].port)", fallbackToFake: false, context: "bench", options: options) }
    let sentinel = measure(runs) { _ = try! RedisFactory.makeClient(preferredURL: set.url, fallbackToFake: false, context: "bench", options: options) }
    header("first connect, ms (\(runs) runs)", "sentinel/direct")
    report("direct redis://", direct.millisecondsRow)
    report("through 3 Sentinels, redis+sentinel://", sentinel.millisecondsRow + String(format: "   %8.2fx   report", sentinel.median / direct.median))
}

func rate(_ count: Int, _ runs: Int, _ body: () throws -> Void) rethrows -> Summary {
    let times = try measure(runs, body)
    return Summary(samples: times.samples.map { Double(count) / $0 })
}

func header(_ title: String, _ ratio: String) {
    print("")
    print(title.padding(toLength: 48, withPad: " ", startingAt: 0) + "      median          min          max   \(ratio)")
}

func row(_ label: String, _ summary: Summary, ratio: Double? = nil, target: String? = nil) {
    var text = summary.rateRow
    if let ratio { text += String(format: "   %8.2fx", ratio) }
    if let target { text += "   target \(target)" }
    report(label, text)
}

func profilePipeline(batches: Int) throws {
    let client = try RedisFactory.makeClient(fallbackToFake: false, context: "bench", options: quietOptions)
    let batch = (0..<100).map { argv("SET", "key:\($0)", "xxx") }
    for _ in 0..<batches { _ = try client.pipeline(batch) }
}

func profileSequential(commands: Int) throws {
    let client = try RedisFactory.makeClient(fallbackToFake: false, context: "bench", options: quietOptions)
    for index in 0..<commands { _ = try client.get("key:\(index % 1000)") }
}

/// SETs per second from one task per client, all at once, `perTask` each.
func concurrentSetRate(clients: [AsyncRedisClient], perTask: Int, runs: Int) async throws -> Summary {
    var samples: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, async) in clients.enumerated() {
                group.addTask {
                    for step in 0..<perTask { _ = try await async.send(argv("SET", "key:\(index):\(step % 100)", "xxx")) }
                }
            }
            try await group.waitForAll()
        }
        samples.append(Double(perTask * clients.count) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
    }
    return Summary(samples: samples)
}
