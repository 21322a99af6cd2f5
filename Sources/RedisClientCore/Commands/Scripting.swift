extension RedisConnection {
    /// Answers the script's SHA1, for `EVALSHA`.
    public func scriptLoad(_ script: String) throws -> String {
        try call(argv("SCRIPT", "LOAD", script)).string()
    }

    public func scriptExists(_ sha1s: [String]) throws -> [Bool] {
        try call(argv("SCRIPT", "EXISTS") + sha1s.map(\.redisBytes)).array().map { try $0.bool() }
    }

    public func scriptFlush() throws {
        try call(argv("SCRIPT", "FLUSH")).ok()
    }

    /// A script's reply as Redis converted it; an error reply (including a script's own
    /// `error_reply`) is thrown as ``RedisError/server(_:)``.
    public func eval(_ script: String, keys: [String] = [], arguments: [String] = []) throws -> RedisValue {
        try call(argv("EVAL", script, keys.count) + keys.map(\.redisBytes) + arguments.map(\.redisBytes)).value
    }

    /// Throws `NOSCRIPT ...` when the script is not loaded.
    public func evalsha(_ sha1: String, keys: [String] = [], arguments: [String] = []) throws -> RedisValue {
        try call(argv("EVALSHA", sha1, keys.count) + keys.map(\.redisBytes) + arguments.map(\.redisBytes)).value
    }
}
