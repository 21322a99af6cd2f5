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
            "redis-infra generate (process, fresh output)", "RSS after warm-up",
            "SET, cluster client, sequential", "SET, cluster client, pipeline 16, one node", "SET, cluster client, pipeline 16, 3 nodes", "SET, cluster client, 50 async tasks, shared",
            "GET pass, first after (MOVED storm)",
            "redis 7.0.15: GET, typed client", "valkey \(ServerEngine.valkey.version): GET, typed client",
            "valkey \(ServerEngine.valkey.version): SET, client.pipeline of 100", "valkey \(ServerEngine.valkey.version): redis-healthcheck probe, wall ms",
            "all sections done",
        ]
        for row in rows { #expect(result.stdout.contains(row), "missing row: \(row)") }
    }

    /// Whatever the harness starts, it stops, also when it is interrupted: a SIGTERM in the
    /// middle of a run leaves no redis-server behind (it used to, and that server ignored
    /// SIGTERM itself, having inherited a blocked mask).
    @Test func anInterruptedRunLeavesNoServerBehind() throws {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("redis-infra-benchmarks")
        process.arguments = ["client"]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var children: [pid_t] = []
        let started = eventually(within: 30) {
            children = childProcesses(of: process.processIdentifier, named: "redis-server")
            return !children.isEmpty
        }
        try #require(started, "the benchmark never started its server")
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let gone = eventually(within: 5) { children.allSatisfy { kill($0, 0) != 0 } }
        #expect(gone, "left running: \(children)")
    }

    /// Direct children of a process with a given command name, from /proc.
    private func childProcesses(of parent: pid_t, named name: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let command = stat[stat.index(after: stat.firstIndex(of: "(")!)..<close]
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            return command == name && fields.count > 1 && Int32(fields[1]) == parent
        }
    }
}
