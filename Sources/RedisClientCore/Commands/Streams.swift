public struct StreamEntry: Sendable, Equatable {
    public var id: String
    /// Empty for a pending entry that was deleted from the stream after delivery.
    public var fields: [String: String]

    public init(id: String, fields: [String: String]) {
        self.id = id
        self.fields = fields
    }
}

/// The entries `XREADGROUP` read from one stream.
public struct StreamRead: Sendable, Equatable {
    public var key: String
    public var entries: [StreamEntry]
}

/// `XADD`'s `MAXLEN` trimming.
public enum StreamTrim: Sendable, Equatable {
    case exact(Int)
    /// `MAXLEN ~ n`: Redis may keep a few more, trimming only whole macro nodes.
    case approximate(Int)
}

/// `XPENDING key group`.
public struct PendingSummary: Sendable, Equatable {
    public var count: Int
    public var smallestID: String?
    public var greatestID: String?
    /// Pending count per consumer.
    public var consumers: [String: Int]
}

/// One row of `XPENDING key group start end count [consumer]`.
public struct PendingEntry: Sendable, Equatable {
    public var id: String
    public var consumer: String
    public var idleMilliseconds: Int
    public var deliveryCount: Int
}

extension RedisConnection {
    /// `XADD key [MAXLEN [~] n] id|* field value ...`; answers the entry's id.
    @discardableResult
    public func xadd(_ key: String, id: String = "*", _ fields: [(String, String)], trim: StreamTrim? = nil) throws -> String {
        var command = argv("XADD", key)
        switch trim {
        case .exact(let count): command += argv("MAXLEN", count)
        case .approximate(let count): command += argv("MAXLEN", "~", count)
        case nil: break
        }
        command.append(id.redisBytes)
        for (field, value) in fields { command += argv(field, value) }
        return try call(command).string()
    }

    public func xlen(_ key: String) throws -> Int {
        try call(argv("XLEN", key)).int()
    }

    public func xrange(_ key: String, start: String = "-", end: String = "+", count: Int? = nil) throws -> [StreamEntry] {
        var command = argv("XRANGE", key, start, end)
        if let count { command += argv("COUNT", count) }
        return try streamEntries(call(command))
    }

    public func xrevrange(_ key: String, end: String = "+", start: String = "-", count: Int? = nil) throws -> [StreamEntry] {
        var command = argv("XREVRANGE", key, end, start)
        if let count { command += argv("COUNT", count) }
        return try streamEntries(call(command))
    }

    @discardableResult
    public func xdel(_ key: String, _ ids: [String]) throws -> Int {
        try call(argv("XDEL", key) + ids.map(\.redisBytes)).int()
    }

    /// `XGROUP CREATE key group id [MKSTREAM]`; a group that exists answers `BUSYGROUP`.
    public func xgroupCreate(_ key: String, group: String, id: String = "$", makeStream: Bool = false) throws {
        var command = argv("XGROUP", "CREATE", key, group, id)
        if makeStream { command.append("MKSTREAM".redisBytes) }
        try call(command).ok()
    }

    /// `XREADGROUP GROUP g c [COUNT n] [BLOCK ms] [NOACK] STREAMS k... id...`. Answers nil when
    /// a blocking read timed out with nothing new. The command timeout must exceed `block`.
    public func xreadgroup(
        group: String,
        consumer: String,
        streams: [(key: String, id: String)],
        count: Int? = nil,
        blockMilliseconds: Int? = nil,
        noAck: Bool = false
    ) throws -> [StreamRead]? {
        var command = argv("XREADGROUP", "GROUP", group, consumer)
        if let count { command += argv("COUNT", count) }
        if let blockMilliseconds { command += argv("BLOCK", blockMilliseconds) }
        if noAck { command.append("NOACK".redisBytes) }
        command.append("STREAMS".redisBytes)
        command += streams.map { $0.key.redisBytes } + streams.map { $0.id.redisBytes }
        guard let perStream = try call(command).optionalArray() else { return nil }
        return try perStream.map { stream in
            let parts = try stream.array()
            guard parts.count == 2 else { throw stream.unexpected() }
            return StreamRead(key: try parts[0].string(), entries: try streamEntries(parts[1]))
        }
    }

    @discardableResult
    public func xack(_ key: String, group: String, _ ids: [String]) throws -> Int {
        try call(argv("XACK", key, group) + ids.map(\.redisBytes)).int()
    }

    public func xpending(_ key: String, group: String) throws -> PendingSummary {
        let reply = try call(argv("XPENDING", key, group))
        let parts = try reply.array()
        guard parts.count == 4 else { throw reply.unexpected() }
        var consumers: [String: Int] = [:]
        for pair in try parts[3].optionalArray() ?? [] {
            let row = try pair.strings()
            guard row.count == 2, let pending = Int(row[1]) else { throw pair.unexpected() }
            consumers[row[0]] = pending
        }
        return PendingSummary(
            count: try parts[0].int(), smallestID: try parts[1].optionalString(),
            greatestID: try parts[2].optionalString(), consumers: consumers
        )
    }

    public func xpending(
        _ key: String, group: String, start: String = "-", end: String = "+", count: Int, consumer: String? = nil
    ) throws -> [PendingEntry] {
        var command = argv("XPENDING", key, group, start, end, count)
        if let consumer { command.append(consumer.redisBytes) }
        return try call(command).array().map { row in
            let fields = try row.array()
            guard fields.count == 4 else { throw row.unexpected() }
            return PendingEntry(
                id: try fields[0].string(), consumer: try fields[1].string(),
                idleMilliseconds: try fields[2].int(), deliveryCount: try fields[3].int()
            )
        }
    }

    private func streamEntries(_ reply: RedisReply) throws -> [StreamEntry] {
        try reply.array().map { entry in
            let parts = try entry.array()
            guard parts.count == 2 else { throw entry.unexpected() }
            let pairs = parts[1].value == .null ? [] : try parts[1].pairs()
            return StreamEntry(id: try parts[0].string(), fields: Dictionary(pairs, uniquingKeysWith: { _, last in last }))
        }
    }
}
