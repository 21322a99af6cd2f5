import Foundation
import RedisTestSupport
import Testing
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
