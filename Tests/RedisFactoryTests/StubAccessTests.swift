import Foundation
import RedisTestSupport
import Testing
@testable import RedisClientCore
@testable import RedisStub

/// OBJECT IDLETIME and OBJECT FREQ against redis-server 7.0.15: which commands count as an
/// access and which only look (TYPE, TTL, EXISTS, OBJECT), the LFU counter's steps, Redis's
/// shared integers sharing one access among every key that holds them, overwrites, RESTORE's
/// IDLETIME and FREQ.
@Suite(.enabled(if: ServerEngine.current == .redis, "Valkey shares no integer objects"))
struct StubAccessTests {
    /// With `lfu-log-factor 0` every access adds one (Redis's chance is 1 / (factor·n + 1)), so
    /// the counter is no longer random and compares exactly.
    @Test func frequencyCountsAsRedisDoes() throws {
        let server = try RedisServer.start()
        let real = try rawClient(server)
        let stub = InMemoryRedis()
        try Self.awayFromMinuteBoundary()
        _ = try real.send(["SET", "seven", "7311"].map(\.redisBytes))
        _ = try stub.send(["SET", "seven", "7311"].map(\.redisBytes))
        guard case .bulkString(let payload) = try real.send(["DUMP", "seven"].map(\.redisBytes)) else { Issue.record("no DUMP"); return }
        func both(_ command: [String]) throws -> (expected: RedisValue, actual: RedisValue) {
            let argv = Self.argv(command, payload: payload)
            return (try real.send(argv), try stub.send(argv))
        }
        let commands: [[String]] = [
            ["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"], ["CONFIG", "SET", "lfu-log-factor", "0"],
            // RESTORE of a shared integer sets the shared object's counter: every key holding
            // 7311 reads it.
            ["RESTORE", "restored", "0", "<payload>", "FREQ", "2"], ["OBJECT", "FREQ", "seven"],
            ["GET", "seven"], ["OBJECT", "FREQ", "restored"], ["SET", "again", "7311"], ["OBJECT", "FREQ", "again"],
            // Looking is not an access.
            ["TYPE", "seven"], ["EXISTS", "seven"], ["TTL", "seven"], ["PTTL", "seven"], ["OBJECT", "ENCODING", "seven"],
            ["SCAN", "0", "MATCH", "seven", "TYPE", "string"], ["WATCH", "seven"], ["UNWATCH"], ["MEMORY", "USAGE", "seven"], ["OBJECT", "FREQ", "seven"],
            ["TOUCH", "seven"], ["STRLEN", "seven"], ["OBJECT", "FREQ", "seven"],
            // A new object starts at 5; an overwrite takes the old counter, plus its look-up.
            ["SET", "word", "hello"], ["OBJECT", "FREQ", "word"], ["GET", "word"], ["GET", "word"], ["OBJECT", "FREQ", "word"],
            ["SET", "word", "other"], ["OBJECT", "FREQ", "word"], ["APPEND", "word", "!"], ["OBJECT", "FREQ", "word"],
            // INCR to another shared integer hands it the counter; SETBIT unshares it.
            ["INCR", "seven"], ["OBJECT", "FREQ", "seven"], ["SETBIT", "seven", "1", "1"], ["OBJECT", "FREQ", "seven"],
            ["RPUSH", "list", "a"], ["LRANGE", "list", "0", "-1"], ["OBJECT", "FREQ", "list"],
            ["COPY", "list", "copy"], ["OBJECT", "FREQ", "copy"], ["OBJECT", "FREQ", "list"],
            ["RENAME", "list", "moved"], ["OBJECT", "FREQ", "moved"],
            ["EXPIRE", "moved", "100"], ["PERSIST", "moved"], ["OBJECT", "FREQ", "moved"],
            ["SADD", "set", "a"], ["SUNIONSTORE", "union", "set"], ["OBJECT", "FREQ", "union"],
            ["SUNIONSTORE", "union", "set"], ["OBJECT", "FREQ", "union"], ["OBJECT", "FREQ", "set"],
            ["OBJECT", "IDLETIME", "word"], ["OBJECT", "FREQ", "missing"],
        ]
        for command in commands {
            let (expected, actual) = try both(command)
            #expect(actual == expected, "\(command)")
        }
        // The counter stops at 255.
        for _ in 0..<260 { _ = try both(["GET", "word"]) }
        let (expected, actual) = try both(["OBJECT", "FREQ", "word"])
        #expect(expected == .integer(255) && actual == expected)
        _ = try both(["CONFIG", "SET", "maxmemory-policy", "noeviction"])
        let refused = try both(["OBJECT", "FREQ", "word"])
        #expect(refused.actual == refused.expected)
    }

    /// Idle seconds after a real wait: what only looks leaves them, what reads resets them; a
    /// shared integer nobody read is as idle as the server (the store) is old.
    @Test func idleTimeCountsAsRedisDoes() throws {
        let server = try RedisServer.start()
        let real = try rawClient(server)
        let stub = InMemoryRedis()
        for command in [["SET", "read", "v"], ["SET", "looked", "v"], ["RPUSH", "list", "a"], ["SET", "shared", "4242"], ["SADD", "set", "a"]] {
            _ = try real.send(command.map(\.redisBytes))
            _ = try stub.send(command.map(\.redisBytes))
        }
        guard case .bulkString(let payload) = try real.send(["DUMP", "list"].map(\.redisBytes)) else { Issue.record("no DUMP"); return }
        Thread.sleep(forTimeInterval: 2.2)
        let commands: [[String]] = [
            ["TYPE", "looked"], ["EXISTS", "looked"], ["TTL", "looked"], ["OBJECT", "ENCODING", "looked"], ["OBJECT", "IDLETIME", "looked"],
            ["GET", "read"], ["OBJECT", "IDLETIME", "read"], ["LRANGE", "list", "0", "0"], ["OBJECT", "IDLETIME", "list"],
            ["SMEMBERS", "set"], ["OBJECT", "IDLETIME", "set"], ["OBJECT", "IDLETIME", "shared"],
            ["RESTORE", "restored", "0", "<payload>", "IDLETIME", "1000"], ["OBJECT", "IDLETIME", "restored"],
            ["RESTORE", "frequency", "0", "<payload>", "FREQ", "9"], ["OBJECT", "IDLETIME", "frequency"],
            ["OBJECT", "FREQ", "read"],
        ]
        for command in commands {
            let argv = Self.argv(command, payload: payload)
            let (expected, actual) = (try real.send(argv), try stub.send(argv))
            // Redis's LRU clock ticks in whole seconds, ten times a second: a second apart is
            // the same reading.
            if case .integer(let theirs) = expected, case .integer(let ours) = actual {
                #expect(abs(ours - theirs) <= 1, "\(command): \(ours), Redis \(theirs)")
            } else {
                #expect(actual == expected, "\(command)")
            }
        }
        // 2.2 s in whole seconds of the clock: 2, or 3 across one more second boundary.
        let idle = try real.send(["OBJECT", "IDLETIME", "looked"].map(\.redisBytes))
        #expect(idle == .integer(2) || idle == .integer(3))
    }

    /// Redis's decay, on a clock the test moves: one step per `lfu-decay-time` minutes since
    /// the last access, counted in whole minutes; 0 turns decay off.
    @Test func frequencyDecaysByTheMinute() throws {
        let clock = ManualClock(milliseconds: 1_800_000_000_000)
        let stub = InMemoryRedis(store: StubStore(clock: clock))
        _ = try stub.send("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu")
        _ = try stub.send("SET", "k", "v")
        let frequency = { try stub.send("OBJECT", "FREQ", "k") }
        #expect(try frequency() == .integer(5))
        clock.advance(milliseconds: 3 * 60_000)
        #expect(try frequency() == .integer(2))
        // Read now: decayed to 2, then one up (below 5 a read always counts).
        _ = try stub.send("GET", "k")
        #expect(try frequency() == .integer(3))
        _ = try stub.send("CONFIG", "SET", "lfu-decay-time", "2")
        clock.advance(milliseconds: 3 * 60_000)
        #expect(try frequency() == .integer(2))
        _ = try stub.send("CONFIG", "SET", "lfu-decay-time", "0")
        clock.advance(milliseconds: 600 * 60_000)
        #expect(try frequency() == .integer(3))
        _ = try stub.send("CONFIG", "SET", "lfu-decay-time", "1")
        #expect(try frequency() == .integer(0))
        _ = try stub.send("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
        _ = try stub.send("GET", "k")
        clock.advance(milliseconds: 5_500)
        #expect(try stub.send("OBJECT", "IDLETIME", "k") == .integer(5))
    }

    /// The command's arguments, with `<payload>` standing for a DUMP payload's bytes.
    static func argv(_ command: [String], payload: [UInt8]) -> [[UInt8]] {
        command.map { $0 == "<payload>" ? payload : $0.redisBytes }
    }

    /// A minute boundary mid-test would decay the counters of the keys read before it.
    static func awayFromMinuteBoundary() throws {
        let second = Int(Date().timeIntervalSince1970) % 60
        if second >= 55 { Thread.sleep(forTimeInterval: Double(61 - second)) }
    }
}
