import Dispatch
import InfraSupport
import Logging
import Tracing

/// Connects to a real Redis, never a stub: the factory's core, which the health check uses as
/// it is (a check that a stub could pass proves nothing) and the factory wraps with its
/// fallback. It resolves the URL (see ``URLResolution``) and counts every attempt in
/// ``RedisMetrics``.
public enum RedisConnector {
    /// A blocking client on the real server, or the error that kept it from connecting.
    public static func connect(
        preferredURL: String? = nil,
        decodeResponses: Bool = true,
        context: String = "default",
        options: ConnectionOptions = ConnectionOptions()
    ) throws -> RedisClient {
        try ConnectionAttempt(preferredURL: preferredURL, decodeResponses: decodeResponses, context: context, options: options, mode: .sync)
            .connect(fallback: nil)
    }

    /// Which URL a client made with these arguments would use, and where it came from.
    public static func resolveURL(
        preferredURL: String? = nil,
        options: ConnectionOptions = ConnectionOptions()
    ) throws -> ResolvedURL {
        let settings = try options.settings ?? RedisSettings.fromEnvironment(options.environment)
        return try URLResolution.resolve(preferredURL: preferredURL, settings: settings, environment: options.environmentValue)
    }
}

/// What a connection attempt serves when the real server cannot be reached: a connection that
/// stands in for it (the factory's stub), or an error that says why nothing can.
package typealias ConnectionFallback = @Sendable (_ resolved: ResolvedURL, _ unreachable: RedisError) throws -> any RedisConnection

/// One attempt: resolve, connect, count.
package struct ConnectionAttempt: Sendable {
    package var preferredURL: String?
    package var decodeResponses: Bool
    package var context: String
    package var options: ConnectionOptions
    package var mode: RedisMetrics.Mode

    package init(preferredURL: String?, decodeResponses: Bool, context: String, options: ConnectionOptions, mode: RedisMetrics.Mode) {
        self.preferredURL = preferredURL
        self.decodeResponses = decodeResponses
        self.context = context
        self.options = options
        self.mode = mode
    }

    /// One span per attempt (`redis.connect`, a client span) with the metrics' labels as
    /// attributes and the outcome, when a tracer is there to take it.
    package func connect(fallback: ConnectionFallback?) throws -> RedisClient {
        let tracer = options.tracer ?? InstrumentationSystem.tracer
        return try tracer.withSpan("redis.connect", ofKind: .client) { span in
            span.attributes["db.system"] = "redis"
            span.attributes["redis.mode"] = mode.rawValue
            span.attributes["redis.context"] = context
            return try connect(fallback: fallback, span: span)
        }
    }

    /// The attempt counted once, in the metrics and on the span.
    private func count(_ outcome: RedisMetrics.Outcome, seconds: Double, span: any Span) {
        options.metrics.recordAttempt(mode: mode, context: context, outcome: outcome, seconds: seconds)
        span.attributes["redis.outcome"] = outcome.rawValue
    }

    private func connect(fallback: ConnectionFallback?, span: any Span) throws -> RedisClient {
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
            resolved = try RedisConnector.resolveURL(preferredURL: preferredURL, options: options)
            settings = try connectionSettings(for: resolved.url)
            if let file = options.sentinelPasswordFile ?? resolved.url.sentinelPasswordFile {
                sentinelPassword = try readPasswordFile(file)
            }
        } catch {
            let kind = (error as? RedisError)?.kind ?? "unknown"
            metrics.recordError(mode: mode, context: context, error: kind)
            span.attributes["redis.error"] = kind
            count(.error, seconds: elapsedSeconds(), span: span)
            throw error
        }

        let connection: any RedisConnection
        do {
            switch settings.url.endpoint {
            case .sentinel:
                let sentinel = SentinelConnection(settings: settings, sentinelPassword: sentinelPassword)
                try sentinel.connect()
                connection = sentinel
            case .cluster:
                let cluster = ClusterConnection(settings: settings)
                try cluster.connect()
                connection = cluster
            case .tcp, .unix:
                let direct = ServerConnection(settings: settings)
                try direct.connect()
                connection = direct
            }
            count(.real, seconds: elapsedSeconds(), span: span)
            return RedisClient(
                connection: connection, redactedURL: resolved.url.redacted,
                source: resolved.source, decodeResponses: decodeResponses
            )
        } catch {
            metrics.recordError(mode: mode, context: context, error: error.kind)
            span.attributes["redis.error"] = error.kind
            guard let fallback else {
                count(.error, seconds: elapsedSeconds(), span: span)
                throw error
            }
            let standIn: any RedisConnection
            do {
                standIn = try fallback(resolved, error)
            } catch {
                count(.error, seconds: elapsedSeconds(), span: span)
                throw error
            }
            options.logger.warning(
                "Redis unavailable at \(resolved.url.redacted) for \(context); using in-memory stub. Error: \(error)"
            )
            metrics.recordFallback(mode: mode, context: context, reason: error.kind)
            count(.stub, seconds: elapsedSeconds(), span: span)
            return RedisClient(
                connection: standIn,
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
