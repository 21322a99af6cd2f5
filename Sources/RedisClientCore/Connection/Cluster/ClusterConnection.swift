#if canImport(Glibc)
import Glibc
#endif

/// A connection to a Redis Cluster: each command goes to the master serving its keys' slot.
///
/// The slot map comes from any node that answers (`CLUSTER SHARDS`, else `CLUSTER SLOTS`).
/// `MOVED` corrects one slot and repeats the command where it now lives (after a failover, the
/// whole map is asked again); `ASK` repeats it once on the importing node after `ASKING`;
/// `TRYAGAIN` and `CLUSTERDOWN` are waited out within the command timeout. Keys in different
/// slots are refused before anything is sent (``RedisError/crossSlot(_:)``). A pipeline is split
/// per node and answered in the caller's order; a transaction (`MULTI` in a pipeline) must keep
/// its keys in one slot and runs on that slot's master. After a transport error the node is
/// dropped and the map asked again; the command is repeated only when that cannot run it twice
/// (it never left, or it only reads).
final class ClusterConnection: RedisConnection {
    let settings: ConnectionSettings
    private var seeds: [RedisURL.HostAndPort]
    private var map = SlotMap()
    private var nodes: [RedisURL.HostAndPort: ServerConnection] = [:]
    private let commandKeys = CommandKeys()
    /// Redirections a command may follow before its last reply is answered as it is.
    private static let maxRedirections = 16

    var isStub: Bool { false }

    init(settings: ConnectionSettings) {
        self.settings = settings
        guard case .cluster(let seeds) = settings.url.endpoint else {
            preconditionFailure("ClusterConnection needs a cluster URL")
        }
        self.seeds = seeds
    }

    /// Reads the slot map now, within the connect timeout per node asked.
    func connect() throws(RedisError) {
        try refreshMap(deadline: ContinuousClock.now + settings.connectTimeout * max(1, seeds.count))
    }

    /// Each master the map names with the first slot it serves.
    var masterSlots: [(master: RedisURL.HostAndPort, slot: Int)] { map.firstSlots }

    func send(_ command: RedisCommandArgv) throws -> RedisValue {
        let deadline = ContinuousClock.now + settings.commandTimeout
        if Self.isBroadcast(command) { return try broadcast(command, deadline: deadline) }
        return try route(command, slot: commandKeys.slot(of: command, ask: sendToAnyNode), deadline: deadline)
    }

    /// A command sent to a slot's master whatever its own keys (INFO, WAIT for that shard).
    func send(_ command: RedisCommandArgv, slot: Int) throws -> RedisValue {
        try route(command, slot: slot, deadline: ContinuousClock.now + settings.commandTimeout)
    }

    /// Scripts and functions live per node: loaded on one master only, an `EVALSHA` or
    /// `FCALL` on another answers NOSCRIPT. These go to every master; the first error, or the
    /// first reply, is the answer.
    private static let broadcastSubcommands: [String: Set<String>] = [
        "SCRIPT": ["LOAD", "FLUSH"], "FUNCTION": ["LOAD", "DELETE", "FLUSH", "RESTORE"],
    ]

    private static func isBroadcast(_ command: RedisCommandArgv) -> Bool {
        guard command.count > 1, let subcommands = broadcastSubcommands[name(command)] else { return false }
        return subcommands.contains(String(decoding: command[1], as: UTF8.self).uppercased())
    }

    private func broadcast(_ command: RedisCommandArgv, deadline: ContinuousClock.Instant) throws -> RedisValue {
        if map.masters.isEmpty { try refreshMap(deadline: deadline) }
        let replies = try map.masters.map { master in try route(command, slot: map.firstSlots.first { $0.master == master }?.slot, deadline: deadline) }
        return replies.first { $0.errorMessage != nil } ?? replies.first ?? .null
    }

    func pipeline(_ commands: [RedisCommandArgv]) throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        let deadline = ContinuousClock.now + settings.commandTimeout
        if commands.contains(where: { Self.isMulti($0) }) {
            return try transaction(commands, slot: slot(of: commands), deadline: deadline)
        }
        // Per node, in the caller's order within each; then each redirected command alone.
        var groups: [(node: RedisURL.HostAndPort, indices: [Int])] = []
        // A command without keys (WAIT, INFO) goes with the keyed command before it (or after
        // it, when it leads): `SET k v; WAIT 1 100` asks the replicas of k's master.
        var slots = try commands.map { try commandKeys.slot(of: $0, ask: sendToAnyNode) }
        for index in slots.indices where slots[index] == nil {
            slots[index] = slots[..<index].last { $0 != nil } ?? slots[index...].first { $0 != nil } ?? nil
        }
        for (index, _) in commands.enumerated() {
            let slot = slots[index]
            let node = try self.node(for: slot, deadline: deadline)
            if let group = groups.firstIndex(where: { $0.node == node }) {
                groups[group].indices.append(index)
            } else {
                groups.append((node, [index]))
            }
        }
        var replies = [RedisValue](repeating: .null, count: commands.count)
        // Written to every node first, then read: one round trip for the whole, not one per node.
        // A node that cannot be reached got nothing: its commands go one by one, each waiting
        // for its slot's master as `send` does.
        var written: [Int: Result<ContinuousClock.Instant, Error>] = [:]
        var unreached: Set<Int> = []
        for (position, group) in groups.enumerated() {
            let connection = connection(to: group.node)
            if !connection.isConnected {
                do {
                    try connection.connect()
                } catch {
                    drop(group.node)
                    unreached.insert(position)
                    continue
                }
            }
            written[position] = Result { try connection.writePipeline(group.indices.map { commands[$0] }) }
        }
        var read: Set<Int> = []
        // A node whose replies were not read has them still in its socket: leaving early, or
        // asking the cluster anything, its connection goes first, or the next command on it
        // would read them. So the nodes reached are read first, and whatever needs the cluster
        // again (an unreached node's commands, a redirection) waits until they are.
        func dropUnread() {
            for (position, group) in groups.enumerated() where !read.contains(position) && !unreached.contains(position) {
                drop(group.node)
            }
        }
        defer { dropUnread() }
        var redirected: [Int] = []
        let order = groups.indices.filter { !unreached.contains($0) } + groups.indices.filter { unreached.contains($0) }
        for position in order {
            let group = groups[position]
            let batch = group.indices.map { commands[$0] }
            let answered: [RedisValue]
            do {
                if unreached.contains(position) {
                    answered = try group.indices.map { try route(commands[$0], slot: slots[$0], deadline: deadline) }
                } else {
                    let replyDeadline = try written[position]!.get()
                    answered = try connection(to: group.node).readReplies(batch.count, deadline: replyDeadline)
                }
            } catch let error as RedisError where error.isTransport {
                // Sent, and the node went: the next call asks the cluster where the slots are.
                drop(group.node)
                read.insert(position)
                dropUnread()
                try? refreshMap(deadline: deadline, avoiding: group.node)
                guard batch.allSatisfy(RepeatSafety.isReadOnly), ContinuousClock.now < deadline else { throw error }
                answered = try group.indices.map { try route(commands[$0], slot: slots[$0], deadline: deadline) }
            }
            read.insert(position)
            for (index, reply) in zip(group.indices, answered) {
                replies[index] = reply
                if Self.isRedirection(reply) { redirected.append(index) }
            }
        }
        for index in redirected { replies[index] = try route(commands[index], slot: slots[index], deadline: deadline) }
        return replies
    }

    // MARK: - Routing

    /// One command to its slot's master, following redirections until the deadline.
    private func route(_ command: RedisCommandArgv, slot: Int?, deadline: ContinuousClock.Instant) throws -> RedisValue {
        var target = try node(for: slot, deadline: deadline)
        // A read may go to a replica of the slot's master; any trouble there and it is the master's.
        if settings.url.readFromReplicas, let slot, RepeatSafety.isReadOnly(command), let replica = map.replicas(of: slot).randomElement() {
            target = replica
        }
        var asking = false
        var redirections = 0
        var repeated = false
        while true {
            let connection = connection(to: target)
            if !connection.isConnected {
                do {
                    try connection.connect()
                    // A replica serves its master's slots only to a connection that said READONLY.
                    if settings.url.readFromReplicas, map.isReplica(target) { _ = try connection.send(argv("READONLY")) }
                } catch {
                    // Nothing was sent: ask the cluster where the slot lives now, and go there.
                    drop(target)
                    guard ContinuousClock.now < deadline, !Self.isFinal(error) else { throw error }
                    try? refreshMap(deadline: deadline, avoiding: target)
                    Self.pause(.milliseconds(100), before: deadline)
                    target = try node(for: slot, deadline: deadline)
                    continue
                }
            }
            let reply: RedisValue
            do {
                reply = asking ? try connection.pipeline([argv("ASKING"), command])[1] : try connection.send(command)
            } catch let error as RedisError where error.isTransport {
                drop(target)
                try? refreshMap(deadline: deadline, avoiding: target)
                guard RepeatSafety.isReadOnly(command), !repeated, ContinuousClock.now < deadline else { throw error }
                repeated = true
                target = try node(for: slot, deadline: deadline)
                continue
            }
            asking = false
            guard let message = reply.errorMessage, redirections < Self.maxRedirections else { return reply }
            let words = message.split(separator: " ")
            switch words.first {
            case "MOVED" where words.count == 3:
                guard let movedSlot = Int(words[1]), let address = Self.address(words[2], default: target) else { return reply }
                // A master nobody knew: a failover or a reshard moved more than this slot.
                if !map.masters.contains(address) { try? refreshMap(deadline: deadline) }
                map.assign(movedSlot, to: address)
                target = address
            case "ASK" where words.count == 3:
                guard let address = Self.address(words[2], default: target) else { return reply }
                target = address
                asking = true
            case "TRYAGAIN", "CLUSTERDOWN":
                // A slot mid-migration, or a cluster electing a new master: wait, within the deadline.
                guard ContinuousClock.now + .milliseconds(100) < deadline else { return reply }
                Self.pause(.milliseconds(100), before: deadline)
                if words.first == "CLUSTERDOWN" {
                    try? refreshMap(deadline: deadline)
                    target = try node(for: slot, deadline: deadline)
                }
            default:
                return reply
            }
            redirections += 1
        }
    }

    /// `MULTI … EXEC` on one master. A redirection aborts the whole transaction (nothing ran),
    /// so it is sent again, whole, where the slot lives now.
    private func transaction(_ commands: [RedisCommandArgv], slot: Int?, deadline: ContinuousClock.Instant) throws -> [RedisValue] {
        for _ in 0...Self.maxRedirections {
            let target = try node(for: slot, deadline: deadline)
            let replies: [RedisValue]
            do {
                replies = try connection(to: target).pipeline(commands)
            } catch let error as RedisError where error.isTransport {
                drop(target)
                throw error
            }
            guard let redirection = replies.first(where: Self.isRedirection), ContinuousClock.now < deadline else { return replies }
            let words = redirection.errorMessage?.split(separator: " ") ?? []
            if words.first == "MOVED", words.count == 3, let moved = Int(words[1]), let address = Self.address(words[2], default: target) {
                map.assign(moved, to: address)
            } else {
                Self.pause(.milliseconds(100), before: deadline)
                try? refreshMap(deadline: deadline)
            }
        }
        return try connection(to: node(for: slot, deadline: deadline)).pipeline(commands)
    }

    /// The one slot every key of these commands lives in; nil when they have no keys.
    private func slot(of commands: [RedisCommandArgv]) throws -> Int? {
        try ClusterSlotRule.commonSlot(of: commands.flatMap { try commandKeys.keys(of: $0, ask: sendToAnyNode) })
    }

    /// The master for a slot; any master (or seed) when the command has no keys.
    private func node(for slot: Int?, deadline: ContinuousClock.Instant) throws -> RedisURL.HostAndPort {
        if let slot {
            if map.owner(of: slot) == nil { try? refreshMap(deadline: deadline) }
            if let owner = map.owner(of: slot) { return owner }
        }
        guard let any = map.masters.first ?? seeds.first else { throw RedisError.connectionRefused("no cluster node known") }
        return any
    }

    /// For the command table: any node will do, the first that answers.
    private func sendToAnyNode(_ command: RedisCommandArgv) throws -> RedisValue {
        var last: Error = RedisError.connectionRefused("no cluster node known")
        var asked: Set<String> = []
        for node in map.masters + seeds where asked.insert(node.description).inserted {
            do {
                return try connection(to: node).send(command)
            } catch let error as RedisError where error.isTransport {
                drop(node)
                last = error
            }
        }
        throw last
    }

    // MARK: - The slot map

    /// Asks the known masters, then the seeds, for the map; the first complete answer wins.
    private func refreshMap(deadline: ContinuousClock.Instant, avoiding avoided: RedisURL.HostAndPort? = nil) throws(RedisError) {
        var problems: [String] = []
        var asked: Set<String> = []
        for candidate in map.masters + seeds where candidate != avoided && asked.insert(candidate.description).inserted {
            guard ContinuousClock.now < deadline else { break }
            do {
                let connection = connection(to: candidate)
                var reply = try connection.send(argv("CLUSTER", "SHARDS"))
                var found = reply.errorMessage == nil ? SlotMap.fromShards(reply, tls: settings.url.usesTLS) : nil
                if found == nil {
                    // Redis before 7.0 has no CLUSTER SHARDS.
                    reply = try connection.send(argv("CLUSTER", "SLOTS"))
                    if let message = reply.errorMessage { throw RedisError.reply(message) }
                    found = SlotMap.fromSlots(reply)
                }
                guard let found, !found.masters.isEmpty else {
                    problems.append("\(candidate) serves no slots (is the cluster formed?)")
                    continue
                }
                map = found
                // Ask the node that answered first next time.
                if let index = seeds.firstIndex(of: candidate), index > 0 { seeds.insert(seeds.remove(at: index), at: 0) }
                return
            } catch let error as RedisError {
                drop(candidate)
                if Self.isFinal(error) { throw error }
                problems.append("\(candidate): \(error)")
            } catch {
                drop(candidate)
                problems.append("\(candidate): \(error)")
            }
        }
        if problems.isEmpty { problems.append("no time left to ask a node") }
        throw .connectionRefused("no cluster node gave a slot map: " + problems.joined(separator: "; "))
    }

    // MARK: - Node connections

    private func connection(to node: RedisURL.HostAndPort) -> ServerConnection {
        if let open = nodes[node] { return open }
        let connection = ServerConnection(settings: settings.forServer(node, connectTimeout: settings.connectTimeout))
        nodes[node] = connection
        return connection
    }

    private func drop(_ node: RedisURL.HostAndPort) {
        nodes.removeValue(forKey: node)?.disconnect()
    }

    // MARK: - Replies

    private static func name(_ command: RedisCommandArgv) -> String {
        command.first.map { String(decoding: $0, as: UTF8.self).uppercased() } ?? ""
    }

    /// Whether a pipelined command opens a transaction, from its bytes: asked of every command.
    private static func isMulti(_ command: RedisCommandArgv) -> Bool {
        guard let name = command.first, name.count == 5 else { return false }
        return zip(name, "MULTI".utf8).allSatisfy { $0 & 0xDF == $1 }
    }

    private static func isRedirection(_ reply: RedisValue) -> Bool {
        guard let message = reply.errorMessage else { return false }
        return ["MOVED ", "ASK ", "TRYAGAIN", "CLUSTERDOWN"].contains { message.hasPrefix($0) }
    }

    /// `host:port` of a redirection; an empty host (the node does not know its own endpoint)
    /// means the node that answered.
    private static func address(_ text: Substring, default current: RedisURL.HostAndPort) -> RedisURL.HostAndPort? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return RedisURL.HostAndPort(host: host.isEmpty ? current.host : host, port: port)
    }

    /// Errors no other node would answer differently: a wrong password, a refused certificate.
    private static func isFinal(_ error: Error) -> Bool {
        switch error as? RedisError {
        case .authenticationFailed, .tls, .permissionDenied: true
        default: false
        }
    }

    private static func pause(_ duration: Duration, before deadline: ContinuousClock.Instant) {
        let wait = min(duration, deadline - ContinuousClock.now)
        guard wait > .zero else { return }
        usleep(UInt32(max(wait.wholeMilliseconds, 1) * 1000))
    }
}
