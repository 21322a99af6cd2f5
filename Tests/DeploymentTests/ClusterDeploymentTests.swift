import Foundation
import RedisTestSupport
import Testing

/// The Cluster examples under a real engine, Redis's and Valkey's: six nodes and the job that
/// forms them into three shards, booted from the generated files; then a master killed from
/// outside.
extension DockerDeployments {
    @Suite struct ClusterDeploymentTests {
        /// (example, its topology name): Valkey's runs valkey-server and valkey-cli --cluster create.
        static let examples = [("cluster.yaml", "sessions"), ("valkey-cluster.yaml", "valkey-sessions")]

        @Test(arguments: examples)
        func formsOnceServesEverySlotAndPromotesAReplicaWhenAMasterIsKilled(topology: String, name: String) throws {
            try #require(dockerUnavailableReason() == nil, "\(dockerUnavailableReason() ?? "")")
            let creator = "\(name)-cluster-create"
            let project = try DeploymentFixture.project(topology: topology, name: "boot-\(name)")
            let services = try project.redisServices()
            let nodes = services.filter { $0 != creator }
            #expect(nodes.count == 6 && services.contains(creator), "\(services)")
            let started = ContinuousClock.now
            try project.up(services: nodes + [creator, "api"])
            print("cluster boot: up to every node and the client healthy in \(ContinuousClock.now - started) (docker compose up -d --wait)")

            // Healthy means the node sees every slot served: the job formed the cluster.
            let health = try project.health()
            for service in services { #expect(health[service] == "healthy", "\(service) is \(health[service] ?? "missing")\n\(project.diagnosis())") }
            let check = try project.redisCLI("\(name)-redis-0", ["--cluster", "check", "\(name)-redis-0:6379"])
            #expect(check.stdout.contains("[OK] All 16384 slots covered."), "\(check.stdout)\(check.stderr)")
            #expect(try roles(project, name).filter { $0.value == "master" }.count == 3)

            // The application, with the cluster URL and password file the clients overlay gave it:
            // every command family, a key on every master.
            let smoke = try project.exec("api", ["redis-healthcheck", "smoke", "--timeout", "5", "--format", "json"])
            #expect(smoke.exitCode == 0, "\(smoke.stdout)\(smoke.stderr)")
            #expect(smoke.stdout.contains("{\"step\":\"every cluster master\",\"passed\":true"), "\(smoke.stdout)")

            // Run again, the job leaves the cluster alone.
            #expect(!(try creatorLogs(project, creator)).contains("cluster exists"))
            try #require(try project.compose(["restart", creator]).exitCode == 0)
            let again = eventually(within: 30, every: 0.5) { ((try? creatorLogs(project, creator)) ?? "").contains("cluster exists: nothing to do") }
            #expect(again, "\((try? creatorLogs(project, creator)) ?? "")")

            // Writes on one master's slots, acknowledged by its replica (WAIT), then the master dies.
            let master = try #require(try roles(project, name).first { $0.value == "master" }?.key)
            let tag = try hashTag(servedBy: master, project)
            let writes = (1...200).map { "SET {\(tag)}:\($0) \($0)" }.joined(separator: "\n") + "\nWAIT 1 5000\n"
            let written = try project.exec(master, ["sh", "-c", "REDISCLI_AUTH=$(cat /run/secrets/redis-password) redis-cli --no-auth-warning"], stdin: writes)
            #expect(written.stdout.split(separator: "\n").last == "1", "the replica acknowledged: \(written.stdout.suffix(200))")
            let replica = try #require(try replicaOf(master, project, name))
            let killedAt = ContinuousClock.now
            try #require(try project.docker(["kill", project.containerID(master)]).exitCode == 0)
            let promoted = eventually(within: 60, every: 0.2) { (try? role(of: replica, project)) == "master" }
            #expect(promoted, "\(replica) was not promoted")
            print("cluster kill drill: \(replica) promoted \(ContinuousClock.now - killedAt) after docker kill of \(master) (node_timeout 2 s)")

            // Every acknowledged write is on the promoted replica, read through the cluster.
            let reads = (1...200).map { "GET {\(tag)}:\($0)" }.joined(separator: "\n") + "\n"
            let read = try project.exec(replica, ["sh", "-c", "REDISCLI_AUTH=$(cat /run/secrets/redis-password) redis-cli --no-auth-warning -c"], stdin: reads)
            let values: [String] = read.stdout.split(separator: "\n").map { String($0) }
            let expected: [String] = (1...200).map { String($0) }
            #expect(values == expected, "lost writes: \(read.stdout.suffix(300))")
            // The application's factory follows: a fresh smoke run finds the promoted master.
            let after = try project.exec("api", ["redis-healthcheck", "smoke", "--timeout", "10"])
            #expect(after.exitCode == 0, "after the failover: \(after.stdout)\(after.stderr)")

            // The old master comes back as a replica, and every node is healthy again.
            try #require(try project.compose(["start", master]).exitCode == 0)
            let rejoined = eventually(within: 60, every: 0.5) { (try? role(of: master, project)) == "slave" }
            #expect(rejoined, "\(master) did not rejoin as a replica")
            var last: [String: String] = [:]
            let healthy = eventually(within: 120, every: 1) {
                last = (try? project.health()) ?? [:]
                return nodes.allSatisfy { last[$0] == "healthy" }
            }
            #expect(healthy, "not all healthy: \(last)\n\(project.diagnosis())")
            #expect(try project.down().isEmpty)
        }

        private func creatorLogs(_ project: ComposeProject, _ creator: String) throws -> String {
            try project.compose(["logs", "--no-log-prefix", creator]).stdout
        }

        private func role(of node: String, _ project: ComposeProject) throws -> String? {
            try project.redisCLI(node, ["ROLE"]).stdout.split(separator: "\n").first.map(String.init)
        }

        private func roles(_ project: ComposeProject, _ name: String) throws -> [String: String] {
            var roles: [String: String] = [:]
            for index in 0..<6 {
                let node = "\(name)-redis-\(index)"
                roles[node] = try role(of: node, project)
            }
            return roles
        }

        /// The node that replicates this master, by each node's own line in CLUSTER NODES.
        private func replicaOf(_ master: String, _ project: ComposeProject, _ name: String) throws -> String? {
            let id = try project.redisCLI(master, ["CLUSTER", "MYID"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            for index in 0..<6 where "\(name)-redis-\(index)" != master {
                let node = "\(name)-redis-\(index)"
                let myself = try project.redisCLI(node, ["CLUSTER", "NODES"]).stdout.split(separator: "\n").first { $0.contains("myself") }
                if myself?.split(separator: " ").dropFirst(3).first.map(String.init) == id { return node }
            }
            return nil
        }

        /// A hash tag whose slot this master serves, asked of the master itself.
        private func hashTag(servedBy master: String, _ project: ComposeProject) throws -> String {
            for index in 0..<64 {
                let reply = try project.redisCLI(master, ["SET", "{probe\(index)}", "x"]).stdout
                if reply.hasPrefix("OK") { return "probe\(index)" }
            }
            throw TestSupportError("no hash tag served by \(master)")
        }
    }
}
