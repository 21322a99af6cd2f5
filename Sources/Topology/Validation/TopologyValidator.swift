/// The rules a topology must keep beyond its types, each reported at the value that breaks it.
public struct TopologyValidator {
    package let diagnostics: DiagnosticsCollector

    public init(diagnostics: DiagnosticsCollector) {
        self.diagnostics = diagnostics
    }

    public func validate(_ topology: Topology) {
        checkName(topology.name)
        checkReferences(topology)
        checkRedis(topology.redis, users: topology.auth.users)
        if let sentinel = topology.sentinel {
            checkSentinel(sentinel, redis: topology.redis, auth: topology.auth, runsSentinels: topology.targets.contains { $0.runsOwnServers })
        }
        if let cluster = topology.cluster { checkCluster(cluster, redis: topology.redis) }
        checkAuth(topology.auth, catalogue: EngineCatalogue.of(topology.redis.engine.value, version: topology.redis.version.value), redis: topology.redis)
        // The contexts land in a PromQL regex: names as application code gives them, nothing else.
        for context in topology.monitoring.productionContexts where !Self.isName(context.value, also: "._-", first: { $0.isLetter }) {
            error("'monitoring.production_contexts' lists the factory's context labels (letters, digits, '.', '-', '_', starting with a letter), like api or embeddings-worker, not '\(context.value)'", at: context.location)
        }
        if topology.monitoring.exporters.value && !topology.targets.contains(where: { $0.runsOwnServers }) {
            warning("'monitoring.exporters' adds exporters beside the nodes of a Compose deployment; this topology has none, so it adds nothing", at: topology.monitoring.exporters.location)
        }
        checkTLS(topology.tls, clients: topology.clients)
        checkClients(topology.clients, users: topology.auth.users)
        checkHealthCheck(topology.healthcheck)
        checkTargets(topology)
    }


    private func checkTLS(_ tls: TLSSettings, clients: [ClientService]) {
        if (tls.clientCertFile == nil) != (tls.clientKeyFile == nil) {
            error("'tls.client_cert_file' and 'tls.client_key_file' go together", at: (tls.clientCertFile ?? tls.clientKeyFile)!.location)
        }
        guard tls.enabled.value else { return }
        for (key, file) in [("cert_file", tls.certFile), ("key_file", tls.keyFile), ("ca_file", tls.caFile)] where file == nil {
            error("TLS is on but 'tls.\(key)' is missing", at: tls.enabled.location)
        }
        if tls.authClients.value == "yes" && !clients.isEmpty && tls.clientCertFile == nil {
            error(
                "'tls.auth_clients: yes' needs a certificate for the clients: set 'tls.client_cert_file' and 'tls.client_key_file' (the servers' own key must not be handed to every client)",
                at: tls.authClients.location
            )
        }
    }

    private func checkClients(_ clients: [ClientService], users: [ACLUser]) {
        var seen: [String: SourceLocation] = [:]
        for client in clients {
            if let user = client.user, !users.contains(where: { $0.name.value == user.value }) {
                let suggestion = closest(user.value, in: users.map(\.name.value)).map { "; did you mean '\($0)'?" } ?? ""
                error("'clients[].user' '\(user.value)' is not one of 'auth.users'\(suggestion)", at: user.location)
            }
            let name = client.service.value
            if !Self.isName(name, also: "-_.") {
                error("'clients[].service' must be a Compose service name, not '\(name)'", at: client.service.location)
            } else if let first = seen[name] {
                error("client service '\(name)' is listed twice (first at \(first.line):\(first.column))", at: client.service.location)
            }
            seen[name] = seen[name] ?? client.service.location
            for variable in client.env {
                let text = variable.value
                if !Self.isEnvironmentName(text) || text != text.uppercased() {
                    error("'clients[].env' must name environment variables (A-Z, 0-9, _), not '\(text)'", at: variable.location)
                }
            }
        }
    }

    package func warning(_ message: String, at location: SourceLocation) { diagnostics.warning(message, at: location) }

    package func error(_ message: String, at location: SourceLocation) { diagnostics.error(message, at: location) }

    /// Names and paths the topology hands to other tools: an environment variable lands in
    /// `.env.example` (which a shell may source), a Terraform variable in `.tf` files, a path in
    /// Compose. Each must be a name of its kind, never code or a second line.
    private func checkReferences(_ topology: Topology) {
        for secret in topology.secretReferences {
            switch secret.value {
            case .environment(let name) where !Self.isEnvironmentName(name):
                error("'env' must name an environment variable (letters, digits and '_', not starting with a digit), not '\(name)'", at: secret.location)
            case .terraformVariable(let name) where !Self.isTerraformName(name):
                error("'terraform_variable' must be a Terraform variable name (letters, digits, '_' and '-', starting with a letter or '_'), not '\(name)'", at: secret.location)
            case .file(let path) where !Self.isPath(path):
                error("'secret_file' must be a path (one line, not empty), not '\(path)'", at: secret.location)
            default:
                break
            }
        }
        let tlsFiles = [("cert_file", topology.tls.certFile), ("key_file", topology.tls.keyFile), ("ca_file", topology.tls.caFile),
                        ("client_cert_file", topology.tls.clientCertFile), ("client_key_file", topology.tls.clientKeyFile)]
        for (key, file) in tlsFiles {
            if let file, !Self.isPath(file.value) {
                error("'tls.\(key)' must be a path (one line, not empty), not '\(file.value)'", at: file.location)
            }
        }
    }

    /// The one shape every name rule here has: not empty, ASCII letters and digits plus the
    /// characters in `also`, and a first character that `first` accepts.
    package static func isName(_ text: String, also: String, first: (Character) -> Bool = { _ in true }) -> Bool {
        guard let head = text.first, first(head) else { return false }
        return text.allSatisfy { ($0.isLetter || $0.isNumber || also.contains($0)) && $0.isASCII }
    }

    static func isEnvironmentName(_ text: String) -> Bool { isName(text, also: "_", first: { $0.isLetter || $0 == "_" }) }

    package static func isTerraformName(_ text: String) -> Bool { isName(text, also: "_-", first: { $0.isLetter || $0 == "_" }) }

    package static func isPath(_ text: String) -> Bool {
        !text.isEmpty && !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f }
    }

    /// It prefixes Compose services and cloud resources: DNS-safe and short.
    private func checkName(_ name: Located<String>) {
        let text = name.value
        let valid = (1...40).contains(text.count) && text.first!.isLetter && text.last! != "-"
            && text.allSatisfy { ($0.isLowercase && $0.isASCII) || ($0.isNumber && $0.isASCII) || $0 == "-" }
        if !valid {
            error("'name' must be 1 to 40 lower-case letters, digits or '-', starting with a letter (it names services and resources), not '\(text)'", at: name.location)
        }
    }

    private func checkRedis(_ redis: RedisServerSettings, users: [ACLUser]) {
        let engine = redis.engine.value
        let catalogue = EngineCatalogue.of(engine, version: redis.version.value)
        if !engine.versions.contains(redis.version.value) {
            // A version of the other engine: say whose it is, not only what this one has.
            let other = Engine.allCases.first { $0 != engine && $0.versions.contains(redis.version.value) }
            let hint = other.map { "; \($0.label) \(redis.version.value) is 'engine: \($0.rawValue)'" }
                ?? closest(redis.version.value, in: engine.versions).map { "; did you mean '\($0)'?" } ?? ""
            error("'redis.version' must be a \(engine.label) version, one of \(engine.versions.joined(separator: ", "))\(hint)", at: redis.version.location)
        } else if catalogue == nil && !(redis.disabledCommands.isEmpty && redis.config.isEmpty && users.isEmpty) {
            let read = EngineCatalogue.versionsWithCatalogue(engine)
            let which = read.isEmpty ? "none for \(engine.label) yet" : "there is one for \(read.joined(separator: ", "))"
            diagnostics.warning("no catalogue of \(engine.label) \(redis.version.value)'s commands, directives and ACL categories here (\(which)): 'disabled_commands', 'config' and ACL rules are checked for form only", at: redis.version.location)
        }
        if redis.mode.value == .sentinel && redis.replicas.value < 1 {
            error("sentinel mode needs 'redis.replicas' of at least 1 (a failover needs a replica to promote)", at: redis.replicas.location)
        }
        if redis.minReplicasToWrite.value > redis.replicas.value {
            error(
                "'redis.min_replicas_to_write' is \(redis.minReplicasToWrite.value) but there are only \(redis.replicas.value) replicas\(redis.mode.value == .cluster ? " per shard" : ""); the master would refuse every write",
                at: redis.minReplicasToWrite.location
            )
        }
        if redis.persistence.isOff && redis.restart.value != "no" {
            error(
                "persistence is off but the master restarts automatically ('redis.restart: \(redis.restart.value)'): it would come back empty and its replicas would sync the empty data set. Turn persistence on or set 'restart: no'",
                at: redis.persistence.appendonly.location
            )
        }
        for rule in redis.persistence.save {
            let parts = rule.value.split(separator: " ")
            if parts.count != 2 || parts.contains(where: { Int($0).map { $0 <= 0 } ?? true }) {
                error("'redis.persistence.save' rules are \"<seconds> <changes>\", like \"300 10\", not '\(rule.value)'", at: rule.location)
            }
        }
        for command in redis.disabledCommands {
            if !command.value.allSatisfy({ $0.isLetter && $0.isASCII }) || command.value.isEmpty {
                error("'redis.disabled_commands' must list command names, not '\(command.value)'", at: command.location)
            } else if TopologySchema.commandsTheDeploymentNeeds.contains(command.value.uppercased()) {
                error("'redis.disabled_commands' must not disable \(command.value.uppercased()): the health check, Sentinel or Cluster uses it", at: command.location)
            } else if let catalogue, !catalogue.commands.contains(command.value.lowercased()) {
                let suggestion = closest(command.value.lowercased(), in: catalogue.commands.filter { !$0.contains("|") }.sorted()).map { "; did you mean '\($0.uppercased())'?" } ?? ""
                unknown("'redis.disabled_commands' names \(command.value.uppercased()), which \(catalogue.label) does not have (as \(catalogue.readFrom) lists its commands)\(suggestion)", at: command.location, catalogue: catalogue, redis: redis)
            }
        }
        for (directive, value) in redis.config {
            let name = directive.value
            if name.isEmpty || !name.allSatisfy({ ($0.isLowercase || $0.isNumber || $0 == "-") && $0.isASCII }) {
                error("'redis.config' directive '\(name)' is not a Redis directive name (lower-case letters, digits, '-')", at: directive.location)
            } else if TopologySchema.generatorOwnedDirectives.contains(name) {
                error("'redis.config' must not set '\(name)': the generator writes it from the topology's own keys", at: directive.location)
            } else if let catalogue, !catalogue.knowsDirective(name) {
                let suggestion = closest(name, in: catalogue.directives.sorted()).map { "; did you mean '\($0)'?" } ?? ""
                unknown("'redis.config' directive '\(name)' is not one of \(catalogue.label)'s (as \(catalogue.readFrom) lists them); \(redis.engine.value.label) would refuse to start\(suggestion)", at: directive.location, catalogue: catalogue, redis: redis)
            }
            if TopologySchema.dangerousDirectives.contains(name) && value.value.lowercased() != "no" {
                diagnostics.warning("'redis.config.\(name)' opens Redis to arbitrary code or memory access by any client that can send commands; leave it out unless you mean it", at: directive.location)
            }
            if value.value.contains(where: { $0 == "\n" || $0 == "\r" }) || value.value.isEmpty {
                error("'redis.config.\(name)' must be one non-empty line (a value cannot add lines to redis.conf)", at: value.location)
            }
        }
    }

    private func checkAuth(_ auth: AuthSettings, catalogue: EngineCatalogue?, redis: RedisServerSettings) {
        var seen: [String: SourceLocation] = [:]
        for user in auth.users {
            if let first = seen[user.name.value] {
                error("ACL user '\(user.name.value)' is defined twice (first at \(first.line):\(first.column)); Redis refuses to start with both", at: user.name.location)
            } else if user.name.value == "default" {
                error("ACL user 'default' is Redis's own (its password is 'auth.password'); name this user otherwise", at: user.name.location)
            } else if let reserved = DeploymentUser(rawValue: user.name.value) {
                error("ACL user '\(user.name.value)' is the deployment's own (\(reserved.purpose)); name this user otherwise", at: user.name.location)
            }
            seen[user.name.value] = seen[user.name.value] ?? user.name.location
            if user.keys.value.contains(where: { $0.isWhitespace }) {
                error("'keys' of ACL user '\(user.name.value)' must be one key pattern without spaces, like \"~app:*\", not '\(user.keys.value)'", at: user.keys.location)
            }
            if !Self.isName(user.name.value, also: "-_.") {
                error("ACL user name '\(user.name.value)' must be letters, digits, '-', '_' or '.'", at: user.name.location)
            }
            for rule in user.categories {
                if !(rule.value.hasPrefix("+") || rule.value.hasPrefix("-")) || rule.value.count < 2 {
                    error("ACL rule '\(rule.value)' must start with '+' or '-', like \"+@read\" or \"-@dangerous\"", at: rule.location)
                } else if rule.value.contains(where: { $0.isWhitespace }) {
                    error("ACL rule '\(rule.value)' must be one word", at: rule.location)
                } else if let catalogue {
                    checkACLRule(rule, of: user.name.value, against: catalogue, redis: redis)
                }
            }
            if !user.keys.value.hasPrefix("~") && !user.keys.value.hasPrefix("%") {
                error("'keys' of ACL user '\(user.name.value)' must be a key pattern like \"~app:*\"", at: user.keys.location)
            }
        }
    }

    /// Redis refuses to start on an ACL rule naming a category or command it does not have.
    /// An unknown name: an error against the engine's own catalogue; against one it keeps whole
    /// (Redis 7.0's, for Valkey), the name may be newer, so it is said, not refused.
    private func unknown(_ message: String, at location: SourceLocation, catalogue: EngineCatalogue, redis: RedisServerSettings) {
        guard catalogue.isLowerBound else { return error(message, at: location) }
        diagnostics.warning(message + "; \(redis.engine.value.label) \(redis.version.value) keeps all of \(catalogue.label) and may have it: checked for form only", at: location)
    }

    private func checkACLRule(_ rule: Located<String>, of user: String, against catalogue: EngineCatalogue, redis: RedisServerSettings) {
        let target = String(rule.value.dropFirst())
        if target.hasPrefix("@") {
            let category = String(target.dropFirst())
            if category != "all" && !catalogue.aclCategories.contains(category) {
                let suggestion = closest(category, in: catalogue.aclCategories.sorted()).map { "; did you mean '@\($0)'?" } ?? ""
                unknown("ACL category '@\(category)' of user '\(user)' is not one of \(catalogue.label)'s\(suggestion)", at: rule.location, catalogue: catalogue, redis: redis)
            }
        } else if !catalogue.knowsCommand(target) {
            let suggestion = closest(target.lowercased(), in: catalogue.commands.sorted()).map { "; did you mean '\($0)'?" } ?? ""
            unknown("ACL rule '\(rule.value)' of user '\(user)' names a command \(catalogue.label) does not have\(suggestion)", at: rule.location, catalogue: catalogue, redis: redis)
        }
    }

    private func checkCluster(_ cluster: ClusterSettings, redis: RedisServerSettings) {
        guard redis.mode.value == .cluster else {
            diagnostics.warning("the 'cluster' section is ignored: 'redis.mode' is \(redis.mode.value.rawValue)", at: cluster.shards.location)
            return
        }
        if cluster.shards.value < 3 {
            error("'cluster.shards' is \(cluster.shards.value); Redis Cluster needs at least 3 masters (a majority of them must agree to fail one over)", at: cluster.shards.location)
        }
        if cluster.nodeTimeout.value < .milliseconds(100) {
            error("'cluster.node_timeout' must be at least 100ms; shorter, a busy node is flagged failed and its replica promoted", at: cluster.nodeTimeout.location)
        }
        let busPort = cluster.busPort?.value ?? redis.port.value + 10000
        if busPort > 65535 {
            error("the cluster bus listens on 'redis.port' + 10000 = \(busPort), above 65535: set 'cluster.bus_port'", at: redis.port.location)
        } else if busPort == redis.port.value, let written = cluster.busPort {
            error("'cluster.bus_port' \(busPort) collides with 'redis.port'", at: written.location)
        }
        if cluster.replicasPerShard.value == 0 {
            diagnostics.warning("'cluster.replicas_per_shard' is 0: losing one master loses its slots (and with 'require_full_coverage' the whole cluster)", at: cluster.replicasPerShard.location)
        }
    }

    /// `runsSentinels`: a target runs Sentinels of its own (managed services fail over by themselves).
    private func checkSentinel(_ sentinel: SentinelSettings, redis: RedisServerSettings, auth: AuthSettings, runsSentinels: Bool) {
        let count = sentinel.count.value
        switch redis.mode.value {
        case .sentinel:
            break
        case .standalone:
            diagnostics.warning("the 'sentinel' section is ignored: 'redis.mode' is standalone", at: sentinel.count.location)
            return
        case .cluster:
            error("the 'sentinel' section does not apply to cluster mode: a cluster's masters detect failures and promote replicas themselves", at: sentinel.count.location)
            return
        }
        if count < 3 {
            error("'sentinel.count' is \(count); at least 3 Sentinels are needed to fail over safely (quorum 2 of 3)", at: sentinel.count.location)
        } else if count % 2 == 0 {
            diagnostics.warning("'sentinel.count' is even (\(count)); an odd count tolerates the same failures with one Sentinel fewer", at: sentinel.count.location)
        }
        let quorum = sentinel.quorum.value
        if count >= 3 && !((count / 2 + 1)...count).contains(quorum) {
            error("'sentinel.quorum' must be between \(count / 2 + 1) (a majority) and \(count), not \(quorum)", at: sentinel.quorum.location)
        }
        if sentinel.port.value == redis.port.value {
            error("'sentinel.port' \(sentinel.port.value) collides with 'redis.port'", at: sentinel.port.location)
        }
        if let password = sentinel.password {
            if auth.password == nil {
                diagnostics.warning("'sentinel.password' is ignored: auth is off", at: password.location)
            } else if password.value == auth.password?.value {
                error("'sentinel.password' must be a secret of its own, not the default user's: the Sentinels hold it, and should not hold the password that may do everything", at: password.location)
            }
        } else if runsSentinels, let defaultPassword = auth.password {
            diagnostics.warning(
                "the Sentinels use the default user's password, on the nodes (where it may do everything) and for themselves; give them their own with 'sentinel.password: {secret_file: ./secrets/redis-sentinel-password}', and they get a 'sentinel' user that may only fail over",
                at: defaultPassword.location
            )
        }
        if !sentinel.masterName.value.allSatisfy({ ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") && $0.isASCII }) {
            error("'sentinel.master_name' must be letters, digits, '-' or '_'", at: sentinel.masterName.location)
        }
    }

    private func checkHealthCheck(_ healthcheck: HealthCheckSettings) {
        if healthcheck.timeout.value >= healthcheck.interval.value {
            error("'healthcheck.timeout' must be shorter than 'healthcheck.interval'", at: healthcheck.timeout.location)
        }
    }
}
