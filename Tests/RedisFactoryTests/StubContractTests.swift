import Foundation
import RedisTestSupport
import Testing
@testable import RedisClientCore
@testable import RedisFactory
@testable import RedisStub

/// The same argv, sent to a real redis-server and to the stub, must get the same replies.
@Suite struct StubContractTests {
    @Test(arguments: 0..<ContractSuite.families.count)
    func familyAnswersAsRedisDoes(index: Int) throws {
        let (family, commands) = ContractSuite.families[index]
        let server = try RedisServer.start()
        let real = try rawClient(server)
        let stub = InMemoryRedis()
        for command in commands {
            let argv = command.map(\.redisBytes)
            let expected = normalized(command, try real.send(argv))
            let actual = normalized(command, try stub.send(argv))
            if actual != expected, let known = ValkeyDifferences.explanation(of: command, redis: actual, valkey: expected) {
                try known.reconcile(stub: stub.send, server: real.send)
                continue
            }
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

    /// OBJECT ENCODING as Redis 7.0 answers it, through the thresholds CONFIG SET moves: the
    /// expected replies are asserted on the stub, and on the real server when it is Redis 7.0
    /// (Valkey keeps 7.2's encodings: ValkeyDifferences).
    @Test func encodingsFollowRedisThresholds() throws {
        let server = try RedisServer.start()
        let real = try rawClient(server)
        let stub = InMemoryRedis()
        let long = String(repeating: "x", count: 65)
        let steps: [([String], RedisValue)] = [
            (["HSET", "h", "a", "1"], .integer(1)), (["OBJECT", "ENCODING", "h"], .bulk("listpack")),
            (["CONFIG", "SET", "hash-max-ziplist-entries", "2"], .ok), (["HSET", "h", "b", "2", "c", "3"], .integer(2)),
            (["HDEL", "h", "b", "c"], .integer(2)), (["OBJECT", "ENCODING", "h"], .bulk("hashtable")),
            (["HSET", "h2", "f", long], .integer(1)), (["OBJECT", "ENCODING", "h2"], .bulk("hashtable")),
            (["CONFIG", "SET", "hash-max-listpack-value", "1kb"], .ok), (["CONFIG", "GET", "hash-max-listpack-value"], .array([.bulk("hash-max-listpack-value"), .bulk("1024")])),
            (["SADD", "s", "1", "2", "3"], .integer(3)), (["OBJECT", "ENCODING", "s"], .bulk("intset")),
            (["CONFIG", "SET", "set-max-intset-entries", "3"], .ok), (["SADD", "s", "4"], .integer(1)),
            (["SREM", "s", "4"], .integer(1)), (["OBJECT", "ENCODING", "s"], .bulk("hashtable")),
            (["ZADD", "z", "1", "a"], .integer(1)), (["OBJECT", "ENCODING", "z"], .bulk("listpack")),
            (["ZADD", "z", "2", long], .integer(1)), (["OBJECT", "ENCODING", "z"], .bulk("skiplist")),
            (["SET", "n", "123"], .ok), (["OBJECT", "ENCODING", "n"], .bulk("int")), (["OBJECT", "REFCOUNT", "n"], .integer(2_147_483_647)),
            (["APPEND", "n", "4"], .integer(4)), (["OBJECT", "ENCODING", "n"], .bulk("raw")), (["OBJECT", "REFCOUNT", "n"], .integer(1)),
            (["SET", "e", String(repeating: "e", count: 44)], .ok), (["OBJECT", "ENCODING", "e"], .bulk("embstr")),
            (["SET", "r", String(repeating: "r", count: 45)], .ok), (["OBJECT", "ENCODING", "r"], .bulk("raw")),
            (["INCRBYFLOAT", "f", "2"], .bulk("2")), (["OBJECT", "ENCODING", "f"], .bulk("embstr")),
            (["RPUSH", "l", "a"], .integer(1)), (["OBJECT", "ENCODING", "l"], .bulk("quicklist")),
            (["RENAME", "n", "n2"], .ok), (["OBJECT", "ENCODING", "n2"], .bulk("raw")),
            (["COPY", "s", "s2"], .integer(1)), (["OBJECT", "ENCODING", "s2"], .bulk("hashtable")),
            (["OBJECT", "FREQ", "l"], .error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")),
            (["OBJECT", "ENCODING", "missing"], .null),
        ]
        let checkReal = ServerEngine.current == .redis
        for (command, expected) in steps {
            #expect(try stub.send(command.map(\.redisBytes)) == expected, "stub: \(command)")
            if checkReal { #expect(try real.send(command.map(\.redisBytes)) == expected, "redis: \(command)") }
        }
        if checkReal {
            for help in [["OBJECT", "HELP"], ["CONFIG", "HELP"]] {
                #expect(try stub.send(help.map(\.redisBytes)) == real.send(help.map(\.redisBytes)), "\(help)")
            }
        }
    }

    /// The commands whose replies are random, checked by property on both sides: SPOP,
    /// SRANDMEMBER, HRANDFIELD, RANDOMKEY.
    @Test func randomRepliesHaveRedisProperties() throws {
        let server = try RedisServer.start()
        let real = try rawClient(server)
        _ = try real.send("FLUSHALL")
        let stub = InMemoryRedis()
        let members: Set<String> = ["a", "b", "c", "d"]
        for side in [{ (argv: [String]) in try real.send(argv.map(\.redisBytes)) }, { (argv: [String]) in try stub.send(argv.map(\.redisBytes)) }] {
            func strings(_ reply: RedisValue) -> [String] {
                guard case .array(let elements) = reply else { return [] }
                return elements.compactMap { if case .bulkString(let bytes) = $0 { String(decoding: bytes, as: UTF8.self) } else { nil } }
            }
            _ = try side(["SADD", "s"] + members.sorted())
            let distinct = strings(try side(["SRANDMEMBER", "s", "10"]))
            #expect(Set(distinct) == members && distinct.count == 4, "positive count: distinct, at most the set")
            let repeated = strings(try side(["SRANDMEMBER", "s", "-9"]))
            #expect(repeated.count == 9 && Set(repeated).isSubset(of: members), "negative count: repeats allowed")
            let popped = strings(try side(["SPOP", "s", "3"]))
            #expect(Set(popped).count == 3 && Set(popped).isSubset(of: members))
            #expect(try side(["SCARD", "s"]) == .integer(1))
            _ = try side(["HSET", "h", "f1", "v1", "f2", "v2", "f3", "v3"])
            let pairs = strings(try side(["HRANDFIELD", "h", "-4", "WITHVALUES"]))
            #expect(pairs.count == 8 && stride(from: 0, to: 8, by: 2).allSatisfy { pairs[$0 + 1] == "v" + pairs[$0].dropFirst() }, "\(pairs)")
            if case .bulkString(let key) = try side(["RANDOMKEY"]) {
                #expect(["s", "h"].contains(String(decoding: key, as: UTF8.self)))
            } else {
                Issue.record("RANDOMKEY answered no key")
            }
            _ = try side(["FLUSHALL"])
            #expect(try side(["RANDOMKEY"]) == .null && side(["SPOP", "s"]) == .null && side(["SPOP", "s", "2"]) == .array([]))
        }
    }
}

/// A client that keeps bulk replies as bytes, for exact comparison.
func rawClient(_ server: RedisServer) throws -> RedisClient {
    try RedisFactory.makeClient(preferredURL: server.url, decodeResponses: false, fallbackToFake: false, options: testOptions())
}

/// Replies whose order Redis does not define are compared sorted; idle times (which depend on
/// when each side ran the command) are zeroed.
func normalized(_ command: [String], _ reply: RedisValue) -> RedisValue {
    // A deadline set relative to now differs by the milliseconds between the two sides: within
    // a day of now it reads as "relative"; an absolute one (year 2100) is compared exactly.
    if case .integer(let deadline) = reply, ["EXPIRETIME", "PEXPIRETIME"].contains(command[0].uppercased()), deadline > 0 {
        let now = Int64(Date().timeIntervalSince1970) * (command[0].uppercased() == "PEXPIRETIME" ? 1000 : 1)
        let day = Int64(86_400) * (command[0].uppercased() == "PEXPIRETIME" ? 1000 : 1)
        return abs(deadline - now) < day ? .simpleString("a deadline near now") : reply
    }
    // An LFU counter depends on the server's random increments, an idle time on when each side
    // last touched the key (and for Redis's shared integers, on when the server started): a
    // number is a number.
    if case .integer = reply, command.count > 1, command[0].uppercased() == "OBJECT", ["FREQ", "IDLETIME"].contains(command[1].uppercased()) {
        return .simpleString("an access statistic")
    }
    if case .integer = reply, command.count > 1, command[0].uppercased() == "MEMORY", command[1].uppercased() == "USAGE" {
        return .simpleString("a size")
    }
    // A generated password is random; its length is not.
    if command.count > 1, command[0].uppercased() == "ACL", command[1].uppercased() == "GENPASS", case .bulkString(let password) = reply {
        return .simpleString("a password of \(password.count) hex digits")
    }
    if command.count == 3, command[0].uppercased() == "ACL", command[1].uppercased() == "CAT", case .array(let names) = reply {
        return .array(names.sorted { $0.description < $1.description })
    }
    if command[0].uppercased() == "DUMP", case .bulkString(let payload) = reply, let type = payload.first {
        switch type {
        // A hash table's members come in the order of Redis's hashing: only their size compares.
        case 2, 4: return .simpleString("a hash table of \(payload.count) bytes")
        // A stream's nodes keep XDEL's tombstones, its groups delivery times: compared decoded,
        // times left out.
        case 19:
            guard let object = RDB.object(inPayload: payload), case .stream(let stream)? = StubDump.value(object) else { return reply }
            let groups = stream.groups.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { name, group in
                "\(name) \(group.lastDelivered) \(String(describing: group.entriesRead)) \(group.consumers.keys.sorted { $0.lexicographicallyPrecedes($1) }) "
                    + "\(group.pending.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.consumer) \($0.value.deliveryCount)" })"
            }
            return .simpleString("stream \(stream.entries.map { "\($0.id) \($0.fields)" }) \(stream.lastID) \(stream.maxDeletedID) \(stream.entriesAdded) \(groups)")
        default: break
        }
    }
    guard case .array(let elements) = reply else { return reply }
    if command[0].uppercased() == "XINFO" { return withoutTimes(reply) }
    if command.count > 1, command[0].uppercased() == "CONFIG", command[1].uppercased() == "GET" {
        // Name-value pairs in the server's dictionary order: compared as sorted pairs.
        let pairs = stride(from: 0, to: elements.count - 1, by: 2).map { [elements[$0], elements[$0 + 1]] }
        return .array(pairs.sorted { $0[0].description < $1[0].description }.flatMap { $0 })
    }
    switch command[0].uppercased() {
    case "SMEMBERS", "KEYS", "SINTER", "SUNION", "SDIFF":
        return .array(elements.sorted { $0.description < $1.description })
    // Libraries come in the order of Redis's hash table.
    case "FUNCTION" where command.count > 1 && command[1].uppercased() == "LIST":
        return .array(elements.sorted { $0.description < $1.description })
    // A geo search with no order asked for comes in the order of Redis's geohash boxes.
    case "GEORADIUS", "GEORADIUSBYMEMBER", "GEOSEARCH", "GEORADIUS_RO", "GEORADIUSBYMEMBER_RO"
        where !command.map({ $0.uppercased() }).contains(where: { ["ASC", "DESC", "COUNT"].contains($0) }):
        return .array(elements.sorted { $0.description < $1.description })
    // SORT BY without *: a set is not sorted at all, so it comes in the server's own order.
    case "SORT", "SORT_RO" where command.contains("nosort") && !command.map({ $0.uppercased() }).contains("GET"):
        return .array(elements.sorted { $0.description < $1.description })
    case "SSCAN" where elements.count == 2:
        guard case .array(let page) = elements[1] else { return reply }
        return .array([elements[0], .array(page.sorted { $0.description < $1.description })])
    case "HSCAN" where elements.count == 2, "ZSCAN" where elements.count == 2:
        // Field-value (member-score) pairs in the server's order: compared as sorted pairs.
        guard case .array(let page) = elements[1] else { return reply }
        let pairs = stride(from: 0, to: page.count - 1, by: 2).map { [page[$0], page[$0 + 1]] }
        return .array([elements[0], .array(pairs.sorted { $0[0].description < $1[0].description }.flatMap { $0 })])
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

/// XINFO's clock readings (seen and delivery times, absolute milliseconds) and idle times
/// depend on when each side ran the command: zeroed.
private func withoutTimes(_ reply: RedisValue) -> RedisValue {
    guard case .array(let elements) = reply else {
        if case .integer(let value) = reply, value > 1_000_000_000_000 { return .integer(0) }
        return reply
    }
    var result = elements.map(withoutTimes)
    for index in result.indices.dropLast() where result[index] == .bulkString(Array("idle".utf8)) { result[index + 1] = .integer(0) }
    return .array(result)
}
