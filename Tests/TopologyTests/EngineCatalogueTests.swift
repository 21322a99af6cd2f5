import Foundation
import RedisFactory
import RedisTestSupport
import Testing
@testable import Topology

/// The committed catalogue is what the real server says of itself: regenerate it with
/// scripts/engine-catalogue.sh when the server changes, and this test says when to.
@Suite struct EngineCatalogueTests {
    @Test func redis70CatalogueMatchesTheInstalledServer() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let client = try server.client()
        let version = try #require(client.send(["INFO", "server"]).string)
        try #require(version.contains("redis_version:7.0."), "the catalogue was read off Redis 7.0; this server is another version")
        func strings(_ reply: RedisValue) -> Set<String> { Set((reply.array ?? []).compactMap(\.string)) }
        let catalogue = EngineCatalogue.redis70
        #expect(strings(try client.send(["COMMAND", "LIST"])) == catalogue.commands)
        let config = (try client.send(["CONFIG", "GET", "*"]).array ?? []).compactMap(\.string)
        #expect(Set(stride(from: 0, to: config.count, by: 2).map { config[$0] }) == catalogue.directives)
        #expect(strings(try client.send(["ACL", "CAT"])) == catalogue.aclCategories)
    }

    /// The catalogue draws the line where the server does: the command rules it knows start a
    /// real server (from a `user` line in its config file), and one it does not know fails it.
    @Test func commandRulesAreJudgedAsTheServerJudgesThem() throws {
        let catalogue = EngineCatalogue.redis70
        let known = ["get", "config|get", "select|0"]
        #expect(known.allSatisfy(catalogue.knowsCommand))
        let server = try RedisServer.start(RedisServer.Options(extraConfig: ["user probe on nopass ~* -@all " + known.map { "+" + $0 }.joined(separator: " ")]))
        server.stop()
        for unknown in ["gett", "config|gett"] {
            #expect(!catalogue.knowsCommand(unknown))
            // Redis opens its port before it loads the ACL and exits; it never gets to answer.
            #expect(throws: (any Error).self, "redis-server answered with +\(unknown)") {
                let server = try RedisServer.start(RedisServer.Options(extraConfig: ["user probe on nopass ~* +\(unknown)"]))
                defer { server.stop() }
                _ = try server.client().send(["PING"])
            }
        }
    }
}
