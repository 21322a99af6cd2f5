import Foundation
import RedisTestSupport
import Testing
@testable import RedisClientCore
@testable import RedisFactory
@testable import RedisStub

/// Seeded random command sequences over the whole stub command set and a small key space (so
/// types collide), sent to the stub and to a real redis-server side by side; every reply must
/// match. A failure names the seed and the shortest failing sequence found by shrinking.
/// `STUB_DIFF_SEED` and `STUB_DIFF_COMMANDS` replay one seed at another length.
@Suite struct StubDifferentialTests {
    static let seeds: [UInt64] = ProcessInfo.processInfo.environment["STUB_DIFF_SEED"].flatMap(UInt64.init).map { [$0] }
        ?? [1, 2, 3, 4]
    static let commandsPerSeed = ProcessInfo.processInfo.environment["STUB_DIFF_COMMANDS"].flatMap(Int.init) ?? 5000

    @Test(arguments: seeds)
    func randomSequencesAnswerAsRedisDoes(seed: UInt64) throws {
        let server = try RedisServer.start()
        let real = try rawClient(server)
        var generator = CommandGenerator(seed: seed)
        let commands = (0..<Self.commandsPerSeed).map { _ in generator.next() }
        guard let failure = try firstMismatch(commands, real: real) else { return }
        let shortest = try shrink(commands[...failure.index], real: real)
        Issue.record(
            """
            seed \(seed): command \(failure.index) differs: \(failure.command.joined(separator: " "))
              redis: \(failure.expected)
              stub:  \(failure.actual)
            shortest failing sequence (\(shortest.count) commands):
            \(shortest.map { "  " + $0.joined(separator: " ") }.joined(separator: "\n"))
            """
        )
    }

    /// LOLWUT VERSION 5 and 6 draw at random in Redis too: the drawings must have Redis's
    /// shape (lines, cells per line, the caption), and Schotter's top two rows stand straight.
    @Test func lolwutDrawingsHaveRedisShape() throws {
        let server = try RedisServer.start()
        let real = try rawClient(server)
        let stub = InMemoryRedis()
        /// Lines, each as its cells: Braille characters, or one colour escape per pixel.
        func cells(_ reply: RedisValue) -> [[String]] {
            guard case .bulkString(let bytes) = reply else { return [] }
            return String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.contains("\u{1B}") ? line.components(separatedBy: "\u{1B}[0m").dropLast().map { $0 } : line.map { String($0) }
            }
        }
        for arguments in [["5"], ["5", "30", "5", "7"], ["6"], ["6", "33", "9"]] {
            let command = ["LOLWUT", "VERSION"] + arguments
            let expected = cells(try real.send(command))
            let actual = cells(try stub.send(command.map(\.redisBytes)))
            #expect(actual.map(\.count) == expected.map(\.count), "\(command)")
            // The caption names the server and its version (Valkey's too).
            func caption(_ lines: [[String]]) -> [String] {
                lines.suffix(3).map { $0.joined().replacingOccurrences(of: #"(Redis|Valkey) ver\. [0-9.]+"#, with: "ver.", options: .regularExpression) }
            }
            #expect(caption(actual) == caption(expected), "\(command): the caption")
            if arguments[0] == "5" { #expect(actual.prefix(2) == expected.prefix(2), "\(command): the straight rows") }
        }
    }

    /// MEMORY USAGE against Redis 7.0's own count, value by value: exact where Redis's
    /// allocations follow from the value (strings, intsets, listpacks, quicklists, streams);
    /// near for hash tables and skiplists, whose growth and node levels Redis leaves to its
    /// hashing and its dice. MEMORY STATS has Redis's fields.
    @Test(.enabled(if: ServerEngine.current == .redis, "Valkey lays its values out otherwise"))
    func memoryUsageCountsAsRedisDoes() throws {
        let server = try RedisServer.start()
        let real = try rawClient(server)
        let stub = InMemoryRedis()
        let long = { (character: String, count: Int) in String(repeating: character, count: count) }
        let setup: [[String]] = [
            ["SET", "int", "12"], ["SET", "negative", "-12345678901"], ["SET", "short", "hello"], ["SET", "embstr", long("a", 44)],
            ["SET", "raw", long("a", 45)], ["SET", "raw300", long("b", 300)], ["SET", "huge", long("c", 70_000)], ["SET", long("k", 40), "v"],
            ["APPEND", "appended", "abc"], ["SETRANGE", "ranged", "5", "xy"], ["SET", "digits", "99999999999999999999"],
            ["RPUSH", "list", "a", "b", "1", "300", "-5000", "70000", "9999999999"], ["RPUSH", "nodes"] + Array(repeating: long("x", 100), count: 200),
            ["SADD", "intset", "1", "2", "3"], ["SADD", "intset32", "1", "70000"], ["SADD", "intset64", "1", "99999999999"],
            ["SADD", "set", "a", "b", "c"], ["SADD", "bigset"] + (0..<20).map { "\($0)x" },
            ["HSET", "hash", "f", "v", "n", "12"], ["HSET", "wide"] + (0..<3).flatMap { ["f\($0)", long("v", 70)] },
            ["ZADD", "zset", "1", "a", "2.5", "b", "-3", "c", "0", "d"], ["ZADD", "skiplist"] + (0..<3).flatMap { ["\($0)", long("m", 70) + "\($0)"] },
            ["XADD", "stream", "1-1", "a", "1"], ["XADD", "stream", "2-1", "b", "2"], ["XGROUP", "CREATE", "stream", "g", "0"],
            ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "stream", ">"], ["XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM"],
        ]
        for command in setup {
            _ = try real.send(command.map(\.redisBytes))
            _ = try stub.send(command.map(\.redisBytes))
        }
        let nearOnly = ["bigset", "skiplist"]
        for key in Set(setup.map { $0[1] }).sorted() + ["missing"] {
            for samples in [[], ["SAMPLES", "0"]] {
                let command = (["MEMORY", "USAGE", key] + samples).map(\.redisBytes)
                let (expected, actual) = (try real.send(command), try stub.send(command))
                if nearOnly.contains(key), case .integer(let theirs) = expected, case .integer(let ours) = actual {
                    #expect(abs(Double(ours - theirs)) <= 0.15 * Double(theirs), "\(key): \(ours) bytes, Redis \(theirs)")
                } else {
                    #expect(actual == expected, "MEMORY USAGE \(key) \(samples)")
                }
            }
        }
        func names(_ reply: RedisValue) -> [String] {
            guard case .array(let elements) = reply else { return [] }
            return stride(from: 0, to: elements.count, by: 2).map { elements[$0].description }
        }
        let stats = ["MEMORY", "STATS"].map(\.redisBytes)
        #expect(names(try stub.send(stats)) == names(try real.send(stats)))
        // Below 5 MB the doctor declines to look. (Past it, Redis's findings depend on the
        // process's resident memory, which the stub has none of: it finds nothing.)
        let doctor = ["MEMORY", "DOCTOR"].map(\.redisBytes)
        let (expected, actual) = (try real.send(doctor), try stub.send(doctor))
        #expect(actual == expected)
    }

    struct Mismatch {
        var index: Int
        var command: [String]
        var expected: RedisValue
        var actual: RedisValue
    }

    /// Runs a sequence on a fresh stub and a flushed server; the first differing reply.
    func firstMismatch(_ commands: some Collection<[String]>, real: RedisClient) throws -> Mismatch? {
        _ = try real.send("DISCARD")
        // A WATCH left by the previous run (shrinking replays many) would spoil this one's EXEC.
        _ = try real.send("UNWATCH")
        _ = try real.send("SELECT", "0")
        _ = try real.send("FLUSHALL")
        _ = try real.send("SCRIPT", "FLUSH")
        _ = try real.send("FUNCTION", "FLUSH")
        // The stub times nothing, so its SLOWLOG stays empty; a busy machine can make any
        // command on the server slower than 10 ms. The comparison leaves timing out.
        _ = try real.send("CONFIG", "SET", "slowlog-log-slower-than", "-1")
        _ = try real.send("SLOWLOG", "RESET")
        _ = try real.send("CONFIG", "SET", "set-max-intset-entries", "512", "hash-max-listpack-entries", "512", "hash-max-listpack-value", "64",
                          "zset-max-listpack-entries", "128", "zset-max-listpack-value", "64", "maxmemory-policy", "noeviction")
        let stub = InMemoryRedis()
        for (index, command) in commands.enumerated() {
            let argv = command.map(\.redisBytes)
            let expected = normalized(command, try real.send(argv))
            let actual = normalized(command, try stub.send(argv))
            guard actual != expected else { continue }
            // Against Valkey: a difference ValkeyDifferences lists, and explains, is not the stub's.
            if let known = ValkeyDifferences.explanation(of: command, redis: actual, valkey: expected) {
                try known.reconcile(stub: stub.send, server: real.send)
                continue
            }
            return Mismatch(index: index, command: command, expected: expected, actual: actual)
        }
        return nil
    }

    /// Drops chunks of commands, halving the chunk size, while the last command still differs.
    func shrink(_ failing: ArraySlice<[String]>, real: RedisClient, budget: Int = 300) throws -> [[String]] {
        var sequence = Array(failing)
        var chunk = max(sequence.count / 2, 1)
        var runs = 0
        while chunk >= 1 && runs < budget {
            var start = 0
            var removed = false
            while start < sequence.count - 1 && runs < budget {
                var candidate = sequence
                candidate.removeSubrange(start..<min(start + chunk, sequence.count - 1))
                runs += 1
                if let mismatch = try firstMismatch(candidate, real: real), mismatch.index == candidate.count - 1 {
                    sequence = candidate
                    removed = true
                } else {
                    start += chunk
                }
            }
            if !removed { chunk /= 2 }
        }
        return sequence
    }
}

/// Random commands over every family the stub answers, from a seeded generator. Only what is
/// deterministic on both sides: explicit stream ids, expiries far in the future or already past,
/// no blocking reads, no cursors.
struct CommandGenerator {
    private var random: SeededGenerator
    private var inTransaction = false
    /// Commands that must come next, in order (a WATCH's probe).
    private var followUps: [[String]] = []

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    private mutating func pick<T>(_ choices: [T]) -> T { choices[Int.random(in: 0..<choices.count, using: &random)] }
    private mutating func key() -> String { "k\(Int.random(in: 0..<6, using: &random))" }
    private mutating func member() -> String { "m\(Int.random(in: 0..<5, using: &random))" }
    private mutating func number() -> String {
        pick(["0", "1", "-1", "2", "7", "100", "-35", "9223372036854775807", "-9223372036854775808", "x", "1.5", "01"])
    }
    private mutating func score() -> String { pick(["0", "1", "-1", "2.5", "0.1", "1e3", "inf", "-inf", "+inf", "x", "3"]) }
    private mutating func bound() -> String { pick(["-inf", "+inf", "0", "(0", "1", "(1", "2.5", "(2.5", "x"]) }
    private mutating func index() -> String { pick(["0", "1", "-1", "2", "-2", "10", "-10", "x"]) }
    private mutating func streamID() -> String {
        pick(["\(Int.random(in: 1...40, using: &random))-\(Int.random(in: 0...3, using: &random))", "\(Int.random(in: 1...40, using: &random))-*", "0-0", "bad", "5"])
    }
    private mutating func lexKey() -> String { pick(["lex", "lex", "lex", "lex", "nolex"]) }
    private mutating func lexBound() -> String { pick(["-", "+", "[a", "(b", "[c", "(m1", "[m3", "x", "[", "("]) }
    private mutating func geoKey() -> String { pick(["g0", "g1", "g2"]) }
    private mutating func longitude() -> String { pick(["15", "15.087269", "13.361389", "14.5", "16", "181", "x"]) }
    private mutating func latitude() -> String { pick(["37", "37.502669", "38.115556", "37.9", "36.5", "86"]) }
    /// A blocking command's timeout in seconds, never 0 (forever).
    private mutating func timeout() -> String { pick(["0.01", "0.001", "0.01", "-1", "x", "1e400"]) }
    private mutating func rangeID() -> String { pick(["-", "+", "5", "10-1", "(3-0", "20", "bad"]) }

    mutating func next() -> [String] {
        var command = followUps.isEmpty ? generate() : followUps.removeFirst()
        // Now and then a wrong arity, to compare the errors too.
        // (Not where one argument fewer makes the reply random: SPOP, HRANDFIELD without a
        // count, LOLWUT's Schotter with its default twelve rows.)
        if Int.random(in: 0..<60, using: &random) == 0 && command.count > 1 && !(command.count == 3 && ["SPOP", "HRANDFIELD"].contains(command[0]))
            && command[0] != "LOLWUT" {
            command.removeLast()
        }
        switch command[0] {
        case "MULTI": inTransaction = true
        case "EXEC", "DISCARD", "RESET": inTransaction = false
        default: break
        }
        return command
    }

    private mutating func generate() -> [String] {
        let k = key()
        switch Int.random(in: 0..<194, using: &random) {
        case 0: return ["GET", k]
        case 1: return ["SET", k, member()] + pick([[], ["NX"], ["XX"], ["GET"], ["EX", "100"], ["PX", "200000"], ["KEEPTTL"], ["EX", "0"], ["NX", "GET"]])
        case 2: return ["SETEX", k, pick(["100", "0", "x"]), member()]
        case 3: return ["DEL", k, key()]
        case 4: return ["EXISTS", k, key(), k]
        // GT and LT compare deadlines to the millisecond, which differ between the two sides;
        // the contract suite covers them with distinct values.
        case 5: return ["EXPIRE", k, pick(["100", "200", "-1", "x"])] + pick([[], ["NX"], ["XX"]])
        case 6: return ["PEXPIRE", k, pick(["150000", "0", "-5"])]
        case 7: return ["TTL", k]
        case 8: return ["PERSIST", k]
        case 9: return [pick(["INCR", "DECR"]), k]
        case 10: return [pick(["INCRBY", "DECRBY"]), k, number()]
        case 11: return ["MGET", k, key(), key()]
        case 12: return ["SADD", k, member(), member()]
        case 13: return ["SREM", k, member()]
        case 14: return inTransaction ? ["SCARD", k] : ["SMEMBERS", k]
        case 15: return ["SISMEMBER", k, member()]
        case 16: return ["SCARD", k]
        case 17: return ["ZADD", k] + pick([[], ["NX"], ["XX"], ["GT"], ["LT"], ["CH"], ["INCR"], ["NX", "XX"]]) + [score(), member()]
        case 18: return ["ZADD", k, score(), member(), score(), member()]
        case 19: return ["ZREM", k, member(), member()]
        case 20: return ["ZRANGE", k, index(), index()] + pick([[], ["WITHSCORES"], ["REV"]])
        case 21: return ["ZRANGEBYSCORE", k, bound(), bound()] + pick([[], ["WITHSCORES"], ["LIMIT", "1", "2"], ["LIMIT", "0", "-1", "WITHSCORES"]])
        case 22: return ["ZREMRANGEBYSCORE", k, bound(), bound()]
        case 23: return ["ZCARD", k]
        case 24: return ["ZCOUNT", k, bound(), bound()]
        case 25: return ["ZSCORE", k, member()]
        case 26: return ["ZINCRBY", k, score(), member()]
        case 27: return ["HSET", k, member(), number()] + pick([[], [member(), "v"]])
        case 28: return ["HGET", k, member()]
        case 29: return ["HGETALL", k]
        case 30: return ["HDEL", k, member(), member()]
        case 31: return ["HEXISTS", k, member()]
        case 32: return ["HINCRBY", k, member(), number()]
        case 33: return ["HLEN", k]
        case 34: return [pick(["LPUSH", "RPUSH"]), k, member(), member()]
        case 35: return [pick(["LPOP", "RPOP"]), k] + pick([[], ["2"], ["0"], ["-1"]])
        case 36: return ["LRANGE", k, index(), index()]
        case 37: return ["LLEN", k]
        case 38: return ["LTRIM", k, index(), index()]
        case 39: return ["TYPE", k]
        case 40: return inTransaction ? ["DBSIZE"] : ["KEYS", pick(["*", "k[0-2]", "k?", "x*"])]
        case 41: return ["DBSIZE"]
        case 42: return ["XADD", k] + pick([[], ["MAXLEN", "3"], ["NOMKSTREAM"], ["MAXLEN", "=", "2"]]) + [streamID(), "f", member()]
        case 43: return ["XLEN", k]
        case 44: return ["XRANGE", k, rangeID(), rangeID()] + pick([[], ["COUNT", "2"]])
        case 45: return ["XREVRANGE", k, rangeID(), rangeID()] + pick([[], ["COUNT", "1"]])
        case 46: return ["XDEL", k, streamID()]
        case 47: return ["XGROUP", "CREATE", k, pick(["g", "h"]), pick(["0", "$", "10-0"])] + pick([[], ["MKSTREAM"]])
        case 48: return ["XREADGROUP", "GROUP", pick(["g", "h"]), pick(["c1", "c2"])] + pick([[], ["COUNT", "2"], ["NOACK"]]) + ["STREAMS", k, pick([">", "0", "5-0"])]
        case 49: return ["XACK", k, pick(["g", "h"]), streamID()]
        case 50: return ["XPENDING", k, pick(["g", "h"])] + pick([[], ["-", "+", "10"], ["-", "+", "5", "c1"]])
        case 51: return ["EVAL", pick(Self.scripts), "1", k, member()]
        // Read-only scripts (EVAL_RO, or a no-writes shebang) refuse the writes among the same
        // scripts; other shebangs are read, or refused, as Redis reads them.
        case 168:
            let shebang = pick(["", "#!lua flags=no-writes\n", "#!lua\n", "#!lua flags=allow-oom,no-cluster\n", "#!lua flags=bogus\n", "#!python\n", "#!lua name=x\n"])
            return [pick(["EVAL_RO", "EVAL"]), shebang + pick(Self.scripts), "1", k, member()]
        case 52: return ["PING"]
        case 53: return pick([["MULTI"], ["EXEC"], ["DISCARD"]])
        case 54: return ["SELECT", pick(["0", "1", "0"])]
        case 55: return Int.random(in: 0..<10, using: &random) == 0 ? ["FLUSHDB"] : ["ECHO", member()]
        case 56: return ["PUBLISH", "chan", member()]
        case 57: return ["SET", k, number()]
        case 58: return ["ZADD", k, "1", "a", "1", "b", "2", "c"]
        case 59: return ["RPUSH", k, "1", "2", "3", "4"]
        case 60: return ["XGROUP", pick(["DESTROY", "CREATECONSUMER", "DELCONSUMER"]), k, "g"] + pick([[], ["c1"]])
        case 61: return ["HSET", k, "a", "1", "b", "2"]
        // The rest of the string family.
        case 62: return ["STRLEN", k]
        case 63: return ["SETNX", k, member()]
        case 64: return ["MSET", k, member()] + pick([[], [key(), number()], [key()]])
        case 65: return ["MSETNX", k, member(), key(), number()]
        case 66: return ["GETSET", k, member()]
        case 67: return ["GETDEL", k]
        // (A bad expiry only outside MULTI: Valkey checks it before the key, ValkeyDifferences
        // explains that per reply, not inside EXEC's array.)
        case 68: return ["GETEX", k] + pick([[], ["PERSIST"], ["EX", "100"], inTransaction ? ["EX", "50"] : ["PX", "0"], ["EXAT", "1"], ["EX", "100", "PERSIST"], ["BAD"], ["PXAT", "99999999999999"]])
        case 69: return ["APPEND", k, pick(["", "ab", "12"])]
        case 70: return [pick(["GETRANGE", "SUBSTR"]), k, index(), index()]
        case 71: return ["SETRANGE", k, pick(["0", "1", "5", "-1", "x"]), pick(["", "zz", "7"])]
        case 72: return ["INCRBYFLOAT", k, pick(["0.1", "1", "-2.5", "1e3", "x", "inf", "5.0e-3", "1.5"])]
        case 73: return ["PSETEX", k, pick(["100000", "0", "x"]), member()]
        case 74: return ["SET", k, pick(["10.5", "3", "1e2", "abc", "-0"])]
        case 75: return ["GETRANGE", k, pick(["0", "-3", "2"]), pick(["-1", "1", "100"])]
        // Keys that move, copy and date.
        case 76: return [pick(["EXPIREAT", "PEXPIREAT"]), k, pick(["1", "4102444800", "4102444800000", "-5", "x"])] + pick([[], ["NX"], ["XX"], ["GT"]])
        // Inside MULTI the reply is one array, compared as it comes: nothing unordered or timed.
        case 77: return inTransaction ? ["TTL", k] : [pick(["EXPIRETIME", "PEXPIRETIME"]), k]
        case 78: return [pick(["RENAME", "RENAMENX"]), k, pick([key(), k])]
        case 79: return ["COPY", k, pick([key(), k])] + pick([[], ["REPLACE"], ["DB", "1"], ["DB", "1", "REPLACE"], ["DB", "99"], ["DB", "x"], ["BAD"]])
        case 80: return ["MOVE", k, pick(["0", "1", "2", "99", "x"])]
        case 81: return ["SWAPDB", pick(["0", "1", "x"]), pick(["1", "0", "16"])]
        case 82: return [pick(["TOUCH", "UNLINK"]), k, key()]
        // Set algebra (random members are tested by property, not here).
        case 83: return [pick(inTransaction ? ["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"] : ["SINTER", "SUNION", "SDIFF"]), k, key()] + pick([[], [key()]])
        case 84: return [pick(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), k, key(), key()]
        case 85: return ["SINTERCARD", pick(["1", "2", "0", "3", "x"]), k, key()] + pick([[], ["LIMIT", "1"], ["LIMIT", "-1"], ["LIMIT", "0"], ["FOO"]])
        case 86: return ["SMISMEMBER", k, member(), member()]
        case 87: return ["SMOVE", k, key(), member()]
        case 88: return [inTransaction ? "HSCAN" : "SSCAN", k, pick(["0", "x"])] + pick([[], ["MATCH", "m[0-2]"], ["COUNT", "100"], ["COUNT", "0"]])
        case 89: return ["SPOP", k, pick(["-1", "x", "0"])]
        case 90: return ["SADD", k, "1", "2", "3"]
        // Hash fields.
        case 91: return ["HSETNX", k, member(), number()]
        case 92: return ["HMSET", k, member(), number()] + pick([[], [member()]])
        case 93: return ["HMGET", k, member(), member()]
        case 94: return [pick(["HKEYS", "HVALS"]), k]
        case 95: return ["HSTRLEN", k, member()]
        case 96: return ["HINCRBYFLOAT", k, member(), pick(["0.1", "1", "-2.5", "x", "inf", "1e3"])]
        case 97: return ["HSCAN", k, "0"] + pick([[], ["MATCH", "m*"], ["COUNT", "x"]])
        case 98: return ["HRANDFIELD", k, pick(["0", "x"])] + pick([[], ["WITHVALUES"], ["BAD"]])
        // List edits.
        case 99: return ["LINDEX", k, index()]
        case 100: return ["LSET", k, index(), member()]
        case 101: return ["LINSERT", k, pick(["BEFORE", "AFTER", "MIDDLE"]), member(), "new"]
        case 102: return ["LREM", k, pick(["0", "1", "-1", "2", "x"]), member()]
        case 103: return [pick(["LPUSHX", "RPUSHX"]), k, member()]
        case 104: return ["RPOPLPUSH", k, pick([key(), k])]
        case 105: return ["LMOVE", k, pick([key(), k]), pick(["LEFT", "RIGHT", "UP"]), pick(["LEFT", "RIGHT"])]
        case 106: return ["LPOS", k, member()] + pick([[], ["RANK", "-1"], ["RANK", "0"], ["RANK", "2", "COUNT", "0"], ["COUNT", "2", "MAXLEN", "3"], ["COUNT", "x"], ["FOO", "1"], ["MAXLEN", "-1"]])
        case 107: return ["LMPOP", pick(["1", "2", "0", "x"]), k, key(), pick(["LEFT", "RIGHT", "UP"])] + pick([[], ["COUNT", "2"], ["COUNT", "0"], ["COUNT"]])
        case 108: return ["RPUSH", k, member(), member(), member()]
        // More sorted sets.
        case 109: return [pick(["ZRANK", "ZREVRANK"]), k, member()]
        case 110: return ["ZREVRANGE", k, index(), index()] + pick([[], ["WITHSCORES"], ["LIMIT"]])
        case 111: return ["ZREVRANGEBYSCORE", k, bound(), bound()] + pick([[], ["WITHSCORES"], ["LIMIT", "0", "2"], ["BAD"]])
        case 112: return ["ZREMRANGEBYRANK", k, index(), index()]
        case 113: return ["ZMSCORE", k, member(), member()]
        case 114: return [pick(["ZPOPMIN", "ZPOPMAX"]), k] + pick([[], ["2"], ["0"], ["-1"], ["x"]])
        case 115: return ["ZMPOP", pick(["1", "2", "0"]), k, key(), pick(["MIN", "MAX", "MID"])] + pick([[], ["COUNT", "2"], ["COUNT", "0"]])
        case 116: return [pick(["ZUNION", "ZINTER", "ZDIFF"]), pick(["1", "2", "0", "3", "x"]), k, key()]
            + pick([[], ["WITHSCORES"], ["WEIGHTS", "2", "0.5"], ["WEIGHTS", "2"], ["AGGREGATE", "MAX", "WITHSCORES"], ["AGGREGATE", "AVG"], ["WEIGHTS", "1", "x"]])
        case 117: return [pick(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]), key(), pick(["1", "2", "0"]), k, key()] + pick([[], ["WEIGHTS", "3", "1"], ["AGGREGATE", "MIN"], ["WITHSCORES"]])
        case 118: return ["ZINTERCARD", pick(["1", "2", "0"]), k, key()] + pick([[], ["LIMIT", "1"], ["LIMIT", "-2"]])
        // COUNT 100: a sorted set past its listpack is paged by Redis's hash buckets, whose
        // cursors the stub does not reproduce (docs/stub.md).
        case 119: return inTransaction ? ["ZCARD", k] : ["ZSCAN", k, pick(["0", "x"])] + pick([["COUNT", "100"], ["MATCH", "m[1-3]", "COUNT", "100"], ["COUNT", "0"]])
        case 120: return ["ZADD", k, "1", "m1", "2", "m2", "inf", "m3", "-inf", "m4"]
        // Encodings, and the thresholds that move them.
        // (Not inside MULTI: access statistics are compared by kind, Valkey's encodings by
        // ValkeyDifferences, each only as a whole reply. HELP's prose is checked once, below.)
        case 121, 122: return inTransaction ? ["TYPE", k] : ["OBJECT", pick(["ENCODING", "ENCODING", "REFCOUNT", "FREQ", "IDLETIME", "NOPE"]), k]
        // (Hash thresholds only through a refused value: a hash past its listpack answers
        // HGETALL in Redis's hash-table order; StubContractTests checks hash encodings.)
        case 123:
            let parameter = pick(["set-max-intset-entries", "hash-max-listpack-entries", "hash-max-ziplist-value", "zset-max-listpack-entries", "zset-max-ziplist-value"])
            return ["CONFIG", "SET", parameter, pick(parameter.hasPrefix("hash") ? ["x", "-1"] : ["1", "2", "3", "x", "-1"])]
        case 124: return ["CONFIG", "SET", "maxmemory-policy", pick(["allkeys-lfu", "noeviction", "allkeys-lru", "bogus"])]
        case 125: return inTransaction ? ["PING"] : ["CONFIG", "GET", pick(["*max-*-entries", "hash-max-*", "maxmemory-policy", "nothing*", "SET-MAX-INTSET-ENTRIES"])]
        case 126: return ["SET", k, pick(["12", "-3", "9999", "10000", "007", String(repeating: "x", count: 44), String(repeating: "y", count: 45), "123456789012345678901"])]
        case 127: return ["SADD", k, pick(["1", "2", "x", "300"]), pick(["4", "5"])]
        case 128: return ["HSET", k, member(), "v", member(), "w"]
        case 129: return ["ZADD", k, "1", pick([member(), String(repeating: "w", count: 65)])]
        // Bitmaps.
        case 130: return ["SETBIT", k, pick(["0", "7", "13", "100", "-1", "x", "4294967296"]), pick(["1", "0", "2"])]
        case 131: return ["GETBIT", k, pick(["0", "7", "13", "100", "-1", "x"])]
        // (BITCOUNT and BITPOS only outside MULTI: Valkey checks their arguments first.)
        case 132 where inTransaction, 133 where inTransaction: return ["STRLEN", k]
        case 132: return ["BITCOUNT", k] + pick([[], ["0", "-1"], ["1", "2"], ["-2", "-1"], ["0", "10", "BIT"], ["-5", "-1", "BIT"], ["0", "1", "BYTE"], ["0"], ["0", "1", "WORD"], ["x", "1"]])
        case 133: return ["BITPOS", k, pick(["0", "1", "2", "x"])] + pick([[], ["0"], ["1"], ["0", "-1"], ["2", "-1", "BIT"], ["0", "3", "BYTE"], ["-1"], ["0", "1", "X"]])
        case 134: return ["BITOP", pick(["AND", "OR", "XOR", "NOT", "NAND"]), key(), k] + pick([[], [key()]])
        case 135: return ["SET", k, pick(["\u{ff}\u{f0}", "abc", "\u{0}", "zz\u{ff}"])]
        // A standalone server's answers for replication, cluster and DEBUG; RESET.
        // (Never WAIT for a replica: Redis waits out the timeout, forever for 0; the stub, with
        // no replicas to wait for, answers at once — docs/stub.md.)
        case 136: return ["WAIT", pick(["0", "x"]), pick(["0", "10", "-1", "x"])]
        // (ROLE and READONLY/READWRITE not inside MULTI: Valkey answers them otherwise.)
        case 137: return pick(inTransaction ? [["ASKING"], ["CLUSTER", "INFO"], ["DEBUG", "OBJECT", k]] : [["ROLE"], ["READONLY"], ["READWRITE"], ["ASKING"], ["CLUSTER", "INFO"], ["DEBUG", "OBJECT", k]])
        case 138: return ["SLOWLOG"] + pick([["GET"], ["GET", "5"], ["GET", "-2"], ["LEN"], ["RESET"], ["GET", "1", "2"]])
        case 139: return Int.random(in: 0..<5, using: &random) == 0 ? ["RESET"] : ["WAIT", "0", "0"]
        case 140: return ["LCS", k, key()] + pick([[], ["LEN"], ["IDX"], ["IDX", "WITHMATCHLEN"], ["IDX", "MINMATCHLEN", "2"], ["LEN", "IDX"], ["MINMATCHLEN"], ["FOO"]])
        case 141: return ["SET", k, pick(["ohmytext", "mynewtext", "abcabc", "cab", "m1m2m3"])]
        case 142: return ["XTRIM", k, pick(["MAXLEN", "MINID", "FOO"])] + pick([[], ["="], ["~"]]) + [pick(["0", "1", "2", "10-0", "-1", "bad"])] + pick([[], ["LIMIT", "5"], ["LIMIT", "0"]])
        case 143: return ["XSETID", k, pick(["1-1", "50-0", "0-0", "bad", streamID()])] + pick([[], ["ENTRIESADDED", "100"], ["ENTRIESADDED", "0"], ["MAXDELETEDID", "60-0"], ["MAXDELETEDID", "1-0"], ["FOO", "1"]])
        // Member ranges, on a key of one score only (the keys above mix scores: with mixed
        // scores Redis's answer depends on its skiplist's random levels), or on none.
        case 144: return ["ZADD", "lex", "0", pick(["a", "b", "c", "d", member()]), "0", pick(["b", "e", member()])]
        case 145: return [pick(["ZRANGEBYLEX", "ZREVRANGEBYLEX"]), lexKey(), lexBound(), lexBound()] + pick([[], ["LIMIT", "1", "2"], ["LIMIT", "0", "-1"], ["LIMIT", "1"]])
        case 146: return ["ZLEXCOUNT", lexKey(), lexBound(), lexBound()]
        case 147: return ["ZREMRANGEBYLEX", lexKey(), lexBound(), lexBound()]
        case 148: return ["ZRANGE", lexKey(), lexBound(), lexBound(), "BYLEX"] + pick([[], ["REV"], ["WITHSCORES"], ["LIMIT", "0", "2"]])
        case 149: return pick([["ZRANGESTORE", key(), k] + pick([[index(), index()], [bound(), bound(), "BYSCORE"], ["0", "-1", "WITHSCORES"], ["0", "-1", "REV"]]),
                               ["ZRANGESTORE", key(), "lex", lexBound(), lexBound(), "BYLEX"]])
        case 150: return ["PUBSUB"] + pick([["CHANNELS"], ["CHANNELS", "a*"], ["NUMSUB", "a", "b"], ["NUMPAT"], ["SHARDCHANNELS"], ["SHARDNUMSUB", "x"], ["CHANNELS", "a", "b"], ["FOO"]])
        case 151: return ["SPUBLISH", "chan", member()]
        // Blocking commands: with something to take they answer at once; otherwise they wait
        // 10 ms on both sides (inside MULTI not at all). Never 0 (forever), even in MULTI: a
        // Valkey difference may end the transaction behind the generator's back.
        case 152: return [pick(["BLPOP", "BRPOP"]), k] + pick([[], [key()]]) + [timeout()]
        case 153: return ["BRPOPLPUSH", k, key(), timeout()]
        case 154: return ["BLMOVE", k, key(), pick(["LEFT", "RIGHT", "UP"]), pick(["LEFT", "RIGHT"]), timeout()]
        case 155: return ["BLMPOP", timeout(), pick(["1", "2", "0"]), k, key(), pick(["LEFT", "RIGHT", "UP"])] + pick([[], ["COUNT", "2"], ["COUNT", "0"]])
        case 156: return [pick(["BZPOPMIN", "BZPOPMAX"]), k] + pick([[], [key()]]) + [timeout()]
        case 157: return ["BZMPOP", timeout(), pick(["1", "2", "0"]), k, key(), pick(["MIN", "MAX", "MID"])] + pick([[], ["COUNT", "2"], ["COUNT", "0"]])
        // WATCH the key of one random command, run it, then an empty MULTI/EXEC: EXEC answers
        // nil exactly when the command modified the key, so every command's notion of
        // "modified" is compared.
        case 159, 160:
            guard !inTransaction else { return ["WATCH", k] }
            let probe = generate()
            followUps = [probe, ["MULTI"], ["EXEC"]]
            let keys = probe.dropFirst().filter { $0.count == 2 && $0.hasPrefix("k") }
            return ["WATCH"] + (keys.isEmpty ? [k] : Array(keys))
        case 161: return ["UNWATCH"]
        // Idle times are 0, far past or unparsable: the two sides deliver a few ms apart.
        case 162:
            let options = pick([[], ["JUSTID"], ["FORCE"], ["IDLE", "5000"], ["RETRYCOUNT", "3"], ["LASTID", "30-0"], ["TIME", "1"], ["IDLE"], ["BOGUS"], ["FORCE", "JUSTID"]])
            return ["XCLAIM", k, pick(["g", "h"]), pick(["c1", "c2"]), pick(["0", "0", "100000", "x", "-5"]), streamID()] + pick([[], [streamID()]]) + options
        // SORT's elements are the keys' members (m0..m4, numbers), so BY and GET patterns that
        // put "k" before them reach k0..k5 when an element is a digit.
        case 164, 165:
            // Not ALPHA with a BY pattern: elements whose BY keys are equal come in an order
            // Redis leaves to qsort.
            let by = pick([[], ["BY", "nosort"], ["BY", "k*"], ["BY", "k*->m1"], ["BY", "*"]])
            var options = by
            options += by.last?.contains("*") == true ? pick([[], ["ASC"], ["DESC"]]) : pick([[], ["ASC"], ["DESC"], ["ALPHA"], ["ALPHA", "DESC"]])
            // BY nosort leaves a set in the server's own order: compared as a multiset, whole.
            if by.last != "nosort" {
                options += pick([[], ["LIMIT", "0", "2"], ["LIMIT", "1", "-1"], ["LIMIT", "-1", "1"], ["LIMIT", "x", "1"], ["LIMIT", "1"]])
                options += pick([[], ["GET", "#"], ["GET", "k*", "GET", "#"], ["GET", "k*->m0"], ["GET"]])
            }
            let store: [String] = inTransaction ? [] : pick([[], [], ["STORE", key()]])
            return [pick(["SORT", "SORT", "SORT_RO"]), k] + options + store
        case 166, 167:
            var operations: [String] = []
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let type = pick(["i8", "u8", "i4", "u4", "i1", "u1", "i64", "u63", "i16", "u64", "I8", "i0"])
                let offset = pick(["0", "3", "8", "#1", "#0", "100", "-1", "x"])
                operations += pick([["GET", type, offset], ["SET", type, offset, number()], ["INCRBY", type, offset, pick(["1", "-1", "100", "-300", "x"])],
                                    ["OVERFLOW", pick(["WRAP", "SAT", "FAIL", "MAYBE"])], ["GET", type]])
            }
            return [pick(["BITFIELD", "BITFIELD", "BITFIELD_RO"]), k] + operations
        case 169:
            return ["XINFO"] + pick([["STREAM", k], ["STREAM", k, "FULL"], ["STREAM", k, "FULL", "COUNT", pick(["1", "0", "x"])], ["GROUPS", k],
                                    ["CONSUMERS", k, pick(["g", "h"])], ["STREAM", k, "BAD"], ["FOO", k]])
        case 170: return ["XGROUP", "SETID", k, pick(["g", "h"]), pick(["0", "$", "5-0"])] + pick([[], ["ENTRIESREAD", pick(["0", "3", "-1", "-2", "x"])], ["FOO", "1"], ["ENTRIESREAD"]])
        case 171: return ["XSETID", k, pick(["40-0", "50-1", "5"])] + pick([[], ["ENTRIESADDED", pick(["40", "0", "x"])], ["MAXDELETEDID", pick(["1-1", "60-0"])]])
        case 172, 173: return ["PFADD", k] + (0..<Int.random(in: 0...4, using: &random)).map { _ in "e\(Int.random(in: 0..<3000, using: &random))" }
        case 174: return ["PFCOUNT", k] + pick([[], [key()], [key(), "nokey"]])
        case 175: return ["PFMERGE", k] + pick([[], [key()], [key(), key()]])
        case 176: return ["PFDEBUG", pick(["ENCODING", "DECODE", "TODENSE", "GETREG", "FOO"]), k]
        // Geo: positions near one another, so searches find some and not others, on keys of
        // their own (another sorted set's scores decode to the poles and the antimeridian,
        // where Redis's search boxes stop short); a search without ASC, DESC or COUNT comes in
        // Redis's own box order (compared as a multiset).
        case 177, 178: return ["GEOADD", geoKey()] + pick([[], ["NX"], ["XX"], ["CH"], ["NX", "XX"]]) + [longitude(), latitude(), member()] + pick([[], [longitude(), latitude(), member()]])
        case 179: return [pick(["GEOPOS", "GEOHASH"]), geoKey(), member(), member()]
        case 180: return ["GEODIST", geoKey(), member(), member()] + pick([[], ["km"], ["mi"], ["ft"], ["parsec"]])
        case 181:
            let options = pick([[], ["ASC"], ["DESC"], ["COUNT", "2"], ["COUNT", "1", "DESC"], ["COUNT", "0"], ["ANY"]])
                + pick([[], ["WITHDIST"], ["WITHCOORD", "WITHHASH"], ["WITHDIST", "WITHCOORD"]])
            return pick([
                ["GEOSEARCH", geoKey(), "FROMLONLAT", longitude(), latitude(), "BYRADIUS", pick(["50", "200", "-1", "x"]), pick(["km", "mi", "m"])],
                ["GEOSEARCH", geoKey(), "FROMMEMBER", member(), "BYBOX", pick(["100", "400"]), pick(["100", "300", "-1"]), "km"],
                ["GEORADIUS", geoKey(), longitude(), latitude(), pick(["50", "200"]), "km"],
                ["GEORADIUSBYMEMBER", geoKey(), member(), pick(["50", "200"]), "km"],
                ["GEOSEARCH", geoKey(), "BYRADIUS", "10", "km"],
            ]) + options
        case 182:
            let store = pick([["GEOSEARCHSTORE", geoKey(), geoKey(), "FROMLONLAT", longitude(), latitude(), "BYRADIUS", "150", "km"] + pick([[], ["STOREDIST"]]),
                              ["GEORADIUS", geoKey(), longitude(), latitude(), "150", "km", pick(["STORE", "STOREDIST"]), geoKey()]])
            return store + pick([[], ["ASC"], ["COUNT", "1"], ["WITHDIST"]])
        // Functions: one per library (Redis lists a library's functions in its hash order).
        case 183: return ["FUNCTION", "LOAD"] + pick([[], ["REPLACE"]]) + [pick(Self.libraries)]
        case 184: return [pick(["FCALL", "FCALL", "FCALL_RO"]), pick(["get_one", "set_one", "nope", "boom"]), pick(["1", "0", "x", "3"]), k, member()]
        case 185: return ["FUNCTION"] + pick([["DELETE", pick(["reader", "writer", "none"])], ["FLUSH"], ["STATS"], ["KILL"], ["FLUSH", "BAD"], ["LIST", "LIBRARYNAME", "w*"]])
        case 186: return ["LATENCY"] + pick([["LATEST"], ["HISTORY", "command"], ["RESET"], ["RESET", "a"], ["GRAPH", "command"], ["DOCTOR"], ["HELP"], ["FOO"], []])
        // LOLWUT's drawings are random below their second row: two rows at most here (by property below).
        case 187:
            if inTransaction { return ["TYPE", k] }
            return ["LOLWUT"] + pick([[], ["VERSION", pick(["7", "x", "-1", "50"])], ["VERSION", "5", pick(["1", "10", "x", "0"]), pick(["1", "3", "300"]), pick(["1", "2", "-5"])],
                                      ["VERSION", "6", pick(["1", "x", "2000"]), "1"], ["VERSION", "6", "x"], ["FOO"]])
        // MEMORY USAGE's sizes and DOCTOR (which looks at the server's whole allocation) are
        // compared by memoryUsageCountsAsRedisDoes; here a size is a size.
        case 188:
            if inTransaction { return ["TYPE", k] }
            return ["MEMORY"] + pick([["USAGE", k], ["USAGE", k, "SAMPLES", pick(["0", "3", "-1", "x"])], ["USAGE", k, "FOO"], ["USAGE"],
                                      ["PURGE"], ["HELP"], ["NOPE"], []])
        // Payloads byte for byte (StubDumpTests restores them both ways); outside MULTI, where
        // the normalizing of hash tables and streams reaches them.
        case 189: return inTransaction ? ["TYPE", k] : ["DUMP", k]
        case 190: return ["RESTORE", k, pick(["0", "-1", "x"]), pick(["junk", ""])] + pick([[], ["REPLACE"], ["FREQ", "300"], ["IDLETIME", "-1"], ["BAD"]])
        case 191:
            if inTransaction { return ["TYPE", k] }
            return ["ACL"] + pick([["WHOAMI"], ["USERS"], ["LIST"], ["GETUSER", pick(["default", "nope"])], ["CAT"], ["CAT", pick(["hyperloglog", "geo", "nope", "connection"])],
                                   ["GENPASS"], ["GENPASS", pick(["1", "5", "0", "x"])], ["LOG"], ["LOG", pick(["RESET", "2", "x"])], ["DRYRUN", pick(["default", "nope"]), "GET", k],
                                   ["DRYRUN", "default", "NOPE"], ["DELUSER", pick(["default", "nope"])], ["SAVE"], ["LOAD"], ["HELP"], ["FOO"], ["CAT", "a", "b"]])
        case 163:
            let options = pick([[], ["COUNT", "1"], ["COUNT", "2"], ["JUSTID"], ["COUNT", "0"], ["FOO"], ["COUNT", "x"]])
            return ["XAUTOCLAIM", k, pick(["g", "h"]), pick(["c1", "c2"]), pick(["0", "0", "1000", "x"]), pick(["0", "-", "(1-1", "5-0", "bad", "+"])] + options
        case 158:
            let block = pick([[], ["BLOCK", "10"], ["BLOCK", "-1"], ["BLOCK", "x"]])
            let streams = pick([[k], [k, key()]])
            // `+` only outside MULTI: Valkey reads it (ValkeyDifferences.xreadLastEntry).
            let ids = streams.map { _ in pick(["0", "$", "5-0", "10", ">", "bad", inTransaction ? "0" : "+"]) }
            return ["XREAD"] + pick([[], ["COUNT", "2"], ["COUNT", "x"], ["NOACK"]]) + block + ["STREAMS"] + streams + ids
        default: return ["STRLEN", k]
        }
    }

    static let libraries = [
        "#!lua name=reader\nredis.register_function{function_name='get_one', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}}",
        "#!lua name=writer\nredis.register_function('set_one', function(keys, args) return redis.call('SET', keys[1], args[1]) end)",
        "#!lua name=faulty\nredis.register_function('boom', function(keys, args) return redis.call('INCR', keys[1]) end)",
        "#!lua name=writer\nredis.call('PING')",
        "#!lua name=clash\nredis.register_function('get_one', function() return 1 end)",
        "return 1",
    ]

    static let scripts = [
        "return redis.call('GET', KEYS[1])",
        "return redis.pcall('INCR', KEYS[1])",
        "redis.call('SADD', KEYS[1], ARGV[1]); return redis.call('SCARD', KEYS[1])",
        "local n = redis.call('ZADD', KEYS[1], 1, ARGV[1]); return {n, redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')}",
        "return redis.call('TYPE', KEYS[1])",
        "return redis.call('HINCRBY', KEYS[1], ARGV[1], 3)",
        "return {redis.call('EXISTS', KEYS[1]), tostring(redis.call('LPOP', KEYS[1]))}",
    ]
}
