@_exported import RedisClientCore
import Dispatch
import RedisStub

/// The shared client factory: every caller asks it for a client.
///
/// It connects as ``RedisConnector`` does (the URL resolved, a real Redis, every attempt
/// counted in ``RedisMetrics``) and, unless told `fallbackToFake: false`, falls back to the
/// in-memory stub when Redis cannot be reached. A binary that never falls back links
/// `RedisClientCore` alone and carries no stub.
public enum RedisFactory {
    /// A blocking client.
    public static func makeClient(
        preferredURL: String? = nil,
        decodeResponses: Bool = true,
        fallbackToFake: Bool = true,
        context: String = "default",
        options: ConnectionOptions = ConnectionOptions()
    ) throws -> RedisClient {
        let attempt = ConnectionAttempt(preferredURL: preferredURL, decodeResponses: decodeResponses, context: context, options: options, mode: .sync)
        return try attempt.connect(fallback: fallbackToFake ? stub(context: context) : nil)
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
        let attempt = ConnectionAttempt(preferredURL: preferredURL, decodeResponses: decodeResponses, context: context, options: options, mode: .async)
        let fallback = fallbackToFake ? stub(context: context) : nil
        let queue = DispatchQueue(label: "redis-infra.factory.connect")
        let client = try await AsyncRedisClient.run(on: queue) { try attempt.connect(fallback: fallback) }
        return AsyncRedisClient(client: client)
    }

    /// Which URL a client made with these arguments would use, and where it came from.
    public static func resolveURL(
        preferredURL: String? = nil,
        options: ConnectionOptions = ConnectionOptions()
    ) throws -> ResolvedURL {
        try RedisConnector.resolveURL(preferredURL: preferredURL, options: options)
    }

    /// The Prometheus text exposition of the factory's metrics.
    public static func metricsExposition(_ metrics: RedisMetrics = .shared) -> String {
        metrics.exposition()
    }

    /// The stand-in for an unreachable Redis: clients for the same URL and context share one
    /// stub, as they would one server.
    private static func stub(context: String) -> ConnectionFallback {
        { resolved, unreachable in
            let store = StubStore.shared(for: "\(resolved.url.redacted)|\(context)")
            do {
                let stub = try InMemoryRedis(store: store, database: resolved.url.database)
                // Standing in for a cluster, it refuses what a cluster refuses.
                if case .cluster = resolved.url.endpoint { return SlotGuard(stub) }
                return stub
            } catch {
                throw RedisError.unsupported(
                    "Redis unavailable at \(resolved.url.redacted) (\(unreachable)), and the in-memory stub cannot stand in: it has databases 0 to \(StubStore.databaseCount - 1), as Redis's default configuration, not \(resolved.url.database)"
                )
            }
        }
    }
}
