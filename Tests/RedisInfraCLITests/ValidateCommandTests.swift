import Foundation
import RedisTestSupport
import Testing

/// `redis-infra validate`, run as the built executable.
@Suite struct ValidateCommandTests {
    @Test func examplesAreValid() throws {
        let examples = packageRoot.appendingPathComponent("topologies")
        let files = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".yaml") }
        let result = try runProduct("redis-infra", ["validate"] + files.map { examples.appendingPathComponent($0).path })
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        // Warnings keep the exit code at 0; the only one an example earns is that one Docker
        // host is one failure domain for its Sentinels, or its cluster's nodes.
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 4, "\(result.stdout)")
        for file in ["sentinel-ha.yaml", "valkey-sentinel.yaml"] {
            #expect(lines.contains { $0.contains("/\(file):") && $0.contains(": warning: every Sentinel and Redis node") }, "\(result.stdout)")
        }
        for file in ["cluster.yaml", "valkey-cluster.yaml"] {
            #expect(lines.contains { $0.contains("/\(file):") && $0.contains(": warning: every cluster node") }, "\(result.stdout)")
        }
    }

    @Test func errorsExitOneWithLocatedJSON() throws {
        let directory = try makeTemporaryDirectory(prefix: "validate")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.yaml")
        try "name: a\nredis:\n  prot: 1\n".write(to: file, atomically: true, encoding: .utf8)
        let result = try runProduct("redis-infra", ["validate", "--format", "json", file.path])
        #expect(result.exitCode == 1)
        #expect(
            result.stdout
                == "[{\"file\":\"\(file.path)\",\"line\":3,\"column\":3,\"severity\":\"error\",\"message\":\"unknown key 'prot' in 'redis'; did you mean 'port'?\"}]\n"
        )
    }

    @Test func unreadableFileExitsTwo() throws {
        let result = try runProduct("redis-infra", ["validate", "/nonexistent/topology.yaml"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("cannot read '/nonexistent/topology.yaml'"))
    }
}
