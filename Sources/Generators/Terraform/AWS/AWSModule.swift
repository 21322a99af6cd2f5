import Topology

/// ElastiCache (Redis OSS) for a topology: one replication group for both shapes (a single
/// node standalone; primary + replicas with automatic failover in HA), its parameter group,
/// subnet group, security group, slow log, and alarms.
enum AWSModule {
    static func module(_ topology: Topology, _ aws: AWSTarget, directory: String) -> TerraformModule {
        let parts = AWSModuleParts(topology: topology, aws: aws)
        return TerraformModule(
            directory: directory, title: "\(parts.name) on AWS ElastiCache", summary: parts.summary(),
            providers: parts.providers(), variables: parts.variables(), main: parts.main(), outputs: parts.outputs(),
            usage: parts.usage(source: "./\(directory)"), usageNotPlannedBecause: parts.usageNotPlannedBecause
        )
    }


    /// One ingress rule per allowed source, on the Redis port only. Keyed by position, not by
    /// value: a caller that creates its security group in the same apply passes an id that is
    /// unknown at plan time, and an unknown value cannot key a `for_each`.
    fileprivate static func ingressRule(_ name: String, over list: String, describing source: String, attribute: String, port: Int) -> HCLItem {
        .block(HCLBlock("resource", "aws_vpc_security_group_ingress_rule", name, body: [
            .attribute("for_each", .raw("{ for index, value in \(list) : index => value }")),
            .blank,
            .attribute("security_group_id", .raw("aws_security_group.this.id")),
            .attribute("description", .string("Redis from \(source)")),
            .attribute("ip_protocol", .string("tcp")),
            .attribute("from_port", .number(Int64(port))),
            .attribute("to_port", .number(Int64(port))),
            .attribute(attribute, .raw("each.value")),
        ]))
    }

    /// The topology's Redis settings that ElastiCache takes as parameters.
    fileprivate static func parameterValues(_ topology: Topology) -> [(String, String)] {
        var values = [("maxmemory-policy", topology.redis.maxmemoryPolicy.value)]
        // A custom group for cluster mode must say so itself (the default.*.cluster.on groups do).
        if topology.redis.mode.value == .cluster { values.append(("cluster-enabled", "yes")) }
        for (directive, value) in topology.redis.config where AWSTarget.parameters.contains(directive.value) {
            values.append((directive.value, value.value))
        }
        return values
    }
}

/// What the module's parts share, decided once; each part is one method.
struct AWSModuleParts {
    let topology: Topology
    let aws: AWSTarget
    let name: String
    var engine: Engine { topology.redis.engine.value }
    /// Nodes per shard in cluster mode, in the group otherwise: the primary and its replicas.
    let nodes: Int
    /// Cluster mode enabled: the topology's shards (`num_node_groups`); nil for one shard.
    let shards: Int?
    let port: Int
    let group = "aws_elasticache_replication_group.this"
    let authVariable: String?
    let usesAuth: Bool
    /// The topology's ACL users, each with its password variable: ElastiCache RBAC (a user
    /// group with its `default` user), which excludes the auth token.
    let rbacUsers: [(user: ACLUser, variable: String)]
    var usesRBAC: Bool { !rbacUsers.isEmpty }
    /// Where the auth token comes from, when there is one (RBAC has none).
    var tokenSource: AWSTarget.AuthTokenSource? { usesAuth && !usesRBAC ? aws.authTokenSource.value : nil }

    init(topology: Topology, aws: AWSTarget) {
        self.topology = topology
        self.aws = aws
        name = topology.name.value
        nodes = 1 + topology.redis.replicas.value
        shards = topology.redis.mode.value == .cluster ? topology.cluster?.shards.value : nil
        port = topology.redis.port.value
        authVariable = topology.auth.password.map { reference in
            if case .terraformVariable(let variable) = reference.value { return variable }
            return "auth_token"
        }
        usesAuth = authVariable != nil && aws.transitEncryption.value
        rbacUsers = usesAuth ? topology.auth.users.compactMap { user in
            guard case .terraformVariable(let variable) = user.password.value else { return nil }
            return (user, variable)
        } : []
    }

    /// ElastiCache user ids are `<name>-<user>`: letters, digits and hyphens, unique in the account.
    static func userID(_ topology: String, _ user: String) -> String { "\(topology)-\(userSuffix(user))" }

    static func userSuffix(_ user: String) -> String {
        user.map { $0.isLetter || $0.isNumber ? $0 : "-" }.reduce(into: "") { $0.append($1) }
    }

    /// A string that starts with the caller's `name`: every resource the module names.
    static func named(_ rest: String) -> HCLExpression { .raw("\"${var.name}\(rest)\"") }

    /// The token as the module's resources read it.
    var token: String? {
        switch tokenSource {
        case .variable: "var.\(authVariable!)"
        case .secretsManager: "data.aws_secretsmanager_secret_version.auth_token.secret_string"
        case .generated: "random_password.auth_token.result"
        case nil: nil
        }
    }

    /// `>= 5.30`: `auth_token_update_strategy`. Planned here with 5.100, the only one on disk;
    /// 6.x is admitted so teams on it can adopt the module (docs/terraform.md says what is untested).
    func providers() -> [(name: String, source: String, version: String)] {
        // Valkey came to the replication group and its users in provider 5.73.
        [("aws", "hashicorp/aws", engine == .valkey ? ">= 5.73, < 7.0" : ">= 5.30, < 7.0")] + (tokenSource == .generated ? [("random", "hashicorp/random", ">= 3.5, < 4.0")] : [])
    }

    var usageNotPlannedBecause: String? {
        switch tokenSource {
        case .secretsManager: "the module reads the token from Secrets Manager while planning"
        case .generated: "it needs the hashicorp/random provider, and only the AWS provider is on the test machine"
        case .variable, nil: nil
        }
    }

    /// ElastiCache's rule for an auth token and a user's password alike.
    private enum PasswordRule {
        static func condition(_ variable: String) -> String { "can(regex(\"^[!#-.0-?A-~]{16,128}$\", var.\(variable)))" }
        static let message = "must be 16 to 128 printable ASCII characters without space, \", / or @."
    }

    func variables() -> [TerraformModule.Variable] {
        var variables: [TerraformModule.Variable] = [
            .init(name: "name", type: "string", description: "Replication group id; every resource the module creates is named after it.",
                  defaultValue: .string(name), validations: nameValidations()),
            .init(name: "vpc_id", type: "string", description: "VPC the security group is created in.",
                  validations: [("startswith(var.vpc_id, \"vpc-\")", "vpc_id must be a VPC id (vpc-...).")]),
            .init(name: aws.subnetIDsVariable.value, type: "list(string)",
                  description: "Private subnets for the cache nodes\(aws.multiAZ.value ? ", in at least two availability zones" : "").",
                  validations: [
                      ("length(var.\(aws.subnetIDsVariable.value)) >= \(aws.multiAZ.value ? 2 : 1)", "Give at least \(aws.multiAZ.value ? 2 : 1) subnet id(s)."),
                      ("alltrue([for id in var.\(aws.subnetIDsVariable.value) : startswith(id, \"subnet-\")])", "Subnet ids start with subnet-."),
                  ]),
            .init(name: aws.securityGroupIDsVariable.value, type: "list(string)", description: "Security groups whose members may connect on the Redis port.",
                  validations: [("alltrue([for id in var.\(aws.securityGroupIDsVariable.value) : startswith(id, \"sg-\")])", "Security group ids start with sg-.")]),
            .init(name: "allowed_cidr_blocks", type: "list(string)", description: "CIDR blocks that may connect on the Redis port, besides the security groups.",
                  defaultValue: .list([]),
                  validations: [
                      ("alltrue([for block in var.allowed_cidr_blocks : can(cidrhost(block, 0))])", "Each entry must be a CIDR block like 10.0.0.0/16."),
                      // A cache open to every address is a breach waiting for a scanner.
                      ("alltrue([for block in var.allowed_cidr_blocks : !endswith(block, \"/0\")])", "A /0 block (0.0.0.0/0) opens Redis to every address; name the networks that need it."),
                  ]),
        ]
        if usesRBAC, let authVariable {
            variables.append(.init(
                name: authVariable, type: "string", description: "Password of the ElastiCache `default` user (16-128 printable characters, no space, \", / or @).",
                sensitive: true, validations: [(PasswordRule.condition(authVariable), "The default user's password \(PasswordRule.message)")]
            ))
            for (user, variable) in rbacUsers {
                variables.append(.init(
                    name: variable, type: "string", description: "Password of the ElastiCache user `\(user.name.value)` (16-128 printable characters, no space, \", / or @).",
                    sensitive: true, validations: [(PasswordRule.condition(variable), "The password of \(user.name.value) \(PasswordRule.message)")]
                ))
            }
        } else if let tokenSource, let authVariable {
            switch tokenSource {
            case .variable:
                variables.append(.init(
                    name: authVariable, type: "string", description: "AUTH token clients must present (16-128 printable characters, no space, \", / or @).",
                    sensitive: true,
                    validations: [(PasswordRule.condition(authVariable), "The auth token \(PasswordRule.message)")]
                ))
            case .secretsManager:
                variables.append(.init(
                    name: "auth_token_secret_arn", type: "string",
                    description: "ARN of the Secrets Manager secret whose string is the AUTH token (16-128 printable characters, no space, \", / or @).",
                    validations: [("startswith(var.auth_token_secret_arn, \"arn:aws:secretsmanager:\")", "Give a Secrets Manager secret ARN (arn:aws:secretsmanager:...).")]
                ))
            case .generated:
                break
            }
            // A rotation is two applies: ROTATE with the new token (both are accepted), then SET
            // once every client has it (only the new one is).
            variables.append(.init(
                name: "auth_token_update_strategy", type: "string",
                description: "How a changed token applies: ROTATE (old and new both accepted), then SET (only the new one) once every client has it.",
                defaultValue: .string("ROTATE"),
                validations: [("contains([\"ROTATE\", \"SET\"], var.auth_token_update_strategy)", "auth_token_update_strategy is ROTATE or SET.")]
            ))
        }
        if let kms = aws.kmsKeyVariable {
            variables.append(.init(name: kms.value, type: "string", description: "KMS key ARN for encryption at rest and for the slow-log group.",
                                   validations: [("startswith(var.\(kms.value), \"arn:aws:kms:\")", "Give a KMS key ARN (arn:aws:kms:...).")]))
        }
        if let topic = aws.alarmTopicVariable {
            variables.append(.init(name: topic.value, type: "string", description: "SNS topic ARN the alarms notify.",
                                   validations: [("startswith(var.\(topic.value), \"arn:aws:sns:\")", "Give an SNS topic ARN (arn:aws:sns:...).")]))
        }
        // What a platform team sizes and upgrades itself: defaults from the topology, and the
        // generator's own rules again as validations, so they hold at apply time too.
        let engineVersions = AWSTarget.engineVersions(engine)
        let versionList = HCLRenderer.inline(.list(engineVersions.map { .string($0) }))
        variables += [
            .init(name: "node_type", type: "string", description: "ElastiCache node type.", defaultValue: .string(aws.nodeType.value),
                  validations: [("contains(\(HCLRenderer.inline(.list(AWSTarget.nodeTypes.map { .string($0) }))), var.node_type)", "Give a node type this module knows: \(AWSTarget.nodeTypes.joined(separator: ", ")).")]),
            .init(name: "engine_version", type: "string", description: "\(engine.label) engine version.", defaultValue: .string(aws.engineVersion(of: topology).value),
                  validations: [("contains(\(versionList), var.engine_version)", "Give one of \(engineVersions.joined(separator: ", ")).")]),
        ] + sizeVariables() + [
            .init(name: "final_snapshot_identifier", type: "string", description: "Name of the snapshot ElastiCache takes when the replication group is deleted; null: `<name>-final`.",
                  defaultValue: .raw("null"),
                  validations: [("var.final_snapshot_identifier == null || can(regex(\"^[A-Za-z][A-Za-z0-9-]{0,254}$\", var.final_snapshot_identifier))", "A snapshot name starts with a letter and holds letters, digits and hyphens.")]),
            .init(name: "apply_immediately", type: "bool", description: "Apply changes now instead of in the next maintenance window (a node type or engine change then restarts nodes now).",
                  defaultValue: .bool(false)),
            .init(name: "tags", type: "map(string)", description: "Tags for every resource.", defaultValue: .object([])),
        ]
        return variables
    }

    /// How many nodes: a count for one shard; shards and replicas per shard in cluster mode.
    private func sizeVariables() -> [TerraformModule.Variable] {
        guard let shards else {
            return [.init(name: "node_count", type: "number", description: "Nodes in the group: the primary and its replicas.", defaultValue: .number(Int64(nodes)),
                          validations: [("var.node_count >= 1 && var.node_count <= 6 && floor(var.node_count) == var.node_count", "ElastiCache takes 1 to 6 nodes (at most 5 replicas).")])]
        }
        return [
            .init(name: "shard_count", type: "number", description: "Shards (node groups), each a primary serving a share of the slots, and its replicas.", defaultValue: .number(Int64(shards)),
                  validations: [("var.shard_count >= 3 && var.shard_count <= 500 && floor(var.shard_count) == var.shard_count", "Give 3 to 500 shards (the topology's rule: a majority of at least 3 masters).")]),
            .init(name: "replicas_per_shard", type: "number", description: "Replicas of each shard's primary.", defaultValue: .number(Int64(nodes - 1)),
                  validations: [("var.replicas_per_shard >= 0 && var.replicas_per_shard <= 5 && floor(var.replicas_per_shard) == var.replicas_per_shard", "ElastiCache takes 0 to 5 replicas per shard.")]),
        ]
    }

    /// Every node, as the expression the alarms count.
    private var nodeCount: String { shards == nil ? "var.node_count" : "var.shard_count * (var.replicas_per_shard + 1)" }

    /// ElastiCache's rule for a replication group id, and room for the longest user id after it.
    private func nameValidations() -> [(condition: String, message: String)] {
        var validations = [(
            "can(regex(\"^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$\", var.name)) && !strcontains(var.name, \"--\")",
            "A replication group id is 1 to 40 lower-case letters, digits or single hyphens, starting with a letter and not ending with a hyphen."
        )]
        if usesRBAC, let longest = rbacUsers.map({ Self.userSuffix($0.user.name.value).count + 1 }).max() {
            validations.append(("length(var.name) <= \(40 - longest)", "User ids are <name>-<user> and at most 40 characters: name may have \(40 - longest) at most."))
        }
        return validations
    }

    func main() -> [HCLItem] {
        [.blank] + network() + [.blank] + parameterGroup() + LogKind.allCases.flatMap { [.blank, logGroup($0)] } + rbac() + tokenResources()
            + [.blank, replicationGroup()] + alarmResources()
    }

    /// RBAC: one ElastiCache user per ACL user, the `default` user with the topology's password,
    /// and the group the replication group names.
    private func rbac() -> [HCLItem] {
        guard usesRBAC, let authVariable else { return [] }
        func user(_ label: String, name user: String, access: String, password: String) -> [HCLItem] {
            [.blank, .block(HCLBlock("resource", "aws_elasticache_user", label, body: [
                .attribute("user_id", Self.named("-\(Self.userSuffix(user))")),
                .attribute("user_name", .string(user)),
                .attribute("engine", .string(engine.rawValue.uppercased())),
                .attribute("access_string", .string(access)),
                .attribute("passwords", .raw("[var.\(password)]")),
                .attribute("tags", .raw("var.tags")),
            ]))]
        }
        var items = user("default", name: "default", access: "on ~* &* +@all", password: authVariable)
        for (acl, variable) in rbacUsers {
            items += user(Self.userLabel(acl.name.value), name: acl.name.value, access: (["on"] + acl.aclRules()).joined(separator: " "), password: variable)
        }
        let ids = (["default"] + rbacUsers.map { Self.userLabel($0.user.name.value) }).map { "aws_elasticache_user.\($0).user_id" }
        items += [.blank, .block(HCLBlock("resource", "aws_elasticache_user_group", "this", body: [
            .attribute("user_group_id", .raw("var.name")),
            .attribute("engine", .string(engine.rawValue.uppercased())),
            .attribute("user_ids", .raw("[\(ids.joined(separator: ", "))]")),
            .attribute("tags", .raw("var.tags")),
        ]))]
        return items
    }

    /// The token read from a secret the caller names, or generated into a new one.
    private func tokenResources() -> [HCLItem] {
        switch tokenSource {
        case .secretsManager:
            return [.blank, .block(HCLBlock("data", "aws_secretsmanager_secret_version", "auth_token", body: [
                .attribute("secret_id", .raw("var.auth_token_secret_arn")),
            ]))]
        case .generated:
            var secret: [HCLItem] = [
                // Rotating it is Terraform's job (replace the password, apply with ROTATE, then SET),
                // not a rotation Lambda's: ElastiCache must accept both tokens in between.
                .checkovSkip("CKV2_AWS_57", "the token rotates through Terraform: replace random_password.auth_token, apply with ROTATE, then with SET"),
            ]
            if aws.kmsKeyVariable == nil { secret.append(.checkovSkip("CKV_AWS_149", "the topology names no KMS key; the secret uses the account's Secrets Manager key")) }
            secret += [
                .attribute("name_prefix", Self.named("-auth-token-")),
                .attribute("description", .raw("\"AUTH token of the ${var.name} Redis, generated by Terraform\"")),
            ]
            if let kms = aws.kmsKeyVariable { secret.append(.attribute("kms_key_id", .raw("var.\(kms.value)"))) }
            secret += [.attribute("recovery_window_in_days", .number(7)), .attribute("tags", .raw("var.tags"))]
            return [
                .blank,
                .block(HCLBlock("resource", "random_password", "auth_token", body: [
                    .attribute("length", .number(64)),
                    // ElastiCache refuses space, ", / and @ in a token.
                    .attribute("override_special", .string("!#$%&*()-_=+[]{}<>:?")),
                ])),
                .blank,
                .block(HCLBlock("resource", "aws_secretsmanager_secret", "auth_token", body: secret)),
                .blank,
                .block(HCLBlock("resource", "aws_secretsmanager_secret_version", "auth_token", body: [
                    .attribute("secret_id", .raw("aws_secretsmanager_secret.auth_token.id")),
                    .attribute("secret_string", .raw("random_password.auth_token.result")),
                ])),
            ]
        case .variable, nil:
            return []
        }
    }

    /// A Terraform resource label for a user name (letters, digits, `_`).
    static func userLabel(_ user: String) -> String {
        "user_" + user.map { $0.isLetter || $0.isNumber ? $0 : "_" }.reduce(into: "") { $0.append($1) }
    }

    /// Subnet group, security group, and its ingress rules on the Redis port only.
    private func network() -> [HCLItem] {
        var main: [HCLItem] = []
        main.append(.block(HCLBlock("resource", "aws_elasticache_subnet_group", "this", body: [
            .attribute("name", Self.named("-redis")),
            .attribute("description", .raw("\"Subnets of the ${var.name} Redis\"")),
            .attribute("subnet_ids", .raw("var.\(aws.subnetIDsVariable.value)")),
            .attribute("tags", .raw("var.tags")),
        ])))
        main.append(.blank)
        main.append(.block(HCLBlock("resource", "aws_security_group", "this", body: [
            .attribute("name", Self.named("-redis")),
            .attribute("description", .raw("\"Redis port of ${var.name}, from the allowed groups and blocks only\"")),
            .attribute("vpc_id", .raw("var.vpc_id")),
            .attribute("tags", .raw("var.tags")),
        ])))
        main.append(.blank)
        main.append(AWSModule.ingressRule("from_groups", over: "var.\(aws.securityGroupIDsVariable.value)", describing: "an allowed security group", attribute: "referenced_security_group_id", port: port))
        main.append(.blank)
        main.append(AWSModule.ingressRule("from_blocks", over: "var.allowed_cidr_blocks", describing: "an allowed CIDR block", attribute: "cidr_ipv4", port: port))
        return main
    }

    /// Named after its engine family and created before the old one goes: a group in use cannot
    /// be deleted, so a change of family makes the new group (a new name: no collision),
    /// switches the replication group over in place, and only then deletes the old one. (The
    /// provider's parameter group takes no `name_prefix`.)
    private func parameterGroup() -> [HCLItem] {
        var parameters: [HCLItem] = [
            .attribute("name", Self.named("-${replace(local.parameter_family, \".\", \"-\")}")),
            .attribute("family", .raw("local.parameter_family")),
            .attribute("description", .raw("\"Redis settings of ${var.name}\"")),
            .attribute("tags", .raw("var.tags")),
        ]
        for (parameter, value) in AWSModule.parameterValues(topology) {
            parameters += [.blank, .block(HCLBlock("parameter", body: [.attribute("name", .string(parameter)), .attribute("value", .string(value))]))]
        }
        parameters += [.blank, .block(HCLBlock("lifecycle", body: [.attribute("create_before_destroy", .bool(true))]))]
        return [
            .block(HCLBlock("locals", body: [
                // The parameter family follows the engine version the caller chooses.
                .attribute("parameter_family", .raw(AWSTarget.parameterFamily(engine))),
            ])),
            .blank,
            .block(HCLBlock("resource", "aws_elasticache_parameter_group", "this", body: parameters)),
        ]
    }

    /// The two logs ElastiCache delivers: the slow log, and the engine's own log (failovers,
    /// syncs, evictions of clients), which the slow log does not show.
    enum LogKind: String, CaseIterable {
        case slowLog = "slow-log"
        case engineLog = "engine-log"
        var resourceName: String { rawValue.replacingOccurrences(of: "-", with: "_") }
    }

    private func logGroup(_ kind: LogKind) -> HCLItem {
        var logGroup: [HCLItem] = [
            .attribute("name", .raw("\"/aws/elasticache/${var.name}/\(kind.rawValue)\"")),
            .attribute("retention_in_days", .number(365)),
        ]
        if let kms = aws.kmsKeyVariable {
            logGroup.append(.attribute("kms_key_id", .raw("var.\(kms.value)")))
        } else {
            logGroup.insert(.checkovSkip("CKV_AWS_158", "the topology names no KMS key; the log group uses CloudWatch's own encryption"), at: 0)
        }
        logGroup.append(.attribute("tags", .raw("var.tags")))
        return .block(HCLBlock("resource", "aws_cloudwatch_log_group", kind.resourceName, body: logGroup))
    }

    private func replicationGroup() -> HCLItem {
        var replication: [HCLItem] = []
        if !aws.multiAZ.value { replication.append(.checkovSkip("CKV2_AWS_50", "the topology asks for a single-AZ deployment")) }
        if !aws.atRestEncryption.value { replication.append(.checkovSkip("CKV_AWS_29", "the topology turns encryption at rest off")) }
        if aws.kmsKeyVariable == nil && aws.atRestEncryption.value { replication.append(.checkovSkip("CKV_AWS_191", "encrypted at rest with the AWS-owned key; the topology names no KMS key")) }
        if !aws.transitEncryption.value {
            replication.append(.checkovSkip("CKV_AWS_30", "the topology turns transit encryption off"))
            replication.append(.checkovSkip("CKV_AWS_31", "no auth token without transit encryption"))
        }
        replication += [
            .attribute("replication_group_id", .raw("var.name")),
            .attribute("description", .raw("\"Redis of ${var.name}, generated by redis-infra\"")),
            .attribute("engine", .string(engine.rawValue)),
            .attribute("engine_version", .raw("var.engine_version")),
            .attribute("node_type", .raw("var.node_type")),
            .attribute("port", .number(Int64(port))),
        ] + (shards == nil ? [
            .attribute("num_cache_clusters", .raw("var.node_count")),
        ] : [
            // Cluster mode enabled: the slots spread over the node groups.
            .attribute("num_node_groups", .raw("var.shard_count")),
            .attribute("replicas_per_node_group", .raw("var.replicas_per_shard")),
        ]) + [
            .attribute("automatic_failover_enabled", .bool(aws.automaticFailover.value)),
            .attribute("multi_az_enabled", .bool(aws.multiAZ.value)),
            .attribute("parameter_group_name", .raw("aws_elasticache_parameter_group.this.name")),
            .attribute("subnet_group_name", .raw("aws_elasticache_subnet_group.this.name")),
            .attribute("security_group_ids", .raw("[aws_security_group.this.id]")),
            .blank,
            .attribute("transit_encryption_enabled", .bool(aws.transitEncryption.value)),
        ]
        if usesRBAC {
            // ElastiCache refuses an auth token beside a user group: RBAC alone.
            replication.append(.attribute("user_group_ids", .raw("[aws_elasticache_user_group.this.id]")))
        } else if let token {
            replication.append(.attribute("auth_token", .raw(token)))
            replication.append(.attribute("auth_token_update_strategy", .raw("var.auth_token_update_strategy")))
        }
        replication.append(.attribute("at_rest_encryption_enabled", .bool(aws.atRestEncryption.value)))
        if let kms = aws.kmsKeyVariable { replication.append(.attribute("kms_key_id", .raw("var.\(kms.value)"))) }
        replication += [
            .blank,
            .attribute("snapshot_retention_limit", .number(Int64(aws.snapshotRetention.value))),
            .attribute("snapshot_window", .string(aws.snapshotWindow.value)),
            .attribute("maintenance_window", .string(aws.maintenanceWindow.value)),
            .attribute("auto_minor_version_upgrade", .bool(true)),
            .attribute("apply_immediately", .raw("var.apply_immediately")),
            // Deleting the group leaves a last snapshot behind.
            .attribute("final_snapshot_identifier", .raw("coalesce(var.final_snapshot_identifier, \"${var.name}-final\")")),
        ]
        if let topic = aws.alarmTopicVariable {
            // ElastiCache's own events (failover, node replaced, snapshot failed) to the alarms' topic.
            replication.append(.attribute("notification_topic_arn", .raw("var.\(topic.value)")))
        }
        replication += [
            .blank,
        ] + LogKind.allCases.map { kind in
            .block(HCLBlock("log_delivery_configuration", body: [
                .attribute("destination", .raw("aws_cloudwatch_log_group.\(kind.resourceName).name")),
                .attribute("destination_type", .string("cloudwatch-logs")),
                .attribute("log_format", .string("json")),
                .attribute("log_type", .string(kind.rawValue)),
            ]))
        } + [
            .blank,
            .attribute("tags", .raw("var.tags")),
            .blank,
            // Terraform takes no variable here: the topology's `prevent_destroy`, as a literal.
            .block(HCLBlock("lifecycle", body: [.attribute("prevent_destroy", .bool(aws.preventDestroy.value))] + failoverPrecondition())),
        ]
        return .block(HCLBlock("resource", "aws_elasticache_replication_group", "this", body: replication))
    }

    /// The generator's rule, again at plan time now that the node count is the caller's.
    private func failoverPrecondition() -> [HCLItem] {
        guard aws.automaticFailover.value, shards == nil else { return [] }
        return [.blank, .block(HCLBlock("precondition", body: [
            .attribute("condition", .raw("var.node_count >= 2")),
            .attribute("error_message", .string("Automatic failover needs at least 2 nodes: set node_count to 2 or more.")),
        ]))]
    }

    /// Per-node alarms, when the topology names an SNS topic for them.
    private func alarmResources() -> [HCLItem] {
        var main: [HCLItem] = []
        if let topic = aws.alarmTopicVariable {
            main += [.blank, .block(HCLBlock("locals", body: [
                // ElastiCache names a group's nodes <group>-001, -002, ... (with cluster mode
                // <group>-0001-001: shard, then node); known before apply.
                .attribute("member_cluster_ids", .raw(shards == nil
                    ? "[for index in range(1, var.node_count + 1) : format(\"%s-%03d\", \(group).replication_group_id, index)]"
                    : "[for pair in setproduct(range(1, var.shard_count + 1), range(1, var.replicas_per_shard + 2)) : format(\"%s-%04d-%03d\", \(group).replication_group_id, pair[0], pair[1])]")),
            ]))]
            // The same table as the Prometheus rules (monitoring/<name>/rules.yml): same conditions, same thresholds.
            for (alarm, hold) in AlertConditions(topology: topology).cloudWatchAlarms {
                let periods = CloudWatchAlarm.periods(holdSeconds: hold)
                main += [.blank, .block(HCLBlock("resource", "aws_cloudwatch_metric_alarm", alarm.id, body: [
                    .attribute("count", .raw(nodeCount)),
                    .blank,
                    .attribute("alarm_name", .raw("\"${local.member_cluster_ids[count.index]}-\(alarm.id.replacingOccurrences(of: "_", with: "-"))\"")),
                    .attribute("alarm_description", .string(alarm.description)),
                    .attribute("namespace", .string("AWS/ElastiCache")),
                    .attribute("metric_name", .string(alarm.metric)),
                    .attribute("statistic", .string(alarm.statistic)),
                    .attribute("period", .number(Int64(periods.period))),
                    .attribute("evaluation_periods", .number(Int64(periods.count))),
                    .attribute("comparison_operator", .string(alarm.comparison)),
                    .attribute("threshold", .number(alarm.threshold)),
                    .attribute("treat_missing_data", .string("notBreaching")),
                    .attribute("alarm_actions", .raw("[var.\(topic.value)]")),
                    .attribute("ok_actions", .raw("[var.\(topic.value)]")),
                    .attribute("dimensions", .object([("CacheClusterId", .raw("local.member_cluster_ids[count.index]"))])),
                    .attribute("tags", .raw("var.tags")),
                ]))]
            }
        }
        return main
    }

    func outputs() -> [TerraformModule.Output] {
        let scheme = aws.transitEncryption.value ? "rediss" : "redis"
        // With RBAC the URL carries the `default` user's password.
        let password = token ?? (usesRBAC ? authVariable.map { "var.\($0)" } : nil)
        let credentials = password.map { ":${urlencode(\($0))}@" } ?? ""
        // A cluster is reached through its configuration endpoint, which hands out the slot map.
        let endpoint = shards == nil ? "primary_endpoint_address" : "configuration_endpoint_address"
        let reader = nodes > 1 && shards == nil
        var outputs: [TerraformModule.Output] = [
            shards == nil
                ? .init(name: endpoint, description: "Address of the primary (follows failovers).", value: "\(group).\(endpoint)")
                : .init(name: endpoint, description: "The cluster's configuration endpoint: any cluster client starts here.", value: "\(group).\(endpoint)"),
        ]
        if reader {
            outputs.append(.init(name: "reader_endpoint_address", description: "Address that spreads reads over the replicas.", value: "\(group).reader_endpoint_address"))
        }
        outputs += [
            .init(name: "port", description: "Redis port.", value: "\(group).port"),
            .init(name: "security_group_id", description: "Security group of the cache nodes.", value: "aws_security_group.this.id"),
            .init(name: "replication_group_id", description: "ID of the replication group.", value: "\(group).id"),
            .init(name: "replication_group_arn", description: "ARN of the replication group (for IAM policies and tagging).", value: "\(group).arn"),
            .init(name: "member_clusters", description: "IDs of the group's nodes (the CacheClusterId dimension of their metrics).", value: "\(group).member_clusters"),
            .init(name: "redis_url", description: "URL for the redis-infra factory (REDIS_URL / EMBEDDINGS_REDIS_URL), credentials included.",
                  value: "\"\(scheme)\(shards == nil ? "" : "+cluster")://\(credentials)${\(group).\(endpoint)}:${\(group).port}\"", sensitive: usesAuth),
        ]
        if tokenSource == .generated {
            outputs.append(.init(name: "auth_token_secret_arn", description: "ARN of the Secrets Manager secret holding the generated AUTH token (what clients read).",
                                 value: "aws_secretsmanager_secret.auth_token.arn"))
        }
        return outputs
    }

    /// The root configuration a platform team writes first: the network, the application's
    /// security group and the module, in one apply. The tests plan exactly this.
    func usage(source: String) -> [HCLItem] {
        func resource(_ type: String, _ label: String, _ body: [HCLItem]) -> [HCLItem] { [.block(HCLBlock("resource", type, label, body: body)), .blank] }
        var items = resource("aws_vpc", "main", [.attribute("cidr_block", .string("10.0.0.0/16"))])
        for (label, zone) in [("a", "eu-west-1a"), ("b", "eu-west-1b")] {
            items += resource("aws_subnet", label, [
                .attribute("vpc_id", .raw("aws_vpc.main.id")),
                .attribute("cidr_block", .string("10.0.\(label == "a" ? 1 : 2).0/24")),
                .attribute("availability_zone", .string(zone)),
            ])
        }
        items += resource("aws_security_group", "app", [
            .attribute("name_prefix", .string("app-")),
            .attribute("description", .string("The application's instances")),
            .attribute("vpc_id", .raw("aws_vpc.main.id")),
        ])
        var arguments: [HCLItem] = [
            .attribute("source", .string(source)),
            .blank,
            .attribute("vpc_id", .raw("aws_vpc.main.id")),
            .attribute(aws.subnetIDsVariable.value, .raw("[aws_subnet.a.id, aws_subnet.b.id]")),
            .attribute(aws.securityGroupIDsVariable.value, .raw("[aws_security_group.app.id]")),
        ]
        if let kms = aws.kmsKeyVariable {
            // The key's policy must also let CloudWatch Logs use it, for the slow-log group.
            items += resource("aws_kms_key", "redis", [
                .attribute("description", .string("\(name) Redis at rest and its logs")),
                .attribute("enable_key_rotation", .bool(true)),
            ])
            arguments.append(.attribute(kms.value, .raw("aws_kms_key.redis.arn")))
        }
        if let topic = aws.alarmTopicVariable {
            items += resource("aws_sns_topic", "alarms", [.attribute("name", .string("\(name)-redis-alarms"))])
            arguments.append(.attribute(topic.value, .raw("aws_sns_topic.alarms.arn")))
        }
        if tokenSource == .secretsManager {
            items += [.block(HCLBlock("variable", "redis_auth_token_secret_arn", body: [.attribute("type", .raw("string"))])), .blank]
            arguments.append(.attribute("auth_token_secret_arn", .raw("var.redis_auth_token_secret_arn")))
        } else if tokenSource != .generated, usesAuth, let authVariable {
            for variable in [authVariable] + rbacUsers.map(\.variable) {
                items += [.block(HCLBlock("variable", variable, body: [.attribute("type", .raw("string")), .attribute("sensitive", .bool(true))])), .blank]
                arguments.append(.attribute(variable, .raw("var.\(variable)")))
            }
        }
        items += [.block(HCLBlock("module", "redis", body: arguments)), .blank]
        items.append(.block(HCLBlock("output", "redis_url", body: [.attribute("value", .raw("module.redis.redis_url")), .attribute("sensitive", .bool(true))])))
        return items
    }

    func summary() -> [String] {
        var summary = [
            "ElastiCache (\(engine == .redis ? "Redis OSS" : "Valkey")) replication group `\(name)`: \(shards.map { "cluster mode enabled, \($0) shards of \(nodes) node(s)" } ?? "\(nodes) node(s)") of `\(aws.nodeType.value)`, \(engine.label) \(aws.engineVersion(of: topology).value),"
                + " automatic failover \(aws.automaticFailover.value ? "on" : "off"), multi-AZ \(aws.multiAZ.value ? "on" : "off"),"
                + " transit encryption \(aws.transitEncryption.value ? "on" : "off"), at-rest encryption \(aws.atRestEncryption.value ? "on" : "off").",
            "Slow and engine logs to CloudWatch Logs; \(aws.alarmTopicVariable == nil ? "no alarms (the topology names no SNS topic)" : "\(AlertConditions(topology: topology).cloudWatchAlarms.map { "`\($0.alarm.metric)`" }.joined(separator: ", ")) alarms per node (the Prometheus rules' conditions and thresholds: `monitoring/\(topology.name.value)/ALERTS.md`), and ElastiCache's events, to the SNS topic").",
        ]
        if usesRBAC {
            summary.append("Access by ElastiCache RBAC (no auth token): the `default` user with the topology's password, and \(rbacUsers.map { "`\($0.user.name.value)`" }.joined(separator: ", ")) with their own passwords and ACL rules (dangerous commands denied unless the rules say otherwise), in one user group.")
        }
        let skipped = topology.redis.config.map(\.directive.value).filter { !AWSTarget.parameters.contains($0) }
        if !skipped.isEmpty {
            summary.append("Not applied (not an ElastiCache parameter): \(skipped.map { "`\($0)`" }.joined(separator: ", ")).")
        }
        return summary
    }
}
