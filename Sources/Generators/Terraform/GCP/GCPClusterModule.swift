import Topology

/// Memorystore for Redis Cluster (`google_redis_cluster`) for a cluster topology: shards and
/// replicas per shard, in-transit TLS, IAM authorization, private service connect endpoints in
/// the caller's network, persistence and maintenance from the topology.
enum GCPClusterModule {
    static func module(_ topology: Topology, _ gcp: GCPTarget, cluster: ClusterSettings, directory: String) -> TerraformModule {
        let name = topology.name.value
        let resource = "google_redis_cluster.this"
        let persistence = topology.redis.persistence
        let variables: [TerraformModule.Variable] = [
            .init(name: "name", type: "string", description: "Cluster id.", defaultValue: .string(name),
                  validations: [("can(regex(\"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$\", var.name))", "A cluster id is lower-case letters, digits or hyphens, starting with a letter and not ending with a hyphen.")]),
            GCPTarget.projectVariable("cluster"),
            gcp.regionVariable("cluster"),
            GCPTarget.connectNetworkVariable("cluster", serviceClass: "gcp-memorystore-redis"),
            .init(name: "shard_count", type: "number", description: "Shards, each a primary serving a share of the slots.", defaultValue: .number(Int64(cluster.shards.value)),
                  validations: [("var.shard_count >= 3 && var.shard_count <= 250 && floor(var.shard_count) == var.shard_count", "Give 3 to 250 shards (the topology's rule: a majority of at least 3 masters).")]),
            .init(name: "replica_count", type: "number", description: "Replicas of each shard's primary.", defaultValue: .number(Int64(cluster.replicasPerShard.value)),
                  validations: [("contains([0, 1, 2], var.replica_count)", "Memorystore for Redis Cluster takes 0, 1 or 2 replicas per shard.")]),
            .init(name: "node_type", type: "string", description: "Node type of every node.", defaultValue: .string(gcp.clusterNodeType.value),
                  validations: [("contains(\(HCLRenderer.inline(.list(GCPTarget.clusterNodeTypes.map { .string($0) }))), var.node_type)", "Give one of \(GCPTarget.clusterNodeTypes.joined(separator: ", ")).")]),
        ]
        let body: [HCLItem] = [
            .attribute("project", .raw("var.project_id")),
            .attribute("name", .raw("var.name")),
            .attribute("region", .raw("var.region")),
            .attribute("shard_count", .raw("var.shard_count")),
            .attribute("replica_count", .raw("var.replica_count")),
            .attribute("node_type", .raw("var.node_type")),
            .blank,
            // No password on Memorystore for Redis Cluster: IAM tokens (the topology's auth on), and TLS.
            .attribute("authorization_mode", .string(topology.auth.password == nil ? "AUTH_MODE_DISABLED" : "AUTH_MODE_IAM_AUTH")),
            .attribute("transit_encryption_mode", .string("TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION")),
            .attribute("deletion_protection_enabled", .bool(gcp.preventDestroy.value)),
            .blank,
            .block(HCLBlock("psc_configs", body: [.attribute("network", .raw("var.network"))])),
            .blank,
            .block(HCLBlock("zone_distribution_config", body: [.attribute("mode", .string("MULTI_ZONE"))])),
            .blank,
            .attribute("redis_configs", .object(GCPTarget.redisConfigs(of: topology))),
            .blank,
            .block(HCLBlock("persistence_config", body: GCPTarget.persistenceBody(persistence, fsync: { $0.uppercased() }))),
            .blank,
            gcp.maintenancePolicy,
            .blank,
            .block(HCLBlock("lifecycle", body: [.attribute("prevent_destroy", .bool(gcp.preventDestroy.value))])),
        ]
        let outputs: [TerraformModule.Output] = [
            .init(name: "discovery_address", description: "The discovery endpoint: any cluster client starts here.", value: "\(resource).discovery_endpoints[0].address"),
            .init(name: "discovery_port", description: "Its port (TLS).", value: "\(resource).discovery_endpoints[0].port"),
            .init(name: "redis_url", description: "URL for the redis-infra factory (REDIS_URL); the password is an IAM access token the application supplies (REDIS_PASSWORD_FILE).",
                  value: "\"rediss+cluster://${\(resource).discovery_endpoints[0].address}:${\(resource).discovery_endpoints[0].port}\""),
        ]
        let summary = [
            "Memorystore for Redis Cluster `\(name)`: \(cluster.shards.value) shards × \(1 + cluster.replicasPerShard.value) node(s) of `\(gcp.clusterNodeType.value)`, multi-zone,"
                + " in-transit TLS (server authentication), \(topology.auth.password == nil ? "no authorization" : "IAM authorization"), \(GCPTarget.persistenceText(persistence)),"
                + " maintenance on \(gcp.maintenanceDay.value) at \(gcp.maintenanceHour.value):00 UTC, endpoints by private service connect in `var.network`.",
            "With IAM authorization a client's password is a short-lived access token (`gcloud auth print-access-token`) of an account with roles/redis.dbConnectionUser: the application refreshes it (the factory reads REDIS_PASSWORD_FILE at each connect). The topology's password reference only turns authorization on.",
        ]
        return TerraformModule(
            directory: directory, title: "\(name) on GCP Memorystore for Redis Cluster", summary: summary,
            providers: [("google", "hashicorp/google", ">= 6.0, < 7.0")], variables: variables,
            main: [.blank, .block(HCLBlock("resource", "google_redis_cluster", "this", body: body))], outputs: outputs
        )
    }
}
