/// One client's session on the in-memory stub: what the factory falls back to when Redis
/// cannot be reached. It answers what Redis 7 answers — reply types, error texts, expiry — and
/// keeps per-session state (`SELECT`, `MULTI`) apart from the shared ``StubStore``.
public final class InMemoryRedis: RedisConnection, @unchecked Sendable {
    public let store: StubStore
    private var database = 0
    /// Queued commands while inside `MULTI`; `failed` once a command was refused at queueing.
    private var transaction: (commands: [RedisCommandArgv], failed: Bool)?

    public var isStub: Bool { true }

    public init(store: StubStore = StubStore(), database: Int = 0) {
        self.store = store
        self.database = database
    }

    public func send(_ command: RedisCommandArgv) throws -> RedisValue {
        guard let first = command.first else { return .error("ERR unknown command ''") }
        let name = String(decoding: first, as: UTF8.self).lowercased()
        if transaction != nil { return queue(name, command) }
        switch name {
        case "multi":
            guard command.count == 1 else { return .error(StubError.arity(name).message) }
            transaction = ([], false)
            return .ok
        case "exec" where command.count != 1:
            return Self.execAbort(StubError.arity(name))
        case "exec", "discard":
            guard command.count == 1 else { return .error(StubError.arity(name).message) }
            return .error("ERR \(name.uppercased()) without MULTI")
        default:
            return store.execute([command], database: &database)[0]
        }
    }

    public func pipeline(_ commands: [RedisCommandArgv]) throws -> [RedisValue] {
        try commands.map { try send($0) }
    }

    private func queue(_ name: String, _ command: RedisCommandArgv) -> RedisValue {
        switch name {
        case "multi":
            return .error("ERR MULTI calls can not be nested")
        case "discard":
            transaction = nil
            return .ok
        case "exec" where command.count != 1:
            transaction = nil
            return Self.execAbort(StubError.arity(name))
        case "exec":
            guard let (commands, failed) = transaction else { return .error("ERR EXEC without MULTI") }
            transaction = nil
            if failed { return .error("EXECABORT Transaction discarded because of previous errors.") }
            return .array(store.execute(commands, database: &database))
        default:
            do {
                _ = try StubCommands.lookup(command)
            } catch {
                transaction?.failed = true
                return .error(error.message)
            }
            transaction?.commands.append(command)
            return .simpleString("QUEUED")
        }
    }

    /// Redis answers any refusal of `EXEC` itself as an aborted transaction.
    private static func execAbort(_ error: StubError) -> RedisValue {
        .error("EXECABORT Transaction discarded because of: " + error.message.dropFirst("ERR ".count))
    }
}
