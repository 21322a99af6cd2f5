import Foundation
import RedisTestSupport
import Testing

/// The generated Terraform modules through the real tools: `terraform fmt`, `init`/`validate`
/// and an offline `plan` with the AWS provider 5.100.0 on this machine, and checkov.
@Suite struct TerraformModuleTests {
    /// The folder above `registry.terraform.io` that holds the AWS provider.
    static let pluginDirectory: String? = {
        guard let found = try? runSystem("/usr/bin/find", ["/", "-name", "terraform-provider-aws_*", "-not", "-path", "/proc/*"]) else { return nil }
        guard let path = found.stdout.split(separator: "\n").first, let range = path.range(of: "/registry.terraform.io/") else { return nil }
        return String(path[..<range.lowerBound])
    }()

    static let terraform = ["/usr/local/bin/terraform", "/usr/bin/terraform"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "terraform"

    func terraform(_ arguments: [String], in directory: URL) throws -> CommandResult {
        try runSystem(Self.terraform, ["-chdir=\(directory.path)"] + arguments, environment: [
            "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": directory.path, "TF_CLI_CONFIG_FILE": "/dev/null",
            "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1",
        ])
    }

    /// A root configuration that calls the module as a team does: `module "redis"` with the
    /// module's folder as its source and the inputs as arguments, the provider configured in
    /// the root (here a test-only one: fake keys, no AWS calls), and an output read through the
    /// module. The module itself is planned where it lies, unchanged.
    func planWorkspace(module: URL, variables: [String: String]) throws -> URL {
        let directory = try makeTemporaryDirectory(prefix: "tf-plan")
        let arguments = variables.sorted { $0.key < $1.key }.map { "  \($0.key) = \($0.value)" }.joined(separator: "\n")
        try """
            provider "aws" {
              region                      = "eu-west-1"
              access_key                  = "AKIAIOSFODNN7EXAMPLE"
              secret_key                  = "not-a-real-key"
              skip_credentials_validation = true
              skip_requesting_account_id  = true
              skip_metadata_api_check     = true
              skip_region_validation      = true
            }

            module "redis" {
              source = "\(module.path)"
            \(arguments)
            }

            output "redis_url" {
              value     = module.redis.redis_url
              sensitive = true
            }

            """.write(to: directory.appendingPathComponent("main.tf"), atomically: true, encoding: .utf8)
        return directory
    }

    /// init, validate, plan, and the plan as JSON; the first step that fails, with its output.
    /// `planArguments` add to the plan (`-refresh=false` over a written state: no AWS to ask).
    func plan(_ directory: URL, planArguments: [String] = []) throws -> (result: CommandResult, json: [String: Any]?) {
        let validated = try validate(directory)
        guard validated.exitCode == 0 else { return (validated, nil) }
        let planned = try terraform(["plan", "-input=false", "-no-color", "-out=plan.bin"] + planArguments, in: directory)
        guard planned.exitCode == 0 else { return (planned, nil) }
        let shown = try terraform(["show", "-json", "plan.bin"], in: directory)
        return (planned, try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
    }

    /// init and validate: all that runs offline when planning would call AWS.
    func validate(_ directory: URL) throws -> CommandResult {
        let plugins = try #require(Self.pluginDirectory, "the AWS provider plugin folder")
        let initialized = try terraform(["init", "-backend=false", "-input=false", "-no-color", "-plugin-dir=\(plugins)"], in: directory)
        try #require(initialized.exitCode == 0, "\(initialized.stderr)")
        // With the inputs written as module arguments, validate already checks them against
        // the module's variable validations, as it would for the team calling the module.
        return try terraform(["validate", "-no-color"], in: directory)
    }

    /// The called module's planned resources by their address inside it (`module.redis.` dropped).
    func plannedResources(_ plan: [String: Any]?) -> [String: [String: Any]] {
        let root = (plan?["planned_values"] as? [String: Any])?["root_module"] as? [String: Any]
        let module = (root?["child_modules"] as? [[String: Any]])?.first { $0["address"] as? String == "module.redis" }
        var byAddress: [String: [String: Any]] = [:]
        for resource in (module?["resources"] as? [[String: Any]]) ?? [] {
            byAddress[String((resource["address"] as? String ?? "").dropFirst("module.redis.".count))] = resource
        }
        return byAddress
    }

    func resources(_ plan: [String: Any]?) -> [String: [String: Any]] {
        plannedResources(plan).mapValues { $0["values"] as? [String: Any] ?? [:] }
    }

    let productionInputs = [
        "vpc_id": "\"vpc-0123456789abcdef0\"",
        "redis_subnet_ids": "[\"subnet-aaaa\", \"subnet-bbbb\"]",
        "app_security_group_ids": "[\"sg-1111\", \"sg-2222\"]",
        "redis_auth_token": "\"a-long-enough-token-1234\"",
        "redis_kms_key_arn": "\"arn:aws:kms:eu-west-1:123456789012:key/abc\"",
        "alarms_sns_topic_arn": "\"arn:aws:sns:eu-west-1:123456789012:alarms\"",
    ]

    @Test func committedModulesAreFormattedAsTerraformFmt() throws {
        let result = try terraform(["fmt", "-check", "-diff", "-recursive", "-no-color", "."], in: packageRoot.appendingPathComponent("terraform"))
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        let listed = try FileManager.default.subpathsOfDirectory(atPath: packageRoot.appendingPathComponent("terraform").path)
        #expect(listed.contains("prod-queue/aws/main.tf") && listed.contains("prod-cache/gcp/main.tf"))
    }

    /// The committed production module planned with these inputs; the plan as JSON.
    func planProductionModule(_ inputs: [String: String]) throws -> [String: Any]? {
        let directory = try planWorkspace(module: packageRoot.appendingPathComponent("terraform/prod-queue/aws"), variables: inputs)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (result, json) = try plan(directory)
        try #require(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        return json
    }

    @Test func awsProductionModulePlansWithEncryptionFailoverAndAlarms() throws {
        let json = try planProductionModule(productionInputs)
        let planned = resources(json)
        let group = try #require(planned["aws_elasticache_replication_group.this"])
        #expect(group["num_cache_clusters"] as? Int == 3)
        #expect(group["automatic_failover_enabled"] as? Bool == true)
        #expect(group["multi_az_enabled"] as? Bool == true)
        #expect(group["transit_encryption_enabled"] as? Bool == true)
        // Provider 5.100 types this one as a string.
        #expect(group["at_rest_encryption_enabled"] as? String == "true" || group["at_rest_encryption_enabled"] as? Bool == true)
        #expect(group["kms_key_id"] as? String == "arn:aws:kms:eu-west-1:123456789012:key/abc")
        #expect(group["engine_version"] as? String == "7.0")
        #expect(group["node_type"] as? String == "cache.r7g.large")
        #expect(group["snapshot_retention_limit"] as? Int == 7)
        // Both logs ElastiCache delivers, each to its own group; its events to the alarms' topic.
        #expect(Set(((group["log_delivery_configuration"] as? [[String: Any]]) ?? []).compactMap { $0["log_type"] as? String }) == ["slow-log", "engine-log"])
        #expect(planned["aws_cloudwatch_log_group.engine_log"]?["name"] as? String == "/aws/elasticache/prod-queue/engine-log")
        #expect(group["notification_topic_arn"] as? String == "arn:aws:sns:eu-west-1:123456789012:alarms")
        let alarms = planned.keys.filter { $0.hasPrefix("aws_cloudwatch_metric_alarm.") }
        #expect(alarms.count == 5 * 3, "five alarms per node: \(alarms.sorted())")
        #expect(planned.keys.filter { $0.hasPrefix("aws_vpc_security_group_ingress_rule.from_groups") }.count == 2)
        #expect(planned["aws_elasticache_parameter_group.this"]?["family"] as? String == "redis7")
        // The token reaches the provider from the sensitive variable, and the plan marks it so.
        let sensitive = plannedResources(json)["aws_elasticache_replication_group.this"]?["sensitive_values"] as? [String: Any]
        #expect(sensitive?["auth_token"] as? Bool == true)
        // A rotation starts with ROTATE (old and new token both work); SET finishes it.
        #expect(group["auth_token_update_strategy"] as? String == "ROTATE")
        // What a platform team wires to IAM, tags and dashboards.
        let configuration = (json?["configuration"] as? [String: Any])?["root_module"] as? [String: Any]
        let call = ((configuration?["module_calls"] as? [String: Any])?["redis"] as? [String: Any])?["module"] as? [String: Any]
        let moduleOutputs = Set(((call?["outputs"] as? [String: Any]) ?? [:]).keys)
        #expect(moduleOutputs.isSuperset(of: ["replication_group_id", "replication_group_arn", "member_clusters", "primary_endpoint_address", "reader_endpoint_address", "redis_url"]), "\(moduleOutputs.sorted())")
        // The caller reads the module's outputs; the URL, which carries the token, stays sensitive.
        let output = ((json?["planned_values"] as? [String: Any])?["outputs"] as? [String: Any])?["redis_url"] as? [String: Any]
        #expect(output?["sensitive"] as? Bool == true)
    }

    /// The module's README example is the root a platform team writes first: it creates the
    /// network and the application's security group in the same apply, so the group's id is
    /// unknown at plan time. Planned as written (only `source` made absolute and a provider with
    /// test-only keys added), it must plan, with one ingress rule per group.
    @Test func readmeExampleWithTheAppsOwnSecurityGroupPlans() throws {
        let topology = "prod-queue"
        let module = packageRoot.appendingPathComponent("terraform/\(topology)/aws")
        let readme = try String(contentsOf: module.appendingPathComponent("README.md"), encoding: .utf8)
        let example = try #require(readme.components(separatedBy: "```hcl\n").dropFirst().first?.components(separatedBy: "```").first, "README has no hcl example")
        let source = "source = \"./terraform/\(topology)/aws\""
        try #require(example.contains(source), "the example calls the module by its path from the repository root")
        let directory = try planWorkspace(module: module, variables: [:])
        defer { try? FileManager.default.removeItem(at: directory) }
        let provider = try String(contentsOf: directory.appendingPathComponent("main.tf"), encoding: .utf8).components(separatedBy: "module \"redis\"").first!
        try (provider + example.replacingOccurrences(of: source, with: "source = \"\(module.path)\""))
            .write(to: directory.appendingPathComponent("main.tf"), atomically: true, encoding: .utf8)
        if example.contains("variable \"") {
            try "redis_auth_token = \"a-test-only-token-0123456789\"\n".write(to: directory.appendingPathComponent("terraform.tfvars"), atomically: true, encoding: .utf8)
        }
        let (result, json) = try plan(directory)
        try #require(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        let planned = plannedResources(json)
        #expect(planned.keys.filter { $0.hasPrefix("aws_vpc_security_group_ingress_rule.from_groups") } == ["aws_vpc_security_group_ingress_rule.from_groups[\"0\"]"], "\(planned.keys.sorted())")
        #expect(planned["aws_elasticache_replication_group.this"] != nil)
    }

    /// A platform team sizes and upgrades the group itself (node type, engine version, node
    /// count as variables, the topology's values their defaults), and the generator's rules
    /// still hold: a validation per variable, a precondition for failover's two nodes.
    @Test func theCallerSizesTheGroupWithinTheGeneratorsRules() throws {
        var inputs = productionInputs
        inputs["node_type"] = "\"cache.r7g.xlarge\""
        inputs["node_count"] = "2"
        inputs["engine_version"] = "\"7.1\""
        let planned = try resources(planProductionModule(inputs))
        let group = try #require(planned["aws_elasticache_replication_group.this"])
        #expect(group["node_type"] as? String == "cache.r7g.xlarge")
        #expect(group["num_cache_clusters"] as? Int == 2)
        #expect(group["engine_version"] as? String == "7.1")
        #expect(planned.keys.filter { $0.hasPrefix("aws_cloudwatch_metric_alarm.") }.count == 5 * 2, "alarms follow the node count")

        inputs["node_count"] = "1"
        let single = try planWorkspace(module: packageRoot.appendingPathComponent("terraform/prod-queue/aws"), variables: inputs)
        defer { try? FileManager.default.removeItem(at: single) }
        let refused = try plan(single).result
        #expect(refused.exitCode != 0)
        #expect(refused.stderr.contains("Automatic failover needs at least 2 nodes"), "\(refused.stderr)")

        inputs["node_count"] = "7"
        inputs["node_type"] = "\"cache.x9.huge\""
        inputs["engine_version"] = "\"5.0\""
        let invalid = try planWorkspace(module: packageRoot.appendingPathComponent("terraform/prod-queue/aws"), variables: inputs)
        defer { try? FileManager.default.removeItem(at: invalid) }
        let errors = try plan(invalid).result.stderr
        for message in ["ElastiCache takes 1 to 6 nodes", "Give a node type this module knows", "Give one of 6.2, 7.0, 7.1."] {
            #expect(errors.contains(message), "\(message): \(errors)")
        }
    }

    /// Another team reuses the module under its own name: every resource follows it.
    @Test func theCallerNamesTheGroupAndEveryResourceFollows() throws {
        var inputs = productionInputs
        inputs["name"] = "\"orders-cache\""
        let planned = try resources(planProductionModule(inputs))
        let group = try #require(planned["aws_elasticache_replication_group.this"])
        #expect(group["replication_group_id"] as? String == "orders-cache")
        #expect(group["final_snapshot_identifier"] as? String == "orders-cache-final")
        #expect(planned["aws_elasticache_subnet_group.this"]?["name"] as? String == "orders-cache-redis")
        #expect(planned["aws_security_group.this"]?["name"] as? String == "orders-cache-redis")
        #expect(planned["aws_elasticache_parameter_group.this"]?["name"] as? String == "orders-cache-redis7")
        #expect(planned["aws_cloudwatch_log_group.slow_log"]?["name"] as? String == "/aws/elasticache/orders-cache/slow-log")
        #expect(planned["aws_cloudwatch_metric_alarm.cpu[0]"]?["alarm_name"] as? String == "orders-cache-001-cpu")
        let everything = try String(data: JSONSerialization.data(withJSONObject: planned), encoding: .utf8)!
        #expect(!everything.contains("prod-queue"), "nothing keeps the topology's own name")
    }

    /// The state an earlier apply of prod-queue on Redis 6.2 would have left: its parameter
    /// group (family redis6.x) and its replication group, as the provider records them.
    func stateOfA62Deployment() throws -> Data {
        let provider = "provider[\"registry.terraform.io/hashicorp/aws\"]"
        func resource(_ type: String, schema: Int, _ attributes: [String: Any]) -> [String: Any] {
            ["module": "module.redis", "mode": "managed", "type": type, "name": "this", "provider": provider,
             "instances": [["schema_version": schema, "attributes": attributes, "sensitive_attributes": [Any]()]]]
        }
        let state: [String: Any] = [
            "version": 4, "terraform_version": "1.9.0", "serial": 1, "lineage": "00000000-0000-0000-0000-000000000001", "outputs": [String: Any](),
            "resources": [
                resource("aws_elasticache_parameter_group", schema: 0, [
                    "id": "prod-queue-redis6-x", "name": "prod-queue-redis6-x", "family": "redis6.x", "description": "Redis settings of prod-queue",
                    "parameter": [["name": "maxmemory-policy", "value": "noeviction"]], "tags": [String: String](), "tags_all": [String: String](),
                ]),
                resource("aws_elasticache_replication_group", schema: 1, [
                    "id": "prod-queue", "replication_group_id": "prod-queue", "description": "Redis of prod-queue, generated by redis-infra",
                    "engine": "redis", "engine_version": "6.2", "node_type": "cache.r7g.large", "port": 6379, "num_cache_clusters": 3,
                    "automatic_failover_enabled": true, "multi_az_enabled": true, "parameter_group_name": "prod-queue-redis6-x",
                    "subnet_group_name": "prod-queue-redis", "security_group_ids": ["sg-0123"], "transit_encryption_enabled": true,
                    "auth_token": "a-long-enough-token-1234", "auth_token_update_strategy": "ROTATE", "at_rest_encryption_enabled": "true",
                    "kms_key_id": "arn:aws:kms:eu-west-1:123456789012:key/abc", "snapshot_retention_limit": 7, "snapshot_window": "03:00-04:00",
                    "maintenance_window": "sun:05:00-sun:06:00", "auto_minor_version_upgrade": "true", "apply_immediately": false,
                    "final_snapshot_identifier": "prod-queue-final", "data_tiering_enabled": false, "network_type": "ipv4", "ip_discovery": "ipv4",
                    "member_clusters": ["prod-queue-001", "prod-queue-002", "prod-queue-003"], "cluster_enabled": false,
                    "num_node_groups": 1, "replicas_per_node_group": 2, "tags": [String: String](), "tags_all": [String: String](),
                    "security_group_names": [String](), "user_group_ids": [String](),
                    "primary_endpoint_address": "prod-queue.abc123.euw1.cache.amazonaws.com",
                    "reader_endpoint_address": "prod-queue-ro.abc123.euw1.cache.amazonaws.com",
                    "log_delivery_configuration": [["destination": "/aws/elasticache/prod-queue/slow-log", "destination_type": "cloudwatch-logs",
                                                    "log_format": "json", "log_type": "slow-log"]],
                ]),
            ],
        ]
        return try JSONSerialization.data(withJSONObject: state, options: [.sortedKeys])
    }

    /// A team that deployed Redis 6.2 moves to 7.0: the new family needs a new parameter group,
    /// which must exist before the old one (still in use) goes, and the replication group itself
    /// must change in place, never be replaced (that would empty the cache).
    @Test func engineFamilyChangeReplacesOnlyTheParameterGroupCreatingTheNewOneFirst() throws {
        // A larger node type in the same plan: also an in-place change of the replication group.
        var inputs = productionInputs
        inputs["node_type"] = "\"cache.r7g.xlarge\""
        let directory = try planWorkspace(module: packageRoot.appendingPathComponent("terraform/prod-queue/aws"), variables: inputs)
        defer { try? FileManager.default.removeItem(at: directory) }
        try stateOfA62Deployment().write(to: directory.appendingPathComponent("terraform.tfstate"))
        let (result, json) = try plan(directory, planArguments: ["-refresh=false"])
        try #require(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        let changes = Dictionary(uniqueKeysWithValues: ((json?["resource_changes"] as? [[String: Any]]) ?? []).compactMap { change -> (String, [String])? in
            guard let address = change["address"] as? String, let actions = (change["change"] as? [String: Any])?["actions"] as? [String] else { return nil }
            return (address, actions)
        })
        #expect(changes["module.redis.aws_elasticache_parameter_group.this"] == ["create", "delete"], "create before destroy: \(changes)")
        #expect(changes["module.redis.aws_elasticache_replication_group.this"] == ["update"], "in place, never replaced")
        let group = resources(json)["aws_elasticache_replication_group.this"]
        #expect(group?["parameter_group_name"] as? String == "prod-queue-redis7")
        #expect(group?["node_type"] as? String == "cache.r7g.xlarge")
        #expect(group?["final_snapshot_identifier"] as? String == "prod-queue-final")
        #expect(group?["apply_immediately"] as? Bool == false)
    }

    /// `prevent_destroy` (on by default): a plan that would delete the replication group fails.
    @Test func aDestroyPlanIsRefusedWhileTheDataIsProtected() throws {
        let directory = try planWorkspace(module: packageRoot.appendingPathComponent("terraform/prod-queue/aws"), variables: productionInputs)
        defer { try? FileManager.default.removeItem(at: directory) }
        try stateOfA62Deployment().write(to: directory.appendingPathComponent("terraform.tfstate"))
        let (result, _) = try plan(directory, planArguments: ["-refresh=false", "-destroy"])
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("Instance cannot be destroyed"), "\(result.stdout)\(result.stderr)")
    }

    /// Generates the module of a topology written here, and checks it with checkov and fmt.
    func generatedModule(_ yaml: String, name: String, provider: String = "aws", in work: URL) throws -> URL {
        let topology = work.appendingPathComponent("\(name).yaml")
        try yaml.write(to: topology, atomically: true, encoding: .utf8)
        let generated = try runProduct("redis-infra", ["generate", "--out", work.path, topology.path])
        try #require(generated.exitCode == 0, "\(generated.stderr)")
        let module = work.appendingPathComponent("terraform/\(name)/\(provider)")
        let checkov = try runCheckov(module)
        // checkov has no check for some resources (google_redis_cluster): then it prints no summary.
        #expect(checkov.exitCode == 0 && !checkov.stdout.contains("FAILED for resource"), "\(checkov.stdout)")
        let formatted = try terraform(["fmt", "-check", "-diff", "-no-color", "."], in: module)
        #expect(formatted.exitCode == 0, "\(formatted.stdout)")
        return module
    }

    /// The topology's ACL users become ElastiCache RBAC users (ElastiCache refuses an auth token
    /// beside a user group): the `default` user with the topology's password, each user with its
    /// own password variable and its ACL rules, one group the replication group names.
    @Test func aclUsersBecomeElastiCacheRBACUsers() throws {
        let work = try makeTemporaryDirectory(prefix: "tf-rbac")
        defer { try? FileManager.default.removeItem(at: work) }
        let module = try generatedModule("""
            name: queue
            redis: {mode: sentinel, replicas: 1}
            auth:
              password: {terraform_variable: default_password}
              users:
                - {name: worker, password: {terraform_variable: worker_password}, categories: ["+@read", "+@write"], keys: "~jobs:*"}
                - {name: ops, password: {terraform_variable: ops_password}, categories: ["+@all", "+@dangerous"]}
            targets:
              terraform:
                - {provider: aws, automatic_failover: true}

            """, name: "queue", in: work)
        let directory = try planWorkspace(module: module, variables: [
            "vpc_id": "\"vpc-0123456789abcdef0\"", "subnet_ids": "[\"subnet-aaaa\"]", "allowed_security_group_ids": "[\"sg-1111\"]",
            "default_password": "\"default-user-password-1\"", "worker_password": "\"worker-user-password-1\"", "ops_password": "\"ops-user-password-0001\"",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let (result, json) = try plan(directory)
        try #require(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        let planned = resources(json)
        let group = try #require(planned["aws_elasticache_replication_group.this"])
        #expect(group["auth_token"] == nil || group["auth_token"] is NSNull, "no auth token beside a user group")
        let worker = try #require(planned["aws_elasticache_user.user_worker"])
        #expect(worker["user_name"] as? String == "worker")
        #expect(worker["user_id"] as? String == "queue-worker")
        #expect(worker["access_string"] as? String == "on ~jobs:* +@read +@write -@dangerous")
        #expect(planned["aws_elasticache_user.user_ops"]?["access_string"] as? String == "on ~* +@all +@dangerous", "its rules speak of @dangerous")
        #expect(planned["aws_elasticache_user.default"]?["user_name"] as? String == "default")
        #expect(Set(planned["aws_elasticache_user_group.this"]?["user_ids"] as? [String] ?? []) == ["queue-default", "queue-worker", "queue-ops"])
        // Every password stays sensitive in the plan.
        for user in ["default", "user_worker", "user_ops"] {
            let sensitive = plannedResources(json)["aws_elasticache_user.\(user)"]?["sensitive_values"] as? [String: Any]
            #expect(sensitive?["passwords"] as? Bool == true, "\(user): \(String(describing: sensitive))")
        }
        let main = try String(contentsOf: module.appendingPathComponent("main.tf"), encoding: .utf8)
        #expect(main.contains("user_group_ids") && !main.contains("auth_token "), "RBAC alone")
    }

    /// The committed Valkey example: the same replication group with engine "valkey", its
    /// version and parameter family, and RBAC users of the VALKEY engine; planned offline.
    @Test func valkeyModulePlansTheValkeyEngineWithItsFamilyAndUsers() throws {
        let module = packageRoot.appendingPathComponent("terraform/valkey-queue/aws")
        var inputs = [
            "vpc_id": "\"vpc-0123456789abcdef0\"", "valkey_subnet_ids": "[\"subnet-aaaa\", \"subnet-bbbb\"]", "app_security_group_ids": "[\"sg-1111\"]",
            "valkey_auth_token": "\"a-valkey-token-0123456789\"", "valkey_worker_password": "\"worker-user-password-1\"",
            "alarms_sns_topic_arn": "\"arn:aws:sns:eu-west-1:123456789012:alarms\"",
        ]
        let directory = try planWorkspace(module: module, variables: inputs)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (result, json) = try plan(directory)
        try #require(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        let planned = resources(json)
        let group = try #require(planned["aws_elasticache_replication_group.this"])
        #expect(group["engine"] as? String == "valkey")
        #expect(group["engine_version"] as? String == "8.1", "the topology's own version")
        #expect(group["num_cache_clusters"] as? Int == 3)
        #expect(planned["aws_elasticache_parameter_group.this"]?["family"] as? String == "valkey8")
        #expect(planned["aws_elasticache_user.user_worker"]?["engine"] as? String == "VALKEY")
        #expect(planned["aws_elasticache_user_group.this"]?["engine"] as? String == "VALKEY")
        // Valkey 7.2 takes the valkey7 family; a Redis version is refused by the variable's rule.
        inputs["engine_version"] = "\"7.2\""
        let older = try planWorkspace(module: module, variables: inputs)
        defer { try? FileManager.default.removeItem(at: older) }
        let (olderResult, olderJSON) = try plan(older)
        try #require(olderResult.exitCode == 0, "\(olderResult.stderr)")
        #expect(resources(olderJSON)["aws_elasticache_parameter_group.this"]?["family"] as? String == "valkey7")
    }

    /// A Valkey cluster on ElastiCache: cluster mode enabled, the valkey family's cluster
    /// parameter, the configuration endpoint.
    @Test func valkeyClusterShapePlansOnElastiCache() throws {
        let work = try makeTemporaryDirectory(prefix: "tf-valkey-cluster")
        defer { try? FileManager.default.removeItem(at: work) }
        let module = try generatedModule("""
            name: vsessions
            redis: {engine: valkey, version: "8.0", mode: cluster}
            cluster: {shards: 3, replicas_per_shard: 1}
            auth: {password: {terraform_variable: auth_token}}
            targets:
              terraform:
                - {provider: aws, automatic_failover: true}

            """, name: "vsessions", in: work)
        let directory = try planWorkspace(module: module, variables: [
            "vpc_id": "\"vpc-0123456789abcdef0\"", "subnet_ids": "[\"subnet-aaaa\", \"subnet-bbbb\"]", "allowed_security_group_ids": "[\"sg-1111\"]",
            "auth_token": "\"a-cluster-token-0123456789\"",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let (result, json) = try plan(directory)
        try #require(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        let planned = resources(json)
        let group = try #require(planned["aws_elasticache_replication_group.this"])
        #expect(group["engine"] as? String == "valkey" && group["engine_version"] as? String == "8.0")
        #expect(group["num_node_groups"] as? Int == 3)
        let parameters = planned["aws_elasticache_parameter_group.this"]?["parameter"] as? [[String: Any]] ?? []
        #expect(planned["aws_elasticache_parameter_group.this"]?["family"] as? String == "valkey8")
        #expect(parameters.contains { $0["name"] as? String == "cluster-enabled" && $0["value"] as? String == "yes" }, "\(parameters)")
    }

    /// The token read from an existing Secrets Manager secret: the provider's schema accepts the
    /// module and the README's example (validate); planning would call Secrets Manager.
    @Test func theAuthTokenCanBeReadFromSecretsManager() throws {
        let work = try makeTemporaryDirectory(prefix: "tf-secret")
        defer { try? FileManager.default.removeItem(at: work) }
        let module = try generatedModule(tokenSourceTopology("secrets_manager"), name: "tokens", in: work)
        let directory = try planWorkspace(module: module, variables: [
            "vpc_id": "\"vpc-0123456789abcdef0\"", "subnet_ids": "[\"subnet-aaaa\", \"subnet-bbbb\"]", "allowed_security_group_ids": "[\"sg-1111\"]",
            "auth_token_secret_arn": "\"arn:aws:secretsmanager:eu-west-1:123456789012:secret:redis-abc\"",
            "redis_kms_key_arn": "\"arn:aws:kms:eu-west-1:123456789012:key/abc\"",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let validated = try validate(directory)
        #expect(validated.exitCode == 0, "\(validated.stdout)\(validated.stderr)")
        let main = try String(contentsOf: module.appendingPathComponent("main.tf"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(main.contains("data \"aws_secretsmanager_secret_version\" \"auth_token\" {"))
        #expect(main.contains("auth_token = data.aws_secretsmanager_secret_version.auth_token.secret_string"))
        let variables = try String(contentsOf: module.appendingPathComponent("variables.tf"), encoding: .utf8)
        #expect(!variables.contains("variable \"redis_token\""), "no token variable beside the secret")

        // A wrong ARN is refused by the module's own validation.
        try String(contentsOf: directory.appendingPathComponent("main.tf"), encoding: .utf8)
            .replacingOccurrences(of: "arn:aws:secretsmanager:", with: "arn:aws:ssm:")
            .write(to: directory.appendingPathComponent("main.tf"), atomically: true, encoding: .utf8)
        let refused = try terraform(["validate", "-no-color"], in: directory)
        #expect(refused.exitCode != 0 && refused.stderr.contains("Give a Secrets Manager secret ARN"), "\(refused.stderr)")
    }

    /// The token generated into a new secret: `random_password` needs hashicorp/random, which is
    /// not on this machine, so fmt and checkov run here and the file is read for what matters.
    @Test func theAuthTokenCanBeGeneratedIntoSecretsManager() throws {
        let work = try makeTemporaryDirectory(prefix: "tf-generated")
        defer { try? FileManager.default.removeItem(at: work) }
        let module = try generatedModule(tokenSourceTopology("generated"), name: "tokens", in: work)
        let read = { (file: String) in
            try String(contentsOf: module.appendingPathComponent(file), encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        }
        let main = try read("main.tf")
        for line in ["resource \"random_password\" \"auth_token\" {", "length = 64", "override_special = \"!#$%&*()-_=+[]{}<>:?\"",
                     "secret_string = random_password.auth_token.result", "auth_token = random_password.auth_token.result",
                     "name_prefix = \"${var.name}-auth-token-\"", "kms_key_id = var.redis_kms_key_arn"] {
            #expect(main.contains(line), "\(line)")
        }
        // The override set is the one ElastiCache accepts in a token.
        #expect(!main.contains { $0.hasPrefix("override_special") && ($0.dropFirst(20).contains("@") || $0.dropFirst(20).contains("/")) })
        #expect(try read("versions.tf").contains("random = {"))
        #expect(try read("outputs.tf").contains("value = aws_secretsmanager_secret.auth_token.arn"))
        #expect(try !read("variables.tf").contains("variable \"redis_token\" {"))
        let readme = try String(contentsOf: module.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("The tests cannot plan this example offline (it needs the hashicorp/random provider"))
    }

    func tokenSourceTopology(_ source: String) -> String {
        """
        name: tokens
        redis: {mode: sentinel, replicas: 1}
        auth: {password: {terraform_variable: redis_token}}
        targets:
          terraform:
            - {provider: aws, automatic_failover: true, multi_az: true, kms_key_variable: redis_kms_key_arn, auth_token_source: \(source)}

        """
    }

    /// Memorystore from a topology that names its network, key, window and persistence.
    @Test func gcpModuleTakesNetworkKeyWindowAndPersistenceFromTheTopology() throws {
        let work = try makeTemporaryDirectory(prefix: "tf-gcp")
        defer { try? FileManager.default.removeItem(at: work) }
        func lines(_ yaml: String) throws -> [String] {
            let module = try generatedModule(yaml, name: "store", provider: "gcp", in: work)
            return try String(contentsOf: module.appendingPathComponent("main.tf"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        }
        let private_ = try lines("""
            name: store
            redis: {persistence: {appendonly: false, save: ["21600 1", "43200 10"]}}
            targets:
              terraform:
                - {provider: gcp, region: europe-west1, connect_mode: private_service_access, kms_key_variable: redis_key, maintenance_day: TUESDAY, maintenance_hour: 3}

            """)
        for line in ["connect_mode = \"PRIVATE_SERVICE_ACCESS\"", "reserved_ip_range = var.reserved_ip_range", "customer_managed_key = var.redis_key",
                     "rdb_snapshot_period = \"SIX_HOURS\"", "day = \"TUESDAY\"", "hours = 3", "tier = \"BASIC\""] {
            #expect(private_.contains(line), "\(line)")
        }
        let off = try lines("name: store\nredis: {persistence: {appendonly: false, save: off}, restart: \"no\"}\ntargets:\n  terraform:\n    - {provider: gcp, region: europe-west1}\n")
        #expect(off.contains("persistence_mode = \"DISABLED\"") && !off.contains { $0.hasPrefix("rdb_snapshot_period") })
        #expect(!off.contains { $0.hasPrefix("customer_managed_key") })
    }

    /// A cluster topology on ElastiCache: cluster mode enabled, one node group per shard, the
    /// configuration endpoint in the URL, alarms on every node of every shard.
    @Test func awsClusterShapePlansNodeGroupsWithTheConfigurationEndpoint() throws {
        let work = try makeTemporaryDirectory(prefix: "tf-cluster")
        defer { try? FileManager.default.removeItem(at: work) }
        let module = try generatedModule("""
            name: sessions
            redis: {mode: cluster}
            cluster: {shards: 3, replicas_per_shard: 2}
            auth: {password: {terraform_variable: auth_token}}
            targets:
              terraform:
                - {provider: aws, automatic_failover: true, multi_az: true, alarm_topic_variable: alarms}

            """, name: "sessions", in: work)
        var inputs = [
            "vpc_id": "\"vpc-0123456789abcdef0\"", "subnet_ids": "[\"subnet-aaaa\", \"subnet-bbbb\"]", "allowed_security_group_ids": "[\"sg-1111\"]",
            "auth_token": "\"a-cluster-token-0123456789\"", "alarms": "\"arn:aws:sns:eu-west-1:123456789012:alarms\"",
        ]
        let directory = try planWorkspace(module: module, variables: inputs)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (result, json) = try plan(directory)
        try #require(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        let planned = resources(json)
        let group = try #require(planned["aws_elasticache_replication_group.this"])
        #expect(group["num_node_groups"] as? Int == 3)
        #expect(group["replicas_per_node_group"] as? Int == 2)
        #expect(group["automatic_failover_enabled"] as? Bool == true)
        let parameters = planned["aws_elasticache_parameter_group.this"]?["parameter"] as? [[String: Any]] ?? []
        #expect(parameters.contains { $0["name"] as? String == "cluster-enabled" && $0["value"] as? String == "yes" }, "\(parameters)")
        let alarms = planned.keys.filter { $0.hasPrefix("aws_cloudwatch_metric_alarm.cpu[") }
        #expect(alarms.count == 9, "one per node of every shard: \(alarms.sorted())")
        #expect(planned["aws_cloudwatch_metric_alarm.cpu[0]"]?["alarm_name"] as? String == "sessions-0001-001-cpu")
        #expect(planned["aws_cloudwatch_metric_alarm.cpu[8]"]?["dimensions"] as? [String: String] == ["CacheClusterId": "sessions-0003-003"])
        let outputs = try String(contentsOf: module.appendingPathComponent("outputs.tf"), encoding: .utf8)
        #expect(outputs.contains("rediss+cluster://") && outputs.contains("configuration_endpoint_address"))
        #expect(!outputs.contains("reader_endpoint_address") && !outputs.contains("primary_endpoint_address"))

        // The caller's sizes keep the topology's rules: 3 shards at least, 5 replicas at most.
        inputs["shard_count"] = "2"
        inputs["replicas_per_shard"] = "6"
        let invalid = try planWorkspace(module: module, variables: inputs)
        defer { try? FileManager.default.removeItem(at: invalid) }
        let errors = try plan(invalid).result.stderr
        #expect(errors.contains("Give 3 to 500 shards") && errors.contains("ElastiCache takes 0 to 5 replicas per shard."), "\(errors)")
    }

    /// A cluster topology on GCP: Memorystore for Redis Cluster, its shards and replicas from
    /// the topology, AOF where it appends, private service connect in the caller's network.
    @Test func gcpClusterShapeIsMemorystoreForRedisCluster() throws {
        let work = try makeTemporaryDirectory(prefix: "tf-gcp-cluster")
        defer { try? FileManager.default.removeItem(at: work) }
        let module = try generatedModule("""
            name: store
            redis: {mode: cluster, persistence: {appendonly: true, appendfsync: always}}
            cluster: {shards: 4, replicas_per_shard: 2}
            auth: {password: {terraform_variable: unused}}
            targets:
              terraform:
                - {provider: gcp, region: europe-west1, maintenance_hour: 3, cluster_node_type: REDIS_STANDARD_SMALL}

            """, name: "store", provider: "gcp", in: work)
        let lines = { (file: String) in
            try String(contentsOf: module.appendingPathComponent(file), encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        }
        let main = try lines("main.tf")
        for line in ["resource \"google_redis_cluster\" \"this\" {", "shard_count = var.shard_count", "replica_count = var.replica_count",
                     "authorization_mode = \"AUTH_MODE_IAM_AUTH\"", "transit_encryption_mode = \"TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION\"",
                     "network = var.network", "mode = \"AOF\"", "append_fsync = \"ALWAYS\"", "hours = 3", "prevent_destroy = true"] {
            #expect(main.contains(line), "\(line)")
        }
        let variables = try lines("variables.tf")
        #expect(variables.contains("default = 4") && variables.contains("default = 2") && variables.contains("default = \"REDIS_STANDARD_SMALL\""))
        #expect(try lines("outputs.tf").contains { $0.contains("rediss+cluster://") })
    }

    /// Valkey on GCP is Memorystore for Valkey in every shape: one resource, cluster mode on or
    /// off, its own versions, node types and fsync names. No google provider here to plan it:
    /// fmt and checkov (in `generatedModule`), and what the topology decides.
    @Test func gcpValkeyShapesAreMemorystoreForValkey() throws {
        let work = try makeTemporaryDirectory(prefix: "tf-gcp-valkey")
        defer { try? FileManager.default.removeItem(at: work) }
        func files(_ yaml: String) throws -> (main: [String], variables: [String], outputs: [String]) {
            let module = try generatedModule(yaml, name: "store", provider: "gcp", in: work)
            let lines = { (file: String) in
                try String(contentsOf: module.appendingPathComponent(file), encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
            }
            return (try lines("main.tf"), try lines("variables.tf"), try lines("outputs.tf"))
        }
        let cluster = try files("""
            name: store
            redis: {engine: valkey, version: "9.0", mode: cluster, persistence: {appendonly: true, appendfsync: always}}
            cluster: {shards: 4, replicas_per_shard: 2}
            auth: {enabled: false}
            targets:
              terraform:
                - {provider: gcp, region: europe-west1, node_type: SHARED_CORE_NANO}

            """)
        for line in ["resource \"google_memorystore_instance\" \"this\" {", "mode = \"CLUSTER\"", "engine_version = \"VALKEY_9_0\"", "shard_count = var.shard_count",
                     "replica_count = var.replica_count", "authorization_mode = \"AUTH_DISABLED\"", "transit_encryption_mode = \"SERVER_AUTHENTICATION\"",
                     "mode = \"AOF\"", "append_fsync = \"ALWAYS\"", "network = var.network"] {
            #expect(cluster.main.contains(line), "\(line)")
        }
        #expect(cluster.main.contains { $0.contains("CONNECTION_TYPE_DISCOVERY") } && !cluster.main.contains { $0.contains("CONNECTION_TYPE_READER") })
        #expect(cluster.variables.contains("default = 4") && cluster.variables.contains("default = 2") && cluster.variables.contains("default = \"SHARED_CORE_NANO\""))
        #expect(cluster.outputs.contains { $0.contains("rediss+cluster://") } && !cluster.outputs.contains("output \"read_endpoint\" {"))

        let single = try files("""
            name: store
            redis: {engine: valkey, version: "7.2", persistence: {appendonly: true, appendfsync: "no"}}
            auth: {password: {env: UNUSED}}
            targets:
              terraform:
                - {provider: gcp, region: europe-west1}

            """)
        for line in ["mode = \"CLUSTER_DISABLED\"", "engine_version = \"VALKEY_7_2\"", "shard_count = 1", "authorization_mode = \"IAM_AUTH\"", "append_fsync = \"NEVER\"", "prevent_destroy = true"] {
            #expect(single.main.contains(line), "\(line)")
        }
        #expect(!single.main.contains { $0.hasPrefix("kms_key") } && !single.main.contains { $0.contains("CONNECTION_TYPE_READER") })
        #expect(single.variables.contains("default = 0") && single.outputs.contains { $0.contains("\"rediss://${local.primary.ip_address}") })
    }

    @Test func awsStandaloneShapeIsOneNodeWithoutFailover() throws {
        let work = try makeTemporaryDirectory(prefix: "tf-standalone")
        defer { try? FileManager.default.removeItem(at: work) }
        let module = try generatedModule("""
            name: small-cache
            redis: {mode: standalone, maxmemory_policy: allkeys-lru}
            auth: {password: {terraform_variable: auth_token}}
            targets:
              terraform:
                - {provider: aws, node_type: cache.t4g.small}

            """, name: "small-cache", in: work)
        let directory = try planWorkspace(module: module, variables: [
            "vpc_id": "\"vpc-0123456789abcdef0\"", "subnet_ids": "[\"subnet-aaaa\"]",
            "allowed_security_group_ids": "[\"sg-1111\"]", "auth_token": "\"another-long-token-5678\"",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let (result, json) = try plan(directory)
        try #require(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        let group = try #require(resources(json)["aws_elasticache_replication_group.this"])
        #expect(group["num_cache_clusters"] as? Int == 1)
        #expect(group["automatic_failover_enabled"] as? Bool == false)
        #expect(group["multi_az_enabled"] as? Bool == false)
        #expect(resources(json).keys.filter { $0.hasPrefix("aws_cloudwatch_metric_alarm") }.isEmpty, "no SNS topic named, so no alarms")
        let outputs = try String(contentsOf: module.appendingPathComponent("outputs.tf"), encoding: .utf8)
        #expect(!outputs.contains("reader_endpoint_address"))
    }

    @Test func badInputsAreRefusedByTheModulesValidations() throws {
        var inputs = productionInputs
        inputs["redis_auth_token"] = "\"short\""
        inputs["redis_subnet_ids"] = "[\"subnet-aaaa\"]"
        inputs["allowed_cidr_blocks"] = "[\"10.0.0.0/8\", \"0.0.0.0/0\"]"
        inputs["auth_token_update_strategy"] = "\"DELETE\""
        inputs["name"] = "\"orders--cache\""
        let directory = try planWorkspace(module: packageRoot.appendingPathComponent("terraform/prod-queue/aws"), variables: inputs)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (result, _) = try plan(directory)
        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("The auth token must be 16 to 128 printable ASCII characters"), "\(result.stderr)")
        #expect(result.stderr.contains("Give at least 2 subnet id(s)."), "\(result.stderr)")
        #expect(result.stderr.contains("A /0 block (0.0.0.0/0) opens Redis to every address"), "\(result.stderr)")
        #expect(result.stderr.contains("auth_token_update_strategy is ROTATE or SET."), "\(result.stderr)")
        #expect(result.stderr.contains("A replication group id is 1 to 40 lower-case letters"), "\(result.stderr)")
    }

    @Test func checkovPassesCleanOnEveryCommittedModule() throws {
        for module in ["terraform/prod-queue/aws", "terraform/prod-cache/gcp", "terraform/valkey-queue/aws"] {
            let result = try runCheckov(packageRoot.appendingPathComponent(module))
            #expect(result.exitCode == 0, "\(module): \(result.stdout)")
            #expect(result.stdout.contains("Failed checks: 0"), "\(module): \(result.stdout)")
        }
        // checkov 3.3 has no policy for google_memorystore_instance: it runs clean, reporting none.
        let valkey = try runCheckov(packageRoot.appendingPathComponent("terraform/valkey-store/gcp"))
        #expect(valkey.exitCode == 0 && !valkey.stdout.contains("FAILED"), "\(valkey.stdout)")
    }

    @Test func gcpModuleMatchesTheTopology() throws {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("terraform/prod-cache/gcp/main.tf"), encoding: .utf8)
        // Alignment aside (fmt owns it), the attributes the topology decides.
        let main = text.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        for line in ["tier = \"STANDARD_HA\"", "replica_count = 2", "auth_enabled = true", "memory_size_gb = var.memory_size_gb", "rdb_snapshot_period = \"ONE_HOUR\"", "connect_mode = \"DIRECT_PEERING\"",
                     "hours = 5",
                     "transit_encryption_mode = \"SERVER_AUTHENTICATION\"", "redis_version = \"REDIS_7_0\"", "persistence_mode = \"RDB\"",
                     "maxmemory-policy = \"allkeys-lru\"", "day = \"SUNDAY\""] {
            #expect(main.contains(line), "\(line)")
        }
        let outputs = try String(contentsOf: packageRoot.appendingPathComponent("terraform/prod-cache/gcp/outputs.tf"), encoding: .utf8)
        // Every CA in the bundle, so a CA rotation does not break clients; the read port too.
        #expect(outputs.contains("[for ca in google_redis_instance.this.server_ca_certs : ca.cert]"))
        #expect(!outputs.contains("server_ca_certs[0]"))
        #expect(outputs.contains("google_redis_instance.this.read_endpoint_port"))
        #expect(main.contains("prevent_destroy = true"))
        #expect(outputs.contains("rediss://"))
    }

    func runCheckov(_ directory: URL) throws -> CommandResult {
        try runSystem(
            packageRoot.appendingPathComponent(".venv-tools/bin/checkov").path,
            ["-d", directory.path, "--framework", "terraform", "--skip-download", "--compact"],
            environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        )
    }
}
