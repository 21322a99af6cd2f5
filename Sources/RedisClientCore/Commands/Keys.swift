/// One page of a `SCAN`.
public struct ScanPage: Sendable, Equatable {
    /// "0" when the iteration is complete.
    public var cursor: String
    public var keys: [String]
}

extension RedisConnection {
    @discardableResult
    public func del(_ keys: String...) throws -> Int { try del(keys) }

    @discardableResult
    public func del(_ keys: [String]) throws -> Int {
        try call(argv("DEL") + keys.map(\.redisBytes)).int()
    }

    /// How many of the keys exist (a key named twice counts twice, as in Redis).
    public func exists(_ keys: String...) throws -> Int {
        try call(argv("EXISTS") + keys.map(\.redisBytes)).int()
    }

    @discardableResult
    public func expire(_ key: String, seconds: Int) throws -> Bool {
        try call(argv("EXPIRE", key, seconds)).bool()
    }

    @discardableResult
    public func pexpire(_ key: String, milliseconds: Int) throws -> Bool {
        try call(argv("PEXPIRE", key, milliseconds)).bool()
    }

    /// Seconds to live; -1 without expiry, -2 when the key does not exist.
    public func ttl(_ key: String) throws -> Int {
        try call(argv("TTL", key)).int()
    }

    public func pttl(_ key: String) throws -> Int {
        try call(argv("PTTL", key)).int()
    }

    @discardableResult
    public func persist(_ key: String) throws -> Bool {
        try call(argv("PERSIST", key)).bool()
    }

    /// "string", "list", "set", "zset", "hash", "stream" or "none".
    public func type(_ key: String) throws -> String {
        try call(argv("TYPE", key)).string()
    }

    public func keys(_ pattern: String) throws -> [String] {
        try call(argv("KEYS", pattern)).strings()
    }

    public func scan(cursor: String = "0", match: String? = nil, count: Int? = nil, type: String? = nil) throws -> ScanPage {
        var command = argv("SCAN", cursor)
        if let match { command += argv("MATCH", match) }
        if let count { command += argv("COUNT", count) }
        if let type { command += argv("TYPE", type) }
        let reply = try call(command)
        let parts = try reply.array()
        guard parts.count == 2 else { throw reply.unexpected() }
        return ScanPage(cursor: try parts[0].string(), keys: try parts[1].strings())
    }

    /// Every key matching, following the cursor until the server says the scan is complete.
    public func scanAll(match: String? = nil, count: Int? = nil, type: String? = nil) throws -> [String] {
        var cursor = "0"
        var keys: [String] = []
        repeat {
            let page = try scan(cursor: cursor, match: match, count: count, type: type)
            keys += page.keys
            cursor = page.cursor
        } while cursor != "0"
        return keys
    }

    public func dbsize() throws -> Int {
        try call(argv("DBSIZE")).int()
    }

    public func flushdb() throws {
        try call(argv("FLUSHDB")).ok()
    }
}
