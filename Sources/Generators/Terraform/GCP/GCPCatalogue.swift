import Topology

/// What Memorystore offers, as its documentation lists it.
extension GCPTarget {
    /// `redis.config` directives Memorystore accepts in `redis_configs`.
    static let redisConfigs: Set<String> = [
        "maxmemory-gb", "activedefrag", "lfu-decay-time", "lfu-log-factor", "notify-keyspace-events",
        "maxclients", "lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del",
    ]
    /// Memorystore's versions, by the topology's `redis.version`.
    static let versions = ["6.2": "REDIS_6_X", "7.0": "REDIS_7_0", "7.2": "REDIS_7_2"]
    static let days = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]

    /// Memorystore for Valkey's versions, by the topology's `redis.version` (no 8.1 there).
    static let valkeyVersions = ["7.2": "VALKEY_7_2", "8.0": "VALKEY_8_0", "9.0": "VALKEY_9_0"]
    static let valkeyNodeTypes = ["SHARED_CORE_NANO", "STANDARD_SMALL", "HIGHMEM_MEDIUM", "HIGHMEM_XLARGE"]
    /// `appendfsync` as Memorystore for Valkey spells it.
    static func valkeyFsync(_ appendfsync: String) -> String {
        switch appendfsync {
        case "always": "ALWAYS"
        case "no": "NEVER"
        default: "EVERY_SEC"
        }
    }
}

/// What both Memorystore modules write alike.
extension GCPTarget {
    /// `maxmemory-policy` and the topology's directives Memorystore accepts.
    static func redisConfigs(of topology: Topology) -> [(key: String, value: HCLExpression)] {
        [("maxmemory-policy", .string(topology.redis.maxmemoryPolicy.value))]
            + topology.redis.config.filter { redisConfigs.contains($0.directive.value) }.map { ($0.directive.value, .string($0.value.value)) }
    }

    /// AOF where the topology appends (fsync in the service's spelling), RDB at Memorystore's
    /// period where it only snapshots.
    static func persistenceBody(_ persistence: Persistence, fsync: (String) -> String) -> [HCLItem] {
        if persistence.appendonly.value {
            return [
                .attribute("mode", .string("AOF")),
                .block(HCLBlock("aof_config", body: [.attribute("append_fsync", .string(fsync(persistence.appendfsync.value)))])),
            ]
        }
        guard let period = snapshotPeriod(persistence) else { return [.attribute("mode", .string("DISABLED"))] }
        return [.attribute("mode", .string("RDB")), .block(HCLBlock("rdb_config", body: [.attribute("rdb_snapshot_period", .string(period))]))]
    }

    static func persistenceText(_ persistence: Persistence) -> String {
        if persistence.appendonly.value { return "AOF (fsync \(persistence.appendfsync.value))" }
        return snapshotPeriod(persistence).map { "RDB snapshots (\($0))" } ?? "no persistence"
    }

    /// The variables every Memorystore module takes alike; `thing` is "instance" or "cluster".
    static func projectVariable(_ thing: String) -> TerraformModule.Variable {
        .init(name: "project_id", type: "string", description: "Project the \(thing) is created in.",
              validations: [("can(regex(\"^[a-z][a-z0-9-]{4,28}[a-z0-9]$\", var.project_id))", "Give a GCP project id.")])
    }

    func regionVariable(_ thing: String) -> TerraformModule.Variable {
        .init(name: "region", type: "string", description: "Region of the \(thing).", defaultValue: .string(region.value))
    }

    /// The network a private-service-connect service makes its endpoints in, by id.
    static func connectNetworkVariable(_ thing: String, serviceClass: String) -> TerraformModule.Variable {
        .init(name: "network", type: "string",
              description: "VPC network id (projects/<project>/global/networks/<name>) the \(thing)'s private service connect endpoints are made in; it needs a service connection policy for \(serviceClass).",
              validations: [("can(regex(\"^projects/[^/]+/global/networks/[^/]+$\", var.network))", "Give a network id: projects/<project>/global/networks/<name>.")])
    }

    static let labelsVariable = TerraformModule.Variable(name: "labels", type: "map(string)", description: "Labels for the instance.", defaultValue: .object([]))

    /// The variable that takes a Cloud KMS key (CMEK).
    static func kmsVariable(_ name: String) -> TerraformModule.Variable {
        .init(name: name, type: "string", description: "Cloud KMS key encrypting the instance's data at rest (CMEK); Memorystore's service agent needs Encrypter/Decrypter on it.",
              validations: [("can(regex(\"^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$\", var.\(name)))", "Give a key as projects/P/locations/L/keyRings/R/cryptoKeys/K.")])
    }

    /// The weekly window, on the topology's day and hour (UTC).
    var maintenancePolicy: HCLItem {
        .block(HCLBlock("maintenance_policy", body: [
            .block(HCLBlock("weekly_maintenance_window", body: [
                .attribute("day", .string(maintenanceDay.value)),
                .block(HCLBlock("start_time", body: [
                    .attribute("hours", .number(Int64(maintenanceHour.value))),
                    .attribute("minutes", .number(0)),
                    .attribute("seconds", .number(0)),
                    .attribute("nanos", .number(0)),
                ])),
            ])),
        ]))
    }
}
