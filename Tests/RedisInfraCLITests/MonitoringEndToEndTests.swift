import Foundation
import RedisFactory
import RedisTestSupport
import Testing

/// The Sentinel example's generated rules and scrape configuration, loaded by a real Prometheus
/// (Debian's 2.42) that scrapes a real redis_exporter (Debian's 1.45) beside each of a master,
/// two replicas and three Sentinels on loopback, as the example's `monitoring.exporters`
/// sidecars do, and the factory's series served the way an application serves them. Only
/// addresses are rewritten (service names become loopback ports); `monitoring.fast` makes the
/// alerts fire in seconds.
@Suite(.serialized) struct MonitoringEndToEndTests {
    @Test func alertsFireThroughPrometheusAndTheFallbackResolvesAfterRecovery() throws {
        let work = try makeTemporaryDirectory(prefix: "monitoring-e2e")
        defer { try? FileManager.default.removeItem(at: work) }
        // The example, with fast alerts.
        let example = try String(contentsOf: packageRoot.appendingPathComponent("topologies/sentinel-ha.yaml"), encoding: .utf8)
        let topology = work.appendingPathComponent("sentinel-ha.yaml")
        try example.replacingOccurrences(of: "  production_contexts: [api, worker]\n", with: "  production_contexts: [api, worker]\n  fast: true\n")
            .write(to: topology, atomically: true, encoding: .utf8)
        let generated = try runProduct("redis-infra", ["generate", "--out", work.path, topology.path])
        try #require(generated.exitCode == 0, "\(generated.stderr)")
        let folder = work.appendingPathComponent("monitoring/embeddings")

        let set = try SentinelSet.start(replicas: 2, password: nil, masterName: "embeddings")
        defer { (set.nodes + set.sentinels).forEach { $0.stop() } }
        // One exporter per server, as the sidecars: (the service it stands for, its exporter).
        let servers = set.nodes.enumerated().map { ("embeddings-redis-\($0)", $1) } + set.sentinels.enumerated().map { ("embeddings-sentinel-\($0 + 1)", $1) }
        let exporters = try servers.map { service, server in
            let port = try freeLoopbackPort()
            return (service, try LaunchedProcess(
                "/usr/bin/prometheus-redis-exporter", ["-redis.addr", server.url, "-web.listen-address", "127.0.0.1:\(port)"],
                environment: [:], port: port, log: work.appendingPathComponent("\(service)-exporter.log")
            ), port)
        }
        defer { exporters.forEach { $0.1.stop() } }

        // The factory's series, as an application serves them: its exposition at /metrics.
        let metrics = RedisMetrics()
        var options = ConnectionOptions(metrics: metrics)
        options.connectTimeout = .milliseconds(200)
        let closed = try freeLoopbackPort()
        let fallback = try RedisFactory.makeClient(preferredURL: "redis://127.0.0.1:\(closed)", fallbackToFake: true, context: "api", options: options)
        #expect(fallback.isStub)
        let served = work.appendingPathComponent("served")
        try FileManager.default.createDirectory(at: served, withIntermediateDirectories: true)
        try RedisFactory.metricsExposition(metrics).write(to: served.appendingPathComponent("metrics"), atomically: true, encoding: .utf8)
        let httpPort = try freeLoopbackPort()
        let http = try LaunchedProcess(
            "/usr/bin/python3", ["-m", "http.server", "--bind", "127.0.0.1", "--directory", served.path, String(httpPort)],
            environment: ["PATH": "/usr/bin:/bin"], port: httpPort, log: work.appendingPathComponent("http.log")
        )
        defer { http.stop() }

        // The generated scrape configuration with loopback addresses.
        var config = try String(contentsOf: folder.appendingPathComponent("prometheus.yml"), encoding: .utf8)
        for (index, node) in set.nodes.enumerated() {
            config = config.replacingOccurrences(of: "embeddings-redis-\(index):6379", with: "127.0.0.1:\(node.port)")
        }
        for (index, sentinel) in set.sentinels.enumerated() {
            config = config.replacingOccurrences(of: "embeddings-sentinel-\(index + 1):26379", with: "127.0.0.1:\(sentinel.port)")
        }
        for (service, _, port) in exporters {
            config = config.replacingOccurrences(of: "\(service)-exporter:9121", with: "127.0.0.1:\(port)")
        }
        try config.write(to: folder.appendingPathComponent("prometheus.yml"), atomically: true, encoding: .utf8)
        try "[{\"targets\": [\"127.0.0.1:\(httpPort)\"]}]\n".write(to: folder.appendingPathComponent("factory-targets.json"), atomically: true, encoding: .utf8)
        let prometheusPort = try freeLoopbackPort()
        let prometheus = try LaunchedProcess(
            "/usr/bin/prometheus", [
                "--config.file", folder.appendingPathComponent("prometheus.yml").path,
                "--storage.tsdb.path", work.appendingPathComponent("tsdb").path,
                "--web.listen-address", "127.0.0.1:\(prometheusPort)",
            ],
            environment: [:], port: prometheusPort, log: work.appendingPathComponent("prometheus.log")
        )
        defer { prometheus.stop() }
        let api = PrometheusAPI(port: prometheusPort)

        // Healthy first: every target up, no Redis alert, and the fallback in `api` pages.
        #expect(eventually(within: 60, every: 1) { (try? api.firing()).map { $0.contains("RedisFactoryFallbackInProduction") } ?? false },
                "fallback alert: \((try? api.firing()) ?? [])")
        let healthy = try api.firing()
        #expect(!healthy.contains("RedisDown") && !healthy.contains("RedisSentinelFailover"), "\(healthy)")

        // Every series the rules read reaches this Prometheus (a replica's link series only
        // once it has synced: waited for, not assumed).
        var missing: [String] = []
        let found = eventually(within: 30, every: 1) {
            missing = ["redis_up", "redis_connected_slaves", "redis_master_link_up", "redis_sentinel_master_status", "redis_sentinel_master_ckquorum_status", "infra_redis_fallback_total", "redis_memory_used_bytes"]
                .filter { ((try? api.seriesCount($0)) ?? 0) == 0 }
            return missing.isEmpty
        }
        #expect(found, "no \(missing)")
        #expect(try api.seriesCount("up{job=~\"embeddings-(redis|sentinel)\"} == 1") == 6, "every sidecar scraped")
        // So does every panel of the generated dashboard (rates need a few scrapes first).
        let dashboard = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("dashboard.json"))) as? [String: Any]
        let queries = ((dashboard?["panels"] as? [[String: Any]]) ?? []).flatMap { ($0["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String } }
        #expect(queries.count == 15, "\(queries)")
        var empty: [String] = []
        let answered = eventually(within: 30, every: 1) {
            empty = queries.filter { ((try? api.query($0))?.series ?? 0) == 0 }
            return empty.isEmpty
        }
        #expect(answered, "dashboard queries without series: \(empty)")
        for query in queries {
            let reply = try api.query(query)
            #expect(reply.status == "success", "\(query): \(reply.error ?? "")")
        }

        // The master dies: RedisDown fires, Sentinel fails over, the failover alert fires.
        let masterPort = try #require(set.masterPort())
        let master = try #require(set.node(port: masterPort))
        let masterInstance = "redis://127.0.0.1:\(master.port)"
        master.stop()
        #expect(eventually(within: 90, every: 1) { (try? api.firing(labelled: masterInstance))?.contains("RedisDown") ?? false },
                "RedisDown for \(masterInstance): \((try? api.firing()) ?? [])")
        #expect(eventually(within: 90, every: 1) { (try? api.firing())?.contains("RedisSentinelFailover") ?? false },
                "failover alert: \((try? api.firing()) ?? [])")

        // The application restarts and reaches Redis (the promoted master, through the
        // Sentinels): its fresh series say so, and the fallback alert resolves.
        let restarted = RedisMetrics()
        let real = try RedisFactory.makeClient(preferredURL: set.url, fallbackToFake: false, context: "api", options: ConnectionOptions(metrics: restarted))
        #expect(!real.isStub)
        try RedisFactory.metricsExposition(restarted).write(to: served.appendingPathComponent("metrics"), atomically: true, encoding: .utf8)
        #expect(eventually(within: 60, every: 1) { (try? api.firing()).map { !$0.contains("RedisFactoryFallbackInProduction") } ?? false },
                "still firing: \((try? api.firing()) ?? [])")

        // The killed node comes back, as a replaced container does: an empty server on its
        // address, a replica of the new master. RedisDown resolves.
        let newMaster = try #require(set.masterPort())
        let returned = try LaunchedProcess(
            ServerEngine.current.serverPath, ["--bind", "127.0.0.1", "--port", String(master.port), "--save", "", "--replicaof", "127.0.0.1", String(newMaster)],
            environment: [:], port: master.port, log: work.appendingPathComponent("returned.log")
        )
        defer { returned.stop() }
        #expect(eventually(within: 60, every: 1) { (try? api.firing(labelled: masterInstance)).map { !$0.contains("RedisDown") } ?? false },
                "RedisDown still firing for \(masterInstance): \((try? api.firing()) ?? [])")
        print("monitoring e2e: RedisDown and RedisSentinelFailover fired through Prometheus after the master was killed, RedisDown resolved when it returned; the fallback alert fired and resolved")
    }
}

/// Prometheus's HTTP API, read with curl (no HTTP client in the test's dependencies).
struct PrometheusAPI {
    let port: Int

    private func get(_ path: String) throws -> [String: Any] {
        let result = try runSystem("/usr/bin/curl", ["-s", "--max-time", "5", "http://127.0.0.1:\(port)\(path)"])
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
    }

    private func alerts() throws -> [[String: Any]] {
        ((try get("/api/v1/alerts"))["data"] as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
    }

    /// Names of the firing alerts (with this instance label, when given).
    func firing(labelled instance: String? = nil) throws -> [String] {
        try alerts().filter { $0["state"] as? String == "firing" }.compactMap { alert in
            let labels = alert["labels"] as? [String: String] ?? [:]
            if let instance, labels["instance"] != instance { return nil }
            return labels["alertname"]
        }
    }

    func seriesCount(_ query: String) throws -> Int {
        try self.query(query).series
    }

    /// An instant query: Prometheus's status and how many series answered.
    func query(_ query: String) throws -> (status: String, series: Int, error: String?) {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = query.addingPercentEncoding(withAllowedCharacters: allowed) ?? query
        let reply = try get("/api/v1/query?query=\(encoded)")
        let data = reply["data"] as? [String: Any]
        return (reply["status"] as? String ?? "no reply", (data?["result"] as? [Any])?.count ?? 0, reply["error"] as? String)
    }
}
