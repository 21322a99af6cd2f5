import RedisClientCore

/// `XINFO STREAM [FULL [COUNT n]]`, `XINFO GROUPS`, `XINFO CONSUMERS`: Redis 7.0's fields,
/// with the groups' entries-read and lag as Redis estimates them around deleted entries. The
/// radix tree's own counts are the stub's estimate of Redis's layout (docs/stub.md).
extension StubCommands {
    static let streamInfo: [String: StubCommand] = [
        "xinfo": StubCommand(-2, subcommands: ["STREAM": -3, "GROUPS": 3, "CONSUMERS": 4, "HELP": 2], xinfo),
    ]

    private static let xinfoHelp = [
        "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CONSUMERS <key> <groupname>", "    Show consumers of <groupname>.",
        "GROUPS <key>", "    Show the stream consumer groups.",
        "STREAM <key> [FULL [COUNT <count>]", "    Show information about the stream.",
        "HELP", "    Prints this help.",
    ]

    private static func xinfo(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        let subcommand = StubParse.upper(command[1])
        if subcommand == "HELP" { return .array(xinfoHelp.map { .simpleString($0) }) }
        guard let stream = try execution.database.stream(command[2], now: execution.now) else { throw StubError("ERR no such key") }
        switch subcommand {
        case "GROUPS":
            return .array(sortedGroups(stream).map { name, group in
                .array([
                    .bulk("name"), .bulkString(name), .bulk("consumers"), .integer(group.consumers.count),
                    .bulk("pending"), .integer(group.pending.count), .bulk("last-delivered-id"), .bulkString(group.lastDelivered.bytes),
                    .bulk("entries-read"), optionalInteger(group.entriesRead), .bulk("lag"), optionalInteger(stream.lag(of: group)),
                ])
            })
        case "CONSUMERS":
            guard let group = stream.groups[command[3]] else {
                throw StubError("NOGROUP No such consumer group '\(String(decoding: command[3], as: UTF8.self))' for key name '\(String(decoding: command[2], as: UTF8.self))'")
            }
            return .array(group.consumers.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { name, seen in
                .array([
                    .bulk("name"), .bulkString(name), .bulk("pending"), .integer(group.pendingIDs(of: name).count),
                    .bulk("idle"), .integer(execution.now - seen),
                ])
            })
        default:
            return try streamSummary(stream, command, now: execution.now)
        }
    }

    /// `XINFO STREAM key [FULL [COUNT n]]`.
    private static func streamSummary(_ stream: StubStream, _ command: RedisCommandArgv, now: Int64) throws(StubError) -> RedisValue {
        var full = false
        var count = 10
        switch command.count {
        case 3: break
        case 4 where StubParse.upper(command[3]) == "FULL": full = true
        case 6 where StubParse.upper(command[3]) == "FULL" && StubParse.upper(command[4]) == "COUNT":
            full = true
            let asked = try StubParse.integer(command[5])
            count = asked <= 0 ? .max : Int(clamping: asked)
        default:
            throw StubError("ERR unknown subcommand or wrong number of arguments for '\(String(decoding: command[1], as: UTF8.self))'. Try XINFO HELP.")
        }
        // The radix tree has one more node than keys.
        let nodes = stream.estimatedNodes
        var fields: [RedisValue] = [
            .bulk("length"), .integer(stream.entries.count), .bulk("radix-tree-keys"), .integer(nodes), .bulk("radix-tree-nodes"), .integer(nodes + 1),
            .bulk("last-generated-id"), .bulkString(stream.lastID.bytes), .bulk("max-deleted-entry-id"), .bulkString(stream.maxDeletedID.bytes),
            .bulk("entries-added"), .integer(stream.entriesAdded), .bulk("recorded-first-entry-id"), .bulkString(stream.firstID.bytes),
        ]
        guard full else {
            let first = stream.entries.first.map { entryReply($0.id, $0.fields) } ?? .null
            let last = stream.entries.last.map { entryReply($0.id, $0.fields) } ?? .null
            return .array(fields + [.bulk("groups"), .integer(stream.groups.count), .bulk("first-entry"), first, .bulk("last-entry"), last])
        }
        fields += [.bulk("entries"), .array(stream.entries.prefix(count).map { entryReply($0.id, $0.fields) })]
        fields += [.bulk("groups"), .array(sortedGroups(stream).map { name, group in
            let pending = group.pendingIDs().prefix(count).map { id -> RedisValue in
                let delivery = group.pending[id]!
                return .array([.bulkString(id.bytes), .bulkString(delivery.consumer), .integer(delivery.deliveredAt), .integer(delivery.deliveryCount)])
            }
            let consumers = group.consumers.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { name, seen -> RedisValue in
                let own = group.pendingIDs(of: name)
                return .array([
                    .bulk("name"), .bulkString(name), .bulk("seen-time"), .integer(seen), .bulk("pel-count"), .integer(own.count),
                    .bulk("pending"), .array(own.prefix(count).map { id in
                        let delivery = group.pending[id]!
                        return .array([.bulkString(id.bytes), .integer(delivery.deliveredAt), .integer(delivery.deliveryCount)])
                    }),
                ])
            }
            return .array([
                .bulk("name"), .bulkString(name), .bulk("last-delivered-id"), .bulkString(group.lastDelivered.bytes),
                .bulk("entries-read"), optionalInteger(group.entriesRead), .bulk("lag"), optionalInteger(stream.lag(of: group)),
                .bulk("pel-count"), .integer(group.pending.count), .bulk("pending"), .array(pending), .bulk("consumers"), .array(consumers),
            ])
        })]
        return .array(fields)
    }

    /// In the radix tree's order: by name, byte-wise.
    private static func sortedGroups(_ stream: StubStream) -> [(key: [UInt8], value: StubConsumerGroup)] {
        stream.groups.sorted { $0.key.lexicographicallyPrecedes($1.key) }
    }

    private static func optionalInteger(_ value: Int64?) -> RedisValue { value.map { .integer($0) } ?? .null }
}
