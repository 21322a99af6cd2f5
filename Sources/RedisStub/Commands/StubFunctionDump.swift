import RedisClientCore

/// FUNCTION DUMP and RESTORE: the libraries' code in Redis 7.0's payload (each library an RDB
/// function opcode and its code as a string, then the version and checksum), restored with
/// FLUSH, APPEND (the default) or REPLACE, all or nothing.
extension StubCommands {
    /// RDB_OPCODE_FUNCTION2, and the pre-release format Redis 7.0 refuses.
    private static let functionOpcode: UInt8 = 245, preReleaseFunctionOpcode: UInt8 = 246

    static func dumpLibraries(_ state: StubState) -> [UInt8] {
        var writer = RDBWriter()
        for library in state.functionLibraries.values {
            writer.raw([functionOpcode])
            writer.string(library.code)
        }
        return RDB.payload(writer.bytes)
    }

    static func restoreLibraries(_ state: StubState, _ command: RedisCommandArgv) throws(StubError) {
        guard command.count <= 4 else {
            throw StubError("ERR unknown subcommand or wrong number of arguments for '\(String(decoding: command[1], as: UTF8.self))'. Try FUNCTION HELP.")
        }
        let policy = command.count == 4 ? StubParse.upper(command[3]) : "APPEND"
        guard ["APPEND", "REPLACE", "FLUSH"].contains(policy) else {
            throw StubError("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
        }
        guard let object = RDB.object(inPayload: command[2]) else { throw StubError("ERR DUMP payload version or checksum are wrong") }
        var reader = RDBReader(object)
        var codes: [[UInt8]] = []
        while !reader.atEnd {
            switch reader.byte() {
            case functionOpcode:
                guard let code = reader.string() else { throw StubError("ERR failed loading the given functions payload") }
                codes.append(code)
            case preReleaseFunctionOpcode: throw StubError("ERR Pre-GA function format not supported")
            default: throw StubError("ERR given type is not a function")
            }
        }
        // All or nothing: on any refusal, the libraries as they were.
        let before = Array(state.functionLibraries.values.map(\.code))
        do throws(StubError) {
            if policy == "FLUSH" { dropLibraries(state) }
            if policy == "APPEND" {
                for code in codes {
                    if let name = try? libraryName(code), state.functionLibraries[name] != nil { throw StubError("ERR Library \(name) already exists") }
                }
            }
            for code in codes { _ = try loadLibrary(state, code, replace: policy == "REPLACE") }
        } catch {
            dropLibraries(state)
            for code in before { _ = try? loadLibrary(state, code, replace: false) }
            throw error
        }
    }

    static func dropLibraries(_ state: StubState) {
        state.lua.dropFunctions(state.functionLibraries.values.flatMap { $0.functions.map(\.name) })
        state.functionLibraries.removeAll()
    }
}
