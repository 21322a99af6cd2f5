/// Every key a topology may hold, by the mapping it belongs to: the reader refuses others
/// (with a "did you mean"), and a test checks that docs/topology.md documents exactly these.
public enum TopologySchema {
    /// Directives that let a client load code or poke at memory: allowed, with a warning.
    static let dangerousDirectives: Set<String> = ["enable-debug-command", "enable-module-command", "loadmodule", "enable-protected-configs"]

    public static let keys: [String: [String]] = [
        "": ["name", "redis", "sentinel", "auth", "tls", "healthcheck", "clients", "targets"],
        "redis": [
            "version", "mode", "port", "replicas", "persistence", "maxmemory", "maxmemory_policy",
            "min_replicas_to_write", "min_replicas_max_lag", "disabled_commands", "config", "restart",
        ],
        "redis.persistence": ["appendonly", "appendfsync", "save"],
        "sentinel": ["count", "quorum", "master_name", "port", "down_after", "failover_timeout", "parallel_syncs", "announce", "password"],
        "auth": ["enabled", "password", "users"],
        "auth.users[]": ["name", "password", "categories", "keys"],
        "secret": ["secret_file", "env", "terraform_variable"],
        "healthcheck": ["interval", "timeout", "retries", "start_period", "start_interval", "max_replica_lag"],
        "tls": ["enabled", "cert_file", "key_file", "ca_file", "auth_clients", "client_cert_file", "client_key_file"],
        "clients[]": ["service", "env", "user"],
        "targets": ["compose", "terraform"],
        "targets.compose": ["file", "network", "subnet", "publish_port", "resources"],
        "targets.compose.resources": ["cpus", "memory"],
        "targets.terraform[]": [
            "provider", "node_type", "engine_version", "subnet_ids_variable", "security_group_ids_variable",
            "multi_az", "automatic_failover", "transit_encryption", "at_rest_encryption", "kms_key_variable",
            "snapshot_retention", "snapshot_window", "maintenance_window", "alarm_topic_variable",
            "region", "memory_size_gb", "network", "maintenance_day",
        ],
    ]

    /// Every documented key as a dotted path: `redis.persistence.appendonly`.
    public static var allPaths: Set<String> {
        var paths = Set<String>()
        for (parent, children) in keys where parent != "secret" {
            for child in children { paths.insert(parent.isEmpty ? child : "\(parent).\(child)") }
        }
        return paths
    }

    public static let versions = ["6.2", "7.0", "7.1", "7.2"]
    /// Official `redis` image tags (7.1 is an ElastiCache engine only).
    public static let imageVersions = ["6.2", "7.0", "7.2"]
    public static let maxmemoryPolicies = [
        "noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random",
        "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
    ]
    public static let appendfsyncModes = ["always", "everysec", "no"]
    public static let restartPolicies = ["no", "always", "unless-stopped", "on-failure"]
    public static let announceModes = ["hostnames", "static"]
    public static let tlsAuthClients = ["yes", "no", "optional"]
    public static let providers = ["aws", "gcp"]
    /// Keys each provider reads; the other provider's keys are refused on its entry.
    public static let awsKeys: Set<String> = [
        "provider", "node_type", "engine_version", "subnet_ids_variable", "security_group_ids_variable", "multi_az",
        "automatic_failover", "transit_encryption", "at_rest_encryption", "kms_key_variable", "snapshot_retention",
        "snapshot_window", "maintenance_window", "alarm_topic_variable",
    ]
    public static let gcpKeys: Set<String> = ["provider", "region", "memory_size_gb", "network", "maintenance_day"]
    public static let awsNodeTypes = [
        "cache.t4g.micro", "cache.t4g.small", "cache.t4g.medium", "cache.t3.micro", "cache.t3.small", "cache.t3.medium",
        "cache.m6g.large", "cache.m6g.xlarge", "cache.m6g.2xlarge", "cache.m6g.4xlarge",
        "cache.m7g.large", "cache.m7g.xlarge", "cache.m7g.2xlarge", "cache.m7g.4xlarge",
        "cache.r6g.large", "cache.r6g.xlarge", "cache.r6g.2xlarge", "cache.r6g.4xlarge",
        "cache.r7g.large", "cache.r7g.xlarge", "cache.r7g.2xlarge", "cache.r7g.4xlarge",
    ]
    /// `redis.config` directives ElastiCache accepts as parameters; others apply to Compose only.
    public static let awsParameters: Set<String> = [
        "timeout", "tcp-keepalive", "maxmemory-samples", "notify-keyspace-events", "lazyfree-lazy-eviction",
        "lazyfree-lazy-expire", "lazyfree-lazy-server-del", "activedefrag", "slowlog-log-slower-than", "slowlog-max-len",
    ]
    /// `redis.config` directives Memorystore accepts in `redis_configs`.
    public static let gcpRedisConfigs: Set<String> = [
        "maxmemory-gb", "activedefrag", "lfu-decay-time", "lfu-log-factor", "notify-keyspace-events",
        "maxclients", "lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del",
    ]
    public static let awsEngineVersions = ["6.2", "7.0", "7.1"]
    /// Memorystore's versions, by the topology's `redis.version`.
    public static let gcpVersions = ["6.2": "REDIS_6_X", "7.0": "REDIS_7_0", "7.2": "REDIS_7_2"]
    public static let gcpDays = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
    /// Commands the health check and Sentinel send; disabling one breaks the deployment.
    public static let commandsTheDeploymentNeeds: Set<String> = [
        "PING", "INFO", "ROLE", "CONFIG", "AUTH", "HELLO", "CLIENT", "REPLICAOF", "SLAVEOF", "MULTI", "EXEC",
        "PUBLISH", "SUBSCRIBE", "SCRIPT", "SENTINEL",
    ]
    /// Directives the generator writes itself, from other keys; `config` must not set them.
    public static let generatorOwnedDirectives: Set<String> = [
        "port", "bind", "requirepass", "masterauth", "masteruser", "replicaof", "slaveof", "include",
        "rename-command", "dir", "appendonly", "appendfsync", "save", "maxmemory", "maxmemory-policy",
        "min-replicas-to-write", "min-replicas-max-lag", "tls-port", "tls-cert-file", "tls-key-file",
        "tls-ca-cert-file", "aclfile", "user", "protected-mode", "daemonize",
    ]
}
