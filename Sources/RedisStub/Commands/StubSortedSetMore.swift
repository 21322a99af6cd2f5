import RedisClientCore

/// More of Redis 7.0's sorted-set family: ranks, reversed ranges, pops, several scores at
/// once, unions, intersections and differences of sorted sets and sets, `ZSCAN`,
/// `ZRANDMEMBER`.
extension StubCommands {
    static let sortedSetMore: [String: StubCommand] = [
        "zrank": StubCommand(3) { execution, command throws(StubError) in
            try rank(&execution, command, reverse: false)
        },
        "zrevrank": StubCommand(3) { execution, command throws(StubError) in
            try rank(&execution, command, reverse: true)
        },
        "zrevrange": StubCommand(-4) { execution, command throws(StubError) in
            guard command.count == 4 || (command.count == 5 && StubParse.upper(command[4]) == "WITHSCORES") else { throw .syntax }
            return try zrange(&execution, Array(command.prefix(4)) + [Array("REV".utf8)] + command.dropFirst(4))
        },
        "zrevrangebyscore": StubCommand(-4) { execution, command throws(StubError) in
            // ZRANGE's BYSCORE REV form, with the bounds as written (max first).
            try zrange(&execution, Array(command.prefix(4)) + [Array("BYSCORE".utf8), Array("REV".utf8)] + command.dropFirst(4))
        },
        "zremrangebyrank": StubCommand(4) { execution, command throws(StubError) in
            let start = try StubParse.integer(command[2])
            let stop = try StubParse.integer(command[3])
            guard let zset = try execution.database.sortedSet(command[1], now: execution.now) else { return .integer(0) }
            guard let range = clampedRange(start, stop, count: zset.count) else { return .integer(0) }
            let doomed = zset.ordered[range].map(\.member)
            for member in doomed { zset.remove(member) }
            execution.database.removeIfEmpty(command[1])
            return .integer(doomed.count)
        },
        "zmscore": StubCommand(-3) { execution, command throws(StubError) in
            let zset = try execution.database.sortedSet(command[1], now: execution.now)
            return .array(command.dropFirst(2).map { member in zset?.score(of: member).map { .bulkString(StubFormat.double($0)) } ?? .null })
        },
        "zpopmin": StubCommand(-2) { execution, command throws(StubError) in
            try zpop(&execution, command, max: false)
        },
        "zpopmax": StubCommand(-2) { execution, command throws(StubError) in
            try zpop(&execution, command, max: true)
        },
        "zmpop": StubCommand(-4) { execution, command throws(StubError) in
            try zmpop(&execution, multiPop(command, numkeysAt: 1, sides: zmpopSides))
        },
        "zunion": StubCommand(-3) { execution, command throws(StubError) in try combineSorted(&execution, command, .union, store: false) },
        "zinter": StubCommand(-3) { execution, command throws(StubError) in try combineSorted(&execution, command, .intersection, store: false) },
        "zdiff": StubCommand(-3) { execution, command throws(StubError) in try combineSorted(&execution, command, .difference, store: false) },
        "zunionstore": StubCommand(-4) { execution, command throws(StubError) in try combineSorted(&execution, command, .union, store: true) },
        "zinterstore": StubCommand(-4) { execution, command throws(StubError) in try combineSorted(&execution, command, .intersection, store: true) },
        "zdiffstore": StubCommand(-4) { execution, command throws(StubError) in try combineSorted(&execution, command, .difference, store: true) },
        "zintercard": StubCommand(-3) { execution, command throws(StubError) in
            let keys = try sortedInputKeys(command, numkeysIndex: 1)
            let scored = try scoredSets(&execution, keys)
            let limit = try cardinalityLimit(command.dropFirst(2 + keys.count))
            let count = scored.intersectionMembers().count
            return .integer(limit > 0 ? min(count, limit) : count)
        },
        "zscan": StubCommand(-3) { execution, command throws(StubError) in
            try scanContainer(command) { () throws(StubError) in
                try execution.database.sortedSet(command[1], now: execution.now).map { $0.ordered.map { [$0.member, StubFormat.double($0.score)] } }
            }
        },
        "zrandmember": StubCommand(-2) { execution, command throws(StubError) in
            guard command.count <= 4 else { throw .syntax }
            let count = try command.count >= 3 ? StubParse.integer(command[2]) : nil
            if command.count == 4 && StubParse.upper(command[3]) != "WITHSCORES" { throw .syntax }
            guard let zset = try execution.database.sortedSet(command[1], now: execution.now) else { return count == nil ? .null : .array([]) }
            let withScores = command.count == 4
            return randomPick(zset.ordered.map { withScores ? [.bulkString($0.member), .bulkString(StubFormat.double($0.score))] : [.bulkString($0.member)] }, count: count)
        },
    ]

    static func rank(_ execution: inout StubExecution, _ command: RedisCommandArgv, reverse: Bool) throws(StubError) -> RedisValue {
        guard let zset = try execution.database.sortedSet(command[1], now: execution.now),
              let position = zset.ordered.firstIndex(where: { $0.member == command[2] }) else { return .null }
        return .integer(reverse ? zset.count - 1 - position : position)
    }

    static let zmpopSides = ["MIN": true, "MAX": false]

    /// The first non-empty sorted set's lowest (MIN) or highest elements: `[key, [[member,
    /// score]...]]` — pairs nested, unlike ZPOPMIN's flat reply — or null.
    static func zmpop(_ execution: inout StubExecution, _ pop: MultiPop) throws(StubError) -> RedisValue {
        for key in pop.keys {
            guard let zset: StubSortedSet = try execution.poppable(key), zset.count > 0 else { continue }
            let popped = self.pop(zset, count: Int(clamping: pop.count), max: !pop.first)
            execution.database.removeIfEmpty(key)
            return .array([.bulkString(key), .array(popped.map { .bulks([$0.member, StubFormat.double($0.score)]) })])
        }
        return .null
    }

    /// The lowest (or highest) `count` elements, removed.
    static func pop(_ zset: StubSortedSet, count: Int, max: Bool) -> [(score: Double, member: [UInt8])] {
        let taken = max ? Array(zset.ordered.suffix(count).reversed()) : Array(zset.ordered.prefix(count))
        for element in taken { zset.remove(element.member) }
        return taken
    }

    /// `ZPOPMIN key [count]`: a flat member-score array; empty when there is nothing.
    static func zpop(_ execution: inout StubExecution, _ command: RedisCommandArgv, max: Bool) throws(StubError) -> RedisValue {
        guard command.count <= 3 else { throw .syntax }
        let count = try command.count == 3 ? nonNegativeCount(command[2]) : 1
        guard let zset = try execution.database.sortedSet(command[1], now: execution.now) else { return .array([]) }
        let popped = pop(zset, count: count, max: max)
        execution.database.removeIfEmpty(command[1])
        return .bulks(popped.flatMap { [$0.member, StubFormat.double($0.score)] })
    }

    /// Each key's members with scores: a sorted set's, or a set's at score 1; a missing key
    /// is empty; another type is WRONGTYPE.
    static func scoredSets(_ execution: inout StubExecution, _ keys: [StubKey]) throws(StubError) -> ScoredSets {
        var sets: [[[UInt8]: Double]] = []
        for key in keys {
            guard let entry = execution.database.entry(key, now: execution.now) else {
                sets.append([:])
                continue
            }
            switch entry.value {
            case .sortedSet(let zset): sets.append(zset.scores)
            case .set(let set): sets.append(Dictionary(uniqueKeysWithValues: set.members.map { ($0, 1.0) }))
            default: throw .wrongType
            }
        }
        return ScoredSets(sets: sets)
    }

    struct ScoredSets {
        var sets: [[[UInt8]: Double]]

        func intersectionMembers() -> [[UInt8]] {
            guard let smallest = sets.min(by: { $0.count < $1.count }) else { return [] }
            return smallest.keys.filter { member in sets.allSatisfy { $0[member] != nil } }
        }
    }

    /// The input keys of ZUNION, ZINTER, ZDIFF, ZINTERCARD and the STORE forms, by `numkeys`.
    static func sortedInputKeys(_ command: RedisCommandArgv, numkeysIndex: Int) throws(StubError) -> [StubKey] {
        let name = String(decoding: command[0], as: UTF8.self).lowercased()
        let count = try StubParse.integer(command[numkeysIndex])
        guard count >= 1 else { throw StubError("ERR at least 1 input key is needed for '\(name)' command") }
        guard count <= command.count - numkeysIndex - 1 else { throw .syntax }
        return Array(command[(numkeysIndex + 1)...(numkeysIndex + Int(count))])
    }

    /// ZUNION/ZINTER/ZDIFF (`numkeys key... [WEIGHTS w...] [AGGREGATE SUM|MIN|MAX]
    /// [WITHSCORES]`) and their STORE forms (destination first, no WITHSCORES); ZDIFF takes
    /// neither WEIGHTS nor AGGREGATE. Redis's order: the keys' types, then the options.
    static func combineSorted(_ execution: inout StubExecution, _ command: RedisCommandArgv, _ operation: SetOperation, store: Bool) throws(StubError) -> RedisValue {
        let numkeysIndex = store ? 2 : 1
        let keys = try sortedInputKeys(command, numkeysIndex: numkeysIndex)
        let scored = try scoredSets(&execution, keys)
        var weights = [Double](repeating: 1, count: keys.count)
        var aggregate = "SUM"
        var withScores = false
        var index = numkeysIndex + 1 + keys.count
        while index < command.count {
            let option = StubParse.upper(command[index])
            if option == "WEIGHTS", operation != .difference, index + keys.count < command.count {
                for offset in 0..<keys.count {
                    weights[offset] = try StubParse.double(command[index + 1 + offset], or: StubError("ERR weight value is not a float"))
                }
                index += 1 + keys.count
            } else if option == "AGGREGATE", operation != .difference, index + 1 < command.count,
                      ["SUM", "MIN", "MAX"].contains(StubParse.upper(command[index + 1])) {
                aggregate = StubParse.upper(command[index + 1])
                index += 2
            } else if option == "WITHSCORES", !store {
                withScores = true
                index += 1
            } else {
                throw .syntax
            }
        }
        // A weight times an infinite score can be NaN: Redis counts it 0.
        func weighted(_ score: Double, _ set: Int) -> Double {
            let value = score * weights[set]
            return value.isNaN ? 0 : value
        }
        func combined(_ a: Double, _ b: Double) -> Double {
            switch aggregate {
            case "MIN": return Swift.min(a, b)
            case "MAX": return Swift.max(a, b)
            default:
                let sum = a + b
                return sum.isNaN ? 0 : sum
            }
        }
        var result: [[UInt8]: Double] = [:]
        switch operation {
        case .union:
            for (position, set) in scored.sets.enumerated() {
                for (member, score) in set {
                    let value = weighted(score, position)
                    result[member] = result[member].map { combined($0, value) } ?? value
                }
            }
        case .intersection:
            for member in scored.intersectionMembers() {
                var value = weighted(scored.sets[0][member]!, 0)
                for position in 1..<scored.sets.count { value = combined(value, weighted(scored.sets[position][member]!, position)) }
                result[member] = value
            }
        case .difference:
            for (member, score) in scored.sets[0] where !scored.sets.dropFirst().contains(where: { $0[member] != nil }) {
                result[member] = score
            }
        }
        let ordered = result.map { (score: $0.value, member: $0.key) }.sorted {
            $0.score < $1.score || ($0.score == $1.score && $0.member.lexicographicallyPrecedes($1.member))
        }
        guard store else { return rangeReply(ordered, withScores: withScores) }
        guard !ordered.isEmpty else {
            execution.database.remove(command[1])
            return .integer(0)
        }
        let zset = StubSortedSet()
        for element in ordered { zset.set(element.member, score: element.score) }
        execution.database.put(command[1], zset.value)
        return .integer(ordered.count)
    }
}
