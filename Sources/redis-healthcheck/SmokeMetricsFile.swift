import InfraSupport
import HealthCheck
import RedisClientCore

#if canImport(Glibc)
import Glibc
#endif

/// `smoke --metrics-file PATH`: the run in node_exporter's textfile format — pass or fail and
/// duration per step, the run's result and time, and the factory's connection series — written
/// whole to a temporary file and renamed over PATH, so a collector never reads half of it.
struct SmokeMetricsFile {
    let path: String
    /// The factory's series for this run only (the health check records none otherwise).
    let metrics = RedisMetrics()

    /// nil steps: the run could not connect.
    func write(steps: [SmokeRun.Step]?) -> Bool {
        var lines: [String] = []
        func metric(_ name: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            lines += ["# HELP \(name) \(help)", "# TYPE \(name) gauge"] + samples.map { "\(name)\($0.labels) \($0.value)" }
        }
        let passed = steps.map { !$0.isEmpty && $0.allSatisfy(\.passed) } ?? false
        metric("redis_smoke_passed", "1 when every step of the last smoke run passed.", [("", passed ? "1" : "0")])
        metric("redis_smoke_connected", "1 when the last smoke run reached Redis.", [("", steps == nil ? "0" : "1")])
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        metric("redis_smoke_last_run_timestamp_seconds", "When the last smoke run finished (Unix time).", [("", String(now.tv_sec))])
        if let steps, !steps.isEmpty {
            let label = { (step: SmokeRun.Step) in "{step=\(jsonQuoted(step.name))}" }
            metric("redis_smoke_step_passed", "1 when this step of the last smoke run passed.", steps.map { (label($0), $0.passed ? "1" : "0") })
            metric("redis_smoke_step_duration_seconds", "How long this step of the last smoke run took.", steps.map { (label($0), threeDecimals($0.milliseconds / 1000)) })
        }
        let text = lines.joined(separator: "\n") + "\n" + metrics.exposition()
        let temporary = "\(path).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        writeAll(text, to: fd)
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }
}
