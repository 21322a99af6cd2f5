import RedisClientCore

/// DUMP and RESTORE in Redis 7.0's payload format (Dump/), so that a payload moves between
/// the stub and a real Redis either way; RESTORE's options and errors as Redis checks them,
/// in its order.
extension StubCommands {
    static let dumping: [String: StubCommand] = [
        "dump": StubCommand(2) { execution, command throws(StubError) in
            guard let entry = execution.database.entry(command[1], now: execution.now) else { return .null }
            return .bulkString(RDB.payload(StubDump.object(entry)))
        },
        "restore": StubCommand(-4) { execution, command throws(StubError) in
            var (replace, absolute) = (false, false)
            var (idleSeconds, frequency): (Int64?, Int64?) = (nil, nil)
            var index = 4
            while index < command.count {
                let hasValue = index + 1 < command.count
                switch StubParse.upper(command[index]) {
                case "REPLACE": replace = true
                case "ABSTTL": absolute = true
                case "IDLETIME" where hasValue && frequency == nil:
                    idleSeconds = try StubParse.integer(command[index + 1])
                    guard idleSeconds! >= 0 else { throw StubError("ERR Invalid IDLETIME value, must be >= 0") }
                    index += 1
                case "FREQ" where hasValue && idleSeconds == nil:
                    frequency = try StubParse.integer(command[index + 1])
                    guard (0...255).contains(frequency!) else { throw StubError("ERR Invalid FREQ value, must be >= 0 and <= 255") }
                    index += 1
                default:
                    throw .syntax
                }
                index += 1
            }
            let database = execution.database
            if !replace && database.exists(command[1], now: execution.now) { throw StubError("BUSYKEY Target key name already exists.") }
            var ttl = try StubParse.integer(command[2])
            guard ttl >= 0 else { throw StubError("ERR Invalid TTL value, must be >= 0") }
            guard let object = RDB.object(inPayload: command[3]) else { throw StubError("ERR DUMP payload version or checksum are wrong") }
            guard let value = StubDump.value(object) else { throw StubError("ERR Bad data format") }
            if replace { database.remove(command[1]) }
            if ttl > 0 && !absolute { ttl += execution.now }
            // A deadline already past: the key is not created (and REPLACE's old one is gone).
            if ttl > 0 && ttl <= execution.now { return .ok }
            database.put(command[1], value, expiresAt: ttl > 0 ? ttl : nil)
            database.restoreAccess(command[1], idleSeconds: idleSeconds, frequency: frequency)
            return .ok
        },
    ]
}
