import RedisTestSupport
import Testing
@testable import RedisClientCore
@testable import RedisFactory
@testable import RedisStub

/// Every typed command family against a real redis-server: the replies the typed layer decodes
/// are the ones Redis 7 actually sends.
@Suite struct CommandFamilyTests {
    let server: RedisServer
    let redis: RedisClient

    init() throws {
        server = try RedisServer.start()
        redis = try realClient(server)
    }

    @Test func strings() throws {
        #expect(try redis.get("missing") == nil)
        #expect(try redis.set("s", "v1"))
        #expect(try redis.set("s", "v2", condition: .ifNotExists) == false)
        #expect(try redis.get("s") == "v1")
        #expect(try redis.set("s", "v3", condition: .ifExists))
        #expect(try redis.set("absent", "x", condition: .ifExists) == false)
        #expect(try redis.set("px", "x", expiration: .milliseconds(60_000)))
        #expect((59_000...60_000).contains(try redis.pttl("px")))
        #expect(try redis.set("ex", "x", expiration: .seconds(100), condition: .ifNotExists))
        #expect((99...100).contains(try redis.ttl("ex")))
        try redis.setex("sx", seconds: 50, "y")
        #expect((49...50).contains(try redis.ttl("sx")))
        #expect(try redis.incr("n") == 1)
        #expect(try redis.incrby("n", 10) == 11)
        #expect(try redis.decr("n") == 10)
        #expect(try redis.decrby("n", 4) == 6)
        #expect(try redis.mget(["s", "nope", "n"]) == ["v3", nil, "6"])
        #expect(throws: RedisError.server("ERR value is not an integer or out of range")) { try redis.incr("s") }
    }

    @Test func keys() throws {
        try redis.set("a", "1")
        try redis.set("b", "2")
        #expect(try redis.exists("a", "b", "a", "zzz") == 3)
        #expect(try redis.ttl("a") == -1)
        #expect(try redis.ttl("nope") == -2)
        #expect(try redis.pttl("nope") == -2)
        #expect(try redis.expire("a", seconds: 100))
        #expect(try redis.expire("nope", seconds: 100) == false)
        #expect(try redis.persist("a"))
        #expect(try redis.ttl("a") == -1)
        #expect(try redis.pexpire("b", milliseconds: 100_000))
        #expect(try redis.type("a") == "string")
        #expect(try redis.type("nope") == "none")
        #expect(try redis.keys("*").sorted() == ["a", "b"])
        #expect(try redis.dbsize() == 2)
        #expect(try redis.del("a", "nope") == 1)
        for index in 0..<250 { try redis.set("scan:\(index)", "x") }
        try redis.sadd("scan:set", ["m"])
        let first = try redis.scan(match: "scan:*", count: 10)
        #expect(first.cursor != "0")
        #expect(Set(try redis.scanAll(match: "scan:*", count: 10)).count == 251)
        #expect(try redis.scanAll(match: "scan:*", count: 50, type: "set") == ["scan:set"])
        try redis.flushdb()
        #expect(try redis.dbsize() == 0)
    }

    @Test func sets() throws {
        #expect(try redis.sadd("set", ["a", "b", "c", "a"]) == 3)
        #expect(try redis.srem("set", ["c", "x"]) == 1)
        #expect(try redis.smembers("set") == ["a", "b"])
        #expect(try redis.sismember("set", "a"))
        #expect(try redis.sismember("set", "z") == false)
        #expect(try redis.scard("set") == 2)
        #expect(try redis.scard("none") == 0)
        try redis.set("str", "x")
        #expect(throws: RedisError.server("WRONGTYPE Operation against a key holding the wrong kind of value")) {
            try redis.sadd("str", ["a"])
        }
    }

    @Test func sortedSets() throws {
        let members = [ScoredMember("a", 1), ScoredMember("b", 2), ScoredMember("c", 3.5), ScoredMember("d", -1)]
        #expect(try redis.zadd("z", members) == 4)
        #expect(try redis.zadd("z", [ScoredMember("a", 10)], condition: .ifNotExists) == 0)
        #expect(try redis.zscore("z", "a") == 1)
        #expect(try redis.zadd("z", [ScoredMember("a", 1.25)], condition: .ifExists) == 0)
        #expect(try redis.zscore("z", "a") == 1.25)
        #expect(try redis.zscore("z", "nope") == nil)
        #expect(try redis.zrange("z", start: 0, stop: -1) == ["d", "a", "b", "c"])
        #expect(try redis.zrange("z", start: -2, stop: -1) == ["b", "c"])
        #expect(try redis.zrangeWithScores("z", start: 0, stop: 1) == [ScoredMember("d", -1), ScoredMember("a", 1.25)])
        #expect(try redis.zrangebyscore("z", min: .exclusive(1.25), max: .positiveInfinity) == ["b", "c"])
        #expect(try redis.zrangebyscore("z", min: .negativeInfinity, max: .inclusive(1.25)) == ["d", "a"])
        #expect(try redis.zrangebyscore("z", min: .negativeInfinity, max: .positiveInfinity, limit: (1, 2)) == ["a", "b"])
        #expect(try redis.zrangebyscoreWithScores("z", min: .inclusive(2), max: .inclusive(3.5)) == [ScoredMember("b", 2), ScoredMember("c", 3.5)])
        #expect(try redis.zcount("z", min: .exclusive(-1), max: .exclusive(3.5)) == 2)
        #expect(try redis.zcard("z") == 4)
        #expect(try redis.zincrby("z", 0.5, "b") == 2.5)
        #expect(try redis.zremrangebyscore("z", min: .negativeInfinity, max: .exclusive(1.25)) == 1)
        #expect(try redis.zrem("z", ["a", "zz"]) == 1)
        #expect(try redis.zrange("z", start: 0, stop: -1) == ["b", "c"])
        try redis.zadd("inf", [ScoredMember("top", .infinity)])
        #expect(try redis.zscore("inf", "top") == .infinity)
    }

    @Test func hashes() throws {
        #expect(try redis.hset("h", [("f1", "v1"), ("f2", "v2")]) == 2)
        #expect(try redis.hset("h", field: "f1", value: "v1b") == 0)
        #expect(try redis.hget("h", "f1") == "v1b")
        #expect(try redis.hget("h", "nope") == nil)
        #expect(try redis.hgetall("h") == ["f1": "v1b", "f2": "v2"])
        #expect(try redis.hgetall("none") == [:])
        #expect(try redis.hexists("h", "f2"))
        #expect(try redis.hincrby("h", "n", 5) == 5)
        #expect(try redis.hlen("h") == 3)
        #expect(try redis.hdel("h", ["f1", "nope"]) == 1)
        #expect(throws: RedisError.server("ERR hash value is not an integer")) { try redis.hincrby("h", "f2", 1) }
    }

    @Test func lists() throws {
        #expect(try redis.rpush("l", ["a", "b"]) == 2)
        #expect(try redis.lpush("l", ["z", "y"]) == 4)
        #expect(try redis.lrange("l", start: 0, stop: -1) == ["y", "z", "a", "b"])
        #expect(try redis.llen("l") == 4)
        try redis.ltrim("l", start: 1, stop: -1)
        #expect(try redis.lrange("l", start: 0, stop: -1) == ["z", "a", "b"])
        #expect(try redis.lpop("l") == "z")
        #expect(try redis.rpop("l") == "b")
        #expect(try redis.lpop("none") == nil)
    }

    @Test func streams() throws {
        let first = try redis.xadd("st", id: "1-1", [("job", "a")])
        #expect(first == "1-1")
        #expect(throws: RedisError.server("ERR The ID specified in XADD is equal or smaller than the target stream top item")) {
            try redis.xadd("st", id: "1-1", [("job", "x")])
        }
        let second = try redis.xadd("st", [("job", "b"), ("n", "2")])
        try redis.xadd("st", [("job", "c")])
        #expect(try redis.xlen("st") == 3)
        #expect(try redis.xrange("st", count: 2).map(\.id) == ["1-1", second])
        #expect(try redis.xrange("st")[1].fields == ["job": "b", "n": "2"])
        #expect(try redis.xrevrange("st", count: 1)[0].fields == ["job": "c"])

        try redis.xgroupCreate("st", group: "workers", id: "0")
        #expect(throws: RedisError.server("BUSYGROUP Consumer Group name already exists")) {
            try redis.xgroupCreate("st", group: "workers", id: "0")
        }
        try redis.xgroupCreate("fresh", group: "g", id: "$", makeStream: true)
        #expect(try redis.xlen("fresh") == 0)

        let read = try #require(try redis.xreadgroup(group: "workers", consumer: "w1", streams: [("st", ">")], count: 2))
        #expect(read == [StreamRead(key: "st", entries: try redis.xrange("st", count: 2))])
        let summary = try redis.xpending("st", group: "workers")
        #expect(summary == PendingSummary(count: 2, smallestID: "1-1", greatestID: second, consumers: ["w1": 2]))
        let rows = try redis.xpending("st", group: "workers", count: 10, consumer: "w1")
        #expect(rows.map(\.id) == ["1-1", second])
        #expect(rows.allSatisfy { $0.consumer == "w1" && $0.deliveryCount == 1 })

        // Re-reading the pending list from id 0 redelivers, and counts a delivery.
        let again = try #require(try redis.xreadgroup(group: "workers", consumer: "w1", streams: [("st", "0")]))
        #expect(again[0].entries.map(\.id) == ["1-1", second])
        #expect(try redis.xack("st", group: "workers", ["1-1", "9-9"]) == 1)
        #expect(try redis.xpending("st", group: "workers").count == 1)

        // A deleted pending entry comes back with no fields.
        #expect(try redis.xdel("st", [second]) == 1)
        let deleted = try #require(try redis.xreadgroup(group: "workers", consumer: "w1", streams: [("st", "0")]))
        #expect(deleted[0].entries == [StreamEntry(id: second, fields: [:])])

        let noAck = try #require(try redis.xreadgroup(group: "workers", consumer: "w2", streams: [("st", ">")], noAck: true))
        #expect(noAck[0].entries.count == 1)
        #expect(try redis.xpending("st", group: "workers").consumers["w2"] == nil)
        #expect(try redis.xreadgroup(group: "workers", consumer: "w2", streams: [("st", ">")], blockMilliseconds: 50) == nil)
        #expect(throws: RedisError.self) {
            try redis.xreadgroup(group: "nogroup", consumer: "c", streams: [("st", ">")])
        }

        for index in 0..<10 { try redis.xadd("capped", [("i", "\(index)")], trim: .exact(5)) }
        #expect(try redis.xlen("capped") == 5)
        try redis.xadd("capped", [("i", "x")], trim: .approximate(2))
        #expect(try redis.xlen("capped") >= 2)
    }

    @Test func scripting() throws {
        let script = "redis.call('SET', KEYS[1], ARGV[1]); return {1, 'two', redis.call('GET', KEYS[1])}"
        #expect(try redis.eval(script, keys: ["sk"], arguments: ["val"]) == .array([.integer(1), .bulk("two"), .bulk("val")]))
        let sha = try redis.scriptLoad("return tonumber(ARGV[1]) * 2")
        #expect(sha.count == 40)
        #expect(try redis.scriptExists([sha, String(repeating: "0", count: 40)]) == [true, false])
        #expect(try redis.evalsha(sha, arguments: ["21"]) == .integer(42))
        try redis.scriptFlush()
        // Redis 7.0 adds "Please use EVAL."; Valkey does not (ValkeyDifferences).
        let missing = #expect(throws: RedisError.self) { try redis.evalsha(sha, arguments: ["1"]) }
        #expect(missing?.description.contains("NOSCRIPT No matching script.") == true, "\(String(describing: missing))")
        let error = #expect(throws: RedisError.self) { try redis.eval("return redis.error_reply('MYERR custom')") }
        #expect(error == .server("MYERR custom"))
    }

    @Test func pubSubAndServer() throws {
        #expect(try redis.publish("chan", "hello") == 0)
        #expect(try redis.ping() == "PONG")
        #expect(try redis.ping("echo") == "echo")
        #expect(try redis.infoFields("replication")["role"] == "master")
        let (seconds, micros) = try redis.time()
        #expect(seconds > 1_700_000_000 && (0..<1_000_000).contains(micros))
        try redis.select(3)
        try redis.set("in3", "x")
        try redis.select(0)
        #expect(try redis.get("in3") == nil)
    }

    @Test func transactions() throws {
        let results = try redis.transaction([argv("INCR", "t"), argv("INCR", "t"), argv("GET", "t")])
        #expect(results == [.integer(1), .integer(2), .bulk("2")])
        try redis.set("str", "x")
        let mixed = try redis.transaction([argv("INCR", "str"), argv("SET", "str", "y")])
        #expect(mixed == [.error("ERR value is not an integer or out of range"), .simpleString("OK")])
        #expect(throws: RedisError.server("EXECABORT Transaction discarded because of previous errors.")) {
            try redis.transaction([argv("SET", "only-one-arg")])
        }
    }
}
