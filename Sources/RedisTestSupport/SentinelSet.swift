import Foundation
import RedisFactory

/// A real Sentinel deployment on loopback: 1 master, N replicas, M Sentinels (quorum 2),
/// Redis nodes with a password, Sentinels without one (as many deployments run them).
public final class SentinelSet: @unchecked Sendable {
    public let masterName: String
    public let password: String?
    public let nodes: [RedisServer]
    public let sentinels: [RedisServer]

    /// `redis+sentinel://127.0.0.1:p1,.../<master name>`, without credentials.
    public var url: String {
        "redis+sentinel://" + sentinels.map { "127.0.0.1:\($0.port)" }.joined(separator: ",") + "/\(masterName)"
    }

    public static func start(
        replicas: Int = 2, sentinels count: Int = 3, password: String? = "sentinel-set-pass",
        masterName: String = "mymaster", downAfterMilliseconds: Int = 1000, nodeConfig: [String] = []
    ) throws -> SentinelSet {
        let auth = (password.map { ["masterauth \($0)"] } ?? []) + nodeConfig
        let master = try RedisServer.start(.init(password: password, extraConfig: auth))
        let replicaNodes = try (0..<replicas).map { _ in
            try RedisServer.start(.init(password: password, extraConfig: auth + ["replicaof 127.0.0.1 \(master.port)"]))
        }
        let sentinelNodes = try (0..<count).map { _ in
            try RedisServer.start(.init(extraConfig: [
                "sentinel monitor \(masterName) 127.0.0.1 \(master.port) 2",
                "sentinel down-after-milliseconds \(masterName) \(downAfterMilliseconds)",
                "sentinel failover-timeout \(masterName) 5000",
            ] + (password.map { ["sentinel auth-pass \(masterName) \($0)"] } ?? []), sentinel: true))
        }
        let set = SentinelSet(masterName: masterName, password: password, nodes: [master] + replicaNodes, sentinels: sentinelNodes)
        try set.waitUntilReady(replicas: replicas)
        return set
    }

    private init(masterName: String, password: String?, nodes: [RedisServer], sentinels: [RedisServer]) {
        self.masterName = masterName
        self.password = password
        self.nodes = nodes
        self.sentinels = sentinels
    }

    /// A direct client on one node, with the set's password.
    public func client(port: Int) throws -> RedisClient {
        try RedisFactory.makeClient(
            preferredURL: "redis://127.0.0.1:\(port)", fallbackToFake: false, context: "sentinel-set",
            options: ConnectionOptions(connectTimeout: .seconds(1), commandTimeout: .seconds(2), password: password)
        )
    }

    /// The master's port by the first Sentinel's account.
    public func masterPort() -> Int? {
        guard let sentinel = try? sentinels[0].client(),
              let pair = try? sentinel.send(argv("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName)).array, pair.count == 2
        else { return nil }
        return pair[1].string.flatMap { Int($0) }
    }

    public func node(port: Int) -> RedisServer? { nodes.first { $0.port == port } }

    private func waitUntilReady(replicas: Int) throws {
        let ready = eventually(within: 30) {
            guard let master = try? self.client(port: self.nodes[0].port),
                  let info = try? master.send(argv("INFO", "replication")).string,
                  info.components(separatedBy: "state=online").count - 1 == replicas
            else { return false }
            return self.sentinels.allSatisfy { sentinel in
                guard let client = try? sentinel.client(),
                      let state = try? client.send(argv("SENTINEL", "MASTER", self.masterName)).array?.compactMap(\.string)
                else { return false }
                func field(_ name: String) -> Int? { state.firstIndex(of: name).flatMap { Int(state[$0 + 1]) } }
                return field("num-slaves") == replicas && field("num-other-sentinels") == self.sentinels.count - 1
            }
        }
        if !ready { throw TestSupportError("the Sentinel set did not come up within 30 s") }
    }
}
