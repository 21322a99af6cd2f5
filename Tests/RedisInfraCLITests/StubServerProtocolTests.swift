import Foundation
import RedisTestSupport
import Testing

/// The stub-server's protocol edges, over a raw socket: inline requests, pipelines, Redis's
/// protocol errors (answered, then the connection closed), per-connection state, many clients.
@Suite struct StubServerProtocolTests {
    @Test func inlineAndMultibulkRequestsMix() throws {
        let stub = try StubServerProcess()
        let socket = try RawSocket(port: stub.port!)
        try socket.send("PING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na b\r\nGET k\r\nSET q \"x\\ny\"\r\nGET q\r\n")
        #expect(try socket.receive(until: "$3\r\nx\ny\r\n") == "+PONG\r\n+OK\r\n$3\r\na b\r\n+OK\r\n$3\r\nx\ny\r\n")
    }

    @Test(arguments: [
        ("*2147483648\r\n", "-ERR Protocol error: invalid multibulk length\r\n"),
        ("*1\r\n:5\r\n", "-ERR Protocol error: expected '$', got ':'\r\n"),
        ("SET \"unbalanced\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"),
        (String(repeating: "x", count: 70_000), "-ERR Protocol error: too big inline request\r\n"),
    ])
    func badRequestsGetRedisErrorsAndAClosedConnection(request: String, reply: String) throws {
        let stub = try StubServerProcess()
        let socket = try RawSocket(port: stub.port!)
        try socket.send(request)
        #expect(try socket.receiveAll() == reply)
        // The server itself is fine.
        let other = try RawSocket(port: stub.port!)
        try other.send("PING\r\n")
        #expect(try other.receive(until: "\r\n") == "+PONG\r\n")
    }

    /// RESP3 after `HELLO 3`, byte for byte as redis-server writes it: HELLO's checks and map,
    /// pub/sub as pushes with any command allowed between (a PUBLISH to the session's own
    /// channel pushed before its reply), a parked pop's timeout as RESP3's null, then RESET
    /// back to RESP2 and its subscribed mode.
    @Test func respThreeAfterHelloIsRedisByteForByte() throws {
        let server = try RedisServer.start()
        let stub = try StubServerProcess()
        let session = [
            "HELLO 4", "HELLO x", "HELLO 3 SETNAME \"a b\"", "HELLO 3 BOGUS", "HELLO 3 SETNAME tester", "CLIENT GETNAME",
            "SUBSCRIBE news", "PING", "HSET h a 1", "HGETALL h", "PUBLISH news hi", "PSUBSCRIBE n*", "PUBLISH news again",
            "UNSUBSCRIBE", "PUNSUBSCRIBE", "UNSUBSCRIBE", "BLPOP none 0.05", "ZADD z 1.5 m", "ZSCORE z m", "GET none",
            "EVAL \"redis.setresp(3); return {redis.call('HGETALL', 'h'), true, {double = 2.5}}\" 0", "HELLO",
            "RESET", "HGETALL h", "SUBSCRIBE x", "PUBLISH x m", "PING", "QUIT",
        ]
        let expected = try Self.transcript(session, port: server.port)
        #expect(expected.contains(">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n:1\r\n"))
        #expect(try Self.transcript(session, port: stub.port!) == expected)
    }

    /// CLIENT REPLY OFF and SKIP hold replies back (errors too) but not pushes, as in Redis.
    @Test func clientReplyHoldsRepliesBackAsRedisDoes() throws {
        let server = try RedisServer.start()
        let stub = try StubServerProcess()
        let session = [
            "CLIENT REPLY OFF", "SET a 1", "GET a", "NOSUCH", "CLIENT REPLY ON", "GET a", "CLIENT REPLY SKIP", "GET a", "GET a",
            "CLIENT REPLY X", "CLIENT REPLY SKIP", "CLIENT REPLY SKIP", "GET a", "CLIENT REPLY SKIP", "BLPOP none 0.05", "PING",
            "HELLO 3", "SUBSCRIBE c", "CLIENT REPLY OFF", "PUBLISH c m", "CLIENT REPLY ON", "QUIT",
        ]
        let expected = try Self.transcript(session, port: server.port)
        #expect(expected.hasPrefix("+OK\r\n$1\r\n1\r\n$1\r\n1\r\n-ERR syntax error\r\n+PONG\r\n"))
        #expect(try Self.transcript(session, port: stub.port!) == expected)
    }

    /// A session's bytes back, sent in one go; a client's id (which differs between the two
    /// servers) as N.
    static func transcript(_ session: [String], port: Int) throws -> String {
        let socket = try RawSocket(port: port)
        try socket.send(session.joined(separator: "\r\n") + "\r\n")
        return try socket.receiveAll().replacingOccurrences(of: #"\$2\r\nid\r\n:\d+"#, with: "$2\r\nid\r\n:N", options: .regularExpression)
    }

    /// With a password, `HELLO 3 AUTH default <password>` authenticates and switches at once,
    /// as Redis lets it; a HELLO without AUTH is refused with Redis's words.
    @Test func helloAuthenticatesAsRedisDoes() throws {
        let server = try RedisServer.start(RedisServer.Options(password: "s3cret"))
        let directory = try makeTemporaryDirectory(prefix: "stub-hello")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("password")
        try "s3cret\n".write(to: file, atomically: true, encoding: .utf8)
        let stub = try StubServerProcess(arguments: ["--password-file", file.path])
        let session = ["HELLO 3", "HELLO 3 AUTH default wrong", "HELLO 3 AUTH default s3cret", "HGETALL none", "QUIT"]
        let expected = try Self.transcript(session, port: server.port)
        #expect(expected.hasPrefix("-NOAUTH HELLO must be called"))
        #expect(try Self.transcript(session, port: stub.port!) == expected)
    }

    @Test func connectionsKeepTheirOwnState() throws {
        let stub = try StubServerProcess()
        let first = try RawSocket(port: stub.port!)
        let second = try RawSocket(port: stub.port!)
        try first.send("SELECT 2\r\nSET k one\r\nMULTI\r\nSET k two\r\n")
        #expect(try first.receive(until: "QUEUED\r\n") == "+OK\r\n+OK\r\n+OK\r\n+QUEUED\r\n")
        try second.send("GET k\r\nSELECT 2\r\nGET k\r\n")
        #expect(try second.receive(until: "one\r\n") == "$-1\r\n+OK\r\n$3\r\none\r\n")
        try first.send("EXEC\r\nQUIT\r\n")
        #expect(try first.receiveAll() == "*1\r\n+OK\r\n+OK\r\n")
    }

    @Test func blockedReaderWaitsWithoutStallingOthers() throws {
        let stub = try StubServerProcess()
        let reader = try RawSocket(port: stub.port!)
        try reader.send("XGROUP CREATE jobs g $ MKSTREAM\r\nXREADGROUP GROUP g c BLOCK 0 STREAMS jobs >\r\n")
        #expect(try reader.receive(until: "+OK\r\n") == "+OK\r\n")
        let writer = try RawSocket(port: stub.port!)
        try writer.send("PING\r\nXADD jobs 1-1 job a\r\n")
        #expect(try writer.receive(until: "1-1\r\n") == "+PONG\r\n$3\r\n1-1\r\n")
        #expect(try reader.receive(until: "a\r\n") == "*1\r\n*2\r\n$4\r\njobs\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$3\r\njob\r\n$1\r\na\r\n")
        // The parked connection goes on serving once answered.
        try reader.send("XPENDING jobs g\r\n")
        #expect(try reader.receive(until: "1\r\n").hasPrefix("*4\r\n:1\r\n"))
        #expect(stub.terminate() == 0)
    }

    /// 100 clients park a blocking read and hang up. Redis frees them; so must the stub: no
    /// thread or socket left per client, and no read of theirs ever runs (XPENDING stays 0).
    @Test func abandonedBlockingReadersAreFreedAndConsumeNothing() throws {
        let stub = try StubServerProcess()
        let setup = try RawSocket(port: stub.port!)
        try setup.send("XGROUP CREATE jobs g $ MKSTREAM\r\n")
        #expect(try setup.receive(until: "\r\n") == "+OK\r\n")
        let baseline = resources(of: stub.process.processIdentifier)
        for _ in 0..<100 {
            let reader = try RawSocket(port: stub.port!)
            try reader.send("XREADGROUP GROUP g c BLOCK 0 STREAMS jobs >\r\n")
        }
        // Every RawSocket above is closed already (deinit): each reader hung up while parked.
        try setup.send("PING\r\n")
        #expect(try setup.receive(until: "\r\n") == "+PONG\r\n")
        let settled = eventually(within: 5) {
            let now = resources(of: stub.process.processIdentifier)
            return now.threads <= baseline.threads && now.files <= baseline.files
        }
        #expect(settled, "before \(baseline), after \(resources(of: stub.process.processIdentifier))")
        try setup.send("XADD jobs 1-1 job a\r\nXADD jobs 1-2 job b\r\nXPENDING jobs g\r\n")
        // Nothing pending: no parked read ran. (The stub sends RESP2's null as $-1 everywhere,
        // where Redis sends *-1 for a null array; clients read both as nil.)
        #expect(try setup.receive(until: "*4\r\n:0\r\n$-1\r\n$-1\r\n$-1\r\n").hasSuffix("*4\r\n:0\r\n$-1\r\n$-1\r\n$-1\r\n"))
    }

    /// A timed block answers a null array (`*-1`, as Redis) at its time, and what the client
    /// sent after it waits its turn.
    @Test func timedBlockAnswersNullThenTheRestOfThePipeline() throws {
        let stub = try StubServerProcess()
        let socket = try RawSocket(port: stub.port!)
        try socket.send("XGROUP CREATE s g $ MKSTREAM\r\nXREADGROUP GROUP g c BLOCK 200 STREAMS s >\r\nPING\r\n")
        #expect(try socket.receive(until: "PONG\r\n") == "+OK\r\n*-1\r\n+PONG\r\n")
    }

    /// Off loopback the stub-server wants a password (EVAL runs Lua for whoever connects), and
    /// with one it answers as Redis does with `requirepass`.
    @Test func aPasswordIsRequiredOffLoopbackAndChecked() throws {
        let open = try runProduct("redis-infra", ["stub-server", "--bind", "0.0.0.0", "--port", "0"])
        #expect(open.exitCode == 2)
        #expect(open.stderr.contains("--bind 0.0.0.0 reaches beyond this machine: give --password-file, or bind 127.0.0.1"), "\(open.stderr)")

        let directory = try makeTemporaryDirectory(prefix: "stub-auth")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("password")
        try "s3cret\n".write(to: file, atomically: true, encoding: .utf8)
        let stub = try StubServerProcess(arguments: ["--password-file", file.path])
        let socket = try RawSocket(port: stub.port!)
        try socket.send("PING\r\nAUTH wrong\r\nAUTH nobody s3cret\r\nAUTH s3cret\r\nPING\r\n")
        #expect(try socket.receive(until: "PONG\r\n") == "-NOAUTH Authentication required.\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n-WRONGPASS invalid username-password pair or user is disabled.\r\n+OK\r\n+PONG\r\n")
    }

    private func resources(of pid: pid_t) -> (threads: Int, files: Int) {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let threads = status.split(separator: "\n").first { $0.hasPrefix("Threads:") }.flatMap { Int($0.split(separator: "\t").last ?? "") } ?? -1
        let files = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
        return (threads, files)
    }

    @Test func manyConcurrentClients() throws {
        let stub = try StubServerProcess()
        // Forty connections open at once, each with a pipeline in flight before any is read.
        let sockets = try (0..<40).map { _ in try RawSocket(port: stub.port!) }
        for socket in sockets { try socket.send(String(repeating: "INCR counter\r\n", count: 50)) }
        for socket in sockets { #expect(try socket.receive(lines: 50).utf8.filter { $0 == 10 }.count == 50) }
        let check = try RawSocket(port: stub.port!)
        try check.send("GET counter\r\n")
        #expect(try check.receive(until: "2000\r\n") == "$4\r\n2000\r\n")
    }
}
