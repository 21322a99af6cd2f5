/// What `redis-healthcheck probe` takes, written once: the generator spells invocations with
/// it and the binary parses them with it, so a new role or flag cannot compile in one and
/// be unknown to the other. No Foundation, no dependencies: the health check's start-up
/// footprint is the product.
public enum ProbeRole: String, Sendable, CaseIterable {
    /// `cluster`: a Redis Cluster node of either role, judged by the cluster's view as well.
    case auto, master, replica, sentinel, cluster
}

public enum ProbeMode: String, Sendable, CaseIterable {
    case liveness, readiness
}

/// The probe's flags, as they are spelt on its command line.
public enum ProbeFlag: String, Sendable, CaseIterable {
    case role = "--role"
    case mode = "--mode"
    case url = "--url"
    case timeout = "--timeout"
    case masterName = "--master-name"
    case replicas = "--replicas"
    case maxLag = "--max-lag"
    case format = "--format"
}

/// One probe invocation: the arguments after the binary's name, as words of any form (a
/// literal, or a shell expansion where the mode is chosen at run time).
public struct ProbeRequest: Sendable {
    public var role: ProbeRole
    /// Seconds, as the flag takes them (like "2.5").
    public var timeout: String
    public var masterName: String?
    /// Sentinels: the replicas a Sentinel must know before it can fail over.
    public var replicas: Int?
    /// Replicas: whole seconds, as Redis reports the lag.
    public var maxLagSeconds: Int?

    public init(role: ProbeRole, timeout: String, masterName: String? = nil, replicas: Int? = nil, maxLagSeconds: Int? = nil) {
        self.role = role
        self.timeout = timeout
        self.masterName = masterName
        self.replicas = replicas
        self.maxLagSeconds = maxLagSeconds
    }

    public static let subcommand = "probe"

    /// `probe --role ... --mode <mode> ...`; without a URL the probe reads REDIS_URL itself.
    public func words<Word>(mode: Word, url: Word?, literal: (String) -> Word) -> [Word] {
        func flag(_ flag: ProbeFlag, _ value: Word) -> [Word] { [literal(flag.rawValue), value] }
        var words = [literal(Self.subcommand)] + flag(.role, literal(role.rawValue)) + flag(.mode, mode)
        if let url { words += flag(.url, url) }
        words += flag(.timeout, literal(timeout))
        if let masterName { words += flag(.masterName, literal(masterName)) }
        if let replicas { words += flag(.replicas, literal(String(replicas))) }
        if let maxLagSeconds { words += flag(.maxLag, literal(String(maxLagSeconds))) }
        return words
    }
}

/// The environment the health check reads: credentials and the URL never travel in argv.
public enum HealthCheckEnvironment {
    public static let url = "REDIS_URL"
    public static let username = "REDIS_USERNAME"
    public static let passwordFile = "REDIS_PASSWORD_FILE"
    /// The generated scripts' switch between readiness and liveness.
    public static let probeMode = "REDIS_PROBE_MODE"
}
