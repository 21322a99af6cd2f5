/// Where the stub stands on each of Redis 7.0's commands: served as Redis serves it, served
/// with a stated difference, not served because it cannot exist in one process without
/// persistence or replication, or not served yet. docs/stub.md's command table is rendered from
/// this, and a test keeps the two and the command table in step.
public enum StubCoverage {
    public enum Status: Equatable, Sendable {
        case same
        case differs(String)
        case notServed(String)
        case notYet
    }

    /// Every command the stub answers: its command table and what a session answers itself.
    public static let served: Set<String> = Set(StubCommands.table.keys).union(InMemoryRedis.sessionCommandNames)

    /// Several keys growing in one transaction or script: Redis serves the one that grew first.
    private static let firstKeyServed =
        "when several of its keys grow in one transaction or script, served from the first of them in argument order, where Redis serves the first to grow"

    /// Redis walks its geohash boxes; the stub scans the whole set.
    private static let geoSearchOrder =
        "without ASC, DESC or COUNT the members come in the sorted set's order, where Redis lists them box by box; ANY takes the first found in that order; members at equal distances keep it too"

    /// Served, but not quite as Redis answers: how. Families that differ alike share one text.
    static let differences: [String: String] = Dictionary(uniqueKeysWithValues:
        ["blpop", "brpop", "blmpop", "bzpopmin", "bzpopmax", "bzmpop"].map { ($0, firstKeyServed) }
            + ["georadius", "georadius_ro", "georadiusbymember", "georadiusbymember_ro", "geosearch", "geosearchstore"].map { ($0, geoSearchOrder) }
    ).merging(singleDifferences) { first, _ in first }

    private static let singleDifferences: [String: String] = [
        "client": "ID, SETNAME, GETNAME, INFO, LIST, KILL (every filter, at once as Redis frees a client), UNBLOCK, NO-EVICT, GETREDIR, TRACKINGINFO with Redis's checks, over every session of the store; CLIENT LIST's buffer and memory figures are 0 (the stub keeps no per-client buffers), an in-process session has no address; PAUSE is checked but holds no one back; REPLY ON/OFF/SKIP as Redis on the stub-server (an in-process session answers every command); TRACKING (default, OPTIN, OPTOUT, NOLOOP, BCAST with prefixes, REDIRECT to a RESP2 subscriber), CACHING, GETREDIR and TRACKINGINFO as Redis, invalidations pushed in RESP3 (stub-server) or sent on __redis__:invalidate; an expired key's invalidation comes when the stub finds it dead (a read, or the sweep each command makes), where Redis's timer may find it sooner",
        "wait": "answers 0 at once: with no replicas, Redis answers 0 too, but only after waiting out the timeout (forever for 0) when asked for one or more",
        "cluster": "every subcommand answers that cluster support is disabled, as a standalone server does; an unknown one too (Redis names it unknown)",
        "command": "INFO, DOCS, LIST, COUNT from redis-server 7.0.15's own table (scripts/generate-stub-command-table.py), but for the commands the stub serves only, whole commands and lists by name where Redis goes by its hash table; a container's subcommands as Redis lists them, served or not; GETKEYS and GETKEYSANDFLAGS by Redis's key specifications and, for SET, BITFIELD and SORT, its own rules, for any of Redis's commands (checked on every command of the differential suite)",
        "config": "GET and SET of the encoding thresholds (and their ziplist names) and maxmemory-policy, as Redis checks them; save, appendonly and databases read only; REWRITE refused as by a server without a config file; other parameters unknown",
        "object": "ENCODING and REFCOUNT as Redis answers (thresholds included); IDLETIME and FREQ counted as Redis counts them (which commands access a key, the LFU counter's random steps and decay, the shared integers 0–9999 sharing one access, overwrites keeping it), but a policy switched at runtime keeps the other policy's figures meaningful, where Redis reads one from the other's bits",
        "hello": "HELLO 3 switches the stub-server to RESP3 (every reply typed as Redis 7.0 types it); an in-process session refuses it with NOPROTO, as a RESP2-only server does",
        "hscan": "one page with cursor 0 (Redis pages a hash beyond its listpack encoding by its buckets)",
        "info": "Server, Memory, Persistence, Replication and Keyspace with the fields clients read; memory figures are 0",
        "scan": "the cursor is a stable hash of the key, not Redis's bucket index; every guarantee SCAN makes holds",
        "xinfo": "radix-tree-keys and radix-tree-nodes are estimated (one node per 100 entries); Redis counts its own listpack nodes, which deletions and entry sizes also shape",
        "function": "LOAD, DELETE, FLUSH, LIST, STATS, KILL, DUMP and RESTORE (Redis's payload, its FLUSH, APPEND and REPLACE, all or nothing) as Redis answers them, but the libraries (and a library's functions) come in the stub's order where Redis uses its hash table's: in LIST, in a DUMP of several, and in which clash RESTORE names first",
        "latency": "answers as a Redis with latency monitoring off (its default): no events, the doctor's refusal; HISTOGRAM answers no commands (the stub times none)",
        "zscan": "one page with cursor 0 (Redis pages a sorted set beyond its listpack encoding by its hash buckets)",
        "sort": "BY without * leaves a set in the stub's own order (Redis: the intset's or hash table's); elements with equal BY keys under ALPHA come in the stub's order, where Redis leaves it to qsort",
        "sort_ro": "as SORT",
        "lolwut": "VERSION 5 (Schotter) and 6 (the skyline) drawn by Redis's rules, sizes and captions, but the tilts, towers and lit windows random as in Redis: the stub's own throw of the dice",
        "memory": "USAGE counts what Redis 7.0 allocates for the value, byte for byte for strings, intsets, listpacks, quicklists and streams (checked against Redis), but a hash table counts its grown table only (Redis also counts the old one while it moves buckets over, a few per access), skiplist nodes one level each (Redis draws levels at random), a stream's nodes one per 100 entries; STATS has Redis's fields with the stub's own figures (the keys' usage, no fragmentation); DOCTOR declines below 5 MB as Redis does and finds nothing above; MALLOC-STATS answers as a Redis built without jemalloc",
        "dump": "Redis 7.0's payload byte for byte (RDB 10, its encodings, LZF, CRC-64; checked against redis-server), but a hash table's members in the stub's order (Redis's follow its hashing), a list past 8 kB in nodes packed from its head (Redis's follow the pushes and pops that built it), a stream's nodes without the tombstones XDEL leaves in Redis's",
        "restore": "every payload Redis 7.0 writes, and its checks and errors in its order; payloads in the encodings of Redis before 7.0 (ziplists, zipmaps) are refused as bad data",
        "acl": "SETUSER with every rule (passwords and hashes, nopass, on/off, key patterns with %R/%W, channels, commands, categories and subcommands, selectors, reset) and Redis's refusals; GETUSER and LIST described as Redis describes them (categories by its best fit), but the single commands named in name order, where Redis lists them in its hash table's order; DELUSER closes the deleted users' sessions; DRYRUN, WHOAMI, USERS, CAT, GENPASS, SAVE and LOAD as Redis; LOG's entries as Redis groups them (reason, context, object, user, count; the client line the stub's own); first-argument rules (+select|0) are kept and checked, their description not compared with Redis's",
        "sscan": "one page with cursor 0 (Redis pages a set held as a hash table, any set with a non-integer member, by its buckets)",
    ]

    /// Not served, and why: what needs disk, replicas, a cluster or the server process itself.
    static let outOfScope: [String: String] = [
        "bgrewriteaof": "persistence: nothing is kept on disk", "bgsave": "persistence: nothing is kept on disk",
        "failover": "replication", "lastsave": "persistence: nothing is kept on disk",
        "migrate": "moves keys between servers", "module": "modules are C libraries loaded into redis-server",
        "monitor": "a server-wide command feed: not kept", "psync": "replication",
        "replconf": "replication", "replicaof": "replication", "restore-asking": "cluster", "save": "persistence: nothing is kept on disk",
        "shutdown": "stop stub-server with a signal", "slaveof": "replication", "sync": "replication",
    ]

    public static func status(of command: String) -> Status {
        if let difference = differences[command] { return .differs(difference) }
        if served.contains(command) { return .same }
        if let reason = outOfScope[command] { return .notServed(reason) }
        return .notYet
    }

    /// The Markdown table of `commands` (Redis 7.0's, from its catalogue), one row each.
    public static func markdownTable(_ commands: [String]) -> String {
        var lines = ["| command | status |", "|---|---|"]
        for command in commands.sorted() {
            let text = switch status(of: command) {
            case .same: "same as Redis"
            case .differs(let how): "differs: \(how)"
            case .notServed(let why): "not served: \(why)"
            case .notYet: "not served yet"
            }
            lines.append("| `\(command.uppercased())` | \(text) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
