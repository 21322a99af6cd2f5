import RedisClientCore
import Synchronization

/// The stub's shared state: sixteen databases, loaded scripts, a clock. Any number of
/// ``InMemoryRedis`` sessions on any threads share one store; each command (and each
/// `MULTI`/`EXEC` block, and each script) runs under its lock, so it is atomic.
public final class StubStore: Sendable {
    public static let databaseCount = 16

    public let clock: any StubClock
    private let state: Mutex<StubState>

    /// - Parameter scriptTimeLimit: a script still running after this is stopped with a
    ///   `BUSY` error, where Redis would leave the server busy until `SCRIPT KILL`.
    public init(clock: any StubClock = SystemClock(), scriptTimeLimit: Duration = .seconds(5)) {
        self.clock = clock
        let (seconds, attoseconds) = scriptTimeLimit.components
        state = Mutex(StubState(scriptTimeLimitMilliseconds: seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }

    /// Counts the batches that added to a key (a push, an XADD, a new key), so that blocked
    /// clients know when to look again.
    private let growth = Atomic<Int>(0)

    /// Moves whenever a key may have gained something: a blocked client need only look again
    /// when it has moved.
    public var keyGrowthCount: Int { growth.load(ordering: .acquiring) }

    /// Counts the batches whose PUBLISH reached a subscriber: a server delivers when it moves.
    private let deliveries = Atomic<Int>(0)
    public var deliveryCount: Int { deliveries.load(ordering: .acquiring) }

    /// Runs commands atomically against the store, starting in `database`. Answers the replies
    /// and, when the last was a blocking command that found nothing, how long it may wait (0:
    /// forever) and the command to try again then (`XREAD ... $` with the ids it resolved).
    func execute(
        _ commands: [RedisCommandArgv], database: inout Int, subscriber: StubSubscriber? = nil, retrying: Bool = false
    ) -> (replies: [RedisValue], block: StubBlock?) {
        let selected = database
        let (replies, finalDatabase, block, grew, delivered) = state.withLock { state -> ([RedisValue], Int, StubBlock?, Bool, Bool) in
            let (growthBefore, deliveriesBefore) = (state.growth.count, state.pubsub.deliveries)
            var execution = StubExecution(state: state, databaseIndex: selected, now: clock.nowMilliseconds(), clock: clock)
            execution.retrying = retrying
            execution.subscriber = subscriber
            let replies = commands.map { execution.run($0) }
            execution.database.sweep(now: execution.now, budget: 4)
            return (replies, execution.databaseIndex, execution.block, state.growth.count != growthBefore, state.pubsub.deliveries != deliveriesBefore)
        }
        if grew { growth.add(1, ordering: .releasing) }
        if delivered { deliveries.add(1, ordering: .releasing) }
        database = finalDatabase
        return (replies, block)
    }

    /// A session that ends or RESETs leaves its channels and patterns.
    func leave(_ subscriber: StubSubscriber) {
        state.withLock { $0.pubsub.leave(subscriber) }
    }

    /// Keys held in memory, dead ones not yet swept included.
    var storedKeyCount: Int {
        state.withLock { state in state.databases.reduce(0) { $0 + $1.count } }
    }

    // MARK: - One store per URL and context

    private static let registry = Mutex<[String: StubStore]>([:])

    /// The store every client made for the same URL and context shares, so that a queue
    /// written through one client is read through another, as with a real server.
    public static func shared(for key: String) -> StubStore {
        registry.withLock { stores in
            if let store = stores[key] { return store }
            let store = StubStore()
            stores[key] = store
            return store
        }
    }
}

final class StubState {
    let scriptTimeLimitMilliseconds: Int64
    /// Bumped by every database when a key is created or reached to add to (under the lock).
    let growth = StubGrowth()
    let databases: [StubDatabase]
    /// Loaded scripts by SHA1, for `EVALSHA` and `SCRIPT EXISTS`.
    var scripts: [String: [UInt8]] = [:]
    var config = StubConfig()
    let pubsub = StubPubSub()
    /// Created on the first script: most stub users never run one.
    private(set) lazy var lua = StubLua()

    init(scriptTimeLimitMilliseconds: Int64) {
        self.scriptTimeLimitMilliseconds = scriptTimeLimitMilliseconds
        databases = (0..<StubStore.databaseCount).map { [growth] _ in StubDatabase(growth: growth) }
    }

    func resetLua() {
        lua = StubLua()
    }
}

/// What a command handler sees: the selected database, the time the command started at.
struct StubExecution {
    let state: StubState
    var databaseIndex: Int
    let now: Int64
    let clock: any StubClock
    /// Set by a blocking command that found nothing: how long the caller may wait, and what
    /// to run again. Only a command run alone honours it: inside MULTI or a script, a
    /// blocking command answers at once, as in Redis.
    var block: StubBlock?
    /// A parked blocking command tried again: Redis serves it from a key of the type it waits
    /// for, so its keys of another type are passed over instead of answering WRONGTYPE.
    var retrying = false
    /// The session running the commands, for (un)subscribing; nil in a script.
    var subscriber: StubSubscriber?

    var database: StubDatabase { state.databases[databaseIndex] }

    /// The container a pop takes from: nil when absent, and — while a parked command is
    /// tried again — when the key holds another type (see ``retrying``).
    func poppable<T: StubContainer>(_ key: StubKey) throws(StubError) -> T? {
        guard retrying else { return try database.container(key, now: now) }
        return (try? database.container(key, now: now)) ?? nil
    }

    mutating func run(_ command: RedisCommandArgv) -> RedisValue {
        do {
            let handler = try StubCommands.lookup(command)
            defer { database.settleEncodings(state.config) }
            return try handler.run(&self, command)
        } catch {
            return .error(error.message)
        }
    }
}

/// A blocking command that found nothing: how long it may wait (0: forever) and what to try
/// again when a key grows: the command itself, or `XREAD` stream by stream with the ids it
/// resolved for `$` (woken by one stream, Redis answers with that stream alone).
public struct StubBlock: Sendable {
    public let milliseconds: Int64
    /// Empty: the command itself.
    public let retries: [RedisCommandArgv]
}

/// How many times a key was created or reached to add to; read under the store's lock.
final class StubGrowth {
    var count = 0
}
