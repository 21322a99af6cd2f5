import RedisClientCore

/// Key-space commands that move, copy and date keys: RENAME, COPY, MOVE, SWAPDB, the absolute
/// expiries and their readers, TOUCH, UNLINK, RANDOMKEY.
extension StubCommands {
    static let keyMoves: [String: StubCommand] = [
        "expireat": StubCommand(-3) { execution, command throws(StubError) in
            try expire(&execution, command, unitMilliseconds: 1000, name: "expireat", absolute: true)
        },
        "pexpireat": StubCommand(-3) { execution, command throws(StubError) in
            try expire(&execution, command, unitMilliseconds: 1, name: "pexpireat", absolute: true)
        },
        "expiretime": StubCommand(2) { execution, command in ttl(execution, command[1], milliseconds: false, absolute: true) },
        "pexpiretime": StubCommand(2) { execution, command in ttl(execution, command[1], milliseconds: true, absolute: true) },
        "touch": StubCommand(-2, countExisting(touching: true)),
        "unlink": StubCommand(-2, deleteKeys),
        "randomkey": StubCommand(1) { execution, _ in
            execution.database.liveKeys(now: execution.now).randomElement().map(RedisValue.bulkString) ?? .null
        },
        "rename": StubCommand(3) { execution, command throws(StubError) in
            _ = try rename(&execution, command, onlyIfAbsent: false)
            return .ok
        },
        "renamenx": StubCommand(3) { execution, command throws(StubError) in
            .bool(try rename(&execution, command, onlyIfAbsent: true))
        },
        "copy": StubCommand(-3, copy),
        "move": StubCommand(3) { execution, command throws(StubError) in
            let target = try StubParse.integer(command[2])
            guard (0..<Int64(StubStore.databaseCount)).contains(target) else { throw StubError("ERR DB index is out of range") }
            guard Int(target) != execution.databaseIndex else { throw StubError("ERR source and destination objects are the same") }
            let source = execution.database
            let destination = execution.state.databases[Int(target)]
            guard let entry = source.entry(command[1], now: execution.now), !destination.exists(command[1], now: execution.now) else { return .integer(0) }
            destination.put(command[1], entry)
            source.remove(command[1])
            return .integer(1)
        },
        "swapdb": StubCommand(3) { execution, command throws(StubError) in
            let first = try StubParse.integer(command[1], or: StubError("ERR invalid first DB index"))
            let second = try StubParse.integer(command[2], or: StubError("ERR invalid second DB index"))
            let range = 0..<Int64(StubStore.databaseCount)
            guard range.contains(first), range.contains(second) else { throw StubError("ERR DB index is out of range") }
            execution.state.databases[Int(first)].swapContents(with: execution.state.databases[Int(second)])
            return .ok
        },
    ]

    /// RENAME and RENAMENX: the value and its deadline move; false when RENAMENX finds the
    /// destination taken (or source and destination the same).
    static func rename(_ execution: inout StubExecution, _ command: RedisCommandArgv, onlyIfAbsent: Bool) throws(StubError) -> Bool {
        let database = execution.database
        guard let entry = database.entry(command[1], now: execution.now) else { throw StubError("ERR no such key") }
        if command[1] == command[2] { return !onlyIfAbsent }
        if onlyIfAbsent && database.exists(command[2], now: execution.now) { return false }
        database.put(command[2], entry)
        database.remove(command[1])
        return true
    }

    /// `COPY source destination [DB index] [REPLACE]`: a deep copy, deadline included.
    static func copy(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        var target = execution.databaseIndex
        var replace = false
        var index = 3
        while index < command.count {
            switch StubParse.upper(command[index]) {
            case "REPLACE":
                replace = true
            case "DB" where index + 1 < command.count:
                index += 1
                let number = try StubParse.integer(command[index])
                guard (0..<Int64(StubStore.databaseCount)).contains(number) else { throw StubError("ERR DB index is out of range") }
                target = Int(number)
            default:
                throw .syntax
            }
            index += 1
        }
        if target == execution.databaseIndex && command[1] == command[2] {
            throw StubError("ERR source and destination objects are the same")
        }
        guard let entry = execution.database.entry(command[1], now: execution.now) else { return .integer(0) }
        let destination = execution.state.databases[target]
        if destination.exists(command[2], now: execution.now) && !replace { return .integer(0) }
        var copy = entry
        copy.value = entry.value.copied()
        if copy.stringForm == .whole { copy.stringForm = .copied }
        // A new object in a key made anew (Redis deletes the old first): a fresh access.
        copy.access = nil
        destination.remove(command[2])
        destination.put(command[2], copy)
        return .integer(1)
    }
}

extension StubValue {
    /// A deep copy: containers are classes, and a copy must not share them.
    func copied() -> StubValue {
        switch self {
        case .string: return self
        case .list(let list):
            let copy = StubList()
            copy.items = list.items
            return .list(copy)
        case .set(let set):
            let copy = StubSet()
            copy.members = set.members
            copy.isHashtable = set.isHashtable
            return .set(copy)
        case .hash(let hash):
            let copy = StubHash()
            copy.fields = hash.fields
            copy.order = hash.order
            copy.isHashtable = hash.isHashtable
            return .hash(copy)
        case .sortedSet(let zset):
            let copy = StubSortedSet()
            for (score, member) in zset.ordered { copy.set(member, score: score) }
            copy.isSkiplist = zset.isSkiplist
            return .sortedSet(copy)
        case .stream(let stream):
            let copy = StubStream()
            copy.entries = stream.entries
            copy.lastID = stream.lastID
            for (name, group) in stream.groups {
                let groupCopy = StubConsumerGroup(lastDelivered: group.lastDelivered)
                groupCopy.pending = group.pending
                groupCopy.consumers = group.consumers
                copy.groups[name] = groupCopy
            }
            return .stream(copy)
        }
    }
}
