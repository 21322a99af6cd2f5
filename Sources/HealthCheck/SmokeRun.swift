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

    /// One hash tag for the whole run: on a cluster every key of it lives in one slot, so the
    /// multi-key steps and the cleanup's one DEL run as they do on a single server.
    public static func uniquePrefix() -> String {
        "smoke:{\(uniqueID())}:"
    }

    private static func uniqueID() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return "\(getpid()):\(now.tv_sec)\(now.tv_nsec / 1000)"
    }

    /// What the steps write, under the prefix; the cleanup deletes exactly these.
    static let keyNames = ["s", "n", "set", "z", "h", "l", "st", "rl", "p", "t"]

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
            try client.del(Self.keyNames.map { prefix + $0 })
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
        ] + clusterChecks
    }

    /// Through a cluster URL: a key on every master (chosen by slot), written, read, deleted.
    private var clusterChecks: [(String, () throws -> Void)] {
        guard let masters = client.clusterMasterSlots else { return [] }
        return [("every cluster master", {
            for (master, slot) in masters {
                let key = try expectKey(inSlot: slot)
                try expect(try client.set(key, "on \(master)", expiration: .seconds(60)), "SET on \(master)")
                try expect(try client.get(key) == "on \(master)", "GET on \(master)")
                try client.del([key])
            }
        })]
    }

    /// A key of this run whose slot is `slot` (about 16384 tries on average; CRC16 is cheap).
    private func expectKey(inSlot slot: Int) throws -> String {
        let base = prefix.filter { $0 != "{" && $0 != "}" }
        for attempt in 0..<400_000 {
            let key = "{\(base)m\(attempt)}"
            if KeySlot.of(key) == slot { return key }
        }
        throw Failure(description: "no key found for slot \(slot)")
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
