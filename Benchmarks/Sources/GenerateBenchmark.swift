import Foundation
import RedisTestSupport

/// `redis-infra generate` on a 50-node topology (1 master, 40 replicas, 9 Sentinels, Compose
/// and health-check outputs) together with every example topology (the Terraform targets),
/// as a process, the way ops run it. Target: under 100 ms wall.
func generateBenchmark(runs: Int) throws {
    let work = try makeTemporaryDirectory(prefix: "bench-generate")
    defer { try? FileManager.default.removeItem(at: work) }
    let topology = work.appendingPathComponent("fifty.yaml")
    try """
        name: fifty
        redis: {version: "7.0", mode: sentinel, replicas: 40, maxmemory: 1gb, min_replicas_to_write: 1}
        sentinel: {count: 9, quorum: 5, master_name: fifty}
        auth: {password: {secret_file: ./secrets/redis-password}}
        clients: [{service: api}, {service: worker, env: [EMBEDDINGS_REDIS_URL]}]
        targets: {compose: {subnet: 10.50.0.0/24}}

        """.write(to: topology, atomically: true, encoding: .utf8)
    let examples = try FileManager.default.contentsOfDirectory(atPath: "topologies").filter { $0.hasSuffix(".yaml") }.sorted().map { "topologies/\($0)" }
    let binary = productsDirectory.appendingPathComponent("redis-infra").path
    let arguments = ["generate", "--out", work.appendingPathComponent("out").path, topology.path] + examples
    var files = 0
    let times = try measure(runs) {
        try? FileManager.default.removeItem(at: work.appendingPathComponent("out"))
        let result = try runSystem(binary, arguments)
        guard result.exitCode == 0 else { throw TestSupportError("generate failed: \(result.stderr)") }
        files = Int(result.stdout.split(separator: "\n").last?.split(separator: " ").first ?? "") ?? 0
    }
    header("generate, 50-node topology + examples (\(files) files), ms", "")
    report("redis-infra generate (process, fresh output)", times.millisecondsRow + "   target < 100 ms")
}
