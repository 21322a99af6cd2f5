import Foundation
import RedisTestSupport
import Testing
@testable import RedisClientCore
@testable import RedisStub

/// ACL users against redis-server 7.0.15, connection by connection: SETUSER's rules and
/// refusals, GETUSER and LIST as Redis describes them, AUTH and HELLO AUTH, NOPERM for
/// commands, keys and channels (in MULTI and scripts too), selectors, DRYRUN, DELUSER closing
/// its users' connections, a default user with a password.
@Suite(.enabled(if: ServerEngine.current == .redis, "Valkey's users also list sanitize-payload, and its categories differ"))
struct StubAclTests {
    /// (connection, command): four connections a side, all made before the default user
    /// wants a password (Redis's existing connections stay authenticated).
    static let steps: [(Int, [String])] = [
        (0, ["ACL", "SETUSER", "alice"]), (0, ["ACL", "GETUSER", "alice"]), (0, ["ACL", "LIST"]),
        (0, ["ACL", "SETUSER", "alice", "on", ">p1", ">p2", "~cache:*", "&chan:*", "+get", "+set", "-@dangerous", "+@hash", "-hdel"]),
        (0, ["ACL", "GETUSER", "alice"]), (0, ["ACL", "LIST"]),
        (0, ["ACL", "SETUSER", "alice", "<p2", "allkeys", "resetchannels", "nocommands", "+@read", "-get", "+get"]), (0, ["ACL", "LIST"]),
        (0, ["ACL", "SETUSER", "alice", "%R~r:*"]), (0, ["ACL", "SETUSER", "alice", "reset"]), (0, ["ACL", "LIST"]),
        (0, ["ACL", "SETUSER", "bob", "on", "nopass", "+@all", "~*", "&*", "-debug", "+client|id", "-client"]), (0, ["ACL", "GETUSER", "bob"]),
        (0, ["ACL", "SETUSER", "bob", "resetpass"]), (0, ["ACL", "SETUSER", "carol", "bogus"]),
        (0, ["ACL", "SETUSER", "carol", ">x", "~a", "+nosuch"]), (0, ["ACL", "SETUSER", "carol", "!abc"]), (0, ["ACL", "SETUSER", "carol", "<nope"]),
        (0, ["ACL", "SETUSER", "bad name"]), (0, ["ACL", "SETUSER", "carol", "%X~a"]), (0, ["ACL", "SETUSER", "carol", "&a", "allchannels", "&b"]),
        (0, ["ACL", "SETUSER", "carol", "(+get", "~x)", "(+set ~y)"]), (0, ["ACL", "GETUSER", "carol"]), (0, ["ACL", "USERS"]),
        (0, ["ACL", "SETUSER", "u1", "on", ">pw", "~k*", "+get", "+set", "+publish", "+subscribe", "+multi", "+exec", "+eval", "&ch*"]),
        (1, ["AUTH", "u1", "bad"]), (1, ["AUTH", "nobody", "pw"]), (1, ["AUTH", "u1", "pw"]), (1, ["GET", "k1"]), (1, ["GET", "x"]), (1, ["SET", "x", "1"]),
        (1, ["DEL", "k1"]), (1, ["PUBLISH", "ch1", "m"]), (1, ["PUBLISH", "zz", "m"]), (1, ["ACL", "WHOAMI"]), (1, ["CLIENT", "ID"]),
        (1, ["MULTI"]), (1, ["GET", "x"]), (1, ["GET", "k"]), (1, ["EXEC"]), (1, ["DEL"]), (1, ["NOSUCH"]), (1, ["CLIENT", "NOSUCH"]),
        (1, ["EVAL", "return redis.call('GET', 'x')", "0"]), (1, ["EVAL", "return redis.pcall('GET', 'k9')", "0"]),
        (0, ["ACL", "DRYRUN", "u1", "GET", "x"]), (0, ["ACL", "DRYRUN", "u1", "DEL", "k"]), (0, ["ACL", "DRYRUN", "u1", "PUBLISH", "zz", "m"]),
        (0, ["ACL", "DRYRUN", "u1", "GET", "k"]), (0, ["ACL", "DRYRUN", "u1", "GET"]), (0, ["ACL", "DRYRUN", "nobody", "GET", "x"]),
        (0, ["ACL", "SETUSER", "u2", "on", "nopass", "+@all", "%R~r*", "&*"]), (0, ["ACL", "DRYRUN", "u2", "SET", "r1", "x"]),
        (0, ["ACL", "DRYRUN", "u2", "GET", "r1"]), (2, ["HELLO", "2", "AUTH", "u2", "x", "SETNAME", "two"]), (2, ["ACL", "WHOAMI"]),
        (2, ["SET", "r1", "x"]), (2, ["GET", "r1"]), (2, ["EXISTS", "r1"]),
        (3, ["AUTH", "carol", "x"]), (0, ["ACL", "SETUSER", "carol", "on"]), (3, ["AUTH", "carol", "x"]), (3, ["GET", "x"]), (3, ["GET", "y"]), (3, ["SET", "y", "1"]),
        (3, ["SET", "x", "1"]), (0, ["ACL", "DELUSER", "u2", "nobody"]), (0, ["ACL", "DELUSER", "default"]), (0, ["ACL", "USERS"]),
        (0, ["ACL", "SETUSER", "default", "resetpass", ">dpw"]), (1, ["AUTH", "wrong"]), (1, ["AUTH", "dpw"]), (1, ["ACL", "WHOAMI"]),
        (0, ["ACL", "SETUSER", "default", "nopass"]), (0, ["AUTH", "x"]), (0, ["ACL", "LOG", "3"]), (0, ["ACL", "LOG", "-1"]),
        (0, ["ACL", "LOG"]), (0, ["ACL", "LOG", "RESET"]), (0, ["ACL", "LOG"]),
    ]

    @Test func usersAndPermissionsAnswerAsRedisDoes() throws {
        let server = try RedisServer.start()
        let real = try (0..<4).map { _ in try rawClient(server) }
        let store = StubStore()
        let stub = (0..<4).map { _ in InMemoryRedis(store: store) }
        for (connection, command) in Self.steps {
            let argv = command.map(\.redisBytes)
            let expected = Self.normalized(try real[connection].send(argv))
            let actual = Self.normalized(try stub[connection].send(argv))
            #expect(actual == expected, "\(connection): \(command.joined(separator: " "))")
        }
        // ACL DELUSER freed connection 2, whose user it deleted.
        #expect(throws: RedisError.self) { try stub[2].send(["PING"].map(\.redisBytes)) }
    }

    /// A session made while the default user wants a password must authenticate first.
    @Test func aNewSessionAuthenticatesWhenTheDefaultUserHasAPassword() throws {
        let server = try RedisServer.start()
        let store = StubStore()
        let admin = (real: try rawClient(server), stub: InMemoryRedis(store: store))
        let setPassword = ["ACL", "SETUSER", "default", "resetpass", ">dpw"].map(\.redisBytes)
        #expect(try admin.stub.send(setPassword) == admin.real.send(setPassword))
        let socket = try RawSocket(port: server.port)
        try socket.send("PING\r\nHELLO 3\r\nAUTH dpw\r\nPING\r\n")
        #expect(try socket.receive(until: "+PONG\r\n") == "-NOAUTH Authentication required.\r\n-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n+OK\r\n+PONG\r\n")
        let late = InMemoryRedis(store: store)
        for (command, reply) in [
            (["PING"], RedisValue.error("NOAUTH Authentication required.")),
            (["MULTI"], .error("NOAUTH Authentication required.")),
            (["HELLO", "2"], .error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")),
            (["AUTH", "dpw"], .ok), (["PING"], .simpleString("PONG")),
        ] {
            #expect(try late.send(command.map(\.redisBytes)) == reply, "\(command)")
        }
        _ = try admin.real.send(["ACL", "SETUSER", "default", "nopass"].map(\.redisBytes))
    }

    /// Redis lists single commands in its hash table's order, which changes from one server
    /// process to the next: compared sorted within each run of them.
    static func normalized(_ reply: RedisValue) -> RedisValue {
        switch reply {
        case .bulkString(let bytes):
            let words = String(decoding: bytes, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard words.contains(where: { $0 == "-@all" || $0 == "+@all" }) else { return reply }
            var sorted: [String] = []
            var run: [String] = []
            for word in words + [""] {
                if word.count > 1, "+-".contains(word.first!), word.dropFirst().first != "@", !word.contains("(") && !word.contains(")") {
                    run.append(word)
                } else {
                    sorted += run.sorted()
                    run = []
                    sorted.append(word)
                }
            }
            return .bulkString(Array(sorted.dropLast().joined(separator: " ").utf8))
        case .array(let elements):
            // HELLO's client id, an ACL LOG entry's age and client line are each server's own.
            return .array(elements.enumerated().map { index, element in
                index > 0 && [.bulk("id"), .bulk("age-seconds"), .bulk("client-info")].contains(elements[index - 1]) ? .simpleString("<own>") : normalized(element)
            })
        default:
            return reply
        }
    }
}
