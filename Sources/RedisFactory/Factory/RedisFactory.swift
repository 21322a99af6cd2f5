import InfraSupport
import Dispatch
import Logging

/// The shared client factory: every caller asks it for a client.
///
/// It resolves the URL (see ``URLResolution``), connects to a real Redis through hiredis and,
/// unless told `fallbackToFake: false`, falls back to the in-memory stub when Redis cannot be
/// reached. Every attempt is counted in ``RedisMetrics``.
public enum RedisFactory {
    /// A blocking client.
    public static func makeClient(
        preferredURL: String? = nil,
        decodeResponses: Bool = true,
        fallbackToFake: Bool = true,
        context: String = "default",
        options: ConnectionOptions = ConnectionOptions()
    ) throws -> RedisClient {
        let request = Request(
            preferredURL: preferredURL, decodeResponses: decodeResponses,
            fallbackToFake: fallbackToFake, context: context, options: options, mode: .sync
        )
        return try request.connect()
    }

    /// A Swift-concurrency client. Connecting, like every command after it, runs on the
    /// client's own queue rather than on the cooperative thread pool.
    public static func makeAsyncClient(
        preferredURL: String? = nil,
        decodeResponses: Bool = true,
        fallbackToFake: Bool = true,
        context: String = "default",
        options: ConnectionOptions = ConnectionOptions()
    ) async throws -> AsyncRedisClient {
        let request = Request(
            preferredURL: preferredURL, decodeResponses: decodeResponses,
            fallbackToFake: fallbackToFake, context: context, options: options, mode: .async
        )
        let queue = DispatchQueue(label: "redis-infra.factory.connect")
        let client = try await AsyncRedisClient.run(on: queue) { try request.connect() }
        return AsyncRedisClient(client: client)
    }

    /// Which URL a client made with these arguments would use, and where it came from.
    public static func resolveURL(
        preferredURL: String? = nil,
        options: ConnectionOptions = ConnectionOptions()
    ) throws -> ResolvedURL {
        let settings = try options.settings ?? RedisSettings.fromEnvironment(options.environment)
        return try URLResolution.resolve(preferredURL: preferredURL, settings: settings, environment: options.environmentValue)
    }

    /// The Prometheus text exposition of the factory's metrics.
    public static func metricsExposition(_ metrics: RedisMetrics = .shared) -> String {
        metrics.exposition()
    }
}

extension RedisFactory {
    struct Request: Sendable {
        var preferredURL: String?
        var decodeResponses: Bool
        var fallbackToFake: Bool
        var context: String
        var options: ConnectionOptions
        var mode: RedisMetrics.Mode

        func connect() throws -> RedisClient {
            let metrics = options.metrics
            let clock = ContinuousClock()
            let start = clock.now
            func elapsedSeconds() -> Double { (clock.now - start).seconds }

            let resolved: ResolvedURL
            let settings: ConnectionSettings
            var sentinelPassword: String?
            do {
                // A bad URL or settings file is a configuration error, never a reason to
                // quietly run on the stub.
                resolved = try RedisFactory.resolveURL(preferredURL: preferredURL, options: options)
                settings = try connectionSettings(for: resolved.url)
                if let file = options.sentinelPasswordFile ?? resolved.url.sentinelPasswordFile {
                    sentinelPassword = try readPasswordFile(file)
                }
            } catch {
                let kind = (error as? RedisError)?.kind ?? "unknown"
                metrics.recordError(mode: mode, context: context, error: kind)
                metrics.recordAttempt(mode: mode, context: context, outcome: .error, seconds: elapsedSeconds())
                throw error
            }

            let connection: any RedisConnection
            do {
                if case .sentinel = settings.url.endpoint {
                    let sentinel = SentinelConnection(settings: settings, sentinelPassword: sentinelPassword)
                    try sentinel.connect()
                    connection = sentinel
                } else {
                    let direct = ServerConnection(settings: settings)
                    try direct.connect()
                    connection = direct
                }
                metrics.recordAttempt(mode: mode, context: context, outcome: .real, seconds: elapsedSeconds())
                return RedisClient(
                    connection: connection, redactedURL: resolved.url.redacted,
                    source: resolved.source, decodeResponses: decodeResponses
                )
            } catch {
                metrics.recordError(mode: mode, context: context, error: error.kind)
                guard fallbackToFake else {
                    metrics.recordAttempt(mode: mode, context: context, outcome: .error, seconds: elapsedSeconds())
                    throw error
                }
                // Clients for the same URL and context share one stub, as they would one server.
                let store = StubStore.shared(for: "\(resolved.url.redacted)|\(context)")
                let unreachable = error
                let stub: InMemoryRedis
                do {
                    stub = try InMemoryRedis(store: store, database: resolved.url.database)
                } catch {
                    metrics.recordAttempt(mode: mode, context: context, outcome: .error, seconds: elapsedSeconds())
                    throw RedisError.unsupported(
                        "Redis unavailable at \(resolved.url.redacted) (\(unreachable)), and the in-memory stub cannot stand in: it has databases 0 to \(StubStore.databaseCount - 1), as Redis's default configuration, not \(resolved.url.database)"
                    )
                }
                options.logger.warning(
                    "Redis unavailable at \(resolved.url.redacted) for \(context); using in-memory stub. Error: \(error)"
                )
                metrics.recordFallback(mode: mode, context: context, reason: error.kind)
                metrics.recordAttempt(mode: mode, context: context, outcome: .stub, seconds: elapsedSeconds())
                return RedisClient(
                    connection: stub,
                    redactedURL: resolved.url.redacted,
                    source: resolved.source, decodeResponses: decodeResponses, fallbackReason: error
                )
            }
        }

        private func connectionSettings(for url: RedisURL) throws(RedisError) -> ConnectionSettings {
            var url = url
            if let username = options.username { url.username = username }
            if let password = options.password { url.password = password }
            if let file = options.passwordFile {
                url.password = try readPasswordFile(file)
            } else if options.password == nil && url.password == nil, let found = try options.environmentPassword() {
                url.password = found.password
                if options.username == nil && url.username == nil { url.username = found.username }
            }
            var settings = ConnectionSettings(
                url: url, connectTimeout: options.connectTimeout, commandTimeout: options.commandTimeout, tls: options.tls
            )
            if let limit = options.maxReplyBytes { settings.maxReplyBytes = limit }
            if url.usesTLS && !settings.tls.verifyPeer {
                options.logger.warning("TLS certificate verification is off for \(url.redacted) (ssl_cert_reqs=none): the server is not authenticated")
            }
            return settings
        }
    }
}
