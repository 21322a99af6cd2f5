/// Which node serves each of the 16384 slots, as the cluster last said (`CLUSTER SHARDS`, or
/// `CLUSTER SLOTS` where a server lacks it); `MOVED` replies correct it one slot at a time.
struct SlotMap: Sendable {
    private(set) var owners: [RedisURL.HostAndPort?] = Array(repeating: nil, count: KeySlot.count)
    /// Every node this map has named master, in the order met: kept as slots are assigned, not
    /// recomputed (a MOVED storm asks it once per redirection). A master that lost its last
    /// slot stays until the map is read again.
    private(set) var masters: [RedisURL.HostAndPort] = []
    /// Each master's replicas, as the map was read (for reads from replicas).
    private(set) var replicas: [RedisURL.HostAndPort: [RedisURL.HostAndPort]] = [:]

    func isReplica(_ node: RedisURL.HostAndPort) -> Bool {
        replicas.values.contains { $0.contains(node) }
    }

    func replicas(of slot: Int) -> [RedisURL.HostAndPort] {
        owners[slot].flatMap { replicas[$0] } ?? []
    }

    /// Each master with the first slot it serves, in slot order.
    var firstSlots: [(master: RedisURL.HostAndPort, slot: Int)] {
        var seen: Set<String> = []
        return owners.enumerated().compactMap { slot, owner in
            guard let owner, seen.insert(owner.description).inserted else { return nil }
            return (owner, slot)
        }
    }

    func owner(of slot: Int) -> RedisURL.HostAndPort? { owners[slot] }

    mutating func assign(_ slot: Int, to node: RedisURL.HostAndPort) {
        owners[slot] = node
        if !masters.contains(node) { masters.append(node) }
    }

    mutating func assign(_ slots: ClosedRange<Int>, to node: RedisURL.HostAndPort) {
        for slot in slots where (0..<KeySlot.count).contains(slot) { owners[slot] = node }
        if !masters.contains(node) { masters.append(node) }
    }

    /// From `CLUSTER SHARDS` (Redis 7): per shard its slot ranges and its nodes, each a flat
    /// field/value list; the master's `endpoint` (the preferred one: host name or address) and
    /// its `port`, or `tls-port` on a TLS connection.
    static func fromShards(_ reply: RedisValue, tls: Bool) -> SlotMap? {
        guard let shards = reply.array, !shards.isEmpty else { return nil }
        var map = SlotMap()
        for shard in shards {
            let fields = Self.fields(shard)
            guard let slots = fields["slots"]?.array, let nodes = fields["nodes"]?.array else { return nil }
            let described = nodes.map(Self.fields)
            func address(_ node: [String: RedisValue]) -> RedisURL.HostAndPort? {
                guard let host = node["endpoint"]?.string ?? node["ip"]?.string,
                      let port = (tls ? node["tls-port"] : node["port"])?.integer ?? node["port"]?.integer else { return nil }
                return RedisURL.HostAndPort(host: host, port: Int(port))
            }
            guard let master = described.first(where: { $0["role"]?.string == "master" && $0["health"]?.string != "fail" }),
                  let node = address(master) else { continue }
            // Redis 7.0 reports a replica "loading" until its offset moves, though it serves: only
            // "fail" is left out.
            map.replicas[node] = described.filter { $0["role"]?.string == "replica" && $0["health"]?.string != "fail" }.compactMap(address)
            var bounds = slots.compactMap(\.integer).makeIterator()
            while let start = bounds.next(), let end = bounds.next() {
                map.assign(Int(start)...Int(end), to: node)
            }
        }
        return map
    }

    /// From `CLUSTER SLOTS`: `[start, end, [host, port, id, …], replicas…]` per range.
    static func fromSlots(_ reply: RedisValue) -> SlotMap? {
        guard let ranges = reply.array, !ranges.isEmpty else { return nil }
        var map = SlotMap()
        for range in ranges {
            guard let parts = range.array, parts.count >= 3, let start = parts[0].integer, let end = parts[1].integer,
                  let master = parts[2].array, master.count >= 2, let host = master[0].string, let port = master[1].integer
            else { return nil }
            let node = RedisURL.HostAndPort(host: host, port: Int(port))
            map.assign(Int(start)...Int(end), to: node)
            map.replicas[node] = parts.dropFirst(3).compactMap { replica in
                guard let fields = replica.array, fields.count >= 2, let host = fields[0].string, let port = fields[1].integer else { return nil }
                return RedisURL.HostAndPort(host: host, port: Int(port))
            }
        }
        return map
    }

    private static func fields(_ value: RedisValue) -> [String: RedisValue] {
        guard let items = value.array else { return [:] }
        var fields: [String: RedisValue] = [:]
        var index = 0
        while index + 1 < items.count {
            if let name = items[index].string { fields[name] = items[index + 1] }
            index += 2
        }
        return fields
    }
}
