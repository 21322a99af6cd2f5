import RedisClientCore

/// A reply as RESP3 types it: what a script that called `redis.setresp(3)` receives from
/// `redis.call`. The stub's commands answer RESP2; RESP3 differs in a null that is Lua's nil,
/// maps, sets, doubles and verbatim strings.
indirect enum Resp3Value {
    /// Integers, bulk strings, statuses and errors: typed as in RESP2.
    case plain(RedisValue)
    case null
    case double(Double)
    case verbatim([UInt8])
    case array([Resp3Value])
    case map([(key: Resp3Value, value: Resp3Value)])
    case set([Resp3Value])

    var isNull: Bool { if case .null = self { true } else { false } }
}

/// Which of Redis 7.0's replies RESP3 types beyond RESP2, and how: read from Redis's reply
/// code (`addReplyMapLen`, `addReplySetLen`, `addReplyDouble`, `addReplyVerbatim`) and checked
/// against redis-server through scripts in the contract suite. Server introspection replies
/// that only RESP3 clients see typed (COMMAND, MEMORY STATS, LATENCY HISTOGRAM) stay as RESP2
/// shapes them.
enum Resp3Shape {
    static func convert(_ command: RedisCommandArgv, _ reply: RedisValue) -> Resp3Value {
        if case .error = reply { return .plain(reply) }
        let name = lowercasedCommandName(command[0])
        let subcommand = command.count > 1 ? StubParse.upper(command[1]) : ""
        let options = Set(command.dropFirst().map(StubParse.upper))
        switch name {
        case "hgetall":
            return map(reply)
        case "config" where subcommand == "GET", "pubsub" where subcommand == "NUMSUB" || subcommand == "SHARDNUMSUB":
            return map(reply)
        case "lcs" where options.contains("IDX"):
            return map(reply)
        case "xread", "xreadgroup":
            guard case .array(let streams) = reply else { return plain(reply) }
            return .map(streams.map { stream in
                guard case .array(let pair) = stream, pair.count == 2 else { return (plain(stream), .null) }
                return (plain(pair[0]), plain(pair[1]))
            })
        case "xinfo":
            return streamInfo(subcommand, full: options.contains("FULL"), reply)
        case "smembers", "sinter", "sunion", "sdiff":
            return set(reply)
        case "spop" where command.count == 3:
            return set(reply)
        case "zscore", "zincrby", "zadd":
            return double(reply)
        case "zmscore":
            return each(reply, double)
        case "geopos":
            return each(reply) { coordinates in each(coordinates, double) }
        case "georadius", "georadius_ro", "georadiusbymember", "georadiusbymember_ro", "geosearch":
            // A match with WITHCOORD ends in its coordinates, which are doubles.
            return each(reply) { match in
                guard case .array(let fields) = match else { return plain(match) }
                return .array(fields.map { field in if case .array = field { each(field, double) } else { plain(field) } })
            }
        case "zrange", "zrangebyscore", "zrevrange", "zrevrangebyscore", "zunion", "zinter", "zdiff", "zrandmember":
            return options.contains("WITHSCORES") ? scoredPairs(reply) : plain(reply)
        case "zpopmin", "zpopmax":
            // With a count, pairs; without one, the one member and its score side by side.
            if command.count == 3 { return scoredPairs(reply) }
            guard case .array(let elements) = reply, elements.count == 2 else { return plain(reply) }
            return .array([plain(elements[0]), double(elements[1])])
        case "zmpop", "bzmpop":
            guard case .array(let elements) = reply, elements.count == 2 else { return plain(reply) }
            return .array([plain(elements[0]), each(elements[1]) { pair in
                guard case .array(let memberScore) = pair, memberScore.count == 2 else { return plain(pair) }
                return .array([plain(memberScore[0]), double(memberScore[1])])
            }])
        case "bzpopmin", "bzpopmax":
            guard case .array(let elements) = reply, elements.count == 3 else { return plain(reply) }
            return .array([plain(elements[0]), plain(elements[1]), double(elements[2])])
        case "hrandfield" where options.contains("WITHVALUES"):
            guard case .array(let elements) = reply else { return plain(reply) }
            return .array(stride(from: 0, to: elements.count - 1, by: 2).map { .array([plain(elements[$0]), plain(elements[$0 + 1])]) })
        case "info", "lolwut":
            return verbatim(reply)
        case "memory" where subcommand == "DOCTOR", "latency" where subcommand == "DOCTOR", "client" where subcommand == "INFO" || subcommand == "LIST":
            return verbatim(reply)
        default:
            return plain(reply)
        }
    }

    /// RESP2's shape with RESP3's null.
    static func plain(_ reply: RedisValue) -> Resp3Value {
        switch reply {
        case .null: return .null
        case .array(let elements): return .array(elements.map(plain))
        default: return .plain(reply)
        }
    }

    private static func each(_ reply: RedisValue, _ convert: (RedisValue) -> Resp3Value) -> Resp3Value {
        guard case .array(let elements) = reply else { return plain(reply) }
        return .array(elements.map(convert))
    }


    private static func double(_ reply: RedisValue) -> Resp3Value {
        guard case .bulkString(let text) = reply, let value = StubParse.parseDouble(text) else { return plain(reply) }
        return .double(value)
    }

    /// A flat list of name, value, name, value; `nested` shapes the values of some names.
    private static func map(_ reply: RedisValue, nested: [String: (RedisValue) -> Resp3Value] = [:]) -> Resp3Value {
        guard case .array(let elements) = reply else { return plain(reply) }
        return .map(stride(from: 0, to: elements.count - 1, by: 2).map { index in
            let shape = elements[index].bulkText.flatMap { nested[$0] } ?? plain
            return (plain(elements[index]), shape(elements[index + 1]))
        })
    }

    private static func set(_ reply: RedisValue) -> Resp3Value {
        guard case .array(let elements) = reply else { return plain(reply) }
        return .set(elements.map(plain))
    }

    private static func verbatim(_ reply: RedisValue) -> Resp3Value {
        guard case .bulkString(let text) = reply else { return plain(reply) }
        return .verbatim(text)
    }

    /// member, score, member, score → [member, score as a double] pairs.
    private static func scoredPairs(_ reply: RedisValue) -> Resp3Value {
        guard case .array(let elements) = reply else { return plain(reply) }
        return .array(stride(from: 0, to: elements.count - 1, by: 2).map { .array([plain(elements[$0]), double(elements[$0 + 1])]) })
    }

    /// XINFO's replies are maps; FULL's groups and their consumers are maps inside.
    private static func streamInfo(_ subcommand: String, full: Bool, _ reply: RedisValue) -> Resp3Value {
        switch subcommand {
        case "STREAM" where full:
            let consumers: (RedisValue) -> Resp3Value = { each($0) { map($0) } }
            return map(reply, nested: ["groups": { each($0) { map($0, nested: ["consumers": consumers]) } }])
        case "STREAM":
            return map(reply)
        case "GROUPS", "CONSUMERS":
            return each(reply) { map($0) }
        default:
            return plain(reply)
        }
    }
}

extension RedisValue {
    /// A bulk string's text: a map's field name.
    fileprivate var bulkText: String? {
        if case .bulkString(let bytes) = self { String(decoding: bytes, as: UTF8.self) } else { nil }
    }}
