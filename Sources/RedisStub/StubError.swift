import RedisClientCore
/// An error reply from the stub, with Redis 7.0's exact text.
struct StubError: Error {
    let message: String

    init(_ message: String) { self.message = message }

    static let wrongType = StubError("WRONGTYPE Operation against a key holding the wrong kind of value")
    static let notInteger = StubError("ERR value is not an integer or out of range")
    static let notFloat = StubError("ERR value is not a valid float")
    static let minMaxNotFloat = StubError("ERR min or max is not a float")
    static let syntax = StubError("ERR syntax error")
    static let overflow = StubError("ERR increment or decrement would overflow")
    static let notPositive = StubError("ERR value is out of range, must be positive")

    static func arity(_ command: String) -> StubError {
        StubError("ERR wrong number of arguments for '\(command)' command")
    }

    static func invalidExpire(_ command: String) -> StubError {
        StubError("ERR invalid expire time in '\(command)' command")
    }
}
