import RedisClientCore

/// `ACL` over the store's users (Acl/): SETUSER with Redis 7.0's rules and refusals, GETUSER
/// and LIST described as Redis describes them, DELUSER (its sessions closed), WHOAMI, USERS,
/// DRYRUN against the user's permissions, CAT from Redis's own command table, GENPASS; LOG
/// keeps no entries (docs/stub.md).
extension StubCommands {
    static let acl: [String: StubCommand] = [
        "acl": StubCommand(-2, subcommands: [
            "WHOAMI": 2, "USERS": 2, "LIST": 2, "GETUSER": 3, "CAT": -2, "GENPASS": -2, "LOG": -2, "DRYRUN": -4, "DELUSER": -3,
            "SETUSER": -3, "SAVE": 2, "LOAD": 2, "HELP": 2,
        ]) { execution, command throws(StubError) in
            let state = execution.state
            switch StubParse.upper(command[1]) {
            case "WHOAMI":
                return .bulk(execution.session.client?.user ?? "default")
            case "USERS":
                return .array(state.users.keys.sorted().map { .bulk($0) })
            case "LIST":
                return .array(state.users.sorted { $0.key < $1.key }.map { .bulk($0.value.line(name: $0.key)) })
            case "GETUSER":
                return state.users[String(decoding: command[2], as: UTF8.self)]?.details ?? .null
            case "SETUSER":
                let name = String(decoding: command[2], as: UTF8.self)
                guard !command[2].contains(UInt8(ascii: " ")) && !command[2].contains(0) else {
                    throw StubError("ERR Usernames can't contain spaces or null characters")
                }
                var user = state.users[name] ?? StubUser()
                try user.apply(Array(command.dropFirst(3)))
                state.users[name] = user
                state.aclInUse = true
                execution.aclChanged = true
                return .ok
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
                var count = 10
                if command.count > 2 {
                    if StubParse.upper(command[2]) == "RESET" {
                        state.aclLog = []
                        return .ok
                    }
                    count = max(0, Int(try StubParse.integer(command[2])))
                }
                return .array(state.aclLog.prefix(count).map { $0.reply(now: execution.now) })
            case "DRYRUN":
                guard let user = state.users[String(decoding: command[2], as: UTF8.self)] else {
                    throw StubError("ERR User '\(String(decoding: command[2], as: UTF8.self))' not found")
                }
                let target = Array(command.dropFirst(3))
                guard let entry = StubCommandTable.entry(target[...], served: false), case .integer(let arity)? = entry.array?[1] else {
                    throw StubError("ERR Command '\(String(decoding: target[0], as: UTF8.self))' not found")
                }
                guard StubCommand.accepts(arity: Int(arity), count: target.count) else { throw .arity(entry.array?[0].string ?? "") }
                guard let refusal = user.check(target) else { return .ok }
                let object = String(decoding: refusal.object ?? [], as: UTF8.self)
                switch refusal.denial {
                case .command: return .bulk("This user has no permissions to run the '\(commandFullName(target))' command")
                case .key: return .bulk("This user has no permissions to access the '\(object)' key")
                case .channel: return .bulk("This user has no permissions to access the '\(object)' channel")
                }
            case "DELUSER":
                let names = command.dropFirst(2).map { String(decoding: $0, as: UTF8.self) }
                if names.contains("default") { throw StubError("ERR The 'default' user cannot be removed") }
                let deleted = Set(names).filter { state.users.removeValue(forKey: $0) != nil }
                // Their sessions are closed, as Redis frees the clients of a deleted user.
                execution.deletedUsers.formUnion(deleted)
                return .integer(Int64(deleted.count))
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

    private static var aclCategories: [String] { StubAclCatalogue.categories }

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
