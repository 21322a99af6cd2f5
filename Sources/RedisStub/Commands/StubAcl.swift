import RedisClientCore

/// `ACL` as a Redis 7.0 with only its `default` user answers it (every command, key and
/// channel; no password): the introspection a test harness sends — WHOAMI, USERS, LIST,
/// GETUSER, CAT from Redis's own command table, GENPASS, LOG, DRYRUN — and Redis's refusals.
/// Creating users (SETUSER) is not served yet: it is refused with a clear error (docs/stub.md).
extension StubCommands {
    static let acl: [String: StubCommand] = [
        "acl": StubCommand(-2, subcommands: [
            "WHOAMI": 2, "USERS": 2, "LIST": 2, "GETUSER": 3, "CAT": -2, "GENPASS": -2, "LOG": -2, "DRYRUN": -4, "DELUSER": -3,
            "SETUSER": -3, "SAVE": 2, "LOAD": 2, "HELP": 2,
        ]) { _, command throws(StubError) in
            switch StubParse.upper(command[1]) {
            case "WHOAMI":
                return .bulk("default")
            case "USERS":
                return .array([.bulk("default")])
            case "LIST":
                return .array([.bulk("user default on nopass ~* &* +@all")])
            case "GETUSER":
                guard command[2] == Array("default".utf8) else { return .null }
                return .array([
                    .bulk("flags"), .array([.bulk("on"), .bulk("nopass")]), .bulk("passwords"), .array([]), .bulk("commands"), .bulk("+@all"),
                    .bulk("keys"), .bulk("~*"), .bulk("channels"), .bulk("&*"), .bulk("selectors"), .array([]),
                ])
            case "CAT":
                return try aclCategory(command)
            case "GENPASS":
                let bits = command.count > 2 ? try StubParse.integer(command[2]) : 256
                guard (1...4096).contains(bits) else {
                    throw StubError("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096")
                }
                var random = SystemRandomNumberGenerator()
                return .bulk(String((0..<((bits + 3) / 4)).map { _ in "0123456789abcdef".randomElement(using: &random)! }))
            case "LOG":
                // Nothing is ever refused, so nothing is logged.
                if command.count > 2 {
                    if StubParse.upper(command[2]) == "RESET" { return .ok }
                    _ = try StubParse.integer(command[2])
                }
                return .array([])
            case "DRYRUN":
                guard command[2] == Array("default".utf8) else { throw StubError("ERR User '\(String(decoding: command[2], as: UTF8.self))' not found") }
                let target = Array(command.dropFirst(3))
                guard let entry = StubCommandTable.entry(target[...], served: false), case .integer(let arity)? = entry.array?[1] else {
                    throw StubError("ERR Command '\(String(decoding: target[0], as: UTF8.self))' not found")
                }
                guard StubCommand.accepts(arity: Int(arity), count: target.count) else { throw .arity(entry.array?[0].string ?? "") }
                return .ok
            case "DELUSER":
                if command.dropFirst(2).contains(Array("default".utf8)) { throw StubError("ERR The 'default' user cannot be removed") }
                return .integer(0)
            case "SETUSER":
                throw StubError("ERR the stub serves only the 'default' user, with every permission: ACL SETUSER is not served yet")
            case "SAVE", "LOAD":
                throw StubError(
                    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and "
                        + "then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration."
                )
            default:
                return .array(aclHelp.map { .simpleString($0) })
            }
        },
    ]

    /// Redis's categories in its order.
    private static let aclCategories = [
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo", "stream", "pubsub", "admin",
        "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
    ]

    /// `ACL CAT [category]`: the categories, or the commands (and subcommands) in one.
    private static func aclCategory(_ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        guard command.count <= 3 else {
            throw StubError("ERR unknown subcommand or wrong number of arguments for '\(String(decoding: command[1], as: UTF8.self))'. Try ACL HELP.")
        }
        guard command.count == 3 else { return .array(aclCategories.map { .bulk($0) }) }
        let name = lowercasedCommandName(command[2])
        guard aclCategories.contains(name) else { throw StubError("ERR Unknown category '\(String(decoding: command[2], as: UTF8.self))'") }
        let entries = StubCommandTable.entries.values.flatMap { entry in [entry.info] + (entry.info.array?[9].array ?? []) }
        return .array(entries.filter { $0.array?[6].array?.contains(.simpleString("@" + name)) ?? false }.compactMap { $0.array?[0] })
    }

    private static let aclHelp = [
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]", "    List all commands that belong to <category>, or all command categories", "    when no category is specified.",
        "DELUSER <username> [<username> ...]", "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]", "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>", "    Get the user's details.",
        "GENPASS [<bits>]", "    Generate a secure 256-bit user password. The optional `bits` argument can", "    be used to specify a different size.",
        "LIST", "    Show users details in config file format.",
        "LOAD", "    Reload users from the ACL file.",
        "LOG [<count> | RESET]", "    Show the ACL log entries.",
        "SAVE", "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]", "    Create or modify a user with the specified attributes.",
        "USERS", "    List all the registered usernames.",
        "WHOAMI", "    Return the current connection username.",
        "HELP", "    Prints this help.",
    ]
}
