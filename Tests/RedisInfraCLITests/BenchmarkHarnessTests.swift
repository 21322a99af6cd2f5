import Foundation
import RedisTestSupport
import Testing

/// The benchmark harness must not rot: CI runs its quick mode and checks that every section
/// and row was printed. Never the figures: this machine is shared and noisy.
@Suite struct BenchmarkHarnessTests {
    @Test func quickRunPrintsEveryRow() throws {
        let result = try runSystem(
            productsDirectory.appendingPathComponent("redis-infra-benchmarks").path, ["all", "--quick"],
            environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "PYTHON": packageRoot.appendingPathComponent(".venv-tools/bin/python").path]
        )
        #expect(result.exitCode == 0, "\(result.stderr)")
        let rows = [
            "SET, 1 connection, redis-benchmark -c 1 -P 1", "SET, 1 connection, typed client",
            "GET, 1 connection, typed client", "SET, pipeline 100, client.pipeline", "SET, 50 async tasks, one shared client", "SET, 50 async tasks, a client each",
            "GET round trip, TLS", "SET pipeline 100, TLS", "through 3 Sentinels, redis+sentinel://",
            "factory, refused port", "factory, SIGSTOP'd, connect_timeout 0.5 s", "redis-py defaults, refused port",
            "SET+GET, stub", "SET -P 16, stub-server", "redis-healthcheck probe --role master",
            "redis-infra generate (process, fresh output)", "RSS after warm-up", "all sections done",
        ]
        for row in rows { #expect(result.stdout.contains(row), "missing row: \(row)") }
    }
}
