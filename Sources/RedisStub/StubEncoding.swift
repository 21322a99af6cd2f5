/// What `OBJECT ENCODING` answers, from the thresholds Redis 7.0 converts at: a string is
/// `int`, `embstr` (up to 44 bytes) or `raw`; a list `quicklist`; a set `intset` while every
/// member is an integer and there are at most `set-max-intset-entries`, then `hashtable`; a
/// hash or sorted set `listpack` while small, then `hashtable` / `skiplist`. Containers never
/// convert back (a flag each keeps), as Redis's do not.
enum StubEncoding {
    /// How a string value came to be, which decides its encoding beyond its bytes: edited in
    /// place (APPEND to an existing value, SETRANGE) is `raw`; INCRBYFLOAT's result is never
    /// `int`; anything set whole is encoded as Redis's `tryObjectEncoding` does.
    /// `copied`: a whole value duplicated by COPY, encoded as set whole but an object of its
    /// own (Redis's dupStringObject), so never one of the shared integers.
    enum StringForm { case whole, edited, notInteger, copied }

    static func name(of entry: StubEntry) -> String {
        switch entry.value {
        case .string(let bytes):
            switch entry.stringForm {
            case .edited: return "raw"
            case .whole where bytes.count <= 20 && StubParse.parseInteger(bytes) != nil, .copied where bytes.count <= 20 && StubParse.parseInteger(bytes) != nil:
                return "int"
            case .whole, .notInteger, .copied: return bytes.count <= 44 ? "embstr" : "raw"
            }
        case .list: return "quicklist"
        case .set(let set): return set.isHashtable ? "hashtable" : "intset"
        case .hash(let hash): return hash.isHashtable ? "hashtable" : "listpack"
        case .sortedSet(let zset): return zset.isSkiplist ? "skiplist" : "listpack"
        case .stream: return "stream"
        }
    }

    /// After a command that may have written: a container past its compact encoding's limits
    /// converts for good. Sets and sorted sets convert only when they grew (Redis checks as it
    /// adds a member); a hash on any write (Redis checks after every HSET).
    static func settle(_ value: StubValue, _ config: StubConfig, sizeBefore: Int) {
        if case .hash = value {} else if value.size <= sizeBefore { return }
        switch value {
        case .set(let set) where !set.isHashtable:
            set.isHashtable = set.members.count > config.integer("set-max-intset-entries") || set.members.contains { StubParse.parseInteger($0) == nil }
            if !set.isHashtable { set.intsetWidth = set.members.reduce(set.intsetWidth) { max($0, Intset.width(StubParse.parseInteger($1)!)) } }
        case .hash(let hash) where !hash.isHashtable:
            let limit = config.integer("hash-max-listpack-value")
            hash.isHashtable = hash.fields.count > config.integer("hash-max-listpack-entries") || hash.fields.contains { $0.key.count > limit || $0.value.count > limit }
        case .sortedSet(let zset) where !zset.isSkiplist:
            let limit = config.integer("zset-max-listpack-value")
            zset.isSkiplist = zset.count > config.integer("zset-max-listpack-entries") || zset.ordered.contains { $0.member.count > limit }
        default:
            break
        }
    }

    /// `OBJECT REFCOUNT`: Redis shares the integers 0 to 9999 (its `OBJ_SHARED_INTEGERS`).
    static func referenceCount(of entry: StubEntry) -> Int64 {
        sharedInteger(entry) == nil ? 1 : Int64(Int32.max)
    }

    /// The integer when the entry holds one of Redis's shared integer objects. Checked on every
    /// key access (StubAccessTracker), so the cheap tests come first.
    static func sharedInteger(_ entry: StubEntry) -> Int64? {
        guard case .string(let bytes) = entry.value, bytes.count <= 4, entry.stringForm == .whole,
              let value = StubParse.parseInteger(bytes), value >= 0 else { return nil }
        return value
    }
}
