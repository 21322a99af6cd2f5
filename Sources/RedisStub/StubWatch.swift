import RedisClientCore

/// What the databases tell the rest of the store as they change, under its lock: that a key
/// grew (blocked clients look again) and that a watched key was modified (the transactions
/// watching it will not run).
final class StubSignals {
    /// How many times a key was created or reached to add to.
    var growth = 0
    /// Watched keys, by database and key, with the sessions watching them.
    private(set) var watched: [WatchedKey: [StubWatch]] = [:]

    var anyWatched: Bool { !watched.isEmpty }
    /// CLIENT TRACKING's bookkeeping (the store's), told of every modified key too. Read for
    /// every command under the store's lock: exempt from dynamic exclusivity checks.
    @exclusivity(unchecked) var tracking: StubTracking?
    /// Someone wants to hear of modified keys: a WATCH, or a tracking session.
    var listening: Bool { !watched.isEmpty || tracking?.isActive == true }

    var watchedKeys: Dictionary<WatchedKey, [StubWatch]>.Keys { watched.keys }

    /// Redis's signalModifiedKey: every transaction watching the key is spoilt, and the
    /// sessions tracking it are told.
    func modified(_ database: Int, _ key: StubKey) {
        if let tracking, tracking.isActive { tracking.invalidate(key) }
        guard !watched.isEmpty, let watches = watched[WatchedKey(database: database, key: HashedBytes(key))] else { return }
        for watch in watches { watch.dirty = true }
    }

    /// FLUSHDB, FLUSHALL, SWAPDB: every watched key of the database that holds a value.
    func modifiedAll(_ database: Int, where holdsValue: (StubKey) -> Bool) {
        for (watchedKey, watches) in watched where watchedKey.database == database && holdsValue(watchedKey.key.bytes) {
            for watch in watches { watch.dirty = true }
        }
    }

    func watch(_ key: WatchedKey, by watch: StubWatch) {
        guard !watch.keys.contains(key) else { return }
        watch.keys.append(key)
        watched[key, default: []].append(watch)
    }

    func unwatchAll(_ watch: StubWatch) {
        for key in watch.keys {
            watched[key]?.removeAll { $0 === watch }
            if watched[key]?.isEmpty == true { watched[key] = nil }
        }
        watch.keys = []
        watch.dirty = false
    }
}

struct WatchedKey: Hashable {
    let database: Int
    let key: HashedBytes
}

/// One session's `WATCH`es: the keys, and whether one was modified since.
final class StubWatch: @unchecked Sendable {
    var keys: [WatchedKey] = []
    var dirty = false

    var isWatching: Bool { !keys.isEmpty }
}

/// A watched key's contents before a command, to tell afterwards whether the command changed
/// it in place (SREM, LPOP, ... mutate containers without storing the key again). Copies are
/// cheap: Swift's collections share storage until written.
enum StubFingerprint: Equatable {
    case absent
    case string([UInt8], expiresAt: Int64?)
    case list([[UInt8]], expiresAt: Int64?)
    case set(Set<[UInt8]>, expiresAt: Int64?)
    case hash([[UInt8]: [UInt8]], expiresAt: Int64?)
    case sortedSet([[UInt8]: Double], expiresAt: Int64?)
    /// Only the entries: Redis 7.0 signals no change for XSETID or any consumer-group command.
    case stream(ids: [StreamID], expiresAt: Int64?)

    init(_ entry: StubEntry?) {
        guard let entry else {
            self = .absent
            return
        }
        let expiresAt = entry.expiresAt
        switch entry.value {
        case .string(let bytes): self = .string(bytes, expiresAt: expiresAt)
        case .list(let list): self = .list(list.items, expiresAt: expiresAt)
        case .set(let set): self = .set(set.members, expiresAt: expiresAt)
        case .hash(let hash): self = .hash(hash.fields, expiresAt: expiresAt)
        case .sortedSet(let zset): self = .sortedSet(zset.scores, expiresAt: expiresAt)
        case .stream(let stream):
            self = .stream(ids: stream.entries.map(\.id), expiresAt: expiresAt)
        }
    }
}
