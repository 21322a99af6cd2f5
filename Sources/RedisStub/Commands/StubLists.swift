import RedisClientCore
extension StubCommands {
    static let lists: [String: StubCommand] = [
        "lpush": StubCommand(-3) { execution, command throws(StubError) in
            let list = try execution.database.list(command[1], now: execution.now, create: true)!
            list.items.insert(contentsOf: command.dropFirst(2).reversed(), at: 0)
            return .integer(list.items.count)
        },
        "rpush": StubCommand(-3) { execution, command throws(StubError) in
            let list = try execution.database.list(command[1], now: execution.now, create: true)!
            list.items.append(contentsOf: command.dropFirst(2))
            return .integer(list.items.count)
        },
        "lpop": StubCommand(-2) { execution, command throws(StubError) in
            try pop(&execution, command, fromFront: true)
        },
        "rpop": StubCommand(-2) { execution, command throws(StubError) in
            try pop(&execution, command, fromFront: false)
        },
        "lrange": StubCommand(4) { execution, command throws(StubError) in
            let start = try StubParse.integer(command[2])
            let stop = try StubParse.integer(command[3])
            guard let list = try execution.database.list(command[1], now: execution.now) else { return .array([]) }
            guard let range = clampedRange(start, stop, count: list.items.count) else { return .array([]) }
            return .bulks(Array(list.items[range]))
        },
        "llen": StubCommand(2) { execution, command throws(StubError) in
            .integer(try execution.database.list(command[1], now: execution.now)?.items.count ?? 0)
        },
        "ltrim": StubCommand(4) { execution, command throws(StubError) in
            let start = try StubParse.integer(command[2])
            let stop = try StubParse.integer(command[3])
            guard let list = try execution.database.list(command[1], now: execution.now) else { return .ok }
            if let range = clampedRange(start, stop, count: list.items.count) {
                list.items = Array(list.items[range])
            } else {
                list.items.removeAll()
            }
            execution.database.removeIfEmpty(command[1])
            return .ok
        },
    ]

    /// `LPOP key [count]` / `RPOP key [count]`.
    private static func pop(_ execution: inout StubExecution, _ command: RedisCommandArgv, fromFront: Bool) throws(StubError) -> RedisValue {
        guard command.count <= 3 else { throw .arity(fromFront ? "lpop" : "rpop") }
        var count: Int64?
        if command.count == 3 {
            count = try StubParse.integer(command[2], or: .notPositive)
            guard count! >= 0 else { throw .notPositive }
        }
        guard let list = try execution.database.list(command[1], now: execution.now) else { return .null }
        let taken = Int(min(count ?? 1, Int64(list.items.count)))
        let popped: [[UInt8]]
        if fromFront {
            popped = Array(list.items.prefix(taken))
            list.items.removeFirst(taken)
        } else {
            popped = Array(list.items.suffix(taken).reversed())
            list.items.removeLast(taken)
        }
        execution.database.removeIfEmpty(command[1])
        if count == nil { return popped.first.map(RedisValue.bulkString) ?? .null }
        return .bulks(popped)
    }

    /// Redis's index rules for LRANGE/LTRIM/ZRANGE: negatives count from the end, the start
    /// is clamped at 0 and the stop at the last element; nil when nothing is left.
    static func clampedRange(_ start: Int64, _ stop: Int64, count: Int) -> ClosedRange<Int>? {
        let length = Int64(count)
        var first = start < 0 ? length + start : start
        var last = stop < 0 ? length + stop : stop
        if first < 0 { first = 0 }
        if first > last || first >= length { return nil }
        if last >= length { last = length - 1 }
        return Int(first)...Int(last)
    }
}
