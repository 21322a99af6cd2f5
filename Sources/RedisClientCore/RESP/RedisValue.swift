/// A RESP2 reply, exactly as Redis sent it.
///
/// Error replies are values, not thrown errors, so that a pipeline or `EXEC` can answer an error
/// for one command and real replies for the others. Typed commands turn them into
/// ``RedisError/server(_:)``.
public enum RedisValue: Sendable, Hashable {
    case simpleString(String)
    case error(String)
    case integer(Int64)
    /// Binary-safe: a bulk string may hold any bytes, NUL included.
    case bulkString([UInt8])
    case null
    case array([RedisValue])
}

extension RedisValue {
    public static func bulk(_ text: String) -> RedisValue { .bulkString(Array(text.utf8)) }

    /// The text of a bulk or simple string, when it is valid UTF-8.
    public var string: String? {
        switch self {
        case .simpleString(let text): return text
        case .bulkString(let bytes): return String(validating: bytes, as: UTF8.self)
        default: return nil
        }
    }

    public var bytes: [UInt8]? {
        switch self {
        case .simpleString(let text): return Array(text.utf8)
        case .bulkString(let bytes): return bytes
        default: return nil
        }
    }

    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var array: [RedisValue]? {
        if case .array(let values) = self { return values }
        return nil
    }

    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }

    public var isNull: Bool { self == .null }
}

extension RedisValue: CustomStringConvertible {
    /// A debugging rendering close to redis-cli's, never used for protocol output.
    public var description: String {
        switch self {
        case .simpleString(let text): return text
        case .error(let message): return "(error) \(message)"
        case .integer(let value): return "(integer) \(value)"
        case .bulkString(let bytes):
            return "\"" + (String(validating: bytes, as: UTF8.self) ?? "<\(bytes.count) bytes>") + "\""
        case .null: return "(nil)"
        case .array(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        }
    }
}
