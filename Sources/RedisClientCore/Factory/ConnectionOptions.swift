import Tracing
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
    public var passwordFile: String?
    /// Which environment variables may give the password when neither these options nor the
    /// URL do (`EnvironmentCredentials`).
    public var environmentCredentials: EnvironmentCredentials = .passwordFile
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
    /// Where the span of each connection attempt goes; nil: the tracer the application
    /// bootstrapped (`InstrumentationSystem`), a no-op when it bootstrapped none.
    public var tracer: (any Tracer)?

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

/// The one credentials policy, for every client the factory makes: the options (`username`,
/// `password`, `passwordFile`) win, then the URL's own, then the environment. There a mounted
/// secret comes first (`REDIS_PASSWORD_FILE`: only its path passes through the environment);
/// a tool that runs like redis-cli (the health check) also takes `REDIS_PASSWORD` and
/// `REDISCLI_AUTH`. An environment password's ACL user, when it is not the default one, comes
/// beside it in `REDIS_USERNAME`.
public enum EnvironmentCredentials: Sendable {
    case passwordFile
    case passwordFileOrVariables

    public static let passwordFileVariable = "REDIS_PASSWORD_FILE"
    public static let usernameVariable = "REDIS_USERNAME"
    static let passwordVariables = ["REDIS_PASSWORD", "REDISCLI_AUTH"]
}

extension ConnectionOptions {
    /// The password and user the environment gives, per `environmentCredentials`.
    func environmentPassword() throws(RedisError) -> (password: String, username: String?)? {
        let password: String
        if let file = environmentValue(EnvironmentCredentials.passwordFileVariable), !file.isEmpty {
            password = try readPasswordFile(file)
        } else if environmentCredentials == .passwordFileOrVariables,
                  let value = EnvironmentCredentials.passwordVariables.lazy.compactMap(environmentValue).first(where: { !$0.isEmpty }) {
            password = value
        } else {
            return nil
        }
        let username = environmentValue(EnvironmentCredentials.usernameVariable).flatMap { $0.isEmpty ? nil : $0 }
        return (password, username)
    }

    /// A variable from `environment` when given, else from the process.
    func environmentValue(_ key: String) -> String? {
        environment.map { $0[key] } ?? processEnvironment(key)
    }
}
