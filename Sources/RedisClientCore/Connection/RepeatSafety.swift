/// When a connection that follows a moving master (Sentinel, Cluster) may send a command again
/// after something went wrong: only when that cannot run it twice.
enum RepeatSafety {
    /// Commands that only read: running one twice changes nothing.
    static let readOnlyCommands: Set<String> = [
        "GET", "MGET", "STRLEN", "GETRANGE", "EXISTS", "TTL", "PTTL", "TYPE", "KEYS", "SCAN", "DBSIZE",
        "HGET", "HMGET", "HGETALL", "HLEN", "HEXISTS", "HKEYS", "HVALS", "HSCAN",
        "SMEMBERS", "SISMEMBER", "SMISMEMBER", "SCARD", "SSCAN", "SRANDMEMBER",
        "ZRANGE", "ZRANGEBYSCORE", "ZREVRANGE", "ZSCORE", "ZMSCORE", "ZCARD", "ZCOUNT", "ZRANK", "ZREVRANK", "ZSCAN",
        "LRANGE", "LLEN", "LINDEX", "XLEN", "XRANGE", "XREVRANGE", "XINFO", "XPENDING",
        "PING", "ECHO", "INFO", "ROLE", "TIME", "EVALSHA_RO", "EVAL_RO",
    ]

    static func isReadOnly(_ command: RedisCommandArgv) -> Bool {
        guard let name = command.first else { return false }
        return readOnlyCommands.contains(String(decoding: name, as: UTF8.self).uppercased())
    }
}

extension RedisError {
    /// The connection failed or was lost: the server may or may not have run what was sent.
    var isTransport: Bool {
        switch self {
        case .connectionRefused, .connectionClosed, .timedOut, .io: true
        default: false
        }
    }
}
