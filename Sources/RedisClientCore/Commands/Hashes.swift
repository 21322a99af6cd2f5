extension RedisConnection {
    /// `HSET key field value ...`; answers how many fields were added (not updated).
    @discardableResult
    public func hset(_ key: String, _ fields: [(String, String)]) throws -> Int {
        var command = argv("HSET", key)
        for (field, value) in fields { command += argv(field, value) }
        return try call(command).int()
    }

    @discardableResult
    public func hset(_ key: String, field: String, value: some RedisArgument) throws -> Int {
        try call(argv("HSET", key, field, value)).int()
    }

    public func hget(_ key: String, _ field: String) throws -> String? {
        try call(argv("HGET", key, field)).optionalString()
    }

    public func hgetall(_ key: String) throws -> [String: String] {
        Dictionary(try call(argv("HGETALL", key)).pairs(), uniquingKeysWith: { _, last in last })
    }

    @discardableResult
    public func hdel(_ key: String, _ fields: [String]) throws -> Int {
        try call(argv("HDEL", key) + fields.map(\.redisBytes)).int()
    }

    public func hexists(_ key: String, _ field: String) throws -> Bool {
        try call(argv("HEXISTS", key, field)).bool()
    }

    @discardableResult
    public func hincrby(_ key: String, _ field: String, _ increment: Int) throws -> Int {
        try call(argv("HINCRBY", key, field, increment)).int()
    }

    public func hlen(_ key: String) throws -> Int {
        try call(argv("HLEN", key)).int()
    }
}
