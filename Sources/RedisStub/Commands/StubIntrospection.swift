import RedisClientCore

/// `COMMAND` and its subcommands from Redis 7.0's own command table (StubCommandTable), for the
/// commands the stub serves; GETKEYS follows the key specifications there, as Redis does.
extension StubCommands {
    static let introspection: [String: StubCommand] = [
        "command": StubCommand(-1) { _, command throws(StubError) in
            guard command.count > 1 else { return .array(StubCommandTable.served.map(\.entry.info)) }
            let subcommand = StubParse.upper(command[1])
            let arities = ["COUNT": 2, "LIST": -2, "INFO": -2, "DOCS": -2, "GETKEYS": -4, "GETKEYSANDFLAGS": -4, "HELP": 2]
            guard let arity = arities[subcommand] else {
                throw StubError("ERR unknown subcommand '\(String(decoding: command[1], as: UTF8.self))'. Try COMMAND HELP.")
            }
            guard StubCommand.accepts(arity: arity, count: command.count) else { throw .arity("command|\(subcommand.lowercased())") }
            switch subcommand {
            case "COUNT":
                return .integer(StubCommandTable.served.count)
            case "LIST":
                return .array(try listCommands(command).map { .bulk($0) })
            case "INFO":
                guard command.count > 2 else { return .array(StubCommandTable.served.map(\.entry.info)) }
                return .array(command.dropFirst(2).map { StubCommandTable.entry([$0]) ?? .null })
            case "DOCS":
                let names = command.count > 2 ? command.dropFirst(2).map(lowercasedCommandName) : StubCommandTable.served.map(\.name)
                return .array(names.flatMap { name -> [RedisValue] in StubCommandTable.docs(name).map { [.bulk(name), $0] } ?? [] })
            case "GETKEYS", "GETKEYSANDFLAGS":
                let keys = try StubKeySpecs.keys(command.dropFirst(2))
                return .array(keys.map { key in
                    subcommand == "GETKEYS" ? .bulkString(key.name) : .array([.bulkString(key.name), .array(key.flags.map { .simpleString($0) })])
                })
            default:
                return .array(commandHelp.map { .simpleString($0) })
            }
        },
    ]

    /// `COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]`: names and
    /// subcommands' full names.
    private static func listCommands(_ command: RedisCommandArgv) throws(StubError) -> [String] {
        let all = StubCommandTable.served.flatMap { name, entry in [(name, entry.info)] + (entry.info.array?[9].array ?? []).map { ($0.array?[0].string ?? "", $0) } }
        guard command.count > 2 else { return all.map(\.0) }
        guard command.count == 5, StubParse.upper(command[2]) == "FILTERBY" else { throw .syntax }
        switch StubParse.upper(command[3]) {
        case "MODULE": return []
        case "ACLCAT":
            let category = "@" + lowercasedCommandName(command[4])
            return all.filter { $0.1.array?[6].array?.contains(.simpleString(category)) ?? false }.map(\.0)
        case "PATTERN":
            let pattern = Array(lowercasedCommandName(command[4]).utf8)
            return all.filter { GlobPattern.matches(pattern, Array($0.0.utf8)) }.map(\.0)
        default: throw .syntax
        }
    }

    private static let commandHelp = [
        "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "(no subcommand)", "    Return details about all Redis commands.",
        "COUNT", "    Return the total number of commands in this Redis server.",
        "LIST", "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]", "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all", "    commands are returned.",
        "DOCS [<command-name> ...]", "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all", "    commands are returned.",
        "GETKEYS <full-command>", "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>", "    Return the keys and the access flags from a full Redis command.",
        "HELP", "    Prints this help.",
    ]
}

/// Redis 7.0's key specifications: where a command's keys begin (an index, or after a
/// keyword) and how many follow (a range, or a count given in the command).
enum StubKeySpecs {
    struct Key {
        let name: [UInt8]
        let flags: [String]
    }

    /// For CLIENT TRACKING: a command's keys and whether it only reads them (Redis remembers
    /// the keys of `readonly` commands, but of a read-only script only what it calls). Nil for
    /// a command without keys.
    static func tracked(_ command: RedisCommandArgv) -> (keys: [[UInt8]], readOnly: Bool)? {
        guard let info = StubCommandTable.entry(command[...], served: false), let flags = info.array?[2].array,
              let keys = try? keys(command[...]), !keys.isEmpty else { return nil }
        let name = lowercasedCommandName(command[0])
        let readOnly = flags.contains(.simpleString("readonly")) && !InMemoryRedis.scriptCommands.contains(name)
        return (keys.map(\.name), readOnly)
    }

    static func keys(_ words: ArraySlice<RedisCommandArgv.Element>) throws(StubError) -> [Key] {
        let argv = Array(words)
        guard let info = StubCommandTable.entry(words, served: false), let fields = info.array, fields.count >= 9 else {
            throw StubError("ERR Invalid command specified")
        }
        let specs = (fields[8].array ?? []).map(pairs)
        let flags = (fields[2].array ?? []).compactMap(\.string)
        guard specs.contains(where: { !(($0["flags"]?.array ?? []).contains(.simpleString("not_key"))) }) else {
            throw StubError("ERR The command has no key arguments")
        }
        guard case .integer(let arity) = fields[1], arity > 0 ? Int(arity) == argv.count : argv.count >= Int(-arity) else {
            throw StubError("ERR Invalid number of arguments specified for command")
        }
        if let keys = nativeKeys(lowercasedCommandName(argv[0]), argv) { return keys }
        var keys: [Key] = []
        var valid = true
        for spec in specs where !((spec["flags"]?.array ?? []).contains(.simpleString("not_key"))) {
            guard let positions = positions(spec, argv, arity: Int(arity)) else { valid = false; break }
            keys += positions.map { Key(name: argv[$0], flags: (spec["flags"]?.array ?? []).compactMap(\.string)) }
        }
        if !valid { keys = [] }
        guard !keys.isEmpty || flags.contains("no_mandatory_keys") else { throw StubError("ERR Invalid arguments specified for command") }
        return keys
    }

    /// One spec's key positions in argv (the command name at 0); nil when the command's
    /// arguments do not fit it.
    private static func positions(_ spec: [String: RedisValue], _ argv: [[UInt8]], arity: Int) -> [Int]? {
        guard let begin = spec["begin_search"].map(pairs), let find = spec["find_keys"].map(pairs),
              let beginSpec = begin["spec"].map(pairs), let findSpec = find["spec"].map(pairs)
        else { return nil }
        let count = argv.count
        var first = 0
        switch begin["type"]?.string {
        case "index":
            first = beginSpec["index"]?.integer.map(Int.init) ?? 0
        case "keyword":
            guard let keyword = beginSpec["keyword"]?.string, let start = beginSpec["startfrom"]?.integer.map(Int.init) else { return nil }
            var index = start > 0 ? start : count + start
            let end = start > 0 ? count - 1 : 0
            while true {
                if index >= count || index < 1 { break }
                if StubParse.upper(argv[index]) == keyword.uppercased() { first = index + 1; break }
                if index == end { break }
                index += start > 0 ? 1 : -1
            }
            // No keyword: this spec has no keys here.
            if first == 0 { return [] }
        default:
            return nil
        }
        let last: Int
        let step: Int
        switch find["type"]?.string {
        case "range":
            guard let lastKey = findSpec["lastkey"]?.integer.map(Int.init), let keyStep = findSpec["keystep"]?.integer.map(Int.init),
                  let limit = findSpec["limit"]?.integer.map(Int.init)
            else { return nil }
            step = keyStep
            last = lastKey >= 0 ? first + lastKey : limit == 0 ? count + lastKey : first + ((count - first) / limit + lastKey)
        case "keynum":
            guard let numberIndex = findSpec["keynumidx"]?.integer.map(Int.init), let firstKey = findSpec["firstkey"]?.integer.map(Int.init),
                  let keyStep = findSpec["keystep"]?.integer.map(Int.init), numberIndex < count - first,
                  let number = StubParse.parseInteger(argv[first + numberIndex]), number >= 0
            else { return nil }
            step = keyStep
            first += firstKey
            last = first + Int(number) - 1
        default:
            return nil
        }
        guard last < count, last >= first, first < count, step > 0 else { return nil }
        // A command of variable arity may stop short of its last key: those keys are dropped.
        return stride(from: first, through: last, by: step).filter { $0 < count || arity > 0 }
    }

    /// Where Redis asks the command itself rather than its specs: SET and BITFIELD, whose
    /// flags depend on their options, and SORT, whose STORE may come anywhere.
    private static func nativeKeys(_ name: String, _ argv: [[UInt8]]) -> [Key]? {
        let words = argv.map(StubParse.upper)
        let readAccess = ["RO", "access"], readWriteUpdate = ["RW", "access", "update"]
        switch name {
        case "set":
            return [Key(name: argv[1], flags: words.dropFirst(3).contains("GET") ? readWriteUpdate : ["OW", "update"])]
        case "bitfield":
            var index = 2
            var readOnly = true
            while index < argv.count {
                let remaining = argv.count - index - 1
                switch words[index] {
                case "GET" where remaining >= 2: index += 3
                case "OVERFLOW" where remaining >= 1: index += 2
                default: readOnly = false; index = argv.count
                }
            }
            return [Key(name: argv[1], flags: readOnly ? readAccess : readWriteUpdate)]
        case "sort_ro":
            return [Key(name: argv[1], flags: readAccess)]
        case "sort":
            // The last STORE counts; LIMIT, GET and BY carry arguments that are skipped.
            var store: [UInt8]?
            var index = 2
            while index < argv.count {
                switch words[index] {
                case "LIMIT": index += 2
                case "GET", "BY": index += 1
                case "STORE" where index + 1 < argv.count: store = argv[index + 1]
                default: break
                }
                index += 1
            }
            return [Key(name: argv[1], flags: readAccess)] + (store.map { [Key(name: $0, flags: ["OW", "update"])] } ?? [])
        default:
            return nil
        }
    }

    /// A flat name-value array as a dictionary.
    private static func pairs(_ value: RedisValue) -> [String: RedisValue] {
        let elements = value.array ?? []
        return Dictionary(stride(from: 0, to: elements.count - 1, by: 2).compactMap { index in
            elements[index].string.map { ($0, elements[index + 1]) }
        }, uniquingKeysWith: { first, _ in first })
    }
}
