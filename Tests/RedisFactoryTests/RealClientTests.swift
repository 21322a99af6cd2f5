import Foundation
import RedisTestSupport
import Testing
@testable import RedisClientCore
@testable import RedisFactory
@testable import RedisStub

@Suite struct RealClientTests {
    @Test func connectsAndAnswers() throws {
        let server = try RedisServer.start()
        let client = try realClient(server)
        #expect(!client.isStub)
        #expect(try client.ping() == "PONG")
        #expect(try client.send("ECHO", "hi") == .bulk("hi"))
        #expect(try client.infoFields("server")["redis_version"]?.hasPrefix("7.") == true)
    }

    @Test func passwordAuth() throws {
        let server = try RedisServer.start(.init(password: "s3cret"))
        let client = try RedisFactory.makeClient(
            preferredURL: "redis://:s3cret@127.0.0.1:\(server.port)", fallbackToFake: false, options: testOptions()
        )
        #expect(try client.ping() == "PONG")

        var options = testOptions()
        options.password = "s3cret"
        #expect(try RedisFactory.makeClient(preferredURL: server.url, fallbackToFake: false, options: options).ping() == "PONG")
    }

    @Test func passwordFromFile() throws {
        let server = try RedisServer.start(.init(password: "from-a-file"))
        let file = server.directory.appendingPathComponent("password")
        try "from-a-file\n".write(to: file, atomically: true, encoding: .utf8)
        var options = testOptions()
        options.passwordFile = file.path
        let client = try RedisFactory.makeClient(preferredURL: server.url, fallbackToFake: false, options: options)
        #expect(try client.ping() == "PONG")
    }

    @Test func aclUserAuth() throws {
        let server = try RedisServer.start(.init(password: "admin", aclUser: (name: "worker", password: "w0rk")))
        let client = try RedisFactory.makeClient(
            preferredURL: "redis://worker:w0rk@127.0.0.1:\(server.port)", fallbackToFake: false, options: testOptions()
        )
        #expect(try client.send("ACL", "WHOAMI") == .bulk("worker"))
    }

    @Test func wrongPasswordIsAnAuthError() throws {
        let server = try RedisServer.start(.init(password: "right"))
        let error = #expect(throws: RedisError.self) {
            try RedisFactory.makeClient(
                preferredURL: "redis://:wrong@127.0.0.1:\(server.port)", fallbackToFake: false, options: testOptions()
            )
        }
        guard case .authenticationFailed(let message) = error else {
            Issue.record("expected authenticationFailed, got \(String(describing: error))")
            return
        }
        #expect(message.hasPrefix("WRONGPASS"))
    }

    @Test func missingPasswordIsAnAuthError() throws {
        let server = try RedisServer.start(.init(password: "right"))
        let error = #expect(throws: RedisError.self) {
            try RedisFactory.makeClient(preferredURL: server.url, fallbackToFake: false, options: testOptions())
        }
        #expect(error?.kind == "auth")
        #expect(error?.description.contains("NOAUTH") == true)
    }

    @Test func unixSocketWithDatabase() throws {
        let server = try RedisServer.start(.init(unixSocket: true))
        let client = try RedisFactory.makeClient(
            preferredURL: "unix://\(server.socketPath!)?db=5", fallbackToFake: false, options: testOptions()
        )
        try client.set("where", "db5")
        let tcp = try realClient(server, path: "/5")
        #expect(try tcp.get("where") == "db5")
        #expect(try realClient(server, path: "/0").get("where") == nil)
    }

    @Test func refusedPort() throws {
        let port = try freeLoopbackPort()
        let error = #expect(throws: RedisError.self) {
            try RedisFactory.makeClient(preferredURL: "redis://127.0.0.1:\(port)", fallbackToFake: false, options: testOptions())
        }
        guard case .connectionRefused(let errstr) = error else {
            Issue.record("expected connectionRefused, got \(String(describing: error))")
            return
        }
        #expect(errstr == "Connection refused")
    }

    @Test func suspendedServerTimesOutWithinTheDeadline() throws {
        let server = try RedisServer.start()
        server.suspend()
        defer { server.resume() }
        let clock = ContinuousClock()
        let start = clock.now
        let error = #expect(throws: RedisError.self) {
            try RedisFactory.makeClient(
                preferredURL: server.url, fallbackToFake: false, options: testOptions(connectTimeout: .milliseconds(300))
            )
        }
        let elapsed = clock.now - start
        #expect(error?.kind == "timeout", "\(String(describing: error))")
        // Bounded by the deadline (with slack for a loaded machine), not by a kernel default.
        #expect(elapsed < .seconds(3))
    }

    @Test func commandTimeoutOnAConnectedClient() throws {
        let server = try RedisServer.start()
        let client = try RedisFactory.makeClient(
            preferredURL: server.url, fallbackToFake: false, options: testOptions(commandTimeout: .milliseconds(200))
        )
        #expect(try client.ping() == "PONG")
        server.suspend()
        #expect(throws: RedisError.timedOut("Resource temporarily unavailable")) { try client.ping() }
        server.resume()
        // The timed-out connection was dropped; the next command reconnects.
        #expect(try client.ping() == "PONG")
    }

    @Test func reconnectsOnDemandAfterTheConnectionBreaks() throws {
        let server = try RedisServer.start()
        let client = try realClient(server)
        let killer = try realClient(server)
        try client.set("k", "v")
        #expect(try killer.send("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes").integer == 1)
        // The first command finds the connection closed; it is not silently retried.
        #expect(throws: RedisError.self) { try client.get("k") }
        #expect(try client.get("k") == "v")
    }

    @Test func binaryValuesWithNULBytes() throws {
        let server = try RedisServer.start()
        let client = try RedisFactory.makeClient(
            preferredURL: server.url, decodeResponses: false, fallbackToFake: false, options: testOptions()
        )
        let value: [UInt8] = [0, 1, 2, 0, 255, 254, 0x0d, 0x0a, 0]
        let key: [UInt8] = [0x6b, 0, 0x6b]
        #expect(try client.send([Array("SET".utf8), key, value]) == .simpleString("OK"))
        #expect(try client.send([Array("GET".utf8), key]) == .bulkString(value))
        #expect(try client.send([Array("STRLEN".utf8), key]) == .integer(9))
        try client.set("bin", value)
        #expect(try client.getBytes("bin") == value)
    }

    @Test func decodeResponsesRejectsNonUTF8() throws {
        let server = try RedisServer.start()
        let client = try realClient(server)
        try client.set("bin", [0xff, 0xfe] as [UInt8])
        #expect(throws: RedisError.invalidUTF8(command: "GET")) { try client.send("GET", "bin") }
        #expect(throws: RedisError.invalidUTF8(command: "GET")) { try client.get("bin") }
    }

    @Test func pipelineOfTenThousandCommands() throws {
        let server = try RedisServer.start()
        let client = try realClient(server)
        let commands = (0..<10_000).map { argv("INCRBY", "counter", $0) }
        let replies = try client.pipeline(commands)
        #expect(replies.count == 10_000)
        #expect(replies.last == .integer(Int64((0..<10_000).reduce(0, +))))
        #expect(replies[1] == .integer(1))
        let reads = try client.pipeline((0..<10_000).map { argv("SET", "k\($0)", "v\($0)") } + [argv("DBSIZE")])
        #expect(reads.last == .integer(10_001))
    }

    @Test func pipelineKeepsErrorRepliesInPlace() throws {
        let server = try RedisServer.start()
        let client = try realClient(server)
        let replies = try client.pipeline([argv("SET", "s", "x"), argv("INCR", "s"), argv("GET", "s")])
        #expect(replies == [.simpleString("OK"), .error("ERR value is not an integer or out of range"), .bulk("x")])
    }

}
