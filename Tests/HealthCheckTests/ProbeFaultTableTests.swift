import Foundation
import RedisFactory
import RedisTestSupport
import Testing

/// The probe's fault table on real servers: each row asserts the exit code and the reason line
/// of `redis-healthcheck probe`, run as the built executable.
@Suite struct ProbeFaultTableTests {
    func probe(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try runProduct("redis-healthcheck", ["probe"] + arguments, environment: environment)
    }

    @Test func healthyMaster() throws {
        let server = try RedisServer.start()
        let result = try probe(["--url", server.url, "--role", "master"])
        #expect(result.exitCode == 0)
        #expect(result.stdout == "healthy: master, 0 replicas connected\(ServerEngine.current.answered)\n")
    }

    @Test func livenessOfAMaster() throws {
        let server = try RedisServer.start()
        let result = try probe(["--url", server.url, "--mode", "liveness", "--format", "json"])
        #expect(result.exitCode == 0)
        #expect(result.stdout == "{\"healthy\":true,\"role\":\"master\",\"mode\":\"liveness\",\"reason\":\"alive, master\",\"server\":null}\n")
    }

    @Test func replicaInSyncThenLinkDownWhenItsMasterGoes() throws {
        let master = try RedisServer.start()
        let replica = try RedisServer.start(.init(extraConfig: ["replicaof 127.0.0.1 \(master.port)"]))
        var result = try probe(["--url", replica.url, "--role", "replica"])
        for _ in 0..<100 where result.exitCode != 0 {
            usleep(50_000)
            result = try probe(["--url", replica.url, "--role", "replica"])
        }
        #expect(result.exitCode == 0, "\(result.stdout)")
        #expect(result.stdout == "healthy: replica in sync with 127.0.0.1:\(master.port)\(ServerEngine.current.answered)\n")
        #expect(try probe(["--url", master.url]).stdout == "healthy: master, 1 replica connected\(ServerEngine.current.answered)\n")

        master.stop()
        var down = try probe(["--url", replica.url])
        for _ in 0..<100 where down.exitCode == 0 {
            usleep(50_000)
            down = try probe(["--url", replica.url])
        }
        #expect(down.exitCode == 1)
        #expect(down.stdout.hasPrefix("unhealthy: replica link down"), "\(down.stdout)")
        #expect(down.stdout.hasSuffix("(master 127.0.0.1:\(master.port))\(ServerEngine.current.answered)\n"))
        // Liveness does not care about the link.
        #expect(try probe(["--url", replica.url, "--mode", "liveness"]).exitCode == 0)
    }

    @Test func refusedPortIsUnhealthyAndNeverTheStub() throws {
        let port = try freeLoopbackPort()
        let result = try probe(["--url", "redis://127.0.0.1:\(port)"])
        #expect(result.exitCode == 1)
        #expect(result.stdout == "unhealthy: connection refused (Connection refused)\n")
        let defaulted = try probe([], environment: ["REDIS_URL": "redis://127.0.0.1:\(port)"])
        #expect(defaulted.exitCode == 1)
        #expect(!(defaulted.stdout + defaulted.stderr).contains("stub"))
    }

    @Test func suspendedServerHitsTheDeadline() throws {
        let server = try RedisServer.start()
        server.suspend()
        defer { server.resume() }
        let result = try probe(["--url", server.url, "--timeout", "0.5"])
        #expect(result.exitCode == 1)
        #expect(result.stdout.hasPrefix("unhealthy: "), "\(result.stdout)")
        #expect(result.stdout.contains("timed out") || result.stdout.contains("deadline"), "\(result.stdout)")
    }

    @Test func wrongAndMissingPasswords() throws {
        let server = try RedisServer.start(.init(password: "right"))
        let wrong = try probe(["--url", server.url], environment: ["REDIS_PASSWORD": "wrong"])
        #expect(wrong.exitCode == 1)
        #expect(wrong.stdout.hasPrefix("unhealthy: authentication failed (WRONGPASS"), "\(wrong.stdout)")
        let missing = try probe(["--url", server.url])
        #expect(missing.exitCode == 1)
        #expect(missing.stdout.hasPrefix("unhealthy: authentication failed (NOAUTH"), "\(missing.stdout)")
        // From a mounted secret file, never argv.
        let file = server.directory.appendingPathComponent("password")
        try "right\n".write(to: file, atomically: true, encoding: .utf8)
        let fromFile = try probe(["--url", server.url], environment: ["REDIS_PASSWORD_FILE": file.path])
        #expect(fromFile.exitCode == 0, "\(fromFile.stdout)")
        #expect(!(wrong.stdout + wrong.stderr).contains("wrong"))
    }

    /// A server restarted on a large data set answers LOADING until it has read it: alive,
    /// not ready. `key-load-delay` (Redis's own test knob) stretches the load to seconds.
    @Test func serverLoadingItsDatasetIsAliveButNotReady() throws {
        let source = try RedisServer.start(.init(extraConfig: ["enable-debug-command yes"]))
        let writer = try source.client()
        #expect(try writer.send(argv("DEBUG", "POPULATE", "20000")).string == "OK")
        #expect(try writer.send(argv("SAVE")).string == "OK")
        let data = try makeTemporaryDirectory(prefix: "loading")
        defer { try? FileManager.default.removeItem(at: data) }
        try FileManager.default.copyItem(at: source.directory.appendingPathComponent("dump.rdb"), to: data.appendingPathComponent("dump.rdb"))
        source.stop()
        let loading = try RedisServer.start(.init(extraConfig: [
            "dir \(data.path)", "dbfilename dump.rdb", "key-load-delay 500", "loading-process-events-interval-bytes 1024",
        ]))
        let ready = try probe(["--url", loading.url, "--timeout", "1"])
        #expect(ready.exitCode == 1)
        #expect(ready.stdout == "unhealthy: not ready: loading its dataset\n", "\(ready.stdout)")
        let alive = try probe(["--url", loading.url, "--mode", "liveness", "--timeout", "1"])
        #expect(alive.exitCode == 0, "\(alive.stdout)")
        #expect(alive.stdout == "healthy: alive, loading its dataset\n")
    }

    /// A replica whose first sync has not finished: the master is slow to produce its RDB
    /// (`rdb-key-save-delay`), so the replica waits with `master_sync_in_progress:1`.
    @Test func replicaStillSyncingIsNotReady() throws {
        let master = try RedisServer.start(.init(extraConfig: ["repl-diskless-sync no", "rdb-key-save-delay 2000", "enable-debug-command yes"]))
        #expect(try master.client().send(argv("DEBUG", "POPULATE", "10000")).string == "OK")
        let replica = try RedisServer.start(.init(extraConfig: ["replicaof 127.0.0.1 \(master.port)"]))
        var result = try probe(["--url", replica.url, "--role", "replica"])
        for _ in 0..<100 where !result.stdout.contains("still syncing") {
            usleep(50_000)
            result = try probe(["--url", replica.url, "--role", "replica"])
        }
        #expect(result.exitCode == 1)
        #expect(result.stdout == "unhealthy: replica is still syncing from its master (127.0.0.1:\(master.port))\(ServerEngine.current.answered)\n", "\(result.stdout)")
        #expect(try probe(["--url", replica.url, "--mode", "liveness"]).exitCode == 0)
    }

    /// A master that cannot persist: its data directory is gone, BGSAVE fails, and Redis then
    /// refuses writes with MISCONF. Liveness still holds; readiness does not.
    @Test func masterThatCannotPersistIsNotReady() throws {
        let data = try makeTemporaryDirectory(prefix: "misconf")
        let server = try RedisServer.start(.init(extraConfig: ["dir \(data.path)", "save 3600 1"]))
        try FileManager.default.removeItem(at: data)
        let client = try server.client()
        #expect(try client.send(argv("SET", "k", "v")).string == "OK")
        _ = try client.send(argv("BGSAVE"))
        let failed = eventually(within: 10) {
            ((try? client.send(argv("INFO", "persistence")).string) ?? "").contains("rdb_last_bgsave_status:err")
        }
        try #require(failed, "BGSAVE did not fail")
        #expect(try client.send(argv("SET", "k", "v2")).errorMessage?.hasPrefix("MISCONF") == true)
        let result = try probe(["--url", server.url, "--role", "master"])
        #expect(result.exitCode == 1)
        #expect(result.stdout == "unhealthy: master's last RDB save failed (writes fail with MISCONF)\n")
        let alive = try probe(["--url", server.url, "--mode", "liveness"])
        #expect(alive.exitCode == 0)
        #expect(alive.stdout == "healthy: alive, master cannot persist (MISCONF)\n")
    }

    @Test func roleMismatchIsUnhealthy() throws {
        let server = try RedisServer.start()
        let result = try probe(["--url", server.url, "--role", "replica"])
        #expect(result.exitCode == 1)
        #expect(result.stdout == "unhealthy: role mismatch: expected replica, server is master\n")
    }

    @Test func sentinelReadinessChecksQuorumAndMasterName() throws {
        let master = try RedisServer.start()
        let sentinel = try RedisServer.start(.init(extraConfig: [
            "sentinel monitor cache 127.0.0.1 \(master.port) 1",
            "sentinel down-after-milliseconds cache 1000",
        ], sentinel: true))
        let ready = try probe(["--url", sentinel.url, "--master-name", "cache"])
        #expect(ready.exitCode == 0, "\(ready.stdout)")
        #expect(ready.stdout == "healthy: sentinel, quorum reachable, master cache at 127.0.0.1:\(master.port)\n")
        let unknown = try probe(["--url", sentinel.url, "--master-name", "other"])
        #expect(unknown.exitCode == 1)
        #expect(unknown.stdout == "unhealthy: sentinel: ERR No such master with that name\n")
        // Liveness never asks for the quorum.
        #expect(try probe(["--url", sentinel.url, "--master-name", "other", "--mode", "liveness"]).exitCode == 0)
    }

    /// A Sentinel learns replicas from the master's INFO; until it knows every one it could not
    /// fail over (`-failover-abort-no-good-slave`), so it is not ready. A replica that is down
    /// is still known and still counts.
    @Test func sentinelIsReadyOnlyWhenItKnowsEveryReplica() throws {
        let master = try RedisServer.start()
        let replica = try RedisServer.start(.init(extraConfig: ["replicaof 127.0.0.1 \(master.port)"]))
        let sentinel = try RedisServer.start(.init(extraConfig: [
            "sentinel monitor cache 127.0.0.1 \(master.port) 1",
            "sentinel down-after-milliseconds cache 1000",
        ], sentinel: true))
        var ready = try probe(["--url", sentinel.url, "--master-name", "cache", "--replicas", "1"])
        #expect(eventually(within: 15) {
            ready = (try? probe(["--url", sentinel.url, "--master-name", "cache", "--replicas", "1"])) ?? ready
            return ready.exitCode == 0
        }, "\(ready.stdout)")
        let short = try probe(["--url", sentinel.url, "--master-name", "cache", "--replicas", "2"])
        #expect(short.exitCode == 1)
        #expect(short.stdout == "unhealthy: sentinel knows 1 of the 2 replicas of cache; it could not fail over yet\n")
        replica.stop()
        let afterStop = try probe(["--url", sentinel.url, "--master-name", "cache", "--replicas", "1"])
        #expect(afterStop.exitCode == 0, "a known replica that is down still counts: \(afterStop.stdout)")
        let bad = try probe(["--url", sentinel.url, "--master-name", "cache", "--replicas", "1.5"])
        #expect(bad.exitCode == 2)
        #expect(bad.stderr.contains("--replicas must be a whole number from 0 to 1000, not '1.5'"), "\(bad.stderr)")
    }

    @Test func sentinelWithQuorumLostIsAliveButNotReady() throws {
        let master = try RedisServer.start()
        let sentinels = try (0..<3).map { _ in
            try RedisServer.start(.init(extraConfig: [
                "sentinel monitor cache 127.0.0.1 \(master.port) 2",
                "sentinel down-after-milliseconds cache 1000",
            ], sentinel: true))
        }
        // The three find each other through the master's hello channel.
        let watcher = try sentinels[0].client()
        func peersKnown() throws -> Int { try watcher.send("SENTINEL", "SENTINELS", "cache").array?.count ?? 0 }
        for _ in 0..<100 where try peersKnown() < 2 { usleep(100_000) }
        let ready = try probe(["--url", sentinels[0].url, "--master-name", "cache"])
        #expect(ready.exitCode == 0, "\(ready.stdout)")
        sentinels[1].stop()
        sentinels[2].stop()
        var lost = try probe(["--url", sentinels[0].url, "--master-name", "cache"])
        for _ in 0..<100 where lost.exitCode == 0 {
            usleep(100_000)
            lost = try probe(["--url", sentinels[0].url, "--master-name", "cache"])
        }
        #expect(lost.exitCode == 1)
        #expect(lost.stdout.hasPrefix("unhealthy: sentinel: NOQUORUM"), "\(lost.stdout)")
        let alive = try probe(["--url", sentinels[0].url, "--master-name", "cache", "--mode", "liveness"])
        #expect(alive.exitCode == 0)
        #expect(alive.stdout == "healthy: alive, sentinel\n")
    }

    /// A cluster node: alive whatever its cluster does; ready only while the cluster serves
    /// every slot. Three masters on loopback, formed by hand (slots, then MEET).
    @Test func clusterNodeIsReadyOnlyWhileItsClusterServesEverySlot() throws {
        let nodes = try (0..<3).map { _ in
            try RedisServer.start(.init(extraConfig: ["cluster-enabled yes", "cluster-port \(try freeLoopbackPort())", "cluster-node-timeout 1000"]))
        }
        let first = nodes[0]
        var result = try probe(["--url", first.url, "--role", "cluster"])
        #expect(result.exitCode == 1)
        #expect(result.stdout == "unhealthy: cluster state is fail: 0 of 16384 slots assigned, 0 served\n", "\(result.stdout)")
        #expect(try probe(["--url", first.url, "--role", "cluster", "--mode", "liveness"]).exitCode == 0)

        let ranges = [(0, 5460), (5461, 10922), (10923, 16383)]
        for (node, range) in zip(nodes, ranges) {
            #expect(try node.client().send(argv("CLUSTER", "ADDSLOTSRANGE", String(range.0), String(range.1))).string == "OK")
        }
        let meeting = try first.client()
        for node in nodes.dropFirst() {
            let bus = try #require(try node.client().send(argv("CONFIG", "GET", "cluster-port")).array?.last?.string)
            #expect(try meeting.send(argv("CLUSTER", "MEET", "127.0.0.1", String(node.port), bus)).string == "OK")
        }
        for _ in 0..<200 where result.exitCode != 0 {
            usleep(50_000)
            result = try probe(["--url", first.url, "--role", "cluster"])
        }
        #expect(result.exitCode == 0, "\(result.stdout)")
        #expect(result.stdout == "healthy: master, 0 replicas connected\(ServerEngine.current.answered)\n")

        // One master gone: its slots are not served (suspected first, then failed, when with full
        // coverage required the whole cluster refuses); the node that answers is still alive.
        nodes[2].stop()
        for _ in 0..<200 where result.exitCode == 0 {
            usleep(50_000)
            result = try probe(["--url", first.url, "--role", "cluster"])
        }
        #expect(result.exitCode == 1)
        let reasons = ["unhealthy: cluster serves 10923 of 16384 slots (16384 assigned)\n", "unhealthy: cluster state is fail: 16384 of 16384 slots assigned, 10923 served\n"]
        #expect(reasons.contains(result.stdout), "\(result.stdout)")
        for _ in 0..<200 where result.stdout != reasons[1] {
            usleep(50_000)
            result = try probe(["--url", first.url, "--role", "cluster"])
        }
        #expect(result.stdout == reasons[1], "once the others agree the master failed")
        #expect(try probe(["--url", first.url, "--role", "cluster", "--mode", "liveness"]).exitCode == 0)
    }

    @Test func usageErrorsExitTwo() throws {
        let result = try probe(["--role", "boss"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("--role"))
    }
}
