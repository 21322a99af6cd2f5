import Foundation
import RedisTestSupport
import Testing
import RedisClientCore
@testable import RedisStub
import Topology

/// docs/stub.md's command table is the stub's own account of itself: every Redis 7.0 command
/// (as redis-server 7.0.15 lists them), each with its status, rendered from `StubCoverage`; a
/// command the stub serves is named so there, and nothing the table claims is not a command.
@Suite struct StubCoverageTests {
    static let redis70 = EngineCatalogue.of(.redis, version: "7.0")!.commands.filter { !$0.contains("|") }

    @Test func everyServedOrExplainedCommandIsARedis70Command() {
        #expect(Self.redis70.count > 200)
        let named = StubCoverage.served.union(StubCoverage.differences.keys).union(StubCoverage.outOfScope.keys)
        #expect(named.subtracting(Self.redis70).isEmpty, "not Redis 7.0 commands: \(named.subtracting(Self.redis70).sorted())")
        // What the stub serves is never listed as out of its scope.
        #expect(StubCoverage.served.isDisjoint(with: StubCoverage.outOfScope.keys), "\(StubCoverage.served.intersection(StubCoverage.outOfScope.keys))")
        #expect(Set(StubCoverage.differences.keys).isSubset(of: StubCoverage.served))
    }

    /// What a script may call (and a read-only one) is redis-server's own flags: `noscript`,
    /// and `write` (the stub adds the may-replicate commands, which COMMAND INFO does not show).
    @Test func scriptRulesAreTheServersOwnFlags() throws {
        let server = try RedisServer.start()
        let reply = try rawClient(server).send("COMMAND", "INFO")
        var noScript: Set<String> = []
        var writes: Set<String> = []
        func read(_ entry: RedisValue) {
            guard case .array(let fields) = entry, let name = fields[0].string, case .array(let flags) = fields[2] else { return }
            let flagNames = Set(flags.compactMap(\.string))
            if flagNames.contains("noscript") { noScript.insert(name) }
            if flagNames.contains("write") { writes.insert(name) }
            if fields.count > 9, case .array(let subcommands) = fields[9] { subcommands.forEach(read) }
        }
        for entry in try #require(reply.array) { read(entry) }
        #expect(noScript.count > 90)
        #expect(StubCommands.noScript == noScript, "\(StubCommands.noScript.symmetricDifference(noScript).sorted())")
        let mayReplicate: Set<String> = ["publish", "spublish", "pfcount"]
        #expect(StubCommands.writeInScripts.subtracting(mayReplicate) == writes, "\(StubCommands.writeInScripts.subtracting(mayReplicate).symmetricDifference(writes).sorted())")
    }

    @Test func theDocumentedTableIsTheStubsOwn() throws {
        let expected = StubCoverage.markdownTable(Array(Self.redis70))
        let text = try String(contentsOf: packageRoot.appendingPathComponent("docs/stub.md"), encoding: .utf8)
        let start = try #require(text.range(of: "<!-- commands: rendered from StubCoverage, checked by StubCoverageTests -->\n"))
        let end = try #require(text.range(of: "<!-- /commands -->"))
        let documented = String(text[start.upperBound..<end.lowerBound])
        if documented != expected {
            let written = FileManager.default.temporaryDirectory.appendingPathComponent("stub-commands.md")
            try expected.write(to: written, atomically: true, encoding: .utf8)
            Issue.record("docs/stub.md's command table is stale: the current one is in \(written.path)")
        }
        let served = expected.split(separator: "\n").filter { $0.contains("same as Redis") || $0.contains("differs:") }.count
        print("stub coverage: \(served) of \(Self.redis70.count) Redis 7.0 commands served")
    }
}
