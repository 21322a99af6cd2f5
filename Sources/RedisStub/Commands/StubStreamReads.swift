import RedisClientCore

/// `XREAD [COUNT n] [BLOCK ms] STREAMS key... id...`: entries after each id; `$` stands for
/// the stream's last id when the command arrives, so a blocked XREAD waits for what comes
/// after it — the retry carries the ids it resolved.
extension StubCommands {
    static let streamReads: [String: StubCommand] = ["xread": StubCommand(-4, xread)]

    /// XREAD's and XREADGROUP's options, read as Redis reads both (one parser there too).
    struct StreamReadOptions {
        var count: Int64 = 0
        var block: Int64?
        var group: (name: [UInt8], consumer: [UInt8])?
        var noAck = false
        var streamsAt = 0
        var idsAt = 0
    }

    static func streamReadOptions(_ command: RedisCommandArgv, forGroup: Bool) throws(StubError) -> StreamReadOptions {
        var options = StreamReadOptions()
        var streamsAt: Int?
        var index = 1
        while index < command.count {
            let remaining = command.count - index - 1
            switch StubParse.upper(command[index]) {
            case "BLOCK" where remaining >= 1:
                options.block = try timeoutMilliseconds(command[index + 1])
                index += 1
            case "COUNT" where remaining >= 1:
                options.count = max(try StubParse.integer(command[index + 1]), 0)
                index += 1
            case "STREAMS" where remaining >= 1:
                streamsAt = index + 1
                index = command.count
                continue
            case "GROUP" where remaining >= 2:
                guard forGroup else { throw StubError("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.") }
                options.group = (command[index + 1], command[index + 2])
                index += 2
            case "NOACK":
                guard forGroup else { throw StubError("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.") }
                options.noAck = true
            default:
                throw .syntax
            }
            index += 1
        }
        guard let streamsAt else { throw .syntax }
        guard (command.count - streamsAt) % 2 == 0 else {
            throw StubError("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
        }
        options.streamsAt = streamsAt
        options.idsAt = streamsAt + (command.count - streamsAt) / 2
        return options
    }

    private static func xread(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        let options = try streamReadOptions(command, forGroup: false)
        let (count, block, streamsAt, idsAt) = (options.count, options.block, options.streamsAt, options.idsAt)
        let streamCount = idsAt - streamsAt

        // Each key's type, then its id, in order, before anything is read.
        var targets: [(key: [UInt8], stream: StubStream?, after: StreamID)] = []
        var resolved = command
        for offset in 0..<streamCount {
            let key = command[streamsAt + offset]
            let stream = try execution.database.stream(key, now: execution.now)
            let argument = command[idsAt + offset]
            let after: StreamID
            if argument == [UInt8(ascii: "$")] {
                after = stream?.lastID ?? .zero
                resolved[idsAt + offset] = after.bytes
            } else if argument == [UInt8(ascii: ">")] {
                throw StubError("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
            } else {
                guard let id = StreamID.parse(argument) else { throw .invalidStreamID }
                after = id
            }
            targets.append((key, stream, after))
        }

        var replies: [RedisValue] = []
        for target in targets {
            // Only a stream with an entry after `after` answers (its last id alone, moved by
            // XSETID or left by a deleted entry, is not enough).
            guard let stream = target.stream else { continue }
            var found = stream.entries[(target.after.successor.map(stream.index(from:)) ?? stream.entries.count)...]
            guard !found.isEmpty else { continue }
            if count > 0 { found = found.prefix(Int(clamping: count)) }
            replies.append(.array([.bulkString(target.key), .array(found.map { entryReply($0.id, $0.fields) })]))
        }
        if replies.isEmpty, let block {
            // Woken by one stream, Redis answers with that stream alone.
            let options = Array(resolved[..<streamsAt])
            let retries = (0..<streamCount).map { options + [resolved[streamsAt + $0], resolved[idsAt + $0]] }
            execution.block = StubBlock(milliseconds: block, retries: retries)
        }
        return replies.isEmpty ? .null : .array(replies)
    }
}
