import Topology

/// `monitoring/<name>/`: the Prometheus rules every topology gets (`rules.yml`: recording rules,
/// the factory's alerts, Redis's alerts through redis_exporter), and where the topology runs
/// under Compose, the scrape configuration for its nodes (`prometheus.yml`).
enum MonitoringFiles: DeploymentTarget {
    static func folder(for topology: Topology) -> String { "monitoring/\(topology.name.value)" }

    static func files(for topology: Topology, header: GeneratedHeader) -> [GeneratedFile] {
        let folder = folder(for: topology)
        let conditions = AlertConditions(topology: topology)
        let name = topology.name.value
        let groups: [YAMLValue] = [
            .mapping([
                YAMLEntry("name", .string("\(name).recording")),
                YAMLEntry("rules", .sequence(conditions.recordingRules.map { rule in
                    .mapping([YAMLEntry("record", .string(rule.record)), YAMLEntry("expr", .string(rule.expression))])
                })),
            ]),
            group("\(name).factory", conditions.factory, topology: topology),
            group("\(name).redis", conditions.redis, topology: topology),
        ]
        var files = [GeneratedFile(
            path: "\(folder)/rules.yml",
            contents: YAMLRenderer.render([YAMLEntry("groups", .sequence(groups))], header: header.lines(
                purpose: "Prometheus rules for \(name): recording rules, the factory's alerts and Redis's (redis_exporter). promtool check rules rules.yml"
            ))
        )]
        // JSON has no comments: the header goes in the dashboard's description.
        var dashboard = Dashboard(topology: topology).json
        if case .object(var fields) = dashboard {
            fields.insert(("description", .string(header.lines(purpose: "Grafana dashboard for \(name): the factory's series and Redis's, a row per role.").joined(separator: " "))), at: 1)
            dashboard = .object(fields)
        }
        files.append(GeneratedFile(path: "\(folder)/dashboard.json", contents: dashboard.rendered() + "\n"))
        files.append(GeneratedFile(path: "\(folder)/ALERTS.md", contents: AlertsTable.render(topology, header: header)))
        if let compose = topology.target(ComposeTarget.self) {
            files.append(scrapeConfig(DeploymentPlan(topology: topology, compose: compose), folder: folder, header: header))
        }
        return files
    }

    private static func group(_ name: String, _ conditions: [AlertCondition], topology: Topology) -> YAMLValue {
        .mapping([
            YAMLEntry("name", .string(name)),
            YAMLEntry("rules", .sequence(conditions.compactMap { condition in
                guard let expression = condition.expression else { return nil }
                var entries = [YAMLEntry("alert", .string(condition.name)), YAMLEntry("expr", .string(expression))]
                if let hold = condition.holdText { entries.append(YAMLEntry("for", .string(hold))) }
                entries += [
                    YAMLEntry("labels", .mapping([
                        YAMLEntry("severity", .string(condition.severity.rawValue)),
                        YAMLEntry("topology", .string(topology.name.value)),
                    ])),
                    YAMLEntry("annotations", .mapping([
                        YAMLEntry("summary", .string(condition.summary)),
                        YAMLEntry("runbook", .string(condition.runbook)),
                    ])),
                ]
                return .mapping(entries)
            })),
        ])
    }

    /// With `monitoring.exporters`, each sidecar is scraped, labelled with the server it reads;
    /// else one redis_exporter in multi-target mode (`/scrape?target=`), run by the operator,
    /// reaches every node and Sentinel by its service name. Either way `instance` is the
    /// server's address, so rules and dashboard read the same. The applications' own metrics
    /// endpoints are the operator's to list (`factory-targets.json`, file service discovery).
    private static func scrapeConfig(_ plan: DeploymentPlan, folder: String, header: GeneratedHeader) -> GeneratedFile {
        let port = plan.topology.redis.port.value
        let nodes = plan.nodes.map { "redis://\($0.service):\(port)" }
        let sentinels = plan.sentinels.map { "redis://\($0.service):\(plan.sentinelPort)" }
        func sidecarJob(_ job: String, exporters: [DeploymentPlan.Exporter]) -> YAMLValue {
            .mapping([
                YAMLEntry("job_name", .string(job)),
                YAMLEntry("static_configs", .sequence(exporters.map { exporter in
                    .mapping([
                        YAMLEntry("targets", .strings(["\(exporter.service):\(DeploymentPlan.exporterPort)"])),
                        YAMLEntry("labels", .mapping([YAMLEntry("instance", .string(exporter.target))])),
                    ])
                })),
            ])
        }
        func exporterJob(_ job: String, targets: [String]) -> YAMLValue {
            .mapping([
                YAMLEntry("job_name", .string(job)),
                YAMLEntry("metrics_path", .string("/scrape")),
                YAMLEntry("static_configs", .sequence([.mapping([YAMLEntry("targets", .strings(targets))])])),
                YAMLEntry("relabel_configs", .sequence([
                    .mapping([YAMLEntry("source_labels", .strings(["__address__"])), YAMLEntry("target_label", .string("__param_target"))]),
                    .mapping([YAMLEntry("source_labels", .strings(["__param_target"])), YAMLEntry("target_label", .string("instance"))]),
                    .mapping([YAMLEntry("target_label", .string("__address__")), YAMLEntry("replacement", .string("\(plan.name)-redis-exporter:9121"))]),
                ])),
            ])
        }
        var jobs: [YAMLValue]
        let sidecars = plan.exporters
        if sidecars.isEmpty {
            jobs = [exporterJob("\(plan.name)-redis", targets: nodes)]
            if !sentinels.isEmpty { jobs.append(exporterJob("\(plan.name)-sentinel", targets: sentinels)) }
        } else {
            jobs = [sidecarJob("\(plan.name)-redis", exporters: Array(sidecars.prefix(plan.nodes.count)))]
            if !sentinels.isEmpty { jobs.append(sidecarJob("\(plan.name)-sentinel", exporters: Array(sidecars.dropFirst(plan.nodes.count)))) }
        }
        jobs.append(.mapping([
            YAMLEntry("job_name", .string("\(plan.name)-factory")),
            YAMLEntry("file_sd_configs", .sequence([.mapping([YAMLEntry("files", .strings(["factory-targets.json"]))])])),
        ]))
        let interval = plan.topology.monitoring.fast.value ? "1s" : "15s"
        return GeneratedFile(
            path: "\(folder)/prometheus.yml",
            contents: YAMLRenderer.render([
                YAMLEntry("global", .mapping([YAMLEntry("scrape_interval", .string(interval)), YAMLEntry("evaluation_interval", .string(interval))])),
                YAMLEntry("rule_files", .strings(["rules.yml"])),
                YAMLEntry("scrape_configs", .sequence(jobs)),
            ], header: header.lines(purpose: "Prometheus scrape configuration for \(plan.topology.name.value): its nodes through redis_exporter, the applications' factory metrics. promtool check config prometheus.yml"))
        )
    }
}
