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
}

/// What both Memorystore modules write alike.
extension GCPTarget {
    /// `maxmemory-policy` and the topology's directives Memorystore accepts.
    static func redisConfigs(of topology: Topology) -> [(key: String, value: HCLExpression)] {
        [("maxmemory-policy", .string(topology.redis.maxmemoryPolicy.value))]
            + topology.redis.config.filter { redisConfigs.contains($0.directive.value) }.map { ($0.directive.value, .string($0.value.value)) }
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
