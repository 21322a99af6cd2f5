import RedisClientCore
extension StubCommands {
    static let connection: [String: StubCommand] = [
        "ping": StubCommand(-1) { _, command throws(StubError) in
            switch command.count {
            case 1: return .simpleString("PONG")
            case 2: return .bulkString(command[1])
            default: throw .arity("ping")
            }
        },
        "echo": StubCommand(2) { _, command in .bulkString(command[1]) },
        "select": StubCommand(2) { execution, command throws(StubError) in
            let index = try StubParse.integer(command[1])
            guard (0..<Int64(StubStore.databaseCount)).contains(index) else { throw StubError("ERR DB index is out of range") }
            execution.databaseIndex = Int(index)
            return .ok
        },
        // The stub has no users: any credentials are accepted.
        "auth": StubCommand(-2) { _, command throws(StubError) in
            guard command.count <= 3 else { throw .syntax }
            return .ok
        },
        "quit": StubCommand(-1) { _, _ in .ok },
    ]
}
