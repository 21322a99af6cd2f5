/// What a script may call, from redis-server 7.0.15's own command flags (`COMMAND INFO`;
/// `StubCoverageTests` checks these against a running server).
extension StubCommands {
    /// `noscript`: refused with "This Redis command is not allowed from script". Subcommands
    /// as `name|sub`.
    static let noScript: Set<String> = [
        "auth", "bgrewriteaof", "bgsave", "blmove", "blpop", "brpop", "brpoplpush", "bzpopmax", "bzpopmin", "debug", "discard", "eval",
        "eval_ro", "evalsha", "evalsha_ro", "exec", "failover", "fcall", "fcall_ro", "hello", "monitor", "multi", "psubscribe", "psync",
        "punsubscribe", "quit", "replconf", "replicaof", "reset", "role", "save", "shutdown", "slaveof", "ssubscribe", "subscribe",
        "sunsubscribe", "sync", "unsubscribe", "unwatch", "wait", "watch",
        "acl|cat", "acl|deluser", "acl|dryrun", "acl|genpass", "acl|getuser", "acl|list", "acl|load", "acl|log", "acl|save", "acl|setuser",
        "acl|users", "acl|whoami", "client|caching", "client|getname", "client|getredir", "client|id", "client|info", "client|kill",
        "client|list", "client|no-evict", "client|pause", "client|reply", "client|setname", "client|tracking", "client|trackinginfo",
        "client|unblock", "client|unpause", "cluster|reset", "config|get", "config|resetstat", "config|rewrite", "config|set",
        "function|delete", "function|dump", "function|flush", "function|kill", "function|list", "function|load", "function|restore",
        "function|stats", "latency|doctor", "latency|graph", "latency|histogram", "latency|history", "latency|latest", "latency|reset",
        "module|list", "module|load", "module|loadex", "module|unload", "script|debug", "script|exists", "script|flush", "script|kill",
        "script|load",
    ]

    /// `write`, and the commands Redis marks may-replicate (PUBLISH, SPUBLISH, PFCOUNT, which
    /// COMMAND INFO does not show): refused in a read-only script.
    static let writeInScripts: Set<String> = [
        "append", "bitfield", "bitop", "blmove", "blmpop", "blpop", "brpop", "brpoplpush", "bzmpop", "bzpopmax", "bzpopmin", "copy", "decr",
        "decrby", "del", "expire", "expireat", "flushall", "flushdb", "geoadd", "georadius", "georadiusbymember", "geosearchstore", "getdel",
        "getex", "getset", "hdel", "hincrby", "hincrbyfloat", "hmset", "hset", "hsetnx", "incr", "incrby", "incrbyfloat", "linsert", "lmove",
        "lmpop", "lpop", "lpush", "lpushx", "lrem", "lset", "ltrim", "migrate", "move", "mset", "msetnx", "persist", "pexpire", "pexpireat",
        "pfadd", "pfdebug", "pfmerge", "psetex", "rename", "renamenx", "restore", "restore-asking", "rpop", "rpoplpush", "rpush", "rpushx",
        "sadd", "sdiffstore", "set", "setbit", "setex", "setnx", "setrange", "sinterstore", "smove", "sort", "spop", "srem", "sunionstore",
        "swapdb", "unlink", "xack", "xadd", "xautoclaim", "xclaim", "xdel", "xreadgroup", "xsetid", "xtrim", "zadd", "zdiffstore", "zincrby",
        "zinterstore", "zmpop", "zpopmax", "zpopmin", "zrangestore", "zrem", "zremrangebylex", "zremrangebyrank", "zremrangebyscore",
        "zunionstore",
        "xgroup|create", "xgroup|createconsumer", "xgroup|delconsumer", "xgroup|destroy", "xgroup|setid",
        "function|delete", "function|flush", "function|load", "function|restore",
        "publish", "spublish", "pfcount",
    ]
}
