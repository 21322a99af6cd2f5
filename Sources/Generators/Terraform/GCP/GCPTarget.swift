import Topology

/// `targets.terraform[]` with `provider: gcp`: Memorystore for Redis (`google_redis_instance`,
/// BASIC for standalone, STANDARD_HA for sentinel; `google_redis_cluster` for cluster), or
/// Memorystore for Valkey (`google_memorystore_instance`) for `engine: valkey`.
struct GCPTarget: Sendable {
    var location: SourceLocation
    var region: Located<String>
    var memorySizeGB: Located<Int>
    var network: Located<String>
    var maintenanceDay: Located<String>
    /// The hour (UTC) the weekly maintenance window starts.
    var maintenanceHour: Located<Int>
    /// How the instance joins the VPC: `direct_peering` or `private_service_access` (a shared
    /// VPC's usual choice, with an allocated range).
    var connectMode: Located<String>
    /// The variable that takes a Cloud KMS key for encryption at rest (CMEK); nil: Google's key.
    var kmsKeyVariable: Located<String>?
    /// Memorystore for Redis Cluster's node type (cluster mode only).
    var clusterNodeType: Located<String>
    /// Memorystore for Valkey's node type (every shape).
    var valkeyNodeType: Located<String>
    /// Terraform refuses to destroy the instance (a literal in `lifecycle`).
    var preventDestroy: Located<Bool>
    /// The keys ops wrote, for the ones one service does not use.
    var writtenKeys: [Located<String>]

    static let keys = [
        "provider", "region", "memory_size_gb", "network", "maintenance_day", "maintenance_hour", "connect_mode",
        "kms_key_variable", "prevent_destroy", "cluster_node_type", "node_type",
    ]
    /// Keys that size or connect Memorystore for Redis only, and Memorystore for Valkey's own.
    static let redisOnlyKeys = ["memory_size_gb", "connect_mode", "cluster_node_type"]
    static let valkeyOnlyKeys = ["node_type"]
    static let clusterNodeTypes = ["REDIS_SHARED_CORE_NANO", "REDIS_STANDARD_SMALL", "REDIS_HIGHMEM_MEDIUM", "REDIS_HIGHMEM_XLARGE"]
    static let connectModes = ["direct_peering": "DIRECT_PEERING", "private_service_access": "PRIVATE_SERVICE_ACCESS"]
    /// Memorystore serves read replicas only from instances of this size up.
    static let smallestWithReadReplicas = 5
}

extension GCPTarget {
    func refusal(of mode: RedisMode) -> String? {
        switch mode {
        case .standalone: nil  // tier BASIC
        case .sentinel: nil  // tier STANDARD_HA: Memorystore fails over by itself
        case .cluster: nil  // Memorystore for Redis Cluster (google_redis_cluster)
        }
    }
}

extension GCPTarget {
    static func read(_ entry: MappingReader, at location: SourceLocation) -> GCPTarget {
        GCPTarget(
            location: location,
            region: entry.string("region", default: "")!,
            memorySizeGB: entry.int("memory_size_gb", default: 1, range: 1...300),
            network: entry.string("network", default: "default")!,
            maintenanceDay: entry.choice("maintenance_day", from: GCPTarget.days, default: "SUNDAY"),
            maintenanceHour: entry.int("maintenance_hour", default: 5, range: 0...23),
            connectMode: entry.choice("connect_mode", from: GCPTarget.connectModes.keys.sorted(), default: "direct_peering"),
            kmsKeyVariable: entry.string("kms_key_variable"),
            clusterNodeType: entry.choice("cluster_node_type", from: GCPTarget.clusterNodeTypes, default: "REDIS_HIGHMEM_MEDIUM"),
            valkeyNodeType: entry.choice("node_type", from: GCPTarget.valkeyNodeTypes, default: "HIGHMEM_MEDIUM"),
            preventDestroy: entry.bool("prevent_destroy", default: true),
            writtenKeys: entry.writtenKeys
        )
    }
}

extension GCPTarget {
    func check(_ topology: Topology, _ validator: TopologyValidator) {
        if region.value.isEmpty {
            validator.error("a gcp target needs a 'region', like europe-west1", at: location)
        } else if !region.value.allSatisfy({ ($0.isLowercase || $0.isNumber || $0 == "-") && $0.isASCII }) {
            validator.error("'region' '\(region.value)' is not a GCP region name", at: region.location)
        }
        if let kms = kmsKeyVariable, !TopologyValidator.isTerraformName(kms.value) {
            validator.error("'kms_key_variable' must be a Terraform variable name (letters, digits, '_' and '-', starting with a letter or '_'), not '\(kms.value)'", at: kms.location)
        }
        if topology.redis.engine.value == .valkey {
            checkValkey(topology, validator)
            return
        }
        for key in writtenKeys where GCPTarget.valkeyOnlyKeys.contains(key.value) {
            validator.error("'\(key.value)' is Memorystore for Valkey's node type; Memorystore for Redis is sized by 'memory_size_gb' (and 'cluster_node_type' for Redis Cluster)", at: key.location)
        }
        if GCPTarget.versions[topology.redis.version.value] == nil {
            validator.error("Memorystore has no Redis \(topology.redis.version.value); use one of \(GCPTarget.versions.keys.sorted().joined(separator: ", "))", at: topology.redis.version.location)
        }
        let replicas = topology.redis.replicas.value
        switch topology.redis.mode.value {
        case .standalone where replicas != 0:
            validator.error("Memorystore BASIC (standalone) has no replicas; 'redis.replicas' must be 0", at: topology.redis.replicas.location)
        case .sentinel where !(1...5).contains(replicas):
            validator.error("Memorystore STANDARD_HA takes 1 to 5 replicas; 'redis.replicas' is \(replicas)", at: topology.redis.replicas.location)
        case .sentinel where memorySizeGB.value < GCPTarget.smallestWithReadReplicas:
            validator.error("Memorystore serves read replicas only from instances of \(GCPTarget.smallestWithReadReplicas) GB or more; 'memory_size_gb' is \(memorySizeGB.value)", at: memorySizeGB.location)
        case .cluster where replicas > 2:
            validator.error("Memorystore for Redis Cluster takes 0 to 2 replicas per shard; 'cluster.replicas_per_shard' is \(replicas)", at: topology.redis.replicas.location)
        case .cluster where (topology.cluster?.shards.value ?? 0) > 250:
            validator.error("Memorystore for Redis Cluster takes at most 250 shards", at: topology.cluster!.shards.location)
        case .standalone, .sentinel, .cluster:
            break
        }
        TerraformTarget.warnAboutDroppedKeys(topology, service: "Memorystore", directives: GCPTarget.redisConfigs, validator)
        // Memorystore for Redis Cluster appends (AOF) where the topology does.
        let appends = topology.redis.mode.value == .cluster && topology.redis.persistence.appendonly.value
        if !appends { warnAboutPersistence(topology.redis.persistence, validator) }
        if topology.redis.mode.value == .cluster, let kms = kmsKeyVariable {
            validator.warning("'kms_key_variable' is not applied to Memorystore for Redis Cluster by this module: it uses Google's key", at: kms.location)
        }
        if !topology.auth.users.isEmpty {
            validator.warning("ACL users are not generated for Memorystore; only AUTH applies there", at: location)
        }
    }
}

extension GCPTarget {
    /// Memorystore for Valkey: one resource for every shape, its own versions and node types.
    func checkValkey(_ topology: Topology, _ validator: TopologyValidator) {
        let version = topology.redis.version
        if GCPTarget.valkeyVersions[version.value] == nil {
            validator.error("Memorystore for Valkey has no Valkey \(version.value): 'redis.version' must be one of \(GCPTarget.valkeyVersions.keys.sorted().joined(separator: ", ")) on GCP", at: version.location)
        }
        let replicas = topology.redis.replicas
        switch topology.redis.mode.value {
        case .sentinel where !(1...5).contains(replicas.value):
            validator.error("Memorystore for Valkey fails over to 1 to 5 replicas; 'redis.replicas' is \(replicas.value)", at: replicas.location)
        case .cluster where replicas.value > 5:
            validator.error("Memorystore for Valkey takes 0 to 5 replicas per shard; 'cluster.replicas_per_shard' is \(replicas.value)", at: replicas.location)
        case .cluster where (topology.cluster?.shards.value ?? 0) > 250:
            validator.error("Memorystore for Valkey takes at most 250 shards", at: topology.cluster!.shards.location)
        case .standalone, .sentinel, .cluster:
            break
        }
        for key in writtenKeys where GCPTarget.redisOnlyKeys.contains(key.value) {
            validator.warning("'\(key.value)' is not used by Memorystore for Valkey: it is sized by 'node_type' and reached by private service connect", at: key.location)
        }
        TerraformTarget.warnAboutDroppedKeys(topology, service: "Memorystore for Valkey", directives: GCPTarget.redisConfigs, validator)
        if !topology.auth.users.isEmpty {
            validator.warning("ACL users are not generated for Memorystore for Valkey; IAM authorization applies there", at: location)
        }
    }
}

extension GCPTarget {
    /// Memorystore for Redis keeps RDB snapshots at one of four periods, and no AOF.
    static let snapshotPeriods: [(seconds: Int64, name: String)] = [
        (3600, "ONE_HOUR"), (6 * 3600, "SIX_HOURS"), (12 * 3600, "TWELVE_HOURS"), (24 * 3600, "TWENTY_FOUR_HOURS"),
    ]

    /// The longest period that loses no more than the topology's most frequent `save` rule
    /// would; hourly at best. nil: persistence is off.
    static func snapshotPeriod(_ persistence: Persistence) -> String? {
        guard !persistence.isOff else { return nil }
        guard let interval = persistence.shortestSaveSeconds else { return snapshotPeriods[0].name }  // AOF only: as often as it can
        return snapshotPeriods.last { $0.seconds <= interval }?.name ?? snapshotPeriods[0].name
    }

    /// Warned only where ops wrote `redis.persistence`: the defaults ask for nothing particular.
    func warnAboutPersistence(_ persistence: Persistence, _ validator: TopologyValidator) {
        guard persistence.section != nil, !persistence.isOff else { return }
        let period = GCPTarget.snapshotPeriod(persistence) ?? ""
        if persistence.appendonly.value {
            validator.warning("'redis.persistence.appendonly' is not applied on Memorystore: it keeps RDB snapshots only (\(period)), no AOF", at: persistence.appendonly.location)
        }
        if let interval = persistence.shortestSaveSeconds, interval < GCPTarget.snapshotPeriods[0].seconds, let rule = persistence.save.first {
            validator.warning("'redis.persistence.save' snapshots every \(interval) s, but Memorystore snapshots at most hourly (ONE_HOUR)", at: rule.location)
        }
    }
}
