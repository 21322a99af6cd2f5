/// The keys of the commands that take more than one, from Redis 7.0's command table, for
/// where no server can be asked (`COMMAND INFO`). A command with one key cannot cross slots.
enum StaticCommandKeys {
    private static let everyArgument: Set<String> = [
        "DEL", "UNLINK", "EXISTS", "TOUCH", "WATCH", "MGET", "SDIFF", "SINTER", "SUNION",
        "SDIFFSTORE", "SINTERSTORE", "SUNIONSTORE", "PFCOUNT", "PFMERGE",
    ]
    private static let everyOther: Set<String> = ["MSET", "MSETNX"]
    private static let firstTwo: Set<String> = [
        "RENAME", "RENAMENX", "SMOVE", "RPOPLPUSH", "LMOVE", "BLMOVE", "BRPOPLPUSH", "COPY", "GEOSEARCHSTORE", "ZRANGESTORE",
    ]
    /// Every argument but the last (a timeout).
    private static let allButLast: Set<String> = ["BLPOP", "BRPOP", "BZPOPMIN", "BZPOPMAX"]
    /// `numkeys` at this index, the keys right after it.
    private static let counted: [String: Int] = [
        "EVAL": 2, "EVALSHA": 2, "EVAL_RO": 2, "EVALSHA_RO": 2, "FCALL": 2, "FCALL_RO": 2,
        "ZUNION": 1, "ZINTER": 1, "ZDIFF": 1, "SINTERCARD": 1, "ZINTERCARD": 1, "LMPOP": 1, "ZMPOP": 1,
        "BLMPOP": 2, "BZMPOP": 2,
    ]
    /// A destination first, then `numkeys` and the keys.
    private static let destinationThenCounted: Set<String> = ["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]

    /// Whether this table says where the command's keys are.
    static func knows(_ name: String) -> Bool {
        everyArgument.contains(name) || everyOther.contains(name) || firstTwo.contains(name) || allButLast.contains(name)
            || counted[name] != nil || destinationThenCounted.contains(name) || name == "XREAD" || name == "XREADGROUP"
    }

    static func keys(of command: RedisCommandArgv) -> [[UInt8]] {
        guard let first = command.first else { return [] }
        let name = String(decoding: first, as: UTF8.self).uppercased()
        let arguments = Array(command.dropFirst())
        func countedKeys(at index: Int) -> [[UInt8]] {
            guard command.count > index, let count = Int(String(decoding: command[index], as: UTF8.self)), count >= 0 else { return [] }
            return Array(command.dropFirst(index + 1).prefix(count))
        }
        if everyArgument.contains(name) { return arguments }
        if everyOther.contains(name) { return stride(from: 0, to: arguments.count, by: 2).map { arguments[$0] } }
        if firstTwo.contains(name) { return Array(arguments.prefix(2)) }
        if allButLast.contains(name) { return Array(arguments.dropLast()) }
        if let index = counted[name] { return countedKeys(at: index) }
        if destinationThenCounted.contains(name) { return Array(arguments.prefix(1)) + countedKeys(at: 2) }
        if name == "XREAD" || name == "XREADGROUP" {
            // After STREAMS: the keys, then as many ids.
            guard let streams = arguments.firstIndex(where: { String(decoding: $0, as: UTF8.self).uppercased() == "STREAMS" }) else { return [] }
            let rest = arguments[(streams + 1)...]
            return Array(rest.prefix(rest.count / 2))
        }
        return []
    }

    /// Commands without keys, for ``keysOrFirstArgument(of:)``.
    private static let keyless: Set<String> = [
        "MULTI", "EXEC", "DISCARD", "UNWATCH", "PING", "ECHO", "INFO", "TIME", "DBSIZE", "FLUSHDB", "FLUSHALL", "SELECT",
        "AUTH", "HELLO", "CLIENT", "CONFIG", "SCRIPT", "FUNCTION", "COMMAND", "SCAN", "KEYS", "RANDOMKEY", "PUBLISH",
        "SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE", "PUBSUB", "ROLE", "READONLY", "READWRITE", "ASKING",
        "CLUSTER", "WAIT", "SAVE", "BGSAVE", "BGREWRITEAOF", "LASTSAVE", "SLOWLOG", "DEBUG", "SHUTDOWN", "QUIT", "RESET",
        "SWAPDB", "MONITOR", "LATENCY", "ACL", "MODULE", "REPLICAOF", "SLAVEOF", "SENTINEL", "FAILOVER", "LOLWUT",
    ]
    /// A subcommand first, then the key (`OBJECT ENCODING key`, `XINFO STREAM key`, `MEMORY USAGE key`).
    private static let keyAfterSubcommand: Set<String> = ["OBJECT", "XINFO", "MEMORY"]

    /// Where no server can be asked at all: the table's keys, else the first argument of every
    /// command that is not known to have none (Redis's own convention for single-key commands).
    static func keysOrFirstArgument(of command: RedisCommandArgv) -> [[UInt8]] {
        guard let first = command.first else { return [] }
        let name = String(decoding: first, as: UTF8.self).uppercased()
        if knows(name) { return keys(of: command) }
        if keyless.contains(name) { return [] }
        if keyAfterSubcommand.contains(name) { return Array(command.dropFirst(2).prefix(1)) }
        return Array(command.dropFirst().prefix(1))
    }
}
