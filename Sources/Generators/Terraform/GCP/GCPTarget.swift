import Topology

/// `targets.terraform[]` with `provider: gcp`: GCP Memorystore (`google_redis_instance`),
/// BASIC for standalone, STANDARD_HA for sentinel.
struct GCPTarget: Sendable {
    var location: SourceLocation
    var region: Located<String>
    var memorySizeGB: Located<Int>
    var network: Located<String>
    var maintenanceDay: Located<String>
    /// Terraform refuses to destroy the instance (a literal in `lifecycle`).
    var preventDestroy: Located<Bool>

    static let keys = ["provider", "region", "memory_size_gb", "network", "maintenance_day", "prevent_destroy"]
}

extension GCPTarget {
    func refusal(of mode: RedisMode) -> String? {
        switch mode {
        case .standalone: nil  // tier BASIC
        case .sentinel: nil  // tier STANDARD_HA: Memorystore fails over by itself
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
            preventDestroy: entry.bool("prevent_destroy", default: true)
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
        if GCPTarget.versions[topology.redis.version.value] == nil {
            validator.error("Memorystore has no Redis \(topology.redis.version.value); use one of \(GCPTarget.versions.keys.sorted().joined(separator: ", "))", at: topology.redis.version.location)
        }
        let replicas = topology.redis.replicas.value
        switch topology.redis.mode.value {
        case .standalone where replicas != 0:
            validator.error("Memorystore BASIC (standalone) has no replicas; 'redis.replicas' must be 0", at: topology.redis.replicas.location)
        case .sentinel where !(1...5).contains(replicas):
            validator.error("Memorystore STANDARD_HA takes 1 to 5 replicas; 'redis.replicas' is \(replicas)", at: topology.redis.replicas.location)
        case .standalone, .sentinel:
            break
        }
        TerraformTarget.warnAboutDroppedKeys(topology, service: "Memorystore", directives: GCPTarget.redisConfigs, validator)
        if !topology.auth.users.isEmpty {
            validator.warning("ACL users are not generated for Memorystore; only AUTH applies there", at: location)
        }
    }
}
