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
