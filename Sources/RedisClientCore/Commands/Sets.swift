extension RedisConnection {
    @discardableResult
    public func sadd(_ key: String, _ members: [String]) throws -> Int {
        try call(argv("SADD", key) + members.map(\.redisBytes)).int()
    }

    @discardableResult
    public func srem(_ key: String, _ members: [String]) throws -> Int {
        try call(argv("SREM", key) + members.map(\.redisBytes)).int()
    }

    public func smembers(_ key: String) throws -> Set<String> {
        Set(try call(argv("SMEMBERS", key)).strings())
    }

    public func sismember(_ key: String, _ member: String) throws -> Bool {
        try call(argv("SISMEMBER", key, member)).bool()
    }

    public func scard(_ key: String) throws -> Int {
        try call(argv("SCARD", key)).int()
    }
}
