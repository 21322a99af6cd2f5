import Dispatch

/// The Swift-concurrency client. Its blocking I/O runs on a serial dispatch queue of its own,
/// never on the cooperative pool's threads, so a slow server cannot starve other tasks.
public final class AsyncRedisClient: Sendable {
    /// The blocking client underneath; use it only inside ``withClient(_:)``.
    private let client: RedisClient
    private let queue: DispatchQueue

    public var isStub: Bool { client.isStub }
    public var redactedURL: String { client.redactedURL }
    public var source: URLSource { client.source }
    public var fallbackReason: RedisError? { client.fallbackReason }

    init(client: RedisClient) {
        self.client = client
        self.queue = DispatchQueue(label: "redis-infra.async-client")
    }

    public func send(_ command: RedisCommandArgv) async throws -> RedisValue {
        try await withClient { try $0.send(command) }
    }

    public func send(_ parts: String...) async throws -> RedisValue {
        let command = parts.map(\.redisBytes)
        return try await withClient { try $0.send(command) }
    }

    public func pipeline(_ commands: [RedisCommandArgv]) async throws -> [RedisValue] {
        try await withClient { try $0.pipeline(commands) }
    }

    /// Runs blocking work — any typed command — on this client's I/O queue:
    /// `try await client.withClient { try $0.zadd("k", [(1, "m")]) }`.
    public func withClient<T: Sendable>(_ body: @escaping @Sendable (RedisClient) throws -> T) async throws -> T {
        try await Self.run(on: queue) { [client] in try body(client) }
    }

    static func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
