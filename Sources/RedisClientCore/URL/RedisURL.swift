/// A parsed Redis URL:
/// `redis://[user:password@]host[:port][/db][?timeout=s&connect_timeout=s&db=n]`,
/// `rediss://...` (TLS), `unix://[user:password@]/path/to.sock[?db=n]`,
/// `redis+sentinel://[user:password@]host[:port][,host[:port]...]/<master name>[/db]`
/// (and `rediss+sentinel://`): the master is found through the Sentinels;
/// `redis+cluster://[user:password@]host[:port][,host[:port]...]` (and `rediss+cluster://`): a
/// Redis Cluster, found through any of these nodes (database 0 only: a cluster has no other).
public struct RedisURL: Sendable, Equatable {
    public enum Scheme: String, Sendable {
        case redis, rediss, unix
        case redisSentinel = "redis+sentinel"
        case redissSentinel = "rediss+sentinel"
        case redisCluster = "redis+cluster"
        case redissCluster = "rediss+cluster"
    }

    public struct HostAndPort: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
        /// Sentinels to ask, in order, for the address of the master named `masterName`.
        case sentinel(sentinels: [HostAndPort], masterName: String)
        /// Cluster nodes to ask, in order, for the slot map; each command then goes where its
        /// keys' slot lives.
        case cluster(seeds: [HostAndPort])
    }

    public static let defaultPort = 6379
    public static let defaultSentinelPort = 26379

    /// `?ssl_ca_certs=`, `?ssl_ca_path=`, `?ssl_certfile=`, `?ssl_keyfile=`,
    /// `?ssl_server_name=`, `?ssl_cert_reqs=none` (redis-py's names): TLS settings.
    public var tls = TLSOptions()

    /// `?sentinel_username=`: the Sentinels' ACL user, when it differs from the master's.
    public var sentinelUsername: String?
    /// `?sentinel_password_file=`: the Sentinels' password, read from a file, when it differs
    /// from the master's. Without either, the Sentinels get the URL's credentials.
    public var sentinelPasswordFile: String?

    /// `?read_from_replicas=yes` (cluster URLs): commands that only read go to a replica of
    /// their slot's master (`READONLY`), which may lag behind it.
    public var readFromReplicas = false

    public var scheme: Scheme
    public var endpoint: Endpoint
    public var username: String?
    public var password: String?
    public var database: Int
    /// `?timeout=` — per-command socket timeout.
    public var commandTimeout: Duration?
    /// `?connect_timeout=`.
    public var connectTimeout: Duration?

    public init(
        scheme: Scheme = .redis,
        endpoint: Endpoint,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        commandTimeout: Duration? = nil,
        connectTimeout: Duration? = nil
    ) {
        self.scheme = scheme
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.commandTimeout = commandTimeout
        self.connectTimeout = connectTimeout
    }

    public init(parsing text: String) throws(RedisURLError) {
        self = try RedisURLParser(text).parse()
    }

    public var usesTLS: Bool { scheme == .rediss || scheme == .redissSentinel || scheme == .redissCluster }

    /// The URL with credentials masked and options dropped, safe for logs and messages.
    public var redacted: String {
        let credentials = (username != nil || password != nil) ? "***:***@" : ""
        switch endpoint {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "\(scheme.rawValue)://\(credentials)\(shownHost):\(port)/\(database)"
        case .unix(let path):
            return "unix://\(credentials)\(path)" + (database == 0 ? "" : "?db=\(database)")
        case .sentinel(let sentinels, let masterName):
            let hosts = sentinels.map(\.description).joined(separator: ",")
            return "\(scheme.rawValue)://\(credentials)\(hosts)/\(masterName)/\(database)"
        case .cluster(let seeds):
            return "\(scheme.rawValue)://\(credentials)\(seeds.map(\.description).joined(separator: ","))"
        }
    }
}

extension RedisURL: CustomStringConvertible {
    public var description: String { redacted }
}

/// A malformed URL: names the part that is wrong. The password is never part of the message.
public struct RedisURLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Which part of the URL is wrong: "scheme", "host", "port", "database", "credentials", "query".
    public var part: String
    public var problem: String
    /// The input with any credentials masked (`redis://***:***@host...`).
    public var redactedInput: String

    public var description: String {
        "invalid Redis URL '\(redactedInput)': \(part): \(problem)"
    }
}
