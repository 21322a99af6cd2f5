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
        state = Mutex(StubState(scriptTimeLimitMilliseconds: seconds * 1000 + attoseconds / 1_000_000_000_000_000, started: clock.nowMilliseconds()))
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
        _ commands: [RedisCommandArgv], database: inout Int, session: StubSessionState = StubSessionState(), retrying: Bool = false
    ) -> (replies: [RedisValue], block: StubBlock?) {
        locked(database: &database, session: session, retrying: retrying, last: commands.last) { execution in
            commands.map { command in
                defer { execution.commandEnded() }
                return execution.run(command)
            }
        }
    }

    /// EXEC: the queued commands, atomically — or nil, running nothing, when a key the session
    /// watches was modified or has expired since WATCH. Either way the session watches nothing
    /// after.
    func executeTransaction(_ commands: [RedisCommandArgv], database: inout Int, session: StubSessionState) -> [RedisValue]? {
        locked(database: &database, session: session, retrying: false, last: [Array("exec".utf8)]) { execution -> [RedisValue]? in
            let watch = session.watch
            if watch.isWatching {
                let state = execution.state
                defer { state.signals.unwatchAll(watch) }
                let expired = watch.keys.contains { key in
                    state.databases[key.database].peek(key.key.bytes).map { !$0.isLive(at: execution.now) } ?? false
                }
                if watch.dirty || expired { return nil }
            }
            defer { execution.commandEnded() }
            execution.inTransaction = true
            return commands.map { execution.run($0) }
        }.replies
    }

    /// Runs `body` under the lock with an execution for the session; tells blocked clients and
    /// subscribers' servers when keys grew or messages went out.
    private func locked<Result: Sendable>(
        database: inout Int, session: StubSessionState, retrying: Bool, last: RedisCommandArgv?, _ body: (inout StubExecution) -> Result
    ) -> (replies: Result, block: StubBlock?) {
        let selected = database
        let (result, finalDatabase, block, grew, delivered) = state.withLock { state -> (Result, Int, StubBlock?, Bool, Bool) in
            let (growthBefore, deliveriesBefore, invalidationsBefore) = (state.signals.growth, state.pubsub.deliveries, state.tracking.sent)
            var execution = StubExecution(state: state, databaseIndex: selected, now: clock.nowMilliseconds(), clock: clock)
            state.access.now = execution.now
            state.tracking.current = session.client?.id
            execution.retrying = retrying
            execution.session = session
            let result = body(&execution)
            execution.database.sweep(now: execution.now, budget: 4)
            if let client = session.client {
                client.lastActive = execution.now
                client.database = execution.databaseIndex
                if let last { client.lastCommand = last }
            }
            if state.tracking.hasBroadcasts { broadcastsWaiting.store(true, ordering: .releasing) }
            if execution.aclChanged { aclInUse.store(true, ordering: .releasing) }
            // ACL DELUSER: the deleted users' sessions are freed.
            let doomed = execution.deletedUsers.isEmpty ? [] : state.clients.all.filter { execution.deletedUsers.contains($0.user) && !$0.killed }
            if !doomed.isEmpty {
                Self.kill(doomed, in: state)
                interventions.add(1, ordering: .releasing)
            }
            let delivered = state.pubsub.deliveries != deliveriesBefore || state.tracking.sent != invalidationsBefore
            return (result, execution.databaseIndex, execution.block, state.signals.growth != growthBefore, delivered)
        }
        if grew { growth.add(1, ordering: .releasing) }
        if delivered { deliveries.add(1, ordering: .releasing) }
        database = finalDatabase
        return (result, block)
    }

    /// Keys changed for CLIENT TRACKING's BCAST sessions, waiting for ``sendBroadcastInvalidations()``.
    private let broadcastsWaiting = Atomic<Bool>(false)

    /// Tells the broadcasting tracking sessions of the keys changed since the last call: a
    /// server calls it at the end of its turn, as Redis does before it sleeps.
    public func sendBroadcastInvalidations() {
        guard broadcastsWaiting.exchange(false, ordering: .acquiringAndReleasing) else { return }
        let sent = state.withLock { state -> Bool in
            let before = state.tracking.sent
            state.tracking.broadcast()
            return state.tracking.sent != before
        }
        if sent { deliveries.add(1, ordering: .releasing) }
    }

    /// Set once any ACL SETUSER ran, for the sessions' commands run outside the store.
    let aclInUse = Atomic<Bool>(false)

    /// A session command (MULTI, EXEC, CLIENT, ...), or one queued in MULTI (`inTransaction`),
    /// the session may not run: Redis's refusal.
    func aclRefusal(_ command: RedisCommandArgv, session: StubSessionState, inTransaction: Bool = false) -> String? {
        guard aclInUse.load(ordering: .acquiring) else { return nil }
        return state.withLock { state in
            var execution = StubExecution(state: state, databaseIndex: 0, now: clock.nowMilliseconds(), clock: clock)
            execution.session = session
            execution.inTransaction = inTransaction
            return execution.aclRefusal(command)
        }
    }

    func hasUser(_ name: String) -> Bool {
        state.withLock { $0.users[name] != nil }
    }

    /// AUTH and HELLO's AUTH: the session runs as the user from now on; false for a wrong
    /// password, a missing or disabled user.
    func authenticate(_ client: StubClientInfo, user: [UInt8], password: [UInt8], command: String = "AUTH") -> Bool {
        state.withLock { state in
            let name = String(decoding: user, as: UTF8.self)
            guard state.users[name]?.accepts(password: password) == true else {
                state.logAclRefusal(reason: "auth", context: "toplevel", object: command, username: name, client: client, now: clock.nowMilliseconds())
                return false
            }
            client.user = name
            client.authenticated = true
            return true
        }
    }

    /// CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO: the tracking state, under the lock.
    func withTracking<Value: Sendable>(_ body: (StubTracking) throws(StubError) -> Value) throws(StubError) -> Value {
        let result = state.withLock { state -> Result<Value, StubError> in
            do throws(StubError) { return .success(try body(state.tracking)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    func register(_ client: StubClientInfo) {
        state.withLock { state in
            state.clients.add(client)
            // Redis's createClient: authenticated while the default user needs no password.
            client.authenticated = state.users["default"].map { $0.noPass && $0.enabled } ?? true
        }
    }

    /// `requirepass`: the default user wants this password (stub-server's --password-file).
    /// Sessions made from now on must authenticate.
    public func requireDefaultPassword(_ password: [UInt8]) {
        state.withLock { state in
            try? state.users["default"]?.apply([Array("resetpass".utf8), [UInt8(ascii: ">")] + password])
            state.aclInUse = true
        }
        aclInUse.store(true, ordering: .releasing)
    }

    func unregister(_ id: Int64) {
        state.withLock { state in
            state.clients.remove(id)
            state.tracking.disable(id)
        }
    }

    /// Changes a session's CLIENT LIST entry where other sessions read it.
    func updateClient(_ client: StubClientInfo, _ change: (StubClientInfo) -> Void) {
        state.withLock { _ in change(client) }
    }

    /// Marks the sessions CLIENT KILL chose; as Redis frees a client at once, they leave their
    /// channels and WATCHes now, before their connections close. How many.
    func kill(_ choose: (StubClients) -> [StubClientInfo]) -> Int {
        let killed = state.withLock { state -> Int in
            let targets = choose(state.clients)
            Self.kill(targets, in: state)
            return targets.count
        }
        if killed > 0 { interventions.add(1, ordering: .releasing) }
        return killed
    }

    private static func kill(_ targets: [StubClientInfo], in state: StubState) {
        for target in targets {
            target.killed = true
            state.pubsub.leave(target.subscriber)
            state.signals.unwatchAll(target.watch)
        }
    }

    /// Runs `body` with every session's entry, under the lock.
    func withClients<Result: Sendable>(_ body: (StubClients, Int64) -> Result) -> Result {
        state.withLock { body($0.clients, clock.nowMilliseconds()) }
    }

    /// How many CLIENT KILLs and UNBLOCKs the store has seen: a server acts on a change.
    public var clientInterventions: Int { interventions.load(ordering: .acquiring) }
    let interventions = Atomic<Int>(0)

    /// A session that ends or RESETs leaves its channels and patterns and unwatches its keys.
    func leave(_ session: StubSessionState) {
        state.withLock { state in
            state.pubsub.leave(session.subscriber)
            state.signals.unwatchAll(session.watch)
        }
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
    /// Told by every database when a key grows or a watched key changes (under the lock).
    let signals = StubSignals()
    /// Shared by every database: what OBJECT IDLETIME and FREQ answer from.
    let access: StubAccessTracker
    let databases: [StubDatabase]
    /// Loaded scripts by SHA1, for `EVALSHA` and `SCRIPT EXISTS`.
    var scripts: [String: [UInt8]] = [:]
    /// The flags of the loaded scripts that start with a shebang (`#!lua flags=...`).
    var scriptFlags: [String: Set<String>] = [:]
    /// FUNCTION LOAD's libraries, by name.
    var functionLibraries: [String: StubFunctionLibrary] = [:]
    var config = StubConfig()
    let pubsub = StubPubSub()
    let clients = StubClients()
    var tracking: StubTracking { signals.tracking! }
    /// ACL users by name; `default` always.
    var users = ["default": StubUser.default]
    /// Set once any ACL SETUSER ran: until then every session may run everything, unchecked.
    /// Read for every command under the lock: exempt from dynamic exclusivity checks.
    @exclusivity(unchecked) var aclInUse = false
    /// ACL LOG, newest first.
    var aclLog: [StubAclLogEntry] = []

    /// A refusal for ACL LOG, with the session's CLIENT LIST line as it stands.
    func logAclRefusal(reason: String, context: String, object: String, username: String, client: StubClientInfo, now: Int64) {
        let entry = StubAclLogEntry(reason: reason, context: context, object: object, username: username, updatedAt: now, clientInfo: client.line(now: now))
        StubAclLogEntry.add(entry, to: &aclLog)
    }
    /// Created on the first script: most stub users never run one.
    private(set) lazy var lua = StubLua()

    init(scriptTimeLimitMilliseconds: Int64, started: Int64) {
        self.scriptTimeLimitMilliseconds = scriptTimeLimitMilliseconds
        let access = StubAccessTracker(started: started)
        self.access = access
        access.configure(config)
        signals.tracking = StubTracking(clients: clients)
        databases = (0..<StubStore.databaseCount).map { [signals] index in StubDatabase(index: index, signals: signals, access: access) }
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
    /// Inside `EVAL_RO`/`EVALSHA_RO` or a `no-writes` script: write commands are refused.
    var scriptReadOnly = false
    /// A script is running: its commands are refused by ACL in a script's words.
    var runningScript = false
    /// Inside MULTI (queueing) or EXEC: ACL LOG's context.
    var inTransaction = false
    /// ACL SETUSER ran: the store checks sessions' commands from now on.
    var aclChanged = false
    /// ACL DELUSER's users: their sessions are closed once the command ends.
    var deletedUsers: Set<String> = []
    /// What the running script asked `redis.setresp` for: 3 types `redis.call`'s replies as
    /// RESP3 does (Resp3Shape). Each script starts at 2.
    var scriptProtocol = 2
    /// The session running the commands: its subscriptions and watched keys.
    var session = StubSessionState()

    var database: StubDatabase { state.databases[databaseIndex] }

    /// The container a pop takes from: nil when absent, and — while a parked command is
    /// tried again — when the key holds another type (see ``retrying``).
    func poppable<T: StubContainer>(_ key: StubKey) throws(StubError) -> T? {
        guard retrying else { return try database.container(key, now: now) }
        return (try? database.container(key, now: now)) ?? nil
    }

    mutating func run(_ command: RedisCommandArgv) -> RedisValue {
        // As Redis: an unknown command or a wrong arity is answered before the ACL is asked.
        let handler: StubCommand
        do {
            handler = try StubCommands.lookup(command)
        } catch {
            return .error(error.message)
        }
        if state.aclInUse, let refusal = aclRefusal(command) { return .error(refusal) }
        // Only while someone WATCHes: the watched keys' contents, to see what the command changed.
        let watchedBefore = state.signals.anyWatched ? watchedFingerprints() : nil
        // Only while someone tracks: what the command reads is remembered, what it may write
        // compared, as for WATCH.
        let tracked = state.tracking.isActive ? StubKeySpecs.tracked(command) : nil
        let trackedBefore = tracked.flatMap { $0.readOnly ? nil : $0.keys.map { ($0, StubFingerprint(database.peek($0))) } }
        let reply: RedisValue
        do {
            defer { database.settleEncodings(state.config) }
            reply = try handler.run(&self, command)
        } catch {
            reply = .error(error.message)
        }
        if let watchedBefore { signalChangedWatchedKeys(since: watchedBefore, command: command, reply: reply) }
        if let trackedBefore {
            for (key, fingerprint) in trackedBefore where StubFingerprint(database.peek(key)) != fingerprint { state.tracking.invalidate(key) }
        }
        if let tracked, tracked.readOnly, let id = session.client?.id { state.tracking.remember(tracked.keys, by: id) }
        return reply
    }

    /// What Redis answers a command the session may not run: NOAUTH before authenticating
    /// (while the default user wants a password), NOPERM for what its user's ACL refuses —
    /// worded for scripts inside one. Nil when it may run it.
    mutating func aclRefusal(_ command: RedisCommandArgv) -> String? {
        guard let client = session.client else { return nil }
        if StubAclCatalogue.skipsAuthentication(command) { return nil }
        if !client.authenticated, let defaultUser = state.users["default"], !defaultUser.noPass || !defaultUser.enabled {
            return "NOAUTH Authentication required."
        }
        let user = state.users[client.user] ?? StubUser()
        guard !user.allowsEverything, let refusal = user.check(command) else { return nil }
        let object = refusal.denial == .command ? commandFullName(command) : String(decoding: refusal.object ?? [], as: UTF8.self)
        let context = runningScript ? "lua" : inTransaction ? "multi" : "toplevel"
        state.logAclRefusal(reason: refusal.denial.name, context: context, object: object, username: client.user, client: client, now: now)
        switch (refusal.denial, runningScript) {
        case (.command, false): return "NOPERM this user has no permissions to run the '\(commandFullName(command))' command"
        case (.key, false): return "NOPERM this user has no permissions to access one of the keys used as arguments"
        case (.channel, false): return "NOPERM this user has no permissions to access one of the channels used as arguments"
        case (.command, true): return "ERR The user executing the script can't run this command or subcommand"
        case (.key, true): return "ERR The user executing the script can't access at least one of the keys mentioned in the command arguments"
        case (.channel, true): return "ERR The user executing the script can't publish to the channel mentioned in the command"
        }
    }

    /// CLIENT CACHING applied to the command that just ended. Mutating, so that calling it on
    /// the execution in place does not copy the whole struct (and retain what it holds).
    mutating func commandEnded() {
        if state.tracking.isActive, let id = session.client?.id { state.tracking.commandEnded(id) }
    }

    private func watchedFingerprints() -> [(key: WatchedKey, fingerprint: StubFingerprint)] {
        state.signals.watchedKeys.map { ($0, StubFingerprint(state.databases[$0.database].peek($0.key.bytes))) }
    }

    /// Redis signals a key modified when a command changed it — and, for these, whenever they
    /// answer on a key that exists, even when what they write leaves it as it was (`LSET` of the
    /// same value, `LMOVE k k LEFT LEFT`, `LTRIM k 0 -1`).
    private static let alwaysModify: Set<String> = [
        "hset", "hmset", "hincrby", "hincrbyfloat", "lset", "ltrim", "lmove", "rpoplpush", "blmove", "brpoplpush",
    ]

    /// And these rewrite a value without Redis signalling it (PFDEBUG's re-encoding).
    private static let neverModify: Set<String> = ["pfdebug"]

    private func signalChangedWatchedKeys(since before: [(key: WatchedKey, fingerprint: StubFingerprint)], command: RedisCommandArgv, reply: RedisValue) {
        let name = lowercasedCommandName(command[0])
        guard !Self.neverModify.contains(name) else { return }
        for (key, fingerprint) in before where StubFingerprint(state.databases[key.database].peek(key.key.bytes)) != fingerprint {
            state.signals.modified(key.database, key.key.bytes)
        }
        if command.count > 1, reply.errorMessage == nil, reply != .null, database.peek(command[1]) != nil,
           Self.alwaysModify.contains(name) {
            state.signals.modified(databaseIndex, command[1])
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


/// Script results a RESP3 caller gets with their RESP3 types (`{map=}` as a map, booleans),
/// which a reply's ``RedisValue`` cannot hold: one per script that answered without an error.
final class StubScriptReplies: @unchecked Sendable {
    var pending: [Resp3Value] = []
}

/// What the store keeps for one session beyond its database: its subscriptions and its WATCHes.
struct StubSessionState: Sendable {
    let subscriber: StubSubscriber
    let watch: StubWatch
    /// The session's CLIENT LIST entry (none for the store's own housekeeping).
    let client: StubClientInfo?
    /// Its scripts' results in RESP3's types, for a server writing RESP3 to take in order.
    let scriptReplies = StubScriptReplies()

    init(subscriber: StubSubscriber = StubSubscriber(), watch: StubWatch = StubWatch(), client: StubClientInfo? = nil) {
        self.subscriber = subscriber
        self.watch = watch
        self.client = client
    }
}
