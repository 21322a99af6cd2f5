import RedisClientCore
extension StubCommands {
    static let hashes: [String: StubCommand] = [
        "hset": StubCommand(-4) { execution, command throws(StubError) in
            guard command.count % 2 == 0 else { throw .arity("hset") }
            let hash = try execution.database.hash(command[1], now: execution.now, create: true)!
            var added = 0
            for index in stride(from: 2, to: command.count, by: 2) where hash.set(command[index], command[index + 1]) {
                added += 1
            }
            return .integer(added)
        },
        "hget": StubCommand(3) { execution, command throws(StubError) in
            try execution.database.hash(command[1], now: execution.now)?.fields[command[2]].map(RedisValue.bulkString) ?? .null
        },
        "hgetall": StubCommand(2) { execution, command throws(StubError) in
            guard let hash = try execution.database.hash(command[1], now: execution.now) else { return .array([]) }
            return .bulks(hash.order.flatMap { [$0, hash.fields[$0]!] })
        },
        "hdel": StubCommand(-3) { execution, command throws(StubError) in
            try removeMembers(&execution, command, from: StubHash.self) { hash, field in hash.remove(field) }
        },
        "hexists": StubCommand(3) { execution, command throws(StubError) in
            .bool(try execution.database.hash(command[1], now: execution.now)?.fields[command[2]] != nil)
        },
        "hincrby": StubCommand(4) { execution, command throws(StubError) in
            let delta = try StubParse.integer(command[3])
            let hash = try execution.database.hash(command[1], now: execution.now, create: true)!
            var current: Int64 = 0
            if let bytes = hash.fields[command[2]] {
                current = try StubParse.integer(bytes, or: StubError("ERR hash value is not an integer"))
            }
            let (sum, overflow) = current.addingReportingOverflow(delta)
            guard !overflow else {
                execution.database.removeIfEmpty(command[1])
                throw .overflow
            }
            _ = hash.set(command[2], StubFormat.integer(sum))
            return .integer(sum)
        },
        "hlen": StubCommand(2) { execution, command throws(StubError) in
            .integer(try execution.database.hash(command[1], now: execution.now)?.fields.count ?? 0)
        },
    ]
}
