import RedisClientCore
extension StubCommands {
    static let sortedSets: [String: StubCommand] = [
        "zadd": StubCommand(-4, zadd),
        "zincrby": StubCommand(4) { execution, command throws(StubError) in
            let delta = try StubParse.double(command[2])
            let zset = try execution.database.sortedSet(command[1], now: execution.now, create: true)!
            let score = (zset.score(of: command[3]) ?? 0) + delta
            guard !score.isNaN else {
                execution.database.removeIfEmpty(command[1])
                throw StubError("ERR resulting score is not a number (NaN)")
            }
            zset.set(command[3], score: score)
            return .bulkString(StubFormat.double(score))
        },
        "zrem": StubCommand(-3) { execution, command throws(StubError) in
            try removeMembers(&execution, command, from: StubSortedSet.self) { zset, member in zset.remove(member) }
        },
        "zcard": StubCommand(2) { execution, command throws(StubError) in
            .integer(try execution.database.sortedSet(command[1], now: execution.now)?.count ?? 0)
        },
        "zscore": StubCommand(3) { execution, command throws(StubError) in
            try execution.database.sortedSet(command[1], now: execution.now)?.score(of: command[2])
                .map { .bulkString(StubFormat.double($0)) } ?? .null
        },
        "zcount": StubCommand(4) { execution, command throws(StubError) in
            let min = try StubParse.scoreLimit(command[2])
            let max = try StubParse.scoreLimit(command[3])
            return .integer(try execution.database.sortedSet(command[1], now: execution.now)?.range(min: min, max: max).count ?? 0)
        },
        "zremrangebyscore": StubCommand(4) { execution, command throws(StubError) in
            let min = try StubParse.scoreLimit(command[2])
            let max = try StubParse.scoreLimit(command[3])
            guard let zset = try execution.database.sortedSet(command[1], now: execution.now) else { return .integer(0) }
            let doomed = zset.ordered[zset.range(min: min, max: max)].map(\.member)
            for member in doomed { zset.remove(member) }
            execution.database.removeIfEmpty(command[1])
            return .integer(doomed.count)
        },
        "zrange": StubCommand(-4) { execution, command throws(StubError) in try zrange(&execution, command) },
        "zrangebyscore": StubCommand(-4) { execution, command throws(StubError) in
            var withScores = false
            var limit: (offset: Int64, count: Int64)?
            var index = 4
            while index < command.count {
                let option = StubParse.upper(command[index])
                if option == "WITHSCORES" {
                    withScores = true
                    index += 1
                } else if option == "LIMIT" && index + 2 < command.count {
                    limit = (try StubParse.integer(command[index + 1]), try StubParse.integer(command[index + 2]))
                    index += 3
                } else {
                    throw .syntax
                }
            }
            let min = try StubParse.scoreLimit(command[2])
            let max = try StubParse.scoreLimit(command[3])
            guard let zset = try execution.database.sortedSet(command[1], now: execution.now) else { return .array([]) }
            let found = applyLimit(Array(zset.ordered[zset.range(min: min, max: max)]), limit)
            return rangeReply(found, withScores: withScores)
        },
    ]

    /// `ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member ...`, checks in Redis 7.0's order.
    static func zadd(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        var flags = Set<String>()
        var scoreIndex = 2
        while scoreIndex < command.count {
            let flag = StubParse.upper(command[scoreIndex])
            guard ["NX", "XX", "GT", "LT", "CH", "INCR"].contains(flag) else { break }
            flags.insert(flag)
            scoreIndex += 1
        }
        let remaining = command.count - scoreIndex
        guard remaining > 0, remaining % 2 == 0 else { throw .syntax }
        if flags.contains("NX") && flags.contains("XX") {
            throw StubError("ERR XX and NX options at the same time are not compatible")
        }
        if (flags.contains("GT") && flags.contains("NX")) || (flags.contains("LT") && flags.contains("NX"))
            || (flags.contains("GT") && flags.contains("LT"))
        {
            throw StubError("ERR GT, LT, and/or NX options at the same time are not compatible")
        }
        let incr = flags.contains("INCR")
        if incr && remaining > 2 { throw StubError("ERR INCR option supports a single increment-element pair") }
        var pairs: [(Double, [UInt8])] = []
        for index in stride(from: scoreIndex, to: command.count, by: 2) {
            pairs.append((try StubParse.double(command[index]), command[index + 1]))
        }

        let database = execution.database
        let key = command[1]
        if try database.sortedSet(key, now: execution.now) == nil && flags.contains("XX") {
            return incr ? .null : .integer(0)
        }
        let zset = try database.sortedSet(key, now: execution.now, create: true)!
        var added = 0
        var changed = 0
        var lastScore: Double?
        for (given, member) in pairs {
            let current = zset.score(of: member)
            if current != nil && flags.contains("NX") { continue }
            if current == nil && flags.contains("XX") { continue }
            var score = given
            if incr, let current { score += current }
            guard !score.isNaN else {
                database.removeIfEmpty(key)
                throw StubError("ERR resulting score is not a number (NaN)")
            }
            if let current {
                if flags.contains("GT") && score <= current { continue }
                if flags.contains("LT") && score >= current { continue }
                if score != current {
                    zset.set(member, score: score)
                    changed += 1
                }
            } else {
                zset.set(member, score: score)
                added += 1
            }
            lastScore = score
        }
        database.removeIfEmpty(key)
        if incr { return lastScore.map { .bulkString(StubFormat.double($0)) } ?? .null }
        return .integer(flags.contains("CH") ? added + changed : added)
    }

    /// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]`, and
    /// with `destination` ZRANGESTORE's form (the source key after it, no WITHSCORES).
    static func zrange(_ execution: inout StubExecution, _ command: RedisCommandArgv, destination: StubKey? = nil) throws(StubError) -> RedisValue {
        let keyIndex = destination == nil ? 1 : 2
        var withScores = false
        var by: String?
        var reverse = false
        var limit: (offset: Int64, count: Int64)?
        var index = keyIndex + 3
        while index < command.count {
            let option = StubParse.upper(command[index])
            switch option {
            case "WITHSCORES" where destination == nil: withScores = true
            case "BYSCORE" where by == nil, "BYLEX" where by == nil: by = option
            case "REV": reverse = true
            case "LIMIT" where index + 2 < command.count:
                limit = (try StubParse.integer(command[index + 1]), try StubParse.integer(command[index + 2]))
                index += 2
            default: throw .syntax
            }
            index += 1
        }
        if limit != nil && by == nil {
            throw StubError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
        }
        if withScores && by == "BYLEX" { throw StubError("ERR syntax error, WITHSCORES not supported in combination with BYLEX") }
        let (first, second) = (command[keyIndex + 1], command[keyIndex + 2])
        var found: [(score: Double, member: [UInt8])]
        switch by {
        case "BYSCORE":
            let (low, high) = reverse ? (second, first) : (first, second)
            let min = try StubParse.scoreLimit(low)
            let max = try StubParse.scoreLimit(high)
            let zset = try execution.database.sortedSet(command[keyIndex], now: execution.now)
            found = zset.map { Array($0.ordered[$0.range(min: min, max: max)]) } ?? []
            if reverse { found.reverse() }
            found = applyLimit(found, limit)
        case "BYLEX":
            let (low, high) = reverse ? (second, first) : (first, second)
            let range = try LexRange(min: low, max: high)
            let zset = try execution.database.sortedSet(command[keyIndex], now: execution.now)
            found = applyLimit(zset.map { range.elements(of: $0, reverse: reverse) } ?? [], limit)
        default:
            let start = try StubParse.integer(first)
            let stop = try StubParse.integer(second)
            let zset = try execution.database.sortedSet(command[keyIndex], now: execution.now)
            if let zset, let range = clampedRange(start, stop, count: zset.count) {
                found = reverse ? range.map { zset.ordered[zset.count - 1 - $0] } : Array(zset.ordered[range])
            } else {
                found = []
            }
        }
        guard let destination else { return rangeReply(found, withScores: withScores) }
        guard !found.isEmpty else {
            execution.database.remove(destination)
            return .integer(0)
        }
        let stored = StubSortedSet()
        for element in found { stored.set(element.member, score: element.score) }
        execution.database.put(destination, stored.value)
        return .integer(found.count)
    }

    private static func applyLimit(
        _ elements: [(score: Double, member: [UInt8])], _ limit: (offset: Int64, count: Int64)?
    ) -> [(score: Double, member: [UInt8])] {
        guard let limit else { return elements }
        guard limit.offset >= 0, limit.offset < elements.count else { return [] }
        let tail = elements.dropFirst(Int(limit.offset))
        return limit.count < 0 ? Array(tail) : Array(tail.prefix(Int(min(limit.count, Int64(tail.count)))))
    }

    static func rangeReply(_ elements: [(score: Double, member: [UInt8])], withScores: Bool) -> RedisValue {
        guard withScores else { return .bulks(elements.map(\.member)) }
        return .bulks(elements.flatMap { [$0.member, StubFormat.double($0.score)] })
    }
}
