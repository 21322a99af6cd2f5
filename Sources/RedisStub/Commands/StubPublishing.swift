import RedisClientCore

/// Pub/sub: `PUBLISH`, `SPUBLISH`, `PUBSUB` and the (un)subscribe commands, which act for the
/// session that runs them (``StubExecution/session``). A command naming several channels
/// answers one confirmation each: the first is its reply, the rest wait in the session's mailbox
/// ahead of any message, as they would follow on a socket.
extension StubCommands {
    static let publishing: [String: StubCommand] = [
        "publish": StubCommand(3) { execution, command in
            .integer(execution.state.pubsub.publish(command[1], command[2], shard: false))
        },
        "spublish": StubCommand(3) { execution, command in
            .integer(execution.state.pubsub.publish(command[1], command[2], shard: true))
        },
        "subscribe": StubCommand(-2) { execution, command throws(StubError) in try subscription(&execution, command, .channel, subscribe: true) },
        "psubscribe": StubCommand(-2) { execution, command throws(StubError) in try subscription(&execution, command, .pattern, subscribe: true) },
        "ssubscribe": StubCommand(-2) { execution, command throws(StubError) in try subscription(&execution, command, .shard, subscribe: true) },
        "unsubscribe": StubCommand(-1) { execution, command throws(StubError) in try subscription(&execution, command, .channel, subscribe: false) },
        "punsubscribe": StubCommand(-1) { execution, command throws(StubError) in try subscription(&execution, command, .pattern, subscribe: false) },
        "sunsubscribe": StubCommand(-1) { execution, command throws(StubError) in try subscription(&execution, command, .shard, subscribe: false) },
        "pubsub": StubCommand(-2, subcommands: ["CHANNELS": -2, "NUMSUB": -2, "NUMPAT": 2, "SHARDCHANNELS": -2, "SHARDNUMSUB": -2, "HELP": 2]) {
            execution, command throws(StubError) in
            let pubsub = execution.state.pubsub
            let subcommand = StubParse.upper(command[1])
            switch subcommand {
            case "CHANNELS", "SHARDCHANNELS":
                guard command.count <= 3 else {
                    throw StubError("ERR unknown subcommand or wrong number of arguments for '\(String(decoding: command[1], as: UTF8.self))'. Try PUBSUB HELP.")
                }
                let channels = pubsub.activeChannels(shard: subcommand == "SHARDCHANNELS")
                return .bulks(command.count == 3 ? channels.filter { GlobPattern.matches(command[2], $0) } : channels)
            case "NUMSUB", "SHARDNUMSUB":
                let shard = subcommand == "SHARDNUMSUB"
                return .array(command.dropFirst(2).flatMap { [.bulkString($0), .integer(pubsub.subscriberCount($0, shard: shard))] })
            case "NUMPAT":
                return .integer(pubsub.patternCount)
            default:
                return .array(pubsubHelp.map { .simpleString($0) })
            }
        },
    ]

    /// The commands a subscribed RESP2 connection may still send.
    static let allowedWhileSubscribed: Set<String> = [
        "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "ping", "quit", "reset",
    ]

    private static func subscription(
        _ execution: inout StubExecution, _ command: RedisCommandArgv, _ kind: StubPubSub.Kind, subscribe: Bool
    ) throws(StubError) -> RedisValue {
        let subscriber = execution.session.subscriber
        let names = Array(command.dropFirst())
        let confirmations = subscribe
            ? execution.state.pubsub.subscribe(subscriber, kind, names)
            : execution.state.pubsub.unsubscribe(subscriber, kind, names)
        for confirmation in confirmations.dropFirst() { subscriber.deliver(confirmation) }
        return confirmations[0]
    }
}
