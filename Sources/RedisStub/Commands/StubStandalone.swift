import RedisClientCore

/// What a standalone Redis 7.0 with no replicas, no cluster and DEBUG disabled answers to the
/// commands of those features: the stub is one.
extension StubCommands {
    static let standalone: [String: StubCommand] = [
        "wait": StubCommand(3) { _, command throws(StubError) in
            _ = try StubParse.integer(command[1])
            let timeout = try StubParse.integer(command[2], or: StubError("ERR timeout is not an integer or out of range"))
            guard timeout >= 0 else { throw StubError("ERR timeout is negative") }
            return .integer(0)
        },
        "role": StubCommand(1) { _, _ in .array([.bulk("master"), .integer(0), .array([])]) },
        "readonly": StubCommand(1) { _, _ throws(StubError) in throw .clusterDisabled },
        "readwrite": StubCommand(1) { _, _ throws(StubError) in throw .clusterDisabled },
        "asking": StubCommand(1) { _, _ throws(StubError) in throw .clusterDisabled },
        "cluster": StubCommand(-2) { _, _ throws(StubError) in throw .clusterDisabled },
        // Protected, as enable-debug-command's default leaves it: refused before MULTI queues it.
        "debug": StubCommand(-2, refusal: .debugDisabled) { _, _ throws(StubError) in throw .debugDisabled },
        // Nothing is slow enough to log in memory, and nothing is logged.
        "slowlog": StubCommand(-2, subcommands: ["GET": -2, "LEN": 2, "RESET": 2, "HELP": 2]) { _, command throws(StubError) in
            switch StubParse.upper(command[1]) {
            case "GET":
                if command.count == 3 {
                    let count = try StubParse.integer(command[2], or: StubError("ERR count should be greater than or equal to -1"))
                    guard count >= -1 else { throw StubError("ERR count should be greater than or equal to -1") }
                } else if command.count > 3 {
                    throw StubError("ERR unknown subcommand or wrong number of arguments for '\(String(decoding: command[1], as: UTF8.self))'. Try SLOWLOG HELP.")
                }
                return .array([])
            case "LEN": return .integer(0)
            case "RESET": return .ok
            default: return .array(slowlogHelp.map { .simpleString($0) })
            }
        },
    ]

    static let slowlogHelp = [
        "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET [<count>]",
        "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
        "    Entries are made of:",
        "    id, timestamp, time in microseconds, arguments array, client IP and port,",
        "    client name",
        "LEN",
        "    Return the length of the slowlog.",
        "RESET",
        "    Reset the slowlog.",
        "HELP",
        "    Prints this help.",
    ]
}

extension StubError {
    static let clusterDisabled = StubError("ERR This instance has cluster support disabled")
    static let debugDisabled = StubError("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.")
}
