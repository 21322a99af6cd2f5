import RedisClientCore

/// `MEMORY`: USAGE counts a key as Redis 7.0 counts it (its object, its key's string, its
/// dictionary entry) from the allocations Redis would make for the value, rounded up to
/// jemalloc's size classes; STATS lists Redis's fields with the stub's figures; DOCTOR and
/// MALLOC-STATS answer as a small Redis without jemalloc statistics does (docs/stub.md).
extension StubCommands {
    static let memory: [String: StubCommand] = [
        "memory": StubCommand(-2, subcommands: ["DOCTOR": 2, "MALLOC-STATS": 2, "PURGE": 2, "STATS": 2, "USAGE": -3, "HELP": 2]) {
            execution, command throws(StubError) in
            switch StubParse.upper(command[1]) {
            case "USAGE":
                var samples = 5
                var index = 3
                while index < command.count {
                    guard StubParse.upper(command[index]) == "SAMPLES", index + 1 < command.count else { throw .syntax }
                    let count = try StubParse.integer(command[index + 1])
                    guard count >= 0 else { throw .syntax }
                    samples = count == 0 ? .max : Int(count)
                    index += 2
                }
                // Redis looks the key up without expiring it.
                guard let entry = execution.database.peek(command[2]) else { return .null }
                return .integer(Int64(MemoryUsage.ofKey(command[2], entry, samples: samples)))
            case "STATS":
                return MemoryUsage.stats(execution.state.databases)
            case "DOCTOR":
                // Redis examines only an instance past 5 MB; the stub's has nothing to report.
                return .bulk(MemoryUsage.allocated(execution.state.databases).total < 5 * 1024 * 1024 ? memoryDoctorEmpty : memoryDoctorHealthy)
            case "MALLOC-STATS":
                return .bulk("Stats not supported for the current allocator")
            case "PURGE":
                return .ok
            default:
                return .array(memoryHelp.map { .simpleString($0) })
            }
        },
    ]

    private static let memoryDoctorEmpty = """
        Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these \
        conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be \
        back to our programming as soon as I finished rebooting.

        """

    private static let memoryDoctorHealthy =
        "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n"

    private static let memoryHelp = [
        "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR", "    Return memory problems reports.",
        "MALLOC-STATS", "    Return internal statistics report from the memory allocator.",
        "PURGE", "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS", "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        "HELP", "    Prints this help.",
    ]
}

/// The bytes Redis 7.0 allocates for a key and its value, by its own structures' sizes.
enum MemoryUsage {
    /// `sizeof` of Redis's structures on 64 bits.
    static let object = 16, dictEntry = 24, dict = 56, pointer = 8, quicklist = 40, quicklistNode = 40
    static let sortedSet = 16, skiplist = 32, skiplistNode = 24, skiplistLevel = 16
    static let stream = 80, streamID = 16, consumerGroup = 40, pendingEntry = 24, consumer = 24
    /// Redis counts each radix-tree node as its header and thirty words.
    static let radixNode = 4 + 8 * 30
    /// A stream's listpack node is allocated at stream-node-max-bytes (4096) from the start.
    static let streamNodeBytes = 4096

    /// jemalloc's size class for a request: 8, then steps of 16 to 128, then four classes
    /// per doubling.
    static func allocation(_ size: Int) -> Int {
        if size <= 8 { return 8 }
        if size <= 128 { return (size + 15) / 16 * 16 }
        var group = 128
        while size > group * 2 { group *= 2 }
        let step = group / 4
        return (size + step - 1) / step * step
    }

    /// An sds string's allocation: its header grows with the length it must hold.
    static func sds(_ length: Int, shortHeader: Bool = true) -> Int {
        let header = switch length {
        case ..<32 where shortHeader: 1
        case ..<256: 3
        case ..<65_536: 5
        default: 9
        }
        return allocation(header + length + 1)
    }

    static func ofKey(_ key: [UInt8], _ entry: StubEntry, samples: Int) -> Int {
        ofValue(entry, samples: samples) + sds(key.count) + dictEntry
    }

    static func ofValue(_ entry: StubEntry, samples: Int) -> Int {
        switch entry.value {
        case .string(let bytes):
            switch StubEncoding.name(of: entry) {
            case "int": return object
            // The object and its string in one allocation, with an 8-bit sds header.
            case "embstr": return allocation(object + 3 + bytes.count + 1)
            default: return object + sds(bytes.count, shortHeader: false)
            }
        case .list(let list):
            let nodes = Listpack.nodes(list.items).map { Listpack.encode(Array($0)).count }
            let sampled = nodes.prefix(samples).reduce(0) { $0 + quicklistNode + allocation($1) }
            return object + quicklist + (nodes.isEmpty ? 0 : Int(Double(sampled) / Double(min(samples, nodes.count)) * Double(nodes.count)))
        case .set(let set) where !set.isHashtable:
            return object + allocation(8 + set.members.count * set.intsetWidth)
        case .set(let set):
            return object + hashtable(set.members.count) + sampled(Array(set.members), samples) { dictEntry + sds($0.count) }
        case .hash(let hash) where !hash.isHashtable:
            return object + allocation(Listpack.encode(hash.order.flatMap { [$0, hash.fields[$0]!] }).count)
        case .hash(let hash):
            return object + hashtable(hash.fields.count) + sampled(hash.order, samples) { dictEntry + sds($0.count) + sds(hash.fields[$0]!.count) }
        case .sortedSet(let zset) where !zset.isSkiplist:
            return object + allocation(Listpack.encode(zset.ordered.flatMap { [$0.member, Listpack.score($0.score)] }).count)
        case .sortedSet(let zset):
            let header = allocation(skiplistNode + 32 * skiplistLevel)
            let members = zset.ordered.map(\.member)
            return object + sortedSet + skiplist + hashtable(zset.count) + header
                + sampled(members, samples) { sds($0.count) + dictEntry + allocation(skiplistNode + skiplistLevel) }
        case .stream(let value):
            let nodes = value.estimatedNodes
            var size = object + stream + radixTree(keys: nodes, nodes: nodes + 1) + nodes * streamNodeBytes
            for group in value.groups.values {
                size += consumerGroup + radixTree(keys: group.pending.count, nodes: group.pending.count + 1) + pendingEntry * group.pending.count
                for (name, _) in group.consumers {
                    let owned = group.pending.values.filter { $0.consumer == name }.count
                    size += consumer + name.count + radixTree(keys: owned, nodes: owned + 1)
                }
            }
            return size
        }
    }

    /// Redis's estimate of a radix tree of stream ids (it counts the keys' ids, not its own).
    static func radixTree(keys: Int, nodes: Int) -> Int {
        keys * streamID + nodes * radixNode
    }

    /// A dictionary's table: Redis grows it to the next power of two (at least 4) past its size.
    static func hashtable(_ count: Int) -> Int {
        dict + pointer * slots(count)
    }

    static func slots(_ count: Int) -> Int {
        count == 0 ? 0 : max(4, 1 << (Int.bitWidth - (count - 1).leadingZeroBitCount))
    }

    /// Redis sizes the first `samples` elements and scales their average to all of them.
    static func sampled<T>(_ elements: [T], _ samples: Int, _ size: (T) -> Int) -> Int {
        guard !elements.isEmpty else { return 0 }
        let taken = elements.prefix(samples)
        return Int(Double(taken.reduce(0) { $0 + size($1) }) / Double(taken.count) * Double(elements.count))
    }

    /// What a Redis 7.0 holds right after it starts, in its allocator.
    static let startup = 876_136

    /// The keyspace's tables, each database's, and the keys' own usage.
    struct Allocated {
        var tables: [(database: Int, main: Int, expires: Int)] = []
        var keys = 0
        var dataset = 0
        var overhead: Int { startup + tables.reduce(0) { $0 + $1.main + $1.expires } }
        var total: Int { overhead + dataset }
    }

    static func allocated(_ databases: [StubDatabase]) -> Allocated {
        var allocated = Allocated()
        for database in databases where database.count > 0 {
            allocated.tables.append((
                database.index,
                database.count * dictEntry + slots(database.count) * pointer + database.count * object,
                database.expiringCount * dictEntry + slots(database.expiringCount) * pointer
            ))
            allocated.keys += database.count
            allocated.dataset += database.liveKeys(now: 0).compactMap { key in database.peek(key).map { ofKey(key, $0, samples: 5) } }.reduce(0, +)
        }
        return allocated
    }

    /// Redis's fields in its order; the allocator's figures from the keys' usage.
    static func stats(_ databases: [StubDatabase]) -> RedisValue {
        let allocated = allocated(databases)
        let (total, overhead, keys, dataset) = (allocated.total, allocated.overhead, allocated.keys, allocated.dataset)
        let perDatabase: [RedisValue] = allocated.tables.flatMap { table -> [RedisValue] in
            [
                .bulk("db.\(table.database)"),
                .array([.bulk("overhead.hashtable.main"), .integer(Int64(table.main)), .bulk("overhead.hashtable.expires"), .integer(Int64(table.expires)),
                        .bulk("overhead.hashtable.slot-to-keys"), .integer(0)]),
            ]
        }
        let figures: [(String, RedisValue)] = [
            ("peak.allocated", .integer(Int64(total))), ("total.allocated", .integer(Int64(total))),
            ("startup.allocated", .integer(Int64(startup))), ("replication.backlog", .integer(0)), ("clients.slaves", .integer(0)),
            ("clients.normal", .integer(0)), ("cluster.links", .integer(0)), ("aof.buffer", .integer(0)), ("lua.caches", .integer(0)),
            ("functions.caches", .integer(0)),
        ]
        let totals: [(String, RedisValue)] = [
            ("overhead.total", .integer(Int64(overhead))), ("keys.count", .integer(Int64(keys))),
            ("keys.bytes-per-key", .integer(keys == 0 ? 0 : Int64((total - startup) / keys))), ("dataset.bytes", .integer(Int64(dataset))),
            ("dataset.percentage", .bulk(percentage(dataset, of: total - startup))), ("peak.percentage", .bulk("100")),
            ("allocator.allocated", .integer(Int64(total))), ("allocator.active", .integer(Int64(total))), ("allocator.resident", .integer(Int64(total))),
            ("allocator-fragmentation.ratio", .bulk("1")), ("allocator-fragmentation.bytes", .integer(0)),
            ("allocator-rss.ratio", .bulk("1")), ("allocator-rss.bytes", .integer(0)), ("rss-overhead.ratio", .bulk("1")), ("rss-overhead.bytes", .integer(0)),
            ("fragmentation", .bulk("1")), ("fragmentation.bytes", .integer(0)),
        ]
        return .array(figures.flatMap { [.bulk($0.0), $0.1] } + perDatabase + totals.flatMap { [.bulk($0.0), $0.1] })
    }

    private static func percentage(_ part: Int, of whole: Int) -> String {
        whole <= 0 ? "0" : String(decoding: StubFormat.double(Double(part) * 100 / Double(whole)), as: UTF8.self)
    }
}

extension Listpack {
    /// A sorted set's score as Redis writes it into a listpack: integers as integers.
    static func score(_ score: Double) -> [UInt8] {
        if score == 0 { return Array((score.sign == .minus ? "-0" : "0").utf8) }
        if abs(score) < 4_503_599_627_370_496, score == score.rounded(.towardZero) { return Array(String(Int64(score)).utf8) }
        return StubFormat.double(score)
    }

    /// A quicklist's nodes (listpacks of at most 8 kB, `list-max-listpack-size -2`): the
    /// elements of each, packed from the head.
    static func nodes(_ items: [[UInt8]]) -> [ArraySlice<[UInt8]>] {
        var nodes: [ArraySlice<[UInt8]>] = []
        var start = 0
        var size = 7
        for (index, item) in items.enumerated() {
            // Redis's estimate of what an element adds: its length and two length fields.
            let added = item.count + (item.count < 254 ? 1 : 5) + (item.count < 64 ? 1 : item.count < 16_384 ? 2 : 5)
            if index > start && size + added > 8192 {
                nodes.append(items[start..<index])
                start = index
                size = 7
            }
            size += entrySize(item)
        }
        if start < items.count { nodes.append(items[start...]) }
        return nodes
    }
}

/// Redis's intset: sorted integers of one width, 2, 4 or 8 bytes, behind an 8-byte header.
enum Intset {
    static func width(_ value: Int64) -> Int {
        Int64(Int16.min)...Int64(Int16.max) ~= value ? 2 : Int64(Int32.min)...Int64(Int32.max) ~= value ? 4 : 8
    }
}
