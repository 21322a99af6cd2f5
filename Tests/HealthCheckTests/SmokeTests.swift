import Foundation
import RedisTestSupport
import RedisFactory
import Testing

/// `redis-healthcheck smoke` against real servers.
@Suite struct SmokeTests {
    /// `--metrics-file`: the run for a textfile collector — per step and overall, with the
    /// connection series — that Prometheus's linter accepts; an unreachable server is a 0, not
    /// a missing file.
    @Test func metricsFileIsATextfileCollectorsInput() throws {
        let server = try RedisServer.start()
        let directory = try makeTemporaryDirectory(prefix: "smoke-metrics")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("redis_smoke.prom")
        let result = try runProduct("redis-healthcheck", ["smoke", "--url", server.url, "--metrics-file", file.path])
        #expect(result.exitCode == 0, "\(result.stdout)")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("redis_smoke_passed 1\n") && text.contains("redis_smoke_connected 1\n"), "\(text)")
        #expect(text.contains("redis_smoke_step_passed{step=\"MULTI/EXEC\"} 1"), "\(text)")
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("redis_smoke_step_duration_seconds{") }.count == 10)
        #expect(text.contains("infra_redis_connection_attempts_total{mode=\"sync\",context=\"smoke\",outcome=\"real\"} 1"), "\(text)")
        let lint = try runSystem("/usr/bin/promtool", ["check", "metrics"], stdin: text)
        #expect(lint.exitCode == 0, "\(lint.stdout)\(lint.stderr)")

        let port = try freeLoopbackPort()
        let down = try runProduct("redis-healthcheck", ["smoke", "--url", "redis://127.0.0.1:\(port)", "--timeout", "0.5", "--metrics-file", file.path])
        #expect(down.exitCode == 1)
        let failed = try String(contentsOf: file, encoding: .utf8)
        #expect(failed.contains("redis_smoke_passed 0\n") && failed.contains("redis_smoke_connected 0\n"), "\(failed)")
        #expect(failed.contains("infra_redis_connection_errors_total{"), "\(failed)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["redis_smoke.prom"], "no temporary file left")
    }

    @Test func passesOnARealServerAndLeavesNoKeys() throws {
        let server = try RedisServer.start()
        let directory = try makeTemporaryDirectory(prefix: "smoke")
        defer { try? FileManager.default.removeItem(at: directory) }
        let junit = directory.appendingPathComponent("smoke.xml")
        let result = try runProduct("redis-healthcheck", ["smoke", "--url", server.url, "--junit", junit.path])
        #expect(result.exitCode == 0, "\(result.stdout)")
        let steps = result.stdout.split(separator: "\n").dropFirst()
        #expect(steps.count == 10)
        #expect(steps.allSatisfy { $0.contains(" pass ") })
        let report = try String(contentsOf: junit, encoding: .utf8)
        #expect(report.contains("<testsuite name=\"redis-smoke\" tests=\"10\" failures=\"0\">"))
        #expect(try server.client().dbsize() == 0)
    }

    @Test func aFailedStepFailsTheRunAndStillCleansUp() throws {
        // A server where EVALSHA is renamed away: the script step must fail, the rest pass.
        let server = try RedisServer.start(.init(extraConfig: ["rename-command EVALSHA \"\""]))
        let result = try runProduct("redis-healthcheck", ["smoke", "--url", server.url, "--format", "json"])
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("{\"step\":\"sliding-window script via EVALSHA\",\"passed\":false"))
        #expect(result.stdout.contains("unknown command 'EVALSHA'"))
        #expect(result.stdout.contains("{\"step\":\"MULTI/EXEC\",\"passed\":true"))
        #expect(try server.client().dbsize() == 0)
    }
}

/// The smoke test through a cluster URL, on three loopback masters: every step, a key on
/// every master, and nothing left behind on any of them.
@Suite struct ClusterSmokeTests {
    @Test func smokeThroughAClusterURLTouchesEveryMasterAndLeavesNoKeys() throws {
        let cluster = try RedisClusterSet()
        defer { cluster.stop() }
        let result = try runProduct("redis-healthcheck", ["smoke", "--url", cluster.url, "--format", "json"])
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("{\"step\":\"every cluster master\",\"passed\":true"), "\(result.stdout)")
        #expect(result.stdout.contains("{\"step\":\"MULTI/EXEC\",\"passed\":true"))
        for master in cluster.masters { #expect(try master.adminClient().dbsize() == 0, "keys left on \(master.port)") }
        // The probe judges one node of it.
        let probe = try runProduct("redis-healthcheck", ["probe", "--role", "cluster", "--url", cluster.masters[1].url])
        #expect(probe.exitCode == 0, "\(probe.stdout)")
    }

    /// The failover drill through a cluster URL: its keys share one slot; that slot's master is
    /// killed while it writes (each write confirmed by the replica: WAIT); the replica is
    /// promoted, the client follows, and every acknowledged write is read back. (The shard then has
    /// no replica: later writes go unacknowledged until the drill's duration ends.)
    @Test func failoverDrillThroughAClusterLosesNoAcknowledgedWrite() throws {
        let cluster = try RedisClusterSet(masters: 3, replicasPerMaster: 1, nodeTimeoutMilliseconds: 1000)
        defer { cluster.stop() }
        let drill = try BackgroundCommand(productsDirectory.appendingPathComponent("redis-healthcheck").path, [
            "smoke", "--failover", "--trigger", "external", "--duration", "12", "--timeout", "3", "--url", cluster.url, "--format", "json",
        ])
        // The master the drill writes to is the one holding its keys.
        var master: RedisServer?
        let writing = eventually(within: 10, every: 0.1) {
            master = cluster.masters.first { server in
                ((try? server.adminClient().send(argv("DBSIZE")).integer) ?? 0) > 60
            }
            return master != nil
        }
        try #require(writing, "the drill did not start writing")
        master?.stop()
        let result = drill.wait()
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("{\"passed\":true,\"acknowledged\":"), "\(result.stdout)")
        #expect(result.stdout.contains("\"wait_replicas\":1,") && result.stdout.contains("\"lost\":0,"), "\(result.stdout)")
        print("cluster failover drill: \(result.stdout)")
    }
}

/// The health check through a Sentinel URL, and the failover drill on a real 1+2+3 set.
@Suite(.serialized) struct SentinelHealthTests {
    @Test func probeAndSmokeWorkThroughASentinelURL() throws {
        let set = try SentinelSet.start()
        let environment = ["REDIS_PASSWORD": set.password!]
        let probe = try runProduct("redis-healthcheck", ["probe", "--url", set.url], environment: environment)
        #expect(probe.exitCode == 0, "\(probe.stdout)\(probe.stderr)")
        #expect(probe.stdout == "healthy: master, 2 replicas connected\(ServerEngine.current.answered)\n")
        let smoke = try runProduct("redis-healthcheck", ["smoke", "--url", set.url], environment: environment)
        #expect(smoke.exitCode == 0, "\(smoke.stdout)")
        #expect(try set.client(port: set.nodes[0].port).dbsize() == 0)

        // A master name no Sentinel knows is a wrong name, not an outage.
        let wrongName = set.url.replacingOccurrences(of: "/\(set.masterName)", with: "/nosuchmaster")
        let unknown = try runProduct("redis-healthcheck", ["probe", "--url", wrongName], environment: environment)
        #expect(unknown.exitCode == 1)
        #expect(unknown.stdout.hasPrefix("unhealthy: no Sentinel knows a master named 'nosuchmaster'"), "\(unknown.stdout)")
        // A URL that cannot be parsed is a usage mistake: exit 2, before anything connects.
        let badPort = try runProduct("redis-healthcheck", ["probe", "--url", "redis://h:99999"])
        #expect(badPort.exitCode == 2, "\(badPort.stdout)\(badPort.stderr)")
        #expect(try runProduct("redis-healthcheck", ["probe", "--url", ""]).exitCode == 2)
    }

    @Test func failoverDrillLosesNoAcknowledgedWrite() throws {
        // As the generated configs run it: min-replicas-to-write 1. A write counts once every
        // replica confirmed it (the drill's default), so it survives whichever is promoted.
        let set = try SentinelSet.start(nodeConfig: ["min-replicas-to-write 1", "min-replicas-max-lag 10"])
        let result = try runProduct(
            "redis-healthcheck", ["smoke", "--failover", "--url", set.url, "--format", "json"],
            environment: ["REDIS_PASSWORD": set.password!]
        )
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("{\"passed\":true,\"acknowledged\":"), "\(result.stdout)")
        #expect(result.stdout.contains("\"wait_replicas\":2,"))
        #expect(result.stdout.contains("\"lost\":0,"))
        print("failover-drill: \(result.stdout)")
        // A new master took over, and the drill cleaned up after itself.
        let newMaster = try #require(set.masterPort())
        #expect(newMaster != set.nodes[0].port)
        #expect(eventually(within: 5) { (try? set.client(port: newMaster).dbsize()) == 0 })
    }

    @Test func failoverNeedsASentinelURL() throws {
        let server = try RedisServer.start()
        let result = try runProduct("redis-healthcheck", ["smoke", "--failover", "--url", server.url])
        #expect(result.exitCode == 2, "a usage mistake, not an unhealthy server")
        #expect(result.stderr.contains("--failover needs a Sentinel URL"), "\(result.stdout)\(result.stderr)")
    }

    /// A "server" that answers with a 100 MB bulk: the probe refuses it past 16 MB instead of
    /// buffering it (a smoke test against such a server once grew to 411 MB).
    @Test func aHugeReplyIsRefusedNotBuffered() throws {
        let port = try freeLoopbackPort()
        let server = Process()
        server.executableURL = packageRoot.appendingPathComponent(".venv-tools/bin/python")
        server.arguments = ["-c", """
            import socket
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", \(port))); s.listen(4); print("ready", flush=True)
            while True:
                c, _ = s.accept(); c.recv(65536)
                try:
                    c.sendall(b"$104857600\\r\\n")
                    for _ in range(1600): c.sendall(b"x" * 65536)
                except OSError: pass
                c.close()
            """]
        let ready = Pipe()
        server.standardOutput = ready
        try server.run()
        // SIGKILL: a child of a test thread may have SIGTERM blocked.
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        while ready.fileHandleForReading.readData(ofLength: 1).first.map({ $0 != UInt8(ascii: "\n") }) ?? false {}
        let result = try runSystem("/usr/bin/time", ["-f", "peak-kb %M", productsDirectory.appendingPathComponent("redis-healthcheck").path, "probe", "--url", "redis://127.0.0.1:\(port)", "--timeout", "20"])
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("a reply larger than 16777216 bytes; refused rather than buffered"), "\(result.stdout)")
        let peak = result.stderr.split(separator: "\n").last { $0.hasPrefix("peak-kb ") }.flatMap { Int($0.dropFirst(8)) } ?? Int.max
        #expect(peak < 64 * 1024, "peak RSS \(peak) KB")
    }

    /// `--timeout` bounds the whole run, as for a probe: five Sentinels that accept and never
    /// answer used to hold `--timeout 1` for 5 s, one connect timeout each.
    @Test func timeoutBoundsTheWholeRun() throws {
        let silent = try (0..<5).map { _ in try SilentListener() }
        let hosts = silent.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
        let result = try runProduct("redis-healthcheck", ["smoke", "--timeout", "1", "--url", "redis+sentinel://\(hosts)/cache"])
        #expect(result.exitCode == 1)
        #expect(result.stdout == "smoke: no result within the 1.000s deadline (--timeout bounds the whole run)\n", "\(result.stdout)")
    }
}
