import InfraSupport
import RedisClientCore

#if canImport(Glibc)
import Glibc
#endif

/// The staging smoke test: every command family the stub covers, against a real server, under
/// a unique key prefix whose keys carry TTLs and are deleted at the end even when a step fails.
public struct SmokeRun {
    public struct Step: Sendable {
        public var name: String
        public var passed: Bool
        public var detail: String
        public var milliseconds: Double
    }

    let client: RedisClient
    let prefix: String

    public init(client: RedisClient, prefix: String = SmokeRun.uniquePrefix()) {
        self.client = client
        self.prefix = prefix
    }

    public static func uniquePrefix() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return "smoke:\(getpid()):\(now.tv_sec)\(now.tv_nsec / 1000):"
    }

    /// Runs every step (a failed step does not stop the others) and cleans up.
    public func run() -> [Step] {
        var steps: [Step] = []
        for (name, body) in checks {
            let clock = ContinuousClock()
            let start = clock.now
            var detail = "ok"
            var passed = true
            do {
                try body()
            } catch {
                passed = false
                detail = "\(error)"
            }
            steps.append(Step(name: name, passed: passed, detail: detail, milliseconds: (clock.now - start).milliseconds))
        }
        let cleanup = Step(name: "cleanup", passed: true, detail: "ok", milliseconds: 0)
        do {
            let leftovers = try client.scanAll(match: prefix + "*", count: 100)
            if !leftovers.isEmpty { try client.del(leftovers) }
            steps.append(cleanup)
        } catch {
            steps.append(Step(name: "cleanup", passed: false, detail: "\(error)", milliseconds: 0))
        }
        return steps
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
        if !condition { throw Failure(description: message()) }
    }

    private var checks: [(String, () throws -> Void)] {
        let k = { (name: String) in prefix + name }
        return [
            ("strings with expiry", {
                try expect(try client.set(k("s"), "v", expiration: .seconds(60), condition: .ifNotExists), "SET NX refused")
                try expect(try client.get(k("s")) == "v", "GET did not read back")
                try expect((1...60).contains(try client.ttl(k("s"))), "TTL not set")
                try expect(try client.incrby(k("n"), 5) == 5, "INCRBY")
                try client.expire(k("n"), seconds: 60)
            }),
            ("sets", {
                try expect(try client.sadd(k("set"), ["a", "b"]) == 2, "SADD")
                try expect(try client.sismember(k("set"), "a"), "SISMEMBER")
                try client.expire(k("set"), seconds: 60)
            }),
            ("sorted sets", {
                try client.zadd(k("z"), [ScoredMember("a", 1), ScoredMember("b", 2)])
                try expect(try client.zrangebyscore(k("z"), min: .exclusive(1), max: .positiveInfinity) == ["b"], "ZRANGEBYSCORE")
                try expect(try client.zcount(k("z"), min: .negativeInfinity, max: .positiveInfinity) == 2, "ZCOUNT")
                try client.expire(k("z"), seconds: 60)
            }),
            ("hashes", {
                try client.hset(k("h"), [("f", "v")])
                try expect(try client.hincrby(k("h"), "n", 2) == 2, "HINCRBY")
                try expect(try client.hgetall(k("h")) == ["f": "v", "n": "2"], "HGETALL")
                try client.expire(k("h"), seconds: 60)
            }),
            ("lists", {
                try client.rpush(k("l"), ["a", "b", "c"])
                try expect(try client.lpop(k("l")) == "a", "LPOP")
                try expect(try client.lrange(k("l"), start: 0, stop: -1) == ["b", "c"], "LRANGE")
                try client.expire(k("l"), seconds: 60)
            }),
            ("streams with a consumer group", {
                try client.xgroupCreate(k("st"), group: "g", id: "$", makeStream: true)
                let id = try client.xadd(k("st"), [("job", "1")])
                let read = try client.xreadgroup(group: "g", consumer: "c", streams: [(k("st"), ">")], count: 1)
                try expect(read?.first?.entries.first?.id == id, "XREADGROUP did not deliver the entry")
                try expect(try client.xpending(k("st"), group: "g").count == 1, "XPENDING")
                try expect(try client.xack(k("st"), group: "g", [id]) == 1, "XACK")
                try client.expire(k("st"), seconds: 60)
            }),
            ("sliding-window script via EVALSHA", {
                let sha = try client.scriptLoad(Self.slidingWindow)
                let reply = try client.evalsha(sha, keys: [k("rl")], arguments: ["1000", "1000", "5", "r1"])
                try expect(reply == .array([.integer(1), .integer(0)]), "unexpected reply \(reply)")
            }),
            ("pipeline", {
                let replies = try client.pipeline((0..<20).map { _ in argv("INCR", k("p")) } + [argv("EXPIRE", k("p"), 60)])
                try expect(replies[19] == .integer(20), "pipelined INCR")
            }),
            ("MULTI/EXEC", {
                let replies = try client.transaction([argv("SET", k("t"), "1", "EX", 60), argv("INCR", k("t"))])
                try expect(replies == [.simpleString("OK"), .integer(2)], "EXEC replies \(replies)")
            }),
        ]
    }

    static let slidingWindow = """
        local now = tonumber(ARGV[1])
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
        if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
          redis.call('ZADD', KEYS[1], now, ARGV[4])
          redis.call('EXPIRE', KEYS[1], 60)
          return {1, 0}
        end
        local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        return {0, tonumber(oldest[2]) + tonumber(ARGV[2]) - now}
        """
}
