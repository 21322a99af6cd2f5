import Foundation
import RedisFactory

/// A real Redis Cluster on loopback: `masters` cluster-enabled `redis-server`s (and replicas for
/// each), formed by hand — slots spread evenly, `CLUSTER MEET`, `CLUSTER REPLICATE` — as
/// `redis-cli --cluster create` would, and ready once every node says `cluster_state:ok`.
/// The bus port is a free port of its own: `port + 10000` can be above 65535 on loopback.
public final class RedisClusterSet: @unchecked Sendable {
    public let masters: [RedisServer]
    public let replicas: [RedisServer]
    public var nodes: [RedisServer] { masters + replicas }
    /// The CA that signed every node's certificate, when the cluster serves TLS only.
    public let caFile: String?
    /// `redis+cluster://` (`rediss+cluster://` with TLS) with every master as a seed.
    public var url: String {
        let seeds = masters.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
        guard let caFile else { return "redis+cluster://" + seeds }
        return "rediss+cluster://\(seeds)?ssl_ca_certs=\(caFile)"
    }

    /// With `tls`, every node serves TLS only, and the cluster bus and replication use it too
    /// (`tls-cluster`, `tls-replication`), as the generated TLS configs do.
    public init(masters count: Int = 3, replicasPerMaster: Int = 0, nodeTimeoutMilliseconds: Int = 1000, password: String? = nil, tls: TestCertificates? = nil) throws {
        func start() throws -> RedisServer {
            var options = RedisServer.Options(password: password, extraConfig: [
                "cluster-enabled yes", "cluster-port \(try freeLoopbackPort())", "cluster-node-timeout \(nodeTimeoutMilliseconds)",
            ])
            if let password { options.extraConfig.append("masterauth \(password)") }
            if let tls {
                options.tls = (tls.serverCertificate, tls.serverKey, tls.ca, "no")
                options.extraConfig += ["tls-cluster yes", "tls-replication yes"]
            }
            return try RedisServer.start(options)
        }
        caFile = tls?.ca
        masters = try (0..<count).map { _ in try start() }
        replicas = try (0..<(count * replicasPerMaster)).map { _ in try start() }
        let clients = try nodes.map { [caFile] in try $0.adminClient(password: password, caFile: caFile) }
        let share = KeySlot.count / count
        for (index, client) in clients.prefix(count).enumerated() {
            let last = index == count - 1 ? KeySlot.count - 1 : (index + 1) * share - 1
            _ = try client.send(argv("CLUSTER", "ADDSLOTSRANGE", String(index * share), String(last)))
        }
        for (node, client) in zip(nodes, clients).dropFirst() {
            let bus = try client.send(argv("CONFIG", "GET", "cluster-port")).array?.last?.string ?? ""
            _ = try clients[0].send(argv("CLUSTER", "MEET", "127.0.0.1", String(node.port), bus))
        }
        let ids = try clients.prefix(count).map { try $0.send(argv("CLUSTER", "MYID")).string ?? "" }
        for (index, client) in clients.dropFirst(count).enumerated() {
            // A replica can follow a master only once it has heard of it.
            let master = ids[index % count]
            guard eventually(within: 20, { ((try? client.send(argv("CLUSTER", "NODES")).string) ?? "").contains(master) }) else {
                throw TestSupportError("replica never heard of master \(master)")
            }
            _ = try client.send(argv("CLUSTER", "REPLICATE", master))
        }
        let formed = eventually(within: 30) {
            clients.allSatisfy { ((try? $0.send(argv("CLUSTER", "INFO")).string) ?? "").contains("cluster_state:ok") }
        }
        guard formed else { throw TestSupportError("the cluster did not reach cluster_state:ok") }
        // A replica whose first sync has not finished cannot be promoted: wait for every link.
        let synced = eventually(within: 30) {
            clients.dropFirst(count).allSatisfy { ((try? $0.send(argv("INFO", "replication")).string) ?? "").contains("master_link_status:up") }
        }
        guard synced else { throw TestSupportError("a replica did not finish its first sync") }
    }


    /// The server that serves a slot now, by the first master's account.
    public func owner(ofSlot slot: Int, password: String? = nil) throws -> RedisServer? {
        let reply = try masters[0].adminClient(password: password, caFile: caFile).send(argv("CLUSTER", "SLOTS"))
        for range in reply.array ?? [] {
            guard let parts = range.array, parts.count >= 3, let start = parts[0].integer, let end = parts[1].integer,
                  (Int(start)...Int(end)).contains(slot), let port = parts[2].array?[1].integer else { continue }
            return nodes.first { $0.port == Int(port) }
        }
        return nil
    }

    public func stop() { nodes.forEach { $0.stop() } }
}

extension RedisServer {
    /// A plain client to this one node (no cluster routing), for the test's own checks; over
    /// TLS when given the CA that signed the node's certificate.
    public func adminClient(password: String? = nil, caFile: String? = nil) throws -> RedisClient {
        let credentials = password.map { ":\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)@" } ?? ""
        let url = caFile.map { "rediss://\(credentials)127.0.0.1:\(port)?ssl_ca_certs=\($0)" } ?? "redis://\(credentials)127.0.0.1:\(port)"
        return try RedisFactory.makeClient(preferredURL: url, fallbackToFake: false, context: "test-check")
    }
}
