import Foundation
import RedisTestSupport
import Testing

/// Scenarios with several connections — blocking commands woken by other clients' writes,
/// timeouts, hang-ups — run step by step on a real redis-server and on the stub-server, and
/// every connection's bytes after every step compared. Redis's own answers are the expected
/// ones; nothing here is written down by hand.
@Suite struct StubServerScenarioTests {
    enum Step {
        /// Connection `n` sends these commands (one write, so a pipeline).
        case send(Int, [[String]])
        /// Time passes (for a timeout to run out).
        case wait(milliseconds: Int)
        /// Connection `n` hangs up.
        case hangUp(Int)
    }

    struct Scenario: CustomTestStringConvertible, Sendable {
        let name: String
        let connections: Int
        let steps: [Step]
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(name: "clients blocked on a key are served oldest first, each from the key that grew", connections: 3, steps: [
            .send(0, [["BLPOP", "q1", "q2", "0"]]),
            .send(1, [["BRPOP", "q2", "0"]]),
            .send(2, [["RPUSH", "q2", "x", "y", "z"], ["LPOP", "q2"]]),
            .send(0, [["LLEN", "q2"]]),
        ]),
        Scenario(name: "a pipeline's next command runs after the blocked client took its element", connections: 2, steps: [
            .send(0, [["BLPOP", "k", "0"]]),
            .send(1, [["RPUSH", "k", "a"], ["LPOP", "k"], ["EXISTS", "k"]]),
        ]),
        Scenario(name: "timeouts answer a null array and the connection goes on", connections: 1, steps: [
            .send(0, [["BZPOPMIN", "z", "0.2"], ["PING"]]),
            .wait(milliseconds: 400),
            .send(0, [["BLMPOP", "0.05", "1", "l", "LEFT"], ["XREAD", "BLOCK", "50", "STREAMS", "s", "0"], ["ECHO", "after"]]),
            .wait(milliseconds: 400),
        ]),
        Scenario(name: "XREAD BLOCK with $ gets what came after it arrived, one stream at a time", connections: 2, steps: [
            .send(1, [["XADD", "s", "1-1", "f", "old"]]),
            .send(0, [["XREAD", "BLOCK", "0", "STREAMS", "s", "t", "$", "$"]]),
            .send(1, [["XADD", "t", "2-1", "f", "new"], ["XADD", "s", "3-1", "f", "newer"]]),
            .send(0, [["XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", "0"]]),
        ]),
        Scenario(name: "a transaction's pushes wake the blocked client once it commits", connections: 2, steps: [
            .send(0, [["BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"], ["LRANGE", "dst", "0", "-1"]]),
            .send(1, [["MULTI"], ["RPUSH", "src", "1"], ["RPUSH", "src", "2"]]),
            .send(1, [["EXEC"]]),
        ]),
        Scenario(name: "a key of another type neither wakes nor fails the blocked client", connections: 2, steps: [
            .send(0, [["BLMPOP", "0", "2", "l1", "l2", "RIGHT", "COUNT", "5"]]),
            .send(1, [["SET", "l1", "str"], ["RPUSH", "l2", "a", "b"]]),
            .send(0, [["BRPOPLPUSH", "src", "dst", "0"]]),
            .send(1, [["SET", "dst", "str"], ["RPUSH", "src", "x"]]),
            .send(1, [["DEL", "dst"], ["RPUSH", "src", "y"], ["LRANGE", "dst", "0", "-1"]]),
        ]),
        Scenario(name: "sorted-set pops block and wake with their scores", connections: 2, steps: [
            .send(0, [["BZMPOP", "0", "1", "zz", "MAX", "COUNT", "2"]]),
            .send(1, [["ZADD", "zz", "1", "a", "2", "b", "3", "c"]]),
            .send(0, [["BZPOPMAX", "none", "zz", "0"]]),
        ]),
        Scenario(name: "a client that hangs up while blocked takes nothing", connections: 2, steps: [
            .send(0, [["BLPOP", "k", "0"]]),
            .hangUp(0),
            .send(1, [["RPUSH", "k", "v"], ["LRANGE", "k", "0", "-1"]]),
        ]),
        Scenario(name: "blocking commands answer at once when there is something, or an error", connections: 1, steps: [
            .send(0, [["RPUSH", "l", "a"], ["SET", "s", "x"], ["BLPOP", "s", "0"], ["BLPOP", "l", "s", "0"], ["BRPOP", "l", "-1"], ["BLPOP", "l", "x1"]]),
            .send(0, [["MULTI"], ["BLPOP", "l", "0"], ["BZPOPMIN", "z", "0"], ["EXEC"]]),
        ]),
        Scenario(name: "messages reach channel, pattern and shard subscribers with Redis's counts", connections: 3, steps: [
            .send(0, [["SUBSCRIBE", "ch1", "ch2"], ["PSUBSCRIBE", "ch*"]]),
            .send(1, [["SSUBSCRIBE", "sh"]]),
            .send(2, [["PUBLISH", "ch1", "hello"], ["SPUBLISH", "sh", "x"], ["PUBLISH", "nobody", "y"]]),
            .send(2, [["PUBSUB", "NUMSUB", "ch1", "sh"], ["PUBSUB", "NUMPAT"], ["PUBSUB", "SHARDNUMSUB", "sh"], ["PUBSUB", "SHARDCHANNELS"]]),
            .send(2, [["MULTI"], ["PUBLISH", "ch2", "in-exec"], ["EXEC"], ["EVAL", "return redis.call('publish', 'ch1', 'from-lua')", "0"]]),
        ]),
        Scenario(name: "a subscribed connection takes only the subscription commands, PING, QUIT and RESET", connections: 2, steps: [
            .send(0, [["SUBSCRIBE", "a"], ["GET", "x"], ["PING"], ["PING", "m"], ["CONFIG", "GET", "x"], ["NOSUCH"], ["SUBSCRIBE"], ["MULTI"]]),
            .send(0, [["PSUBSCRIBE", "a*"], ["UNSUBSCRIBE", "a", "b"], ["PUNSUBSCRIBE"], ["GET", "x"], ["UNSUBSCRIBE"], ["SUNSUBSCRIBE", "s"]]),
            .send(1, [["PUBLISH", "a", "gone"], ["PUBSUB", "CHANNELS"]]),
            .send(0, [["SUBSCRIBE", "b"], ["RESET"], ["GET", "x"]]),
            .send(1, [["PUBLISH", "b", "gone"], ["EVAL", "return redis.call('subscribe', 'c')", "0"]]),
        ]),
        Scenario(name: "another client's write, flush or swap spoils a WATCH; a read does not", connections: 2, steps: [
            .send(1, [["SET", "k", "1"], ["SADD", "s", "a", "b"], ["SELECT", "1"], ["SET", "other", "x"], ["SELECT", "0"]]),
            .send(0, [["WATCH", "k", "s"]]),
            .send(1, [["GET", "k"], ["SISMEMBER", "s", "a"], ["SADD", "s", "a"]]),
            .send(0, [["MULTI"], ["INCR", "k"], ["EXEC"]]),
            .send(0, [["WATCH", "s"]]),
            .send(1, [["SREM", "s", "a"]]),
            .send(0, [["MULTI"], ["SCARD", "s"], ["EXEC"], ["WATCH", "k"]]),
            .send(1, [["FLUSHDB"]]),
            .send(0, [["MULTI"], ["GET", "k"], ["EXEC"], ["SELECT", "1"], ["WATCH", "other"]]),
            .send(1, [["SWAPDB", "0", "1"]]),
            .send(0, [["MULTI"], ["DBSIZE"], ["EXEC"]]),
        ]),
        Scenario(name: "a watched key that expires spoils the transaction", connections: 1, steps: [
            .send(0, [["SET", "k", "v", "PX", "100"], ["WATCH", "k"]]),
            .wait(milliseconds: 300),
            .send(0, [["MULTI"], ["PING"], ["EXEC"], ["SET", "k", "v", "PX", "1"]]),
            .wait(milliseconds: 50),
            .send(0, [["WATCH", "k"], ["MULTI"], ["PING"], ["EXEC"]]),
        ]),
        // `$idN` is connection N's client id; CLIENT LIST's addresses, ids and buffer sizes are
        // each side's own (compared as placeholders).
        Scenario(name: "CLIENT LIST, SETNAME and KILL reach the other connections", connections: 3, steps: [
            .send(0, [["CLIENT", "SETNAME", "alpha"], ["SELECT", "2"]]),
            .send(2, [["SUBSCRIBE", "news"]]),
            .send(1, [["CLIENT", "LIST"], ["CLIENT", "LIST", "TYPE", "pubsub"], ["CLIENT", "LIST", "ID", "$id0", "999999"], ["CLIENT", "INFO"]]),
            .send(1, [["CLIENT", "KILL", "ID", "$id0"], ["CLIENT", "KILL", "ID", "$id0"], ["CLIENT", "KILL", "TYPE", "pubsub"], ["PUBSUB", "NUMSUB", "news"]]),
            .send(1, [["CLIENT", "LIST"], ["CLIENT", "KILL", "TYPE", "normal"], ["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"]]),
        ]),
        Scenario(name: "CLIENT UNBLOCK answers a blocked client with null or an error, and it takes nothing after", connections: 2, steps: [
            .send(0, [["BLPOP", "q", "0"]]),
            .send(1, [["CLIENT", "UNBLOCK", "$id0"], ["CLIENT", "UNBLOCK", "$id0"], ["RPUSH", "q", "x"]]),
            .send(0, [["BLPOP", "none", "0"]]),
            .send(1, [["CLIENT", "LIST", "ID", "$id0"], ["CLIENT", "UNBLOCK", "$id0", "ERROR"]]),
            .send(0, [["LLEN", "q"]]),
        ]),
        // CLIENT TRACKING (in RESP3 unless redirected): invalidations pushed once per read,
        // own writes' after the reply, FLUSH as a null, the modes and their errors.
        Scenario(name: "CLIENT TRACKING pushes each read key's invalidation once, own writes after the reply", connections: 2, steps: [
            .send(1, [["RPUSH", "l", "a"], ["SADD", "set", "a"]]),
            .send(0, [["HELLO", "3"], ["CLIENT", "TRACKING", "ON"], ["GET", "k"], ["MGET", "k", "k2"], ["HGETALL", "h"], ["LRANGE", "l", "0", "-1"], ["SCARD", "set"], ["CLIENT", "TRACKINGINFO"]]),
            // A list and a set changed in place; a SADD that adds nothing changes nothing.
            .send(1, [["SET", "k", "v"], ["HSET", "h", "f", "v"], ["SET", "k", "w"], ["LPUSH", "k2", "x"], ["SADD", "set", "a"], ["RPUSH", "l", "b"]]),
            .send(1, [["SADD", "set", "b"]]),
            .send(0, [["DEL", "k2"], ["GET", "k"], ["SET", "k", "own"], ["PING"]]),
            .send(0, [["EVAL", "return redis.call('GET', KEYS[1])", "1", "s1"], ["EVAL_RO", "return 1", "1", "s2"], ["MULTI"], ["GET", "t1"], ["SET", "t2", "x"], ["EXEC"]]),
            .send(1, [["SET", "s1", "x"], ["SET", "s2", "x"], ["SET", "t1", "x"], ["SADD", "h", "x"]]),
            .send(1, [["FLUSHALL"]]),
        ]),
        Scenario(name: "CLIENT TRACKING OPTIN, OPTOUT and NOLOOP choose which keys are tracked", connections: 2, steps: [
            .send(0, [["HELLO", "3"], ["CLIENT", "TRACKING", "ON", "OPTIN"], ["GET", "o1"], ["CLIENT", "CACHING", "YES"], ["CLIENT", "TRACKINGINFO"], ["GET", "o2"], ["GET", "o3"]]),
            .send(1, [["MSET", "o1", "1", "o2", "2", "o3", "3"]]),
            .send(0, [["CLIENT", "TRACKING", "OFF"], ["CLIENT", "TRACKING", "ON", "OPTOUT", "NOLOOP"], ["GET", "p1"], ["CLIENT", "CACHING", "NO"], ["GET", "p2"], ["GET", "p3"]]),
            .send(0, [["SET", "p1", "own"], ["CLIENT", "TRACKINGINFO"]]),
            .send(1, [["SET", "p1", "x"], ["SET", "p2", "x"], ["SET", "p3", "x"]]),
        ]),
        Scenario(name: "CLIENT TRACKING BCAST tells of every changed key under its prefixes", connections: 2, steps: [
            .send(0, [["HELLO", "3"], ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "job:"], ["CLIENT", "TRACKINGINFO"]]),
            .send(1, [["SET", "user:1", "x"], ["SET", "other", "x"], ["LPUSH", "job:9", "a"], ["SET", "user:0", "y"]]),
            .send(0, [["SET", "user:2", "x"], ["PING"]]),
            .send(0, [["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:x"], ["CLIENT", "TRACKING", "ON"], ["CLIENT", "TRACKING", "OFF"], ["CLIENT", "TRACKING", "ON", "BCAST", "NOLOOP"]]),
            .send(0, [["SET", "mine", "x"], ["PING"]]),
            .send(1, [["SET", "theirs", "x"]]),
        ]),
        Scenario(name: "CLIENT TRACKING REDIRECT sends RESP2 invalidations to a subscriber, and reports a target gone", connections: 4, steps: [
            .send(1, [["SUBSCRIBE", "__redis__:invalidate"]]),
            .send(0, [["CLIENT", "TRACKING", "ON", "REDIRECT", "$id1"], ["GET", "r1"], ["CLIENT", "TRACKING", "ON", "REDIRECT", "999999"]]),
            .send(2, [["SET", "r1", "x"], ["FLUSHDB"]]),
            .send(3, [["HELLO", "3"], ["CLIENT", "TRACKING", "ON", "REDIRECT", "$id1"], ["GET", "z1"]]),
            .hangUp(1),
            .send(2, [["SET", "z1", "x"]]),
            .send(3, [["CLIENT", "TRACKINGINFO"], ["PING"]]),
        ]),
        Scenario(name: "CLIENT TRACKING and CACHING refuse what Redis refuses", connections: 1, steps: [
            .send(0, [
                ["CLIENT", "TRACKING", "maybe"], ["CLIENT", "TRACKING", "ON", "REDIRECT", "x"], ["CLIENT", "TRACKING", "ON", "BOGUS"],
                ["CLIENT", "TRACKING", "ON", "OPTIN", "BCAST"], ["CLIENT", "TRACKING", "ON", "PREFIX", "a"], ["CLIENT", "TRACKING", "ON", "PREFIX"],
                ["CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT"], ["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab", "PREFIX", "a"],
                ["CLIENT", "CACHING", "YES"], ["CLIENT", "TRACKING", "ON", "OPTIN"], ["CLIENT", "CACHING", "NO"], ["CLIENT", "CACHING", "maybe"],
                ["CLIENT", "TRACKING", "ON", "OPTOUT"], ["CLIENT", "TRACKING", "ON", "BCAST"], ["CLIENT", "GETREDIR"], ["CLIENT", "TRACKING", "OFF"],
                ["CLIENT", "GETREDIR"], ["CLIENT", "TRACKINGINFO"], ["CLIENT", "TRACKING", "ON", "REDIRECT", "$id0", "REDIRECT", "$id0"],
            ]),
        ]),
        Scenario(name: "a subscriber that hangs up leaves its channels", connections: 2, steps: [
            .send(0, [["SUBSCRIBE", "a"]]),
            .hangUp(0),
            .send(1, [["PUBLISH", "a", "m"], ["PUBSUB", "NUMSUB", "a"]]),
        ]),
    ]

    @Test(arguments: scenarios)
    func stubServerAnswersEveryStepAsRedisDoes(scenario: Scenario) throws {
        let redis = try RedisServer.start()
        let expected = try run(scenario, port: redis.port, expected: nil)
        let stub = try StubServerProcess()
        let actual = try run(scenario, port: stub.port!, expected: expected)
        for (index, (want, got)) in zip(expected, actual).enumerated() where want != got {
            Issue.record("step \(index + 1): redis \(want.debugDescription), stub \(got.debugDescription)")
        }
    }

    /// Runs the steps; after each, what every connection received. Against Redis, each read
    /// lasts until the connection is quiet; against the stub, until it has Redis's bytes (or
    /// more, or is quiet long after).
    private func run(_ scenario: Scenario, port: Int, expected: [[String]]?) throws -> [[String]] {
        var sockets: [RawSocket?] = try (0..<scenario.connections).map { _ in try RawSocket(port: port) }
        try sockets[0]!.send(Self.encode([["FLUSHALL"]]))
        _ = try sockets[0]!.receive(until: "+OK\r\n")
        var ids: [String: String] = [:]
        for (index, socket) in sockets.enumerated() {
            try socket!.send(Self.encode([["CLIENT", "ID"]]))
            ids["$id\(index)"] = try socket!.receive(until: "\r\n").dropFirst().trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var outputs: [[String]] = []
        for (index, step) in scenario.steps.enumerated() {
            switch step {
            case .send(let connection, let commands): try sockets[connection]!.send(Self.encode(commands.map { $0.map { ids[$0] ?? $0 } }))
            case .wait(let milliseconds): usleep(UInt32(milliseconds) * 1000)
            case .hangUp(let connection): sockets[connection] = nil
            }
            outputs.append(sockets.indices.map { connection in
                guard let socket = sockets[connection] else { return "" }
                // Against the stub, wait for as much as Redis sent once both are normalized.
                let received = socket.receiveAvailable(expecting: expected.map { Array($0[index][connection].utf8) }, normalize: Self.normalized)
                return Self.normalized(received, ids: ids)
            })
        }
        return outputs
    }

    /// A CLIENT LIST line's id, addresses, socket and buffer sizes are each server's own; a
    /// connection's own id is named as the scenario names it.
    static func normalized(_ text: String, ids: [String: String] = [:]) -> String {
        var text = text.replacingOccurrences(of: #"\$\d+\r\nid="#, with: "$<length>\r\nid=", options: .regularExpression)
            .replacingOccurrences(of: #"addr=\S* laddr=\S* fd=-?\d+"#, with: "addr=<addr> laddr=<laddr> fd=<fd>", options: .regularExpression)
            .replacingOccurrences(of: #"qbuf=\d+ .*? tot-mem=\d+"#, with: "<buffers>", options: .regularExpression)
            .replacingOccurrences(of: #"age=\d+ idle=\d+"#, with: "age=<age> idle=<idle>", options: .regularExpression)
            // HELLO's id, a tracking redirect's target.
            .replacingOccurrences(of: #"(\$2\r\nid|\$8\r\nredirect|tracking-redir-broken)\r\n:[1-9]\d*"#, with: "$1\r\n:<id>", options: .regularExpression)
        for (name, id) in ids { text = text.replacingOccurrences(of: "id=\(id) ", with: "id=\(name) ") }
        return text
    }

    static func encode(_ commands: [[String]]) -> String {
        commands.map { command in
            "*\(command.count)\r\n" + command.map { "$\($0.utf8.count)\r\n\($0)\r\n" }.joined()
        }.joined()
    }
}

extension RawSocket {
    /// What arrives before the connection is quiet for 150 ms, or — given what is expected —
    /// until that much has arrived (giving up 3 s later: the comparison then shows the gap).
    func receiveAvailable(expecting expected: [UInt8]?, normalize: (String, [String: String]) -> String = { text, _ in text }) -> String {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(3)
        while true {
            if let expected, !expected.isEmpty, normalize(String(decoding: received, as: UTF8.self), [:]).utf8.count >= expected.count { break }
            var waiter = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&waiter, 1, 150) > 0 else {
                if let expected, normalize(String(decoding: received, as: UTF8.self), [:]).utf8.count < expected.count, Date() < deadline { continue }
                break
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            received += chunk[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
}
