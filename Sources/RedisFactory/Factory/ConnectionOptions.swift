import Logging

/// How to connect, beyond which URL: timeouts, credentials, where settings come from, and
/// where the factory reports.
public struct ConnectionOptions: Sendable {
    /// Overrides the URL's `connect_timeout` (default 1 s). Bounds the fallback decision.
    public var connectTimeout: Duration?
    /// Overrides the URL's `timeout` (default 5 s). Bounds each command.
    public var commandTimeout: Duration?
    /// ACL user; overrides the URL's.
    public var username: String?
    /// Overrides the URL's password. Prefer `passwordFile` for secrets mounted by Compose.
    public var password: String?
    /// A file whose first line is the password (a Docker secret); overrides the URL's.
    /// Without a password anywhere else, `REDIS_PASSWORD_FILE` from the environment is read.
    public var passwordFile: String?
    /// TLS settings for `rediss://` (and `rediss+sentinel://`); nil takes the URL's `ssl_*`
    /// options, verification on.
    public var tls: TLSOptions?
    /// The most one reply may hold (default 512 MB, Redis's `proto-max-bulk-len`).
    public var maxReplyBytes: Int?
    /// The Sentinels' password file, when it differs from the master's (Sentinel URLs only).
    public var sentinelPasswordFile: String?
    /// Settings to resolve the URL from; nil reads the file named by `REDIS_INFRA_SETTINGS`.
    public var settings: RedisSettings?
    /// An environment to resolve the URL from; nil reads the process environment.
    public var environment: [String: String]?
    public var logger: Logger
    public var metrics: RedisMetrics

    public init(
        connectTimeout: Duration? = nil,
        commandTimeout: Duration? = nil,
        username: String? = nil,
        password: String? = nil,
        passwordFile: String? = nil,
        settings: RedisSettings? = nil,
        environment: [String: String]? = nil,
        logger: Logger = Logger(label: "redis-infra.factory"),
        metrics: RedisMetrics = .shared
    ) {
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.username = username
        self.password = password
        self.passwordFile = passwordFile
        self.sentinelPasswordFile = nil
        self.maxReplyBytes = nil
        self.tls = nil
        self.settings = settings
        self.environment = environment
        self.logger = logger
        self.metrics = metrics
    }
}

extension ConnectionOptions {
    /// A variable from `environment` when given, else from the process.
    func environmentValue(_ key: String) -> String? {
        environment.map { $0[key] } ?? processEnvironment(key)
    }
}
