import Foundation
import RedisTestSupport
import Testing

/// Every Docker suite, one test at a time: one engine, and the examples' fixed subnets would
/// collide. scripts/test.sh runs this target alone, after the others.
@Suite(.serialized) enum DockerDeployments {}

extension DockerDeployments {
    /// Every example topology with a Compose target, run as ops run it: a real Docker engine, the
    /// real Compose binary, the sample application's compose file under the generated overlays,
    /// secrets made by hand.
    @Suite struct ExampleBootTests {
        struct Example: Sendable, CustomTestStringConvertible {
            var topology: String
            var project: String
            var clients: [String]
            /// A client wired to an ACL user of its own: (service, user, its secret's file name).
            var leastPrivilege: (service: String, user: String, secret: String)? = nil
            var testDescription: String { topology }
        }

        static let examples = [
            Example(topology: "dev-standalone.yaml", project: "boot-dev-cache", clients: ["api"]),
            Example(topology: "dev-tls.yaml", project: "boot-dev-secure", clients: ["api"]),
            Example(topology: "sentinel-ha.yaml", project: "boot-embeddings", clients: ["api"], leastPrivilege: ("worker", "worker", "acl-worker")),
            Example(topology: "valkey-standalone.yaml", project: "boot-valkey-cache", clients: ["api"]),
            Example(topology: "valkey-sentinel.yaml", project: "boot-valkey-ha", clients: ["api"]),
        ]

        @Test(arguments: examples)
        func comesUpHealthyServesItsClientsAndLeavesNothingBehind(example: Example) throws {
            try #require(dockerUnavailableReason() == nil, "\(dockerUnavailableReason() ?? "")")
            let project = try DeploymentFixture.project(topology: example.topology, name: example.project)
            let started = ContinuousClock.now
            // The Redis overlay and the application services this topology wires; the sample
            // application's other services have no Redis to be ready for.
            try project.up(services: project.redisServices() + example.clients + (example.leastPrivilege.map { [$0.service] } ?? []))
            let elapsed = ContinuousClock.now - started
            print("boot \(example.topology): up to all healthy in \(elapsed) (docker compose up -d --wait)")

            let health = try project.health()
            #expect(!health.isEmpty)
            for (service, state) in health {
                // An exporter sidecar is checked by its metrics below.
                #expect(ComposeProject.isReady(service: service, state: state), "\(service) is \(state)")
            }
            let exporters = health.keys.filter { $0.hasSuffix("-exporter") }.sorted()
            if !exporters.isEmpty { try expectExportersReadTheirServers(project, exporters) }
            for client in example.clients {
                // The URL and password file the clients overlay injected, nothing else.
                let smoke = try project.exec(client, ["redis-healthcheck", "smoke", "--timeout", "3"])
                #expect(smoke.exitCode == 0, "\(client): \(smoke.stdout) \(smoke.stderr)")
                #expect(smoke.stdout.contains("MULTI/EXEC"), "\(smoke.stdout)")
                // The probe says which engine answered: Valkey's examples run valkey-server.
                let probe = try project.exec(client, ["redis-healthcheck", "probe", "--timeout", "3"])
                let engine = example.topology.hasPrefix("valkey") ? "[valkey " : "[redis "
                #expect(probe.exitCode == 0 && probe.stdout.contains(engine), "\(client): \(probe.stdout) \(probe.stderr)")
            }
            if let wired = example.leastPrivilege {
                try expectLeastPrivilege(project, wired)
            }
            let left = try project.down()
            #expect(left.isEmpty, "left behind: \(left)")
        }
    }
}

extension DockerDeployments.ExampleBootTests {
    /// Each `monitoring.exporters` sidecar reads its own server with the password from the
    /// server's secret file (redis_up 1; a Sentinel's reports its master), and the password is
    /// nowhere in the container's command line or configuration.
    func expectExportersReadTheirServers(_ project: ComposeProject, _ exporters: [String]) throws {
        for exporter in exporters {
            let id = try project.containerID(exporter)
            let address = try project.docker(["inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", id]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            var metrics = ""
            let up = eventually(within: 30, every: 1) {
                metrics = (try? runSystem("/usr/bin/curl", ["-s", "--max-time", "5", "http://\(address):9121/metrics"]).stdout) ?? ""
                return metrics.split(separator: "\n").contains("redis_up 1")
            }
            #expect(up, "\(exporter) at \(address): \(metrics.split(separator: "\n").filter { $0.hasPrefix("redis_up") })")
            if exporter.contains("-sentinel-") {
                #expect(metrics.split(separator: "\n").contains("redis_sentinel_masters 1"), "\(exporter)")
            } else {
                #expect(metrics.contains("redis_instance_info{"), "\(exporter)")
            }
            let configuration = try project.docker(["inspect", "--format", "{{json .Config}} {{json .Args}} {{json .Path}}", id]).stdout
            for secret in [DeploymentFixture.password, "sentinel's"] {
                #expect(!configuration.contains(secret) && !configuration.contains(secret.replacingOccurrences(of: "\"", with: "\\\"")), "\(exporter) shows a password")
            }
        }
        print("exporters: \(exporters.count) sidecars each read their server (redis_up 1), no password in their configuration")
    }

    /// A client wired to its ACL user has that user's password only, and Redis and the
    /// Sentinels let it do its work and nothing more.
    func expectLeastPrivilege(_ project: ComposeProject, _ wired: (service: String, user: String, secret: String)) throws {
        let sentinel = try project.redisCLI("embeddings-sentinel-1", port: 26379, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "embeddings"])
        let master = try #require(sentinel.stdout.split(separator: "\n").first.map(String.init))
        func asUser(_ host: String, _ port: Int, _ arguments: [String]) throws -> String {
            let script = "REDISCLI_AUTH=$(cat /run/secrets/\(wired.secret)) exec redis-cli --no-auth-warning --user \(wired.user) -h \(host) -p \(port) \"$@\""
            return try project.exec(wired.service, ["sh", "-c", script, "redis-cli"] + arguments).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try asUser(master, 6379, ["SET", "embeddings:boot", "ok"]) == "OK")
        #expect(try asUser(master, 6379, ["ROLE"]).hasPrefix("master"), "the factory's Sentinel path needs ROLE")
        for denied in [["SET", "other:key", "x"], ["CONFIG", "GET", "maxmemory"], ["FLUSHALL"]] {
            #expect(try asUser(master, 6379, denied).hasPrefix("NOPERM"), "\(denied)")
        }
        #expect(try asUser("embeddings-sentinel-2", 26379, ["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "embeddings"]).hasPrefix(master))
        #expect(try asUser("embeddings-sentinel-2", 26379, ["SENTINEL", "FAILOVER", "embeddings"]).hasPrefix("NOPERM"))
        let defaultPassword = try project.exec(wired.service, ["test", "-e", "/run/secrets/redis-password"])
        #expect(defaultPassword.exitCode != 0, "the default user's password is not mounted into \(wired.service)")

        // The deployment's own users: the Sentinels never hold the default user's password and
        // their user on the nodes may not touch data (the drills fail over through it); each
        // container's health check has its own password and may only look.
        for sentinel in ["embeddings-sentinel-1", "embeddings-sentinel-2", "embeddings-sentinel-3"] {
            #expect(try project.exec(sentinel, ["test", "-e", "/run/secrets/redis-password"]).exitCode != 0, "\(sentinel) holds the default password")
        }
        let asSentinel = "REDISCLI_AUTH=$(cat /run/secrets/sentinel-password) exec redis-cli --no-auth-warning --user sentinel \"$@\""
        for denied in [["GET", "embeddings:boot"], ["FLUSHALL"]] {
            let reply = try project.exec("embeddings-redis-1", ["sh", "-c", asSentinel, "redis-cli"] + denied).stdout
            #expect(reply.hasPrefix("NOPERM"), "the Sentinels' user ran \(denied): \(reply)")
        }
        let asHealthCheck = "REDISCLI_AUTH=$(cat /tmp/healthcheck-password) exec redis-cli --no-auth-warning --user healthcheck \"$@\""
        #expect(try project.exec("embeddings-redis-1", ["sh", "-c", asHealthCheck, "redis-cli", "ROLE"]).stdout.hasPrefix("slave"))
        for (service, change) in [("embeddings-redis-1", ["SET", "embeddings:x", "1"]), ("embeddings-sentinel-1", ["-p", "26379", "SENTINEL", "FAILOVER", "embeddings"])] {
            let reply = try project.exec(service, ["sh", "-c", asHealthCheck, "redis-cli"] + change).stdout
            #expect(reply.hasPrefix("NOPERM"), "the health check's user ran \(change) on \(service): \(reply)")
        }
    }
}

/// The projects the suites boot, with the secrets a user would create.
enum DeploymentFixture {
    /// Quotes, a backslash and spaces: what a password generator may give, and what broke
    /// Sentinel's rewritten config before start.sh wrote the secrets anew at every start.
    static let password = "s3cret \"quoted\" \\ pass"

    static func project(topology: String, name: String, extraFiles: [(name: String, contents: String)] = []) throws -> ComposeProject {
        let project = try ComposeProject(topology: topology, name: name, extraFiles: extraFiles)
        try project.writeSecret("secrets/redis-password", password + "\n")
        try project.writeSecret("secrets/redis-worker-password", "worker pa$$word")
        try project.writeSecret("secrets/redis-sentinel-password", "sentinel's \"own\" pass")
        if topology == "dev-tls.yaml" {
            // The certificate names every service host name: probes and clients check it.
            let certificates = try TestCertificates.make(serverNames: ["dev-secure-redis"])
            defer { certificates.remove() }
            try project.copySecret("tls/redis.crt", from: certificates.serverCertificate)
            try project.copySecret("tls/redis.key", from: certificates.serverKey)
            try project.copySecret("tls/ca.crt", from: certificates.ca)
            // The clients' own certificate: the servers' key stays with the servers.
            try project.copySecret("tls/client.crt", from: certificates.clientCertificate)
            try project.copySecret("tls/client.key", from: certificates.clientKey)
        }
        return project
    }
}
