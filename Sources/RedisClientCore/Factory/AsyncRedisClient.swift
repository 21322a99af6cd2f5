import Dispatch
import Synchronization

/// The Swift-concurrency client. Its blocking I/O runs on a serial dispatch queue of its own,
/// never on the cooperative pool's threads, so a slow server cannot starve other tasks.
///
/// Commands that tasks `send` while the connection is busy are written together as one
/// pipeline when it frees up (auto-pipelining): fifty tasks sharing a client cost about one
/// round trip per batch instead of one each, and each task still gets its own reply in order.
public final class AsyncRedisClient: Sendable {
    /// The blocking client underneath; use it only inside ``withClient(_:)``.
    private let client: RedisClient
    private let queue: DispatchQueue

    private struct Pending: ~Copyable {
        var commands: [(RedisCommandArgv, CheckedContinuation<RedisValue, any Error>)] = []
        /// A drain is queued or running; new commands join its next batch.
        var draining = false
    }

    private let pending = Mutex(Pending())

    public var isStub: Bool { client.isStub }
    public var redactedURL: String { client.redactedURL }
    public var source: URLSource { client.source }
    public var fallbackReason: RedisError? { client.fallbackReason }

    package init(client: RedisClient) {
        self.client = client
        self.queue = DispatchQueue(label: "redis-infra.async-client")
    }

    public func send(_ command: RedisCommandArgv) async throws -> RedisValue {
        try await withCheckedThrowingContinuation { continuation in
            let startDrain = pending.withLock { state in
                state.commands.append((command, continuation))
                defer { state.draining = true }
                return !state.draining
            }
            if startDrain { queue.async { self.drain() } }
        }
    }

    public func send(_ parts: String...) async throws -> RedisValue {
        try await send(parts.map(\.redisBytes))
    }

    /// On the I/O queue: writes every waiting command as one pipeline, answers each task, and
    /// repeats until no command is waiting.
    private func drain() {
        while true {
            let batch = pending.withLock { state in
                let batch = state.commands
                state.commands.removeAll(keepingCapacity: true)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                let replies = try client.pipelineUnchecked(batch.map { $0.0 })
                for ((command, continuation), reply) in zip(batch, replies) {
                    continuation.resume(with: client.checked(reply, command: command))
                }
            } catch {
                // The connection broke under the batch: every command in it shares that fate.
                for (_, continuation) in batch { continuation.resume(throwing: error) }
            }
        }
    }

    public func pipeline(_ commands: [RedisCommandArgv]) async throws -> [RedisValue] {
        try await withClient { try $0.pipeline(commands) }
    }

    /// Runs blocking work — any typed command — on this client's I/O queue:
    /// `try await client.withClient { try $0.zadd("k", [(1, "m")]) }`.
    public func withClient<T: Sendable>(_ body: @escaping @Sendable (RedisClient) throws -> T) async throws -> T {
        try await Self.run(on: queue) { [client] in try body(client) }
    }

    package static func run<T: Sendable>(on queue: DispatchQueue, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
