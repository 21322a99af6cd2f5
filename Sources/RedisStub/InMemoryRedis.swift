import RedisClientCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// One client's session on the in-memory stub: what the factory falls back to when Redis
/// cannot be reached. It answers what Redis 7 answers — reply types, error texts, expiry — and
/// keeps per-session state (`SELECT`, `MULTI`) apart from the shared ``StubStore``.
public final class InMemoryRedis: RedisConnection, @unchecked Sendable {
    public let store: StubStore
    private var database = 0
    /// Queued commands while inside `MULTI`; `failed` once a command was refused at queueing.
    private var transaction: (commands: [RedisCommandArgv], failed: Bool)? {
        didSet {
            let queued = transaction?.commands.count
            if queued != oldValue?.commands.count { store.updateClient(clientInfo) { $0.queued = queued } }
        }
    }
    let clientID = InMemoryRedis.nextClientID.add(1, ordering: .relaxed).newValue
    /// What CLIENT LIST shows of this session (its name, its database, its last command).
    public var clientInfo: StubClientInfo { state.client! }
    /// Set by a server that encodes replies itself: EXEC keeps the commands it ran, in order,
    /// for ``takeExecutedTransaction()``.
    public var recordsTransactions = false
    /// Set by a server that writes RESP3 itself (``Resp3Shape``): `HELLO 3` is accepted.
    /// Replies stay ``RedisValue``s, RESP2's types, whatever the protocol.
    public var writesRESP3 = false
    /// CLIENT TRACKING is on: a server runs this session's commands one at a time, each
    /// reply followed by what its own writes invalidated.
    public internal(set) var isTracking = false
    /// What HELLO chose: 3 only with ``writesRESP3``; RESET makes it 2 again.
    public private(set) var protocolVersion = 2 {
        didSet { if protocolVersion != oldValue { store.updateClient(clientInfo) { $0.protocolVersion = protocolVersion } } }
    }
    private var executedTransactions: [[RedisCommandArgv]] = []
    private static let nextClientID = Atomic<Int64>(0)

    /// This session's channels and patterns, and the messages waiting for it.
    public var subscriber: StubSubscriber { state.subscriber }
    /// What the store keeps for this session: its subscriptions, WATCHes and CLIENT LIST entry.
    let state: StubSessionState
    /// Taken from the mailbox by ``nextMessage(timeout:)``, not yet handed out.
    private var unread: ArraySlice<RedisValue> = []

    public var isStub: Bool { true }

    public init(store: StubStore = StubStore()) {
        self.store = store
        let (subscriber, watch) = (StubSubscriber(), StubWatch())
        let client = StubClientInfo(id: clientID, now: store.clock.nowMilliseconds(), subscriber: subscriber, watch: watch)
        state = StubSessionState(subscriber: subscriber, watch: watch, client: client)
        store.register(state.client!)
    }

    deinit {
        if subscriber.isSubscribed || state.watch.isWatching { store.leave(state) }
        store.unregister(clientID)
    }

    /// A session on another database; throws what Redis answers to `SELECT` beyond its 16
    /// databases (the default configuration).
    public convenience init(store: StubStore = StubStore(), database: Int) throws(RedisError) {
        guard (0..<StubStore.databaseCount).contains(database) else { throw .server("ERR DB index is out of range") }
        self.init(store: store)
        self.database = database
    }

    public func send(_ command: RedisCommandArgv) throws -> RedisValue {
        guard let first = command.first else { return .error("ERR unknown command ''") }
        // CLIENT KILL closed this session's connection.
        if clientInfo.killed { throw RedisError.connectionClosed("the stub's connection was killed by CLIENT KILL") }
        let name = lowercasedCommandName(first)
        // As Redis: a request it does not know, or of the wrong arity, is answered before the ACL.
        if Self.checkedSessionCommands.contains(name), name == "client" ? Self.isKnownClientRequest(command) : command.count == 1,
           let refusal = store.aclRefusal(command, session: state, inTransaction: transaction != nil) {
            if transaction != nil && name != "exec" && name != "discard" { transaction?.failed = true }
            return .error(name == "exec" ? "EXECABORT Transaction discarded because of: " + refusal : refusal)
        }
        // RESP3 has no subscribed mode: its messages are pushes, apart from replies.
        if subscriber.isSubscribed, protocolVersion == 2, let refusal = Self.subscribedModeRefusal(name, command) { return refusal }
        // Connection commands answer at once, inside MULTI too: they touch no data.
        switch name {
        case "client" where command.count >= 2: return client(command)
        case "hello": return hello(command)
        case "reset" where command.count == 1:
            // Inside MULTI too: the transaction goes, the database is 0 again, the name is gone.
            transaction = nil
            database = 0
            protocolVersion = 2
            let id = clientID
            try? store.withTracking { $0.disable(id) }
            isTracking = false
            store.updateClient(clientInfo) { $0.name = nil; $0.noEvict = false }
            if subscriber.isSubscribed || state.watch.isWatching { store.leave(state) }
            _ = subscriber.takeMail()
            unread = []
            return .simpleString("RESET")
        default: break
        }
        if transaction != nil { return queue(name, command) }
        switch name {
        case "multi":
            guard command.count == 1 else { return .error(StubError.arity(name).message) }
            transaction = ([], false)
            return .ok
        case "exec" where command.count != 1:
            return Self.execAbort(StubError.arity(name))
        case "exec", "discard":
            guard command.count == 1 else { return .error(StubError.arity(name).message) }
            return .error("ERR \(name.uppercased()) without MULTI")
        default:
            return executeBlocking(command)
        }
    }

    /// One try at a command without waiting: its reply, or nil and how a blocking command
    /// that found nothing may wait for another client's write before it answers null. An
    /// event loop holds such a client and asks again (``retry(_:_:)``) when a key has grown,
    /// instead of parking a thread on it (see ``StubServer``). Inside `MULTI` nothing blocks.
    public func attempt(_ command: RedisCommandArgv) -> StubAttempt {
        guard transaction == nil, Self.mayBlock(command) else { return .reply((try? send(command)) ?? .error("ERR internal error")) }
        let (replies, block) = store.execute([command], database: &database, session: state)
        return block.map(StubAttempt.blocked) ?? .reply(replies[0])
    }

    /// A parked command's next try (``StubBlock/retries``, or the command itself): its reply
    /// once it finds something — an error too, as when BLMOVE's destination now holds
    /// another type — else nil.
    public func retry(_ command: RedisCommandArgv, _ block: StubBlock) -> RedisValue? {
        for attempt in block.retries.isEmpty ? [command] : block.retries {
            let (replies, stillBlocked) = store.execute([attempt], database: &database, session: state, retrying: true)
            if stillBlocked == nil { return replies[0] }
        }
        return nil
    }

    /// The commands that answer an array, for which Redis's "nothing" is a null array.
    private static let nullArrayCommands: Set<String> = [
        "blpop", "brpop", "blmpop", "bzpopmin", "bzpopmax", "bzmpop", "lmpop", "zmpop", "xread", "xreadgroup",
        // EXEC's null: a watched key was modified.
        "exec",
    ]

    public static func answersNullArray(_ command: RedisCommandArgv) -> Bool {
        // Asked of every reply a server writes: the first letter rules out most commands.
        guard let first = command.first, (4...10).contains(first.count) else { return false }
        switch first[0] | 0x20 {
        case UInt8(ascii: "b"), UInt8(ascii: "l"), UInt8(ascii: "z"), UInt8(ascii: "x"), UInt8(ascii: "e"): break
        default: return false
        }
        return nullArrayCommands.contains(lowercasedCommandName(first))
    }

    /// A server checked the session's password itself (stub-server's --password-file): it
    /// runs as the default user, authenticated.
    public func authenticatedByServer(password: [UInt8]) {
        _ = store.authenticate(clientInfo, user: Array("default".utf8), password: password)
    }

    /// The oldest script result not yet taken, with RESP3's types, when the session speaks
    /// RESP3: one for each script that answered without an error, in order.
    public func takeScriptReply() -> Resp3Value? {
        state.scriptReplies.pending.isEmpty ? nil : state.scriptReplies.pending.removeFirst()
    }

    /// The commands the oldest EXEC not yet taken ran (with ``recordsTransactions``).
    public func takeExecutedTransaction() -> [RedisCommandArgv]? {
        executedTransactions.isEmpty ? nil : executedTransactions.removeFirst()
    }

    private static let blockingPops: Set<String> = ["blpop", "brpop", "brpoplpush", "blmove", "blmpop", "bzpopmin", "bzpopmax", "bzmpop"]

    /// The blocking pops, and `XREAD`/`XREADGROUP ... BLOCK ms`, may wait for another
    /// client's write. Asked of every command a server runs, so the first letter decides most.
    public static func mayBlock(_ command: RedisCommandArgv) -> Bool {
        guard let first = command.first, (5...10).contains(first.count) else { return false }
        let initial = first[0] | 0x20
        guard initial == UInt8(ascii: "b") || initial == UInt8(ascii: "x") else { return false }
        let name = lowercasedCommandName(first)
        if blockingPops.contains(name) { return true }
        guard name == "xread" || name == "xreadgroup" else { return false }
        return command.contains { $0.count == 5 && StubParse.upper($0) == "BLOCK" }
    }

    /// Runs a command; a blocking one that found nothing waits, outside the store's lock, for
    /// another client's write or for its timeout.
    private func executeBlocking(_ command: RedisCommandArgv) -> RedisValue {
        var seen = store.keyGrowthCount
        let (replies, block) = store.execute([command], database: &database, session: state)
        guard let block else { return replies[0] }
        let clock = ContinuousClock()
        let deadline = block.milliseconds == 0 ? nil : clock.now.advanced(by: .milliseconds(block.milliseconds))
        setBlocked(true)
        defer { setBlocked(false) }
        while true {
            // CLIENT UNBLOCK from another session: as at the timeout, or Redis's error.
            if let unblock = store.withClients({ _, _ in self.clientInfo.unblock }) {
                return unblock == .error ? .error("UNBLOCKED client unblocked via CLIENT UNBLOCK") : .null
            }
            let growth = store.keyGrowthCount
            if growth != seen {
                seen = growth
                if let reply = retry(command, block) { return reply }
            }
            if let deadline, clock.now >= deadline { return .null }
            usleep(500)
        }
    }

    /// Runs consecutive plain commands under one acquisition of the store's lock: a server
    /// with many pipelining clients would otherwise spend its time handing the lock around.
    /// Session commands and blocking reads go one by one, as `send` runs them.
    public func pipeline(_ commands: [RedisCommandArgv]) throws -> [RedisValue] {
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        var batch: [RedisCommandArgv] = []
        // Only a command run alone (SUBSCRIBE, RESET, ...) can change it: read again after one.
        var subscribed = subscriber.isSubscribed
        func flush() {
            guard !batch.isEmpty else { return }
            replies += store.execute(batch, database: &database, session: state).replies
            batch.removeAll(keepingCapacity: true)
        }
        for command in commands {
            if transaction == nil && !subscribed && Self.runsInBatch(command) && !Self.mayBlock(command) {
                batch.append(command)
            } else {
                flush()
                replies.append(try send(command))
                subscribed = subscriber.isSubscribed
            }
        }
        flush()
        return replies
    }

    private static let sessionCommands: Set<String> = ["multi", "exec", "discard", "client", "hello", "reset"]
    /// The session commands an ACL or a missing AUTH may refuse (HELLO and RESET need none).
    private static let checkedSessionCommands: Set<String> = ["multi", "exec", "discard", "client"]
    /// What a session answers itself, beside the command table (docs/stub.md's coverage).
    static var sessionCommandNames: Set<String> { sessionCommands }

    /// Session commands, and the (un)subscribe ones (what follows them may be refused), run
    /// alone; everything else in one batch under the lock.
    private static func runsInBatch(_ command: RedisCommandArgv) -> Bool {
        // Asked of every pipelined command: the session commands are 4 to 7 letters long, the
        // subscription ones 9 to 12.
        guard let first = command.first, (4...12).contains(first.count), first.count != 8 else { return true }
        let name = lowercasedCommandName(first)
        return !sessionCommands.contains(name) && !isSubscription(name)
    }

    private static func isSubscription(_ name: String) -> Bool {
        name.hasSuffix("subscribe") && StubCommands.allowedWhileSubscribed.contains(name)
    }

    /// What a server runs one at a time through ``attempt(_:)``, writing the session's mail
    /// after it: the commands that may block, the (un)subscribe ones, and HELLO and RESET,
    /// which change the protocol the replies after them are written in.
    public static func runsAlone(_ command: RedisCommandArgv) -> Bool {
        // Asked of every command a server runs: five letters starting h or r before any name.
        if let first = command.first, first.count == 5, [UInt8(ascii: "h"), UInt8(ascii: "r")].contains(first[0] | 0x20),
           ["hello", "reset"].contains(lowercasedCommandName(first)) { return true }
        return mayBlock(command) || changesSubscriptions(command)
    }

    /// EVAL, EVALSHA, FCALL and their read-only forms: what runs a script.
    static let scriptCommands: Set<String> = ["eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"]

    /// Whether the command runs a script (whose result a RESP3 server takes with
    /// ``takeScriptReply()``). Asked of every reply a RESP3 server writes: letters first.
    public static func runsScript(_ command: RedisCommandArgv) -> Bool {
        guard let first = command.first, (4...10).contains(first.count), [UInt8(ascii: "e"), UInt8(ascii: "f")].contains(first[0] | 0x20) else { return false }
        return scriptCommands.contains(lowercasedCommandName(first))
    }

    /// SUBSCRIBE, UNSUBSCRIBE and their pattern and shard forms: each channel confirmed in
    /// turn (in RESP3, as pushes).
    public static func changesSubscriptions(_ command: RedisCommandArgv) -> Bool {
        guard let first = command.first, (9...12).contains(first.count), first.last! | 0x20 == UInt8(ascii: "e") else { return false }
        return isSubscription(lowercasedCommandName(first))
    }

    /// RESP2's subscribed mode: only the (un)subscribe commands, PING, QUIT and RESET, after
    /// Redis's own checks (a known command, its arity); PING answers `["pong", message]`.
    private static func subscribedModeRefusal(_ name: String, _ command: RedisCommandArgv) -> RedisValue? {
        guard StubCommands.allowedWhileSubscribed.contains(name) else {
            do {
                // The session's own commands (MULTI, CLIENT, ...) are known without the table.
                if !sessionCommands.contains(name) { _ = try StubCommands.lookup(command) }
            } catch {
                return .error(error.message)
            }
            var fullName = name
            if StubCommands.table[name]?.subcommands != nil { fullName += "|" + String(decoding: command[1], as: UTF8.self).lowercased() }
            return .error("ERR Can't execute '\(fullName)': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
        }
        guard name == "ping" else { return nil }
        guard command.count <= 2 else { return .error(StubError.arity("ping").message) }
        return .array([.bulk("pong"), .bulkString(command.count == 2 ? command[1] : [])])
    }

    /// The next message (or confirmation beyond a command's first) for this session, waiting up
    /// to `timeout` for a publisher on another thread; nil when none came.
    public func nextMessage(timeout: Duration) -> RedisValue? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if unread.isEmpty { unread = subscriber.takeMail()[...] }
            if let message = unread.popFirst() { return message }
            if clock.now >= deadline { return nil }
            usleep(500)
        }
    }

    private func queue(_ name: String, _ command: RedisCommandArgv) -> RedisValue {
        switch name {
        case "multi":
            return .error("ERR MULTI calls can not be nested")
        case "discard":
            transaction = nil
            unwatch()
            return .ok
        case "exec" where command.count != 1:
            transaction = nil
            unwatch()
            return Self.execAbort(StubError.arity(name))
        case "exec":
            guard let (commands, failed) = transaction else { return .error("ERR EXEC without MULTI") }
            transaction = nil
            if failed {
                unwatch()
                return .error("EXECABORT Transaction discarded because of previous errors.")
            }
            // Blocking commands inside a transaction do not block, as in Redis.
            guard let replies = store.executeTransaction(commands, database: &database, session: state) else { return .null }
            if recordsTransactions { executedTransactions.append(commands) }
            return .array(replies)
        case "watch":
            // Run, not queued, and refused without spoiling the transaction, as in Redis.
            do {
                _ = try StubCommands.lookup(command)
            } catch {
                transaction?.failed = true
                return .error(error.message)
            }
            return .error("ERR WATCH inside MULTI is not allowed")
        default:
            do {
                _ = try StubCommands.lookup(command)
            } catch {
                transaction?.failed = true
                return .error(error.message)
            }
            if let refusal = store.aclRefusal(command, session: state, inTransaction: true) {
                transaction?.failed = true
                return .error(refusal)
            }
            transaction?.commands.append(command)
            return .simpleString("QUEUED")
        }
    }

    private func unwatch() {
        if state.watch.isWatching { store.leave(state) }
    }

    /// Redis answers any refusal of `EXEC` itself as an aborted transaction.
    private static func execAbort(_ error: StubError) -> RedisValue {
        .error("EXECABORT Transaction discarded because of: " + error.message.dropFirst("ERR ".count))
    }

    /// `HELLO [protover [AUTH user pass] [SETNAME name]]` with Redis's checks in its order.
    /// `HELLO 3` is served where a server writes RESP3 (``writesRESP3``: stub-server); an
    /// in-process session has only RESP2's values and refuses it, as a RESP2-only server
    /// does, so clients fall back to RESP2. AUTH takes any password (the stub has no users;
    /// stub-server checks its `--password` before the session sees the command).
    private func hello(_ command: RedisCommandArgv) -> RedisValue {
        var version: Int64?
        if command.count >= 2 {
            guard let asked = StubParse.parseInteger(command[1]) else { return .error("ERR Protocol version is not an integer or out of range") }
            guard asked == 2 || asked == 3 && writesRESP3 else { return .error("NOPROTO unsupported protocol version") }
            version = asked
        }
        var name: [UInt8]?
        var credentials: (user: [UInt8], password: [UInt8])?
        var index = 2
        while index < command.count {
            let option = StubParse.upper(command[index])
            let more = command.count - 1 - index
            if option == "AUTH" && more >= 2 {
                credentials = (command[index + 1], command[index + 2])
                index += 3
            } else if option == "SETNAME" && more >= 1 {
                name = command[index + 1]
                index += 2
            } else {
                return .error("ERR Syntax error in HELLO option '\(String(decoding: command[index], as: UTF8.self))'")
            }
        }
        if let credentials, !store.authenticate(clientInfo, user: credentials.user, password: credentials.password, command: String(decoding: command[0], as: UTF8.self)) {
            return .error("WRONGPASS invalid username-password pair or user is disabled.")
        }
        if credentials == nil, store.aclRefusal([Array("ping".utf8)], session: state)?.hasPrefix("NOAUTH") == true {
            return .error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
        }
        if let name {
            guard name.allSatisfy({ $0 > 32 && $0 < 127 }) else { return .error("ERR Client names cannot contain spaces, newlines or special characters.") }
            store.updateClient(clientInfo) { $0.name = name.isEmpty ? nil : name }
        }
        if let version { protocolVersion = Int(version) }
        return .array([
            .bulk("server"), .bulk("redis"), .bulk("version"), .bulk(StubCommands.redisVersion),
            .bulk("proto"), .integer(Int64(protocolVersion)), .bulk("id"), .integer(clientID), .bulk("mode"), .bulk("standalone"),
            .bulk("role"), .bulk("master"), .bulk("modules"), .array([]),
        ])
    }
}

/// A command tried without waiting: its reply, or how it waits for a key to grow.
public enum StubAttempt {
    case reply(RedisValue)
    case blocked(StubBlock)
}
