import RedisClientCore
extension StubError {
    static let invalidStreamID = StubError("ERR Invalid stream ID specified as stream command argument")
    static let streamTopItem = StubError("ERR The ID specified in XADD is equal or smaller than the target stream top item")

    static func noGroup(_ key: [UInt8], _ group: [UInt8], suffix: String = "") -> StubError {
        StubError(
            "NOGROUP No such key '\(String(decoding: key, as: UTF8.self))' or consumer group '\(String(decoding: group, as: UTF8.self))'\(suffix)"
        )
    }
}

extension StubCommands {
    static let streams: [String: StubCommand] = [
        "xadd": StubCommand(-5, xadd),
        "xlen": StubCommand(2) { execution, command throws(StubError) in
            .integer(try execution.database.stream(command[1], now: execution.now)?.entries.count ?? 0)
        },
        "xrange": StubCommand(-4) { execution, command throws(StubError) in
            try xrange(&execution, command, reverse: false)
        },
        "xrevrange": StubCommand(-4) { execution, command throws(StubError) in
            try xrange(&execution, command, reverse: true)
        },
        "xdel": StubCommand(-3) { execution, command throws(StubError) in
            // A missing key answers 0 before the ids are even parsed, as in Redis.
            guard let stream = try execution.database.stream(command[1], now: execution.now) else { return .integer(0) }
            return .integer(try streamIDs(command.dropFirst(2)).filter { stream.remove($0) }.count)
        },
        "xgroup": StubCommand(-2, subcommands: ["CREATE": -5, "DESTROY": 4, "CREATECONSUMER": 5, "DELCONSUMER": 5, "SETID": -5], xgroup),
        "xreadgroup": StubCommand(-7, xreadgroup),
        "xack": StubCommand(-4) { execution, command throws(StubError) in
            guard let group = try execution.database.stream(command[1], now: execution.now)?.groups[command[2]] else {
                return .integer(0)
            }
            let ids = try streamIDs(command.dropFirst(3))
            return .integer(ids.filter { group.pending.removeValue(forKey: $0) != nil }.count)
        },
        "xpending": StubCommand(-3, xpending),
    ]

    /// Every id parsed before any is used: the command is all or nothing.
    private static func streamIDs(_ arguments: ArraySlice<[UInt8]>) throws(StubError) -> [StreamID] {
        var ids: [StreamID] = []
        for argument in arguments {
            guard let id = StreamID.parse(argument) else { throw .invalidStreamID }
            ids.append(id)
        }
        return ids
    }

    /// `XADD key [NOMKSTREAM] [MAXLEN [=|~] n [LIMIT c]] *|ms-*|ms-seq field value ...`.
    private static func xadd(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        var makeStream = true
        var maxLength: (count: Int64, approximate: Bool)?
        var index = 2
        parsing: while index < command.count {
            let remaining = command.count - index - 1
            switch StubParse.upper(command[index]) {
            case "NOMKSTREAM":
                makeStream = false
            case "MAXLEN" where remaining >= 1:
                var approximate = false
                if command[index + 1] == [UInt8(ascii: "~")] || command[index + 1] == [UInt8(ascii: "=")] {
                    approximate = command[index + 1] == [UInt8(ascii: "~")]
                    index += 1
                }
                guard index + 1 < command.count else { throw .syntax }
                let count = try StubParse.integer(command[index + 1])
                guard count >= 0 else { throw StubError("ERR The MAXLEN argument must be >= 0.") }
                maxLength = (count, approximate)
                index += 1
            case "LIMIT" where remaining >= 1:
                guard maxLength?.approximate == true else {
                    throw StubError("ERR syntax error, LIMIT cannot be used without the special ~ option")
                }
                _ = try StubParse.integer(command[index + 1])
                index += 1
            default:
                break parsing
            }
            index += 1
        }
        guard index < command.count else { throw .arity("xadd") }
        // The id is parsed before the fields are counted, as Redis does.
        let request = try XAddID(command[index])
        let fieldCount = command.count - index - 1
        guard fieldCount >= 2, fieldCount % 2 == 0 else { throw .arity("xadd") }
        if case .explicit(.zero) = request { throw StubError("ERR The ID specified in XADD must be greater than 0-0") }
        guard let stream = try execution.database.stream(command[1], now: execution.now, create: makeStream) else {
            return .null
        }
        let id = try request.next(after: stream.lastID, now: execution.now)
        stream.entries.append((id, Array(command[(index + 1)...])))
        stream.lastID = id
        stream.entriesAdded += 1
        if let maxLength {
            var excess = stream.entries.count - Int(maxLength.count)
            // `~` trims whole macro nodes only; Redis's hold 100 entries by default.
            if maxLength.approximate { excess = excess / 100 * 100 }
            if excess > 0 { stream.entries.removeFirst(excess) }
        }
        return .bulkString(id.bytes)
    }

    /// XADD's id argument: `*`, `ms-*` or `ms-seq`, parsed before the fields are counted and the
    /// key is looked up.
    private enum XAddID {
        case automatic
        case partial(milliseconds: UInt64)
        case explicit(StreamID)

        init(_ argument: [UInt8]) throws(StubError) {
            if argument == [UInt8(ascii: "*")] {
                self = .automatic
            } else if argument.count > 2, argument.suffix(2) == Array("-*".utf8) {
                guard let base = StreamID.parse(Array(argument.dropLast(2))), base.sequence == 0 else { throw .invalidStreamID }
                self = .partial(milliseconds: base.milliseconds)
            } else {
                guard let id = StreamID.parse(argument) else { throw .invalidStreamID }
                self = .explicit(id)
            }
        }

        /// The new entry's id, by Redis's monotonic rules.
        func next(after last: StreamID, now: Int64) throws(StubError) -> StreamID {
            switch self {
            case .automatic:
                let milliseconds = UInt64(max(now, 0))
                if milliseconds > last.milliseconds { return StreamID(milliseconds: milliseconds, sequence: 0) }
                guard let next = last.successor else { throw .streamTopItem }
                return next
            case .partial(let milliseconds):
                if milliseconds > last.milliseconds { return StreamID(milliseconds: milliseconds, sequence: 0) }
                guard milliseconds == last.milliseconds, last.sequence < .max else { throw .streamTopItem }
                return StreamID(milliseconds: milliseconds, sequence: last.sequence + 1)
            case .explicit(let id):
                guard id > last else { throw .streamTopItem }
                return id
            }
        }
    }

    /// A range bound: `-`, `+`, `ms`, `ms-seq`, or `(id` for an exclusive one.
    static func rangeBound(_ argument: [UInt8], isStart: Bool) throws(StubError) -> StreamID? {
        if argument == [UInt8(ascii: "-")] { return .zero }
        if argument == [UInt8(ascii: "+")] { return .max }
        if argument.first == UInt8(ascii: "(") {
            guard let id = StreamID.parse(Array(argument.dropFirst()), missingSequence: isStart ? 0 : .max) else {
                throw .invalidStreamID
            }
            // An exclusive bound past either end leaves nothing to return.
            return isStart ? id.successor : id.predecessor
        }
        guard let id = StreamID.parse(argument, missingSequence: isStart ? 0 : .max) else { throw .invalidStreamID }
        return id
    }

    private static func xrange(_ execution: inout StubExecution, _ command: RedisCommandArgv, reverse: Bool) throws(StubError) -> RedisValue {
        let (startArgument, endArgument) = reverse ? (command[3], command[2]) : (command[2], command[3])
        let start = try rangeBound(startArgument, isStart: true)
        let end = try rangeBound(endArgument, isStart: false)
        var count: Int64 = -1
        var index = 4
        while index < command.count {
            guard StubParse.upper(command[index]) == "COUNT", index + 1 < command.count else { throw .syntax }
            count = max(try StubParse.integer(command[index + 1]), 0)
            index += 2
        }
        guard let stream = try execution.database.stream(command[1], now: execution.now) else { return .array([]) }
        if count == 0 { return .null }
        guard let start, let end, start <= end else { return .array([]) }
        var found = stream.entries[stream.index(from: start)...].prefix { $0.id <= end }.map { $0 }
        if reverse { found.reverse() }
        if count > 0 { found = Array(found.prefix(Int(min(count, Int64(found.count))))) }
        return .array(found.map { entryReply($0.id, $0.fields) })
    }

    static func entryReply(_ id: StreamID, _ fields: [[UInt8]]?) -> RedisValue {
        .array([.bulkString(id.bytes), fields.map(RedisValue.bulks) ?? .null])
    }

    /// ENTRIESREAD's value: a count, or -1 for unknown (nil).
    private static func entriesReadArgument(_ bytes: [UInt8]) throws(StubError) -> Int64? {
        let value = try StubParse.integer(bytes)
        guard value >= 0 || value == -1 else { throw StubError("ERR value for ENTRIESREAD must be positive or -1") }
        return value == -1 ? nil : value
    }

    /// `XGROUP CREATE|DESTROY|CREATECONSUMER|DELCONSUMER|SETID ...`.
    private static func xgroup(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        let subcommand = StubParse.upper(command[1])
        let key = command[2]
        let groupName = command[3]
        var makeStream = false
        var entriesRead: Int64?
        let subcommandSyntax = StubError(
            "ERR unknown subcommand or wrong number of arguments for '\(String(decoding: command[1], as: UTF8.self))'. Try XGROUP HELP."
        )
        // SETID's ENTRIESREAD, like CREATE's options, is read before the key is looked up.
        if subcommand == "SETID" && command.count != 5 {
            guard command.count == 7 && StubParse.upper(command[5]) == "ENTRIESREAD" else { throw subcommandSyntax }
            entriesRead = try entriesReadArgument(command[6])
        }
        if subcommand == "CREATE" {
            var index = 5
            while index < command.count {
                switch StubParse.upper(command[index]) {
                case "MKSTREAM": makeStream = true
                case "ENTRIESREAD" where index + 1 < command.count:
                    entriesRead = try entriesReadArgument(command[index + 1])
                    index += 1
                default: throw subcommandSyntax
                }
                index += 1
            }
        }
        let database = execution.database
        var stream = try database.stream(key, now: execution.now)
        if stream == nil && makeStream {
            stream = try database.stream(key, now: execution.now, create: true)
        }
        guard let stream else {
            throw StubError(
                "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
            )
        }
        func startID(_ argument: [UInt8]) throws(StubError) -> StreamID {
            if argument == [UInt8(ascii: "$")] { return stream.lastID }
            guard let id = StreamID.parse(argument) else { throw .invalidStreamID }
            return id
        }
        switch subcommand {
        case "CREATE":
            let id = try startID(command[4])
            guard stream.groups[groupName] == nil else { throw StubError("BUSYGROUP Consumer Group name already exists") }
            let group = StubConsumerGroup(lastDelivered: id)
            group.entriesRead = entriesRead
            stream.groups[groupName] = group
            return .ok
        case "DESTROY":
            return .bool(stream.groups.removeValue(forKey: groupName) != nil)
        default:
            guard let group = stream.groups[groupName] else {
                throw StubError("NOGROUP No such consumer group '\(String(decoding: groupName, as: UTF8.self))' for key name '\(String(decoding: key, as: UTF8.self))'")
            }
            switch subcommand {
            case "SETID":
                group.lastDelivered = try startID(command[4])
                group.entriesRead = entriesRead
                return .ok
            case "CREATECONSUMER":
                guard group.consumers[command[4]] == nil else { return .integer(0) }
                group.consumers[command[4]] = execution.now
                return .integer(1)
            default:
                let pending = group.pendingIDs(of: command[4])
                for id in pending { group.pending.removeValue(forKey: id) }
                group.consumers.removeValue(forKey: command[4])
                return .integer(pending.count)
            }
        }
    }

    /// `XREADGROUP GROUP g c [COUNT n] [BLOCK ms] [NOACK] STREAMS key... id...`.
    private static func xreadgroup(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        let options = try streamReadOptions(command, forGroup: true)
        guard let (group, consumer) = options.group else { throw StubError("ERR Missing GROUP option for XREADGROUP") }
        let (count, block, noAck) = (options.count, options.block, options.noAck)
        let keys = Array(command[options.streamsAt..<options.idsAt])
        let ids = Array(command[options.idsAt...])

        // Every stream and id is checked before anything is read.
        var targets: [(key: [UInt8], stream: StubStream, group: StubConsumerGroup, from: StreamID?)] = []
        for (key, idArgument) in zip(keys, ids) {
            let stream = try execution.database.stream(key, now: execution.now)
            guard let stream, let consumerGroup = stream.groups[group] else {
                throw .noGroup(key, group, suffix: " in XREADGROUP with GROUP option")
            }
            var from: StreamID?
            if idArgument != [UInt8(ascii: ">")] {
                guard let id = StreamID.parse(idArgument) else { throw .invalidStreamID }
                from = id
            }
            targets.append((key, stream, consumerGroup, from))
        }

        var replies: [RedisValue] = []
        for target in targets {
            let consumerGroup = target.group
            if let from = target.from {
                consumerGroup.consumers[consumer] = execution.now
                // History: this consumer's pending entries after `from`, delivered again.
                var history = consumerGroup.pendingIDs(of: consumer).filter { $0 > from }
                if count > 0 { history = Array(history.prefix(Int(min(count, Int64(history.count))))) }
                let entries = history.map { id -> RedisValue in
                    consumerGroup.pending[id]?.deliveredAt = execution.now
                    consumerGroup.pending[id]?.deliveryCount += 1
                    return entryReply(id, target.stream.entry(id))
                }
                replies.append(.array([.bulkString(target.key), .array(entries)]))
                continue
            }
            let start = consumerGroup.lastDelivered.successor ?? .max
            var fresh = target.stream.entries[target.stream.index(from: start)...].map { $0 }
            if count > 0 { fresh = Array(fresh.prefix(Int(min(count, Int64(fresh.count))))) }
            // Redis creates the consumer only when there is something to serve it.
            guard !fresh.isEmpty else { continue }
            consumerGroup.consumers[consumer] = execution.now
            for entry in fresh {
                if !noAck { consumerGroup.pending[entry.id] = PendingDelivery(consumer: consumer, deliveredAt: execution.now, deliveryCount: 1) }
                target.stream.deliver(entry.id, to: consumerGroup)
            }
            replies.append(.array([.bulkString(target.key), .array(fresh.map { entryReply($0.id, $0.fields) })]))
        }
        if replies.isEmpty {
            if let block { execution.block = StubBlock(milliseconds: block, retries: []) }
            return .null
        }
        return .array(replies)
    }

    /// `XPENDING key group [[IDLE ms] start end count [consumer]]`.
    private static func xpending(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        guard command.count == 3 || (6...9).contains(command.count) else { throw .syntax }
        var minIdle: Int64 = 0
        var index = 3
        if command.count > 3 && StubParse.upper(command[3]) == "IDLE" {
            guard command.count >= 8 else { throw .syntax }
            minIdle = try StubParse.integer(command[4])
            index = 5
        }
        var range: (start: StreamID?, end: StreamID?, count: Int64, consumer: [UInt8]?)?
        if command.count > 3 {
            guard command.count - index <= 4, command.count - index >= 3 else { throw .syntax }
            let start = try rangeBound(command[index], isStart: true)
            let end = try rangeBound(command[index + 1], isStart: false)
            let count = max(try StubParse.integer(command[index + 2]), 0)
            range = (start, end, count, index + 3 < command.count ? command[index + 3] : nil)
        }
        guard let group = try execution.database.stream(command[1], now: execution.now)?.groups[command[2]] else {
            throw .noGroup(command[1], command[2])
        }
        guard let range else {
            let ids = group.pendingIDs()
            guard let first = ids.first, let last = ids.last else { return .array([.integer(0), .null, .null, .null]) }
            var perConsumer: [[UInt8]: Int] = [:]
            for delivery in group.pending.values { perConsumer[delivery.consumer, default: 0] += 1 }
            let consumers = perConsumer.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map {
                RedisValue.bulks([$0.key, StubFormat.integer(Int64($0.value))])
            }
            return .array([.integer(ids.count), .bulkString(first.bytes), .bulkString(last.bytes), .array(consumers)])
        }
        guard let start = range.start, let end = range.end, start <= end, range.count > 0 else { return .array([]) }
        let rows = group.pendingIDs(of: range.consumer)
            .filter { $0 >= start && $0 <= end && execution.now - group.pending[$0]!.deliveredAt >= minIdle }
            .prefix(Int(min(range.count, Int64(Int.max))))
            .map { id -> RedisValue in
                let delivery = group.pending[id]!
                return .array([
                    .bulkString(id.bytes), .bulkString(delivery.consumer),
                    .integer(execution.now - delivery.deliveredAt), .integer(delivery.deliveryCount),
                ])
            }
        return .array(rows)
    }
}
