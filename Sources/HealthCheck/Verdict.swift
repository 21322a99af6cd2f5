import RedisClientCore
import HealthCheckContract

/// A probe's answer: Docker's contract is exit 0 for healthy, 1 for unhealthy.
public struct Verdict: Sendable, Equatable {
    public var healthy: Bool
    /// The role the server reported, when it answered.
    public var role: String?
    /// One line that says why.
    public var reason: String
    /// Which engine and version answered (`valkey 9.1.2`), where the probe read INFO anyway.
    public var server: ServerIdentity?

    public static func healthy(_ role: String, _ reason: String) -> Verdict { Verdict(healthy: true, role: role, reason: reason) }
    public static func unhealthy(_ reason: String, role: String? = nil) -> Verdict { Verdict(healthy: false, role: role, reason: reason) }

    /// The same verdict, saying which server gave it.
    func answered(by info: [String: String]) -> Verdict {
        var verdict = self
        verdict.server = ServerIdentity(info: info)
        return verdict
    }

    public var line: String { (healthy ? "healthy: " : "unhealthy: ") + reason + (server.map { " [\($0)]" } ?? "") }
}

public struct ProbeOptions: Sendable {
    public var role: ProbeRole = .auto
    public var mode: ProbeMode = .readiness
    public var masterName = "mymaster"
    /// Longest a replica may go without hearing from its master (`master_last_io_seconds_ago`).
    public var maxLagSeconds = 10
    /// A Sentinel is ready only when it knows this many replicas (in any state): a Sentinel
    /// that does not know a replica cannot promote one (`-failover-abort-no-good-slave`).
    public var expectedReplicas = 0

    public init() {}
}
