import RedisClientCore

/// `XTRIM` and `XSETID`. A stream's entries sit in nodes of up to 100 (Redis's
/// `stream-node-max-entries`); `~` trims whole nodes only, modelled as runs of 100 from the
/// first entry.
extension StubCommands {
    static let streamTrims: [String: StubCommand] = [
        "xtrim": StubCommand(-4) { execution, command throws(StubError) in
            let strategy = StubParse.upper(command[2])
            guard strategy == "MAXLEN" || strategy == "MINID" else { throw .syntax }
            var index = 3
            var approximate = false
            // An operator only when a threshold follows it; else it is the threshold.
            if (command[index] == Array("~".utf8) || command[index] == Array("=".utf8)) && index + 1 < command.count {
                approximate = command[index] == Array("~".utf8)
                index += 1
            }
            guard index < command.count else { throw .syntax }
            // Redis's order: the threshold as it is read, then LIMIT, then whether LIMIT may be.
            let threshold = command[index]
            index += 1
            let trims: (StubStream) -> Int
            if strategy == "MAXLEN" {
                let maxLength = try StubParse.integer(threshold)
                guard maxLength >= 0 else { throw StubError("ERR The MAXLEN argument must be >= 0.") }
                trims = { stream in max(stream.entries.count - Int(clamping: maxLength), 0) }
            } else {
                guard let minimum = StreamID.parse(threshold) else { throw .invalidStreamID }
                trims = { stream in stream.index(from: minimum) }
            }
            var limit = approximate ? 100 * 100 : 0
            if index < command.count {
                guard StubParse.upper(command[index]) == "LIMIT", index + 2 == command.count else { throw .syntax }
                let value = try StubParse.integer(command[index + 1])
                guard value >= 0 else { throw StubError("ERR The LIMIT argument must be >= 0.") }
                guard approximate else { throw StubError("ERR syntax error, LIMIT cannot be used without the special ~ option") }
                limit = Int(clamping: value)
            }
            guard let stream = try execution.database.stream(command[1], now: execution.now) else { return .integer(0) }
            var removed = trims(stream)
            if approximate {
                // Whole nodes only, and no more entries than the limit (0: no limit).
                var whole = 0
                while whole < stream.entries.count {
                    let node = min(100, stream.entries.count - whole)
                    guard whole + node <= removed, limit == 0 || whole + node <= limit else { break }
                    whole += node
                }
                removed = whole
            }
            stream.entries.removeFirst(removed)
            return .integer(removed)
        },
        "xsetid": StubCommand(-3) { execution, command throws(StubError) in
            guard let id = StreamID.parse(command[2]) else { throw .invalidStreamID }
            var entriesAdded: Int64?
            var maxDeletedID: StreamID?
            var index = 3
            while index < command.count {
                guard index + 1 < command.count else { throw .syntax }
                switch StubParse.upper(command[index]) {
                case "ENTRIESADDED":
                    entriesAdded = try StubParse.integer(command[index + 1])
                    guard entriesAdded! >= 0 else { throw StubError("ERR entries_added must be positive") }
                case "MAXDELETEDID":
                    guard let parsed = StreamID.parse(command[index + 1]) else { throw .invalidStreamID }
                    guard id >= parsed else { throw StubError("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id") }
                    maxDeletedID = parsed
                default:
                    throw .syntax
                }
                index += 2
            }
            guard let stream = try execution.database.stream(command[1], now: execution.now) else { throw StubError("ERR no such key") }
            // The top item first, then the length, as Redis 7.0 checks them.
            if let top = stream.entries.last?.id, id < top {
                throw StubError("ERR The ID specified in XSETID is smaller than the target stream top item")
            }
            if let entriesAdded, entriesAdded < stream.entries.count {
                throw StubError("ERR The entries_added specified in XSETID is smaller than the target stream length")
            }
            stream.lastID = id
            if let entriesAdded { stream.entriesAdded = entriesAdded }
            if let maxDeletedID, maxDeletedID != .zero { stream.maxDeletedID = maxDeletedID }
            return .ok
        },
    ]
}
