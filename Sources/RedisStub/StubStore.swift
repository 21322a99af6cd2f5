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

    /// Counts stream appends, so that blocked readers know when to look again.
    let streamWrites = Atomic<Int>(0)

    /// Counts XADDs: a blocked reader need only look again when it has moved.
    public var streamWriteCount: Int { streamWrites.load(ordering: .acquiring) }

    /// Runs commands atomically against the store, starting in `database`. Answers the replies
    /// and, when the last was a blocking read that found nothing, how long it may wait.
    func execute(_ commands: [RedisCommandArgv], database: inout Int) -> (replies: [RedisValue], block: Int64?) {
        let selected = database
        let (replies, finalDatabase, block, wrote) = state.withLock { state -> ([RedisValue], Int, Int64?, Bool) in
            var execution = StubExecution(state: state, databaseIndex: selected, now: clock.nowMilliseconds(), clock: clock)
            let replies = commands.map { execution.run($0) }
            execution.database.sweep(now: execution.now, budget: 4)
            return (replies, execution.databaseIndex, execution.blockMilliseconds, execution.streamWritten)
        }
        if wrote { streamWrites.add(1, ordering: .releasing) }
        database = finalDatabase
        return (replies, block)
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
    let databases: [StubDatabase] = (0..<StubStore.databaseCount).map { _ in StubDatabase() }
    /// Loaded scripts by SHA1, for `EVALSHA` and `SCRIPT EXISTS`.
    var scripts: [String: [UInt8]] = [:]
    var config = StubConfig()
    /// Created on the first script: most stub users never run one.
    private(set) lazy var lua = StubLua()

    init(scriptTimeLimitMilliseconds: Int64) {
        self.scriptTimeLimitMilliseconds = scriptTimeLimitMilliseconds
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
    /// Set by XADD, so that blocked readers look again.
    var streamWritten = false
    /// Set by a blocking read that found nothing: how long the caller may wait (0: forever).
    var blockMilliseconds: Int64?

    var database: StubDatabase { state.databases[databaseIndex] }

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
