/// The in-memory stand-in the factory falls back to when Redis cannot be reached.
///
/// For now it is deliberately minimal and honest: it answers the connection commands and
/// refuses everything else with Redis's own unknown-command error, so nothing mistakes it for
/// a working store. The full Redis 7 command set lands with the stub's own issue.
public final class InMemoryRedis: RedisConnection, @unchecked Sendable {
    public var isStub: Bool { true }

    public init() {}

    public func send(_ command: RedisCommandArgv) throws -> RedisValue {
        guard let first = command.first else { return .error("ERR empty command") }
        let name = String(decoding: first, as: UTF8.self)
        switch name.uppercased() {
        case "PING":
            return command.count > 1 ? .bulkString(command[1]) : .simpleString("PONG")
        case "QUIT", "SELECT", "AUTH":
            return .simpleString("OK")
        default:
            let arguments = command.dropFirst().prefix(16)
                .map { "'" + String(decoding: $0, as: UTF8.self) + "' " }.joined()
            return .error("ERR unknown command '\(name)', with args beginning with: \(arguments)")
        }
    }

    public func pipeline(_ commands: [RedisCommandArgv]) throws -> [RedisValue] {
        try commands.map { try send($0) }
    }
}
