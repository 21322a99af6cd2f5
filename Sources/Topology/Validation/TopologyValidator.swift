/// The rules a topology must keep beyond its types, each reported at the value that breaks it.
public struct TopologyValidator {
    let diagnostics: DiagnosticsCollector

    public init(diagnostics: DiagnosticsCollector) {
        self.diagnostics = diagnostics
    }

    public func validate(_ topology: Topology) {
        checkName(topology.name)
        checkRedis(topology.redis)
        if let sentinel = topology.sentinel { checkSentinel(sentinel, redis: topology.redis) }
        checkAuth(topology.auth)
        checkTLS(topology.tls)
        checkClients(topology.clients)
        checkHealthcheck(topology.healthcheck)
    }

    private func checkTLS(_ tls: TLSSettings) {
        guard tls.enabled.value else { return }
        for (key, file) in [("cert_file", tls.certFile), ("key_file", tls.keyFile), ("ca_file", tls.caFile)] where file == nil {
            error("TLS is on but 'tls.\(key)' is missing", at: tls.enabled.location)
        }
    }

    private func checkClients(_ clients: [ClientService]) {
        var seen: [String: SourceLocation] = [:]
        for client in clients {
            let name = client.service.value
            if name.isEmpty || !name.allSatisfy({ ($0.isLetter || $0.isNumber || "-_.".contains($0)) && $0.isASCII }) {
                error("'clients[].service' must be a Compose service name, not '\(name)'", at: client.service.location)
            } else if let first = seen[name] {
                error("client service '\(name)' is listed twice (first at \(first.line):\(first.column))", at: client.service.location)
            }
            seen[name] = seen[name] ?? client.service.location
            for variable in client.env {
                let text = variable.value
                let valid = !text.isEmpty && !(text.first!.isNumber)
                    && text.allSatisfy { ($0.isUppercase || $0.isNumber || $0 == "_") && $0.isASCII }
                if !valid {
                    error("'clients[].env' must name environment variables (A-Z, 0-9, _), not '\(text)'", at: variable.location)
                }
            }
        }
    }

    private func error(_ message: String, at location: SourceLocation) { diagnostics.error(message, at: location) }

    /// It prefixes Compose services and cloud resources: DNS-safe and short.
    private func checkName(_ name: Located<String>) {
        let text = name.value
        let valid = (1...40).contains(text.count) && text.first!.isLetter && text.last! != "-"
            && text.allSatisfy { ($0.isLowercase && $0.isASCII) || ($0.isNumber && $0.isASCII) || $0 == "-" }
        if !valid {
            error("'name' must be 1 to 40 lower-case letters, digits or '-', starting with a letter (it names services and resources), not '\(text)'", at: name.location)
        }
    }

    private func checkRedis(_ redis: RedisSettings) {
        if !TopologySchema.versions.contains(redis.version.value) {
            let suggestion = closest(redis.version.value, in: TopologySchema.versions).map { "; did you mean '\($0)'?" } ?? ""
            error("'redis.version' must be one of \(TopologySchema.versions.joined(separator: ", "))\(suggestion)", at: redis.version.location)
        }
        if redis.mode.value == .sentinel && redis.replicas.value < 1 {
            error("sentinel mode needs 'redis.replicas' of at least 1 (a failover needs a replica to promote)", at: redis.replicas.location)
        }
        if redis.minReplicasToWrite.value > redis.replicas.value {
            error(
                "'redis.min_replicas_to_write' is \(redis.minReplicasToWrite.value) but there are only \(redis.replicas.value) replicas; the master would refuse every write",
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
        for command in redis.disabledCommands where !command.value.allSatisfy({ $0.isLetter && $0.isASCII }) || command.value.isEmpty {
            error("'redis.disabled_commands' must list command names, not '\(command.value)'", at: command.location)
        }
        for (directive, value) in redis.config {
            let name = directive.value
            if name.isEmpty || !name.allSatisfy({ ($0.isLowercase || $0.isNumber || $0 == "-") && $0.isASCII }) {
                error("'redis.config' directive '\(name)' is not a Redis directive name (lower-case letters, digits, '-')", at: directive.location)
            } else if TopologySchema.generatorOwnedDirectives.contains(name) {
                error("'redis.config' must not set '\(name)': the generator writes it from the topology's own keys", at: directive.location)
            }
            if value.value.contains(where: { $0 == "\n" || $0 == "\r" }) || value.value.isEmpty {
                error("'redis.config.\(name)' must be one non-empty line (a value cannot add lines to redis.conf)", at: value.location)
            }
        }
    }

    private func checkAuth(_ auth: AuthSettings) {
        for user in auth.users {
            if !user.name.value.allSatisfy({ ($0.isLetter || $0.isNumber || "-_.".contains($0)) && $0.isASCII }) || user.name.value.isEmpty {
                error("ACL user name '\(user.name.value)' must be letters, digits, '-', '_' or '.'", at: user.name.location)
            }
            for rule in user.categories where !(rule.value.hasPrefix("+") || rule.value.hasPrefix("-")) || rule.value.count < 2 {
                error("ACL rule '\(rule.value)' must start with '+' or '-', like \"+@read\" or \"-@dangerous\"", at: rule.location)
            }
            if !user.keys.value.hasPrefix("~") && !user.keys.value.hasPrefix("%") {
                error("'keys' of ACL user '\(user.name.value)' must be a key pattern like \"~app:*\"", at: user.keys.location)
            }
        }
    }

    private func checkSentinel(_ sentinel: SentinelSettings, redis: RedisSettings) {
        let count = sentinel.count.value
        if redis.mode.value != .sentinel {
            diagnostics.warning("the 'sentinel' section is ignored: 'redis.mode' is standalone", at: sentinel.count.location)
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
        if !sentinel.masterName.value.allSatisfy({ ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") && $0.isASCII }) {
            error("'sentinel.master_name' must be letters, digits, '-' or '_'", at: sentinel.masterName.location)
        }
    }

    private func checkHealthcheck(_ healthcheck: HealthcheckSettings) {
        if healthcheck.timeout.value >= healthcheck.interval.value {
            error("'healthcheck.timeout' must be shorter than 'healthcheck.interval'", at: healthcheck.timeout.location)
        }
    }
}
