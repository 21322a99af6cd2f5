import CoreMetrics
import Prometheus

/// The factory's four metrics, with the names, labels and buckets of the Python original so
/// that existing dashboards keep working. Recorded through swift-metrics into a Prometheus
/// registry of its own, so a library never has to bootstrap the global metrics system.
public final class RedisMetrics: Sendable {
    public static let shared = RedisMetrics()

    public enum Mode: String, Sendable { case sync, async }
    public enum Outcome: String, Sendable { case real, stub, error }

    static let attempts = "infra_redis_connection_attempts_total"
    static let duration = "infra_redis_connection_duration_seconds"
    static let errors = "infra_redis_connection_errors_total"
    static let fallbacks = "infra_redis_fallback_total"
    public static let durationBuckets: [Double] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10]

    /// Records nothing: for a process that exits before anyone could scrape it (the health
    /// check), where creating the metrics would be most of its work.
    public static let disabled = RedisMetrics(recording: false)

    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let recording: Bool

    public convenience init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.init(registry: registry, recording: true)
    }

    private init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), recording: Bool) {
        self.recording = recording
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets[Self.duration] = Self.durationBuckets
        // The original's counters carry `_total` in their names already.
        factory.nameAndLabelSanitizer = { name, labels in (name, labels) }
        self.factory = factory
    }

    func recordAttempt(mode: Mode, context: String, outcome: Outcome, seconds: Double) {
        guard recording else { return }
        let labels = [("mode", mode.rawValue), ("context", context), ("outcome", outcome.rawValue)]
        Counter(label: Self.attempts, dimensions: labels, factory: factory).increment()
        Recorder(label: Self.duration, dimensions: labels, aggregate: true, factory: factory).record(seconds)
    }

    func recordError(mode: Mode, context: String, error: String) {
        guard recording else { return }
        let labels = [("mode", mode.rawValue), ("context", context), ("error", error)]
        Counter(label: Self.errors, dimensions: labels, factory: factory).increment()
    }

    func recordFallback(mode: Mode, context: String, reason: String) {
        guard recording else { return }
        let labels = [("mode", mode.rawValue), ("context", context), ("reason", reason)]
        Counter(label: Self.fallbacks, dimensions: labels, factory: factory).increment()
    }

    /// The Prometheus text exposition of every metric recorded so far.
    /// The registry's text, with a HELP line before each metric's TYPE line (the registry
    /// writes none; Prometheus's linter and dashboards' tooltips want them).
    public func exposition() -> String {
        registry.emitToString().split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard line.hasPrefix("# TYPE "), let name = line.split(separator: " ").dropFirst(2).first,
                  let help = Self.help[String(name)] else { return String(line) }
            return "# HELP \(name) \(help)\n\(line)"
        }.joined(separator: "\n")
    }

    static let help = [
        attempts: "Connection attempts by the Redis factory, by mode, context and outcome (real, stub, error).",
        duration: "Time the Redis factory took to make a client (connect and handshake, or fall back), in seconds.",
        errors: "Connection attempts that failed, by mode, context and error kind.",
        fallbacks: "Clients the Redis factory made on the in-memory stub because Redis was unreachable, by mode, context and reason.",
    ]
}
