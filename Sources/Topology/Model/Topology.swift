/// One deployment's Redis topology, as ops write it in YAML: what every generator reads.
/// Plain values, no I/O; each value remembers where it was written for later diagnostics.
public struct Topology: Sendable {
    public var name: Located<String>
    public var redis: RedisServerSettings
    public var sentinel: SentinelSettings?
    /// Present in cluster mode (and when the section is written, to be refused elsewhere).
    public var cluster: ClusterSettings?
    public var auth: AuthSettings
    public var tls: TLSSettings
    public var healthcheck: HealthCheckSettings
    public var monitoring: MonitoringSettings
    public var clients: [ClientService]
    /// Where the generator writes deployments, each read by its target (`TargetReader`).
    package var targets: [any TargetSettings]

    /// Every secret the topology references, wherever it is used.
    public var secretReferences: [Located<SecretReference>] {
        [auth.password, sentinel?.password].compactMap { $0 } + auth.users.map(\.password)
    }
}

/// A value and the place in the file it came from (the key's place when it was defaulted).
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }

    /// The same place, another value: a choice read as text, kept as its enum.
    public func map<Other: Sendable>(_ transform: (Value) -> Other) -> Located<Other> {
        Located<Other>(transform(value), at: location)
    }
}

public enum RedisMode: String, Sendable, CaseIterable {
    case standalone, sentinel, cluster
}

/// The `redis:` section: the servers themselves. (The factory's `RedisSettings` is another
/// thing: the application's settings file.)
public struct RedisServerSettings: Sendable {
    public var engine: Located<Engine>
    /// A version of `engine` (``Engine/versions``).
    public var version: Located<String>
    public var mode: Located<RedisMode>
    public var port: Located<Int>
    /// Replicas of each master: `redis.replicas`, or in cluster mode `cluster.replicas_per_shard`.
    public var replicas: Located<Int>
    public var persistence: Persistence
    public var maxmemory: Located<Int64>?
    public var maxmemoryPolicy: Located<String>
    public var minReplicasToWrite: Located<Int>
    public var minReplicasMaxLag: Located<Duration>
    public var disabledCommands: [Located<String>]
    /// Extra `directive value` lines, in file order.
    public var config: [(directive: Located<String>, value: Located<String>)]
    public var restart: Located<String>
}

public struct Persistence: Sendable {
    public var appendonly: Located<Bool>
    public var appendfsync: Located<String>
    /// `save` rules as "seconds changes"; empty when snapshots are off.
    public var save: [Located<String>]
    /// Where `redis.persistence` was written; nil when the defaults apply. A managed service
    /// that keeps data its own way warns here only when ops asked for something.
    public var section: SourceLocation?

    /// The shortest interval of the `save` rules, in seconds: how much time of writes a crash can lose.
    public var shortestSaveSeconds: Int64? {
        save.compactMap { rule in rule.value.split(separator: " ").first.flatMap { Int64($0) } }.min()
    }

    public var isOff: Bool { !appendonly.value && save.isEmpty }
}

/// The `cluster:` section: Redis Cluster's shape and its own failure detection.
public struct ClusterSettings: Sendable {
    /// Masters, each owning a share of the 16384 slots.
    public var shards: Located<Int>
    public var replicasPerShard: Located<Int>
    /// How long a node may not answer before the others flag it failed and promote its replica.
    public var nodeTimeout: Located<Duration>
    public var requireFullCoverage: Located<Bool>
    public var allowReadsWhenDown: Located<Bool>
    /// `hostnames` (Redis 7's cluster-announce-hostname, clients redirected by name) or `static`.
    public var announce: Located<String>
    /// The cluster bus port; Redis's default is the data port + 10000.
    public var busPort: Located<Int>?

    public static let slots = 16384
}

public struct SentinelSettings: Sendable {
    public var count: Located<Int>
    public var quorum: Located<Int>
    public var masterName: Located<String>
    public var port: Located<Int>
    public var downAfter: Located<Duration>
    public var failoverTimeout: Located<Duration>
    public var parallelSyncs: Located<Int>
    public var announce: Located<String>
    /// The Sentinels' own password: what clients and peer Sentinels send them, and the password
    /// of the `sentinel` ACL user they use on the nodes. Without one they use the default user.
    public var password: Located<SecretReference>?
}

/// Where a secret lives; the topology never holds the secret itself.
public enum SecretReference: Sendable, Equatable {
    case file(String)
    case environment(String)
    case terraformVariable(String)
}

public struct AuthSettings: Sendable {
    /// nil only when auth is explicitly disabled (`auth: {enabled: false}`).
    public var password: Located<SecretReference>?
    public var users: [ACLUser]
}

public struct ACLUser: Sendable {
    public var name: Located<String>
    public var password: Located<SecretReference>
    public var categories: [Located<String>]
    public var keys: Located<String>
}

public struct HealthCheckSettings: Sendable {
    public var interval: Located<Duration>
    public var timeout: Located<Duration>
    public var retries: Located<Int>
    public var startPeriod: Located<Duration>
    /// Docker Engine 25+ only, so written only when the topology sets it.
    public var startInterval: Located<Duration>?
    public var maxReplicaLag: Located<Duration>
}

/// The `monitoring:` section: what the generated alert rules need to know that the rest of the
/// topology does not say.
public struct MonitoringSettings: Sendable {
    /// The factory's `context` labels that are production: a fallback to the stub there pages.
    /// Empty: every context is.
    public var productionContexts: [Located<String>]
    /// For tests and drills: every alert's `for:` shortened to seconds, so alerts fire at once.
    public var fast: Located<Bool>
    /// A redis_exporter beside every node and Sentinel of a Compose deployment.
    public var exporters: Located<Bool>
}

public struct TLSSettings: Sendable {
    public var enabled: Located<Bool>
    public var certFile: Located<String>?
    public var keyFile: Located<String>?
    public var caFile: Located<String>?
    /// `yes`, `no` or `optional`, as Redis's `tls-auth-clients`.
    public var authClients: Located<String>
    /// The certificate and key the application's clients present (never the servers' own).
    public var clientCertFile: Located<String>?
    public var clientKeyFile: Located<String>?
}

/// An application service to wire to Redis, and the environment variables that get the URL.
public struct ClientService: Sendable {
    public var service: Located<String>
    public var env: [Located<String>]
    /// The ACL user (one of `auth.users`) this service connects as; nil: the default user.
    public var user: Located<String>?
}
