import RedisClientCore

/// The rest of Redis 7.0's list family (the blocking forms aside): reading and editing by
/// index or value, pushing only onto existing lists, moving between lists, `LPOS`, `LMPOP`.
extension StubCommands {
    static let listEdits: [String: StubCommand] = [
        "lindex": StubCommand(3) { execution, command throws(StubError) in
            guard let list = try execution.database.list(command[1], now: execution.now) else { return .null }
            let index = try StubParse.integer(command[2])
            return position(index, in: list).map { .bulkString(list.items[$0]) } ?? .null
        },
        "lset": StubCommand(4) { execution, command throws(StubError) in
            guard let list = try execution.database.list(command[1], now: execution.now) else { throw StubError("ERR no such key") }
            let index = try StubParse.integer(command[2])
            guard let position = position(index, in: list) else { throw StubError("ERR index out of range") }
            list.items[position] = command[3]
            return .ok
        },
        "linsert": StubCommand(5) { execution, command throws(StubError) in
            let where_ = StubParse.upper(command[2])
            guard where_ == "BEFORE" || where_ == "AFTER" else { throw .syntax }
            guard let list = try execution.database.list(command[1], now: execution.now) else { return .integer(0) }
            guard let pivot = list.items.firstIndex(of: command[3]) else { return .integer(-1) }
            list.items.insert(command[4], at: where_ == "BEFORE" ? pivot : pivot + 1)
            return .integer(list.items.count)
        },
        "lrem": StubCommand(4) { execution, command throws(StubError) in
            let count = try StubParse.integer(command[2])
            guard let list = try execution.database.list(command[1], now: execution.now) else { return .integer(0) }
            let limit = count == 0 ? Int.max : Int(clamping: count.magnitude)
            var positions = list.items.indices.filter { list.items[$0] == command[3] }
            if count < 0 { positions.reverse() }
            let removed = Set(positions.prefix(limit))
            list.items = list.items.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
            execution.database.removeIfEmpty(command[1])
            return .integer(removed.count)
        },
        "lpushx": StubCommand(-3) { execution, command throws(StubError) in
            guard let list = try execution.database.list(command[1], now: execution.now) else { return .integer(0) }
            list.items.insert(contentsOf: command.dropFirst(2).reversed(), at: 0)
            return .integer(list.items.count)
        },
        "rpushx": StubCommand(-3) { execution, command throws(StubError) in
            guard let list = try execution.database.list(command[1], now: execution.now) else { return .integer(0) }
            list.items.append(contentsOf: command.dropFirst(2))
            return .integer(list.items.count)
        },
        "rpoplpush": StubCommand(3) { execution, command throws(StubError) in
            try move(&execution, command[1], command[2], fromFront: false, toFront: true)
        },
        "lmove": StubCommand(5) { execution, command throws(StubError) in
            let from = try side(command[3])
            let to = try side(command[4])
            return try move(&execution, command[1], command[2], fromFront: from, toFront: to)
        },
        "lpos": StubCommand(-3, lpos),
        "lmpop": StubCommand(-4) { execution, command throws(StubError) in
            try lmpop(&execution, multiPop(command, numkeysAt: 1, sides: lmpopSides))
        },
    ]

    static let lmpopSides = ["LEFT": true, "RIGHT": false]

    /// LMPOP's and ZMPOP's arguments (and their blocking forms'): `numkeys key... side [COUNT n]`.
    struct MultiPop {
        let keys: [StubKey]
        /// LEFT (or MIN): true.
        let first: Bool
        let count: Int64
    }

    static func multiPop(_ command: RedisCommandArgv, numkeysAt start: Int, sides: [String: Bool]) throws(StubError) -> MultiPop {
        let (keys, rest) = try numberedKeys(command, from: start)
        guard let where_ = rest.first, let first = sides[StubParse.upper(where_)] else { throw .syntax }
        var count: Int64?
        var index = 1
        while index < rest.count {
            guard StubParse.upper(rest[index]) == "COUNT", count == nil, index + 1 < rest.count else { throw .syntax }
            count = try StubParse.integer(rest[index + 1])
            guard count! > 0 else { throw StubError("ERR count should be greater than 0") }
            index += 2
        }
        return MultiPop(keys: keys, first: first, count: count ?? 1)
    }

    /// The first non-empty list's elements: `[key, [element...]]`, or null.
    static func lmpop(_ execution: inout StubExecution, _ pop: MultiPop) throws(StubError) -> RedisValue {
        for key in pop.keys {
            guard let list: StubList = try execution.poppable(key), !list.items.isEmpty else { continue }
            let taken = Int(min(pop.count, Int64(list.items.count)))
            let popped = pop.first ? Array(list.items.prefix(taken)) : Array(list.items.suffix(taken).reversed())
            if pop.first { list.items.removeFirst(taken) } else { list.items.removeLast(taken) }
            execution.database.removeIfEmpty(key)
            return .array([.bulkString(key), .bulks(popped)])
        }
        return .null
    }

    /// A list index (negative from the end) as a position, nil when out of range.
    static func position(_ index: Int64, in list: StubList) -> Int? {
        let resolved = index < 0 ? Int64(list.items.count) + index : index
        return (0..<Int64(list.items.count)).contains(resolved) ? Int(resolved) : nil
    }

    /// LEFT (the front) or RIGHT.
    static func side(_ bytes: [UInt8]) throws(StubError) -> Bool {
        switch StubParse.upper(bytes) {
        case "LEFT": return true
        case "RIGHT": return false
        default: throw .syntax
        }
    }

    /// RPOPLPUSH and LMOVE: the source's type first, then (only when it has an element) the
    /// destination's; the same list may be both.
    static func move(_ execution: inout StubExecution, _ sourceKey: StubKey, _ destinationKey: StubKey, fromFront: Bool, toFront: Bool) throws(StubError) -> RedisValue {
        let database = execution.database
        guard let source: StubList = try execution.poppable(sourceKey), !source.items.isEmpty else { return .null }
        let destination = try database.list(destinationKey, now: execution.now)
        let value = fromFront ? source.items.removeFirst() : source.items.removeLast()
        let target: StubList
        if let destination { target = destination } else { target = try database.list(destinationKey, now: execution.now, create: true)! }
        if toFront { target.items.insert(value, at: 0) } else { target.items.append(value) }
        database.removeIfEmpty(sourceKey)
        return .bulkString(value)
    }

    /// `LPOS key element [RANK r] [COUNT n] [MAXLEN m]`.
    static func lpos(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        var rank: Int64 = 1
        var count: Int64?
        var maxLength: Int64 = 0
        var index = 3
        while index < command.count {
            guard index + 1 < command.count else { throw .syntax }
            let argument = command[index + 1]
            switch StubParse.upper(command[index]) {
            case "RANK":
                let value = try StubParse.integer(argument)
                guard value != .min else { throw StubError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807") }
                guard value != 0 else {
                    throw StubError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
                }
                rank = value
            case "COUNT":
                // A bad number gets the option's own message, as Redis gives it.
                let negative = StubError("ERR COUNT can't be negative")
                let value = try StubParse.integer(argument, or: negative)
                guard value >= 0 else { throw negative }
                count = value
            case "MAXLEN":
                let negative = StubError("ERR MAXLEN can't be negative")
                let value = try StubParse.integer(argument, or: negative)
                guard value >= 0 else { throw negative }
                maxLength = value
            default:
                throw .syntax
            }
            index += 2
        }
        guard let list = try execution.database.list(command[1], now: execution.now) else { return count == nil ? .null : .array([]) }
        var order = Array(list.items.indices)
        if rank < 0 { order.reverse() }
        if maxLength > 0 { order = Array(order.prefix(Int(clamping: maxLength))) }
        let matches = order.filter { list.items[$0] == command[2] }.dropFirst(Int(clamping: rank.magnitude - 1))
        guard let count else { return matches.first.map { .integer($0) } ?? .null }
        return .array(matches.prefix(count == 0 ? Int.max : Int(clamping: count)).map { .integer($0) })
    }
}
