import RedisClientCore
/// One command the stub knows: its arity as Redis declares it (positive: exact; negative:
/// at least) and its handler.
struct StubCommand: Sendable {
    typealias Handler = @Sendable (inout StubExecution, RedisCommandArgv) throws(StubError) -> RedisValue

    let arity: Int
    /// For container commands (`XGROUP`, `SCRIPT`): each subcommand's arity, checked with the
    /// command's own before it runs or is queued.
    let subcommands: [String: Int]?
    /// Refused before it runs or is queued (a protected command, as DEBUG is by default).
    let refusal: StubError?
    let run: Handler

    init(_ arity: Int, subcommands: [String: Int]? = nil, refusal: StubError? = nil, _ run: @escaping Handler) {
        self.arity = arity
        self.subcommands = subcommands
        self.refusal = refusal
        self.run = run
    }

    func accepts(argumentCount count: Int) -> Bool {
        Self.accepts(arity: arity, count: count)
    }

    /// Redis's arity: positive means exactly, negative means at least.
    static func accepts(arity: Int, count: Int) -> Bool {
        arity > 0 ? count == arity : count >= -arity
    }
}

enum StubCommands {
    /// Every command, by lower-case name; each family adds its own table.
    static let table: [String: StubCommand] = {
        var table: [String: StubCommand] = [:]
        for family in [connection, strings, stringEdits, lcs, bitmaps, keys, keyMoves, sets, setAlgebra, sortedSets, sortedSetMore, lexRanges, hashes, hashFields, lists, listEdits, blocking, streams, streamReads, streamClaims, streamInfo, streamTrims, scripting, server, standalone, publishing, watching, sorting, bitfields, hyperLogLogs, geo, functions, latency, lolwut, memory, dumping, introspection, acl] {
            table.merge(family, uniquingKeysWith: { first, _ in first })
        }
        return table
    }()

    /// The command's handler, after Redis's own checks: known name, right arity.
    static func lookup(_ command: RedisCommandArgv) throws(StubError) -> StubCommand {
        guard let first = command.first else { throw StubError("ERR unknown command ''") }
        let name = lowercasedCommandName(first)
        guard let handler = table[name] else { throw unknownCommand(command) }
        guard handler.accepts(argumentCount: command.count) else { throw .arity(name) }
        if let refusal = handler.refusal { throw refusal }
        if let subcommands = handler.subcommands {
            let subcommand = String(decoding: command[1], as: UTF8.self)
            guard let arity = subcommands[subcommand.uppercased()] else {
                throw StubError("ERR unknown subcommand '\(subcommand)'. Try \(name.uppercased()) HELP.")
            }
            guard StubCommand.accepts(arity: arity, count: command.count) else { throw .arity("\(name)|\(subcommand.lowercased())") }
        }
        return handler
    }

    /// `SREM` / `HDEL` / `ZREM`: removes the named members, deletes the key once it is empty,
    /// answers how many were there.
    static func removeMembers<T: StubContainer>(
        _ execution: inout StubExecution, _ command: RedisCommandArgv, from _: T.Type, _ remove: (T, [UInt8]) -> Bool
    ) throws(StubError) -> RedisValue {
        guard let container: T = try execution.database.container(command[1], now: execution.now) else { return .integer(0) }
        let removed = command.dropFirst(2).filter { remove(container, $0) }.count
        execution.database.removeIfEmpty(command[1])
        return .integer(removed)
    }

    /// Redis 7.0's text, arguments quoted and cut at 128 characters.
    static func unknownCommand(_ command: RedisCommandArgv) -> StubError {
        var arguments = ""
        for argument in command.dropFirst() where arguments.utf8.count < 128 {
            let room = 128 - arguments.utf8.count
            arguments += "'" + String(decoding: argument.prefix(room), as: UTF8.self) + "' "
        }
        let name = String(decoding: command[0].prefix(128), as: UTF8.self)
        let text = "ERR unknown command '\(name)', with args beginning with: \(arguments)"
        return StubError(String(text.map { $0 == "\r" || $0 == "\n" ? " " : $0 }))
    }
}

extension RedisValue {
    static let ok = RedisValue.simpleString("OK")

    static func integer(_ value: Int) -> RedisValue { .integer(Int64(value)) }

    static func bool(_ value: Bool) -> RedisValue { .integer(value ? 1 : 0) }

    static func bulks(_ values: [[UInt8]]) -> RedisValue { .array(values.map(RedisValue.bulkString)) }
}
