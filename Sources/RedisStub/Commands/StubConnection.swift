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
        // `AUTH password` as the default user, `AUTH user password` as any.
        "auth": StubCommand(-2) { execution, command throws(StubError) in
            guard command.count <= 3 else { throw .syntax }
            let user = command.count == 3 ? command[1] : Array("default".utf8)
            if command.count == 2, execution.state.users["default"]?.noPass == true {
                throw StubError("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
            }
            guard let client = execution.session.client else { return .ok }
            let name = String(decoding: user, as: UTF8.self)
            guard execution.state.users[name]?.accepts(password: command.last!) == true else {
                execution.state.logAclRefusal(
                    reason: "auth", context: execution.inTransaction ? "multi" : "toplevel", object: String(decoding: command[0], as: UTF8.self),
                    username: name, client: client, now: execution.now
                )
                throw StubError("WRONGPASS invalid username-password pair or user is disabled.")
            }
            client.user = name
            client.authenticated = true
            return .ok
        },
        "quit": StubCommand(-1) { _, _ in .ok },
    ]
}
