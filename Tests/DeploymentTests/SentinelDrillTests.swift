import Foundation
import RedisTestSupport
import Testing

/// The Sentinel HA example under a real engine, broken as production breaks: a killed master,
/// a master cut off from its replicas and Sentinels, a restart of every Redis service. The
/// numbers are printed (docs/compose.md keeps them); the tests assert on data, not on time,
/// except for bounds no healthy run comes near.
extension DockerDeployments {
    @Suite struct SentinelDrillTests {
        static let topology = "sentinel-ha.yaml"
        /// (example, its topology name): the kill drill runs on Redis's and on Valkey's; both
        /// examples have the same `down_after`.
        static let killed = [("sentinel-ha.yaml", "embeddings"), ("valkey-sentinel.yaml", "valkey-ha")]
        /// The example's `down_after` and `min_replicas_max_lag`.
        static let downAfterSeconds = 5
        static let minReplicasMaxLagSeconds = 10

        @Test(arguments: killed)
        func killedMasterFailsOverLosesNoAcknowledgedWriteAndRejoins(topology: String, name: String) throws {
            try #require(dockerUnavailableReason() == nil, "\(dockerUnavailableReason() ?? "")")
            let master = "\(name)-redis-0"
            let project = try DeploymentFixture.project(topology: topology, name: "drill-kill-\(name)")
            try project.up(services: project.redisServices() + ["api"])

            // Through the Sentinel URL the overlay gave the application, every write confirmed by
            // every replica (WAIT), while the master is killed from outside.
            let drill = try project.execInBackground("api", ["redis-healthcheck", "smoke", "--failover", "--trigger", "external", "--duration", "120", "--timeout", "2", "--format", "json"])
            try waitUntilWriting(project, on: master)
            let killedAt = unixMilliseconds()
            let kill = try project.docker(["kill", project.containerID(master)])
            try #require(kill.exitCode == 0, "\(kill.stderr)")
            let report = try DrillReport(drill.wait())

            #expect(report.lost == 0, "acknowledged writes lost: \(report.raw)")
            #expect(report.passed, "\(report.raw)")
            #expect(report.acknowledged >= 100, "\(report.raw)")
            let newMasterAt = try #require(report.newMasterAtUnixMilliseconds, "no new master took writes: \(report.raw)")
            let failover = Double(newMasterAt - killedAt) / 1000
            print("kill drill (\(name)): first write on the new master \(failover) s after docker kill (down-after \(Self.downAfterSeconds) s); longest write gap \(report.longestWriteGapMilliseconds / 1000) s; \(report.acknowledged) acknowledged writes, \(report.lost) lost")
            #expect(failover < 60, "a generous bound: down-after is \(Self.downAfterSeconds) s")

            // The old master comes back as a replica of the new one, and all is healthy again.
            let start = try project.compose(["start", master])
            try #require(start.exitCode == 0, "\(start.stderr)")
            try expectAllHealthy(project)
            let role = try project.exec(master, ["redis-healthcheck", "probe", "--role", "replica", "--url", "redis://127.0.0.1:6379"])
            #expect(role.exitCode == 0, "the old master rejoined as a replica: \(role.stdout)")
            #expect(try project.down().isEmpty)
        }

        /// The master loses its replicas and Sentinels while a client on its side of the cut (a
        /// second network only they share) keeps writing, and a client on the majority side writes
        /// through Sentinel.
        @Test func partitionedMasterStopsTakingWritesAndRejoinsWithoutLosingAcknowledgedWrites() throws {
            try #require(dockerUnavailableReason() == nil, "\(dockerUnavailableReason() ?? "")")
            let overlay = """
                services:
                  embeddings-redis-0:
                    networks:
                      partition-side: {}
                  isolated-writer:
                    image: "${REDIS_INFRA_IMAGE:-redis-infra/redis:7.0}"
                    command: ["sleep", "infinity"]
                    init: true
                    user: redis
                    read_only: true
                    environment:
                      REDIS_URL: redis://embeddings-redis-0:6379
                      REDIS_PASSWORD_FILE: /run/secrets/redis-password
                    secrets:
                      - source: embeddings-redis-password
                        target: redis-password
                    networks:
                      partition-side: {}
                    healthcheck:
                      test: ["CMD", "redis-healthcheck", "probe", "--timeout", "2"]
                      interval: 5s
                      timeout: 3s
                      retries: 3
                      start_period: 30s
                networks:
                  partition-side: {}

                """
            let project = try DeploymentFixture.project(topology: Self.topology, name: "drill-cut", extraFiles: [("partition.yml", overlay)])
            try project.up(services: project.redisServices() + ["api", "isolated-writer"])
            let master = try project.containerID("embeddings-redis-0")
            let network = project.networkName("embeddings-redis")

            let isolatedSeconds = Self.downAfterSeconds + Self.minReplicasMaxLagSeconds + 20
            let isolated = try project.execInBackground(
                "isolated-writer",
                ["redis-healthcheck", "smoke", "--failover", "--trigger", "external", "--duration", String(isolatedSeconds), "--timeout", "2", "--keep", "--acks", "2", "--format", "json"]
            )
            let majority = try project.execInBackground("api", ["redis-healthcheck", "smoke", "--failover", "--trigger", "external", "--duration", "120", "--timeout", "2", "--format", "json"])
            try waitUntilWriting(project, on: "embeddings-redis-0")
            let cutAt = unixMilliseconds()
            let cut = try project.docker(["network", "disconnect", network, master])
            try #require(cut.exitCode == 0, "\(cut.stderr)")

            let majorityReport = try DrillReport(majority.wait())
            let isolatedReport = try DrillReport(isolated.wait())
            let reconnect = try project.docker(["network", "connect", "--ip", "172.28.5.10", network, master])
            try #require(reconnect.exitCode == 0, "\(reconnect.stderr)")

            #expect(majorityReport.lost == 0 && majorityReport.passed, "\(majorityReport.raw)")
            let newMasterAt = try #require(majorityReport.newMasterAtUnixMilliseconds, "\(majorityReport.raw)")
            // The isolated master took writes only until its replicas had been silent for
            // min-replicas-max-lag, then refused them (NOREPLICAS): failed attempts.
            #expect(isolatedReport.failedAttempts > 0, "the isolated master kept taking writes: \(isolatedReport.raw)")
            #expect(isolatedReport.acknowledged >= 20, "\(isolatedReport.raw)")

            // Healed: the old master rejoins as a replica, everything is healthy, and every write
            // the isolated side saw acknowledged by both replicas is on the new master.
            try expectAllHealthy(project)
            let role = try project.exec("embeddings-redis-0", ["redis-healthcheck", "probe", "--role", "replica", "--url", "redis://127.0.0.1:6379"])
            #expect(role.exitCode == 0, "\(role.stdout)")
            let newMaster = try currentMaster(project)
            let missing = try missingKeys(project, on: newMaster, prefix: isolatedReport.prefix, sequence: isolatedReport.acknowledgedSequence)
            #expect(missing.isEmpty, "acknowledged on the isolated side, gone after the heal: \(missing.prefix(20))")
            print("partition drill: majority-side client wrote to the new master \(Double(newMasterAt - cutAt) / 1000) s after the cut (down-after \(Self.downAfterSeconds) s), longest write gap \(majorityReport.longestWriteGapMilliseconds / 1000) s, \(majorityReport.acknowledged) acknowledged, \(majorityReport.lost) lost; isolated side: \(isolatedReport.acknowledged) acknowledged, \(missing.count) lost, \(isolatedReport.acceptedUnacknowledged) accepted without acknowledgement (min-replicas-to-write 1, min-replicas-max-lag \(Self.minReplicasMaxLagSeconds) s, WAIT timeout 1 s), then \(isolatedReport.failedAttempts) refused")
            #expect(try project.down().isEmpty)
        }

        @Test func restartOfEveryRedisServiceKeepsTheDataAndTheMaster() throws {
            try #require(dockerUnavailableReason() == nil, "\(dockerUnavailableReason() ?? "")")
            let project = try DeploymentFixture.project(topology: Self.topology, name: "drill-restart")
            let redis = try project.redisServices().filter { $0.contains("-redis-") && !$0.hasSuffix("-exporter") }
            try project.up(services: project.redisServices())
            let master = try currentMaster(project)
            let set = try project.redisCLI(master, ["SET", "embeddings:restart-marker", "kept"])
            #expect(set.stdout.contains("OK"), "\(set.stdout)\(set.stderr)")
            let wait = try project.redisCLI(master, ["WAIT", "2", "5000"])
            #expect(wait.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "2", "\(wait.stdout)")

            let restart = try project.compose(["restart"] + redis)
            try #require(restart.exitCode == 0, "\(restart.stderr)")
            try expectAllHealthy(project)
            #expect(try currentMaster(project) == master)
            for service in redis {
                let value = try project.redisCLI(service, ["GET", "embeddings:restart-marker"])
                #expect(value.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "kept", "\(service): \(value.stdout)")
            }
            #expect(try project.down().isEmpty)
        }

        // MARK: - Helpers

        /// The drills need acknowledged writes before the fault; a second of writing gives hundreds.
        private func waitUntilWriting(_ project: ComposeProject, on master: String) throws {
            let writing = eventually(within: 30, every: 0.2) {
                let keys = try? project.redisCLI(master, ["DBSIZE"])
                return (keys.flatMap { Int($0.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0) >= 100
            }
            try #require(writing, "the drill did not start writing")
        }

        private func expectAllHealthy(_ project: ComposeProject) throws {
            var last: [String: String] = [:]
            let healthy = eventually(within: 180, every: 1) {
                last = (try? project.health()) ?? [:]
                return !last.isEmpty && last.allSatisfy { ComposeProject.isReady(service: $0.key, state: $0.value) }
            }
            #expect(healthy, "not all healthy: \(last)\n\(project.diagnosis())")
        }

        /// The service the Sentinels name as master.
        private func currentMaster(_ project: ComposeProject) throws -> String {
            let reply = try project.redisCLI("embeddings-sentinel-1", port: 26379, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "embeddings"])
            guard let host = reply.stdout.split(separator: "\n").first else { throw TestSupportError("no master: \(reply.stdout)\(reply.stderr)") }
            return String(host)
        }

        private func missingKeys(_ project: ComposeProject, on service: String, prefix: String, sequence: [Int]) throws -> [Int] {
            var missing: [Int] = []
            var index = 0
            while index < sequence.count {
                let chunk = Array(sequence[index..<min(index + 500, sequence.count)])
                let reply = try project.redisCLI(service, ["MGET"] + chunk.map { prefix + String($0) })
                let values = reply.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                for (offset, number) in chunk.enumerated() where offset >= values.count || values[offset] != String(number) {
                    missing.append(number)
                }
                index += 500
            }
            return missing
        }
    }
}

/// `redis-healthcheck smoke --failover --format json`, read back.
struct DrillReport {
    var raw: String
    var passed: Bool
    var acknowledged: Int
    var lost: Int
    var failedAttempts: Int
    var acceptedUnacknowledged: Int
    var longestWriteGapMilliseconds: Double
    var newMasterAtUnixMilliseconds: Int64?
    var prefix: String
    var acknowledgedSequence: [Int]

    init(_ result: CommandResult) throws {
        raw = result.stdout + result.stderr
        guard let line = result.stdout.split(separator: "\n").last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestSupportError("the drill printed no report: \(raw)")
        }
        passed = object["passed"] as? Bool ?? false
        acknowledged = object["acknowledged"] as? Int ?? 0
        lost = object["lost"] as? Int ?? -1
        failedAttempts = object["failed_attempts"] as? Int ?? 0
        acceptedUnacknowledged = object["accepted_unacknowledged"] as? Int ?? 0
        longestWriteGapMilliseconds = (object["longest_write_gap_ms"] as? NSNumber)?.doubleValue ?? 0
        newMasterAtUnixMilliseconds = (object["new_master_at_unix_ms"] as? NSNumber)?.int64Value
        prefix = object["prefix"] as? String ?? ""
        acknowledgedSequence = (object["acknowledged_ranges"] as? String ?? "").split(separator: ",").flatMap { range -> [Int] in
            let bounds = range.split(separator: "-").compactMap { Int($0) }
            return bounds.count == 2 ? Array(bounds[0]...bounds[1]) : bounds
        }
    }
}
