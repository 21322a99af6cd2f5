import Topology

/// The Redis and Sentinel config templates. They hold no secret and no `dir`: the start script
/// appends those at container start, so the same files boot anywhere the directories differ.
enum NodeConfigs {
    static func redis(_ node: DeploymentPlan.RedisNode, plan: DeploymentPlan, header: GeneratedHeader) -> GeneratedFile {
        let redis = plan.topology.redis
        var config = RedisConfigDocument()
        config.comment("Network")
        config.directive("bind", "0.0.0.0")
        listen(on: plan.redisPort, into: &config, plan: plan)
        protectedMode(into: &config, plan: plan)

        config.blank()
        config.comment("Persistence")
        let persistence = redis.persistence
        config.directive("appendonly", persistence.appendonly.value ? "yes" : "no")
        config.directive("appendfsync", persistence.appendfsync.value)
        let rules = persistence.save.flatMap { $0.value.split(separator: " ").map(String.init) }
        config.directive(["save"] + (rules.isEmpty ? [""] : rules))

        config.blank()
        config.comment("Memory")
        if let maxmemory = redis.maxmemory { config.directive("maxmemory", String(maxmemory.value)) }
        config.directive("maxmemory-policy", redis.maxmemoryPolicy.value)

        if plan.isHA {
            config.blank()
            config.comment("Replication: Sentinel moves `replicaof` on failover and rewrites it into the runtime copy.")
            if !node.isInitialMaster {
                config.directive("replicaof", plan.announced(plan.nodes[0]), String(plan.redisPort))
            }
            config.directive("replica-announce-ip", plan.announced(node))
            config.directive("replica-announce-port", String(plan.redisPort))
        }
        if let cluster = plan.topology.cluster, plan.isCluster {
            config.blank()
            config.comment("Cluster: the create job gives each node its role and slots; nodes.conf (in dir) keeps them.")
            config.directive("cluster-enabled", "yes")
            config.directive("cluster-config-file", "nodes.conf")
            config.directive("cluster-node-timeout", String(cluster.nodeTimeout.value.wholeMilliseconds))
            if let busPort = cluster.busPort { config.directive("cluster-port", String(busPort.value)) }
            config.directive("cluster-require-full-coverage", cluster.requireFullCoverage.value ? "yes" : "no")
            config.directive("cluster-allow-reads-when-down", cluster.allowReadsWhenDown.value ? "yes" : "no")
            if plan.announcesHostnames {
                config.comment("Clients are redirected (MOVED, ASK) by name: the certificate names services, not addresses.")
                config.directive("cluster-announce-hostname", node.service)
                config.directive("cluster-preferred-endpoint-type", "hostname")
            } else {
                config.directive("cluster-announce-ip", node.address)
                config.directive("cluster-preferred-endpoint-type", "ip")
            }
            if plan.tls != nil { config.directive("tls-cluster", "yes") }
        }
        if redis.minReplicasToWrite.value > 0 {
            config.directive("min-replicas-to-write", String(redis.minReplicasToWrite.value))
            config.directive("min-replicas-max-lag", String(redis.minReplicasMaxLag.value.components.seconds))
        }

        if !redis.disabledCommands.isEmpty {
            config.blank()
            config.comment("Commands the topology disables")
            for command in redis.disabledCommands { config.directive("rename-command", command.value.uppercased(), "") }
        }
        if !redis.config.isEmpty {
            config.blank()
            config.comment("From the topology's redis.config")
            for (directive, value) in redis.config { config.directive([directive.value] + value.value.split(separator: " ").map(String.init)) }
        }
        config.blank()
        config.comment("start.sh appends at start: dir, and from the secrets requirepass, masterauth, ACL users (the deployment's own among them)\(plan.tls == nil ? "" : " and the TLS files").")
        let purpose = switch plan.topology.redis.mode.value {
        case .standalone: "Redis of \(plan.name)."
        case .sentinel: "Redis node \(node.index) of \(plan.name) (\(node.isInitialMaster ? "master at first start" : "replica at first start"))."
        case .cluster: "Redis Cluster node \(node.index) of \(plan.name), one of \(plan.nodes.count) (its role and slots come from the create job)."
        }
        return GeneratedFile(path: "\(plan.folder)/\(node.configFile)", contents: config.render(header: header.lines(purpose: purpose)))
    }

    static func sentinel(plan: DeploymentPlan, header: GeneratedHeader) -> GeneratedFile {
        let sentinel = plan.topology.sentinel
        let quorum = sentinel?.quorum.value ?? 2
        var config = RedisConfigDocument()
        config.directive("bind", "0.0.0.0")
        listen(on: plan.sentinelPort, into: &config, plan: plan)
        protectedMode(into: &config, plan: plan)
        config.blank()
        if plan.announcesHostnames {
            config.comment("Host names, pinned to static addresses in every container's /etc/hosts, so that a")
            config.comment("stopped container's name still resolves. Both lines must precede `sentinel monitor`.")
            config.directive("sentinel", "resolve-hostnames", "yes")
            config.directive("sentinel", "announce-hostnames", "yes")
        } else {
            config.comment("Static addresses: nothing to resolve, so a stopped container changes nothing.")
        }
        config.directive("sentinel", "monitor", plan.masterName, plan.announced(plan.nodes[0]), String(plan.redisPort), String(quorum))
        let milliseconds = { (duration: Duration) in String(duration.wholeMilliseconds) }
        config.directive("sentinel", "down-after-milliseconds", plan.masterName, milliseconds(sentinel?.downAfter.value ?? .seconds(5)))
        config.directive("sentinel", "failover-timeout", plan.masterName, milliseconds(sentinel?.failoverTimeout.value ?? .seconds(60)))
        config.directive("sentinel", "parallel-syncs", plan.masterName, String(sentinel?.parallelSyncs.value ?? 1))
        config.blank()
        config.comment("start.sh copies this template to the Sentinel's volume at its first start (Sentinel owns")
        config.comment("that copy and rewrites it) and appends dir, requirepass, auth-\(plan.sentinelPassword == nil ? "" : "user, auth-")pass, sentinel-pass and ACL users.")
        let purpose = "Sentinel template of \(plan.name): \(plan.sentinels.count) Sentinels, quorum \(quorum)."
        return GeneratedFile(path: "\(plan.folder)/sentinel.conf", contents: config.render(header: header.lines(purpose: purpose)))
    }

    /// The port, plain or TLS-only. With TLS, replication and Sentinel's own links use it too;
    /// the certificate files themselves are appended by start.sh from the secrets.
    private static func listen(on port: Int, into config: inout RedisConfigDocument, plan: DeploymentPlan) {
        guard plan.tls != nil else {
            config.directive("port", String(port))
            return
        }
        config.directive("port", "0")
        config.directive("tls-port", String(port))
        config.directive("tls-auth-clients", plan.topology.tls.authClients.value)
        config.directive("tls-replication", "yes")
    }

    private static func protectedMode(into config: inout RedisConfigDocument, plan: DeploymentPlan) {
        if plan.password != nil {
            config.directive("protected-mode", "yes")
        } else {
            config.comment("Auth is off in the topology: protected mode would refuse the other containers.")
            config.directive("protected-mode", "no")
        }
    }
}
