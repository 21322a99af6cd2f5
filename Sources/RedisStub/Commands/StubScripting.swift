import RedisClientCore
extension StubCommands {
    /// Commands a script may not call, as in Redis.
    static let notAllowedInScripts: Set<String> = [
        "eval", "evalsha", "script", "multi", "exec", "discard", "watch", "unwatch",
        "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe",
    ]

    static let scripting: [String: StubCommand] = [
        "eval": StubCommand(-3) { execution, command throws(StubError) in
            let (keys, arguments) = try scriptArguments(command)
            let sha = SHA1.hex(command[1])
            try execution.state.lua.load(sha: sha, body: command[1])
            execution.state.scripts[sha] = command[1]
            return execution.state.lua.run(
                sha: sha, keys: keys, arguments: arguments,
                timeLimitMilliseconds: execution.state.scriptTimeLimitMilliseconds, execution: &execution
            )
        },
        "evalsha": StubCommand(-3) { execution, command throws(StubError) in
            let (keys, arguments) = try scriptArguments(command)
            let sha = String(decoding: command[1], as: UTF8.self).lowercased()
            guard execution.state.scripts[sha] != nil else { throw StubError("NOSCRIPT No matching script. Please use EVAL.") }
            return execution.state.lua.run(
                sha: sha, keys: keys, arguments: arguments,
                timeLimitMilliseconds: execution.state.scriptTimeLimitMilliseconds, execution: &execution
            )
        },
        "script": StubCommand(-2, subcommands: ["LOAD": 3, "EXISTS": -3, "FLUSH": -2, "KILL": 2], script),
    ]

    /// `numkeys key... arg...`, checked as Redis checks it.
    private static func scriptArguments(_ command: RedisCommandArgv) throws(StubError) -> ([[UInt8]], [[UInt8]]) {
        let count = try StubParse.integer(command[2])
        guard count <= command.count - 3 else { throw StubError("ERR Number of keys can't be greater than number of args") }
        guard count >= 0 else { throw StubError("ERR Number of keys can't be negative") }
        let keys = Array(command[3..<(3 + Int(count))])
        return (keys, Array(command[(3 + Int(count))...]))
    }

    /// `SCRIPT LOAD|EXISTS|FLUSH|KILL`.
    private static func script(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        switch StubParse.upper(command[1]) {
        case "LOAD":
            let sha = SHA1.hex(command[2])
            try execution.state.lua.load(sha: sha, body: command[2])
            execution.state.scripts[sha] = command[2]
            return .bulkString(Array(sha.utf8))
        case "EXISTS":
            return .array(command.dropFirst(2).map {
                .bool(execution.state.scripts[String(decoding: $0, as: UTF8.self).lowercased()] != nil)
            })
        case "FLUSH":
            guard command.count <= 3 else { throw .syntax }
            if command.count == 3 && !["ASYNC", "SYNC"].contains(StubParse.upper(command[2])) {
                throw StubError("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
            }
            execution.state.scripts.removeAll()
            execution.state.resetLua()
            return .ok
        default:
            throw StubError("NOTBUSY No scripts in execution right now.")
        }
    }
}
