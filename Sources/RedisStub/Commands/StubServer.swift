import RedisClientCore
extension StubCommands {
    /// The Redis version the stub answers like.
    static let redisVersion = "7.0.15"

    static let server: [String: StubCommand] = [
        "time": StubCommand(1) { execution, _ in
            let micros = execution.clock.nowMicroseconds()
            return .bulks([StubFormat.integer(micros / 1_000_000), StubFormat.integer(micros % 1_000_000)])
        },
        // What redis-benchmark and client libraries ask at start; the stub persists nothing.
        "config": StubCommand(-2) { _, command throws(StubError) in
            guard StubParse.upper(command[1]) == "GET", command.count >= 3 else {
                throw StubError("ERR unknown subcommand '\(String(decoding: command[1], as: UTF8.self))'. Try CONFIG HELP.")
            }
            let known: [(String, String)] = [("save", ""), ("appendonly", "no"), ("databases", "16")]
            return .bulks(command.dropFirst(2).flatMap { pattern in
                known.filter { GlobPattern.matches(Array(String(decoding: pattern, as: UTF8.self).lowercased().utf8), Array($0.0.utf8)) }
                    .flatMap { [Array($0.0.utf8), Array($0.1.utf8)] }
            })
        },
        "command": StubCommand(-1) { _, _ in .array([]) },
        // The stub has no subscribers.
        "publish": StubCommand(3) { _, _ in .integer(0) },
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
