import Foundation
import RedisFactory

/// A real Sentinel deployment on loopback: 1 master, N replicas, M Sentinels (quorum 2),
/// Redis nodes with a password, Sentinels without one (as many deployments run them).
public final class SentinelSet: @unchecked Sendable {
    public let masterName: String
    public let password: String?
    public let nodes: [RedisServer]
    public let sentinels: [RedisServer]
    /// Set when the deployment speaks TLS only.
    public let certificates: TestCertificates?

    /// `redis+sentinel://127.0.0.1:p1,.../<master name>` (`rediss+sentinel://...?ssl_ca_certs=`
    /// with TLS), without credentials.
    public var url: String {
        let hosts = sentinels.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
        guard let certificates else { return "redis+sentinel://\(hosts)/\(masterName)" }
        return "rediss+sentinel://\(hosts)/\(masterName)?ssl_ca_certs=\(certificates.ca)"
    }

    private var tlsOptions: TLSOptions? { certificates.map { TLSOptions(caFile: $0.ca) } }

    public static func start(
        replicas: Int = 2, sentinels count: Int = 3, password: String? = "sentinel-set-pass",
        masterName: String = "mymaster", downAfterMilliseconds: Int = 1000, nodeConfig: [String] = [],
        tls certificates: TestCertificates? = nil
    ) throws -> SentinelSet {
        // With certificates every node serves TLS only, and replication and Sentinel use it.
        let tls = certificates.map { ($0.serverCertificate, $0.serverKey, $0.ca, "no") }
        let tlsLinks = certificates == nil ? [] : ["tls-replication yes"]
        let auth = (password.map { ["masterauth \($0)"] } ?? []) + nodeConfig + tlsLinks
        let master = try RedisServer.start(.init(password: password, extraConfig: auth, tls: tls))
        let replicaNodes = try (0..<replicas).map { _ in
            try RedisServer.start(.init(password: password, extraConfig: auth + ["replicaof 127.0.0.1 \(master.port)"], tls: tls))
        }
        let sentinelNodes = try (0..<count).map { _ in
            try RedisServer.start(.init(extraConfig: tlsLinks + [
                "sentinel monitor \(masterName) 127.0.0.1 \(master.port) 2",
                "sentinel down-after-milliseconds \(masterName) \(downAfterMilliseconds)",
                "sentinel failover-timeout \(masterName) 5000",
            ] + (password.map { ["sentinel auth-pass \(masterName) \($0)"] } ?? []), sentinel: true, tls: tls))
        }
        let set = SentinelSet(masterName: masterName, password: password, nodes: [master] + replicaNodes, sentinels: sentinelNodes, certificates: certificates)
        try set.waitUntilReady(replicas: replicas)
        return set
    }

    private init(masterName: String, password: String?, nodes: [RedisServer], sentinels: [RedisServer], certificates: TestCertificates?) {
        self.certificates = certificates
        self.masterName = masterName
        self.password = password
        self.nodes = nodes
        self.sentinels = sentinels
    }

    /// A direct client on one node, with the set's password.
    public func client(port: Int) throws -> RedisClient {
        var options = ConnectionOptions(connectTimeout: .seconds(1), commandTimeout: .seconds(2), password: password)
        options.tls = tlsOptions
        return try RedisFactory.makeClient(
            preferredURL: "\(certificates == nil ? "redis" : "rediss")://127.0.0.1:\(port)", fallbackToFake: false, context: "sentinel-set", options: options
        )
    }

    /// A client on one Sentinel (no password: the set's Sentinels have none).
    public func sentinelClient(_ sentinel: RedisServer) throws -> RedisClient {
        var options = ConnectionOptions(connectTimeout: .seconds(1), commandTimeout: .seconds(2))
        options.tls = tlsOptions
        return try RedisFactory.makeClient(
            preferredURL: "\(certificates == nil ? "redis" : "rediss")://127.0.0.1:\(sentinel.port)", fallbackToFake: false, context: "sentinel-set", options: options
        )
    }

    /// The master's port by the first Sentinel's account.
    public func masterPort() -> Int? {
        guard let sentinel = try? sentinelClient(sentinels[0]),
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
                guard let client = try? self.sentinelClient(sentinel),
                      let state = try? client.send(argv("SENTINEL", "MASTER", self.masterName)).array?.compactMap(\.string)
                else { return false }
                func field(_ name: String) -> Int? { state.firstIndex(of: name).flatMap { Int(state[$0 + 1]) } }
                return field("num-slaves") == replicas && field("num-other-sentinels") == self.sentinels.count - 1
            }
        }
        if !ready { throw TestSupportError("the Sentinel set did not come up within 30 s") }
    }
}
