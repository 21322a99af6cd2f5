/// Everything a connection needs to reach one server and prepare a session on it.
public struct ConnectionSettings: Sendable, Equatable {
    public static let defaultConnectTimeout: Duration = .seconds(1)
    public static let defaultCommandTimeout: Duration = .seconds(5)

    public var url: RedisURL
    /// Bounds TCP connect plus the handshake (AUTH, SELECT, PING) — the fallback decision.
    public var connectTimeout: Duration
    /// Bounds each read and write of a command, so a frozen server cannot hang a caller.
    public var commandTimeout: Duration
    /// For `rediss://`: the URL's `ssl_*` options unless the caller gave its own.
    public var tls: TLSOptions
    /// The most one reply may hold before it is refused as a protocol error: a server (or
    /// something posing as one) that announces a huge bulk cannot make the client buffer it all.
    /// Redis's own `proto-max-bulk-len` is 512 MB.
    public var maxReplyBytes: Int = 512 << 20

    public init(url: RedisURL, connectTimeout: Duration? = nil, commandTimeout: Duration? = nil, tls: TLSOptions? = nil) {
        self.url = url
        self.tls = tls ?? url.tls
        self.connectTimeout = connectTimeout ?? url.connectTimeout ?? Self.defaultConnectTimeout
        self.commandTimeout = commandTimeout ?? url.commandTimeout ?? Self.defaultCommandTimeout
    }
}

extension ConnectionSettings {
    /// The same settings for one server of a deployment that moves (a master Sentinel named,
    /// a cluster node): its address over plain TCP or TLS as the URL says, the caller's
    /// credentials, TLS options and reply cap.
    func forServer(_ address: RedisURL.HostAndPort, connectTimeout: Duration) -> ConnectionSettings {
        var url = url
        url.scheme = url.usesTLS ? .rediss : .redis
        url.endpoint = .tcp(host: address.host, port: address.port)
        var server = ConnectionSettings(url: url, connectTimeout: connectTimeout, commandTimeout: commandTimeout, tls: tls)
        server.maxReplyBytes = maxReplyBytes
        return server
    }
}
