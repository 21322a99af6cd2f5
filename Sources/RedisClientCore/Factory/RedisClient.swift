import Synchronization

/// A blocking client: what the factory hands out. Safe to share between threads; commands from
/// different threads are serialised on its one connection.
public final class RedisClient: RedisConnection, @unchecked Sendable {
    /// Guarded by `lock`: neither hiredis contexts nor the stub's session are thread-safe.
    private let connection: any RedisConnection
    private let lock = Mutex(())

    /// The URL it was made for, credentials masked.
    public let redactedURL: String
    /// Where that URL came from.
    public let source: URLSource
    /// When on, a bulk reply that is not UTF-8 is an error (`RedisError.invalidUTF8`), as
    /// redis-py's `decode_responses=True` raises on undecodable bytes.
    public let decodeResponses: Bool
    /// Why the factory fell back to the stub; nil for a real connection.
    public let fallbackReason: RedisError?

    public var isStub: Bool { connection.isStub }

    /// The master name, when this client follows a master through Sentinels.
    public var sentinelMasterName: String? { (connection as? SentinelConnection)?.name }

    public var isCluster: Bool { connection is ClusterConnection }

    /// A command without keys (INFO, WAIT) sent where `key` lives: on a cluster, that key's
    /// master; elsewhere, the one server.
    public func send(_ command: RedisCommandArgv, routedBy key: String) throws -> RedisValue {
        guard let cluster = connection as? ClusterConnection else { return try send(command) }
        let reply = try lock.withLock { _ in try cluster.send(command, slot: KeySlot.of(key)) }
        if decodeResponses { try Self.checkUTF8(reply, command: command) }
        return reply
    }

    /// For a cluster client: each master, and one slot it serves, by the client's slot map
    /// (a smoke test touches every master with a key of that slot). nil for other clients.
    public var clusterMasterSlots: [(master: String, slot: Int)]? {
        guard let cluster = connection as? ClusterConnection else { return nil }
        return lock.withLock { _ in cluster.masterSlots.map { ($0.master.description, $0.slot) } }
    }

    /// Sends a command to the first Sentinel that answers, for clients made from a Sentinel URL.
    public func sendToSentinel(_ command: RedisCommandArgv) throws -> RedisValue {
        guard let sentinel = connection as? SentinelConnection else {
            throw RedisError.unsupported("not a Sentinel client (the URL is not redis+sentinel://)")
        }
        return try lock.withLock { _ in try sentinel.sendToSentinel(command) }
    }

    init(
        connection: any RedisConnection,
        redactedURL: String,
        source: URLSource,
        decodeResponses: Bool,
        fallbackReason: RedisError? = nil
    ) {
        self.connection = connection
        self.fallbackReason = fallbackReason
        self.redactedURL = redactedURL
        self.source = source
        self.decodeResponses = decodeResponses
    }

    public func send(_ command: RedisCommandArgv) throws -> RedisValue {
        let reply = try lock.withLock { _ in try connection.send(command) }
        if decodeResponses { try Self.checkUTF8(reply, command: command) }
        return reply
    }

    public func pipeline(_ commands: [RedisCommandArgv]) throws -> [RedisValue] {
        let replies = try lock.withLock { _ in try connection.pipeline(commands) }
        if decodeResponses {
            for (reply, command) in zip(replies, commands) { try Self.checkUTF8(reply, command: command) }
        }
        return replies
    }

    /// Replies without the UTF-8 check, which the caller makes per command (the async client
    /// batches different tasks' commands: one bad reply must fail only its own task).
    func pipelineUnchecked(_ commands: [RedisCommandArgv]) throws -> [RedisValue] {
        try lock.withLock { _ in try connection.pipeline(commands) }
    }

    /// The reply, or the invalid-UTF-8 error when `decodeResponses` is on and it is not text.
    func checked(_ reply: RedisValue, command: RedisCommandArgv) -> Result<RedisValue, any Error> {
        guard decodeResponses else { return .success(reply) }
        return Result { try Self.checkUTF8(reply, command: command); return reply }
    }

    private static func checkUTF8(_ reply: RedisValue, command: RedisCommandArgv) throws {
        switch reply {
        case .bulkString(let bytes) where String(validating: bytes, as: UTF8.self) == nil:
            throw RedisError.invalidUTF8(command: commandName(command))
        case .array(let elements):
            for element in elements { try checkUTF8(element, command: command) }
        default:
            break
        }
    }
}

func commandName(_ command: RedisCommandArgv) -> String {
    command.first.map { String(decoding: $0, as: UTF8.self).uppercased() } ?? ""
}
