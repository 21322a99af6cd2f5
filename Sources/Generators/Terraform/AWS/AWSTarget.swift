import Topology

/// `targets.terraform[]` with `provider: aws`: AWS ElastiCache (`aws_elasticache_replication_group`).
/// Inputs the module cannot know are Terraform variables named here.
struct AWSTarget: Sendable {
    var location: SourceLocation
    var nodeType: Located<String>
    /// As written; else the topology's `redis.version` (``engineVersion(of:)``).
    var writtenEngineVersion: Located<String>?
    var subnetIDsVariable: Located<String>
    var securityGroupIDsVariable: Located<String>
    var multiAZ: Located<Bool>
    var automaticFailover: Located<Bool>
    var transitEncryption: Located<Bool>
    var atRestEncryption: Located<Bool>
    var kmsKeyVariable: Located<String>?
    var snapshotRetention: Located<Int>
    var snapshotWindow: Located<String>
    var maintenanceWindow: Located<String>
    var alarmTopicVariable: Located<String>?
    /// Terraform refuses to destroy the replication group (a literal in `lifecycle`: Terraform
    /// takes no variable there).
    var preventDestroy: Located<Bool>
    /// Where the auth token comes from (the topology's `auth.password` turns AUTH on).
    var authTokenSource: Located<AuthTokenSource>

    /// A variable is planned everywhere; Secrets Manager is what a platform team audits and rotates.
    enum AuthTokenSource: String, CaseIterable, Sendable {
        /// A sensitive variable the caller passes.
        case variable
        /// Read from an existing Secrets Manager secret whose ARN the caller passes.
        case secretsManager = "secrets_manager"
        /// Generated (`random_password`) and stored in a new Secrets Manager secret.
        case generated
    }

    static let keys = [
        "provider", "node_type", "engine_version", "subnet_ids_variable", "security_group_ids_variable",
        "multi_az", "automatic_failover", "transit_encryption", "at_rest_encryption", "kms_key_variable",
        "snapshot_retention", "snapshot_window", "maintenance_window", "alarm_topic_variable", "prevent_destroy",
        "auth_token_source",
    ]
}

extension AWSTarget {
    func refusal(of mode: RedisMode) -> String? {
        switch mode {
        case .standalone: nil  // one replication group; its nodes are 1 + redis.replicas
        case .sentinel: nil  // the same, where ElastiCache's automatic failover stands in for Sentinel
        case .cluster: nil  // cluster mode enabled: node groups (shards), each a primary and its replicas
        }
    }
}

extension AWSTarget {
    static func read(_ entry: MappingReader, at location: SourceLocation) -> AWSTarget {
        AWSTarget(
            location: location,
            nodeType: entry.string("node_type", default: "cache.t4g.small")!,
            writtenEngineVersion: entry.string("engine_version"),
            subnetIDsVariable: entry.string("subnet_ids_variable", default: "subnet_ids")!,
            securityGroupIDsVariable: entry.string("security_group_ids_variable", default: "allowed_security_group_ids")!,
            multiAZ: entry.bool("multi_az", default: false),
            automaticFailover: entry.bool("automatic_failover", default: false),
            transitEncryption: entry.bool("transit_encryption", default: true),
            atRestEncryption: entry.bool("at_rest_encryption", default: true),
            kmsKeyVariable: entry.string("kms_key_variable"),
            snapshotRetention: entry.int("snapshot_retention", default: 7, range: 0...35),
            snapshotWindow: entry.string("snapshot_window", default: "03:00-04:00")!,
            maintenanceWindow: entry.string("maintenance_window", default: "sun:05:00-sun:06:00")!,
            alarmTopicVariable: entry.string("alarm_topic_variable"),
            preventDestroy: entry.bool("prevent_destroy", default: true),
            authTokenSource: entry.choice("auth_token_source", from: AuthTokenSource.allCases.map(\.rawValue), default: "variable")
                .map { AuthTokenSource(rawValue: $0) ?? .variable }
        )
    }
}

extension AWSTarget {
    /// The engine version the module defaults to: `engine_version` when written, else the
    /// topology's own version.
    func engineVersion(of topology: Topology) -> Located<String> {
        writtenEngineVersion ?? topology.redis.version
    }

    /// What the AWS provider enforces at plan time, checked before Terraform ever runs.
    func check(_ topology: Topology, _ validator: TopologyValidator) {
        // Its variable names land in .tf files: each must be a Terraform name, never code.
        let variables = [
            ("subnet_ids_variable", subnetIDsVariable), ("security_group_ids_variable", securityGroupIDsVariable),
        ] + [("kms_key_variable", kmsKeyVariable), ("alarm_topic_variable", alarmTopicVariable)].compactMap { key, value in value.map { (key, $0) } }
        for (key, variable) in variables where !TopologyValidator.isTerraformName(variable.value) {
            validator.error("'\(key)' must be a Terraform variable name (letters, digits, '_' and '-', starting with a letter or '_'), not '\(variable.value)'", at: variable.location)
        }
        let nodes = 1 + topology.redis.replicas.value
        if !AWSTarget.nodeTypes.contains(nodeType.value) {
            let suggestion = closest(nodeType.value, in: AWSTarget.nodeTypes).map { "; did you mean '\($0)'?" } ?? ""
            validator.error("'node_type' '\(nodeType.value)' is not a known ElastiCache node type\(suggestion)", at: nodeType.location)
        }
        let engine = topology.redis.engine.value
        let versions = AWSTarget.engineVersions(engine)
        let version = engineVersion(of: topology)
        if !versions.contains(version.value) {
            let key = writtenEngineVersion == nil ? "redis.version" : "engine_version"
            validator.error("ElastiCache has no \(engine.label) \(version.value): '\(key)' must be one of \(versions.joined(separator: ", ")) on ElastiCache", at: version.location)
        }
        if topology.redis.replicas.value > 5 {
            validator.error("ElastiCache allows at most 5 replicas (6 nodes); 'redis.replicas' is \(topology.redis.replicas.value)", at: topology.redis.replicas.location)
        }
        if topology.auth.password != nil && !transitEncryption.value {
            validator.error("ElastiCache takes an auth token only with transit encryption: set 'transit_encryption: true' or turn auth off", at: transitEncryption.location)
        }
        if topology.redis.mode.value == .cluster {
            if !automaticFailover.value {
                validator.error("ElastiCache runs cluster mode only with automatic failover: set 'automatic_failover: true'", at: automaticFailover.location)
            }
            if let cluster = topology.cluster {
                if cluster.shards.value > 500 {
                    validator.error("ElastiCache takes at most 500 shards; 'cluster.shards' is \(cluster.shards.value)", at: cluster.shards.location)
                }
                // ElastiCache detects failures and names its nodes itself: what differs from
                // Redis's defaults here is said, not dropped in silence.
                let dropped: [(String, SourceLocation)] = [
                    cluster.nodeTimeout.value != .seconds(5) ? ("cluster.node_timeout", cluster.nodeTimeout.location) : nil,
                    !cluster.requireFullCoverage.value ? ("cluster.require_full_coverage", cluster.requireFullCoverage.location) : nil,
                    cluster.allowReadsWhenDown.value ? ("cluster.allow_reads_when_down", cluster.allowReadsWhenDown.location) : nil,
                    cluster.busPort.map { ("cluster.bus_port", $0.location) },
                ].compactMap { $0 }
                for (key, location) in dropped {
                    validator.warning("'\(key)' is not applied on ElastiCache: the service sets it for its cluster mode", at: location)
                }
            }
        } else if automaticFailover.value && nodes < 2 {
            validator.error("automatic failover needs at least 2 nodes; set 'redis.replicas' to 1 or more", at: automaticFailover.location)
        }
        if multiAZ.value && !automaticFailover.value {
            validator.error("'multi_az' needs 'automatic_failover: true'", at: multiAZ.location)
        }
        if let kms = kmsKeyVariable, !atRestEncryption.value {
            validator.error("'kms_key_variable' needs 'at_rest_encryption: true'", at: kms.location)
        }
        TerraformTarget.warnAboutDroppedKeys(topology, service: "ElastiCache", directives: AWSTarget.parameters, validator)
        checkRBACUsers(topology, validator)
        checkAuthTokenSource(topology, validator)
        checkPersistence(topology.redis.persistence, validator)
        if !Self.isTimeRange(snapshotWindow.value) {
            validator.error("'snapshot_window' must be hh:mm-hh:mm in UTC, like 03:00-04:00", at: snapshotWindow.location)
        }
        if !Self.isWeeklyRange(maintenanceWindow.value) {
            validator.error("'maintenance_window' must be ddd:hh:mm-ddd:hh:mm, like sun:05:00-sun:06:00", at: maintenanceWindow.location)
        }
    }

    static func isTimeRange(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        return parts.count == 2 && parts.allSatisfy { isClock($0) }
    }

    static func isWeeklyRange(_ text: String) -> Bool {
        let days: Set<Substring> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        let parts = text.split(separator: "-")
        return parts.count == 2 && parts.allSatisfy { part in
            let pieces = part.split(separator: ":", maxSplits: 1)
            return pieces.count == 2 && days.contains(pieces[0]) && isClock(pieces[1])
        }
    }

    private static func isClock(_ text: Substring) -> Bool {
        let pieces = text.split(separator: ":")
        guard pieces.count == 2, pieces.allSatisfy({ $0.count == 2 }), let hour = Int(pieces[0]), let minute = Int(pieces[1]) else { return false }
        return (0...23).contains(hour) && (0...59).contains(minute)
    }
}

extension AWSTarget {
    /// ACL users become ElastiCache RBAC users: their passwords must reach Terraform as
    /// variables, and their ids (`<name>-<user>`) must fit ElastiCache's 40 characters and stay
    /// unique once other characters become hyphens.
    func checkRBACUsers(_ topology: Topology, _ validator: TopologyValidator) {
        guard !topology.auth.users.isEmpty else { return }
        guard topology.auth.password != nil else {
            validator.warning("ACL users are not generated for ElastiCache while auth is off", at: location)
            return
        }
        var ids: [String: String] = [:]
        for user in topology.auth.users {
            if case .terraformVariable = user.password.value {} else {
                validator.error("on ElastiCache the password of ACL user '\(user.name.value)' reaches Terraform as a variable: use {terraform_variable: <name>}", at: user.password.location)
            }
            let id = AWSModuleParts.userID(topology.name.value, user.name.value)
            if id.count > 40 {
                validator.error("ElastiCache user id '\(id)' (the topology's name and the user's) is longer than 40 characters; shorten the user's name", at: user.name.location)
            } else if let other = ids[id] {
                validator.error("ACL users '\(other)' and '\(user.name.value)' would both be ElastiCache user '\(id)'", at: user.name.location)
            }
            ids[id] = ids[id] ?? user.name.value
        }
    }
}

extension AWSTarget {
    func checkAuthTokenSource(_ topology: Topology, _ validator: TopologyValidator) {
        guard authTokenSource.value != .variable else { return }
        if topology.auth.password == nil || !transitEncryption.value {
            validator.error("'auth_token_source: \(authTokenSource.value.rawValue)' needs an auth token: auth on and 'transit_encryption: true'", at: authTokenSource.location)
        } else if !topology.auth.users.isEmpty {
            validator.error("'auth_token_source: \(authTokenSource.value.rawValue)' applies to the auth token, and ACL users make it ElastiCache RBAC (no auth token): their passwords are variables", at: authTokenSource.location)
        }
    }

    /// ElastiCache keeps data by replicas and daily snapshots, never by AOF or `save` rules:
    /// said where ops wrote `redis.persistence`, and where the snapshots are turned off.
    func checkPersistence(_ persistence: Persistence, _ validator: TopologyValidator) {
        if let section = persistence.section, !persistence.isOff {
            validator.warning("'redis.persistence' is not applied on ElastiCache: it keeps data by replicas and daily snapshots ('snapshot_retention', 'snapshot_window'), not by AOF or save rules", at: section)
        }
        if snapshotRetention.value == 0 && !persistence.isOff {
            validator.warning("'snapshot_retention: 0' keeps no snapshots on ElastiCache: a lost group loses its data, although the topology persists it", at: snapshotRetention.location)
        }
    }
}
