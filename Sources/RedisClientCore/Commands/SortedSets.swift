/// One end of a score range: `ZRANGEBYSCORE k (1 +inf`.
public enum ScoreBound: Sendable, Equatable, RedisArgument {
    case inclusive(Double)
    case exclusive(Double)
    public static let negativeInfinity = ScoreBound.inclusive(-.infinity)
    public static let positiveInfinity = ScoreBound.inclusive(.infinity)

    public var redisBytes: [UInt8] {
        switch self {
        case .inclusive(let score): return score.redisBytes
        case .exclusive(let score): return [UInt8(ascii: "(")] + score.redisBytes
        }
    }
}

public struct ScoredMember: Sendable, Equatable {
    public var member: String
    public var score: Double

    public init(_ member: String, _ score: Double) {
        self.member = member
        self.score = score
    }
}

extension RedisConnection {
    /// `ZADD key [NX|XX] score member ...`; answers how many members were added.
    @discardableResult
    public func zadd(_ key: String, _ members: [ScoredMember], condition: RedisCondition? = nil) throws -> Int {
        var command = argv("ZADD", key)
        if let condition { command.append(condition.rawValue.redisBytes) }
        for entry in members { command += argv(entry.score, entry.member) }
        return try call(command).int()
    }

    @discardableResult
    public func zrem(_ key: String, _ members: [String]) throws -> Int {
        try call(argv("ZREM", key) + members.map(\.redisBytes)).int()
    }

    public func zrange(_ key: String, start: Int, stop: Int) throws -> [String] {
        try call(argv("ZRANGE", key, start, stop)).strings()
    }

    public func zrangeWithScores(_ key: String, start: Int, stop: Int) throws -> [ScoredMember] {
        try scoredMembers(call(argv("ZRANGE", key, start, stop, "WITHSCORES")))
    }

    public func zrangebyscore(
        _ key: String, min: ScoreBound, max: ScoreBound, limit: (offset: Int, count: Int)? = nil
    ) throws -> [String] {
        var command = argv("ZRANGEBYSCORE", key, min, max)
        if let limit { command += argv("LIMIT", limit.offset, limit.count) }
        return try call(command).strings()
    }

    public func zrangebyscoreWithScores(_ key: String, min: ScoreBound, max: ScoreBound) throws -> [ScoredMember] {
        try scoredMembers(call(argv("ZRANGEBYSCORE", key, min, max, "WITHSCORES")))
    }

    @discardableResult
    public func zremrangebyscore(_ key: String, min: ScoreBound, max: ScoreBound) throws -> Int {
        try call(argv("ZREMRANGEBYSCORE", key, min, max)).int()
    }

    public func zcard(_ key: String) throws -> Int {
        try call(argv("ZCARD", key)).int()
    }

    public func zcount(_ key: String, min: ScoreBound, max: ScoreBound) throws -> Int {
        try call(argv("ZCOUNT", key, min, max)).int()
    }

    public func zscore(_ key: String, _ member: String) throws -> Double? {
        try call(argv("ZSCORE", key, member)).optionalDouble()
    }

    @discardableResult
    public func zincrby(_ key: String, _ increment: Double, _ member: String) throws -> Double {
        try call(argv("ZINCRBY", key, increment, member)).double()
    }

    private func scoredMembers(_ reply: RedisReply) throws -> [ScoredMember] {
        let flat = try reply.array()
        guard flat.count % 2 == 0 else { throw reply.unexpected() }
        return try stride(from: 0, to: flat.count, by: 2).map {
            ScoredMember(try flat[$0].string(), try flat[$0 + 1].double())
        }
    }
}
