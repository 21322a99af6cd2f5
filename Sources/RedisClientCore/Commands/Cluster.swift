/// Redis Cluster's view of itself, as a node reports it.
extension RedisConnection {
    /// `CLUSTER INFO` parsed into `field: value` (`cluster_state`, `cluster_slots_ok`, …).
    public func clusterInfo() throws -> [String: String] {
        parseInfo(try call(argv("CLUSTER", "INFO")).string())
    }

    /// `CLUSTER NODES`: one line per node the answering node knows, its own marked `myself`.
    public func clusterNodes() throws -> [ClusterNodeLine] {
        try call(argv("CLUSTER", "NODES")).string().split(separator: "\n").compactMap(ClusterNodeLine.init)
    }
}

/// One line of `CLUSTER NODES`: `<id> <ip:port@bus[,hostname]> <flags> <master> …`.
public struct ClusterNodeLine: Sendable, Equatable {
    public var id: String
    public var address: String
    public var flags: Set<String>
    /// The master's id for a replica; nil for a master.
    public var masterID: String?

    public var isMyself: Bool { flags.contains("myself") }
    /// Flagged failed by a majority (`fail`) or suspected by this node (`fail?`).
    public var isFailing: Bool { flags.contains("fail") || flags.contains("fail?") }

    public init?<Line: StringProtocol>(_ line: Line) {
        let fields = line.split(separator: " ")
        guard fields.count >= 4 else { return nil }
        id = String(fields[0])
        address = String(fields[1])
        flags = Set(fields[2].split(separator: Character(",")).map { String($0) })
        masterID = fields[3] == "-" ? nil : String(fields[3])
    }
}
