/// The one shape every Redis client here has: an argv in, a RESP value out.
///
/// The real client (hiredis) and the in-memory stub both conform, so typed commands are
/// written once, as extensions on this protocol, and one contract suite can send the same argv
/// to both and compare the replies.
///
/// Transport failures throw ``RedisError``. Error replies come back as ``RedisValue/error(_:)``
/// values, so a pipeline can hold an error for one command and real replies for the rest.
public protocol RedisConnection: AnyObject {
    /// True for the in-memory stub.
    var isStub: Bool { get }

    func send(_ command: RedisCommandArgv) throws -> RedisValue

    /// Sends every command before reading any reply; answers the replies in order.
    func pipeline(_ commands: [RedisCommandArgv]) throws -> [RedisValue]
}

extension RedisConnection {
    public func send(_ parts: String...) throws -> RedisValue {
        try send(parts.map(\.redisBytes))
    }

    public func send(_ parts: [String]) throws -> RedisValue {
        try send(parts.map(\.redisBytes))
    }
}
