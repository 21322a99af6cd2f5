extension RedisConnection {
    /// Answers the list's length after the push.
    @discardableResult
    public func lpush(_ key: String, _ values: [String]) throws -> Int {
        try call(argv("LPUSH", key) + values.map(\.redisBytes)).int()
    }

    @discardableResult
    public func rpush(_ key: String, _ values: [String]) throws -> Int {
        try call(argv("RPUSH", key) + values.map(\.redisBytes)).int()
    }

    public func lpop(_ key: String) throws -> String? {
        try call(argv("LPOP", key)).optionalString()
    }

    public func rpop(_ key: String) throws -> String? {
        try call(argv("RPOP", key)).optionalString()
    }

    public func lrange(_ key: String, start: Int, stop: Int) throws -> [String] {
        try call(argv("LRANGE", key, start, stop)).strings()
    }

    public func llen(_ key: String) throws -> Int {
        try call(argv("LLEN", key)).int()
    }

    public func ltrim(_ key: String, start: Int, stop: Int) throws {
        try call(argv("LTRIM", key, start, stop)).ok()
    }
}
