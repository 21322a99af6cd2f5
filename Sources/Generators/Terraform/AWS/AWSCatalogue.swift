import Topology

/// What ElastiCache offers, as its documentation lists it.
extension AWSTarget {
    static let nodeTypes = [
        "cache.t4g.micro", "cache.t4g.small", "cache.t4g.medium", "cache.t3.micro", "cache.t3.small", "cache.t3.medium",
        "cache.m6g.large", "cache.m6g.xlarge", "cache.m6g.2xlarge", "cache.m6g.4xlarge",
        "cache.m7g.large", "cache.m7g.xlarge", "cache.m7g.2xlarge", "cache.m7g.4xlarge",
        "cache.r6g.large", "cache.r6g.xlarge", "cache.r6g.2xlarge", "cache.r6g.4xlarge",
        "cache.r7g.large", "cache.r7g.xlarge", "cache.r7g.2xlarge", "cache.r7g.4xlarge",
    ]
    /// `redis.config` directives ElastiCache accepts as parameters; others apply to Compose only.
    static let parameters: Set<String> = [
        "timeout", "tcp-keepalive", "maxmemory-samples", "notify-keyspace-events", "lazyfree-lazy-eviction",
        "lazyfree-lazy-expire", "lazyfree-lazy-server-del", "activedefrag", "slowlog-log-slower-than", "slowlog-max-len",
    ]
    /// The engine versions ElastiCache runs, by engine (Redis OSS, Valkey).
    static func engineVersions(_ engine: Engine) -> [String] {
        switch engine {
        case .redis: ["6.2", "7.0", "7.1"]
        case .valkey: ["7.2", "8.0", "8.1"]
        }
    }

    /// The parameter group family, from the engine version the caller chooses (HCL).
    static func parameterFamily(_ engine: Engine) -> String {
        switch engine {
        case .redis: "startswith(var.engine_version, \"6\") ? \"redis6.x\" : \"redis7\""
        case .valkey: "startswith(var.engine_version, \"7\") ? \"valkey7\" : \"valkey8\""
        }
    }
}
