import RedisTestSupport
import Testing
@testable import RedisFactory

/// The same argv, sent to a real redis-server and to the stub, must get the same replies.
@Suite struct StubContractTests {
    static let families: [(String, [[String]])] = [
        ("connection", [
            ["PING"], ["PING", "hi"], ["PING", "a", "b"], ["ECHO", "x"], ["ECHO"], ["SELECT", "1"], ["SET", "in1", "x"],
            ["SELECT", "0"], ["GET", "in1"], ["SELECT", "16"], ["SELECT", "x"], ["SELECT", "-1"],
            ["NOSUCHCMD", "a", "b"], ["nosuch"], ["GETT", String(repeating: "x", count: 200), "y"],
        ]),
        ("strings", [
            ["GET", "s"], ["SET", "s", "v"], ["GET", "s"], ["SET", "s", "w", "NX"], ["SET", "s", "w", "XX"], ["GET", "s"],
            ["SET", "n1", "x", "XX"], ["SET", "s", "z", "GET"], ["SET", "new", "z", "NX", "GET"], ["SET", "s", "q", "NX", "GET"],
            ["SET", "e", "v", "EX", "100"], ["TTL", "e"], ["SET", "e", "v", "PX", "100000"], ["TTL", "e"],
            ["SET", "e", "v2", "KEEPTTL"], ["TTL", "e"], ["SET", "e", "v3"], ["TTL", "e"],
            ["SET", "e", "v", "EX", "0"], ["SET", "e", "v", "EX", "-5"], ["SET", "e", "v", "EX", "abc"], ["SET", "e", "v", "EX"],
            ["SET", "e", "v", "NX", "XX"], ["SET", "e", "v", "EX", "10", "PX", "100"], ["SET", "e", "v", "EX", "10", "KEEPTTL"],
            ["SET", "e", "v", "BOGUS"], ["SET", "e"], ["SET", "e", "v", "EX", "9223372036854775807"],
            ["SETEX", "sx", "100", "v"], ["TTL", "sx"], ["SETEX", "sx", "0", "v"], ["SETEX", "sx", "x", "v"], ["SETEX", "sx", "1"],
            ["INCR", "c"], ["INCRBY", "c", "10"], ["DECR", "c"], ["DECRBY", "c", "3"], ["INCRBY", "c", "x"], ["INCRBY", "c", "1.5"],
            ["INCRBY", "c", " 1"], ["INCRBY", "c", "+1"], ["INCRBY", "c", "01"], ["INCRBY", "c", "-0"],
            ["SET", "big", "9223372036854775806"], ["INCR", "big"], ["INCR", "big"], ["DECRBY", "big", "-9223372036854775808"],
            ["SET", "small", "-9223372036854775808"], ["DECR", "small"], ["INCR", "s"], ["SET", "sp", " 5"], ["INCR", "sp"],
            ["MGET", "s", "nope", "c"], ["SADD", "set", "a"], ["MGET", "set", "s"], ["GET", "set"], ["INCR", "set"],
            ["INCRBY", "c"], ["GET"], ["MGET"],
        ]),
        ("keys", [
            ["SET", "a", "1"], ["SET", "b", "2"], ["RPUSH", "l", "x"], ["EXISTS", "a", "b", "a", "zz"], ["DEL", "a", "zz", "a"],
            ["EXISTS", "a"], ["TTL", "b"], ["PTTL", "b"], ["TTL", "zz"], ["PTTL", "zz"], ["EXPIRE", "b", "100"], ["TTL", "b"],
            ["EXPIRE", "b", "200", "NX"], ["EXPIRE", "b", "200", "XX"], ["TTL", "b"], ["EXPIRE", "b", "100", "GT"],
            ["EXPIRE", "b", "300", "GT"], ["TTL", "b"], ["EXPIRE", "b", "400", "LT"], ["EXPIRE", "b", "50", "LT"], ["TTL", "b"],
            ["EXPIRE", "b", "1", "NX", "XX"], ["EXPIRE", "b", "1", "GT", "LT"], ["EXPIRE", "b", "1", "FOO"], ["EXPIRE", "b", "x"],
            ["EXPIRE", "l", "100", "GT"], ["EXPIRE", "l", "100", "LT"], ["TTL", "l"], ["PERSIST", "l"], ["PERSIST", "l"], ["TTL", "l"],
            ["EXPIRE", "zz", "10"], ["PEXPIRE", "b", "100000"], ["TTL", "b"], ["EXPIRE", "b", "9223372036854775807"],
            ["EXPIRE", "b", "-1"], ["EXISTS", "b"], ["PEXPIRE", "l", "0"], ["EXISTS", "l"],
            ["SET", "t1", "x"], ["SADD", "t2", "m"], ["HSET", "t3", "f", "v"], ["ZADD", "t4", "1", "m"], ["LPUSH", "t5", "x"],
            ["TYPE", "t1"], ["TYPE", "t2"], ["TYPE", "t3"], ["TYPE", "t4"], ["TYPE", "t5"], ["TYPE", "none"],
            ["KEYS", "t*"], ["KEYS", "t[1-3]"], ["KEYS", "t[^1]"], ["KEYS", "?2"], ["KEYS", "*"], ["KEYS", "x\\*"],
            ["DBSIZE"], ["FLUSHDB", "BAD"], ["FLUSHDB", "SYNC"], ["DBSIZE"], ["DEL"], ["TTL"], ["TYPE"],
            ["SCAN", "x"], ["SCAN", "0", "COUNT", "0"], ["SCAN", "0", "COUNT"], ["SCAN", "0", "BOGUS", "1"],
        ]),
        ("sets", [
            ["SADD", "s", "a", "b", "a"], ["SADD", "s", "c"], ["SREM", "s", "a", "zz"], ["SMEMBERS", "s"], ["SISMEMBER", "s", "b"],
            ["SISMEMBER", "s", "a"], ["SCARD", "s"], ["SCARD", "none"], ["SMEMBERS", "none"], ["SREM", "s", "b", "c"],
            ["EXISTS", "s"], ["SET", "str", "x"], ["SADD", "str", "a"], ["SMEMBERS", "str"], ["SCARD", "str"], ["SADD", "s"],
            ["SISMEMBER", "s"],
        ]),
        ("sorted sets", [
            ["ZADD", "z", "1", "a", "2", "b", "3.5", "c", "-1", "d"], ["ZADD", "z", "NX", "10", "a"], ["ZADD", "z", "XX", "1.25", "a"],
            ["ZADD", "z", "XX", "5", "new"], ["ZADD", "z", "CH", "2", "b", "9", "c", "4", "e"], ["ZADD", "z", "GT", "CH", "1", "b"],
            ["ZADD", "z", "LT", "CH", "1", "b"], ["ZADD", "z", "INCR", "2", "b"], ["ZADD", "z", "NX", "INCR", "2", "b"],
            ["ZADD", "z", "NX", "XX", "1", "a"], ["ZADD", "z", "GT", "LT", "1", "a"], ["ZADD", "z", "GT", "NX", "1", "a"],
            ["ZADD", "z", "INCR", "1", "a", "2", "b"], ["ZADD", "z", "x", "a"], ["ZADD", "z", "1"], ["ZADD", "z", "NX", "1"],
            ["ZADD", "z", "1", "a", "2"], ["ZADD", "z", "nan", "a"], ["ZADD", "z", "inf", "top"], ["ZADD", "z", "-inf", "bottom"],
            ["ZADD", "z", "0x10", "hex"], ["ZADD", "z", "1e2", "exp"], ["ZADD", "z", " 1", "sp"], ["ZADD", "z", "0.1", "tenth"],
            ["ZADD", "xx-none", "XX", "1", "a"], ["EXISTS", "xx-none"], ["ZADD", "xx-none", "XX", "INCR", "1", "a"],
            ["ZSCORE", "z", "a"], ["ZSCORE", "z", "tenth"], ["ZSCORE", "z", "top"], ["ZSCORE", "z", "nope"],
            ["ZINCRBY", "z", "0.2", "tenth"], ["ZINCRBY", "z", "x", "a"], ["ZINCRBY", "z", "1", "fresh"],
            ["ZINCRBY", "z", "-inf", "top"],
            ["ZRANGE", "z", "0", "-1"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["ZRANGE", "z", "-3", "-2"], ["ZRANGE", "z", "5", "2"],
            ["ZRANGE", "z", "0", "100"], ["ZRANGE", "z", "x", "1"], ["ZRANGE", "z", "0", "1", "BOGUS"], ["ZRANGE", "z", "0", "-1", "REV"],
            ["ZRANGE", "z", "(1", "5", "BYSCORE"], ["ZRANGE", "z", "5", "(1", "BYSCORE", "REV", "WITHSCORES"],
            ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"], ["ZRANGE", "z", "0", "1", "LIMIT", "0", "1"],
            ["ZRANGEBYSCORE", "z", "-inf", "+inf"], ["ZRANGEBYSCORE", "z", "(1.25", "3.5", "WITHSCORES"],
            ["ZRANGEBYSCORE", "z", "1", "(4"], ["ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "2", "3"],
            ["ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "3"], ["ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "-1"],
            ["ZRANGEBYSCORE", "z", "x", "1"], ["ZRANGEBYSCORE", "z", "1", "2", "LIMIT", "1"], ["ZRANGEBYSCORE", "z", "((1", "2"],
            ["ZCOUNT", "z", "-inf", "+inf"], ["ZCOUNT", "z", "(1", "(5"], ["ZCOUNT", "z", "a", "1"], ["ZCOUNT", "none", "0", "1"],
            ["ZCARD", "z"], ["ZREM", "z", "a", "zz", "b"], ["ZREMRANGEBYSCORE", "z", "-inf", "(0"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
            ["ZREMRANGEBYSCORE", "z", "-inf", "+inf"], ["EXISTS", "z"], ["ZADD", "same", "1", "b", "1", "a", "1", "c"],
            ["ZRANGE", "same", "0", "-1"], ["SET", "str", "x"], ["ZADD", "str", "1", "a"], ["ZSCORE", "str", "a"], ["ZCARD", "str"],
            ["ZRANGE", "str", "0", "1"], ["ZSCORE", "z"], ["ZCOUNT", "z", "1"],
        ]),
        ("hashes", [
            ["HSET", "h", "f1", "v1", "f2", "v2"], ["HSET", "h", "f1", "v1b"], ["HGET", "h", "f1"], ["HGET", "h", "nope"],
            ["HGETALL", "h"], ["HGETALL", "none"], ["HEXISTS", "h", "f2"], ["HEXISTS", "h", "zz"], ["HINCRBY", "h", "n", "5"],
            ["HINCRBY", "h", "n", "-7"], ["HINCRBY", "h", "f2", "1"], ["HINCRBY", "h", "n", "x"], ["HLEN", "h"], ["HLEN", "none"],
            ["HSET", "h", "big", "9223372036854775807"], ["HINCRBY", "h", "big", "1"], ["HDEL", "h", "f1", "zz"],
            ["HSET", "h", "odd"], ["HSET", "h", "a", "1", "b"], ["HDEL", "h", "f2", "n", "big"], ["EXISTS", "h"],
            ["SET", "str", "x"], ["HSET", "str", "f", "v"], ["HGET", "str", "f"], ["HGETALL", "str"], ["HINCRBY", "fresh", "f", "3"],
        ]),
        ("lists", [
            ["RPUSH", "l", "a", "b"], ["LPUSH", "l", "z", "y"], ["LRANGE", "l", "0", "-1"], ["LRANGE", "l", "-2", "10"],
            ["LRANGE", "l", "3", "1"], ["LRANGE", "l", "x", "1"], ["LLEN", "l"], ["LTRIM", "l", "1", "-1"], ["LRANGE", "l", "0", "-1"],
            ["LPOP", "l"], ["RPOP", "l"], ["LPOP", "none"], ["RPUSH", "l", "1", "2", "3", "4"], ["LPOP", "l", "2"], ["RPOP", "l", "2"],
            ["LPOP", "l", "0"], ["LPOP", "none", "2"], ["LPOP", "l", "-1"], ["LPOP", "l", "x"], ["LLEN", "l"], ["RPOP", "l", "10"],
            ["EXISTS", "l"], ["RPUSH", "l", "a"], ["LTRIM", "l", "5", "10"], ["EXISTS", "l"], ["LTRIM", "none", "0", "1"],
            ["SET", "str", "x"], ["LPUSH", "str", "a"], ["LRANGE", "str", "0", "1"], ["LLEN", "str"], ["LPOP", "str"],
            ["LPOP", "l", "1", "2"], ["LPUSH", "l"],
        ]),
        ("server and transactions", [
            ["PUBLISH", "chan", "msg"], ["PUBLISH", "chan"], ["MULTI"], ["INCR", "t"], ["INCR", "t"], ["GET", "t"], ["EXEC"],
            ["EXEC"], ["DISCARD"], ["MULTI"], ["SET", "str", "x"], ["INCR", "str"], ["EXEC"], ["MULTI"], ["MULTI"], ["SET", "k"],
            ["NOSUCH"], ["EXEC"], ["MULTI"], ["SET", "d", "1"], ["DISCARD"], ["GET", "d"], ["MULTI", "x"], ["EXEC", "x"],
            ["MULTI"], ["SELECT", "3"], ["SET", "in3", "x"], ["EXEC"], ["GET", "in3"], ["SELECT", "0"], ["GET", "in3"],
        ]),
    ]

    @Test(arguments: 0..<families.count)
    func familyAnswersAsRedisDoes(index: Int) throws {
        let (family, commands) = Self.families[index]
        let server = try RedisServer.start()
        let real = try rawClient(server)
        let stub = InMemoryRedis()
        for command in commands {
            let argv = command.map(\.redisBytes)
            let expected = normalized(command, try real.send(argv))
            let actual = normalized(command, try stub.send(argv))
            #expect(actual == expected, "\(family): \(command.joined(separator: " "))")
        }
    }

    @Test func scanVisitsEveryKeyAcrossPages() throws {
        let stub = InMemoryRedis()
        for index in 0..<1000 { _ = try stub.send("SET", "key:\(index)", "v") }
        _ = try stub.send("SADD", "key:set", "m")
        var cursor = "0"
        var seen: [String] = []
        var pages = 0
        repeat {
            let page = try stub.scan(cursor: cursor, match: "key:*", count: 50)
            seen += page.keys
            cursor = page.cursor
            pages += 1
        } while cursor != "0"
        #expect(pages > 10)
        #expect(Set(seen).count == 1001 && seen.count == 1001)
        #expect(try stub.scanAll(type: "set") == ["key:set"])
    }
}

/// A client that keeps bulk replies as bytes, for exact comparison.
func rawClient(_ server: RedisServer) throws -> RedisClient {
    try RedisFactory.makeClient(preferredURL: server.url, decodeResponses: false, fallbackToFake: false, options: testOptions())
}

/// Replies whose order Redis does not define are compared sorted.
func normalized(_ command: [String], _ reply: RedisValue) -> RedisValue {
    let unordered: Set<String> = ["SMEMBERS", "KEYS"]
    guard unordered.contains(command[0].uppercased()), case .array(let elements) = reply else { return reply }
    return .array(elements.sorted { $0.description < $1.description })
}
