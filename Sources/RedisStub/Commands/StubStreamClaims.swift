import RedisClientCore

/// `XCLAIM` and `XAUTOCLAIM`: pending entries taken over by another consumer, as Redis 7.0
/// does it — entries deleted from the stream leave the pending list (XAUTOCLAIM names them),
/// the delivery count grows unless JUSTID, the claiming consumer is created on its first claim.
extension StubCommands {
    static let streamClaims: [String: StubCommand] = [
        "xclaim": StubCommand(-6, xclaim),
        "xautoclaim": StubCommand(-6, xautoclaim),
    ]

    /// `XCLAIM key group consumer min-idle id... [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE] [JUSTID] [LASTID id]`.
    private static func xclaim(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        let (stream, group) = try streamGroup(&execution, command)
        let minIdle = max(0, try StubParse.integer(command[4], or: StubError("ERR Invalid min-idle-time argument for XCLAIM")))
        // The ids run up to the first argument that is not one; options follow.
        var ids: [StreamID] = []
        var index = 5
        while index < command.count, let id = StreamID.parse(command[index]) {
            ids.append(id)
            index += 1
        }
        var force = false
        var justID = false
        var deliveredAt: Int64?
        var retryCount: Int64 = -1
        var lastID = StreamID.zero
        while index < command.count {
            let option = StubParse.upper(command[index])
            let hasValue = index + 1 < command.count
            switch option {
            case "FORCE": force = true
            case "JUSTID": justID = true
            case "IDLE" where hasValue:
                index += 1
                deliveredAt = execution.now - (try StubParse.integer(command[index], or: StubError("ERR Invalid IDLE option argument for XCLAIM")))
            case "TIME" where hasValue:
                index += 1
                deliveredAt = try StubParse.integer(command[index], or: StubError("ERR Invalid TIME option argument for XCLAIM"))
            case "RETRYCOUNT" where hasValue:
                index += 1
                retryCount = try StubParse.integer(command[index], or: StubError("ERR Invalid RETRYCOUNT option argument for XCLAIM"))
            case "LASTID" where hasValue:
                index += 1
                guard let id = StreamID.parse(command[index]) else { throw .invalidStreamID }
                lastID = id
            default:
                throw StubError("ERR Unrecognized XCLAIM option '\(String(decoding: command[index], as: UTF8.self))'")
            }
            index += 1
        }
        if lastID > group.lastDelivered { group.lastDelivered = lastID }
        // A time in the future or before the epoch is taken as now, as Redis takes it.
        let deliveryTime = deliveredAt.flatMap { $0 < 0 || $0 > execution.now ? nil : $0 } ?? execution.now

        var claimed: [RedisValue] = []
        for id in ids {
            guard let fields = stream.entry(id) else {
                group.pending[id] = nil
                continue
            }
            if force && group.pending[id] == nil {
                group.pending[id] = PendingDelivery(consumer: [], deliveredAt: execution.now, deliveryCount: 1)
            }
            guard var delivery = group.pending[id] else { continue }
            if minIdle > 0 && execution.now - delivery.deliveredAt < minIdle { continue }
            group.consumers[command[3]] = execution.now
            delivery.consumer = command[3]
            delivery.deliveredAt = deliveryTime
            if retryCount >= 0 {
                delivery.deliveryCount = retryCount
            } else if !justID {
                delivery.deliveryCount += 1
            }
            group.pending[id] = delivery
            claimed.append(justID ? .bulkString(id.bytes) : entryReply(id, fields))
        }
        return .array(claimed)
    }

    /// `XAUTOCLAIM key group consumer min-idle start [COUNT n] [JUSTID]`: `[next cursor,
    /// claimed, deleted ids]`, scanning at most ten pending entries per one asked for.
    private static func xautoclaim(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        let minIdle = max(0, try StubParse.integer(command[4], or: StubError("ERR Invalid min-idle-time argument for XAUTOCLAIM")))
        guard let start = try rangeBound(command[5], isStart: true) else { throw StubError("ERR invalid start ID for the interval") }
        var count: Int64 = 100
        var justID = false
        var index = 6
        while index < command.count {
            switch StubParse.upper(command[index]) {
            case "COUNT" where index + 1 < command.count:
                index += 1
                count = try StubParse.integer(command[index], or: StubError("ERR COUNT must be > 0"))
                guard (1...(Int64.max / 16)).contains(count) else { throw StubError("ERR COUNT must be > 0") }
            case "JUSTID":
                justID = true
            default:
                throw .syntax
            }
            index += 1
        }
        let (stream, group) = try streamGroup(&execution, command)
        // Redis allocates room for `count` 16-byte ids up front, which fails past x86-64's
        // 128 TiB of address space.
        guard count <= (1 << 47) / 16 else { throw StubError("ERR Insufficient memory, failed allocating transient memory, COUNT too high.") }

        let pending = group.pending.keys.filter { $0 >= start }.sorted()
        var attempts = count * 10
        var remaining = count
        var next = 0
        var claimed: [RedisValue] = []
        var deleted: [RedisValue] = []
        while attempts > 0 && remaining > 0 && next < pending.count {
            attempts -= 1
            let id = pending[next]
            next += 1
            guard let fields = stream.entry(id) else {
                group.pending[id] = nil
                deleted.append(.bulkString(id.bytes))
                remaining -= 1
                continue
            }
            guard var delivery = group.pending[id], minIdle == 0 || execution.now - delivery.deliveredAt >= minIdle else { continue }
            group.consumers[command[3]] = execution.now
            delivery.consumer = command[3]
            delivery.deliveredAt = execution.now
            if !justID { delivery.deliveryCount += 1 }
            group.pending[id] = delivery
            claimed.append(justID ? .bulkString(id.bytes) : entryReply(id, fields))
            remaining -= 1
        }
        let cursor = next < pending.count ? pending[next] : .zero
        return .array([.bulkString(cursor.bytes), .array(claimed), .array(deleted)])
    }

    /// The stream and its consumer group, or Redis's NOGROUP error.
    private static func streamGroup(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> (StubStream, StubConsumerGroup) {
        guard let stream = try execution.database.stream(command[1], now: execution.now), let group = stream.groups[command[2]] else {
            throw .noGroup(command[1], command[2])
        }
        return (stream, group)
    }
}
