import Topology

/// Memorystore for Valkey (`google_memorystore_instance`): one resource for every shape —
/// cluster mode disabled with replicas on one shard for standalone and Sentinel topologies
/// (Memorystore fails over by itself), cluster mode with the topology's shards for Cluster.
/// In-transit TLS always, IAM authorization where the topology turns auth on, endpoints by
/// private service connect in the caller's network.
enum GCPValkeyModule {
    static func module(_ topology: Topology, _ gcp: GCPTarget, directory: String) -> TerraformModule {
        let name = topology.name.value
        let cluster = topology.redis.mode.value == .cluster ? topology.cluster : nil
        let shards = cluster?.shards.value ?? 1
        let replicas = cluster?.replicasPerShard.value ?? topology.redis.replicas.value
        let resource = "google_memorystore_instance.this"
        let persistence = topology.redis.persistence
        var variables: [TerraformModule.Variable] = [
            .init(name: "name", type: "string", description: "Instance id.", defaultValue: .string(name),
                  validations: [("can(regex(\"^[a-z0-9]([a-z0-9-]{2,61}[a-z0-9])$\", var.name))", "An instance id is 4 to 63 lower-case letters, digits or hyphens, not ending with a hyphen.")]),
            GCPTarget.projectVariable("instance"),
            gcp.regionVariable("instance"),
            GCPTarget.connectNetworkVariable("instance", serviceClass: "gcp-memorystore"),
        ]
        if cluster != nil {
            variables.append(.init(name: "shard_count", type: "number", description: "Shards, each a primary serving a share of the slots.", defaultValue: .number(Int64(shards)),
                                   validations: [("var.shard_count >= 3 && var.shard_count <= 250 && floor(var.shard_count) == var.shard_count", "Give 3 to 250 shards (the topology's rule: a majority of at least 3 masters).")]))
        }
        variables += [
            .init(name: "replica_count", type: "number", description: cluster == nil ? "Replicas of the primary (reads and failover)." : "Replicas of each shard's primary.",
                  defaultValue: .number(Int64(replicas)),
                  validations: [("var.replica_count >= \(cluster == nil && topology.redis.mode.value == .sentinel ? 1 : 0) && var.replica_count <= 5 && floor(var.replica_count) == var.replica_count",
                                 "Memorystore for Valkey takes 0 to 5 replicas per shard\(topology.redis.mode.value == .sentinel ? " (1 or more for failover)" : "").")]),
            .init(name: "node_type", type: "string", description: "Node type of every node.", defaultValue: .string(gcp.valkeyNodeType.value),
                  validations: [("contains(\(HCLRenderer.inline(.list(GCPTarget.valkeyNodeTypes.map { .string($0) }))), var.node_type)", "Give one of \(GCPTarget.valkeyNodeTypes.joined(separator: ", ")).")]),
            GCPTarget.labelsVariable,
        ]
        if let kms = gcp.kmsKeyVariable {
            variables.append(GCPTarget.kmsVariable(kms.value))
        }
        var body: [HCLItem] = [
            .attribute("project", .raw("var.project_id")),
            .attribute("instance_id", .raw("var.name")),
            .attribute("location", .raw("var.region")),
            .attribute("mode", .string(cluster == nil ? "CLUSTER_DISABLED" : "CLUSTER")),
            .attribute("engine_version", .string(GCPTarget.valkeyVersions[topology.redis.version.value] ?? "")),
            .attribute("shard_count", cluster == nil ? .number(1) : .raw("var.shard_count")),
            .attribute("replica_count", .raw("var.replica_count")),
            .attribute("node_type", .raw("var.node_type")),
            .blank,
            // No password on Memorystore for Valkey: IAM tokens where the topology asks for auth, and TLS.
            .attribute("authorization_mode", .string(topology.auth.password == nil ? "AUTH_DISABLED" : "IAM_AUTH")),
            .attribute("transit_encryption_mode", .string("SERVER_AUTHENTICATION")),
            .attribute("deletion_protection_enabled", .bool(gcp.preventDestroy.value)),
        ]
        if let kms = gcp.kmsKeyVariable { body.append(.attribute("kms_key", .raw("var.\(kms.value)"))) }
        body += [
            .blank,
            .block(HCLBlock("desired_auto_created_endpoints", body: [
                .attribute("network", .raw("var.network")),
                .attribute("project_id", .raw("var.project_id")),
            ])),
            .blank,
            .block(HCLBlock("zone_distribution_config", body: [.attribute("mode", .string("MULTI_ZONE"))])),
            .blank,
            .attribute("engine_configs", .object(GCPTarget.redisConfigs(of: topology))),
            .blank,
            .block(HCLBlock("persistence_config", body: GCPTarget.persistenceBody(persistence, fsync: GCPTarget.valkeyFsync))),
            .blank,
            gcp.maintenancePolicy,
            .blank,
            .attribute("labels", .raw("var.labels")),
            .blank,
            .block(HCLBlock("lifecycle", body: [.attribute("prevent_destroy", .bool(gcp.preventDestroy.value))])),
        ]
        // Each endpoint is a private service connect connection of a type; the outputs pick by type.
        let connection = { (type: String) in
            "[for c in \(resource).endpoints[0].connections : c.psc_auto_connection[0] if c.psc_auto_connection[0].connection_type == \"CONNECTION_TYPE_\(type)\"][0]"
        }
        let scheme = cluster == nil ? "rediss" : "rediss+cluster"
        let entry = cluster == nil ? "primary" : "discovery"
        var locals: [HCLItem] = [.attribute(entry, .raw(connection(cluster == nil ? "PRIMARY" : "DISCOVERY")))]
        if cluster == nil, replicas > 0 { locals.append(.attribute("reader", .raw(connection("READER")))) }
        var outputs: [TerraformModule.Output] = [
            .init(name: "host", description: cluster == nil ? "Address of the primary endpoint." : "Address of the discovery endpoint: any cluster client starts here.", value: "local.\(entry).ip_address"),
            .init(name: "port", description: "Its port (TLS).", value: "local.\(entry).port"),
        ]
        if cluster == nil, replicas > 0 {
            outputs += [
                .init(name: "read_endpoint", description: "Address of the reader endpoint that spreads reads over the replicas.", value: "local.reader.ip_address"),
                .init(name: "read_endpoint_port", description: "Port of the reader endpoint (TLS).", value: "local.reader.port"),
            ]
        }
        outputs += [
            // Every CA chain, so a CA rotation does not break clients holding the old one.
            .init(name: "server_ca_bundle", description: "Every CA certificate that may sign the servers' TLS certificates, as one PEM bundle (the clients' CA file).",
                  value: "join(\"\", flatten([for ca in \(resource).managed_server_ca[0].ca_certs : ca.certificates]))"),
            .init(name: "redis_url", description: "URL for the redis-infra factory (REDIS_URL); with IAM authorization the password is an access token the application supplies (REDIS_PASSWORD_FILE).",
                  value: "\"\(scheme)://${local.\(entry).ip_address}:${local.\(entry).port}\""),
        ]
        let shape = cluster == nil
            ? "cluster mode disabled, a primary and \(replicas) replica(s)\(replicas > 0 ? " (Memorystore fails over by itself)" : "")"
            : "cluster mode, \(shards) shards × \(1 + replicas) node(s)"
        let summary = [
            "Memorystore for Valkey `\(name)`: Valkey \(topology.redis.version.value), \(shape) of `\(gcp.valkeyNodeType.value)`, multi-zone,"
                + " in-transit TLS (server authentication), \(topology.auth.password == nil ? "no authorization" : "IAM authorization"), \(GCPTarget.persistenceText(persistence)),"
                + " \(gcp.kmsKeyVariable == nil ? "Google-managed key at rest" : "a customer-managed key at rest (CMEK)"),"
                + " maintenance on \(gcp.maintenanceDay.value) at \(gcp.maintenanceHour.value):00 UTC, endpoints by private service connect in `var.network`.",
            "With IAM authorization a client's password is a short-lived access token (`gcloud auth print-access-token`) of an account with roles/memorystore.dbConnectionUser: the application refreshes it (the factory reads REDIS_PASSWORD_FILE at each connect). The topology's password reference only turns authorization on.",
        ]
        return TerraformModule(
            directory: directory, title: "\(name) on GCP Memorystore for Valkey", summary: summary,
            providers: [("google", "hashicorp/google", ">= 7.0, < 8.0")], variables: variables,
            main: [.blank, .block(HCLBlock("resource", "google_memorystore_instance", "this", body: body)), .blank, .block(HCLBlock("locals", body: locals))],
            outputs: outputs
        )
    }
}
