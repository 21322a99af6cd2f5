import RedisClientCore
extension StubCommands {
    static let sets: [String: StubCommand] = [
        "sadd": StubCommand(-3) { execution, command throws(StubError) in
            let set = try execution.database.set(command[1], now: execution.now, create: true)!
            return .integer(command.dropFirst(2).filter { set.members.insert($0).inserted }.count)
        },
        "srem": StubCommand(-3) { execution, command throws(StubError) in
            try removeMembers(&execution, command, from: StubSet.self) { set, member in set.members.remove(member) != nil }
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
