import RedisClientCore
extension StubCommands {
    static let scripting: [String: StubCommand] = [
        "eval": StubCommand(-3) { execution, command throws(StubError) in try eval(&execution, command, readOnly: false) },
        "eval_ro": StubCommand(-3) { execution, command throws(StubError) in try eval(&execution, command, readOnly: true) },
        "evalsha": StubCommand(-3) { execution, command throws(StubError) in try evalsha(&execution, command, readOnly: false) },
        "evalsha_ro": StubCommand(-3) { execution, command throws(StubError) in try evalsha(&execution, command, readOnly: true) },
        "script": StubCommand(-2, subcommands: ["LOAD": 3, "EXISTS": -3, "FLUSH": -2, "KILL": 2], script),
    ]

    private static func eval(_ execution: inout StubExecution, _ command: RedisCommandArgv, readOnly: Bool) throws(StubError) -> RedisValue {
        let (keys, arguments) = try scriptArguments(command)
        let sha = try load(&execution, command[1])
        return try run(&execution, sha: sha, keys: keys, arguments: arguments, readOnly: readOnly)
    }

    private static func evalsha(_ execution: inout StubExecution, _ command: RedisCommandArgv, readOnly: Bool) throws(StubError) -> RedisValue {
        let (keys, arguments) = try scriptArguments(command)
        let sha = String(decoding: command[1], as: UTF8.self).lowercased()
        guard execution.state.scripts[sha] != nil else { throw StubError("NOSCRIPT No matching script. Please use EVAL.") }
        return try run(&execution, sha: sha, keys: keys, arguments: arguments, readOnly: readOnly)
    }

    /// Compiles a script (its shebang read first) into the cache; its SHA1.
    private static func load(_ execution: inout StubExecution, _ body: [UInt8]) throws(StubError) -> String {
        let sha = SHA1.hex(body)
        guard execution.state.scripts[sha] == nil else { return sha }
        let shebang = try ScriptShebang(body)
        try execution.state.lua.load(sha: sha, body: shebang.compiledBody)
        execution.state.scripts[sha] = body
        if shebang.present { execution.state.scriptFlags[sha] = shebang.flags }
        return sha
    }

    /// `*_RO`, or a script whose shebang says `no-writes`, may not call a write command; `*_RO`
    /// refuses outright a script whose shebang does not say it.
    private static func run(
        _ execution: inout StubExecution, sha: String, keys: [[UInt8]], arguments: [[UInt8]], readOnly: Bool
    ) throws(StubError) -> RedisValue {
        let flags = execution.state.scriptFlags[sha]
        if readOnly, let flags, !flags.contains("no-writes") {
            throw StubError("ERR Can not execute a script with write flag using *_ro command.")
        }
        execution.scriptReadOnly = readOnly || flags?.contains("no-writes") == true
        defer { execution.scriptReadOnly = false }
        return execution.state.lua.run(
            sha: sha, keys: keys, arguments: arguments, timeLimitMilliseconds: execution.state.scriptTimeLimitMilliseconds, execution: &execution
        )
    }

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
            return .bulkString(Array(try load(&execution, command[2]).utf8))
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
            execution.state.scriptFlags.removeAll()
            execution.state.resetLua()
            // Functions are not scripts: they outlive SCRIPT FLUSH, so they go into the new Lua.
            for library in execution.state.functionLibraries.values {
                _ = try? StubCommands.loadLibrary(execution.state, library.code, replace: true)
            }
            return .ok
        default:
            throw StubError("NOTBUSY No scripts in execution right now.")
        }
    }
}

/// A script's first line when it starts with `#!`: the engine (`lua` only) and `flags=`, as
/// Redis 7.0 reads them. The line stays, as a Lua comment, so error lines count as Redis's.
struct ScriptShebang {
    static let knownFlags: Set<String> = ["no-writes", "allow-oom", "allow-stale", "no-cluster", "allow-cross-slot-keys"]

    var present = false
    var flags: Set<String> = []
    var compiledBody: [UInt8]

    init(_ body: [UInt8]) throws(StubError) {
        compiledBody = body
        guard body.starts(with: Array("#!".utf8)) else { return }
        present = true
        guard let newline = body.firstIndex(of: UInt8(ascii: "\n")) else { throw StubError("ERR Invalid script shebang") }
        let parts = Self.words(body[..<newline])
        guard parts.first == "#!lua" else { throw StubError("ERR Unexpected engine in script shebang: \(parts.first ?? "#!")") }
        for option in parts.dropFirst() {
            guard option.hasPrefix("flags=") else { throw StubError("ERR Unknown lua shebang option: \(option)") }
            for flag in option.dropFirst("flags=".count).split(separator: ",").map(String.init) {
                guard Self.knownFlags.contains(flag) else { throw StubError("ERR Unexpected flag in script shebang: \(flag)") }
                flags.insert(flag)
            }
        }
        compiledBody.replaceSubrange(0..<2, with: Array("--".utf8))
    }

    /// A `#!` line's words (engine, then options), as scripts' and libraries' shebangs split.
    static func words(_ line: ArraySlice<UInt8>) -> [String] {
        line.split(separator: UInt8(ascii: " ")).map { String(decoding: $0, as: UTF8.self) }
    }
}
