import HealthCheckContract
import Topology

/// The Docker Compose overlay: services for every node, their network with static addresses,
/// volumes, secrets, health checks, and the wiring of the application's client services.
enum ComposeOverlay {
    static func file(plan: DeploymentPlan, header: GeneratedHeader) -> GeneratedFile {
        var root: [YAMLEntry] = []
        var services = plan.nodes.map { redisService($0, plan: plan) }
        services += plan.sentinels.enumerated().map { sentinelService($1, index: $0, plan: plan) }
        if plan.isCluster { services.append(clusterCreatorService(plan: plan)) }
        services += plan.exporters.map { exporterService($0, plan: plan) }
        root.append(YAMLEntry("services", .mapping(services)))

        let network = YAMLEntry(plan.compose.network.value, .mapping([
            YAMLEntry("ipam", .mapping([YAMLEntry("config", .sequence([.mapping([YAMLEntry("subnet", .string(plan.subnet))])]))])),
        ]))
        root.append(YAMLEntry("networks", .mapping([network])))
        let volumes = plan.nodes.map(\.volume) + plan.sentinels.map(\.volume)
        root.append(YAMLEntry("volumes", .mapping(volumes.map { YAMLEntry($0, .mapping([])) })))
        if !plan.secrets.isEmpty {
            root.append(YAMLEntry("secrets", .mapping(plan.secrets.map(secretDefinition))))
        }
        let text = YAMLRenderer.render(root, header: header.lines(purpose: usage(plan)))
        return GeneratedFile(path: "\(plan.folder)/\(plan.compose.file.value)", contents: text)
    }

    /// The application's services wired to Redis, in a second overlay: it names services only
    /// the application's compose file defines, so it loads merged over that file, while the
    /// Redis overlay also loads (and runs) alone.
    static func clientsFile(plan: DeploymentPlan, header: GeneratedHeader) -> GeneratedFile? {
        guard !plan.topology.clients.isEmpty else { return nil }
        let services = plan.topology.clients.map { clientService($0, plan: plan) }
        var root = [YAMLEntry("services", .mapping(services))]
        if !plan.allClientSecrets.isEmpty {
            // Repeated from the Redis overlay so that this file also stands on its own.
            root.append(YAMLEntry("secrets", .mapping(plan.allClientSecrets.map(secretDefinition))))
        }
        let text = YAMLRenderer.render(root, header: header.lines(purpose: usage(plan)))
        return GeneratedFile(path: "\(plan.folder)/\(clientsFileName)", contents: text)
    }

    static let clientsFileName = "docker-compose.clients.yml"

    private static func usage(_ plan: DeploymentPlan) -> String {
        let directory = "\(plan.folder)/"
        let clients = plan.topology.clients.isEmpty ? "" : " -f \(directory)\(clientsFileName)"
        return "Use: docker compose -f docker-compose.yml -f \(directory)\(plan.compose.file.value)\(clients) up -d"
    }

    private static func secretDefinition(_ secret: DeploymentPlan.Secret) -> YAMLEntry {
        switch secret.source {
        case .file(let path): YAMLEntry(secret.name, .mapping([YAMLEntry("file", .string(composeLiteral(path)))]))
        case .environment(let variable), .terraformVariable(let variable):
            YAMLEntry(secret.name, .mapping([YAMLEntry("environment", .string(variable))]))
        }
    }

    private static func redisService(_ node: DeploymentPlan.RedisNode, plan: DeploymentPlan) -> YAMLEntry {
        // In HA a node's role moves with failovers, so its probe reads ROLE instead of assuming
        // one; a cluster node is judged by the cluster's view too.
        let probe = ProbeInvocation(role: plan.isCluster ? .cluster : plan.isHA ? .auto : .master, url: plan.probeURL(port: plan.redisPort, hostname: node.service), healthcheck: plan.topology.healthcheck)
        var entries = common(
            plan: plan, command: ["sh", "\(DeploymentPlan.configMount)/start.sh", "redis", node.configFile],
            hostname: node.service, address: node.address, volume: node.volume, probe: probe, secrets: plan.secrets,
            limits: plan.redisLimits, stopGracePeriod: DeploymentPlan.redisStopGracePeriod
        )
        if plan.compose.publishPort.value {
            entries.append(YAMLEntry("ports", .strings(["127.0.0.1:\(plan.publishedPort(of: node)):\(plan.redisPort)"])))
        }
        if plan.isHA && !node.isInitialMaster {
            // Started, not healthy: with min_replicas_to_write the master is not ready until a
            // replica has connected, so waiting for it to be healthy would wait forever.
            entries.append(YAMLEntry("depends_on", dependencies([plan.nodes[0].service], condition: "service_started")))
        }
        return YAMLEntry(node.service, .mapping(entries))
    }

    private static func sentinelService(_ sentinel: DeploymentPlan.SentinelNode, index: Int, plan: DeploymentPlan) -> YAMLEntry {
        let probe = ProbeInvocation(
            role: .sentinel, url: plan.probeURL(port: plan.sentinelPort, hostname: sentinel.service), masterName: plan.masterName,
            replicas: plan.nodes.count - 1, healthcheck: plan.topology.healthcheck
        )
        var entries = common(
            plan: plan, command: ["sh", "\(DeploymentPlan.configMount)/start.sh", "sentinel"],
            hostname: sentinel.service, address: sentinel.address, volume: sentinel.volume, probe: probe,
            secrets: plan.sentinelSecrets, limits: DeploymentPlan.sentinelLimits, stopGracePeriod: DeploymentPlan.sentinelStopGracePeriod
        )
        if plan.compose.publishPort.value {
            entries.append(YAMLEntry("ports", .strings(["127.0.0.1:\(plan.publishedSentinelPort(index: index)):\(plan.sentinelPort)"])))
        }
        // Sentinels find replicas through the master; they start once every node has. Their own
        // readiness waits until they know every replica, and clients wait for that.
        entries.append(YAMLEntry("depends_on", dependencies(plan.nodes.map(\.service), condition: "service_started")))
        return YAMLEntry(sentinel.service, .mapping(entries))
    }

    /// The job that forms the cluster: it starts with the nodes, waits until each answers
    /// (alive; ready needs the cluster), creates the cluster unless the nodes already form one,
    /// and then idles, healthy, so that `up --wait` and clients can wait for it.
    private static func clusterCreatorService(plan: DeploymentPlan) -> YAMLEntry {
        let secrets = [plan.password].compactMap { $0 } + plan.tlsSecrets
        var entries = common(
            plan: plan, command: ["sh", "\(DeploymentPlan.configMount)/start.sh", "create-cluster"],
            hostname: plan.clusterCreator, address: plan.clusterCreatorAddress, volume: nil, probe: nil, secrets: secrets,
            limits: DeploymentPlan.clusterCreatorLimits, stopGracePeriod: DeploymentPlan.sentinelStopGracePeriod
        )
        entries.append(YAMLEntry("depends_on", dependencies(plan.nodes.map(\.service), condition: "service_started")))
        return YAMLEntry(plan.clusterCreator, .mapping(entries))
    }

    /// A redis_exporter beside one server. Its entrypoint reads the server's secret file into
    /// the variable the exporter takes its password from; argv carries only the address and
    /// file paths.
    private static func exporterService(_ exporter: DeploymentPlan.Exporter, plan: DeploymentPlan) -> YAMLEntry {
        let readPassword = exporter.password.map { secret in
            "REDIS_PASSWORD=$$(cat /run/secrets/\(secret.fileName)) || exit 1; export REDIS_PASSWORD; "
        } ?? ""
        var arguments = ["--redis.addr=\(exporter.target)", "--web.listen-address=:\(DeploymentPlan.exporterPort)"]
        if let tls = exporter.tls {
            arguments.append("--tls-ca-cert-file=/run/secrets/\(tls.ca.fileName)")
            if let identity = tls.identity {
                arguments += ["--tls-client-cert-file=/run/secrets/\(identity.certificate.fileName)", "--tls-client-key-file=/run/secrets/\(identity.key.fileName)"]
            }
        }
        var entries: [YAMLEntry] = [
            YAMLEntry("image", .string("${\(DeploymentPlan.exporterImageVariable):-\(DeploymentPlan.exporterImageDefault)}")),
            YAMLEntry("entrypoint", .strings(["/bin/sh", "-c", readPassword + "exec \(DeploymentPlan.exporterBinary) \"$$@\"", "redis_exporter"])),
            YAMLEntry("command", .strings(arguments)),
            YAMLEntry("hostname", .string(exporter.service)),
            // The secret files are the servers' (uid 999, mode 0400): the exporter reads them as 999.
            YAMLEntry("user", .string("999:999")),
            YAMLEntry("restart", .string(plan.topology.redis.restart.value)),
            YAMLEntry("read_only", .bool(true)),
            YAMLEntry("cap_drop", .strings(["ALL"])),
            YAMLEntry("security_opt", .strings(["no-new-privileges:true"])),
        ]
        if !exporter.secrets.isEmpty {
            entries.append(YAMLEntry("secrets", .sequence(exporter.secrets.map(secretMount))))
        }
        entries.append(YAMLEntry("networks", .mapping([
            YAMLEntry(plan.compose.network.value, .mapping([YAMLEntry("ipv4_address", .string(exporter.address))])),
        ])))
        entries += [logging, limits(DeploymentPlan.exporterLimits, pids: 32)]
        return YAMLEntry(exporter.service, .mapping(entries))
    }

    /// What every Redis and Sentinel container shares: image, start script, hardening, probe.
    private static func common(
        plan: DeploymentPlan, command: [String], hostname: String, address: String, volume: String?, probe: ProbeInvocation?,
        secrets: [DeploymentPlan.Secret], limits: (cpus: String, memory: Int64), stopGracePeriod: String
    ) -> [YAMLEntry] {
        let topology = plan.topology
        var entries: [YAMLEntry] = [
            YAMLEntry("image", .string("${\(DeploymentPlan.imageVariable):-\(plan.imageDefault)}"),
                      comment: "\(plan.officialImage) with redis-healthcheck added: healthchecks/Dockerfile"),
            YAMLEntry("command", .strings(command)),
            YAMLEntry("hostname", .string(hostname)),
            // By number: the redis image's user is `redis`, the valkey image's `valkey`, both 999.
            YAMLEntry("user", .string("999:999")),
            YAMLEntry("restart", .string(topology.redis.restart.value)),
            YAMLEntry("read_only", .bool(true)),
            YAMLEntry("tmpfs", .strings(["/tmp"])),
            YAMLEntry("cap_drop", .strings(["ALL"])),
            YAMLEntry("security_opt", .strings(["no-new-privileges:true"])),
        ]
        if plan.password != nil && probe != nil {
            entries.append(YAMLEntry("environment", .mapping([
                YAMLEntry(HealthCheckEnvironment.username, .string(DeploymentUser.healthcheck.rawValue), comment: "read by redis-healthcheck: its own user, made by start.sh"),
                YAMLEntry(HealthCheckEnvironment.passwordFile, .string(DeploymentPlan.healthcheckPasswordFile)),
            ])))
        }
        if !secrets.isEmpty {
            entries.append(YAMLEntry("secrets", .sequence(secrets.map(secretMount))))
        }
        let configMount = YAMLValue.mapping([
            YAMLEntry("type", .string("bind")),
            YAMLEntry("source", .string("${\(plan.configDirectoryVariable):-\(plan.configDirectoryDefault)}")),
            YAMLEntry("target", .string(DeploymentPlan.configMount)),
            YAMLEntry("read_only", .bool(true)),
        ])
        let dataMount = volume.map { volume in
            YAMLValue.mapping([
                YAMLEntry("type", .string("volume")),
                YAMLEntry("source", .string(volume)),
                YAMLEntry("target", .string(DeploymentPlan.dataMount)),
            ])
        }
        entries.append(YAMLEntry("volumes", .sequence([configMount] + [dataMount].compactMap { $0 })))
        entries.append(YAMLEntry("networks", .mapping([
            YAMLEntry(plan.compose.network.value, .mapping([YAMLEntry("ipv4_address", .string(address))])),
        ])))
        if plan.isMultiNode && plan.announcesHostnames {
            // Docker's DNS forgets a stopped container; /etc/hosts entries do not.
            let hosts = plan.nodes.map { "\($0.service):\($0.address)" } + plan.sentinels.map { "\($0.service):\($0.address)" }
            entries.append(YAMLEntry("extra_hosts", .strings(hosts)))
        }
        entries.append(YAMLEntry("healthcheck", probe.map { healthcheck($0, topology.healthcheck) } ?? formedCheck(topology.healthcheck)))
        entries.append(YAMLEntry("stop_grace_period", .string(stopGracePeriod)))
        entries += [logging, self.limits(limits, pids: DeploymentPlan.pidsLimit)]
        return entries
    }

    /// Rotated: Docker's default json-file log grows without bound.
    private static let logging = YAMLEntry("logging", .mapping([
        YAMLEntry("driver", .string("json-file")),
        YAMLEntry("options", .mapping([YAMLEntry("max-size", .string("10m")), YAMLEntry("max-file", .string("3"))])),
    ]), comment: "rotated: Docker's default json-file log grows without bound")

    private static func limits(_ limits: (cpus: String, memory: Int64), pids: Int64) -> YAMLEntry {
        YAMLEntry("deploy", .mapping([YAMLEntry("resources", .mapping([YAMLEntry("limits", .mapping([
            YAMLEntry("cpus", .string(limits.cpus)),
            YAMLEntry("memory", .string(memoryText(limits.memory))),
            // Here rather than `pids_limit`: Compose refuses both together.
            YAMLEntry("pids", .int(pids)),
        ]))]))]))
    }

    /// Compose's size text: mebibytes when whole, bytes otherwise.
    private static func memoryText(_ bytes: Int64) -> String {
        bytes % (1 << 20) == 0 ? "\(bytes >> 20)m" : String(bytes)
    }

    private static func healthcheck(_ probe: ProbeInvocation, _ settings: HealthCheckSettings) -> YAMLValue {
        healthcheck(test: ["CMD", "redis-healthcheck"] + probe.arguments, settings)
    }

    /// The create job's: the cluster exists (the image's own check would probe a server there).
    private static func formedCheck(_ settings: HealthCheckSettings) -> YAMLValue {
        healthcheck(test: ["CMD", "test", "-e", "\(DeploymentPlan.runDirectory)/\(DeploymentPlan.clusterFormedMarker)"], settings)
    }

    private static func healthcheck(test: [String], _ settings: HealthCheckSettings) -> YAMLValue {
        var entries = [
            YAMLEntry("test", .strings(test)),
            YAMLEntry("interval", .string(settings.interval.value.composeText)),
            YAMLEntry("timeout", .string(settings.timeout.value.composeText)),
            YAMLEntry("retries", .int(Int64(settings.retries.value))),
            YAMLEntry("start_period", .string(settings.startPeriod.value.composeText)),
        ]
        if let interval = settings.startInterval {
            entries.append(YAMLEntry("start_interval", .string(interval.value.composeText)))
        }
        return .mapping(entries)
    }

    /// An application service named under `clients`: its URL variables, the password file,
    /// the network, and a start that waits for Redis to be ready.
    private static func clientService(_ client: ClientService, plan: DeploymentPlan) -> YAMLEntry {
        let credential = plan.credential(for: client)
        var environment = client.env.map { YAMLEntry($0.value, .string(plan.clientURL(user: credential?.user))) }
        if let credential {
            // The factory in the application reads the names the health check reads.
            if let user = credential.user { environment.append(YAMLEntry(HealthCheckEnvironment.username, .string(user))) }
            environment.append(YAMLEntry(HealthCheckEnvironment.passwordFile, .string("/run/secrets/\(credential.secret.fileName)")))
        }
        var entries = [YAMLEntry("environment", .mapping(environment))]
        let secrets = plan.clientSecrets(for: client)
        if !secrets.isEmpty {
            entries.append(YAMLEntry("secrets", .sequence(secrets.map(secretMount))))
        }
        // Naming a network replaces the implicit default one, so keep it explicitly.
        entries.append(YAMLEntry("networks", .mapping([YAMLEntry("default", .mapping([])), YAMLEntry(plan.compose.network.value, .mapping([]))])))
        // A healthy cluster node is one that sees every slot served: the cluster exists.
        let dependencies = plan.isHA ? plan.sentinels.map(\.service) : plan.isCluster ? plan.nodes.map(\.service) + [plan.clusterCreator] : [plan.nodes[0].service]
        entries.append(YAMLEntry("depends_on", self.dependencies(dependencies, condition: "service_healthy")))
        return YAMLEntry(client.service.value, .mapping(entries))
    }

    private static func secretMount(_ secret: DeploymentPlan.Secret) -> YAMLValue {
        .mapping([YAMLEntry("source", .string(secret.name)), YAMLEntry("target", .string(secret.fileName))])
    }

    private static func dependencies(_ services: [String], condition: String) -> YAMLValue {
        .mapping(services.map { YAMLEntry($0, .mapping([YAMLEntry("condition", .string(condition))])) })
    }

    /// A value from the topology that Compose must not interpolate.
    private static func composeLiteral(_ text: String) -> String { text.replacingOccurrences(of: "$", with: "$$") }
}
