extension StubCommands {
    static let sets: [String: StubCommand] = [
        "sadd": StubCommand(-3) { execution, command throws(StubError) in
            let set = try execution.database.set(command[1], now: execution.now, create: true)!
            return .integer(command.dropFirst(2).filter { set.members.insert($0).inserted }.count)
        },
        "srem": StubCommand(-3) { execution, command throws(StubError) in
            guard let set = try execution.database.set(command[1], now: execution.now) else { return .integer(0) }
            let removed = command.dropFirst(2).filter { set.members.remove($0) != nil }.count
            execution.database.removeIfEmpty(command[1])
            return .integer(removed)
        },
        "smembers": StubCommand(2) { execution, command throws(StubError) in
            .bulks(Array(try execution.database.set(command[1], now: execution.now)?.members ?? []))
        },
        "sismember": StubCommand(3) { execution, command throws(StubError) in
            .bool(try execution.database.set(command[1], now: execution.now)?.members.contains(command[2]) ?? false)
        },
        "scard": StubCommand(2) { execution, command throws(StubError) in
            .integer(try execution.database.set(command[1], now: execution.now)?.members.count ?? 0)
        },
    ]
}
