import Foundation
import RedisTestSupport
import Testing
@testable import RedisClientCore
@testable import RedisFactory
@testable import RedisStub

/// COMMAND against redis-server 7.0.15: the stub's table is the installed server's (regenerate
/// with scripts/generate-stub-command-table.py when this fails), and GETKEYS finds the keys
/// Redis finds in every command the differential suite sends.
@Suite(.enabled(if: ServerEngine.current == .redis, "the table is Redis 7.0's"))
struct StubCommandTableTests {
    @Test func infoAndDocsAreTheInstalledRedises() throws {
        let server = try RedisServer.start()
        let real = try rawClient(server)
        let stub = InMemoryRedis()
        #expect(StubCommandTable.entries.count == 240)
        // DOCS nests deeper than hiredis reads (7 levels): compared as the bytes on the wire.
        let socket = try RawSocket(port: server.port)
        for (name, _) in StubCommandTable.served {
            for command in [["COMMAND", "INFO", name], ["COMMAND", "DOCS", name], ["COMMAND", "INFO", name.uppercased(), "nope"]] {
                let request = [command, ["PING"]].flatMap { RESPEncoder.encode(.array($0.map { .bulkString($0.redisBytes) })) }
                try socket.send(bytes: request)
                let received = try socket.receive(untilBytes: Array("+PONG\r\n".utf8)).dropLast(7)
                var lines = RESPLines(String(decoding: received, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n"))
                // Subcommands in name order on both sides (Redis's follow its hash table).
                let elements = lines.next()?.array ?? []
                let expected: RedisValue = command[1] == "INFO"
                    ? .array(elements.map { StubCommandTable.inNameOrder(info: $0) })
                    : .array(elements.enumerated().map { $0.offset % 2 == 1 ? StubCommandTable.inNameOrder(docs: $0.element) : $0.element })
                #expect(try stub.send(command.map(\.redisBytes)) == expected, "\(command)")
            }
        }
    }

    @Test func getKeysFindsRedisesKeys() throws {
        let server = try RedisServer.start()
        let real = try rawClient(server)
        let stub = InMemoryRedis()
        var generator = CommandGenerator(seed: 7)
        var compared = 0
        for _ in 0..<4000 {
            let command = generator.next()
            for subcommand in ["GETKEYS", "GETKEYSANDFLAGS"] {
                let asked = (["COMMAND", subcommand] + command).map(\.redisBytes)
                let (expected, actual) = (try real.send(asked), try stub.send(asked))
                #expect(actual == expected, "COMMAND \(subcommand) \(command.joined(separator: " "))")
                compared += 1
            }
        }
        #expect(compared == 8000)
    }

    @Test func subcommandsAnswerAsRedisDoes() throws {
        let server = try RedisServer.start()
        let real = try rawClient(server)
        let stub = InMemoryRedis()
        let commands: [[String]] = [
            ["COMMAND", "LIST", "FILTERBY", "ACLCAT", "nope"], ["COMMAND", "LIST", "FILTERBY", "PATTERN"], ["COMMAND", "LIST", "FOO"],
            ["COMMAND", "LIST", "FILTERBY", "MODULE", "x"], ["COMMAND", "LIST", "FILTERBY", "ACLCAT", "hyperloglog"],
            ["COMMAND", "LIST", "FILTERBY", "PATTERN", "x*"], ["COMMAND", "LIST", "FILTERBY", "PATTERN", "OBJECT*"],
            ["COMMAND", "DOCS", "object|encoding", "nope", "GET"], ["COMMAND", "INFO", "object|encoding", "object|nope"],
            ["COMMAND", "GETKEYS", "object", "encoding", "k"], ["COMMAND", "GETKEYS", "object", "nope", "k"], ["COMMAND", "GETKEYS", "object"],
            ["COMMAND", "GETKEYS", "nope", "a"], ["COMMAND", "GETKEYS", "SET"], ["COMMAND", "GETKEYS", "GET", "a", "b"],
            ["COMMAND", "GETKEYS", "PING", "x"], ["COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "5", "a", "b"], ["COMMAND", "GETKEYS", "SORT", "k", "STORE", "d"],
            ["COMMAND", "GETKEYS", "EVAL", "x", "0"], ["COMMAND", "GETKEYSANDFLAGS", "LMOVE", "a", "b", "LEFT", "RIGHT"], ["COMMAND", "FOO"],
            ["COMMAND", "COUNT", "x"], ["COMMAND", "HELP"], ["COMMAND", "INFO", "nope"],
        ]
        for command in commands {
            let (expected, actual) = (try real.send(command.map(\.redisBytes)), try stub.send(command.map(\.redisBytes)))
            // LIST names Redis's commands in its hash order; the stub's, only those it serves.
            if command[1] == "LIST", case .array(let theirs) = expected, case .array(let ours) = actual {
                let served = Set(theirs.compactMap(\.string)).filter { StubCoverage.served.contains(String($0.split(separator: "|")[0])) }
                #expect(Set(ours.compactMap(\.string)) == served, "\(command)")
                continue
            }
            #expect(actual == expected, "\(command)")
        }
        #expect(try stub.send(["COMMAND", "COUNT"].map(\.redisBytes)) == .integer(StubCoverage.served.count))
    }
}
