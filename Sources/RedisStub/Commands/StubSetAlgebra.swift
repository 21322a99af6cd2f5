import RedisClientCore

/// The rest of Redis 7.0's set family: intersections, unions and differences (and their
/// `STORE` forms), moving and popping members, random members, `SSCAN`.
extension StubCommands {
    static let setAlgebra: [String: StubCommand] = [
        "sinter": StubCommand(-2) { execution, command throws(StubError) in
            .bulks(Array(try combine(&execution, Array(command.dropFirst()), .intersection)))
        },
        "sunion": StubCommand(-2) { execution, command throws(StubError) in
            .bulks(Array(try combine(&execution, Array(command.dropFirst()), .union)))
        },
        "sdiff": StubCommand(-2) { execution, command throws(StubError) in
            .bulks(Array(try combine(&execution, Array(command.dropFirst()), .difference)))
        },
        "sinterstore": StubCommand(-3) { execution, command throws(StubError) in
            try store(&execution, command, .intersection)
        },
        "sunionstore": StubCommand(-3) { execution, command throws(StubError) in
            try store(&execution, command, .union)
        },
        "sdiffstore": StubCommand(-3) { execution, command throws(StubError) in
            try store(&execution, command, .difference)
        },
        "sintercard": StubCommand(-3) { execution, command throws(StubError) in
            let (keys, rest) = try numberedKeys(command)
            let limit = try cardinalityLimit(rest)
            let count = try combine(&execution, keys, .intersection).count
            return .integer(limit > 0 ? min(count, limit) : count)
        },
        "smismember": StubCommand(-3) { execution, command throws(StubError) in
            let set = try execution.database.set(command[1], now: execution.now)
            return .array(command.dropFirst(2).map { .bool(set?.members.contains($0) ?? false) })
        },
        "smove": StubCommand(4) { execution, command throws(StubError) in
            // Redis's order: no source is 0 before any type is checked.
            let database = execution.database
            guard let source = try database.set(command[1], now: execution.now) else { return .integer(0) }
            _ = try database.set(command[2], now: execution.now)
            if command[1] == command[2] { return .bool(source.members.contains(command[3])) }
            guard source.members.remove(command[3]) != nil else { return .integer(0) }
            database.removeIfEmpty(command[1])
            try database.set(command[2], now: execution.now, create: true)!.members.insert(command[3])
            return .integer(1)
        },
        "spop": StubCommand(-2) { execution, command throws(StubError) in
            guard command.count <= 3 else { throw .syntax }
            let count = try command.count == 3 ? nonNegativeCount(command[2]) : nil
            guard let set = try execution.database.set(command[1], now: execution.now) else { return count == nil ? .null : .array([]) }
            let popped = Array(set.members.shuffled().prefix(count ?? 1))
            for member in popped { set.members.remove(member) }
            execution.database.removeIfEmpty(command[1])
            return count == nil ? .bulkString(popped[0]) : .bulks(popped)
        },
        "srandmember": StubCommand(-2) { execution, command throws(StubError) in
            guard command.count <= 3 else { throw .syntax }
            let count = try command.count == 3 ? StubParse.integer(command[2]) : nil
            let members = Array(try execution.database.set(command[1], now: execution.now)?.members ?? [])
            return randomPick(members.map { [.bulkString($0)] }, count: count)
        },
        "sscan": StubCommand(-3) { execution, command throws(StubError) in
            try scanContainer(command) { () throws(StubError) in
                try execution.database.set(command[1], now: execution.now).map { Array($0.members).map { [$0] } }
            }
        },
    ]

    enum SetOperation { case intersection, union, difference }

    /// The operation over the keys' sets: a missing key is an empty set; any key of another
    /// type is WRONGTYPE, checked before the answer is known.
    static func combine(_ execution: inout StubExecution, _ keys: [StubKey], _ operation: SetOperation) throws(StubError) -> Set<[UInt8]> {
        var sets: [Set<[UInt8]>?] = []
        for key in keys { sets.append(try execution.database.set(key, now: execution.now)?.members) }
        switch operation {
        case .intersection:
            guard var result = sets.first ?? nil else { return [] }
            for set in sets.dropFirst() {
                guard let set else { return [] }
                result.formIntersection(set)
            }
            return result
        case .union:
            return sets.reduce(into: Set<[UInt8]>()) { $0.formUnion($1 ?? []) }
        case .difference:
            guard var result = sets.first ?? nil else { return [] }
            for set in sets.dropFirst() { result.subtract(set ?? []) }
            return result
        }
    }

    /// `S…STORE destination key...`: the result replaces the destination; empty deletes it.
    static func store(_ execution: inout StubExecution, _ command: RedisCommandArgv, _ operation: SetOperation) throws(StubError) -> RedisValue {
        let result = try combine(&execution, Array(command.dropFirst(2)), operation)
        // Written over rather than deleted first: Redis's setKey, which keeps an LFU counter.
        guard !result.isEmpty else {
            execution.database.remove(command[1])
            return .integer(0)
        }
        let set = StubSet()
        set.members = result
        execution.database.put(command[1], set.value)
        return .integer(result.count)
    }

    /// `numkeys key... rest` (SINTERCARD, LMPOP, ZINTER, ...): the keys and what follows.
    static func numberedKeys(_ command: RedisCommandArgv, from start: Int = 1) throws(StubError) -> (keys: [StubKey], rest: [[UInt8]]) {
        let notPositive = StubError("ERR numkeys should be greater than 0")
        let count = try StubParse.integer(command[start], or: notPositive)
        guard count > 0 else { throw notPositive }
        guard count <= command.count - start - 1 else { throw StubError("ERR Number of keys can't be greater than number of args") }
        let keys = Array(command[(start + 1)...(start + Int(count))])
        return (keys, Array(command.dropFirst(start + 1 + Int(count))))
    }

    /// SINTERCARD's and ZINTERCARD's `[LIMIT n]` (0, the default: no limit).
    static func cardinalityLimit(_ options: some Collection<[UInt8]>) throws(StubError) -> Int {
        let options = Array(options)
        var limit = 0
        var index = 0
        while index < options.count {
            guard StubParse.upper(options[index]) == "LIMIT", index + 1 < options.count else { throw .syntax }
            let negative = StubError("ERR LIMIT can't be negative")
            let value = try StubParse.integer(options[index + 1], or: negative)
            guard value >= 0 else { throw negative }
            limit = Int(clamping: value)
            index += 2
        }
        return limit
    }

    /// SPOP's and HRANDFIELD's count: not negative.
    static func nonNegativeCount(_ bytes: [UInt8]) throws(StubError) -> Int {
        let value = try StubParse.integer(bytes, or: .notPositive)
        guard value >= 0 else { throw .notPositive }
        return Int(clamping: value)
    }

    /// SRANDMEMBER's and HRANDFIELD's, over groups of replies (a member; a field and its value):
    /// no count, one element (nil when empty); a positive count, distinct elements; a negative
    /// one, that many with repeats.
    static func randomPick(_ groups: [[RedisValue]], count: Int64?) -> RedisValue {
        guard let count else { return groups.randomElement()?.first ?? .null }
        guard !groups.isEmpty, count != 0 else { return .array([]) }
        if count > 0 { return .array(groups.shuffled().prefix(Int(clamping: count)).flatMap { $0 }) }
        return .array((0..<Int(clamping: count.magnitude)).flatMap { _ in groups.randomElement()! })
    }

    /// SSCAN, HSCAN, ZSCAN over a small container: everything in one call, cursor 0, as Redis
    /// answers for its compact encodings (COUNT is a hint); MATCH filters on the first field.
    /// Redis's order: the cursor, then the key (none: an empty page, options unread), then the
    /// options.
    static func scanContainer(_ command: RedisCommandArgv, _ lookup: () throws(StubError) -> [[[UInt8]]]?) throws(StubError) -> RedisValue {
        guard UInt64(String(decoding: command[2], as: UTF8.self)) != nil else {
            throw StubError("ERR invalid cursor")
        }
        guard let elements = try lookup() else { return .array([.bulkString(Array("0".utf8)), .array([])]) }
        var pattern: [UInt8]?
        var index = 3
        while index < command.count {
            guard index + 1 < command.count else { throw .syntax }
            switch StubParse.upper(command[index]) {
            case "MATCH": pattern = command[index + 1]
            case "COUNT":
                let count = try StubParse.integer(command[index + 1])
                guard count >= 1 else { throw .syntax }
            default: throw .syntax
            }
            index += 2
        }
        let matched = elements.filter { element in pattern.map { GlobPattern.matches($0, element[0]) } ?? true }
        return .array([.bulkString(Array("0".utf8)), .bulks(matched.flatMap { $0 })])
    }
}
