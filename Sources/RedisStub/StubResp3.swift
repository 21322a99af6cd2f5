import RedisClientCore

/// A reply as RESP3 types it: what a script that called `redis.setresp(3)` receives from
/// `redis.call`, and what stub-server writes to a client that said `HELLO 3`. The stub's
/// commands answer RESP2; RESP3 differs in one null, maps, sets, doubles and verbatim strings.
public indirect enum Resp3Value: Equatable {
    /// Integers, bulk strings, statuses and errors: typed as in RESP2.
    case plain(RedisValue)
    case null
    /// The number, and its text as Redis writes it (`%.17g`, or a long double's 17 decimals
    /// for geo coordinates), which is RESP2's bulk text too.
    case double(Double, text: [UInt8])
    /// A verbatim string and its three-letter format (`txt`).
    case verbatim([UInt8], format: [UInt8] = Array("txt".utf8))
    case boolean(Bool)
    case bigNumber([UInt8])
    case array([Resp3Value])
    case map([Pair])
    case set([Resp3Value])

    public struct Pair: Equatable {
        let key: Resp3Value
        let value: Resp3Value
    }

    var isNull: Bool { if case .null = self { true } else { false } }

    /// As RESP2 writes it: a map flat, a set as an array, a double, big number or verbatim
    /// string as a bulk string, a boolean as 1 or 0.
    public var resp2: RedisValue {
        switch self {
        case .plain(let reply): reply
        case .null: .null
        case .double(_, let text), .bigNumber(let text), .verbatim(let text, _): .bulkString(text)
        case .boolean(let truth): .integer(truth ? 1 : 0)
        case .array(let elements), .set(let elements): .array(elements.map(\.resp2))
        case .map(let pairs): .array(pairs.flatMap { [$0.key.resp2, $0.value.resp2] })
        }
    }

    /// RESP3's bytes; `push` writes a top-level array as a push (pub/sub's messages and
    /// confirmations).
    public func write(into output: inout [UInt8], push: Bool = false) {
        func header(_ marker: Character, _ count: Int) {
            output.append(UInt8(ascii: marker.unicodeScalars.first!))
            output += Array(String(count).utf8)
            output += [0x0d, 0x0a]
        }
        switch self {
        case .plain(let reply):
            if case .array(let elements) = reply {
                header(push ? ">" : "*", elements.count)
                for element in elements { Resp3Shape.plain(element).write(into: &output) }
            } else {
                RESPEncoder.encode(reply, into: &output)
            }
        case .null:
            output += Array("_\r\n".utf8)
        case .double(_, let text):
            output.append(UInt8(ascii: ","))
            output += text
            output += [0x0d, 0x0a]
        case .verbatim(let text, let format):
            header("=", text.count + format.count + 1)
            output += format + [UInt8(ascii: ":")] + text + [0x0d, 0x0a]
        case .boolean(let truth):
            output += Array((truth ? "#t\r\n" : "#f\r\n").utf8)
        case .bigNumber(let digits):
            output.append(UInt8(ascii: "("))
            output += digits + [0x0d, 0x0a]
        case .array(let elements):
            header(push ? ">" : "*", elements.count)
            for element in elements { element.write(into: &output) }
        case .map(let pairs):
            header("%", pairs.count)
            for pair in pairs {
                pair.key.write(into: &output)
                pair.value.write(into: &output)
            }
        case .set(let members):
            header("~", members.count)
            for member in members { member.write(into: &output) }
        }
    }
}

/// Which of Redis 7.0's replies RESP3 types beyond RESP2, and how: read from Redis's reply
/// code (`addReplyMapLen`, `addReplySetLen`, `addReplyDouble`, `addReplyVerbatim`) and checked
/// against redis-server through scripts, redis-cli -3 and redis-py in the contract suites.
public enum Resp3Shape {
    public static func convert(_ command: RedisCommandArgv, _ reply: RedisValue) -> Resp3Value {
        if case .error = reply { return .plain(reply) }
        let name = lowercasedCommandName(command[0])
        let subcommand = command.count > 1 ? StubParse.upper(command[1]) : ""
        let options = Set(command.dropFirst().map(StubParse.upper))
        switch name {
        case "hgetall", "hello":
            return map(reply)
        case "function" where subcommand == "LIST":
            let functions: (RedisValue) -> Resp3Value = { each($0) { map($0, nested: ["flags": set]) } }
            return each(reply) { map($0, nested: ["functions": functions]) }
        case "function" where subcommand == "STATS":
            return map(reply, nested: ["engines": { map($0, values: { map($0) }) }, "running_script": { map($0) }])
        case "acl" where subcommand == "GETUSER", "client" where subcommand == "TRACKINGINFO":
            return map(reply, nested: ["flags": set])
        case "acl" where subcommand == "LOG" && command.count == 2:
            return each(reply) { map($0) }
        case "memory" where subcommand == "STATS":
            return memoryStats(reply)
        case "latency" where subcommand == "HISTOGRAM":
            return map(reply, values: { map($0, nested: ["histogram_usec": { map($0) }]) })
        case "command" where subcommand == "DOCS":
            return map(reply, values: commandDocs)
        case "command" where subcommand == "INFO" || command.count == 1:
            return each(reply, commandInfo)
        case "config" where subcommand == "GET":
            return map(reply)
        case "lcs" where options.contains("IDX"):
            return map(reply)
        case "xread", "xreadgroup":
            guard case .array(let streams) = reply else { return plain(reply) }
            return .map(streams.map { stream in
                guard case .array(let pair) = stream, pair.count == 2 else { return Resp3Value.Pair(key: plain(stream), value: .null) }
                return Resp3Value.Pair(key: plain(pair[0]), value: plain(pair[1]))
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
    public static func plain(_ reply: RedisValue) -> Resp3Value {
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
        return .double(value, text: text)
    }

    /// A flat list of name, value, name, value; `nested` shapes the values of some names,
    /// `values` the others'.
    private static func map(
        _ reply: RedisValue, nested: [String: (RedisValue) -> Resp3Value] = [:], values: (RedisValue) -> Resp3Value = plain
    ) -> Resp3Value {
        guard case .array(let elements) = reply else { return plain(reply) }
        return .map(stride(from: 0, to: elements.count - 1, by: 2).map { index in
            let value = elements[index].bulkText.flatMap { nested[$0] }.map { $0(elements[index + 1]) } ?? values(elements[index + 1])
            return Resp3Value.Pair(key: plain(elements[index]), value: value)
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

    /// MEMORY STATS: a map, each database's overheads a map inside, the ratios and
    /// percentages doubles.
    private static func memoryStats(_ reply: RedisValue) -> Resp3Value {
        guard case .array(let elements) = reply else { return plain(reply) }
        return .map(stride(from: 0, to: elements.count - 1, by: 2).map { index in
            let name = elements[index].bulkText ?? ""
            let value = elements[index + 1]
            let shaped: Resp3Value = name.hasPrefix("db.") ? map(value)
                : name.hasSuffix(".ratio") || name.hasSuffix(".percentage") || name == "fragmentation" ? double(value) : plain(value)
            return Resp3Value.Pair(key: plain(elements[index]), value: shaped)
        })
    }

    /// A command's COMMAND DOCS: a map, its flags a set, its arguments maps (theirs nested),
    /// its subcommands a map of the same.
    private static func commandDocs(_ reply: RedisValue) -> Resp3Value {
        map(reply, nested: ["doc_flags": set, "arguments": arguments, "subcommands": { map($0, values: commandDocs) }])
    }

    private static func arguments(_ reply: RedisValue) -> Resp3Value {
        each(reply) { map($0, nested: ["flags": set, "arguments": arguments]) }
    }

    /// A command's COMMAND INFO: its flags, ACL categories and tips are sets, its key
    /// specifications maps, its subcommands the same again.
    private static func commandInfo(_ reply: RedisValue) -> Resp3Value {
        guard case .array(let fields) = reply, fields.count == 10 else { return plain(reply) }
        let search: (RedisValue) -> Resp3Value = { map($0, nested: ["spec": { map($0) }]) }
        let keySpecs = each(fields[8]) { map($0, nested: ["flags": set, "begin_search": search, "find_keys": search]) }
        return .array(fields.indices.map { index in
            switch index {
            case 2, 6, 7: set(fields[index])
            case 8: keySpecs
            case 9: each(fields[index], commandInfo)
            default: plain(fields[index])
            }
        })
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
