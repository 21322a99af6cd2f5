extension RedisConnection {
    /// Sends a command for a typed method: an error reply becomes ``RedisError/reply(_:)``.
    @discardableResult
    func call(_ command: RedisCommandArgv) throws -> RedisReply {
        let reply = try send(command)
        if case .error(let message) = reply { throw RedisError.reply(message) }
        return RedisReply(value: reply, command: command.first.map { String(decoding: $0, as: UTF8.self) } ?? "")
    }
}

/// A successful reply together with the command it answers, so that a reply of the wrong
/// shape can say which command it came from.
struct RedisReply {
    let value: RedisValue
    let command: String

    func unexpected() -> RedisError { .unexpectedReply(command: command, reply: value) }

    func ok() throws {
        guard case .simpleString = value else { throw unexpected() }
    }

    func int() throws -> Int {
        guard case .integer(let number) = value else { throw unexpected() }
        return Int(number)
    }

    func bool() throws -> Bool { try int() != 0 }

    func string() throws -> String {
        guard let text = try optionalString() else { throw unexpected() }
        return text
    }

    func optionalString() throws -> String? {
        switch value {
        case .null: return nil
        case .simpleString(let text): return text
        case .bulkString(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw RedisError.invalidUTF8(command: command)
            }
            return text
        default: throw unexpected()
        }
    }

    func optionalBytes() throws -> [UInt8]? {
        switch value {
        case .null: return nil
        case .bulkString(let bytes): return bytes
        default: throw unexpected()
        }
    }

    func double() throws -> Double {
        guard let number = try optionalDouble() else { throw unexpected() }
        return number
    }

    func optionalDouble() throws -> Double? {
        guard let text = try optionalString() else { return nil }
        guard let number = parseRedisDouble(text) else { throw unexpected() }
        return number
    }

    func array() throws -> [RedisReply] {
        guard case .array(let elements) = value else { throw unexpected() }
        return elements.map { RedisReply(value: $0, command: command) }
    }

    /// An array, or nil for a null reply (a timed-out blocking read, for one).
    func optionalArray() throws -> [RedisReply]? {
        if value == .null { return nil }
        return try array()
    }

    func strings() throws -> [String] { try array().map { try $0.string() } }

    func optionalStrings() throws -> [String?] { try array().map { try $0.optionalString() } }

    /// Flat `[k1, v1, k2, v2]` into pairs, in order.
    func pairs() throws -> [(String, String)] {
        let flat = try strings()
        guard flat.count % 2 == 0 else { throw unexpected() }
        return stride(from: 0, to: flat.count, by: 2).map { (flat[$0], flat[$0 + 1]) }
    }
}

/// Redis renders scores as `inf`, `-inf` or a decimal.
func parseRedisDouble(_ text: String) -> Double? {
    switch text.lowercased() {
    case "inf", "+inf": return .infinity
    case "-inf": return -.infinity
    default: return Double(text)
    }
}
