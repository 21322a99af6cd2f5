/// When a value was last reached and how often: what `OBJECT IDLETIME` and `OBJECT FREQ`
/// answer. Redis keeps one 24-bit field per object that means its LRU clock, or under an LFU
/// `maxmemory-policy` a minute stamp and a logarithmic counter; the stub keeps the two apart
/// (so switching policy does not scramble them, where Redis's data "takes some time to adjust").
struct StubAccess {
    /// Unix milliseconds of the last access (or of the object's creation).
    var at: Int64
    /// The LFU counter, 0–255.
    var counter: UInt8

    /// Redis's `LFU_INIT_VAL`: a new key is not evicted at once for never having been read.
    static let initialCounter: UInt8 = 5
}

/// The store's access bookkeeping, shared by its databases under the store's lock: the policy
/// and its parameters, the time of the running command, and the integers Redis shares. Redis
/// keeps one object for each integer 0–9999 (`OBJ_SHARED_INTEGERS`) and every key holding that
/// integer points at it — so they share its access too: reading one key holding 7 makes every
/// key holding 7 look recently used, and a fresh `SET k 7` is as idle as the last read of a 7.
///
/// Read on every key access, under the store's lock (one thread at a time): the hot fields are
/// exempt from Swift's dynamic exclusivity checks, which cost as much as the bookkeeping.
final class StubAccessTracker {
    /// The running command's time, set by the store before each batch.
    @exclusivity(unchecked) var now: Int64
    /// An LFU policy: accesses count (``StubAccess/counter``) instead of only stamping.
    @exclusivity(unchecked) var byFrequency = false
    /// `lfu-log-factor`: how much slower the counter climbs as it grows (``configure(_:)``).
    var logFactor = 0
    /// `lfu-decay-time`: minutes per step the counter falls while the key is not read.
    var decayMinutes = 0
    private var sharedIntegers: [Int64: StubAccess] = [:]
    /// When the store began: Redis's shared integers were created with the server.
    private let started: Int64
    private var random = SystemRandomNumberGenerator()

    init(started: Int64 = 0) {
        self.started = started
        now = started
    }

    func configure(_ config: StubConfig) {
        byFrequency = config.evictsByFrequency
        logFactor = config.integer("lfu-log-factor")
        decayMinutes = config.integer("lfu-decay-time")
    }

    /// A value made now (Redis's `createObject`).
    var fresh: StubAccess { StubAccess(at: now, counter: StubAccess.initialCounter) }

    func access(of entry: StubEntry) -> StubAccess {
        if let shared = StubEncoding.sharedInteger(entry) { return sharedIntegers[shared] ?? StubAccess(at: started, counter: 0) }
        return entry.access ?? fresh
    }

    /// Redis's `lookupKey` without `LOOKUP_NOTOUCH`: the value was reached.
    func touch(_ entry: inout StubEntry) {
        record(touched(access(of: entry)), on: &entry)
    }

    /// Sets the access of the value the entry holds: a shared integer's is every holder's.
    func record(_ access: StubAccess, on entry: inout StubEntry) {
        if let shared = StubEncoding.sharedInteger(entry) {
            sharedIntegers[shared] = access
        } else {
            entry.access = access
        }
    }

    /// A new value stored under a key: a new object, except that under an LFU policy a value
    /// overwriting a live one takes over its access, touched by the write's lookup (Redis's
    /// `setKey` then `dbSetValue`), so rewriting a hot key keeps it hot.
    func settle(_ entry: inout StubEntry, replacing old: StubEntry?) {
        guard entry.access == nil else { return }
        if byFrequency, let old {
            record(touched(access(of: old)), on: &entry)
        } else {
            entry.access = fresh
        }
    }

    /// `OBJECT IDLETIME`: whole seconds between the access's second and now's, as Redis's LRU
    /// clock (one-second resolution) counts them.
    func idleSeconds(of entry: StubEntry) -> Int64 {
        max(0, now / 1000 - access(of: entry).at / 1000)
    }

    /// `OBJECT FREQ`: the counter after its decay (Redis's `LFUDecrAndReturn`).
    func frequency(of entry: StubEntry) -> Int64 {
        Int64(decayed(access(of: entry)))
    }

    /// RESTORE's `IDLETIME` or `FREQ`, each kept only under the policy that tracks it
    /// (Redis's `objectSetLRUOrLFU`).
    func restore(_ entry: inout StubEntry, idleSeconds: Int64?, frequency: Int64?) {
        if byFrequency, let frequency {
            record(StubAccess(at: now, counter: UInt8(frequency)), on: &entry)
        } else if !byFrequency, let idleSeconds {
            let (idle, overflow) = idleSeconds.multipliedReportingOverflow(by: 1000)
            record(StubAccess(at: overflow ? 0 : max(0, now - idle), counter: access(of: entry).counter), on: &entry)
        }
    }

    private func touched(_ access: StubAccess) -> StubAccess {
        guard byFrequency else { return StubAccess(at: now, counter: access.counter) }
        var counter = decayed(access)
        // Redis's LFULogIncr: certain below the initial value, then ever less likely.
        if counter < 255 {
            let base = Double(max(Int(counter) - Int(StubAccess.initialCounter), 0))
            if Double.random(in: 0..<1, using: &random) < 1 / (base * Double(logFactor) + 1) { counter += 1 }
        }
        return StubAccess(at: now, counter: counter)
    }

    /// One step down per `lfu-decay-time` minutes since the access, counted in whole minutes
    /// of the clock as Redis's minute stamp does.
    private func decayed(_ access: StubAccess) -> UInt8 {
        guard decayMinutes > 0 else { return access.counter }
        let periods = max(0, now / 60_000 - access.at / 60_000) / Int64(decayMinutes)
        return periods >= Int64(access.counter) ? 0 : access.counter - UInt8(periods)
    }
}
