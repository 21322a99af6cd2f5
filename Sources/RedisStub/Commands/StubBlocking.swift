import RedisClientCore

/// Redis 7.0's blocking pops. Each answers at once when a key holds something; otherwise it
/// marks the execution blocked (``StubBlock``) and answers null, which is the reply inside
/// MULTI or a script. A session or the stub-server parks the client and runs the command
/// again when a key grows, in the order the clients blocked, until its timeout.
extension StubCommands {
    static let blocking: [String: StubCommand] = [
        "blpop": StubCommand(-3) { execution, command throws(StubError) in try blockingPop(&execution, command, fromFront: true) },
        "brpop": StubCommand(-3) { execution, command throws(StubError) in try blockingPop(&execution, command, fromFront: false) },
        "brpoplpush": StubCommand(4) { execution, command throws(StubError) in
            let timeout = try timeoutSeconds(command[3])
            return try blockUnlessFound(&execution, timeout) { (execution: inout StubExecution) throws(StubError) in
                try move(&execution, command[1], command[2], fromFront: false, toFront: true)
            }
        },
        "blmove": StubCommand(6) { execution, command throws(StubError) in
            let from = try side(command[3])
            let to = try side(command[4])
            let timeout = try timeoutSeconds(command[5])
            return try blockUnlessFound(&execution, timeout) { (execution: inout StubExecution) throws(StubError) in
                try move(&execution, command[1], command[2], fromFront: from, toFront: to)
            }
        },
        "blmpop": StubCommand(-5) { execution, command throws(StubError) in
            let pop = try multiPop(command, numkeysAt: 2, sides: lmpopSides)
            let timeout = try timeoutSeconds(command[1])
            return try blockUnlessFound(&execution, timeout) { (execution: inout StubExecution) throws(StubError) in try lmpop(&execution, pop) }
        },
        "bzpopmin": StubCommand(-3) { execution, command throws(StubError) in try blockingZPop(&execution, command, min: true) },
        "bzpopmax": StubCommand(-3) { execution, command throws(StubError) in try blockingZPop(&execution, command, min: false) },
        "bzmpop": StubCommand(-5) { execution, command throws(StubError) in
            let pop = try multiPop(command, numkeysAt: 2, sides: zmpopSides)
            let timeout = try timeoutSeconds(command[1])
            return try blockUnlessFound(&execution, timeout) { (execution: inout StubExecution) throws(StubError) in try zmpop(&execution, pop) }
        },
    ]

    /// `BLPOP key... timeout`: `[key, element]` from the first non-empty list.
    private static func blockingPop(_ execution: inout StubExecution, _ command: RedisCommandArgv, fromFront: Bool) throws(StubError) -> RedisValue {
        let timeout = try timeoutSeconds(command[command.count - 1])
        let pop = MultiPop(keys: Array(command[1..<(command.count - 1)]), first: fromFront, count: 1)
        let reply = try blockUnlessFound(&execution, timeout) { (execution: inout StubExecution) throws(StubError) in try lmpop(&execution, pop) }
        guard case .array(let found) = reply, case .array(let elements) = found[1] else { return reply }
        return .array([found[0], elements[0]])
    }

    /// `BZPOPMIN key... timeout`: `[key, member, score]` from the first non-empty sorted set.
    private static func blockingZPop(_ execution: inout StubExecution, _ command: RedisCommandArgv, min: Bool) throws(StubError) -> RedisValue {
        let timeout = try timeoutSeconds(command[command.count - 1])
        let pop = MultiPop(keys: Array(command[1..<(command.count - 1)]), first: min, count: 1)
        let reply = try blockUnlessFound(&execution, timeout) { (execution: inout StubExecution) throws(StubError) in try zmpop(&execution, pop) }
        guard case .array(let found) = reply, case .array(let pairs) = found[1], case .array(let pair) = pairs[0] else { return reply }
        return .array([found[0]] + pair)
    }

    /// The reply when there is one; otherwise null, with the execution marked blocked.
    static func blockUnlessFound(
        _ execution: inout StubExecution, _ milliseconds: Int64, retries: [RedisCommandArgv] = [],
        _ body: (inout StubExecution) throws(StubError) -> RedisValue
    ) throws(StubError) -> RedisValue {
        let reply = try body(&execution)
        if reply == .null { execution.block = StubBlock(milliseconds: milliseconds, retries: retries) }
        return reply
    }

    /// A timeout in seconds, as Redis 7.0 reads it: a long double, rounded up to whole
    /// milliseconds; 0 waits forever. What overflows a 64-bit count of milliseconds comes out
    /// negative in Redis's conversion, so it is refused as negative, as there.
    static func timeoutSeconds(_ bytes: [UInt8]) throws(StubError) -> Int64 {
        let seconds: Float80
        do {
            seconds = try LongDouble.parse(bytes)
        } catch {
            throw StubError("ERR timeout is not a float or out of range")
        }
        let milliseconds = (seconds * 1000).rounded(.up)
        guard milliseconds >= 0, milliseconds < 0x1p63 else { throw .negativeTimeout }
        return Int64(milliseconds)
    }

    /// A timeout in milliseconds (`XREAD BLOCK`): an integer, not negative.
    static func timeoutMilliseconds(_ bytes: [UInt8]) throws(StubError) -> Int64 {
        let milliseconds = try StubParse.integer(bytes, or: StubError("ERR timeout is not an integer or out of range"))
        guard milliseconds >= 0 else { throw .negativeTimeout }
        return milliseconds
    }
}

extension StubError {
    static let negativeTimeout = StubError("ERR timeout is negative")
}
