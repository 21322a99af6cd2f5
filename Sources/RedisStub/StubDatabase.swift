import RedisClientCore
/// One numbered database of the stub's keyspace. Every read goes through
/// ``entry(_:now:touching:)``, which treats an expired key as absent and deletes it (lazy
/// expiry) and counts the access (OBJECT IDLETIME/FREQ); ``sweep(now:budget:)`` removes dead
/// keys nobody reads (active expiry), a bounded amount per command.
final class StubDatabase {
    private var entries: [HashedBytes: StubEntry] = [:]
    private var expiring: Set<HashedBytes> = []
    private var sweepQueue: [HashedBytes] = []
    /// Containers a command may write (reached to create or add), with their size then: their
    /// encodings are settled when it ends, as Redis converts on a write that adds.
    private(set) var touched: [(key: StubKey, size: Int)] = []
    /// Which of the store's databases this is, for the watched keys' signals.
    let index: Int
    /// Shared by the store's databases: a key grew (blocked clients look again), a watched key
    /// was modified (transactions watching it will not run).
    let signals: StubSignals
    /// Shared by the store's databases: the access policy and the shared integers' accesses.
    let access: StubAccessTracker

    init(index: Int = 0, signals: StubSignals = StubSignals(), access: StubAccessTracker = StubAccessTracker()) {
        self.index = index
        self.signals = signals
        self.access = access
    }

    var count: Int { entries.count }
    var expiringCount: Int { expiring.count }

    /// The live entry. `touching: false` is Redis's `LOOKUP_NOTOUCH` (TYPE, TTL, EXISTS,
    /// OBJECT): the look leaves the key's idle time and frequency as they were.
    func entry(_ key: StubKey, now: Int64, touching: Bool = true) -> StubEntry? {
        guard let index = entries.index(forKey: HashedBytes(key)) else { return nil }
        if let deadline = entries.values[index].expiresAt, deadline <= now {
            remove(key)
            return nil
        }
        if touching { access.touch(&entries.values[index]) }
        return entries.values[index]
    }

    func exists(_ key: StubKey, now: Int64, touching: Bool = true) -> Bool { entry(key, now: now, touching: touching) != nil }

    /// Stores a value, as Redis's `setKey`: a new value clears any expiry unless told otherwise
    /// (as `SET` does), and a live value it replaces counts as accessed (StubAccessTracker).
    func put(_ key: StubKey, _ value: StubValue, expiresAt: Int64? = nil) {
        put(key, StubEntry(value: value, expiresAt: expiresAt))
        // A container made whole (the STORE forms) takes the encoding its size calls for.
        if case .string = value {} else { touched.append((key, -1)) }
    }

    /// Stores an entry whole: RENAME, MOVE and COPY keep a string's encoding with its value.
    func put(_ key: StubKey, _ entry: StubEntry) {
        // Only lists, sorted sets and streams wake blocked clients: a string never does, and
        // SET is the hot path.
        if case .string = entry.value {} else { signals.growth &+= 1 }
        if signals.listening { signals.modified(index, key) }
        var entry = entry
        if entry.access == nil {
            // Only an LFU policy carries an overwritten value's access over: the look-up is
            // kept off SET's path otherwise.
            let replaced = access.byFrequency ? entries[HashedBytes(key)].flatMap { $0.isLive(at: access.now) ? $0 : nil } : nil
            access.settle(&entry, replacing: replaced)
        }
        let expiresAt = entry.expiresAt
        let old = entries.updateValue(entry, forKey: HashedBytes(key))
        if expiresAt != nil {
            expiring.insert(HashedBytes(key))
        } else if old?.expiresAt != nil {
            expiring.remove(HashedBytes(key))
        }
    }

    /// Replaces a string value and keeps the key's expiry (`INCR`, `DECRBY`, ...).
    func replaceString(_ key: StubKey, _ value: [UInt8], form: StubEncoding.StringForm = .whole) {
        if let position = entries.index(forKey: HashedBytes(key)) {
            // Redis's dbReplaceValue: a new object (a shared integer, maybe) that under an LFU
            // policy takes the old one's access.
            let previous = access.access(of: entries.values[position])
            entries.values[position].value = .string(value)
            entries.values[position].stringForm = form
            if access.byFrequency {
                access.record(previous, on: &entries.values[position])
            } else if StubEncoding.sharedInteger(entries.values[position]) == nil {
                entries.values[position].access = StubAccess(at: access.now, counter: previous.counter)
            }
            if signals.listening { signals.modified(index, key) }
        } else {
            put(key, StubEntry(value: .string(value), expiresAt: nil, stringForm: form))
        }
    }

    /// A string rewritten without Redis signalling it modified (PFDEBUG TODENSE's re-encoding,
    /// which a WATCH does not see): the key's expiry and encoding stay.
    func replaceStringUnsignalled(_ key: StubKey, _ value: [UInt8]) {
        entries[HashedBytes(key)]?.value = .string(value)
    }

    /// RESTORE's IDLETIME or FREQ, on the key it just stored.
    func restoreAccess(_ key: StubKey, idleSeconds: Int64?, frequency: Int64?) {
        guard let index = entries.index(forKey: HashedBytes(key)) else { return }
        access.restore(&entries.values[index], idleSeconds: idleSeconds, frequency: frequency)
    }

    /// A string's encoding changed without its value (SETBIT of a bit already so).
    func setStringForm(_ key: StubKey, _ form: StubEncoding.StringForm) {
        guard let index = entries.index(forKey: HashedBytes(key)) else { return }
        let shared = StubEncoding.sharedInteger(entries.values[index]).map { _ in access.access(of: entries.values[index]) }
        entries.values[index].stringForm = form
        // Redis unshares a shared integer before editing it: a new object, which under an LFU
        // policy takes the shared one's access (dbUnshareStringValue, then dbSetValue).
        if let shared { entries.values[index].access = access.byFrequency ? shared : access.fresh }
    }

    /// Settles the encodings of the containers the command reached (StubEncoding).
    func settleEncodings(_ config: StubConfig) {
        guard !touched.isEmpty else { return }
        for (key, size) in touched {
            if let entry = entries[HashedBytes(key)] { StubEncoding.settle(entry.value, config, sizeBefore: size) }
        }
        touched.removeAll(keepingCapacity: true)
    }

    @discardableResult
    func remove(_ key: StubKey) -> Bool {
        expiring.remove(HashedBytes(key))
        guard entries.removeValue(forKey: HashedBytes(key)) != nil else { return false }
        if signals.listening { signals.modified(index, key) }
        return true
    }

    /// Deletes a container key whose last element went, as Redis does.
    func removeIfEmpty(_ key: StubKey) {
        if let entry = entries[HashedBytes(key)], entry.value.isEmptyContainer { remove(key) }
    }

    func setExpiry(_ key: StubKey, at deadline: Int64?) {
        guard let old = entries[HashedBytes(key)] else { return }
        entries[HashedBytes(key)]!.expiresAt = deadline
        // Setting a deadline always counts as a change, as EXPIRE does in Redis; removing one
        // only when there was one.
        if signals.listening && (deadline != nil || old.expiresAt != nil) { signals.modified(index, key) }
        if deadline != nil { expiring.insert(HashedBytes(key)) } else { expiring.remove(HashedBytes(key)) }
    }

    /// SWAPDB: every connection on one index now sees the other's keys.
    func swapContents(with other: StubDatabase) {
        guard other !== self else { return }
        swap(&entries, &other.entries)
        swap(&expiring, &other.expiring)
        swap(&sweepQueue, &other.sweepQueue)
        swap(&touched, &other.touched)
        signals.growth &+= 1
        if signals.anyWatched {
            // Redis spoils the watched keys that hold a value on either side.
            for database in [self, other] {
                signals.modifiedAll(database.index) { self.entries[HashedBytes($0)] != nil || other.entries[HashedBytes($0)] != nil }
            }
        }
    }

    func removeAll() {
        if signals.anyWatched { signals.modifiedAll(index) { entries[HashedBytes($0)] != nil } }
        entries.removeAll()
        expiring.removeAll()
        sweepQueue.removeAll()
    }

    /// Live keys, in a stable order for `KEYS` and `SCAN`.
    func liveKeys(now: Int64) -> [StubKey] {
        entries.compactMap { key, entry in
            entry.isLive(at: now) ? key.bytes : nil
        }
    }

    /// Checks up to `budget` keys that carry an expiry, round-robin, and deletes the dead ones.
    func sweep(now: Int64, budget: Int) {
        guard !expiring.isEmpty else { return }
        if sweepQueue.isEmpty { sweepQueue = Array(expiring) }
        for _ in 0..<min(budget, sweepQueue.count) {
            _ = entry(sweepQueue.removeLast().bytes, now: now, touching: false)
        }
    }

    /// The entry as stored, dead or alive, without deleting it: WATCH's view.
    func peek(_ key: StubKey) -> StubEntry? { entries[HashedBytes(key)] }

    // MARK: - Typed access

    /// The key's value of one type; nil when absent; `WRONGTYPE` when it holds another type.
    func existing<T>(_ key: StubKey, now: Int64, _ extract: (StubValue) -> T?) throws(StubError) -> T? {
        guard let entry = entry(key, now: now) else { return nil }
        guard let value = extract(entry.value) else { throw .wrongType }
        return value
    }

    /// The key's container of one type: nil when absent (or created empty when `create`),
    /// `WRONGTYPE` when the key holds another type.
    func container<T: StubContainer>(_ key: StubKey, now: Int64, create: Bool = false) throws(StubError) -> T? {
        if let found = try existing(key, now: now, T.extract) {
            if create {
                touched.append((key, found.value.size))
                signals.growth &+= 1
            }
            return found
        }
        guard create else { return nil }
        let fresh = T()
        put(key, fresh.value)
        return fresh
    }

    func string(_ key: StubKey, now: Int64) throws(StubError) -> [UInt8]? {
        try existing(key, now: now) { if case .string(let bytes) = $0 { bytes } else { nil } }
    }

    func list(_ key: StubKey, now: Int64, create: Bool = false) throws(StubError) -> StubList? {
        try container(key, now: now, create: create)
    }

    func set(_ key: StubKey, now: Int64, create: Bool = false) throws(StubError) -> StubSet? {
        try container(key, now: now, create: create)
    }

    func hash(_ key: StubKey, now: Int64, create: Bool = false) throws(StubError) -> StubHash? {
        try container(key, now: now, create: create)
    }

    func sortedSet(_ key: StubKey, now: Int64, create: Bool = false) throws(StubError) -> StubSortedSet? {
        try container(key, now: now, create: create)
    }

    func stream(_ key: StubKey, now: Int64, create: Bool = false) throws(StubError) -> StubStream? {
        try container(key, now: now, create: create)
    }
}
