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
        ("streams", [
            ["XADD", "s", "0-0", "f", "v"], ["XADD", "s", "1-1", "f", "v"], ["XADD", "s", "1-1", "f", "v"], ["XADD", "s", "abc", "f", "v"],
            ["XADD", "s", "1-1", "f"], ["XADD", "s", "MAXLEN", "-1", "9-1", "f", "v"], ["XADD", "s", "MAXLEN", "x", "9-1", "f", "v"],
            ["XADD", "s", "MAXLEN", "5", "LIMIT", "10", "9-1", "f", "v"], ["XADD", "s", "5-*", "a", "1", "b", "2"],
            ["XADD", "s", "5-*", "f", "v"], ["XADD", "s", "4-*", "f", "v"], ["XADD", "s", "5", "f", "v"], ["XADD", "s", "6", "f", "v"],
            ["XADD", "s", "NOMKSTREAM", "7-0", "f", "v"], ["XADD", "none", "NOMKSTREAM", "1-1", "f", "v"], ["EXISTS", "none"],
            ["XADD", "s", "1-x", "f", "v"], ["XADD", "s", "-1", "f", "v"], ["XADD", "s", "18446744073709551616", "f", "v"],
            ["XLEN", "s"], ["XLEN", "none"], ["XRANGE", "s", "-", "+"], ["XRANGE", "s", "-", "+", "COUNT", "2"],
            ["XRANGE", "s", "-", "+", "COUNT", "0"], ["XRANGE", "s", "-", "+", "COUNT", "-1"], ["XRANGE", "s", "abc", "+"],
            ["XRANGE", "s", "(1-1", "+"], ["XRANGE", "s", "(-", "+"], ["XRANGE", "s", "-", "+", "COUNT"], ["XRANGE", "s", "-", "+", "FOO", "1"],
            ["XRANGE", "s", "1", "5"], ["XRANGE", "s", "5", "5"], ["XRANGE", "s", "5", "1"], ["XRANGE", "s", "-", "(5-1"],
            ["XRANGE", "none", "-", "+"], ["XRANGE", "none", "-", "+", "COUNT", "0"], ["XREVRANGE", "s", "+", "-", "COUNT", "2"],
            ["XREVRANGE", "s", "5-1", "5-0"], ["XREVRANGE", "s", "-", "+"],
            ["XADD", "capped", "1-1", "f", "v"], ["XADD", "capped", "1-2", "f", "v"], ["XADD", "capped", "MAXLEN", "2", "1-3", "f", "v"],
            ["XADD", "capped", "MAXLEN", "=", "1", "1-4", "f", "v"], ["XRANGE", "capped", "-", "+"], ["XADD", "capped", "MAXLEN", "~", "1", "1-5", "f", "v"],
            ["XLEN", "capped"],
            ["XDEL", "s", "1-1", "9-9"], ["XDEL", "s", "abc"], ["XDEL", "none", "1-1"], ["XLEN", "s"],
            ["XGROUP", "CREATE", "none", "g", "0"], ["XGROUP", "CREATE", "s", "g", "0"], ["XGROUP", "CREATE", "s", "g", "0"],
            ["XGROUP", "CREATE", "s", "g2", "abc"], ["XGROUP", "FOO", "s", "g"], ["XGROUP", "CREATE", "s", "g"], ["XGROUP", "DESTROY", "s", "g"],
            ["XGROUP", "DESTROY", "s", "g"], ["XGROUP", "CREATE", "fresh", "g", "$", "MKSTREAM"], ["XLEN", "fresh"], ["TYPE", "fresh"],
            ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"], ["XGROUP", "CREATE", "s", "g", "0"],
            ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s"], ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">", "0"],
            ["XREADGROUP", "GROUP", "g", "c", "COUNT", "x", "STREAMS", "s", ">"], ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "x", "STREAMS", "s", ">"],
            ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "-1", "STREAMS", "s", ">"], ["XREADGROUP", "GROUP", "g", "c", "BOGUS", "STREAMS", "s", ">"],
            ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "none", ">"], ["XREADGROUP", "GROUP", "nog", "c", "STREAMS", "s", ">"],
            ["XPENDING", "s", "g"], ["XPENDING", "s", "nog"], ["XPENDING", "s", "g", "-", "+"], ["XPENDING", "s", "g", "-", "+", "10"],
            ["XPENDING", "s", "g", "-", "+", "x"], ["XPENDING", "s", "g", "abc", "+", "10"],
            ["XREADGROUP", "GROUP", "g", "c", "COUNT", "2", "STREAMS", "s", ">"], ["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"],
            ["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"], ["XPENDING", "s", "g"], ["XPENDING", "s", "g", "-", "+", "10"],
            ["XPENDING", "s", "g", "-", "+", "10", "c2"], ["XPENDING", "s", "g", "IDLE", "0", "-", "+", "1"], ["XPENDING", "s", "g", "-", "+", "0"],
            ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"], ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", "0"],
            ["XREADGROUP", "GROUP", "g", "c3", "STREAMS", "s", "0"], ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "abc"],
            ["XPENDING", "s", "g", "-", "+", "10"], ["XACK", "s", "g", "5-0", "9-9"], ["XACK", "s", "nog", "5-0"], ["XACK", "s", "g", "abc"],
            ["XDEL", "s", "5-1"], ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"], ["XADD", "s", "20-1", "f", "v"],
            ["XREADGROUP", "GROUP", "g", "c", "NOACK", "STREAMS", "s", ">"], ["XPENDING", "s", "g"],
            ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "10", "STREAMS", "s", ">"],
            ["XGROUP", "CREATECONSUMER", "s", "g", "c9"], ["XGROUP", "CREATECONSUMER", "s", "g", "c9"], ["XGROUP", "DELCONSUMER", "s", "g", "c2"],
            ["XPENDING", "s", "g"], ["XGROUP", "SETID", "s", "g", "0"], ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"],
            ["XGROUP", "SETID", "s", "nog", "0"], ["SET", "str", "x"], ["XADD", "str", "1-1", "f", "v"], ["XLEN", "str"], ["XRANGE", "str", "-", "+"],
            ["XGROUP", "CREATE", "str", "g", "0"], ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "str", ">"],
        ]),
        ("scripting", [
            ["SET", "str", "x"], ["EVAL", "return redis.call('INCR', KEYS[1])", "1", "str"],
            ["EVAL", "return redis.pcall('INCR', KEYS[1])", "1", "str"], ["EVAL", "return x", "0"], ["EVAL", "return (", "0"],
            ["EVAL", "return redis.call('nosuch')", "0"], ["EVAL", "return redis.call()", "0"], ["EVAL", "return redis.call({})", "0"],
            ["EVAL", "return redis.call('get')", "0"], ["EVAL", "return redis.call('eval', 'return 1', 0)", "0"],
            ["EVAL", "error('boom')", "0"], ["EVAL", "error({err='MY boom'})", "0"], ["EVAL", "local a = nil\nreturn a.b", "0"],
            ["EVAL", "return redis.error_reply('X y')", "0"], ["EVAL", "return redis.error_reply('oops')", "0"],
            ["EVAL", "return redis.error_reply('-CODE msg')", "0"], ["EVAL", "return redis.status_reply('FINE')", "0"],
            ["EVAL", "return {1, 2.9, 'a', nil, 4}", "0"], ["EVAL", "return 3.99", "0"], ["EVAL", "return -3.99", "0"],
            ["EVAL", "return true", "0"], ["EVAL", "return false", "0"], ["EVAL", "return nil", "0"], ["EVAL", "return {ok='x'}", "0"],
            ["EVAL", "return {err='E1 x'}", "0"], ["EVAL", "return {}", "0"], ["EVAL", "return {{1, {2, 'x'}}, 'y'}", "0"],
            ["EVAL", "return redis.call('GET', 'nokey')", "0"], ["EVAL", "return redis.call('GET', 'nokey') == false", "0"],
            ["EVAL", "x = 1", "0"], ["EVAL", "return redis.sha1hex('')", "0"], ["EVAL", "return redis.sha1hex('abc')", "0"],
            ["EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"], ["EVALSHA", "short", "0"], ["EVAL", "return 1", "-1"],
            ["EVAL", "return 1", "2", "a"], ["EVAL", "return 1", "x"], ["EVAL", "return {KEYS[1], KEYS[2], ARGV[1], #ARGV}", "2", "k1", "k2", "a1", "a2"],
            ["SCRIPT", "EXISTS", "a", "b"], ["SCRIPT", "LOAD", "return 'loaded'"], ["SCRIPT", "LOAD", "return ("],
            ["SCRIPT", "EXISTS", "7c8e3bdc2a3b7a1e6d3c16c0f4d5a8a0b9e3f2a1", "fd6d9fba1ec5bb2e93cc8ee9cf0cfb6b5b4da7b6"],
            ["EVALSHA", "FD6D9FBA1EC5BB2E93CC8EE9CF0CFB6B5B4DA7B6", "0"], ["SCRIPT", "FOO"], ["SCRIPT", "LOAD"], ["SCRIPT", "KILL"],
            ["SCRIPT", "FLUSH", "BAD"], ["SCRIPT", "FLUSH", "ASYNC"], ["SCRIPT", "EXISTS", "fd6d9fba1ec5bb2e93cc8ee9cf0cfb6b5b4da7b6"],
            ["EVAL", "return redis.call('ping')", "0"], ["EVAL", "return redis.call('hgetall', 'nokey')", "0"],
            ["EVAL", "return redis.call('SET', 'a', 'b')", "0"], ["EVAL", "local t = redis.call('SET', 'a', 'b'); return t.ok", "0"],
            ["EVAL", "return redis.call('INCRBY', 'n', 5)", "0"], ["EVAL", "return redis.call('ZADD', 'z', 0.1, 'm')", "0"],
            ["ZSCORE", "z", "m"], ["EVAL", "return redis.call('ZSCORE', 'z', 'm')", "0"],
            ["EVAL", "return redis.call('XADD', 'st', '1-1', 'f', 'v')", "0"], ["EVAL", "return redis.call('XRANGE', 'st', '-', '+')", "0"],
            ["EVAL", "return redis.pcall('XADD', 'st', '1-1', 'f', 'v')", "0"], ["EVAL", "return type(redis.pcall('XADD', 'st', '1-1', 'f', 'v'))", "0"],
            ["EVAL", "return tonumber('12') + #KEYS", "1", "k"], ["EVAL", "return string.format('%d-%s', 7, 'x')", "0"],
            ["EVAL", "return table.concat({'a', 'b'}, ',')", "0"], ["EVAL", "return math.floor(2.7)", "0"],
            ["EVAL", "return unpack({1, 2})", "0"], ["EVAL", "return select('#', 1, 2, 3)", "0"],
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

    @Test(arguments: RateLimitScripts.all)
    func rateLimitScriptsRunUnchangedOnBoth(script: RateLimitScripts.Script) throws {
        let server = try RedisServer.start()
        let real = try rawClient(server)
        let stub = InMemoryRedis()
        let realSHA = try real.scriptLoad(script.source)
        #expect(try stub.scriptLoad(script.source) == realSHA)
        var generator = SeededGenerator(seed: 42)
        var now: Int64 = 1_700_000_000_000
        for call in 0..<300 {
            now += Int64.random(in: 0...400, using: &generator)
            let (keys, arguments) = script.arguments(now, call)
            let expected = try real.send(argv("EVALSHA", realSHA, keys.count) + (keys + arguments).map(\.redisBytes))
            let actual = try stub.send(argv("EVALSHA", realSHA, keys.count) + (keys + arguments).map(\.redisBytes))
            #expect(actual == expected, "\(script.name) call \(call) at \(now)")
        }
        for key in script.keys {
            #expect(try stub.zrangeWithScores(key, start: 0, stop: -1) == real.zrangeWithScores(key, start: 0, stop: -1))
        }
    }

    @Test func runawayScriptIsStoppedWithABusyError() throws {
        let stub = InMemoryRedis(store: StubStore(scriptTimeLimit: .milliseconds(50)))
        let reply = try stub.send("EVAL", "local n = 0\nwhile true do n = n + 1 end", "0")
        #expect(reply.errorMessage?.hasPrefix("BUSY ") == true, "\(reply)")
        #expect(reply.errorMessage?.hasSuffix("on @user_script:2.") == true, "\(reply)")
        #expect(try stub.send("EVAL", "return 1", "0") == .integer(1))
    }

    @Test func scriptsAreAtomicAcrossThreads() async throws {
        let store = StubStore()
        let script = "local v = tonumber(redis.call('GET', KEYS[1]) or '0'); redis.call('SET', KEYS[1], v + 1); return v + 1"
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let client = InMemoryRedis(store: store)
                    for _ in 0..<250 { _ = try client.eval(script, keys: ["counter"]) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try InMemoryRedis(store: store).get("counter") == "2000")
    }

    @Test func automaticStreamIDsAreMonotonic() throws {
        let clock = ManualClock(milliseconds: 5000)
        let stub = InMemoryRedis(store: StubStore(clock: clock))
        #expect(try stub.xadd("s", [("f", "v")]) == "5000-0")
        #expect(try stub.xadd("s", [("f", "v")]) == "5000-1")
        clock.advance(milliseconds: 2)
        #expect(try stub.xadd("s", [("f", "v")]) == "5002-0")
        #expect(try stub.xadd("s", id: "9000-*", [("f", "v")]) == "9000-0")
        // The clock is behind the top id now: the sequence goes on from it.
        #expect(try stub.xadd("s", [("f", "v")]) == "9000-1")
    }

    @Test func blockingReadWakesOnAnotherClientsAdd() async throws {
        let store = StubStore()
        let reader = InMemoryRedis(store: store)
        try reader.xgroupCreate("jobs", group: "g", id: "$", makeStream: true)
        #expect(try reader.xreadgroup(group: "g", consumer: "c", streams: [("jobs", ">")], blockMilliseconds: 20) == nil)
        let waiting = Task.detached {
            try InMemoryRedis(store: store).xreadgroup(group: "g", consumer: "c", streams: [("jobs", ">")], blockMilliseconds: 0)
        }
        try await Task.sleep(for: .milliseconds(50))
        try InMemoryRedis(store: store).xadd("jobs", id: "1-1", [("job", "a")])
        let read = try await waiting.value
        #expect(read == [StreamRead(key: "jobs", entries: [StreamEntry(id: "1-1", fields: ["job": "a"])])])
    }

    @Test func expiryIsHonouredByEveryRead() throws {
        let clock = ManualClock()
        let stub = InMemoryRedis(store: StubStore(clock: clock))
        try stub.set("s", "v", expiration: .milliseconds(100))
        try stub.sadd("set", ["m"])
        try stub.pexpire("set", milliseconds: 100)
        try stub.xadd("st", id: "1-1", [("f", "v")])
        try stub.expire("st", seconds: 1)
        #expect(try stub.pttl("s") == 100)
        clock.advance(milliseconds: 99)
        #expect(try stub.get("s") == "v")
        clock.advance(milliseconds: 1)
        #expect(try stub.get("s") == nil)
        #expect(try stub.ttl("s") == -2)
        #expect(try stub.sismember("set", "m") == false)
        #expect(try stub.exists("set") == 0)
        #expect(try stub.xlen("st") == 1)
        clock.advance(milliseconds: 900)
        #expect(try stub.xlen("st") == 0)
        #expect(try stub.dbsize() == 0)
        // A dead key is written over as a fresh one.
        #expect(try stub.incr("s") == 1)
    }

    @Test func activeSweepRemovesKeysNobodyReads() throws {
        let clock = ManualClock()
        let store = StubStore(clock: clock)
        let stub = InMemoryRedis(store: store)
        for index in 0..<100 { try stub.set("k\(index)", "v", expiration: .milliseconds(10)) }
        clock.advance(milliseconds: 20)
        for _ in 0..<100 { try stub.ping() }
        #expect(store.storedKeyCount == 0)
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

/// Replies whose order Redis does not define are compared sorted; idle times (which depend on
/// when each side ran the command) are zeroed.
func normalized(_ command: [String], _ reply: RedisValue) -> RedisValue {
    guard case .array(let elements) = reply else { return reply }
    switch command[0].uppercased() {
    case "SMEMBERS", "KEYS":
        return .array(elements.sorted { $0.description < $1.description })
    case "XPENDING" where command.count > 3:
        return .array(elements.map { row in
            guard case .array(var fields) = row, fields.count == 4 else { return row }
            fields[2] = .integer(0)
            return .array(fields)
        })
    default:
        return reply
    }
}
