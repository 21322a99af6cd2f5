import Foundation
import RedisTestSupport
import Testing

/// `redis-healthcheck smoke` against real servers.
@Suite struct SmokeTests {
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
