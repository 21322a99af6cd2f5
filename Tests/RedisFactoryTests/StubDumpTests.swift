import Foundation
import RedisTestSupport
import Testing
@testable import RedisClientCore
@testable import RedisFactory
@testable import RedisStub

/// DUMP and RESTORE against redis-server 7.0.15: the stub's payloads are Redis's byte for byte
/// (but for hash tables, whose order is Redis's hashing's), and a payload from either side
/// restores on the other to the same value.
@Suite(.enabled(if: ServerEngine.current == .redis, "Valkey writes its own RDB version and encodings"))
struct StubDumpTests {
    static func long(_ text: String, _ count: Int) -> String { String(repeating: text, count: count) }

    /// Every type in each of its encodings, with strings that compress and some that do not.
    static let values: [[String]] = strings + containers + streams

    static let strings: [[String]] = [
        ["SET", "int", "1"], ["SET", "hello", "hello"], ["SET", "embstr", long("a", 44)], ["SET", "repeated", long("abcdefghij", 30)],
        ["SET", "wide", "-12345678901"], ["SET", "int16", "300"], ["SET", "int32", "70000"], ["SET", "empty", ""], ["SET", "padded", "0123"],
        ["SET", "short-run", long("x", 21)], ["SET", "pairs", long("ab", 11)], ["SET", "words", long("hello world ", 3)],
        ["SET", "random", String(decoding: (0..<300).map { (index: Int) -> UInt8 in UInt8(33 + (index * 7919) % 90) }, as: UTF8.self)],
    ]

    static let containers: [[String]] = [
        ["RPUSH", "list", "a", "b", "1", "300", "-5000", "70000", "9999999999"], ["RPUSH", "nodes"] + Array(repeating: long("x", 100), count: 200),
        ["RPUSH", "counted"] + (0..<100).map(String.init),
        ["SADD", "intset", "1", "2", "3"], ["SADD", "intset32", "1", "70000"], ["SADD", "intset64", "1", "99999999999", "-5"],
        ["SADD", "narrowed", "1", "70000"], ["SREM", "narrowed", "70000"], ["SADD", "set", "a", "b", "c"],
        ["HSET", "hash", "f", "v", "n", "12"], ["HSET", "bighash"] + (0..<3).flatMap { ["f\($0)", long("v", 70)] },
        ["HSET", "fields"] + (0..<30).flatMap { ["field\($0)", "value\($0)"] },
        ["ZADD", "zset", "1", "a", "2.5", "b", "-3", "c", "0", "d"], ["ZADD", "skiplist"] + (0..<3).flatMap { ["\($0)", long("m", 70) + "\($0)"] },
        ["ZADD", "extremes", "1e300", "x", "-inf", "y", "inf", "z", "0.1", "w"],
    ]

    static let streams: [[String]] = [
        ["XADD", "stream", "1-1", "a", "1"], ["XADD", "stream", "2-1", "b", "2"], ["XADD", "stream", "2-2", "a", "3"],
        ["XADD", "fieldsets", "5-0", "f", "v", "g", "w"], ["XADD", "fieldsets", "6-0", "f", "v"],
    ] + (1...250).map { (index: Int) -> [String] in ["XADD", "long-stream", "\(index)-0", "field", "value\(index)", "other", long("x", index % 7)] }
        + [["XGROUP", "CREATE", "grouped", "g", "0", "MKSTREAM"], ["XADD", "grouped", "1-0", "a", "1"], ["XGROUP", "CREATE", "grouped", "h", "$"]]

    /// Hash tables list their members in Redis's hashing order: compared after a restore.
    static let hashTables: Set<String> = ["set", "bighash"]

    @Test func payloadsAreRedisesByteForByte() throws {
        let server = try RedisServer.start()
        let real = try rawClient(server)
        let stub = InMemoryRedis()
        for command in Self.values {
            #expect(try stub.send(command.map(\.redisBytes)) == real.send(command.map(\.redisBytes)), "\(command.prefix(3))")
        }
        for key in Set(Self.values.map { $0[0] == "XGROUP" ? $0[2] : $0[1] }).sorted() {
            let dump = ["DUMP", key].map(\.redisBytes)
            let (expected, actual) = (try real.send(dump), try stub.send(dump))
            if !Self.hashTables.contains(key) { #expect(actual == expected, "DUMP \(key)") }
            // Either side's payload restores on the other to the same value.
            for (payload, target, source) in [(expected, stub.send, real.send), (actual, real.send, stub.send)] as [(RedisValue, Sender, Sender)] {
                guard case .bulkString(let bytes) = payload else { Issue.record("DUMP \(key): \(payload)"); continue }
                #expect(try target(["RESTORE".redisBytes, "\(key):copy".redisBytes, [UInt8]("0".utf8), bytes]) == .simpleString("OK"))
                #expect(try contents(of: "\(key):copy", target) == contents(of: key, source), "\(key) restored")
            }
        }
    }

    typealias Sender = (RedisCommandArgv) throws -> RedisValue

    /// A value as its type's reading commands show it (a stream with its groups' state).
    func contents(of key: String, _ send: Sender) throws -> [RedisValue] {
        let type = try send(["TYPE", key].map(\.redisBytes))
        let reads: [[String]] = switch type {
        case .simpleString("string"): [["GET", key]]
        case .simpleString("list"): [["LRANGE", key, "0", "-1"]]
        case .simpleString("set"): [["SORT", key, "ALPHA"], ["OBJECT", "ENCODING", key]]
        case .simpleString("hash"): [["HGETALL", key], ["OBJECT", "ENCODING", key]]
        case .simpleString("zset"): [["ZRANGE", key, "0", "-1", "WITHSCORES"], ["OBJECT", "ENCODING", key]]
        default: [["XRANGE", key, "-", "+"], ["XINFO", "GROUPS", key]]
        }
        var replies = [type]
        for read in reads {
            let reply = try send(read.map(\.redisBytes))
            replies.append(type == .simpleString("hash") ? sortedPairs(reply) : reply)
        }
        return replies
    }

    private func sortedPairs(_ reply: RedisValue) -> RedisValue {
        guard case .array(let elements) = reply, elements.count % 2 == 0 else { return reply }
        let pairs: [[RedisValue]] = stride(from: 0, to: elements.count, by: 2).map { [elements[$0], elements[$0 + 1]] }
        return .array(pairs.sorted { $0[0].description < $1[0].description }.flatMap { $0 })
    }

    /// RESTORE's options and refusals, each answered as Redis answers it, in its order of checks.
    @Test func restoreRefusesAsRedisDoes() throws {
        let server = try RedisServer.start()
        let real = try rawClient(server)
        let stub = InMemoryRedis()
        _ = try real.send(["SET", "source", "value"].map(\.redisBytes))
        guard case .bulkString(let payload) = try real.send(["DUMP", "source"].map(\.redisBytes)) else { Issue.record("no payload"); return }
        var corrupt = payload
        corrupt[2] ^= 0xFF
        var newer = Array(payload.dropLast(10)) + [11, 0]
        newer += littleEndian(CRC64.checksum(newer), bytes: 8)
        var wrongBody = [UInt8]([0, 0x45]) + littleEndian(10, bytes: 2)
        wrongBody += littleEndian(CRC64.checksum(wrongBody), bytes: 8)
        func restore(_ key: String, _ ttl: String, _ payload: [UInt8], _ options: String...) -> [[UInt8]] {
            ["RESTORE".redisBytes, key.redisBytes, ttl.redisBytes, payload] + options.map(\.redisBytes)
        }
        func plain(_ words: String...) -> [[UInt8]] { words.map(\.redisBytes) }
        let cases: [[[UInt8]]] = [
            restore("a", "0", payload), restore("a", "0", payload), restore("a", "0", payload, "REPLACE"),
            restore("b", "-1", payload), restore("b", "x", payload), restore("b", "0", corrupt), restore("b", "0", newer),
            restore("b", "0", wrongBody), plain("RESTORE", "b", "0", "junk"), restore("b", "0", payload, "FOO"),
            restore("b", "0", payload, "IDLETIME", "-1"), restore("b", "0", payload, "FREQ", "256"),
            restore("b", "0", payload, "FREQ", "5", "IDLETIME", "5"), restore("b", "0", payload, "IDLETIME"),
            restore("b", "0", payload, "IDLETIME", "10", "REPLACE"), restore("c", "100000", payload, "FREQ", "7"), plain("PTTL", "c"),
            restore("d", "1000", payload, "ABSTTL"), plain("EXISTS", "d"), restore("a", "1000", payload, "ABSTTL", "REPLACE"), plain("EXISTS", "a"),
            restore("e", "4102444800000", payload, "ABSTTL"), plain("PEXPIRETIME", "e"), plain("GET", "b"), plain("DUMP", "missing"),
        ]
        for command in cases {
            var (expected, actual) = (try real.send(command), try stub.send(command))
            // A relative deadline differs by the milliseconds between the two sides.
            if String(decoding: command[0], as: UTF8.self) == "PTTL", case .integer(let theirs) = expected, case .integer(let ours) = actual, abs(theirs - ours) < 5000 {
                (expected, actual) = (.integer(0), .integer(0))
            }
            #expect(actual == expected, "\(command.map { String(decoding: $0.prefix(20), as: UTF8.self) })")
        }
    }

    /// FUNCTION DUMP's payload is Redis's for one library (several come in each side's hash
    /// order), and FUNCTION RESTORE's policies and refusals answer as Redis's, all or nothing.
    @Test func functionPayloadsAreRedises() throws {
        let server = try RedisServer.start()
        let real = try rawClient(server)
        let stub = InMemoryRedis()
        _ = try real.send(["FUNCTION", "FLUSH"].map(\.redisBytes))
        func both(_ command: [[UInt8]]) throws -> (expected: RedisValue, actual: RedisValue) { (try real.send(command), try stub.send(command)) }
        let library = { (name: String, function: String) in
            "#!lua name=\(name)\nredis.register_function('\(function)', function(keys, args) return redis.call('GET', keys[1]) end)"
        }
        _ = try both(["FUNCTION", "LOAD", library("first", "get_first")].map(\.redisBytes))
        let (single, ours) = try both(["FUNCTION", "DUMP"].map(\.redisBytes))
        #expect(ours == single)
        _ = try both(["FUNCTION", "LOAD", library("second", "get_second")].map(\.redisBytes))
        guard case .bulkString(let theirs) = try real.send(["FUNCTION", "DUMP"].map(\.redisBytes)),
              case .bulkString(let mine) = try stub.send(["FUNCTION", "DUMP"].map(\.redisBytes)),
              case .bulkString(let one) = single
        else { Issue.record("no payloads"); return }
        _ = try both(["SET", "k", "v"].map(\.redisBytes))
        guard case .bulkString(let stringPayload) = try real.send(["DUMP", "k"].map(\.redisBytes)) else { Issue.record("no key payload"); return }
        var corrupt = one
        corrupt[3] ^= 0x01
        let list = ["FUNCTION", "LIST", "WITHCODE"].map(\.redisBytes)
        for (name, payload, policy) in [
            ("the stub's two, replacing", mine, ["REPLACE"]),
            ("Redis's two after a flush", theirs, ["FLUSH"]), ("one, appended onto itself", one, ["APPEND"]), ("a bad policy", one, ["MERGE"]),
            ("too many arguments", one, ["FLUSH", "x"]), ("a corrupt payload", corrupt, []), ("a key's payload", stringPayload, ["FLUSH"]),
            ("the stub's two after a flush", mine, ["flush"]), ("one into an empty set", one, ["FLUSH"]), ("Redis's two, appended", theirs, []),
            ("one, appended", one, []),
        ] as [(String, [UInt8], [String])] {
            let (expected, actual) = try both(["FUNCTION".redisBytes, "RESTORE".redisBytes, payload] + policy.map(\.redisBytes))
            #expect(actual == expected, "\(name)")
            let (libraries, ourLibraries) = try both(list)
            #expect(normalized(["FUNCTION", "LIST"], ourLibraries) == normalized(["FUNCTION", "LIST"], libraries), "\(name): the libraries after")
        }
    }

    /// The check value of Redis's crc64 ("123456789"), and LZF both ways on what DUMP meets.
    @Test func checksumAndCompressionAreRedises() {
        #expect(CRC64.checksum(Array("123456789".utf8)) == 0xE9C6_D914_C4B8_D9CA)
        var random = SystemRandomNumberGenerator()
        for length in [21, 64, 300, 5000, 70_000] {
            for alphabet in [2, 16, 256] {
                let input = (0..<length).map { _ in UInt8(Int.random(in: 0..<alphabet, using: &random)) }
                guard let compressed = LZF.compress(input, limit: length - 4) else { continue }
                #expect(LZF.decompress(compressed, length: length) == input, "\(length) bytes of \(alphabet) symbols")
            }
        }
    }
}
