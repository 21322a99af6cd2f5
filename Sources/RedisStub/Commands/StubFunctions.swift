import RedisClientCore

/// A loaded function library: its code, and each function's flags and description.
struct StubFunctionLibrary {
    struct Function {
        let name: String
        let flags: [String]
        let description: RedisValue
    }

    let code: [UInt8]
    let functions: [Function]
}

/// Redis 7 functions: `FUNCTION LOAD [REPLACE]` (`#!lua name=...` code that registers
/// functions), `DELETE`, `FLUSH`, `LIST`, `STATS`, `KILL`, and `FCALL`/`FCALL_RO`, in the same
/// Lua as scripts (StubLua), with Redis's checks in Redis's order.
extension StubCommands {
    static let functions: [String: StubCommand] = [
        "function": StubCommand(-2, subcommands: ["LOAD": -3, "DELETE": 3, "FLUSH": -2, "LIST": -2, "STATS": 2, "KILL": 2, "DUMP": 2, "RESTORE": -3], function),
        "fcall": StubCommand(-3) { execution, command throws(StubError) in try fcall(&execution, command, readOnly: false) },
        "fcall_ro": StubCommand(-3) { execution, command throws(StubError) in try fcall(&execution, command, readOnly: true) },
    ]

    private static func function(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        let state = execution.state
        switch StubParse.upper(command[1]) {
        case "LOAD":
            let replace = command.count == 4 && StubParse.upper(command[2]) == "REPLACE"
            guard command.count == 3 || replace else { throw StubError("ERR Unknown option given: \(String(decoding: command[2], as: UTF8.self))") }
            return .bulkString(Array(try loadLibrary(state, command[command.count - 1], replace: replace).utf8))
        case "DELETE":
            let name = String(decoding: command[2], as: UTF8.self)
            guard let library = state.functionLibraries.removeValue(forKey: name) else { throw StubError("ERR Library not found") }
            state.lua.dropFunctions(library.functions.map(\.name))
            return .ok
        case "FLUSH":
            guard command.count == 2 || command.count == 3 && ["ASYNC", "SYNC"].contains(StubParse.upper(command[2])) else {
                throw StubError("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
            }
            dropLibraries(state)
            return .ok
        case "LIST":
            return try listLibraries(state, command)
        case "DUMP":
            return .bulkString(dumpLibraries(state))
        case "RESTORE":
            try restoreLibraries(state, command)
            return .ok
        case "STATS":
            let functionCount = state.functionLibraries.values.reduce(0) { $0 + $1.functions.count }
            return .array([
                .bulk("running_script"), .null, .bulk("engines"),
                .array([.bulk("LUA"), .array([.bulk("libraries_count"), .integer(state.functionLibraries.count), .bulk("functions_count"), .integer(functionCount)])]),
            ])
        default:
            throw StubError("NOTBUSY No scripts in execution right now.")
        }
    }

    /// FUNCTION LOAD: the shebang's metadata, the library's name free (or REPLACE), the code
    /// run to register at least one function, none taken by another library; its name.
    static func loadLibrary(_ state: StubState, _ code: [UInt8], replace: Bool) throws(StubError) -> String {
        let name = try libraryName(code)
        let existing = state.functionLibraries[name]
        if existing != nil && !replace { throw StubError("ERR Library '\(name)' already exists") }

        var body = code
        body.replaceSubrange(0..<2, with: Array("--".utf8))
        let metadata: RedisValue
        switch state.lua.loadLibrary(body) {
        case .success(let loaded): metadata = loaded
        case .failure(let error) where error.message.hasPrefix("ERR Error compiling function"):
            throw error
        case .failure(let error):
            throw StubError("ERR Error registering functions: " + error.message)
        }
        let functions = (metadata.array ?? []).compactMap { entry -> StubFunctionLibrary.Function? in
            guard case .array(let fields) = entry, let functionName = fields[0].string else { return nil }
            return StubFunctionLibrary.Function(name: functionName, flags: (fields[1].array ?? []).compactMap(\.string), description: fields[2])
        }
        guard !functions.isEmpty else { throw StubError("ERR No functions registered") }
        for function in functions {
            for (other, library) in state.functionLibraries where other != name && library.functions.contains(where: { $0.name == function.name }) {
                throw StubError("ERR Function \(function.name) already exists")
            }
        }
        state.lua.commitLibrary(replacing: existing?.functions.map(\.name) ?? [])
        state.functionLibraries[name] = StubFunctionLibrary(code: code, functions: functions)
        return name
    }

    /// The library's name from its shebang line, checked as Redis checks it.
    static func libraryName(_ code: [UInt8]) throws(StubError) -> String {
        guard code.starts(with: Array("#!".utf8)) else { throw StubError("ERR Missing library metadata") }
        let firstLine = code.firstIndex(of: UInt8(ascii: "\n")) ?? code.count
        let parts = ScriptShebang.words(code[..<firstLine])
        let engine = String(parts[0].dropFirst(2))
        guard engine.lowercased() == "lua" else { throw StubError("ERR Engine '\(engine)' not found") }
        var name: String?
        for part in parts.dropFirst() {
            guard part.hasPrefix("name=") else { throw StubError("ERR Invalid metadata value given: \(part)") }
            name = String(part.dropFirst("name=".count))
        }
        guard let name else { throw StubError("ERR Library name was not given") }
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw StubError("ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")
        }
        return name
    }

    /// `FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE]`.
    private static func listLibraries(_ state: StubState, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        var pattern: [UInt8]?
        var withCode = false
        var index = 2
        while index < command.count {
            switch StubParse.upper(command[index]) {
            case "WITHCODE": withCode = true
            case "LIBRARYNAME":
                guard index + 1 < command.count else { throw StubError("ERR library name argument was not given") }
                pattern = command[index + 1]
                index += 1
            default:
                throw StubError("ERR Unknown argument \(String(decoding: command[index], as: UTF8.self))")
            }
            index += 1
        }
        let libraries = state.functionLibraries.filter { name, _ in pattern.map { GlobPattern.matches($0, Array(name.utf8)) } ?? true }
        return .array(libraries.map { name, library in
            var fields: [RedisValue] = [
                .bulk("library_name"), .bulk(name), .bulk("engine"), .bulk("LUA"), .bulk("functions"),
                .array(library.functions.map { function in
                    .array([
                        .bulk("name"), .bulk(function.name), .bulk("description"), function.description,
                        .bulk("flags"), .array(function.flags.map { .simpleString($0) }),
                    ])
                }),
            ]
            if withCode { fields += [.bulk("library_code"), .bulkString(library.code)] }
            return .array(fields)
        })
    }

    /// `FCALL function numkeys key... arg...`; FCALL_RO only for a `no-writes` function.
    private static func fcall(_ execution: inout StubExecution, _ command: RedisCommandArgv, readOnly: Bool) throws(StubError) -> RedisValue {
        let name = String(decoding: command[1], as: UTF8.self)
        guard let function = execution.state.functionLibraries.values.lazy.compactMap({ $0.functions.first { $0.name == name } }).first else {
            throw StubError("ERR Function not found")
        }
        let count = try StubParse.integer(command[2], or: StubError("ERR Bad number of keys provided"))
        guard count >= 0 else { throw StubError("ERR Number of keys can't be negative") }
        guard count <= command.count - 3 else { throw StubError("ERR Number of keys can't be greater than number of args") }
        let noWrites = function.flags.contains("no-writes")
        if readOnly && !noWrites { throw StubError("ERR Can not execute a script with write flag using *_ro command.") }
        execution.scriptReadOnly = noWrites
        defer { execution.scriptReadOnly = false }
        let keys = Array(command[3..<(3 + Int(count))])
        return execution.state.lua.call(
            function: name, keys: keys, arguments: Array(command[(3 + Int(count))...]),
            timeLimitMilliseconds: execution.state.scriptTimeLimitMilliseconds, execution: &execution
        )
    }
}
