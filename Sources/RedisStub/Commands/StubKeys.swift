import RedisClientCore
extension StubCommands {
    static let keys: [String: StubCommand] = [
        "del": StubCommand(-2, deleteKeys),
        "exists": StubCommand(-2, countExisting(touching: false)),
        "expire": StubCommand(-3) { execution, command throws(StubError) in
            try expire(&execution, command, unitMilliseconds: 1000, name: "expire")
        },
        "pexpire": StubCommand(-3) { execution, command throws(StubError) in
            try expire(&execution, command, unitMilliseconds: 1, name: "pexpire")
        },
        "ttl": StubCommand(2) { execution, command in ttl(execution, command[1], milliseconds: false) },
        "pttl": StubCommand(2) { execution, command in ttl(execution, command[1], milliseconds: true) },
        "persist": StubCommand(2) { execution, command in
            guard let entry = execution.database.entry(command[1], now: execution.now), entry.expiresAt != nil else {
                return .integer(0)
            }
            execution.database.setExpiry(command[1], at: nil)
            return .integer(1)
        },
        "type": StubCommand(2) { execution, command in
            .simpleString(execution.database.entry(command[1], now: execution.now, touching: false)?.value.typeName ?? "none")
        },
        "keys": StubCommand(2) { execution, command in
            let pattern = command[1]
            let all = pattern == [UInt8(ascii: "*")]
            return .bulks(execution.database.liveKeys(now: execution.now).filter { all || GlobPattern.matches(pattern, $0) })
        },
        "scan": StubCommand(-2, scan),
        "dbsize": StubCommand(1) { execution, _ in .integer(execution.database.liveKeys(now: execution.now).count) },
        "flushdb": StubCommand(-1) { execution, command throws(StubError) in
            try flushOptions(command)
            execution.database.removeAll()
            execution.state.signals.tracking?.flushed()
            return .ok
        },
        "flushall": StubCommand(-1) { execution, command throws(StubError) in
            try flushOptions(command)
            for database in execution.state.databases { database.removeAll() }
            execution.state.signals.tracking?.flushed()
            return .ok
        },
    ]

    /// DEL and UNLINK (the stub frees at once either way): how many keys went.
    static func deleteKeys(_ execution: inout StubExecution, _ command: RedisCommandArgv) -> RedisValue {
        let database = execution.database
        let now = execution.now
        return .integer(command.dropFirst().filter { database.exists($0, now: now) && database.remove($0) }.count)
    }

    /// EXISTS and TOUCH: how many of the keys (repeats counted) exist. Only TOUCH counts as
    /// an access (OBJECT IDLETIME/FREQ).
    static func countExisting(touching: Bool) -> StubCommand.Handler {
        { execution, command in
            let database = execution.database
            let now = execution.now
            return .integer(command.dropFirst().filter { database.exists($0, now: now, touching: touching) }.count)
        }
    }

    private static func flushOptions(_ command: RedisCommandArgv) throws(StubError) {
        guard command.count <= 2 else { throw .syntax }
        if command.count == 2 && !["ASYNC", "SYNC"].contains(StubParse.upper(command[1])) { throw .syntax }
    }

    /// `EXPIRE key n [NX|XX|GT|LT]` (and the `…AT` forms, `absolute`), in Redis 7.0's order
    /// of checks.
    static func expire(
        _ execution: inout StubExecution, _ command: RedisCommandArgv, unitMilliseconds: Int64, name: String, absolute: Bool = false
    ) throws(StubError) -> RedisValue {
        var flags = Set<String>()
        for option in command.dropFirst(3) {
            let flag = StubParse.upper(option)
            guard ["NX", "XX", "GT", "LT"].contains(flag) else {
                throw StubError("ERR Unsupported option \(String(decoding: option, as: UTF8.self))")
            }
            flags.insert(flag)
        }
        if flags.contains("NX") && flags.count > 1 {
            throw StubError("ERR NX and XX, GT or LT options at the same time are not compatible")
        }
        if flags.contains("GT") && flags.contains("LT") {
            throw StubError("ERR GT and LT options at the same time are not compatible")
        }
        let amount = try StubParse.integer(command[2])
        let (milliseconds, overflow) = amount.multipliedReportingOverflow(by: unitMilliseconds)
        let (deadline, overflowSum) = milliseconds.addingReportingOverflow(absolute ? 0 : execution.now)
        guard !overflow, !overflowSum else { throw .invalidExpire(name) }

        let database = execution.database
        guard let entry = database.entry(command[1], now: execution.now) else { return .integer(0) }
        let current = entry.expiresAt
        if flags.contains("NX") && current != nil { return .integer(0) }
        if flags.contains("XX") && current == nil { return .integer(0) }
        if flags.contains("GT") && (current == nil || deadline <= current!) { return .integer(0) }
        if flags.contains("LT"), let current, deadline >= current { return .integer(0) }
        if deadline <= execution.now {
            database.remove(command[1])
        } else {
            database.setExpiry(command[1], at: deadline)
        }
        return .integer(1)
    }

    /// TTL and PTTL, or with `absolute` EXPIRETIME and PEXPIRETIME: -2 without the key, -1
    /// without a deadline; seconds rounded to the nearest, as Redis rounds them.
    static func ttl(_ execution: StubExecution, _ key: StubKey, milliseconds: Bool, absolute: Bool = false) -> RedisValue {
        guard let entry = execution.database.entry(key, now: execution.now, touching: false) else { return .integer(-2) }
        guard let deadline = entry.expiresAt else { return .integer(-1) }
        let remaining = max(absolute ? deadline : deadline - execution.now, 0)
        return .integer(milliseconds ? remaining : (remaining + 500) / 1000)
    }

    /// `SCAN cursor [MATCH p] [COUNT n] [TYPE t]` with a cursor that really pages: keys are
    /// visited in the order of a stable hash of their bytes, and the cursor is the next hash to
    /// visit. A key present for the whole iteration is returned at least once, as Redis promises.
    static func scan(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        guard let cursor = UInt64(String(decoding: command[1], as: UTF8.self)) else {
            throw StubError("ERR invalid cursor")
        }
        var pattern: [UInt8]?
        var count = 10
        var type: String?
        var index = 2
        while index < command.count {
            guard index + 1 < command.count else { throw .syntax }
            let value = command[index + 1]
            switch StubParse.upper(command[index]) {
            case "MATCH": pattern = value
            case "COUNT":
                let parsed = try StubParse.integer(value)
                guard parsed >= 1 else { throw .syntax }
                count = Int(min(parsed, 1 << 30))
            case "TYPE": type = String(decoding: value, as: UTF8.self).lowercased()
            default: throw .syntax
            }
            index += 2
        }
        let database = execution.database
        let ordered = database.liveKeys(now: execution.now)
            .map { (hash: scanHash($0), key: $0) }
            .filter { $0.hash >= cursor }
            .sorted { $0.hash < $1.hash || ($0.hash == $1.hash && $0.key.lexicographicallyPrecedes($1.key)) }
        var end = min(count, ordered.count)
        // Never split keys of one hash across pages: the cursor could not point between them.
        while end < ordered.count && end > 0 && ordered[end].hash == ordered[end - 1].hash { end += 1 }
        let next = end < ordered.count ? ordered[end].hash : 0
        let page = ordered[..<end].map(\.key).filter { key in
            if let pattern, !GlobPattern.matches(pattern, key) { return false }
            if let type, database.entry(key, now: execution.now, touching: false)?.value.typeName != type { return false }
            return true
        }
        return .array([.bulkString(Array(String(next).utf8)), .bulks(page)])
    }

    /// FNV-1a, kept in 1...Int64.max so that 0 stays "the iteration is complete".
    static func scanHash(_ key: StubKey) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return (hash & 0x3fff_ffff_ffff_ffff) | 1
    }
}
