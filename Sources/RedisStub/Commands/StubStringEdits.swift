import RedisClientCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The rest of Redis 7.0's string family: setting several keys, reading and deleting at once,
/// editing a value in place, and float increments with Redis's long-double arithmetic.
extension StubCommands {
    static let stringEdits: [String: StubCommand] = [
        "strlen": StubCommand(2) { execution, command throws(StubError) in
            .integer(try execution.database.string(command[1], now: execution.now)?.count ?? 0)
        },
        "setnx": StubCommand(3) { execution, command in
            guard !execution.database.exists(command[1], now: execution.now) else { return .integer(0) }
            execution.database.put(command[1], .string(command[2]))
            return .integer(1)
        },
        "psetex": StubCommand(4) { execution, command throws(StubError) in
            let milliseconds = try StubParse.integer(command[2])
            let deadline = try expiryDeadline(milliseconds, unitMilliseconds: 1, now: execution.now, command: "psetex")
            execution.database.put(command[1], .string(command[3]), expiresAt: deadline)
            return .ok
        },
        "mset": StubCommand(-3) { execution, command throws(StubError) in
            guard command.count % 2 == 1 else { throw .arity("mset") }
            for index in stride(from: 1, to: command.count, by: 2) { execution.database.put(command[index], .string(command[index + 1])) }
            return .ok
        },
        "msetnx": StubCommand(-3) { execution, command throws(StubError) in
            guard command.count % 2 == 1 else { throw .arity("msetnx") }
            let database = execution.database
            let now = execution.now
            guard !stride(from: 1, to: command.count, by: 2).contains(where: { database.exists(command[$0], now: now) }) else { return .integer(0) }
            for index in stride(from: 1, to: command.count, by: 2) { database.put(command[index], .string(command[index + 1])) }
            return .integer(1)
        },
        "getset": StubCommand(3) { execution, command throws(StubError) in
            let old = try execution.database.string(command[1], now: execution.now)
            execution.database.put(command[1], .string(command[2]))
            return old.map(RedisValue.bulkString) ?? .null
        },
        "getdel": StubCommand(2) { execution, command throws(StubError) in
            guard let value = try execution.database.string(command[1], now: execution.now) else { return .null }
            execution.database.remove(command[1])
            return .bulkString(value)
        },
        "getex": StubCommand(-2, getex),
        "append": StubCommand(3) { execution, command throws(StubError) in
            let current = try execution.database.string(command[1], now: execution.now)
            let value = (current ?? []) + command[2]
            try checkLength(value.count)
            // A new key is stored whole; appending to one edits it in place (raw).
            execution.database.replaceString(command[1], value, form: current == nil ? .whole : .edited)
            return .integer(value.count)
        },
        "getrange": StubCommand(4, getrange),
        "substr": StubCommand(4, getrange),
        "setrange": StubCommand(4, setrange),
        "incrbyfloat": StubCommand(3) { execution, command throws(StubError) in
            let current = try execution.database.string(command[1], now: execution.now)
            let base = try current.map { bytes throws(StubError) in try LongDouble.parse(bytes) } ?? 0
            let increment = try LongDouble.parse(command[2])
            let sum = base + increment
            guard sum.isFinite else { throw StubError("ERR increment would produce NaN or Infinity") }
            let text = LongDouble.human(sum)
            execution.database.replaceString(command[1], text, form: .notInteger)
            return .bulkString(text)
        },
    ]

    /// `GETEX key [EX s | PX ms | EXAT t | PXAT t | PERSIST]`, in Redis 7.0's order: the
    /// options' shape, then the key, then the expiry's number.
    static func getex(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        var expiry: (option: String, value: [UInt8])?
        var persist = false
        var index = 2
        while index < command.count {
            let option = StubParse.upper(command[index])
            switch option {
            case "PERSIST":
                guard expiry == nil else { throw .syntax }
                persist = true
            case "EX", "PX", "EXAT", "PXAT":
                guard expiry == nil, !persist, index + 1 < command.count else { throw .syntax }
                index += 1
                expiry = (option, command[index])
            default:
                throw .syntax
            }
            index += 1
        }
        guard let value = try execution.database.string(command[1], now: execution.now) else { return .null }
        var deadline: Int64?
        if let (option, text) = expiry {
            let isRelative = option == "EX" || option == "PX"
            deadline = try expiryDeadline(StubParse.integer(text), unitMilliseconds: option.hasPrefix("P") ? 1 : 1000, now: isRelative ? execution.now : 0, command: "getex")
        }
        if let deadline {
            if deadline <= execution.now { execution.database.remove(command[1]) } else { execution.database.setExpiry(command[1], at: deadline) }
        } else if persist {
            execution.database.setExpiry(command[1], at: nil)
        }
        return .bulkString(value)
    }

    /// `GETRANGE key start end`, Redis's clamping of negative and out-of-range ends.
    static func getrange(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        var start = try StubParse.integer(command[2])
        var end = try StubParse.integer(command[3])
        guard let value = try execution.database.string(command[1], now: execution.now) else { return .bulkString([]) }
        let length = Int64(value.count)
        if start < 0 && end < 0 && start > end { return .bulkString([]) }
        if start < 0 { start += length }
        if end < 0 { end += length }
        start = max(start, 0)
        end = max(end, 0)
        if end >= length { end = length - 1 }
        guard start <= end, length > 0 else { return .bulkString([]) }
        return .bulkString(Array(value[Int(start)...Int(end)]))
    }

    /// `SETRANGE key offset value`: zero-padded, the new length; an empty value changes nothing.
    static func setrange(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        let offset = try StubParse.integer(command[2])
        guard offset >= 0 else { throw StubError("ERR offset is out of range") }
        let patch = command[3]
        let current = try execution.database.string(command[1], now: execution.now)
        guard !patch.isEmpty else { return .integer(current?.count ?? 0) }
        try checkLength(Int(clamping: offset) + patch.count)
        var value = current ?? []
        let end = Int(offset) + patch.count
        if value.count < end { value += [UInt8](repeating: 0, count: end - value.count) }
        value.replaceSubrange(Int(offset)..<end, with: patch)
        execution.database.replaceString(command[1], value, form: .edited)
        return .integer(value.count)
    }

    /// Redis's `proto-max-bulk-len` default: 512 MB.
    static func checkLength(_ length: Int) throws(StubError) {
        guard length <= 512 * 1024 * 1024 else { throw StubError("ERR string exceeds maximum allowed size (proto-max-bulk-len)") }
    }
}

/// INCRBYFLOAT's arithmetic: Redis parses with `strtold` and prints with `%.17Lf`, trailing
/// zeros removed, in x86's 80-bit long double; a Double would print 10.5 + 0.1 differently.
enum LongDouble {
    static func parse(_ bytes: [UInt8]) throws(StubError) -> Float80 {
        guard !bytes.isEmpty, bytes.count < 5 * 1024, !bytes.contains(0), !(bytes[0] == 0x20 || (0x09...0x0d).contains(bytes[0])) else { throw .notFloat }
        var terminated = bytes
        terminated.append(0)
        let parsed = terminated.withUnsafeBufferPointer { buffer -> Float80? in
            let start = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let value = strtold(start, &end)
            guard let end, end - UnsafeMutablePointer(mutating: start) == bytes.count, !value.isNaN else { return nil }
            if errno == ERANGE && (value.isInfinite || value == 0) { return nil }
            return value
        }
        guard let parsed else { throw .notFloat }
        return parsed
    }

    static func human(_ value: Float80) -> [UInt8] {
        var buffer = [CChar](repeating: 0, count: 5 * 1024)
        let length = withVaList([value]) { arguments in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, "%.17Lf", arguments) }
        }
        var text = buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }
        if text.contains(UInt8(ascii: ".")) {
            while text.last == UInt8(ascii: "0") { text.removeLast() }
            if text.last == UInt8(ascii: ".") { text.removeLast() }
        }
        return text == Array("-0".utf8) ? [UInt8(ascii: "0")] : text
    }
}
