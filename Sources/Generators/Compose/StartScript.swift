import Topology

/// `start.sh`: builds a node's runtime config from its mounted template and the secrets, then
/// execs Redis. Secrets reach Redis through that file only: never argv, never the environment.
/// Paths default to the container's and can be moved (the boot test runs it on loopback).
enum StartScript {
    static func file(plan: DeploymentPlan, header: GeneratedHeader) -> GeneratedFile {
        let engine = plan.topology.redis.engine.value
        var lines = ["#!/bin/sh"]
        lines += header.lines(purpose: "Starts one node: start.sh redis <config file> | start.sh sentinel").map { "# \($0)" }
        lines += [
            "set -eu",
            "config_dir=${REDIS_INFRA_CONFIG_DIR:-\(DeploymentPlan.configMount)}",
            "data_dir=${REDIS_INFRA_DATA_DIR:-\(DeploymentPlan.dataMount)}",
            "secrets_dir=${REDIS_INFRA_SECRETS_DIR:-/run/secrets}",
            "run_dir=${REDIS_INFRA_RUN_DIR:-\(DeploymentPlan.runDirectory)}",
            "umask 077",
            "",
            "# A secret file's content (a trailing newline dropped) as one quoted redis.conf argument,",
            "# after an optional prefix ('>' for an ACL password).",
            "secret() {",
            "  value=$(cat \"$secrets_dir/$1\")",
            "  printf '\"%s%s\"' \"${2:-}\" \"$(printf '%s' \"$value\" | sed 's/[\\\\\"]/\\\\&/g')\"",
            "}",
            "",
        ]
        if plan.password != nil {
            lines += [
                "# The health check's own user, allowed what it sends ($1) and nothing more: a fresh random",
                "# password at every start, in this container's tmpfs, where only its probe reads it.",
                "healthcheck_user() {",
                "  password=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \\n')",
                "  printf '%s' \"$password\" > \"$run_dir/\(DeploymentPlan.healthcheckPasswordName)\"",
                "  printf 'user \(DeploymentUser.healthcheck.rawValue) on >%s %s\\n' \"$password\" \"$1\"",
                "}",
                "",
            ]
        }
        if let tls = plan.tls {
            lines += [
                "tls_files() {",
                "  printf 'tls-cert-file %s\\ntls-key-file %s\\ntls-ca-cert-file %s\\n' \"$secrets_dir/\(tls.certificate.fileName)\" \"$secrets_dir/\(tls.key.fileName)\" \"$secrets_dir/\(tls.ca.fileName)\"",
                "}",
                "",
            ]
        }
        let tlsFiles = plan.tls == nil ? "" : " tls_files;"
        lines += [
            "redis_secrets() {",
        ]
        if plan.password != nil {
            lines += [
                "  password=$(secret \(plan.password!.fileName))",
                "  printf 'requirepass %s\\nmasterauth %s\\n' \"$password\" \"$password\"",
            ]
            if let sentinelPassword = plan.sentinelPassword {
                lines += [
                    "  password=$(secret \(sentinelPassword.fileName) '>')",
                    "  printf 'user \(DeploymentUser.sentinel.rawValue) on %s \(DeploymentPlan.sentinelUserRules)\\n' \"$password\"",
                ]
            }
            lines.append("  healthcheck_user '\(plan.healthcheckRedisRules)'")
        }
        for (user, secret) in plan.userSecrets {
            // A client on a Sentinel URL checks the master's ROLE (in @dangerous).
            let needsRole = plan.isHA && plan.clientUsers.contains(user.name.value)
            let rules = user.aclRules(extra: needsRole ? ["+role"] : []).map(RedisConfigDocument.argument).joined(separator: " ")
            lines += [
                "  password=$(secret \(secret.fileName) '>')",
                "  printf 'user \(user.name.value) on %s \(shellPrintfLiteral(rules))\\n' \"$password\"",
            ]
        }
        lines += [
            "  :",
            "}",
            "",
            "sentinel_secrets() {",
        ]
        if let sentinelPassword = plan.sentinelPassword {
            // Their own password for clients and peers, and their own user on the nodes.
            lines += [
                "  password=$(secret \(sentinelPassword.fileName))",
                "  printf 'requirepass %s\\nsentinel auth-user \(plan.masterName) \(DeploymentUser.sentinel.rawValue)\\nsentinel auth-pass \(plan.masterName) %s\\nsentinel sentinel-pass %s\\n' \"$password\" \"$password\" \"$password\"",
            ]
        } else if let password = plan.password {
            lines += [
                "  password=$(secret \(password.fileName))",
                "  printf 'requirepass %s\\nsentinel auth-pass \(plan.masterName) %s\\nsentinel sentinel-pass %s\\n' \"$password\" \"$password\" \"$password\"",
            ]
        }
        if plan.password != nil {
            lines.append("  healthcheck_user '\(DeploymentPlan.healthcheckRules.sentinel)'")
        }
        // A client's ACL user exists on the Sentinels too, with its own password (the factory
        // sends the URL's credentials to both), allowed to find the master and nothing more.
        for (user, secret) in plan.userSecrets where plan.isHA && plan.clientUsers.contains(user.name.value) {
            lines += [
                "  password=$(secret \(secret.fileName) '>')",
                "  printf 'user \(user.name.value) on %s +ping +sentinel|get-master-addr-by-name\\n' \"$password\"",
            ]
        }
        lines += [
            "  :",
            "}",
            "",
            "case ${1:-} in",
            "redis)",
            "  runtime=$data_dir/redis.conf",
            "  template=$config_dir/$2",
            "  {",
            "    if [ -f \"$runtime\" ]; then",
            "      # Keep the role Sentinel last gave this node (it rewrites replicaof into the runtime",
            "      # copy); all else comes fresh from the template.",
            "      grep -v -E '^(replicaof|slaveof) ' \"$template\"",
            "      grep -E '^(replicaof|slaveof) ' \"$runtime\" | tail -n 1 || true",
            "    else",
            "      cat \"$template\"",
            "    fi",
            "    printf 'dir %s\\n' \"$data_dir\";\(tlsFiles) redis_secrets",
            "  } > \"$runtime.new\"",
            "  mv \"$runtime.new\" \"$runtime\"",
            "  exec \(engine.serverCommand) \"$runtime\"",
            "  ;;",
            "sentinel)",
            "  runtime=$data_dir/sentinel.conf",
            "  # Sentinel keeps its state (current master, epochs, peers) in its file: the template is",
            "  # copied only once. The secrets are written anew at every start: Sentinel 7.0 rewrites",
            "  # auth-pass and sentinel-pass unquoted (and comments copies out with '# ???'), which it",
            "  # cannot read back once a password holds a quote or a space.",
            "  if [ -f \"$runtime\" ]; then",
            "    grep -v -E '^(requirepass |user |sentinel auth-(pass|user) |sentinel sentinel-pass |# [?]{3} )' \"$runtime\" > \"$runtime.new\" || true",
            "  else",
            "    { cat \"$config_dir/sentinel.conf\"; printf 'dir %s\\n' \"$data_dir\";\(tlsFiles) } > \"$runtime.new\"",
            "  fi",
            "  sentinel_secrets >> \"$runtime.new\"",
            "  mv \"$runtime.new\" \"$runtime\"",
            "  exec \(engine.serverCommand) \"$runtime\" --sentinel",
            "  ;;",
        ] + (plan.isCluster ? createCluster(plan: plan) : []) + [
            "*)",
            "  echo \"usage: start.sh redis <config file> | start.sh sentinel\(plan.isCluster ? " | start.sh create-cluster" : "")\" >&2",
            "  exit 2",
            "  ;;",
            "esac",
        ]
        return GeneratedFile(path: "\(plan.folder)/start.sh", contents: lines.joined(separator: "\n") + "\n", executable: true)
    }

    /// The create job's part: forms the cluster once. It waits for every node to answer PING
    /// (alive: being ready needs the cluster), leaves a cluster that exists alone, refuses a
    /// half-formed one, and else hands the nodes to `redis-cli --cluster create`. The password
    /// reaches redis-cli through REDISCLI_AUTH, never `-a`. Then it idles, healthy: Compose's
    /// `up --wait` refuses a service that has exited unless another waits for its completion.
    private static func createCluster(plan: DeploymentPlan) -> [String] {
        let replicas = plan.topology.cluster?.replicasPerShard.value ?? 0
        var tls = ""
        if let files = plan.tls {
            tls = " --tls --cacert \"$secrets_dir/\(files.ca.fileName)\" --cert \"$secrets_dir/\(files.certificate.fileName)\" --key \"$secrets_dir/\(files.key.fileName)\""
        }
        var lines = [
            "create-cluster)",
            "  set -- \(plan.nodes.map { "\(plan.announced($0)):\(plan.redisPort)" }.joined(separator: " "))",
        ]
        if let password = plan.password {
            lines += ["  REDISCLI_AUTH=$(cat \"$secrets_dir/\(password.fileName)\")", "  export REDISCLI_AUTH"]
        }
        lines += [
            "  cli() { node=$1; shift; \(plan.topology.redis.engine.value.cliCommand)\(tls) -h \"${node%:*}\" -p \"${node##*:}\" \"$@\"; }",
            "  for node in \"$@\"; do",
            "    until cli \"$node\" ping 2>/dev/null | grep -q PONG; do sleep 1; done",
            "  done",
            "  state=$(cli \"$1\" cluster info | tr -d '\\r')",
            "  if printf '%s\\n' \"$state\" | grep -q '^cluster_slots_assigned:\(ClusterSettings.slots)$'; then",
            "    echo \"cluster exists: nothing to do\"",
            "  elif ! printf '%s\\n' \"$state\" | grep -q '^cluster_known_nodes:1$'; then",
            "    echo \"error: $1 knows other nodes but not every slot is assigned: a half-formed cluster; check it with redis-cli --cluster check\" >&2",
            "    exit 1",
            "  else",
            "    \(plan.topology.redis.engine.value.cliCommand)\(tls) --cluster create \"$@\" --cluster-replicas \(replicas) --cluster-yes",
            "  fi",
            "  : > \"$run_dir/\(DeploymentPlan.clusterFormedMarker)\"",
            "  trap 'exit 0' TERM INT",
            "  while :; do sleep 3600 & wait $!; done",
            "  ;;",
        ]
        return lines
    }

    /// Text inside a single-quoted printf format: `%` doubled, `'` closed and reopened.
    private static func shellPrintfLiteral(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%%").replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "'\\''")
    }
}
