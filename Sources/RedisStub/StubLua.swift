import RedisClientCore
import CLua
import CStubLua

/// The stub's Lua 5.1 interpreter (the version Redis embeds), one per store and used only
/// under the store's lock, so a script runs atomically. `redis.call` / `redis.pcall` dispatch
/// into the stub itself; replies convert both ways as Redis documents.
///
/// Errors are raised only from Lua or C code, never from a Swift frame: Lua's longjmp must not
/// cross Swift. The Swift callback answers `ok, result` and a C wrapper (CStubLua) raises.
final class StubLua {
    private let state: OpaquePointer

    init() {
        state = luaL_newstate()
        luaL_openlibs(state)
        stub_lua_open_cmsgpack(state)
        stub_lua_open_struct(state)
        lua_pushcclosure(state, stubCall, 0)
        lua_pushcclosure(state, stub_lua_redis_call, 1)
        lua_setfield(state, stub_lua_globals_index(), "__stub_redis_call")
        lua_pushcclosure(state, stubCall, 0)
        lua_pushcclosure(state, stub_lua_redis_pcall, 1)
        lua_setfield(state, stub_lua_globals_index(), "__stub_redis_pcall")
        lua_pushcclosure(state, stubSHA1Hex, 0)
        lua_setfield(state, stub_lua_globals_index(), "__stub_sha1hex")
        // C functions, as in Redis, so that an error names the script's line even when the
        // script calls them in a tail call (Lua keeps the caller's frame for a C function).
        for (name, check) in [("__stub_log", stubLogCheck), ("__stub_setresp", stubSetRespCheck), ("__stub_set_repl", stubSetReplCheck)] {
            lua_pushcclosure(state, check, 0)
            lua_pushcclosure(state, stub_lua_redis_call, 1)
            lua_setfield(state, stub_lua_globals_index(), name)
        }
        let loaded = luaL_loadbuffer(state, Self.bootstrap, Self.bootstrap.utf8.count, "=stub") == 0
            && lua_pcall(state, 0, 0, 0) == 0
        precondition(loaded, "the stub's Lua bootstrap failed: \(String(cString: lua_tolstring(state, -1, nil)))")
        lua_settop(state, 0)
    }

    deinit {
        lua_close(state)
    }

    /// Compiles a script into the registry as `f_<sha>`, unless it is there already.
    func load(sha: String, body: [UInt8]) throws(StubError) {
        let name = "f_" + sha
        lua_getfield(state, stub_lua_registry_index(), name)
        let present = lua_type(state, -1) == LUA_TFUNCTION
        lua_settop(state, 0)
        if present { return }
        let status = (body + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { luaL_loadbuffer(state, $0.baseAddress!, body.count, "@user_script") }
        }
        guard status == 0 else {
            let message = string(at: -1) ?? "unknown error"
            lua_settop(state, 0)
            throw StubError("ERR Error compiling script (new function): \(message)")
        }
        lua_setfield(state, stub_lua_registry_index(), name)
    }

    /// Runs a library's code (its shebang line made a comment): each function it registers as
    /// `[name, [flag...], description or nil]`, or the error Redis gives. Its functions wait to
    /// be committed (``commitLibrary(replacing:)``).
    func loadLibrary(_ code: [UInt8]) -> Result<RedisValue, StubError> {
        defer { lua_settop(state, 0) }
        lua_getfield(state, stub_lua_registry_index(), "__stub_load_library")
        push(bytes: code)
        guard lua_pcall(state, 1, 2, 0) == 0 else { return .failure(StubError("ERR " + (string(at: -1) ?? "unknown error"))) }
        if lua_type(state, -2) == LUA_TNIL { return .failure(StubError(string(at: -1) ?? "ERR unknown error")) }
        // An absolute index: reading the table pushes onto the stack.
        return .success(value(at: lua_gettop(state) - 1, protocol: 2).resp2)
    }

    /// Makes the library just loaded callable, dropping the functions it replaces.
    func commitLibrary(replacing names: [String]) {
        callRegistry("__stub_commit_library", names)
    }

    func dropFunctions(_ names: [String]) {
        callRegistry("__stub_drop_functions", names)
    }

    private func callRegistry(_ function: String, _ names: [String]) {
        defer { lua_settop(state, 0) }
        lua_getfield(state, stub_lua_registry_index(), function)
        for name in names { push(bytes: Array(name.utf8)) }
        _ = lua_pcall(state, Int32(names.count), 0, 0)
    }

    /// FCALL: a registered function with its keys and arguments as its two parameters.
    func call(
        function: String, keys: [[UInt8]], arguments: [[UInt8]], timeLimitMilliseconds: Int64, execution: inout StubExecution
    ) -> RedisValue {
        defer { lua_settop(state, 0) }
        lua_getfield(state, stub_lua_registry_index(), "__stub_error_handler")
        lua_getfield(state, stub_lua_registry_index(), "__stub_call_function")
        push(bytes: Array(function.utf8))
        for list in [keys, arguments] {
            lua_createtable(state, Int32(list.count), 0)
            for (index, value) in list.enumerated() {
                push(bytes: value)
                lua_rawseti(state, -2, Int32(index + 1))
            }
        }
        let status = protectedCall(arguments: 3, timeLimitMilliseconds: timeLimitMilliseconds, execution: &execution)
        guard status == 0 else { return .error(errorMessage(sha: function)) }
        return result(execution: &execution)
    }

    /// Runs a loaded script with `KEYS` and `ARGV` set.
    func run(
        sha: String, keys: [[UInt8]], arguments: [[UInt8]], timeLimitMilliseconds: Int64, execution: inout StubExecution
    ) -> RedisValue {
        defer { lua_settop(state, 0) }
        lua_getfield(state, stub_lua_registry_index(), "__stub_error_handler")
        lua_getfield(state, stub_lua_registry_index(), "f_" + sha)
        setGlobalArray("KEYS", keys)
        setGlobalArray("ARGV", arguments)
        let status = protectedCall(arguments: 0, timeLimitMilliseconds: timeLimitMilliseconds, execution: &execution)
        guard status == 0 else { return .error(errorMessage(sha: sha)) }
        return result(execution: &execution)
    }

    /// The script's result, on top of the stack, for its caller: RESP3's types kept aside for
    /// a caller that speaks RESP3 (``StubSessionState/scriptReplies``).
    private func result(execution: inout StubExecution) -> RedisValue {
        let value = value(at: lua_gettop(state), protocol: execution.scriptProtocol)
        let reply = value.resp2
        if execution.session.client?.protocolVersion == 3, reply.errorMessage == nil { execution.session.scriptReplies.pending.append(value) }
        return reply
    }

    /// Calls what is on the stack (the error handler at 1) with the execution at hand for
    /// redis.call, under the time limit.
    private func protectedCall(arguments: Int32, timeLimitMilliseconds: Int64, execution: inout StubExecution) -> Int32 {
        execution.scriptProtocol = 2
        execution.runningScript = true
        defer { execution.runningScript = false }
        return withUnsafeMutablePointer(to: &execution) { pointer -> Int32 in
            lua_pushlightuserdata(state, pointer)
            lua_setfield(state, stub_lua_registry_index(), "__stub_execution")
            stub_lua_arm_time_limit(state, timeLimitMilliseconds)
            let status = lua_pcall(state, arguments, 1, 1)
            stub_lua_disarm_time_limit(state)
            lua_pushnil(state)
            lua_setfield(state, stub_lua_registry_index(), "__stub_execution")
            return status
        }
    }

    private func setGlobalArray(_ name: String, _ values: [[UInt8]]) {
        lua_pushstring(state, name)
        lua_createtable(state, Int32(values.count), 0)
        for (index, value) in values.enumerated() {
            push(bytes: value)
            lua_rawseti(state, -2, Int32(index + 1))
        }
        // rawset: the globals table is read-only to scripts.
        lua_rawset(state, stub_lua_globals_index())
    }

    /// `<err> script: <sha>, on @user_script:<line>.` as Redis 7.0 words a failed script.
    private func errorMessage(sha: String) -> String {
        guard lua_type(state, -1) == LUA_TTABLE else { return "ERR " + (string(at: -1) ?? "unknown error") }
        let message = field("err") ?? "ERR unknown error"
        guard let source = field("source"), let line = field("line") else { return message }
        return "\(message) script: \(sha), on \(source):\(line)."
    }

    private func field(_ name: String) -> String? {
        lua_getfield(state, -1, name)
        defer { lua_settop(state, -2) }
        return string(at: -1)
    }

    private func string(at index: Int32) -> String? {
        guard lua_type(state, index) == LUA_TSTRING || lua_type(state, index) == LUA_TNUMBER else { return nil }
        return bytes(at: index).map { String(decoding: $0, as: UTF8.self) }
    }

    private func bytes(at index: Int32) -> [UInt8]? {
        var length = 0
        guard let pointer = lua_tolstring(state, index, &length) else { return nil }
        return Array(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    private func push(bytes: [UInt8]) {
        Self.push(bytes: bytes, on: state)
    }

    fileprivate static func push(bytes: [UInt8], on state: OpaquePointer) {
        // A trailing NUL keeps the pointer valid for an empty string; the length excludes it.
        (bytes + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { lua_pushlstring(state, $0.baseAddress!, bytes.count) }
        }
    }

    /// Lua to Redis as Redis's `luaReplyToRedisReply` converts: number → integer (truncated),
    /// string → bulk, nil → null, true → 1 and false → null (after `redis.setresp(3)`, RESP3's
    /// booleans), `{err=}` → error, `{ok=}` → status, then in Redis's order `{double=n}`,
    /// `{big_number=s}`, `{verbatim_string={format=, string=}}`, `{map=t}` (pairs in `next`'s
    /// order), `{set=t}` (its keys); any other table → an array up to its first nil. RESP3's
    /// types as such: a RESP2 caller gets their ``Resp3Value/resp2`` form.
    private func value(at index: Int32, protocol version: Int) -> Resp3Value {
        switch lua_type(state, index) {
        case LUA_TNUMBER:
            return .plain(.integer(Int64(exactly: lua_tonumber(state, index).rounded(.towardZero)) ?? Int64.min))
        case LUA_TSTRING:
            return .plain(.bulkString(bytes(at: index) ?? []))
        case LUA_TBOOLEAN:
            let truth = lua_toboolean(state, index) != 0
            if version == 3 { return .boolean(truth) }
            return truth ? .plain(.integer(1)) : .null
        case LUA_TTABLE:
            return tableValue(at: index, protocol: version)
        default:
            return .null
        }
    }

    private func tableValue(at index: Int32, protocol version: Int) -> Resp3Value {
        func withField<T>(_ name: String, of table: Int32, _ body: (Int32) -> T?) -> T? {
            lua_pushstring(state, name)
            lua_rawget(state, table)
            defer { lua_settop(state, -2) }
            return body(lua_type(state, -1))
        }
        for (name, make) in [("err", RedisValue.error), ("ok", RedisValue.simpleString)] {
            if let text = withField(name, of: index, { $0 == LUA_TSTRING ? string(at: -1) : nil }) { return .plain(make(text)) }
        }
        if let double = withField("double", of: index, { $0 == LUA_TNUMBER ? lua_tonumber(state, -1) : nil }) {
            return .double(double, text: StubFormat.double(double))
        }
        if let number = withField("big_number", of: index, { $0 == LUA_TSTRING ? bytes(at: -1) : nil }) {
            return .bigNumber(number.map { $0 == 0x0d || $0 == 0x0a ? 0x20 : $0 })
        }
        let verbatim = withField("verbatim_string", of: index) { type -> Resp3Value? in
            guard type == LUA_TTABLE else { return nil }
            let table = lua_gettop(state)
            guard let format = withField("format", of: table, { $0 == LUA_TSTRING ? bytes(at: -1) : nil }) else { return nil }
            return withField("string", of: table) { $0 == LUA_TSTRING ? bytes(at: -1).map { .verbatim($0, format: format) } : nil }
        }
        if let verbatim { return verbatim }
        for name in ["map", "set"] {
            let found = withField(name, of: index) { type -> Resp3Value? in
                guard type == LUA_TTABLE else { return nil }
                let table = lua_gettop(state)
                var pairs: [Resp3Value.Pair] = []
                lua_pushnil(state)
                while lua_next(state, table) != 0 {
                    let top = lua_gettop(state)
                    pairs.append(Resp3Value.Pair(key: value(at: top - 1, protocol: version), value: name == "map" ? value(at: top, protocol: version) : .null))
                    lua_settop(state, -2)
                }
                return name == "map" ? .map(pairs) : .set(pairs.map(\.key))
            }
            if let found { return found }
        }
        var elements: [Resp3Value] = []
        var position: Int32 = 1
        while true {
            lua_rawgeti(state, index, position)
            defer { lua_settop(state, -2) }
            if lua_type(state, -1) == LUA_TNIL { break }
            elements.append(value(at: lua_gettop(state), protocol: version))
            position += 1
        }
        return .array(elements)
    }

    /// Redis to Lua: integer → number, bulk → string, null → false, array → table,
    /// status → `{ok=}`, error → `{err=}`.
    fileprivate static func push(_ value: RedisValue, on state: OpaquePointer) {
        switch value {
        case .integer(let number):
            lua_pushnumber(state, lua_Number(number))
        case .bulkString(let bytes):
            push(bytes: bytes, on: state)
        case .null:
            lua_pushboolean(state, 0)
        case .simpleString(let text):
            pushTable(field: "ok", text, on: state)
        case .error(let message):
            pushTable(field: "err", message, on: state)
        case .array(let elements):
            lua_createtable(state, Int32(elements.count), 0)
            for (index, element) in elements.enumerated() {
                push(element, on: state)
                lua_rawseti(state, -2, Int32(index + 1))
            }
        }
    }

    /// RESP3 to Lua as Redis's reply parser builds it: null → nil, double → `{double=n}`, map →
    /// `{map={name=value}}`, set → `{set={member=true}}`, verbatim → `{verbatim_string={string=,
    /// format='txt'}}`; every table made empty and filled in reply order, as Redis does, so that
    /// `pairs` walks a map or set in Redis's order.
    fileprivate static func push(_ value: Resp3Value, on state: OpaquePointer) {
        func field(_ name: String, _ fill: () -> Void) {
            lua_pushstring(state, name)
            fill()
            lua_settable(state, -3)
        }
        switch value {
        case .plain(let reply):
            push(reply, on: state)
        case .null:
            lua_pushnil(state)
        case .double(let number, _):
            lua_createtable(state, 0, 0)
            field("double") { lua_pushnumber(state, number) }
        case .verbatim(let text, let format):
            lua_createtable(state, 0, 0)
            field("verbatim_string") {
                lua_createtable(state, 0, 0)
                field("string") { push(bytes: text, on: state) }
                field("format") { push(bytes: format, on: state) }
            }
        case .boolean(let truth):
            lua_pushboolean(state, truth ? 1 : 0)
        case .bigNumber(let digits):
            lua_createtable(state, 0, 0)
            field("big_number") { push(bytes: digits, on: state) }
        case .array(let elements):
            lua_createtable(state, 0, 0)
            for (position, element) in elements.enumerated() {
                lua_pushnumber(state, lua_Number(position + 1))
                push(element, on: state)
                lua_settable(state, -3)
            }
        case .map(let pairs):
            lua_createtable(state, 0, 0)
            field("map") {
                lua_createtable(state, 0, 0)
                // A nil key would raise inside this Swift frame; no reply has one.
                for pair in pairs where !pair.key.isNull {
                    push(pair.key, on: state)
                    push(pair.value, on: state)
                    lua_settable(state, -3)
                }
            }
        case .set(let members):
            lua_createtable(state, 0, 0)
            field("set") {
                lua_createtable(state, 0, 0)
                for member in members where !member.isNull {
                    push(member, on: state)
                    lua_pushboolean(state, 1)
                    lua_settable(state, -3)
                }
            }
        }
    }

    fileprivate static func pushTable(field: String, _ text: String, on state: OpaquePointer) {
        lua_createtable(state, 0, 1)
        lua_pushstring(state, text)
        lua_setfield(state, -2, field)
    }

    /// Sandbox, the `redis` table and the error handler, in Lua so that errors are raised there.
    private static let bootstrap = """
        local getinfo = debug.getinfo
        local sha1hex = __stub_sha1hex
        redis = { call = __stub_redis_call, pcall = __stub_redis_pcall }
        -- The log goes nowhere (no server log), but its arguments are checked as Redis does.
        redis.log, redis.setresp, redis.set_repl = __stub_log, __stub_setresp, __stub_set_repl
        __stub_redis_call, __stub_redis_pcall, __stub_sha1hex = nil, nil, nil
        __stub_log, __stub_setresp, __stub_set_repl = nil, nil, nil

        local function locate(level)
          while true do
            local info = getinfo(level, 'Sl')
            if not info then return nil, nil end
            if info.source == '@user_script' or info.source == '@user_function' then return info.source, info.currentline end
            level = level + 1
          end
        end

        function redis.error_reply(message)
          if type(message) ~= 'string' then return { err = 'ERR wrong number or type of arguments' } end
          if message:sub(1, 1) == '-' then message = message:sub(2) end
          if not message:find(' ', 1, true) then message = 'ERR ' .. message end
          return { err = (message:gsub('[\\r\\n]+$', '')) }
        end
        function redis.status_reply(message) return { ok = message } end
        function redis.sha1hex(text) return sha1hex(text) end
        redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
        -- Outside Redis's Lua debugger these do nothing, as in Redis.
        function redis.breakpoint() return false end
        function redis.debug() end
        redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
        function redis.replicate_commands() return true end
        redis.REDIS_VERSION, redis.REDIS_VERSION_NUM = '7.0.15', 0x07000f

        -- The libraries Redis builds in, where this machine has them (Debian's lua-cjson and
        -- lua-bitop): loaded before the sandbox closes require.
        for _, name in ipairs({ 'cjson', 'bit' }) do
          local found, library = pcall(require, name)
          if found then rawset(_G, name, library) end
        end

        -- Redis 7 functions. A library's code runs once, at FUNCTION LOAD, where it sees only
        -- redis.register_function and redis.log; the functions it registers run later with
        -- every global a script has (their environment switches over after the load).
        local registry = debug.getregistry()
        registry.__stub_functions = {}
        local load_redis = setmetatable({ log = redis.log, setresp = redis.setresp }, {
          __index = function(_, name) error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2) end,
        })
        load_redis.LOG_DEBUG, load_redis.LOG_VERBOSE, load_redis.LOG_NOTICE, load_redis.LOG_WARNING = 0, 1, 2, 3
        local known_flags = { ['no-writes'] = true, ['allow-oom'] = true, ['allow-stale'] = true, ['no-cluster'] = true, ['allow-cross-slot-keys'] = true }
        local function valid_name(name) return type(name) == 'string' and name:match('^[%w_]+$') ~= nil end
        registry.__stub_load_library = function(code)
          local chunk, problem = loadstring(code, '@user_function')
          if not chunk then return nil, 'ERR Error compiling function: ' .. problem end
          local pending, metadata = {}, {}
          load_redis.register_function = function(...)
            local name, callback, flags, description
            if select('#', ...) == 1 then
              local spec = ...
              if type(spec) ~= 'table' then
                error({ err = 'ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).' })
              end
              name, callback, flags, description = spec.function_name, spec.callback, spec.flags, spec.description
              for _, flag in ipairs(flags or {}) do
                if not known_flags[flag] then error({ err = 'ERR unknown flag given' }) end
              end
            elseif select('#', ...) == 2 then
              name, callback = ...
              if type(callback) ~= 'function' then error({ err = 'ERR second argument to redis.register_function must be a function' }) end
            else
              error({ err = 'ERR wrong number of arguments to redis.register_function' })
            end
            -- Redis 7.0's words for a bad function name.
            if not valid_name(name) then
              error({ err = 'ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long' })
            end
            if type(callback) ~= 'function' then error({ err = 'ERR callback must be a function' }) end
            if pending[name] then error({ err = 'ERR Function already exists in the library' }) end
            pending[name] = callback
            metadata[#metadata + 1] = { name, flags or {}, description or false }
          end
          local globals = { redis = load_redis }
          local environment = setmetatable({}, {
            __index = function(_, name)
              local value = globals[name]
              if value == nil then error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2) end
              return value
            end,
            __newindex = function() error('Attempt to modify a readonly table', 2) end,
          })
          setfenv(chunk, environment)
          local loaded, failure = pcall(chunk)
          load_redis.register_function = nil
          if not loaded then
            if type(failure) == 'table' then return nil, failure.err end
            return nil, 'ERR ' .. tostring(failure)
          end
          getmetatable(environment).__index = _G
          registry.__stub_pending = pending
          return metadata
        end
        -- Makes the last loaded library's functions callable, after dropping `replaced`'s.
        registry.__stub_commit_library = function(...)
          for _, name in ipairs({ ... }) do registry.__stub_functions[name] = nil end
          for name, callback in pairs(registry.__stub_pending) do registry.__stub_functions[name] = callback end
          registry.__stub_pending = nil
        end
        registry.__stub_drop_functions = function(...)
          for _, name in ipairs({ ... }) do registry.__stub_functions[name] = nil end
        end
        registry.__stub_call_function = function(name, keys, args)
          return registry.__stub_functions[name](keys, args)
        end

        debug.getregistry().__stub_error_handler = function(err)
          if type(err) ~= 'table' then err = { err = 'ERR ' .. tostring(err) } end
          if err.source == nil then err.source, err.line = locate(2) end
          return err
        end

        -- Lua 5.1 does not verify bytecode, so a crafted chunk can read and write memory
        -- (the CVE-2015-4335 class). Redis's Lua parses every chunk as text; so does the stub:
        -- a chunk that starts with ESC gets the same syntax error Redis gives.
        local text_loadstring = loadstring
        local function refuse_binary(chunk, name)
          if chunk:byte(1) == 27 then
            local where
            if name and name:find('^[=@]') then where = name:sub(2)
            else where = '[string "' .. (name or chunk:match('^[^%z\\n]*')) .. '"]' end
            return nil, where .. ":1: unexpected symbol near 'char(27)'"
          end
          return text_loadstring(chunk, name)
        end
        loadstring = function(chunk, name)
          if type(chunk) ~= 'string' then return text_loadstring(chunk, name) end
          return refuse_binary(chunk, name)
        end
        load = function(reader, name)
          if type(reader) ~= 'function' then return text_loadstring(reader, name) end
          local pieces = {}
          while true do
            local piece = reader()
            if piece == nil or piece == '' then break end
            if type(piece) ~= 'string' then return nil, 'reader function must return a string' end
            pieces[#pieces + 1] = piece
          end
          return refuse_binary(table.concat(pieces), name or '=(load)')
        end

        loadfile, dofile, require, module, io, os, package, debug, print = nil, nil, nil, nil, nil, nil, nil, nil, nil
        setmetatable(_G, {
          __index = function(_, name)
            error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
          end,
          __newindex = function() error('Attempt to modify a readonly table', 2) end,
        })
        """
}

/// Runs one command in the stub for a script. Answers `true, reply` or `false, {err=...}`;
/// never raises (see ``StubLua``).
private let stubCall: lua_CFunction = { state in
    guard let state else { return 0 }
    func fail(_ message: String) -> Int32 {
        lua_pushboolean(state, 0)
        StubLua.pushTable(field: "err", message, on: state)
        return 2
    }
    let count = lua_gettop(state)
    guard count > 0 else { return fail("ERR Please specify at least one argument for this redis lib call") }
    var command: RedisCommandArgv = []
    for index in 1...count {
        switch lua_type(state, index) {
        case LUA_TSTRING:
            var length = 0
            let pointer = lua_tolstring(state, index, &length)
            command.append(Array(UnsafeRawBufferPointer(start: pointer, count: length)))
        case LUA_TNUMBER:
            command.append(StubFormat.double(lua_tonumber(state, index)))
        default:
            return fail("ERR Lua redis lib command arguments must be strings or integers")
        }
    }
    guard let execution = runningExecution(state) else { return fail("ERR script context is gone") }

    // Redis's order: the command (and subcommand) known, its arity, allowed in scripts at
    // all, then allowed in a read-only one.
    let name = lowercasedCommandName(command[0])
    guard let handler = StubCommands.table[name] else { return fail("ERR Unknown Redis command called from script") }
    var fullName = name
    var arity = handler.arity
    if let subcommands = handler.subcommands, command.count >= 2 {
        let subcommand = String(decoding: command[1], as: UTF8.self).lowercased()
        guard let subcommandArity = subcommands[subcommand.uppercased()] else { return fail("ERR Unknown Redis command called from script") }
        fullName += "|" + subcommand
        arity = subcommandArity
    }
    guard StubCommand.accepts(arity: arity, count: command.count) else {
        return fail("ERR Wrong number of args calling Redis command from script")
    }
    guard !StubCommands.noScript.contains(name) && !StubCommands.noScript.contains(fullName) else {
        return fail("ERR This Redis command is not allowed from script")
    }
    if execution.pointee.scriptReadOnly && (StubCommands.writeInScripts.contains(name) || StubCommands.writeInScripts.contains(fullName)) {
        return fail("ERR Write commands are not allowed from read-only scripts.")
    }
    let reply = execution.pointee.run(command)
    // A blocking command in a script answers at once, as in Redis: the script never waits.
    execution.pointee.block = nil
    if case .error(let message) = reply { return fail(message) }
    lua_pushboolean(state, 1)
    if execution.pointee.scriptProtocol == 3 {
        StubLua.push(Resp3Shape.convert(command, reply), on: state)
    } else {
        StubLua.push(reply, on: state)
    }
    return 2
}

/// The execution the running script's commands run in; nil while a library loads.
private func runningExecution(_ state: OpaquePointer) -> UnsafeMutablePointer<StubExecution>? {
    lua_getfield(state, stub_lua_registry_index(), "__stub_execution")
    defer { lua_settop(state, -2) }
    return lua_touserdata(state, -1)?.assumingMemoryBound(to: StubExecution.self)
}

private let stubSHA1Hex: lua_CFunction = { state in
    guard let state else { return 0 }
    var length = 0
    let pointer = lua_tolstring(state, 1, &length)
    let hex = SHA1.hex(pointer.map { Array(UnsafeRawBufferPointer(start: $0, count: length)) } ?? [])
    lua_pushstring(state, hex)
    return 1
}

/// `false, {err = message}`: the C wrapper raises it with the script's line.
private func luaFailure(_ state: OpaquePointer, _ message: String) -> Int32 {
    lua_pushboolean(state, 0)
    StubLua.pushTable(field: "err", message, on: state)
    return 2
}

/// `true, nil`: nothing to answer.
private func luaNothing(_ state: OpaquePointer) -> Int32 {
    lua_pushboolean(state, 1)
    lua_pushnil(state)
    return 2
}

/// `redis.log(level, message...)`: checked, then dropped (the stub keeps no server log).
private let stubLogCheck: lua_CFunction = { state in
    guard let state else { return 0 }
    guard lua_gettop(state) >= 2 else { return luaFailure(state, "ERR redis.log() requires two arguments or more.") }
    guard lua_type(state, 1) == LUA_TNUMBER else { return luaFailure(state, "ERR First argument must be a number (log level).") }
    guard (0...3).contains(lua_tonumber(state, 1)) else { return luaFailure(state, "ERR Invalid debug level.") }
    return luaNothing(state)
}

/// `redis.setresp(2|3)`: how `redis.call`'s replies reach the rest of the script.
private let stubSetRespCheck: lua_CFunction = { state in
    guard let state else { return 0 }
    guard lua_gettop(state) == 1 else { return luaFailure(state, "ERR redis.setresp() requires one argument.") }
    let version = lua_tonumber(state, 1)
    guard lua_type(state, 1) == LUA_TNUMBER, version == 2 || version == 3 else { return luaFailure(state, "ERR RESP version must be 2 or 3.") }
    runningExecution(state)?.pointee.scriptProtocol = Int(version)
    return luaNothing(state)
}

/// `redis.set_repl(flags)`: accepted; there are no replicas to leave out.
private let stubSetReplCheck: lua_CFunction = { state in
    guard let state else { return 0 }
    guard lua_gettop(state) == 1 else { return luaFailure(state, "ERR redis.set_repl() requires two arguments.") }
    guard lua_type(state, 1) == LUA_TNUMBER, (0...3).contains(lua_tonumber(state, 1)) else {
        return luaFailure(state, "ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
    }
    return luaNothing(state)
}
