/// `SET`'s expiry option.
public enum RedisExpiration: Sendable, Equatable {
    case seconds(Int)
    case milliseconds(Int)
}

/// `SET`'s / `ZADD`'s existence condition.
public enum RedisCondition: String, Sendable {
    /// `NX`: only when the key (or member) does not exist.
    case ifNotExists = "NX"
    /// `XX`: only when it exists.
    case ifExists = "XX"
}

extension RedisConnection {
    public func get(_ key: String) throws -> String? {
        try call(argv("GET", key)).optionalString()
    }

    /// `GET` without decoding: any bytes, NUL included.
    public func getBytes(_ key: String) throws -> [UInt8]? {
        try call(argv("GET", key)).optionalBytes()
    }

    /// `SET key value [EX s | PX ms] [NX | XX]`. Answers false when the condition kept the
    /// value from being set.
    @discardableResult
    public func set(
        _ key: String,
        _ value: some RedisArgument,
        expiration: RedisExpiration? = nil,
        condition: RedisCondition? = nil
    ) throws -> Bool {
        var command = argv("SET", key, value)
        switch expiration {
        case .seconds(let seconds): command += argv("EX", seconds)
        case .milliseconds(let milliseconds): command += argv("PX", milliseconds)
        case nil: break
        }
        if let condition { command.append(condition.rawValue.redisBytes) }
        let reply = try call(command)
        if reply.value == .null { return false }
        try reply.ok()
        return true
    }

    public func setex(_ key: String, seconds: Int, _ value: some RedisArgument) throws {
        try call(argv("SETEX", key, seconds, value)).ok()
    }

    public func mget(_ keys: [String]) throws -> [String?] {
        try call(argv("MGET") + keys.map(\.redisBytes)).optionalStrings()
    }

    @discardableResult
    public func incr(_ key: String) throws -> Int {
        try call(argv("INCR", key)).int()
    }

    @discardableResult
    public func incrby(_ key: String, _ increment: Int) throws -> Int {
        try call(argv("INCRBY", key, increment)).int()
    }

    @discardableResult
    public func decr(_ key: String) throws -> Int {
        try call(argv("DECR", key)).int()
    }

    @discardableResult
    public func decrby(_ key: String, _ decrement: Int) throws -> Int {
        try call(argv("DECRBY", key, decrement)).int()
    }
}
