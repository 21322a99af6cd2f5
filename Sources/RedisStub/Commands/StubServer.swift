import RedisClientCore
extension StubCommands {
    /// The Redis version the stub answers like.
    static let redisVersion = "7.0.15"

    static let server: [String: StubCommand] = [
        "time": StubCommand(1) { execution, _ in
            let micros = execution.clock.nowMicroseconds()
            return .bulks([StubFormat.integer(micros / 1_000_000), StubFormat.integer(micros % 1_000_000)])
        },
        // The parameters StubConfig keeps: the encoding thresholds, maxmemory-policy, and what
        // redis-benchmark and client libraries ask at start.
        "config": StubCommand(-2, subcommands: ["GET": -3, "SET": -4, "RESETSTAT": 2, "REWRITE": 2, "HELP": 2]) { execution, command throws(StubError) in
            switch StubParse.upper(command[1]) {
            case "GET":
                return .bulks(execution.state.config.get(Array(command.dropFirst(2))).flatMap { [Array($0.0.utf8), Array($0.1.utf8)] })
            case "SET":
                guard command.count % 2 == 0 else { throw .syntax }
                let pairs = stride(from: 2, to: command.count, by: 2).map {
                    (name: String(decoding: command[$0], as: UTF8.self), value: String(decoding: command[$0 + 1], as: UTF8.self))
                }
                try execution.state.config.set(pairs)
                execution.state.access.configure(execution.state.config)
                return .ok
            case "RESETSTAT":
                return .ok
            case "REWRITE":
                throw StubError("ERR The server is running without a config file")
            default:
                return .array(configHelp.map { .simpleString($0) })
            }
        },
        "object": StubCommand(-2, subcommands: ["ENCODING": 3, "FREQ": 3, "IDLETIME": 3, "REFCOUNT": 3, "HELP": 2]) { execution, command throws(StubError) in
            let subcommand = StubParse.upper(command[1])
            // Help lines are status replies, as Redis's addReplyHelp sends them.
            if subcommand == "HELP" { return .array(objectHelp.map { .simpleString($0) }) }
            guard let entry = execution.database.entry(command[2], now: execution.now, touching: false) else { return .null }
            let access = execution.state.access
            switch subcommand {
            case "ENCODING":
                return .bulkString(Array(StubEncoding.name(of: entry).utf8))
            case "REFCOUNT":
                return .integer(StubEncoding.referenceCount(of: entry))
            case "IDLETIME":
                guard !execution.state.config.evictsByFrequency else {
                    throw StubError("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
                }
                return .integer(access.idleSeconds(of: entry))
            default:
                guard execution.state.config.evictsByFrequency else {
                    throw StubError("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
                }
                return .integer(access.frequency(of: entry))
            }
        },
        "info": StubCommand(-1) { execution, command in
            let wanted = Set(command.dropFirst().map { String(decoding: $0, as: UTF8.self).lowercased() })
            let everything = wanted.isEmpty || !wanted.isDisjoint(with: ["all", "everything", "default"])
            let sections = infoSections(execution).filter { everything || wanted.contains($0.name.lowercased()) }
            let text = sections.map { section in
                "# \(section.name)\r\n" + section.fields.map { "\($0.0):\($0.1)\r\n" }.joined()
            }.joined(separator: "\r\n")
            return .bulkString(Array(text.utf8))
        },
    ]

    static let pubsubHelp = [
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]", "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT", "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]", "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]", "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]", "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP", "    Prints this help.",
    ]

    static let configHelp = [
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>", "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>", "    Set the configuration <directive> to <value>.",
        "RESETSTAT", "    Reset statistics reported by the INFO command.",
        "REWRITE", "    Rewrite the configuration file.",
        "HELP", "    Prints this help.",
    ]

    static let objectHelp = [
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        "HELP",
        "    Prints this help.",
    ]

    private static func infoSections(_ execution: StubExecution) -> [(name: String, fields: [(String, String)])] {
        let keyspace = execution.state.databases.enumerated().compactMap { index, database -> (String, String)? in
            let keys = database.liveKeys(now: execution.now).count
            guard keys > 0 else { return nil }
            return ("db\(index)", "keys=\(keys),expires=\(database.expiringCount),avg_ttl=0")
        }
        return [
            ("Server", [
                ("redis_version", redisVersion), ("redis_mode", "standalone"),
                ("stub", "in-memory redis-infra stub"), ("uptime_in_seconds", "0"),
            ]),
            ("Memory", [("used_memory", "0"), ("maxmemory", "0"), ("maxmemory_policy", "noeviction")]),
            ("Persistence", [("loading", "0"), ("rdb_last_bgsave_status", "ok"), ("aof_last_write_status", "ok")]),
            ("Replication", [("role", "master"), ("connected_slaves", "0")]),
            ("Keyspace", keyspace),
        ]
    }
}
