import Topology

/// `monitoring/<name>/ALERTS.md`: the topology's conditions as one table — each with its
/// Prometheus rule and, on ElastiCache, its CloudWatch alarm side by side — rendered from the same
/// rows as `rules.yml` and the Terraform alarms, so the three cannot disagree.
enum AlertsTable {
    static func render(_ topology: Topology, header: GeneratedHeader) -> String {
        let conditions = AlertConditions(topology: topology)
        let onAWS = topology.targets(of: TerraformTarget.self).contains { $0.provider == .aws }
        var lines = header.lines(purpose: "The alerts of \(topology.name.value), their thresholds and what to check first.").map { "<!-- \($0) -->" }
        lines += ["", "# Alerts of \(topology.name.value)", ""]
        lines += ["Rendered from one table: `rules.yml` beside this file\(onAWS ? " and the CloudWatch alarms of `terraform/\(topology.name.value)/aws`" : "") are its other views.", ""]
        var columns = "| alert | severity | Prometheus (`for`) |"
        var rule = "|---|---|---|"
        if onAWS {
            columns += " CloudWatch (per node) |"
            rule += "---|"
        }
        lines += [columns + " what to check first |", rule + "---|"]
        // Prometheus's holds as evaluated (`monitoring.fast` shortens them), CloudWatch's as written.
        let rows = conditions.factory.map { ($0, $0) } + Array(zip(conditions.redis, conditions.redisTable))
        for (evaluated, written) in rows {
            let condition = written
            var row = "| \(condition.name) | \(condition.severity.rawValue) | "
            row += evaluated.expression.map { "`\(cell($0))` (\(evaluated.holdText ?? "at once"))" } ?? "— (a host metric: node_exporter's)"
            if onAWS {
                let alarm = condition.cloudWatch.map { alarm in
                    let periods = CloudWatchAlarm.periods(holdSeconds: condition.holdSeconds)
                    return "`\(alarm.metric)` \(alarm.statistic) \(alarm.comparisonSymbol) \(alarm.threshold), \(periods.count) × \(periods.period) s"
                }
                row += " | " + (alarm ?? (condition.name.hasPrefix("RedisFactory") ? "— (the application's series)" : "— (no ElastiCache metric)"))
            }
            lines.append(row + " | \(cell(condition.runbook)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}
