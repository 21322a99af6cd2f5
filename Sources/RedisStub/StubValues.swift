import RedisClientCore
typealias StubKey = [UInt8]

/// Bytes as a dictionary key, hashed in one pass: `[UInt8]`'s own `Hashable` feeds the hasher
/// one element at a time, which dominated the stub's keyspace lookups.
struct HashedBytes: Hashable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (lhs: HashedBytes, rhs: HashedBytes) -> Bool { lhs.bytes == rhs.bytes }
}

/// A stored value. Containers are classes so that a command mutates them in place instead of
/// copying them out of the keyspace and back.
enum StubValue {
    case string([UInt8])
    case list(StubList)
    case set(StubSet)
    case hash(StubHash)
    case sortedSet(StubSortedSet)
    case stream(StubStream)

    /// `TYPE`'s answer.
    var typeName: String {
        switch self {
        case .string: return "string"
        case .list: return "list"
        case .set: return "set"
        case .hash: return "hash"
        case .sortedSet: return "zset"
        case .stream: return "stream"
        }
    }

    /// Elements in a container (0 for a string).
    var size: Int {
        switch self {
        case .string: return 0
        case .list(let list): return list.items.count
        case .set(let set): return set.members.count
        case .hash(let hash): return hash.fields.count
        case .sortedSet(let zset): return zset.count
        case .stream(let stream): return stream.entries.count
        }
    }

    /// Redis deletes a container key when its last element goes.
    var isEmptyContainer: Bool {
        switch self {
        case .string, .stream: return false
        case .list(let list): return list.items.isEmpty
        case .set(let set): return set.members.isEmpty
        case .hash(let hash): return hash.fields.isEmpty
        case .sortedSet(let zset): return zset.count == 0
        }
    }
}

/// A container value type: how to find it in a ``StubValue`` and how to store it there.
protocol StubContainer: AnyObject {
    init()
    static func extract(_ value: StubValue) -> Self?
    var value: StubValue { get }
}

final class StubList: StubContainer {
    var items: [[UInt8]] = []

    static func extract(_ value: StubValue) -> StubList? { if case .list(let list) = value { list } else { nil } }
    var value: StubValue { .list(self) }
}

final class StubSet: StubContainer {
    var members: Set<[UInt8]> = []
    /// Converted from an intset (StubEncoding), for good.
    var isHashtable = false
    /// The intset's integer width in bytes: it widens for a larger member and never narrows,
    /// as Redis's does (DUMP and MEMORY USAGE show it).
    var intsetWidth = 2

    static func extract(_ value: StubValue) -> StubSet? { if case .set(let set) = value { set } else { nil } }
    var value: StubValue { .set(self) }
}

final class StubHash: StubContainer {
    static func extract(_ value: StubValue) -> StubHash? { if case .hash(let hash) = value { hash } else { nil } }
    var value: StubValue { .hash(self) }

    /// Insertion order kept so HGETALL answers in a stable order, as Redis's listpack does.
    var fields: [[UInt8]: [UInt8]] = [:]
    var order: [[UInt8]] = []
    /// Converted from a listpack (StubEncoding), for good.
    var isHashtable = false

    func set(_ field: [UInt8], _ value: [UInt8]) -> Bool {
        let added = fields.updateValue(value, forKey: field) == nil
        if added { order.append(field) }
        return added
    }

    func remove(_ field: [UInt8]) -> Bool {
        guard fields.removeValue(forKey: field) != nil else { return false }
        order.removeAll { $0 == field }
        return true
    }
}

struct StubEntry {
    var value: StubValue
    /// Unix milliseconds; nil for no expiry.
    var expiresAt: Int64?
    var stringForm = StubEncoding.StringForm.whole
    /// Nil until the database stores it: a new value, whose access the database settles.
    var access: StubAccess? = nil

    /// Not past its deadline (the database deletes a dead key when it meets it).
    func isLive(at now: Int64) -> Bool { expiresAt.map { $0 > now } ?? true }
}
