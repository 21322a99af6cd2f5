import Topology

/// One condition worth an alert: the PromQL that finds it, how long it must hold, who is woken
/// (`page`) or told (`ticket`), what to check first, and — where ElastiCache measures the same
/// thing — the CloudWatch alarm a Terraform target raises for it, with the same threshold.
struct AlertCondition {
    var name: String
    /// nil: Prometheus has no series for it here (host CPU: node_exporter's, not redis_exporter's).
    var expression: String?
    /// How long the expression must hold before the alert fires (0: at once).
    var holdSeconds: Int
    var severity: Severity
    var summary: String
    /// The first thing to check, for an operator woken at night.
    var runbook: String
    var cloudWatch: CloudWatchAlarm? = nil

    enum Severity: String { case page, ticket }

    /// Prometheus's `for:` text (`5m`, `30s`); nil when it fires at once.
    var holdText: String? {
        guard holdSeconds > 0 else { return nil }
        return holdSeconds % 60 == 0 ? "\(holdSeconds / 60)m" : "\(holdSeconds)s"
    }
}

/// The CloudWatch form of a condition: an ElastiCache per-node metric against the condition's
/// threshold, held as long as the Prometheus alert's `for:` (in 1- or 5-minute periods).
struct CloudWatchAlarm {
    /// The Terraform resource name (`aws_cloudwatch_metric_alarm.<id>`).
    var id: String
    var metric: String
    var statistic: String
    var threshold: Int64
    var comparison = "GreaterThanThreshold"
    var description: String

    var comparisonSymbol: String { comparison == "GreaterThanThreshold" ? ">" : ">=" }

    /// Periods of 5 minutes for holds of 5 minutes or more, else of 1 minute.
    static func periods(holdSeconds: Int) -> (period: Int, count: Int) {
        let period = holdSeconds >= 300 ? 300 : 60
        return (period, max(1, holdSeconds / period))
    }
}

/// A recording rule: a series the alerts and the dashboard read instead of recomputing it.
struct RecordingRule {
    var record: String
    var expression: String
}

/// The conditions of one topology, from its own numbers: maxmemory, replicas, quorum, lag
/// bound, health-check timeout, production contexts. One table, rendered as Prometheus rules.
struct AlertConditions {
    let topology: Topology

    /// `{context=~"api|worker"}` for the production contexts; every context when none are named.
    private var productionSelector: String {
        let contexts = topology.monitoring.productionContexts.map(\.value)
        guard !contexts.isEmpty else { return "" }
        return "{context=~\"\(contexts.map(Self.regexQuoted).joined(separator: "|"))\"}"
    }

    static let errorRatio = "infra_redis:connection_error_ratio:rate5m"
    /// Memory alerts fire above this share of maxmemory, in both forms.
    static let memoryPercent = 90
    static let connectP99 = "infra_redis:connection_duration_seconds:p99_5m"

    var recordingRules: [RecordingRule] {
        [
            RecordingRule(
                record: Self.errorRatio,
                expression: "sum by (context) (rate(infra_redis_connection_errors_total[5m])) / sum by (context) (rate(infra_redis_connection_attempts_total[5m]))"
            ),
            RecordingRule(
                record: Self.connectP99,
                expression: "histogram_quantile(0.99, sum by (le, context) (rate(infra_redis_connection_duration_seconds_bucket[5m])))"
            ),
        ]
    }

    /// The factory's own series (`infra_redis_*`), as applications expose them.
    var factory: [AlertCondition] {
        let selector = productionSelector
        let timeout = topology.healthcheck.timeout.value
        return ([
            AlertCondition(
                name: "RedisFactoryFallbackInProduction",
                // The count, not its increase: a service falls back once, at start, and stays on
                // the stub; its counter never moves again (increase() would read 0).
                expression: "sum by (context, reason) (infra_redis_fallback_total\(selector)) > 0",
                holdSeconds: 0, severity: .page,
                summary: "A production context ({{ $labels.context }}) is running on the in-memory stub: its data is not in Redis",
                runbook: "Check the application's Redis URL and that Redis answers from the application's host (redis-infra check --strict --url ...); the reason label says why it fell back. Then set fallbackToFake: false for that context."
            ),
            AlertCondition(
                name: "RedisFactoryConnectionErrors",
                expression: "\(Self.errorRatio) > 0.1",
                holdSeconds: 600, severity: .ticket,
                summary: "More than 10% of {{ $labels.context }}'s connection attempts fail",
                runbook: "Look at infra_redis_connection_errors_total's error label (timeout, auth, refused) for the context; then Redis's rejected connections and maxclients."
            ),
            AlertCondition(
                name: "RedisFactoryConnectSlow",
                expression: "\(Self.connectP99) > \(timeout.secondsText)",
                holdSeconds: 600, severity: .ticket,
                summary: "{{ $labels.context }}'s connects take longer than the health check's \(timeout.secondsText) s timeout (p99)",
                runbook: "Check the network path and DNS from the application to Redis, and Redis's own latency (redis-cli --latency); TLS handshakes add a round trip."
            ),
            AlertCondition(
                name: "RedisFactoryAttemptsKeepFailing",
                expression: "sum by (context) (increase(infra_redis_connection_attempts_total{outcome!=\"real\"}[15m])) > 0 unless sum by (context) (increase(infra_redis_connection_attempts_total{outcome=\"real\"}[15m])) > 0",
                holdSeconds: 0, severity: .page,
                summary: "{{ $labels.context }} has not reached Redis once in 15 minutes of trying",
                runbook: "Redis is unreachable from this context: check the URL it resolves (EMBEDDINGS_REDIS_URL, REDIS_URL), the password file, and that Redis is up (RedisDown)."
            ),
        ] as [AlertCondition]).map { fast($0) }
    }

    /// Redis itself, through redis_exporter, as Prometheus evaluates it (`monitoring.fast` applied).
    var redis: [AlertCondition] { redisTable.map { fast($0) } }

    /// The CloudWatch forms, each with its condition's full hold (`fast` is for Prometheus tests).
    var cloudWatchAlarms: [(alarm: CloudWatchAlarm, holdSeconds: Int)] {
        redisTable.compactMap { condition in condition.cloudWatch.map { ($0, condition.holdSeconds) } }
    }

    /// Every condition on Redis itself, in the table's order, holds as written.
    var redisTable: [AlertCondition] {
        let redis = topology.redis
        let mode = redis.mode.value
        var conditions = [
            AlertCondition(
                name: "RedisHostCPUHigh",
                expression: nil,
                holdSeconds: 600, severity: .ticket,
                summary: "The host's CPU is above 80% for 10 minutes",
                runbook: "Background work (RDB/AOF rewrite forks, TLS) or an undersized node: compare with the engine CPU.",
                cloudWatch: CloudWatchAlarm(id: "cpu", metric: "CPUUtilization", statistic: "Average", threshold: 80, description: "Host CPU above 80% for 10 minutes")
            ),
            AlertCondition(
                name: "RedisEngineCPUHigh",
                // The main thread's, as ElastiCache's EngineCPUUtilization: Redis runs commands on one thread.
                expression: "sum by (instance) (rate(redis_cpu_user_main_thread_seconds_total[5m]) + rate(redis_cpu_sys_main_thread_seconds_total[5m])) > 0.8",
                holdSeconds: 600, severity: .ticket,
                summary: "{{ $labels.instance }}'s command thread is busier than 80% for 10 minutes: latency follows",
                runbook: "Which commands cost most (SLOWLOG GET, INFO commandstats)? O(N) commands on big keys (KEYS, SMEMBERS, HGETALL) are the usual cause; then shard.",
                cloudWatch: CloudWatchAlarm(id: "engine_cpu", metric: "EngineCPUUtilization", statistic: "Average", threshold: 80, description: "Redis engine thread above 80% for 10 minutes")
            ),
            AlertCondition(
                name: "RedisDown",
                // Or its exporter's scrape fails: a server that hangs (not refusing, not answering)
                // makes a sidecar time out, and then there is no redis_up at all.
                expression: "redis_up == 0 or up{job=~\"\(topology.name.value)-(redis|sentinel)\"} == 0",
                holdSeconds: 60, severity: .page,
                summary: "{{ $labels.instance }} does not answer its exporter (or the exporter does not answer)",
                runbook: "Is the process running (docker compose ps, the container's health)? Its log says why it stopped: out of memory, a full disk, a config it refused."
            ),
            AlertCondition(
                name: "RedisRDBSaveFailed",
                expression: "redis_rdb_last_bgsave_status == 0",
                holdSeconds: 60, severity: .page,
                summary: "{{ $labels.instance }}'s last RDB save failed: writes fail with MISCONF",
                runbook: "Check the data volume's free space and permissions, then the server log's last 'Background saving' lines."
            ),
            AlertCondition(
                name: "RedisRejectedConnections",
                expression: "increase(redis_rejected_connections_total[5m]) > 0",
                holdSeconds: 0, severity: .ticket,
                summary: "{{ $labels.instance }} refused connections (maxclients reached)",
                runbook: "Which clients hold connections (CLIENT LIST, by name)? A connection leak in one application is the usual cause; then maxclients."
            ),
        ]
        if redis.persistence.appendonly.value {
            conditions.append(AlertCondition(
                name: "RedisAOFWriteFailed",
                expression: "redis_aof_last_write_status == 0",
                holdSeconds: 60, severity: .page,
                summary: "{{ $labels.instance }}'s last AOF write failed: writes fail with MISCONF",
                runbook: "Check the data volume's free space (the AOF grows until rewritten) and the server log."
            ))
        }
        // In bytes where the topology sets maxmemory; else against the maxmemory each node reports
        // (a managed service's node size), where one is set.
        let maxmemory = redis.maxmemory?.value
        let nearMemory = maxmemory.map { "redis_memory_used_bytes > \($0 * Int64(Self.memoryPercent) / 100)" }
            ?? "redis_memory_used_bytes > \(Double(Self.memoryPercent) / 100) * redis_memory_max_bytes and redis_memory_max_bytes > 0"
        conditions.append(AlertCondition(
            name: "RedisMemoryNearMaxmemory",
            expression: nearMemory,
            holdSeconds: 300, severity: .ticket,
            summary: "{{ $labels.instance }} uses more than \(Self.memoryPercent)% of its maxmemory\(maxmemory.map { " (\($0) bytes)" } ?? "")",
            runbook: redis.maxmemoryPolicy.value == "noeviction"
                ? "Under noeviction writes will fail with OOM at maxmemory: find the big keys (redis-cli --bigkeys), check TTLs, or raise maxmemory."
                : "Keys will be evicted (\(redis.maxmemoryPolicy.value)): check that this is a cache, and the eviction rate.",
            cloudWatch: CloudWatchAlarm(id: "memory", metric: "DatabaseMemoryUsagePercentage", statistic: "Average", threshold: Int64(Self.memoryPercent),
                                        description: "Data set above \(Self.memoryPercent)% of maxmemory for 5 minutes")
        ))
        if redis.maxmemoryPolicy.value == "noeviction" {
            conditions.append(AlertCondition(
                name: "RedisWritesRejected",
                expression: maxmemory.map { "redis_memory_used_bytes >= \($0)" } ?? "redis_memory_used_bytes >= redis_memory_max_bytes and redis_memory_max_bytes > 0",
                holdSeconds: 0, severity: .page,
                summary: "{{ $labels.instance }} is at maxmemory under noeviction: every write fails with OOM",
                runbook: "Free memory now (delete or expire what is not needed) or raise maxmemory; then find what grew.",
                cloudWatch: CloudWatchAlarm(id: "writes_rejected", metric: "DatabaseMemoryUsagePercentage", statistic: "Maximum", threshold: 100,
                                            comparison: "GreaterThanOrEqualToThreshold", description: "At maxmemory under noeviction: writes fail with OOM")
            ))
        } else {
            conditions.append(AlertCondition(
                name: "RedisEvicting",
                expression: "increase(redis_evicted_keys_total[5m]) > 0",
                holdSeconds: 300, severity: .ticket,
                summary: "{{ $labels.instance }} evicts keys (\(redis.maxmemoryPolicy.value)) for 5 minutes",
                runbook: "Expected for a cache at its limit; if the hit rate drops, raise maxmemory.",
                cloudWatch: CloudWatchAlarm(id: "evictions", metric: "Evictions", statistic: "Sum", threshold: 0, description: "Keys evicted (\(redis.maxmemoryPolicy.value)): the data set does not fit")
            ))
        }
        let replicas = redis.replicas.value
        if replicas > 0 {
            let lag = Int(topology.healthcheck.maxReplicaLag.value.wholeMilliseconds / 1000)
            conditions += [
                AlertCondition(
                    name: "RedisReplicationLinkDown",
                    expression: "redis_master_link_up == 0",
                    holdSeconds: 60, severity: .page,
                    summary: "Replica {{ $labels.instance }} has lost its master",
                    runbook: "Can the replica reach its master (network, masterauth)? A failover in progress also shows this for a moment."
                ),
                AlertCondition(
                    name: "RedisReplicaLagging",
                    expression: "redis_master_last_io_seconds_ago > \(lag)",
                    holdSeconds: 60, severity: .ticket,
                    summary: "Replica {{ $labels.instance }} last heard from its master more than \(lag) s ago (the topology's max_replica_lag)",
                    runbook: "Check the master's load and output buffers (client-output-buffer-limit replica) and the network between them.",
                    cloudWatch: CloudWatchAlarm(id: "replication_lag", metric: "ReplicationLag", statistic: "Maximum", threshold: Int64(lag),
                                                description: "A replica more than \(lag) s behind the primary (the topology's max_replica_lag)")
                ),
                AlertCondition(
                    name: "RedisTooFewReplicas",
                    expression: "redis_connected_slaves < \(replicas) and on (instance) redis_instance_info{role=\"master\"}",
                    holdSeconds: 120, severity: .ticket,
                    summary: "Master {{ $labels.instance }} has fewer than the topology's \(replicas) replica(s) per master",
                    runbook: "Which replica is missing (RedisDown, RedisReplicationLinkDown)? A failover leaves the old master to rejoin as a replica."
                ),
            ]
        }
        if let sentinel = topology.ownSentinels {
            let master = sentinel.masterName.value
            conditions += [
                AlertCondition(
                    name: "RedisSentinelQuorumLost",
                    expression: "redis_sentinel_master_ckquorum_status{master_name=\"\(master)\"} == 0",
                    holdSeconds: 60, severity: .page,
                    summary: "Sentinel {{ $labels.instance }} cannot reach the quorum of \(sentinel.quorum.value) for \(master): no failover is possible",
                    runbook: "How many Sentinels are up (RedisDown on each)? \(sentinel.count.value) run, \(sentinel.quorum.value) must agree."
                ),
                AlertCondition(
                    name: "RedisSentinelFailover",
                    expression: "count by (master_name) (count by (master_name, master_address) (count_over_time(redis_sentinel_master_status{master_name=\"\(master)\"}[10m]))) > 1",
                    holdSeconds: 0, severity: .ticket,
                    summary: "Sentinel moved \(master) to another node in the last 10 minutes",
                    runbook: "Why did the old master fail (its log, RedisDown)? Check that it came back as a replica and that clients followed."
                ),
            ]
        }
        if mode == .cluster {
            conditions.append(AlertCondition(
                name: "RedisClusterDown",
                expression: "redis_cluster_state == 0",
                holdSeconds: 60, severity: .page,
                summary: "{{ $labels.instance }} sees its cluster not ok: some slots are not served",
                runbook: "redis-cli --cluster check <any node>: which shard lost its master and its replicas?"
            ))
        }
        return conditions
    }

    /// With `monitoring.fast`, every hold is a few seconds: the alert tests run in seconds.
    private func fast(_ condition: AlertCondition) -> AlertCondition {
        guard topology.monitoring.fast.value else { return condition }
        var shortened = condition
        shortened.holdSeconds = min(condition.holdSeconds, 5)
        return shortened
    }

    private static func regexQuoted(_ text: String) -> String {
        text.map { "\\^$.|?*+()[]{}".contains($0) ? "\\\\\($0)" : String($0) }.joined()
    }
}

extension Topology {
    /// The Sentinels to watch: only where the topology runs its own (Compose); a managed
    /// service's HA shape fails over without them.
    var ownSentinels: SentinelSettings? {
        guard redis.mode.value == .sentinel, targets.contains(where: { $0.runsOwnServers }) else { return nil }
        return sentinel
    }
}
