import Foundation
import RedisFactory
import RedisTestSupport

/// The cluster client against `redis-benchmark --cluster` on the same 3-master loopback
/// cluster, same run; then what a reshard costs the client (issue 17).
func clusterBenchmark(quick: Bool) async throws {
    let requests = quick ? 3_000 : 60_000
    let runs = quick ? 3 : 5
    let cluster = try RedisClusterSet()
    defer { cluster.stop() }
    let port = cluster.masters[0].port
    let client = try RedisFactory.makeClient(preferredURL: cluster.url, fallbackToFake: false, context: "bench", options: quietOptions)

    header("cluster client vs redis-benchmark --cluster, requests/s (\(runs) runs, 3 masters, interleaved)", "ours/anchor")
    let tasks = 50
    let shared = try await RedisFactory.makeAsyncClient(preferredURL: cluster.url, fallbackToFake: false, context: "bench", options: quietOptions)
    let depth = 16
    // Anchor and ours alternate, run by run: on a shared, noisy machine both see the same
    // moments, and the ratio is the median of each pair's.
    let cases: [(label: String, anchor: String, pipeline: Int, clients: Int, count: Int, ours: () async throws -> Double)] = [
        ("SET, cluster client, sequential", "SET, redis-benchmark --cluster -c 1 -P 1", 1, 1, requests, {
            try rate(requests, 1) { for index in 0..<requests { try client.set("key:\(index % 1000)", "xxx") } }.median
        }),
        // redis-benchmark --cluster tags each client's keys for one node: a pipeline of 16 is one
        // write and one read on one node. The same shape first, then 16 keys over all 3 nodes.
        ("SET, cluster client, pipeline 16, one node", "SET, redis-benchmark --cluster -c 1 -P 16", depth, 1, requests * 4, {
            try rate(requests * 4, 1) {
                for batch in 0..<(requests * 4 / depth) {
                    _ = try client.pipeline((0..<depth).map { argv("SET", "{bench}:key:\((batch * depth + $0) % 1000)", "xxx") })
                }
            }.median
        }),
        ("SET, cluster client, pipeline 16, 3 nodes", "SET, redis-benchmark --cluster -c 1 -P 16", depth, 1, requests * 4, {
            try rate(requests * 4, 1) {
                for batch in 0..<(requests * 4 / depth) {
                    _ = try client.pipeline((0..<depth).map { argv("SET", "key:\((batch * depth + $0) % 1000)", "xxx") })
                }
            }.median
        }),
        ("SET, cluster client, 50 async tasks, shared", "SET, redis-benchmark --cluster -c 50", 1, tasks, requests * 2, {
            try await concurrentSetRate(clients: Array(repeating: shared, count: tasks), perTask: requests * 2 / tasks, runs: 1).median
        }),
    ]
    for entry in cases {
        var anchors: [Double] = []
        var ours: [Double] = []
        for _ in 0..<runs {
            anchors.append(try clusterBenchmarkAnchor(port: port, pipeline: entry.pipeline, clients: entry.clients, requests: entry.count, runs: 1).median)
            ours.append(try await entry.ours())
        }
        let ratios = Summary(samples: zip(ours, anchors).map { $0 / $1 })
        row(entry.anchor, Summary(samples: anchors))
        row(entry.label, Summary(samples: ours), ratio: ratios.median, target: "≥ 0.8")
    }

    try reshardRow(cluster, client: client, runs: runs)
}

/// A third of one master's slots handed to another while the client's map still says
/// otherwise: the first pass over keys in every slot follows a MOVED per moved slot it meets
/// (asking for the whole map once); the second pass runs on the corrected map.
private func reshardRow(_ cluster: RedisClusterSet, client: RedisClient, runs: Int) throws {
    let keys = (0..<4096).map { "reshard:\($0)" }
    let pass = { for key in keys { _ = try client.get(key) } }
    try pass()
    let before = try measure(runs) { try pass() }
    let target = cluster.masters[1]
    let targetID = try target.adminClient().send(argv("CLUSTER", "MYID")).string ?? ""
    let moved = 0..<1820
    // Empty slots (GET only): handing them over needs no MIGRATE, only SETSLOT on every master.
    for master in cluster.masters {
        let admin = try master.adminClient()
        for slot in moved { _ = try admin.send(argv("CLUSTER", "SETSLOT", String(slot), "NODE", targetID)) }
    }
    let storm = try measure(1) { try pass() }
    let after = try measure(runs) { try pass() }
    header("reshard: \(moved.count) slots moved, a pass of \(keys.count) GETs (s)", "first/steady")
    report("GET pass, before the reshard", before.millisecondsRow)
    report("GET pass, first after (MOVED storm)", storm.millisecondsRow + String(format: "   %8.2fx", storm.median / before.median))
    report("GET pass, map whole again", after.millisecondsRow + String(format: "   %8.2fx", after.median / before.median))
}

private func clusterBenchmarkAnchor(port: Int, pipeline: Int, clients: Int, requests: Int, runs: Int) throws -> Summary {
    var samples: [Double] = []
    for _ in 0..<runs {
        let result = try runSystem("/usr/bin/redis-benchmark", [
            "--cluster", "-p", "\(port)", "-c", "\(clients)", "-n", "\(requests)", "-P", "\(pipeline)", "-t", "set", "--csv",
        ])
        for line in result.stdout.split(separator: "\n") where line.hasPrefix("\"SET\"") {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            if let rate = Double(fields[1]) { samples.append(rate) }
        }
    }
    guard !samples.isEmpty else { throw TestSupportError("redis-benchmark --cluster printed no SET row") }
    return Summary(samples: samples)
}
