/// Anything that can stand in a command's argv. Redis receives every argument as bytes.
public protocol RedisArgument {
    var redisBytes: [UInt8] { get }
}

extension String: RedisArgument {
    public var redisBytes: [UInt8] { Array(utf8) }
}

extension Substring: RedisArgument {
    public var redisBytes: [UInt8] { Array(utf8) }
}

extension Array: RedisArgument where Element == UInt8 {
    public var redisBytes: [UInt8] { self }
}

extension Int: RedisArgument {
    public var redisBytes: [UInt8] { Array(String(self).utf8) }
}

extension Int64: RedisArgument {
    public var redisBytes: [UInt8] { Array(String(self).utf8) }
}

extension Double: RedisArgument {
    /// Redis parses scores with strtod, which reads Swift's shortest round-trip rendering;
    /// infinities use Redis's own spelling.
    public var redisBytes: [UInt8] {
        if self == .infinity { return Array("+inf".utf8) }
        if self == -.infinity { return Array("-inf".utf8) }
        return Array(String(self).utf8)
    }
}

/// A command's argv as the connection sends it.
public typealias RedisCommandArgv = [[UInt8]]

/// Builds an argv from mixed argument types: `argv("SET", key, value)`.
@inlinable
public func argv(_ parts: any RedisArgument...) -> RedisCommandArgv {
    parts.map(\.redisBytes)
}
