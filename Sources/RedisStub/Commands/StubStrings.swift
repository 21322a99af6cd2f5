import RedisClientCore
extension StubCommands {
    static let strings: [String: StubCommand] = [
        "get": StubCommand(2) { execution, command throws(StubError) in
            try execution.database.string(command[1], now: execution.now).map(RedisValue.bulkString) ?? .null
        },
        "set": StubCommand(-3, set),
        "setex": StubCommand(4) { execution, command throws(StubError) in
            let seconds = try StubParse.integer(command[2])
            let deadline = try expiryDeadline(seconds, unitMilliseconds: 1000, now: execution.now, command: "setex")
            execution.database.put(command[1], .string(command[3]), expiresAt: deadline)
            return .ok
        },
        "mget": StubCommand(-2) { execution, command in
            .array(command.dropFirst().map { key in
                // MGET answers nil for a key of another type rather than WRONGTYPE.
                if case .string(let bytes)? = execution.database.entry(key, now: execution.now)?.value {
                    return .bulkString(bytes)
                }
                return .null
            })
        },
        "incr": StubCommand(2) { execution, command throws(StubError) in
            try increment(&execution, command[1], by: 1)
        },
        "decr": StubCommand(2) { execution, command throws(StubError) in
            try increment(&execution, command[1], by: -1)
        },
        "incrby": StubCommand(3) { execution, command throws(StubError) in
            try increment(&execution, command[1], by: StubParse.integer(command[2]))
        },
        "decrby": StubCommand(3) { execution, command throws(StubError) in
            let decrement = try StubParse.integer(command[2])
            guard decrement != .min else { throw StubError("ERR decrement would overflow") }
            return try increment(&execution, command[1], by: -decrement)
        },
    ]

    static func increment(_ execution: inout StubExecution, _ key: StubKey, by delta: Int64) throws(StubError) -> RedisValue {
        let current = try execution.database.string(key, now: execution.now).map { bytes throws(StubError) in
            try StubParse.integer(bytes)
        } ?? 0
        let (sum, overflow) = current.addingReportingOverflow(delta)
        guard !overflow else { throw .overflow }
        execution.database.replaceString(key, StubFormat.integer(sum))
        return .integer(sum)
    }

    /// `SET key value [NX|XX] [GET] [EX s|PX ms|EXAT t|PXAT t|KEEPTTL]`.
    static func set(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        var condition: String?
        var returnOld = false
        var expiry: (option: String, value: Int64)?
        var keepTTL = false
        var index = 3
        while index < command.count {
            let option = StubParse.upper(command[index])
            let hasValue = index + 1 < command.count
            switch option {
            case "NX", "XX":
                guard condition == nil || condition == option else { throw .syntax }
                condition = option
            case "GET":
                returnOld = true
            case "KEEPTTL":
                guard expiry == nil else { throw .syntax }
                keepTTL = true
            case "EX", "PX", "EXAT", "PXAT":
                guard expiry == nil, !keepTTL, hasValue else { throw .syntax }
                index += 1
                expiry = (option, try StubParse.integer(command[index]))
            default:
                throw .syntax
            }
            index += 1
        }

        var deadline: Int64?
        if let (option, value) = expiry {
            let isRelative = option == "EX" || option == "PX"
            let unit: Int64 = option.hasPrefix("P") ? 1 : 1000
            deadline = try expiryDeadline(value, unitMilliseconds: unit, now: isRelative ? execution.now : 0, command: "set")
        }
        let database = execution.database
        let key = command[1]
        // Redis looks the key up (an access), GET looks again, and the write keeps what they
        // counted: the look-up's access is the write's (put) unless nothing is written.
        let old = database.entry(key, now: execution.now, touching: returnOld)
        var oldValue: RedisValue = .null
        if returnOld, let old {
            guard case .string(let bytes) = old.value else { throw .wrongType }
            oldValue = .bulkString(bytes)
        }
        if (condition == "NX" && old != nil) || (condition == "XX" && old == nil) {
            if old != nil { _ = database.entry(key, now: execution.now) }
            return returnOld ? oldValue : .null
        }
        database.put(key, .string(command[2]), expiresAt: keepTTL ? old?.expiresAt : deadline)
        return returnOld ? oldValue : .ok
    }

    /// An absolute deadline from a relative or absolute expire argument, rejected as Redis
    /// rejects it: not positive, or overflowing milliseconds.
    static func expiryDeadline(_ value: Int64, unitMilliseconds: Int64, now: Int64, command: String) throws(StubError) -> Int64 {
        guard value > 0 else { throw .invalidExpire(command) }
        let (milliseconds, overflow) = value.multipliedReportingOverflow(by: unitMilliseconds)
        let (deadline, overflowSum) = milliseconds.addingReportingOverflow(now)
        guard !overflow, !overflowSum else { throw .invalidExpire(command) }
        return deadline
    }
}
