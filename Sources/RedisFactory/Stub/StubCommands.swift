/// One command the stub knows: its arity as Redis declares it (positive: exact; negative:
/// at least) and its handler.
struct StubCommand: Sendable {
    typealias Handler = @Sendable (inout StubExecution, RedisCommandArgv) throws(StubError) -> RedisValue

    let arity: Int
    let run: Handler

    init(_ arity: Int, _ run: @escaping Handler) {
        self.arity = arity
        self.run = run
    }
}

enum StubCommands {
    /// Every command, by lower-case name; each family adds its own table.
    static let table: [String: StubCommand] = {
        var table: [String: StubCommand] = [:]
        for family in [connection, strings, keys, sets, sortedSets, hashes, lists, streams, scripting, server] {
            table.merge(family, uniquingKeysWith: { first, _ in first })
        }
        return table
    }()

    /// The command's handler, after Redis's own checks: known name, right arity.
    static func lookup(_ command: RedisCommandArgv) throws(StubError) -> StubCommand {
        guard let first = command.first else { throw StubError("ERR unknown command ''") }
        let name = String(decoding: first, as: UTF8.self).lowercased()
        guard let handler = table[name] else { throw unknownCommand(command) }
        let arity = handler.arity
        guard arity > 0 ? command.count == arity : command.count >= -arity else { throw .arity(name) }
        return handler
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
