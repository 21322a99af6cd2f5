import Topology

/// `monitoring/<name>/dashboard.json`: a Grafana dashboard of the factory's series and Redis's,
/// one row per role the topology has (factory, nodes, replicas, Sentinels, cluster). Every
/// panel is a PromQL query over the same series the alert rules read; the datasource is a
/// variable, chosen on import.
struct Dashboard {
    let topology: Topology

    struct Panel {
        var title: String
        var query: String
        var legend: String
        var unit: String
    }

    /// Rows, in order, each with its panels.
    var rows: [(title: String, panels: [Panel])] {
        var rows: [(String, [Panel])] = [
            ("Factory (applications)", [
                Panel(title: "Clients on the stub, by context", query: "sum by (context) (infra_redis_fallback_total)", legend: "{{context}}", unit: "short"),
                Panel(title: "Connection attempts per second, by outcome", query: "sum by (outcome) (rate(infra_redis_connection_attempts_total[5m]))", legend: "{{outcome}}", unit: "ops"),
                Panel(title: "Connection error ratio, by context", query: AlertConditions.errorRatio, legend: "{{context}}", unit: "percentunit"),
                Panel(title: "Connect time p99, by context", query: AlertConditions.connectP99, legend: "{{context}}", unit: "s"),
            ]),
            ("Redis nodes", [
                Panel(title: "Up", query: "redis_up", legend: "{{instance}}", unit: "short"),
                Panel(title: "Memory used", query: "redis_memory_used_bytes", legend: "{{instance}}", unit: "bytes"),
                Panel(title: "Commands per second", query: "sum by (instance) (rate(redis_commands_processed_total[5m]))", legend: "{{instance}}", unit: "ops"),
                Panel(title: "Evictions per second", query: "rate(redis_evicted_keys_total[5m])", legend: "{{instance}}", unit: "ops"),
                Panel(title: "Rejected connections per second", query: "rate(redis_rejected_connections_total[5m])", legend: "{{instance}}", unit: "ops"),
            ]),
        ]
        if topology.redis.replicas.value > 0 {
            rows.append(("Replicas", [
                Panel(title: "Connected replicas per master", query: "redis_connected_slaves and on (instance) redis_instance_info{role=\"master\"}", legend: "{{instance}}", unit: "short"),
                Panel(title: "Link to master up", query: "redis_master_link_up", legend: "{{instance}}", unit: "short"),
                Panel(title: "Seconds since the master was heard", query: "redis_master_last_io_seconds_ago", legend: "{{instance}}", unit: "s"),
            ]))
        }
        if let sentinel = topology.ownSentinels {
            let master = sentinel.masterName.value
            rows.append(("Sentinels", [
                Panel(title: "Quorum reachable (CKQUORUM)", query: "redis_sentinel_master_ckquorum_status{master_name=\"\(master)\"}", legend: "{{instance}}", unit: "short"),
                Panel(title: "Master address, as each Sentinel sees it", query: "redis_sentinel_master_status{master_name=\"\(master)\"}", legend: "{{instance}} → {{master_address}}", unit: "short"),
                Panel(title: "Sentinels each Sentinel knows", query: "redis_sentinel_master_ok_sentinels{master_name=\"\(master)\"}", legend: "{{instance}}", unit: "short"),
            ]))
        }
        if topology.redis.mode.value == .cluster {
            rows.append(("Cluster", [
                Panel(title: "Cluster state ok", query: "redis_cluster_state", legend: "{{instance}}", unit: "short"),
                Panel(title: "Slots served", query: "redis_cluster_slots_ok", legend: "{{instance}}", unit: "short"),
            ]))
        }
        return rows
    }

    var json: JSONValue {
        var panels: [JSONValue] = []
        var id = 1
        var y = 0
        for row in rows {
            panels.append(.object([
                ("type", .string("row")), ("id", .int(id)), ("title", .string(row.title)), ("collapsed", .bool(false)),
                ("gridPos", .object([("h", .int(1)), ("w", .int(24)), ("x", .int(0)), ("y", .int(y))])),
            ]))
            id += 1
            y += 1
            for (index, panel) in row.panels.enumerated() {
                panels.append(.object([
                    ("type", .string("timeseries")), ("id", .int(id)), ("title", .string(panel.title)),
                    ("datasource", .object([("type", .string("prometheus")), ("uid", .string("${datasource}"))])),
                    ("gridPos", .object([("h", .int(8)), ("w", .int(8)), ("x", .int(8 * (index % 3))), ("y", .int(y + 8 * (index / 3)))])),
                    ("fieldConfig", .object([("defaults", .object([("unit", .string(panel.unit))])), ("overrides", .array([]))])),
                    ("targets", .array([.object([("refId", .string("A")), ("expr", .string(panel.query)), ("legendFormat", .string(panel.legend))])])),
                ]))
                id += 1
            }
            y += 8 * ((row.panels.count + 2) / 3)
        }
        return .object([
            ("title", .string("Redis: \(topology.name.value)")),
            ("uid", .string("redis-infra-\(topology.name.value)")),
            ("tags", .array([.string("redis-infra"), .string(topology.redis.engine.value.rawValue)])),
            ("timezone", .string("utc")),
            ("schemaVersion", .int(39)),
            ("time", .object([("from", .string("now-6h")), ("to", .string("now"))])),
            ("templating", .object([("list", .array([.object([
                ("name", .string("datasource")), ("type", .string("datasource")), ("query", .string("prometheus")), ("label", .string("Prometheus")),
            ])]))])),
            ("panels", .array(panels)),
        ])
    }
}
