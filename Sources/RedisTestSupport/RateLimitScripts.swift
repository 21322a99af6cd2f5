/// The three rate-limit scripts the factory's callers run, written out as Lua: the stub must
/// run them unchanged and answer what Redis answers.
public enum RateLimitScripts {
    public struct Script: Sendable, CustomStringConvertible {
        public var name: String
        public var source: String
        public var keys: [String]
        /// KEYS and ARGV for one call at a simulated time.
        public var arguments: @Sendable (_ now: Int64, _ call: Int) -> ([String], [String])

        public var description: String { name }
    }

    public static let all: [Script] = [slidingWindow, multiKeyReserve, concurrencyLease]

    public static let slidingWindow = Script(
        name: "sliding window",
        source: """
            local key = KEYS[1]
            local now = tonumber(ARGV[1])
            local window = tonumber(ARGV[2])
            local limit = tonumber(ARGV[3])
            redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
            local count = redis.call('ZCARD', key)
            if count < limit then
              redis.call('ZADD', key, now, ARGV[4])
              redis.call('EXPIRE', key, math.ceil(window / 1000))
              return {1, 0}
            end
            local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
            return {0, tonumber(oldest[2]) + window - now}
            """,
        keys: ["rl:window"],
        arguments: { now, call in (["rl:window"], ["\(now)", "2000", "5", "req-\(call)"]) }
    )

    public static let multiKeyReserve = Script(
        name: "multi-key reserve",
        source: """
            local now = tonumber(ARGV[1])
            local member = ARGV[#ARGV]
            for i, key in ipairs(KEYS) do
              local window = tonumber(ARGV[2 * i])
              local limit = tonumber(ARGV[2 * i + 1])
              redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
              if redis.call('ZCARD', key) >= limit then
                local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
                return {0, i, tonumber(oldest[2]) + window - now}
              end
            end
            for i, key in ipairs(KEYS) do
              redis.call('ZADD', key, now, member)
              redis.call('PEXPIRE', key, tonumber(ARGV[2 * i]) + 60000)
            end
            return {1, 0, 0}
            """,
        keys: ["rl:second", "rl:minute"],
        arguments: { now, call in (["rl:second", "rl:minute"], ["\(now)", "1000", "3", "60000", "40", "req-\(call)"]) }
    )

    public static let concurrencyLease = Script(
        name: "concurrency lease",
        source: """
            local now = tonumber(ARGV[1])
            local ttl = tonumber(ARGV[2])
            local limit = tonumber(ARGV[3])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            if redis.call('ZCARD', KEYS[1]) < limit then
              redis.call('ZADD', KEYS[1], now + ttl, ARGV[4])
              redis.call('PEXPIRE', KEYS[1], ttl + 60000)
              return {1, 0}
            end
            local earliest = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
            return {0, tonumber(earliest[2]) - now}
            """,
        keys: ["rl:leases"],
        arguments: { now, call in (["rl:leases"], ["\(now)", "1500", "4", "lease-\(call)"]) }
    )
}
