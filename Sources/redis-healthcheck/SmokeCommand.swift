import InfraSupport
import HealthCheck
import RedisClientCore

#if canImport(Glibc)
import Glibc
#endif

/// `redis-healthcheck smoke`: the staging smoke test, as a table, JSON or JUnit.
struct SmokeCommand {
    var url: String?
    var timeout: Double
    var format: OutputFormat
    var junit: String?
    /// Sentinel deployments: acknowledged writes through a SENTINEL FAILOVER.
    var failover: Bool
    /// With --failover: replicas that must confirm a write (WAIT n); nil means all connected.
    var acks: Int?
    /// With --failover: who fails the master (Sentinel, or someone else while the drill writes).
    var trigger: FailoverDrill.Trigger
    var duration: Double
    /// With --failover: leave the keys and print the acknowledged sequence instead of reading back.
    var keep: Bool
    /// The run in node_exporter's textfile format, with the connection series.
    var metricsFile: SmokeMetricsFile?

    init(_ arguments: inout Arguments) throws(Arguments.UsageError) {
        url = try arguments.url()
        timeout = try arguments.number("--timeout", default: 5, in: 0.001...300)
        format = try arguments.choice("--format", default: .text)
        junit = try arguments.option("--junit")
        failover = arguments.flag("--failover")
        acks = try arguments.count("--acks", in: 1...1000)
        trigger = try arguments.choice("--trigger", default: .sentinel)
        duration = try arguments.number("--duration", default: 60, in: 1...3600)
        keep = arguments.flag("--keep")
        metricsFile = try arguments.option("--metrics-file").map { SmokeMetricsFile(path: $0) }
        try arguments.finish()
    }

    func run() -> Int32 {
        // One deadline for the whole run, as for a probe: a server that drips its replies or
        // Sentinels that never answer must not hold the smoke test past it. The drill runs for
        // its --duration, then reads back.
        let budget = failover ? duration + 2 * timeout : timeout
        let late = "no result within the \(threeDecimals(budget))s deadline (--timeout bounds the whole run)"
        Deadline.arm(seconds: budget, output: format == .json ? "{\"passed\":false,\"detail\":\(jsonQuoted(late))}\n" : "smoke: \(late)\n")
        let outcome = runWithinDeadline()
        Deadline.disarm()
        switch outcome {
        case .cannotConnect(let error):
            writeAll("smoke: cannot connect: \(error)\n", to: STDOUT_FILENO)
            if let metricsFile, !metricsFile.write(steps: nil) { writeAll("smoke: cannot write '\(metricsFile.path)'\n", to: STDERR_FILENO) }
            return 1
        case .needsSentinel:
            writeAll("redis-healthcheck: --failover needs a Sentinel URL (redis+sentinel://host:26379,.../<master name>), or --trigger external\n", to: STDERR_FILENO)
            return 2
        case .drill(.failure(let error)):
            writeAll("smoke --failover: \(error)\n", to: STDOUT_FILENO)
            return 1
        case .drill(.success(let report)):
            return writeDrillReport(report)
        case .steps(let steps):
            return writeSteps(steps)
        }
    }

    /// What the run came to, before anything is printed: the deadline covers exactly this.
    private enum Outcome {
        case cannotConnect(any Error)
        case needsSentinel
        case steps([SmokeRun.Step])
        case drill(Result<FailoverDrill.Report, any Error>)
    }

    private func runWithinDeadline() -> Outcome {
        let client: RedisClient
        do {
            var options = healthCheckConnection(timeout: timeout)
            if let metricsFile { options.metrics = metricsFile.metrics }
            client = try RedisConnector.connect(preferredURL: url, context: "smoke", options: options)
        } catch {
            return .cannotConnect(error)
        }
        guard failover else { return .steps(SmokeRun(client: client).run()) }
        guard trigger == .external || client.sentinelMasterName != nil else { return .needsSentinel }
        return .drill(Result {
            try FailoverDrill(client: client, deadline: .milliseconds(Int64(duration * 1000)), acknowledgements: acks, trigger: trigger, keep: keep).run()
        })
    }

    private func writeSteps(_ steps: [SmokeRun.Step]) -> Int32 {
        switch format {
        case .text:
            var text = "step".padding(36) + "result  ms\n"
            for step in steps {
                text += step.name.padding(36) + (step.passed ? "pass    " : "FAIL    ") + threeDecimals(step.milliseconds)
                text += step.passed ? "\n" : "  \(step.detail)\n"
            }
            writeAll(text, to: STDOUT_FILENO)
        case .json:
            let rows = steps.map { "{\"step\":\(jsonQuoted($0.name)),\"passed\":\($0.passed),\"ms\":\(threeDecimals($0.milliseconds)),\"detail\":\(jsonQuoted($0.detail))}" }
            writeAll("[" + rows.joined(separator: ",") + "]\n", to: STDOUT_FILENO)
        }
        if let junit, !writeJUnit(steps, to: junit) {
            writeAll("smoke: cannot write '\(junit)'\n", to: STDERR_FILENO)
            return 1
        }
        if let metricsFile, !metricsFile.write(steps: steps) {
            writeAll("smoke: cannot write '\(metricsFile.path)'\n", to: STDERR_FILENO)
            return 1
        }
        return steps.contains(where: { !$0.passed }) ? 1 : 0
    }

    private func writeDrillReport(_ report: FailoverDrill.Report) -> Int32 {
        let milliseconds = { (duration: Duration) in
            threeDecimals(duration.milliseconds)
        }
        let lost = report.lost.prefix(20).map(String.init).joined(separator: ",")
        switch format {
        case .text:
            var text = "failover drill: \(report.passed ? "pass" : "FAIL")\n"
            text += "acknowledged writes        \(report.acknowledged) (WAIT \(report.acknowledgements))\n"
            text += "lost acknowledged writes   \(report.lost.count)\(report.lost.isEmpty ? "" : " (\(lost))")\n"
            text += "accepted, unacknowledged   \(report.acceptedUnacknowledged)\n"
            text += "failed write attempts      \(report.failedAttempts)\n"
            text += "longest write gap ms       \(milliseconds(report.longestWriteGap))\n"
            if report.expectsNewMaster {
                text += "new master took writes ms  \(report.newMasterAfter.map(milliseconds) ?? "never")\n"
            }
            if !report.verified { text += "kept, not read back        \(report.acknowledgedRanges)\n" }
            if !report.passed { text += "detail                     \(report.detail)\n" }
            writeAll(text, to: STDOUT_FILENO)
        case .json:
            var fields = ["\"passed\":\(report.passed)", "\"acknowledged\":\(report.acknowledged)", "\"wait_replicas\":\(report.acknowledgements)", "\"lost\":\(report.lost.count)", "\"first_lost\":[\(lost)]"]
            fields += ["\"failed_attempts\":\(report.failedAttempts)", "\"longest_write_gap_ms\":\(milliseconds(report.longestWriteGap))"]
            fields += ["\"new_master_after_ms\":\(report.newMasterAfter.map(milliseconds) ?? "null")", "\"detail\":\(jsonQuoted(report.detail))"]
            fields += ["\"accepted_unacknowledged\":\(report.acceptedUnacknowledged)", "\"new_master_at_unix_ms\":\(report.newMasterAtUnixMilliseconds.map(String.init) ?? "null")"]
            fields += ["\"verified\":\(report.verified)", "\"prefix\":\(jsonQuoted(report.prefix))"]
            if !report.verified { fields.append("\"acknowledged_ranges\":\(jsonQuoted(report.acknowledgedRanges))") }
            writeAll("{" + fields.joined(separator: ",") + "}\n", to: STDOUT_FILENO)
        }
        return report.passed ? 0 : 1
    }

    private func writeJUnit(_ steps: [SmokeRun.Step], to path: String) -> Bool {
        func escape(_ text: String) -> String {
            text.replacingAll("&", "&amp;").replacingAll("<", "&lt;").replacingAll(">", "&gt;").replacingAll("\"", "&quot;")
        }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuite name=\"redis-smoke\" tests=\"\(steps.count)\" failures=\"\(steps.filter { !$0.passed }.count)\">\n"
        for step in steps {
            xml += "  <testcase name=\"\(escape(step.name))\" time=\"\(threeDecimals(step.milliseconds / 1000))\""
            xml += step.passed ? "/>\n" : ">\n    <failure message=\"\(escape(step.detail))\"/>\n  </testcase>\n"
        }
        xml += "</testsuite>\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        writeAll(xml, to: fd)
        return true
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }

    func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
