import RedisClientCore

/// The rest of Redis 7.0's hash family.
extension StubCommands {
    static let hashFields: [String: StubCommand] = [
        "hsetnx": StubCommand(4) { execution, command throws(StubError) in
            let hash = try execution.database.hash(command[1], now: execution.now, create: true)!
            guard hash.fields[command[2]] == nil else { return .integer(0) }
            _ = hash.set(command[2], command[3])
            return .integer(1)
        },
        "hmset": StubCommand(-4) { execution, command throws(StubError) in
            guard command.count % 2 == 0 else { throw .arity("hmset") }
            let hash = try execution.database.hash(command[1], now: execution.now, create: true)!
            for index in stride(from: 2, to: command.count, by: 2) { _ = hash.set(command[index], command[index + 1]) }
            return .ok
        },
        "hmget": StubCommand(-3) { execution, command throws(StubError) in
            let hash = try execution.database.hash(command[1], now: execution.now)
            return .array(command.dropFirst(2).map { hash?.fields[$0].map(RedisValue.bulkString) ?? .null })
        },
        "hkeys": StubCommand(2) { execution, command throws(StubError) in
            .bulks(try execution.database.hash(command[1], now: execution.now)?.order ?? [])
        },
        "hvals": StubCommand(2) { execution, command throws(StubError) in
            guard let hash = try execution.database.hash(command[1], now: execution.now) else { return .array([]) }
            return .bulks(hash.order.map { hash.fields[$0]! })
        },
        "hstrlen": StubCommand(3) { execution, command throws(StubError) in
            .integer(try execution.database.hash(command[1], now: execution.now)?.fields[command[2]]?.count ?? 0)
        },
        "hincrbyfloat": StubCommand(4) { execution, command throws(StubError) in
            let increment = try LongDouble.parse(command[3])
            guard increment.isFinite else { throw StubError("ERR value is NaN or Infinity") }
            let hash = try execution.database.hash(command[1], now: execution.now, create: true)!
            var current: Float80 = 0
            if let bytes = hash.fields[command[2]] {
                do { current = try LongDouble.parse(bytes) } catch {
                    execution.database.removeIfEmpty(command[1])
                    throw StubError("ERR hash value is not a float")
                }
            }
            let sum = current + increment
            guard sum.isFinite else {
                execution.database.removeIfEmpty(command[1])
                throw StubError("ERR increment would produce NaN or Infinity")
            }
            let text = LongDouble.human(sum)
            _ = hash.set(command[2], text)
            return .bulkString(text)
        },
        "hrandfield": StubCommand(-2) { execution, command throws(StubError) in
            guard command.count <= 4 else { throw .syntax }
            let count = try command.count >= 3 ? StubParse.integer(command[2]) : nil
            if command.count == 4 && StubParse.upper(command[3]) != "WITHVALUES" { throw .syntax }
            guard let hash = try execution.database.hash(command[1], now: execution.now) else { return count == nil ? .null : .array([]) }
            let withValues = command.count == 4
            return randomPick(hash.order.map { withValues ? [.bulkString($0), .bulkString(hash.fields[$0]!)] : [.bulkString($0)] }, count: count)
        },
        "hscan": StubCommand(-3) { execution, command throws(StubError) in
            try scanContainer(command) { () throws(StubError) in
                try execution.database.hash(command[1], now: execution.now).map { hash in hash.order.map { [$0, hash.fields[$0]!] } }
            }
        },
    ]
}
