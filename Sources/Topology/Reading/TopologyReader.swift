/// YAML tree → ``Topology``: types, defaults and every key checked, problems reported into the
/// collector at their nodes. Defaults are the safe ones: auth on, persistence on.
package struct TopologyReader {
    let diagnostics: DiagnosticsCollector
    /// The targets the topology may name under `targets:`, each reading its own key.
    let targets: [any TargetReader.Type]
    let schema: [String: [String]]

    package init(diagnostics: DiagnosticsCollector, targets: [any TargetReader.Type]) {
        self.diagnostics = diagnostics
        self.targets = targets
        schema = TopologySchema.keys(with: targets)
    }

    /// The topology, or nil when it could not be read at all (a located error says why).
    package func read(_ root: YAMLNode) -> Topology? {
        guard let top = MappingReader(root, path: "", diagnostics: diagnostics, schema: schema) else { return nil }
        defer { top.finish() }
        guard let name = top.string("name") else {
            diagnostics.error("a topology needs a 'name' (it prefixes every service and resource)", at: root.location)
            return nil
        }
        var redis = readRedis(top.child("redis") ?? absent("redis", at: root.location))
        let sentinel = top.child("sentinel").map(readSentinel)
            ?? (redis.mode.value == .sentinel ? readSentinel(absent("sentinel", at: redis.mode.location)) : nil)
        let cluster = top.child("cluster").map(readCluster)
            ?? (redis.mode.value == .cluster ? readCluster(absent("cluster", at: redis.mode.location)) : nil)
        // In a cluster every master has the same replicas: what the rest of the model calls replicas.
        if let cluster, redis.mode.value == .cluster { redis.replicas = cluster.replicasPerShard }
        return Topology(
            name: name,
            redis: redis,
            sentinel: sentinel,
            cluster: cluster,
            auth: readAuth(top.child("auth"), at: root.location),
            tls: readTLS(top.child("tls"), at: root.location),
            healthcheck: readHealthCheck(top.child("healthcheck") ?? absent("healthcheck", at: root.location)),
            monitoring: readMonitoring(top.child("monitoring"), at: root.location),
            clients: readClients(top),
            targets: readTargets(top.child("targets"), name: name)
        )
    }

    private func readMonitoring(_ monitoring: MappingReader?, at location: SourceLocation) -> MonitoringSettings {
        defer { monitoring?.finish() }
        return MonitoringSettings(
            productionContexts: monitoring?.strings("production_contexts") ?? [],
            fast: monitoring?.bool("fast", default: false) ?? Located(false, at: location),
            exporters: monitoring?.bool("exporters", default: false) ?? Located(false, at: location)
        )
    }

    /// Each registered target reads its own key; the mapping refuses any other.
    private func readTargets(_ targets: MappingReader?, name: Located<String>) -> [any TargetSettings] {
        guard let targets else { return [] }
        defer { targets.finish() }
        return self.targets.flatMap { $0.read(targets, name: name) }
    }

    private func readRedis(_ redis: MappingReader) -> RedisServerSettings {
        defer { redis.finish() }
        let mode = redis.choice("mode", from: RedisMode.allCases.map(\.rawValue), default: "standalone")
        let persistence = redis.child("persistence")
        defer { persistence?.finish() }
        var config: [(Located<String>, Located<String>)] = []
        if let mapping = redis.value("config"), case .mapping(let pairs) = mapping.kind {
            for pair in pairs {
                guard let value = pair.value.scalar else {
                    diagnostics.error("'redis.config.\(pair.name)' must be a single value, not \(pair.value.kindDescription)", at: pair.value.location)
                    continue
                }
                config.append((Located(pair.name, at: pair.key.location), Located(value, at: pair.value.location)))
            }
        } else if let other = redis.value("config"), !other.isNull {
            diagnostics.error("'redis.config' must be a mapping of directive: value, not \(other.kindDescription)", at: other.location)
        }
        if mode.value == RedisMode.cluster.rawValue, let replicas = redis.value("replicas") {
            diagnostics.error("'redis.replicas' does not apply to cluster mode: set 'cluster.replicas_per_shard'", at: replicas.location)
        }
        let engineName = redis.choice("engine", from: Engine.allCases.map(\.rawValue), default: Engine.redis.rawValue)
        let engine = engineName.map { Engine(rawValue: $0) ?? .redis }
        return RedisServerSettings(
            engine: engine,
            version: redis.string("version", default: engine.value.defaultVersion)!,
            mode: Located(RedisMode(rawValue: mode.value) ?? .standalone, at: mode.location),
            port: redis.int("port", default: 6379, range: 1...65535),
            replicas: redis.int("replicas", default: mode.value == "sentinel" ? 2 : 0, range: 0...64),
            persistence: Persistence(
                appendonly: persistence?.bool("appendonly", default: true) ?? Located(true, at: redis.location),
                appendfsync: persistence?.choice("appendfsync", from: TopologySchema.appendfsyncModes, default: "everysec")
                    ?? Located("everysec", at: redis.location),
                save: readSave(persistence, at: redis.location),
                section: persistence?.location
            ),
            maxmemory: redis.size("maxmemory"),
            maxmemoryPolicy: redis.choice("maxmemory_policy", from: TopologySchema.maxmemoryPolicies, default: "noeviction"),
            minReplicasToWrite: redis.int("min_replicas_to_write", default: 0, range: 0...20),
            minReplicasMaxLag: redis.duration("min_replicas_max_lag", default: .seconds(10)),
            disabledCommands: redis.strings("disabled_commands"),
            config: config.map { (directive: $0.0, value: $0.1) },
            restart: redis.choice("restart", from: TopologySchema.restartPolicies, default: "unless-stopped")
        )
    }

    /// `save: ["900 1", "300 10"]`, or `save: off` for no snapshots. Default: Redis's own rules.
    private func readSave(_ persistence: MappingReader?, at location: SourceLocation) -> [Located<String>] {
        guard let persistence, let value = persistence.value("save"), !value.isNull else {
            return ["3600 1", "300 100", "60 10000"].map { Located($0, at: persistence?.location ?? location) }
        }
        if let text = value.scalar, ["off", "false", "no"].contains(text.lowercased()) { return [] }
        return persistence.strings("save")
    }

    private func readCluster(_ cluster: MappingReader) -> ClusterSettings {
        defer { cluster.finish() }
        return ClusterSettings(
            shards: cluster.int("shards", default: 3, range: 1...100),
            replicasPerShard: cluster.int("replicas_per_shard", default: 1, range: 0...20),
            nodeTimeout: cluster.duration("node_timeout", default: .seconds(5)),
            requireFullCoverage: cluster.bool("require_full_coverage", default: true),
            allowReadsWhenDown: cluster.bool("allow_reads_when_down", default: false),
            announce: cluster.choice("announce", from: TopologySchema.announceModes, default: "hostnames"),
            busPort: cluster.has("bus_port") ? cluster.int("bus_port", default: 16379, range: 1...65535) : nil
        )
    }

    private func readSentinel(_ sentinel: MappingReader) -> SentinelSettings {
        defer { sentinel.finish() }
        return SentinelSettings(
            count: sentinel.int("count", default: 3, range: 1...9),
            quorum: sentinel.int("quorum", default: 2, range: 1...9),
            masterName: sentinel.string("master_name", default: "mymaster")!,
            port: sentinel.int("port", default: 26379, range: 1...65535),
            downAfter: sentinel.duration("down_after", default: .seconds(5)),
            failoverTimeout: sentinel.duration("failover_timeout", default: .seconds(60)),
            parallelSyncs: sentinel.int("parallel_syncs", default: 1, range: 1...20),
            announce: sentinel.choice("announce", from: TopologySchema.announceModes, default: "hostnames"),
            password: readSecret(sentinel, key: "password")
        )
    }

    /// Auth is on unless `enabled: false`; without a `password` reference the default is the
    /// Docker secret `./secrets/redis-password`.
    private func readAuth(_ auth: MappingReader?, at location: SourceLocation) -> AuthSettings {
        defer { auth?.finish() }
        let enabled = auth?.bool("enabled", default: true) ?? Located(true, at: location)
        if !enabled.value {
            diagnostics.warning("auth is off: any client that reaches the port can read, write and reconfigure Redis", at: enabled.location)
        }
        let password = auth.flatMap { readSecret($0, key: "password") }
            ?? Located(.file("./secrets/redis-password"), at: auth?.location ?? location)
        let users = auth?.list("users").compactMap { item -> ACLUser? in
            guard let user = auth?.mapping(item, path: "auth.users[]") else { return nil }
            defer { user.finish() }
            guard let name = user.string("name") else {
                diagnostics.error("an ACL user needs a 'name'", at: item.location)
                return nil
            }
            guard let secret = readSecret(user, key: "password") else {
                diagnostics.error("ACL user '\(name.value)' needs a 'password' reference", at: item.location)
                return nil
            }
            return ACLUser(
                name: name, password: secret, categories: user.strings("categories"),
                keys: user.string("keys", default: "~*")!
            )
        } ?? []
        return AuthSettings(password: enabled.value ? password : nil, users: users)
    }

    /// `{secret_file: path}`, `{env: NAME}` or `{terraform_variable: name}`; a literal is refused
    /// without repeating it.
    package func readSecret(_ parent: MappingReader, key: String) -> Located<SecretReference>? {
        guard let value = parent.value(key), !value.isNull else { return nil }
        if value.scalar != nil {
            diagnostics.error(
                "'\(parent.qualified(key))' holds a literal password; a secret must not live in the topology. "
                    + "Reference it instead: {secret_file: ./secrets/redis-password}, {env: REDIS_PASSWORD} "
                    + "or {terraform_variable: redis_auth_token}",
                at: value.location
            )
            return nil
        }
        guard let secret = parent.mapping(value, path: parent.qualified(key)) else { return nil }
        defer { secret.finish(schemaPath: "secret") }
        let given = TopologySchema.ownKeys["secret"]!.filter(secret.has)
        guard given.count == 1, let kind = given.first, let reference = secret.string(kind) else {
            diagnostics.error("'\(parent.qualified(key))' needs exactly one of secret_file, env, terraform_variable", at: value.location)
            return nil
        }
        switch kind {
        case "secret_file": return Located(.file(reference.value), at: reference.location)
        case "env": return Located(.environment(reference.value), at: reference.location)
        default: return Located(.terraformVariable(reference.value), at: reference.location)
        }
    }

    private func readTLS(_ tls: MappingReader?, at location: SourceLocation) -> TLSSettings {
        defer { tls?.finish() }
        return TLSSettings(
            enabled: tls?.bool("enabled", default: false) ?? Located(false, at: location),
            certFile: tls?.string("cert_file"),
            keyFile: tls?.string("key_file"),
            caFile: tls?.string("ca_file"),
            authClients: tls?.choice("auth_clients", from: TopologySchema.tlsAuthClients, default: "no") ?? Located("no", at: location),
            clientCertFile: tls?.string("client_cert_file"),
            clientKeyFile: tls?.string("client_key_file")
        )
    }

    private func readClients(_ top: MappingReader) -> [ClientService] {
        top.list("clients").compactMap { item in
            guard let client = top.mapping(item, path: "clients[]") else { return nil }
            defer { client.finish() }
            guard let service = client.string("service") else {
                diagnostics.error("a client needs a 'service' (the Compose service to wire)", at: item.location)
                return nil
            }
            let env = client.strings("env")
            return ClientService(service: service, env: env.isEmpty ? [Located("REDIS_URL", at: service.location)] : env, user: client.string("user"))
        }
    }

    private func readHealthCheck(_ healthcheck: MappingReader) -> HealthCheckSettings {
        defer { healthcheck.finish() }
        return HealthCheckSettings(
            interval: healthcheck.duration("interval", default: .seconds(10)),
            timeout: healthcheck.duration("timeout", default: .seconds(3)),
            retries: healthcheck.int("retries", default: 3, range: 1...100),
            startPeriod: healthcheck.duration("start_period", default: .seconds(10)),
            startInterval: healthcheck.has("start_interval") ? healthcheck.duration("start_interval", default: .seconds(1)) : nil,
            maxReplicaLag: healthcheck.duration("max_replica_lag", default: .seconds(10))
        )
    }
}

extension TopologyReader {
    /// Stands for a section the file leaves out, so that its defaults apply.
    private func absent(_ path: String, at location: SourceLocation) -> MappingReader {
        MappingReader(YAMLNode(kind: .mapping([]), location: location, expandedSize: 1), path: path, diagnostics: diagnostics, schema: schema)!
    }
}
