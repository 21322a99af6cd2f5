/// Every key a topology may hold, by the mapping it belongs to: the reader refuses others
/// (with a "did you mean"), and a test checks that docs/topology.md documents exactly these.
public enum TopologySchema {
    /// Directives that let a client load code or poke at memory: allowed, with a warning.
    static let dangerousDirectives: Set<String> = ["enable-debug-command", "enable-module-command", "loadmodule", "enable-protected-configs"]

    /// The topology's own keys; each target brings its own (`keys(with:)`).
    static let ownKeys: [String: [String]] = [
        "": ["name", "redis", "sentinel", "cluster", "auth", "tls", "healthcheck", "monitoring", "clients", "targets"],
        "monitoring": ["production_contexts", "fast", "exporters"],
        "redis": [
            "engine", "version", "mode", "port", "replicas", "persistence", "maxmemory", "maxmemory_policy",
            "min_replicas_to_write", "min_replicas_max_lag", "disabled_commands", "config", "restart",
        ],
        "redis.persistence": ["appendonly", "appendfsync", "save"],
        "cluster": ["shards", "replicas_per_shard", "node_timeout", "require_full_coverage", "allow_reads_when_down", "announce", "bus_port"],
        "sentinel": ["count", "quorum", "master_name", "port", "down_after", "failover_timeout", "parallel_syncs", "announce", "password"],
        "auth": ["enabled", "password", "users"],
        "auth.users[]": ["name", "password", "categories", "keys"],
        "secret": ["secret_file", "env", "terraform_variable"],
        "healthcheck": ["interval", "timeout", "retries", "start_period", "start_interval", "max_replica_lag"],
        "tls": ["enabled", "cert_file", "key_file", "ca_file", "auth_clients", "client_cert_file", "client_key_file"],
        "clients[]": ["service", "env", "user"],
    ]

    /// Every key, by the mapping it belongs to, with these targets registered under `targets:`.
    package static func keys(with targets: [any TargetReader.Type]) -> [String: [String]] {
        var keys = ownKeys
        var targetKeys: [String] = []
        for target in targets {
            targetKeys.append(target.key)
            keys.merge(target.schema) { own, _ in own }
        }
        keys["targets"] = targetKeys
        return keys
    }

    /// Every documented key as a dotted path: `redis.persistence.appendonly`.
    package static func allPaths(with targets: [any TargetReader.Type]) -> Set<String> {
        var paths = Set<String>()
        for (parent, children) in keys(with: targets) where parent != "secret" {
            for child in children { paths.insert(parent.isEmpty ? child : "\(parent).\(child)") }
        }
        return paths
    }

    public static let maxmemoryPolicies = [
        "noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random",
        "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
    ]
    public static let appendfsyncModes = ["always", "everysec", "no"]
    public static let restartPolicies = ["no", "always", "unless-stopped", "on-failure"]
    public static let announceModes = ["hostnames", "static"]
    public static let tlsAuthClients = ["yes", "no", "optional"]
    /// Keys each provider reads; the other provider's keys are refused on its entry.
    /// Commands the health check and Sentinel send; disabling one breaks the deployment.
    public static let commandsTheDeploymentNeeds: Set<String> = [
        "PING", "INFO", "ROLE", "CONFIG", "AUTH", "HELLO", "CLIENT", "REPLICAOF", "SLAVEOF", "MULTI", "EXEC",
        "PUBLISH", "SUBSCRIBE", "SCRIPT", "SENTINEL", "CLUSTER", "READONLY", "ASKING",
    ]
    /// Directives the generator writes itself, from other keys; `config` must not set them.
    public static let generatorOwnedDirectives: Set<String> = [
        "port", "bind", "requirepass", "masterauth", "masteruser", "replicaof", "slaveof", "include",
        "rename-command", "dir", "appendonly", "appendfsync", "save", "maxmemory", "maxmemory-policy",
        "min-replicas-to-write", "min-replicas-max-lag", "tls-port", "tls-cert-file", "tls-key-file",
        "tls-ca-cert-file", "aclfile", "user", "protected-mode", "daemonize",
    ]
}
