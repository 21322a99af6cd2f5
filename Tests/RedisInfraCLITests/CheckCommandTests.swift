import Foundation
import RedisTestSupport
import Testing

/// `redis-infra check`, run as the built executable.
@Suite struct CheckCommandTests {
    @Test func reportsTheStubWhenRedisIsDown() throws {
        let url = "redis://ops:hunter2@127.0.0.1:\(try freeLoopbackPort())"
        let result = try runProduct("redis-infra", ["check", "--url", url])
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("client:  stub (in-memory; Redis unreachable: connection refused"))
        #expect(result.stdout.contains("source:  explicit"))
        #expect(result.stderr.contains("using in-memory stub"))
        #expect(!(result.stdout + result.stderr).contains("hunter2"))
    }

    /// Usage mistakes exit 2, as documented (ArgumentParser's own code would be 64).
    @Test func usageMistakesExitTwo() throws {
        for arguments in [["check", "--url", ""], ["cli", "--url", ""], ["check", "--connect-timeout", "0"], ["check", "--no-such-flag"], ["validate"], ["generate"]] {
            let result = try runProduct("redis-infra", arguments)
            #expect(result.exitCode == 2, "\(arguments): \(result.stderr)")
            #expect(!result.stderr.isEmpty, "\(arguments) says why")
        }
    }

    @Test func strictExitsOneWithTheReason() throws {
        let port = try freeLoopbackPort()
        let result = try runProduct("redis-infra", ["check", "--strict", "--format", "json"], environment: ["REDIS_URL": "redis://127.0.0.1:\(port)"])
        #expect(result.exitCode == 1)
        #expect(
            result.stdout
                == "{\"url\":\"redis://127.0.0.1:\(port)/0\",\"source\":\"env REDIS_URL\",\"client\":\"none\",\"reason\":\"connection refused (Connection refused)\",\"rtt_ms\":null,\"engine\":null,\"version\":null}\n"
        )
    }

    @Test func strictAgainstASuspendedServerExitsWithinTheConnectTimeout() throws {
        let server = try RedisServer.start()
        server.suspend()
        defer { server.resume() }
        let result = try runProduct("redis-infra", ["check", "--strict", "--url", server.url, "--connect-timeout", "0.3"])
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("timed out"))
    }

    @Test func reportsARealServerAndItsVersion() throws {
        let server = try RedisServer.start(.init(password: "pw"))
        let settings = server.directory.appendingPathComponent("app.env")
        try "REDIS_URL=redis://:pw@127.0.0.1:\(server.port)/2\n".write(to: settings, atomically: true, encoding: .utf8)
        let result = try runProduct("redis-infra", ["check", "--strict", "--settings", settings.path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("url:     redis://***:***@127.0.0.1:\(server.port)/2\n"))
        #expect(result.stdout.contains("source:  settings REDIS_URL\n"))
        #expect(result.stdout.contains("client:  real\n"))
        // Which engine answered, by its own name and version (Valkey's redis_version is not its own).
        #expect(result.stdout.contains(ServerEngine.current == .valkey ? "server:  valkey 9." : "server:  redis 7.0."), "\(result.stdout)")
        #expect(result.stdout.contains("rtt:     "))
    }

    /// `--format prometheus`: the check as gauges and the factory's own series, which
    /// Prometheus's own linter reads without a complaint (HELP and TYPE for every metric).
    @Test func prometheusFormatIsAnExpositionPrometheusAccepts() throws {
        let server = try RedisServer.start()
        let result = try runProduct("redis-infra", ["check", "--url", server.url, "--format", "prometheus", "--context", "ops-cron"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let engine = ServerEngine.current
        #expect(result.stdout.contains("redis_infra_check_reachable{client=\"real\",engine=\"\(engine.name)\",version=\"\(engine.version)\"} 1"), "\(result.stdout)")
        #expect(result.stdout.contains("infra_redis_connection_attempts_total{mode=\"sync\",context=\"ops-cron\",outcome=\"real\"} 1"), "\(result.stdout)")
        #expect(!result.stdout.contains("127.0.0.1"), "no address in the series")
        let lint = try runSystem("/usr/bin/promtool", ["check", "metrics"], stdin: result.stdout)
        #expect(lint.exitCode == 0, "\(lint.stdout)\(lint.stderr)")
        // Unreachable, with the stub: reachable 0, and the fallback counted.
        let port = try freeLoopbackPort()
        let stub = try runProduct("redis-infra", ["check", "--url", "redis://127.0.0.1:\(port)", "--format", "prometheus", "--connect-timeout", "0.2"])
        #expect(stub.stdout.contains("redis_infra_check_reachable{client=\"stub\"} 0") && stub.stdout.contains("infra_redis_fallback_total{"), "\(stub.stdout)")
    }

    @Test func malformedURLIsAUsageError() throws {
        let result = try runProduct("redis-infra", ["check", "--url", "redis://u:hunter2@host:port"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("invalid Redis URL 'redis://***:***@host:port': port: 'port' is not a port number"))
        #expect(!result.stderr.contains("hunter2"))
    }
}
