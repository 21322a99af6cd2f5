import Foundation
import RedisTestSupport
import Testing

/// The generated Prometheus rules under Prometheus's own tool: every committed file loads
/// (`promtool check rules`, `promtool check config`), and each alert group fires on the series
/// that should fire it and stays quiet on those that should not (`promtool test rules`), with
/// thresholds taken from the example topologies.
@Suite struct MonitoringRulesTests {
    let promtool = "/usr/bin/promtool"

    var monitoring: URL { packageRoot.appendingPathComponent("monitoring") }

    @Test func everyCommittedRuleFileAndScrapeConfigLoads() throws {
        let topologies = try FileManager.default.contentsOfDirectory(atPath: monitoring.path).sorted()
        let examples = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("topologies").path).filter { $0.hasSuffix(".yaml") }
        #expect(topologies.count == examples.count, "\(topologies)")
        for name in topologies {
            let folder = monitoring.appendingPathComponent(name)
            let rules = try runSystem(promtool, ["check", "rules", folder.appendingPathComponent("rules.yml").path])
            #expect(rules.exitCode == 0 && rules.stdout.contains("SUCCESS"), "\(name): \(rules.stdout)\(rules.stderr)")
            let config = folder.appendingPathComponent("prometheus.yml")
            guard FileManager.default.fileExists(atPath: config.path) else { continue }
            let checked = try runSystem(promtool, ["check", "config", config.path])
            #expect(checked.exitCode == 0, "\(name): \(checked.stdout)\(checked.stderr)")
        }
    }

    /// The Sentinel example: production contexts api and worker, 2 replicas, maxmemory 2gb.
    @Test func sentinelExampleAlertsFireOnTheirSeriesAndOnlyThere() throws {
        let rules = monitoring.appendingPathComponent("embeddings/rules.yml")
        let text = try String(contentsOf: rules, encoding: .utf8)
        let node = "redis://embeddings-redis-0:6379"
        let replica = "redis://embeddings-redis-1:6379"
        let sentinel = "redis://embeddings-sentinel-1:26379"
        let threshold = Int64(2) << 30 * 9 / 10
        let cases: [PromtoolCase] = [
            // Down for a minute pages; a moment's gap does not.
            PromtoolCase(series: [("redis_up{instance=\"\(node)\"}", "1 1 0x10"), ("redis_up{instance=\"\(replica)\"}", "1 0 1x10")],
                         alert: "RedisDown", at: "3m", firing: [["instance": node]]),
            // A fallback in a production context pages, also one made once at start (the counter
            // never moves again); in another context it does not.
            PromtoolCase(series: [
                ("infra_redis_fallback_total{context=\"api\",reason=\"refused\"}", "1x10"),
                ("infra_redis_fallback_total{context=\"batch\",reason=\"refused\"}", "0 0 5 9 12x10"),
            ], alert: "RedisFactoryFallbackInProduction", at: "1m", firing: [["context": "api", "reason": "refused"]]),
            // A master short of the topology's 2 replicas; a replica's own count is not that.
            PromtoolCase(series: [
                ("redis_connected_slaves{instance=\"\(node)\"}", "2 2 1x20"),
                ("redis_instance_info{instance=\"\(node)\",role=\"master\"}", "1x22"),
                ("redis_connected_slaves{instance=\"\(replica)\"}", "0x22"),
                ("redis_instance_info{instance=\"\(replica)\",role=\"slave\"}", "1x22"),
            ], alert: "RedisTooFewReplicas", at: "4m", firing: [["instance": node]]),
            // 90% of the topology's 2gb maxmemory, held 5 minutes.
            PromtoolCase(series: [
                ("redis_memory_used_bytes{instance=\"\(node)\"}", "\(threshold + 1)x30"),
                ("redis_memory_used_bytes{instance=\"\(replica)\"}", "\(threshold - 1)x30"),
            ], alert: "RedisMemoryNearMaxmemory", at: "6m", firing: [["instance": node]]),
            // The master moved: two addresses in ten minutes.
            PromtoolCase(series: [
                ("redis_sentinel_master_status{instance=\"\(sentinel)\",master_name=\"embeddings\",master_address=\"172.28.5.10:6379\",master_status=\"ok\"}", "1 1 1 _x10"),
                ("redis_sentinel_master_status{instance=\"\(sentinel)\",master_name=\"embeddings\",master_address=\"172.28.5.11:6379\",master_status=\"ok\"}", "_ _ _ 1x10"),
            ], alert: "RedisSentinelFailover", at: "2m", firing: [["master_name": "embeddings"]]),
            PromtoolCase(series: [
                ("redis_sentinel_master_status{instance=\"\(sentinel)\",master_name=\"embeddings\",master_address=\"172.28.5.10:6379\",master_status=\"ok\"}", "1x20"),
            ], alert: "RedisSentinelFailover", at: "2m", firing: []),
            PromtoolCase(series: [("redis_master_link_up{instance=\"\(replica)\"}", "1 0x10")], alert: "RedisReplicationLinkDown", at: "2m", firing: [["instance": replica]]),
        ]
        try run(cases, rules: rules, text: text)
    }

    /// The cluster example pages when a node sees its cluster down; the cache example (an
    /// evicting policy) reports evictions, where the Sentinel example (noeviction) has no such alert.
    @Test func clusterAndCacheExamplesHaveTheirOwnAlerts() throws {
        let sessions = monitoring.appendingPathComponent("sessions/rules.yml")
        try run([
            PromtoolCase(series: [("redis_cluster_state{instance=\"redis://sessions-redis-0:6379\"}", "1 0x10")], alert: "RedisClusterDown", at: "2m", firing: [["instance": "redis://sessions-redis-0:6379"]]),
        ], rules: sessions, text: try String(contentsOf: sessions, encoding: .utf8))
        let cache = monitoring.appendingPathComponent("dev-cache/rules.yml")
        try run([
            PromtoolCase(series: [("redis_evicted_keys_total{instance=\"redis://dev-cache-redis:6379\"}", "0+10x40")], alert: "RedisEvicting", at: "8m", firing: [["instance": "redis://dev-cache-redis:6379"]]),
        ], rules: cache, text: try String(contentsOf: cache, encoding: .utf8))
        #expect(!(try String(contentsOf: monitoring.appendingPathComponent("embeddings/rules.yml"), encoding: .utf8)).contains("RedisEvicting"))
    }

    // MARK: - promtool test rules

    struct PromtoolCase {
        var series: [(String, String)]
        var alert: String
        var at: String
        /// The alerts expected, by their labels beyond the rule's own.
        var firing: [[String: String]]
    }

    /// One `promtool test rules` file for these cases; the expected annotations are the rule's
    /// own, read from the rules file with `{{ $labels.x }}` filled in as Prometheus fills it.
    func run(_ cases: [PromtoolCase], rules: URL, text: String) throws {
        var yaml = "rule_files:\n  - \(rules.path)\nevaluation_interval: 15s\ntests:\n"
        for testCase in cases {
            yaml += "  - interval: 15s\n    input_series:\n"
            for (series, values) in testCase.series {
                yaml += "      - series: '\(series)'\n        values: '\(values)'\n"
            }
            yaml += "    alert_rule_test:\n      - eval_time: \(testCase.at)\n        alertname: \(testCase.alert)\n"
            if testCase.firing.isEmpty {
                yaml += "        exp_alerts: []\n"
                continue
            }
            yaml += "        exp_alerts:\n"
            let rule = try #require(ruleBlock(testCase.alert, in: text), "\(testCase.alert) is not in \(rules.lastPathComponent)")
            for labels in testCase.firing {
                let all = labels.merging(rule.labels) { own, _ in own }
                yaml += "          - exp_labels:\n" + all.sorted { $0.key < $1.key }.map { "              \($0.key): '\($0.value)'\n" }.joined()
                yaml += "            exp_annotations:\n"
                for (key, value) in rule.annotations {
                    yaml += "              \(key): \(labels.reduce(value) { $0.replacingOccurrences(of: "{{ $labels.\($1.key) }}", with: $1.value) })\n"
                }
            }
        }
        let file = try makeTemporaryDirectory(prefix: "promtool").appendingPathComponent("test.yml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        let result = try runSystem(promtool, ["test", "rules", file.path])
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)\n\(yaml)")
    }

    /// The rule's own labels and its annotations (as written, quoted) from the rendered file.
    func ruleBlock(_ alert: String, in text: String) -> (labels: [String: String], annotations: [(String, String)])? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasSuffix("- alert: \(alert)") }) else { return nil }
        let block = lines[(start + 1)...].prefix { !$0.contains("- alert: ") && !$0.contains("- name: ") }
        var labels: [String: String] = [:]
        var annotations: [(String, String)] = []
        var section = ""
        for line in block {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "labels:" || trimmed == "annotations:" { section = trimmed; continue }
            guard let colon = trimmed.firstIndex(of: ":"), line.hasPrefix("          ") else { continue }
            let key = String(trimmed[..<colon])
            let value = String(trimmed[trimmed.index(colon, offsetBy: 2)...])
            if section == "labels:" { labels[key] = value } else if section == "annotations:" { annotations.append((key, value)) }
        }
        return (labels, annotations)
    }
}
