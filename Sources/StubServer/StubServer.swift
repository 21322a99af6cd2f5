#if canImport(Glibc)
import Glibc
#endif
import RedisClientCore
import RedisStub
import Synchronization

/// Serves the in-memory stub over RESP2 (RESP3 after `HELLO 3`) on a loopback TCP port or a
/// unix socket, so that any client in any language can use it through a plain `REDIS_URL`.
///
/// Like Redis, one event-loop thread serves every connection (poll, non-blocking sockets), so
/// pipelining clients are not slowed by threads handing a lock around. A blocking command
/// (`BLPOP`, `BZPOPMIN`, `XREAD ... BLOCK`, ...) that finds nothing parks its client in the
/// loop, as Redis does: the loop tries the parked clients again, oldest first, after each
/// command that made a key grow, or answers null at the timeout, and a client that hangs up
/// while parked is dropped without its command ever running. No thread per client, so a
/// crowd of abandoned readers costs a socket each and nothing more. Each connection keeps its
/// own session (`SELECT`, `MULTI`, `CLIENT SETNAME`).
public final class StubServer: Sendable {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    public let store: StubStore
    public let endpoint: Endpoint
    let listener: Int32
    /// When set, clients must `AUTH` with it first, as with `requirepass`.
    let password: [UInt8]?
    private let stopping = Atomic<Bool>(false)

    /// Binds and listens; port 0 picks a free port (see ``endpoint``).
    public init(endpoint: Endpoint, store: StubStore = StubStore(), password: [UInt8]? = nil) throws(StubServerError) {
        self.store = store
        self.password = password
        if let password { store.requireDefaultPassword(password) }
        (listener, self.endpoint) = try Self.listen(on: endpoint)
    }

    public func stop() {
        stopping.store(true, ordering: .releasing)
    }

    /// Serves until ``stop()`` is called or `shouldStop` answers true, then closes everything.
    public func run(until shouldStop: @escaping @Sendable () -> Bool = { false }) {
        setNonBlocking(listener)
        let loop = ServerLoop(store: store)
        let clock = ContinuousClock()
        while !stopping.load(ordering: .acquiring) && !shouldStop() {
            // poll(2) over the listener and every connection: a stub serves tens of clients,
            // where rebuilding the set each turn costs less than a syscall. Parked clients are
            // watched too: their hang-up must free them.
            var watched = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            watched += loop.connections.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let wait = loop.nearestDeadline.map { max(0, min(100, Int32((($0 - clock.now) / .milliseconds(1)).rounded(.up)))) } ?? 100
            if poll(&watched, nfds_t(watched.count), wait) > 0 {
                for entry in watched where entry.revents != 0 {
                    if entry.fd == listener {
                        acceptAll(into: loop)
                    } else if let connection = loop.connections[entry.fd], !connection.serveReadable(now: clock.now) {
                        loop.drop(connection)
                    }
                }
            }
            // Another process's client of the same store may have written; timeouts ran out.
            loop.serveParked(now: clock.now)
            loop.expireParked(now: clock.now)
            store.sendBroadcastInvalidations()
            loop.deliverMessages()
            loop.applyInterventions(now: clock.now)
            loop.sendReplies()
        }
        close(listener)
        if case .unix(let path) = endpoint { unlink(path) }
        for fd in loop.connections.keys { close(fd) }
    }

    private func acceptAll(into loop: ServerLoop) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            if case .tcp = endpoint {
                var on: Int32 = 1
                setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            }
            setNonBlocking(client)
            let session = InMemoryRedis(store: store)
            session.recordsTransactions = true
            session.writesRESP3 = true
            session.setConnection(peer: socketAddress(client, peer: true), local: socketAddress(client, peer: false), fd: client)
            loop.connections[client] = ClientConnection(fd: client, session: session, loop: loop, password: password)
        }
    }
}

/// The event loop's state: the connections, and the parked clients in the order they blocked,
/// which is the order Redis serves them in.
final class ServerLoop {
    let store: StubStore
    var connections: [Int32: ClientConnection] = [:]
    private(set) var parked: [ClientConnection] = []
    private var seenGrowth: Int
    private var seenDeliveries: Int
    /// Set while parked clients are being served: a write made by one of them is seen by the
    /// serving loop's next pass, not by a nested one.
    private var serving = false
    /// The connections with replies not sent yet: they go out together once the turn's
    /// commands have run, as Redis writes in its before-sleep step. A client that is woken
    /// once per turn instead of once per reply costs the kernel far less (on a VM each
    /// wake-up of a sleeping reader is an interrupt to another core).
    private var replying: [ClientConnection] = []

    init(store: StubStore) {
        self.store = store
        seenGrowth = store.keyGrowthCount
        seenDeliveries = store.deliveryCount
    }

    var hasParked: Bool { !parked.isEmpty }

    var nearestDeadline: ContinuousClock.Instant? {
        parked.lazy.compactMap(\.blockDeadline).min()
    }

    func park(_ connection: ClientConnection) {
        parked.append(connection)
    }

    func unpark(_ connection: ClientConnection) {
        parked.removeAll { $0 === connection }
    }

    func drop(_ connection: ClientConnection) {
        // What it was answered before it ended (QUIT's OK, a protocol error) still goes out.
        _ = connection.sendUnsent()
        close(connection.fd)
        connections[connection.fd] = nil
        unpark(connection)
    }

    func willReply(_ connection: ClientConnection) {
        replying.append(connection)
    }

    /// Sends every connection's replies; one that cannot take them is dropped.
    func sendReplies() {
        let connections = replying
        replying = []
        for connection in connections where !connection.sendUnsent() && self.connections[connection.fd] === connection {
            drop(connection)
        }
    }

    /// Tries the parked clients again, oldest first, for as long as keys keep growing: Redis
    /// serves blocked clients after each command that made a key ready.
    func serveParked(now: ContinuousClock.Instant) {
        guard !serving, !parked.isEmpty else { return }
        serving = true
        defer { serving = false }
        while !parked.isEmpty && store.keyGrowthCount != seenGrowth {
            seenGrowth = store.keyGrowthCount
            // A killed client takes nothing, though its connection closes only at the turn's end.
            for connection in parked where connection.isBlocked && !connection.isKilled && !connection.retryBlocked(now: now) {
                drop(connection)
            }
        }
    }

    /// Queues every subscriber's waiting messages once a PUBLISH reached anyone. The client
    /// whose commands are running is skipped: its mail goes out with its replies.
    func deliverMessages(skipping running: ClientConnection? = nil) {
        guard store.deliveryCount != seenDeliveries else { return }
        seenDeliveries = store.deliveryCount
        for connection in connections.values where connection !== running && connection.hasMail {
            connection.deliverMail()
        }
    }

    private var seenInterventions = 0

    /// CLIENT KILL and CLIENT UNBLOCK, sent by any session: killed connections close (after
    /// what they are owed), unblocked parked clients answer as at their timeout, or with
    /// Redis's error.
    /// The client whose commands are running closes itself once answered (``ClientConnection``).
    func applyInterventions(now: ContinuousClock.Instant, skipping running: ClientConnection? = nil) {
        guard store.clientInterventions != seenInterventions else { return }
        seenInterventions = store.clientInterventions
        for connection in connections.values where connection.isKilled && connection !== running { drop(connection) }
        for connection in parked where connection.unblockRequested && !connection.answerUnblock(now: now) { drop(connection) }
    }

    /// Answers null to the parked clients whose time is up.
    func expireParked(now: ContinuousClock.Instant) {
        for connection in parked where (connection.blockDeadline.map { $0 <= now } ?? false) && !connection.timeOut(now: now) {
            drop(connection)
        }
    }
}

/// One client's socket, request reader and session, and the commands it sent while parked.
final class ClientConnection: @unchecked Sendable {
    let fd: Int32
    private let session: InMemoryRedis
    private unowned let loop: ServerLoop
    private let requests = RequestReader()
    private var input = [UInt8](repeating: 0, count: 64 * 1024)
    /// Replies waiting for the end of the loop's turn (``ServerLoop/sendReplies()``).
    private var unsent: [UInt8] = []
    /// Received, not yet run: what follows a parked command waits for it, in order.
    private var queued: [RedisCommandArgv] = []
    /// A protocol problem or `QUIT` (""): the connection ends once everything before it is answered.
    private var ending: String?
    /// The parked command, how to try it again, and when to give up on it (nil: never).
    private var blocked: (command: RedisCommandArgv, block: StubBlock, deadline: ContinuousClock.Instant?)?
    /// nil once authenticated, or when the server asks for no password.
    private var passwordToPass: [UInt8]?

    init(fd: Int32, session: InMemoryRedis, loop: ServerLoop, password: [UInt8]? = nil) {
        self.fd = fd
        self.session = session
        self.loop = loop
        passwordToPass = password
    }

    var isBlocked: Bool { blocked != nil }
    var isKilled: Bool { session.clientInfo.killed }
    var unblockRequested: Bool { session.clientInfo.unblock != nil }

    /// CLIENT UNBLOCK reached this parked client: null as at its timeout, or Redis's error.
    func answerUnblock(now: ContinuousClock.Instant) -> Bool {
        let error = session.clientInfo.unblock == .error
        let reply = error ? "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n" : nullArray
        let written = blocked.map { replyWritten(error ? .error("UNBLOCKED") : .null, answering: $0.command) } ?? true
        return resume(writing: written ? Array(reply.utf8) : [], now: now)
    }
    var blockDeadline: ContinuousClock.Instant? { blocked?.deadline }

    /// Reads what arrived and answers what can be answered. False when the connection is done.
    func serveReadable(now: ContinuousClock.Instant) -> Bool {
        let (readAnything, peerClosed) = readAvailable()
        // A parked client that hangs up is dropped: its command never runs, as in Redis.
        if peerClosed && (blocked != nil || !readAnything) { return false }
        takeCommands()
        if blocked != nil { return true }
        // A client that killed itself (CLIENT KILL ... SKIPME no) closes once answered.
        return runQueued(now: now) && !peerClosed && !isKilled
    }

    /// Runs the parked command again: when it finds something, answers and goes on with what
    /// the client sent meanwhile. False when the connection is to be closed.
    func retryBlocked(now: ContinuousClock.Instant) -> Bool {
        guard let parked = blocked, let reply = session.retry(parked.command, parked.block) else { return true }
        var output: [UInt8] = []
        write(reply, answering: parked.command, into: &output)
        return resume(writing: output, now: now)
    }

    /// The parked command's time is up: it answers a null array, as every blocking command
    /// does in Redis at its timeout (RESP2's `*-1`, which ``RedisValue`` does not tell apart).
    func timeOut(now: ContinuousClock.Instant) -> Bool {
        let written = blocked.map { replyWritten(.null, answering: $0.command) } ?? true
        return resume(writing: written ? Array(nullArray.utf8) : [], now: now)
    }

    /// RESP2's null array, or RESP3's one null.
    private var nullArray: String { session.protocolVersion == 3 ? "_\r\n" : "*-1\r\n" }

    private func resume(writing reply: [UInt8], now: ContinuousClock.Instant) -> Bool {
        blocked = nil
        session.setBlocked(false)
        loop.unpark(self)
        sendLater(reply)
        return runQueued(now: now) && !isKilled
    }
    /// Reads what the socket holds: whether anything came, and whether the client hung up.
    private func readAvailable() -> (readAnything: Bool, peerClosed: Bool) {
        var readAnything = false
        while true {
            let count = input.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                requests.feed(input[0..<count])
                readAnything = true
                if count < input.count { return (true, false) }
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return (readAnything, false)
            } else {
                return (readAnything, true)
            }
        }
    }

    /// Moves every complete command from the reader to the queue.
    private func takeCommands() {
        while ending == nil {
            switch requests.next() {
            case .needMore:
                return
            case .protocolError(let message):
                ending = message
            case .command(let command):
                queued.append(command)
                if command.count == 1, command[0].count == 4, lowercasedCommandName(command[0]) == "quit" { ending = "" }
            }
        }
    }

    /// Runs the queue: plain commands as one pipeline, up to a blocking read that finds
    /// nothing, which parks the client. False when the connection is to be closed.
    private func runQueued(now: ContinuousClock.Instant) -> Bool {
        var output: [UInt8] = []
        while let password = passwordToPass, !queued.isEmpty {
            // HELLO's AUTH runs HELLO itself once the password passes.
            guard let refusal = authenticate(queued[0], password: password) else { break }
            queued.removeFirst()
            RESPEncoder.encode(refusal, into: &output)
        }
        while !queued.isEmpty {
            // While clients are parked, each command runs alone and they are tried after it,
            // as Redis serves the keys a command made ready before it runs the next; a
            // subscribed client's too, each reply followed by its mail.
            let alone = loop.hasParked || session.subscriber.isSubscribed || session.isTracking
            let plain = alone ? 0 : queued.firstIndex(where: InMemoryRedis.runsAlone) ?? queued.count
            if plain > 0 {
                // The usual case is the whole queue: hand it over without copying.
                let batch: [RedisCommandArgv]
                if plain == queued.count {
                    batch = queued
                    queued = []
                } else {
                    batch = Array(queued[..<plain])
                    queued.removeFirst(plain)
                }
                let replies = (try? session.pipeline(batch)) ?? batch.map { _ in .error("ERR internal error") }
                for (command, reply) in zip(batch, replies) { write(reply, answering: command, into: &output) }
                loop.deliverMessages(skipping: self)
                continue
            }
            let command = queued.removeFirst()
            switch session.attempt(command) {
            case .reply(let reply):
                // A (un)subscribe's further confirmations follow its reply; anything else's
                // mail (in RESP3, a PUBLISH to the session's own channel) goes before it, as
                // Redis delivers a message as it is published.
                if !InMemoryRedis.changesSubscriptions(command) { writeMail(into: &output, beforeReply: true) }
                write(reply, answering: command, into: &output)
                // Confirmations, and what the command's own writes invalidated.
                writeMail(into: &output)
                // As Redis frees a killed client and answers an unblocked one at once.
                loop.applyInterventions(now: now, skipping: self)
                loop.serveParked(now: now)
                loop.deliverMessages(skipping: self)
                continue
            case .blocked(let block):
                blocked = (command, block, block.milliseconds == 0 ? nil : now.advanced(by: .milliseconds(block.milliseconds)))
                session.setBlocked(true)
                loop.park(self)
                sendLater(output)
                return true
            }
        }
        if let ending, !ending.isEmpty { RESPEncoder.encode(.error("ERR Protocol error: \(ending)"), into: &output) }
        sendLater(output)
        return ending == nil
    }

    /// CLIENT REPLY's flags: OFF writes no reply, SKIP none to the next command (pushes and
    /// messages go out either way).
    private var replyFlags = (off: false, skip: false, skipNext: false)

    /// A command's reply, unless CLIENT REPLY holds it back.
    private func write(_ reply: RedisValue, answering command: RedisCommandArgv, into output: inout [UInt8]) {
        if replyWritten(reply, answering: command) { encode(reply, answering: command, into: &output) }
    }

    /// Whether the reply goes out, as Redis's `CLIENT_REPLY_OFF`/`SKIP` flags decide, moving
    /// SKIP on to the next command as Redis does when a command ends.
    private func replyWritten(_ reply: RedisValue, answering command: RedisCommandArgv) -> Bool {
        var silent = false
        if reply.errorMessage == nil, command.count == 3, command[0].count == 6, lowercasedCommandName(command[0]) == "client",
           lowercasedCommandName(command[1]) == "reply" {
            switch lowercasedCommandName(command[2]) {
            case "on": replyFlags.off = false; replyFlags.skip = false
            case "off": replyFlags.off = true; silent = true
            default: replyFlags.skipNext = !replyFlags.off; silent = true
            }
        }
        let written = !silent && !replyFlags.off && !replyFlags.skip
        replyFlags.skip = replyFlags.skipNext
        replyFlags.skipNext = false
        return written
    }

    /// RESP2, where Redis's "no answer" is a null array (`*-1`) for the commands that answer
    /// arrays (``InMemoryRedis/answersNullArray(_:)``), inside EXEC's reply too; ``RedisValue``
    /// has one null for both. RESP3 after `HELLO 3`: typed by ``Resp3Shape``, and a
    /// subscription's confirmation is a push, as its messages are.
    private func encode(_ reply: RedisValue, answering command: RedisCommandArgv, into output: inout [UInt8]) {
        if session.protocolVersion == 3 {
            if case .array(let replies) = reply, command.count == 1, command[0].count == 4, lowercasedCommandName(command[0]) == "exec",
               let transaction = session.takeExecutedTransaction(), transaction.count == replies.count {
                output += Array("*\(replies.count)\r\n".utf8)
                for (queued, reply) in zip(transaction, replies) { encode(reply, answering: queued, into: &output) }
                return
            }
            let push = InMemoryRedis.changesSubscriptions(command) && reply.errorMessage == nil
            // A script's result keeps the RESP3 types it was given in Lua.
            let script = reply.errorMessage == nil && InMemoryRedis.runsScript(command) ? session.takeScriptReply() : nil
            (script ?? Resp3Shape.convert(command, reply)).write(into: &output, push: push)
            return
        }
        switch reply {
        case .null where InMemoryRedis.answersNullArray(command):
            output += Array("*-1\r\n".utf8)
        case .array(let replies) where command.count == 1 && command[0].count == 4 && lowercasedCommandName(command[0]) == "exec":
            guard let transaction = session.takeExecutedTransaction(), transaction.count == replies.count else { fallthrough }
            output += Array("*\(replies.count)\r\n".utf8)
            for (queued, reply) in zip(transaction, replies) { encode(reply, answering: queued, into: &output) }
        case .array(let replies) where command.count > 2 && command[0].count == 6 && lowercasedCommandName(command[0]) == "geopos":
            // GEOPOS's missing members are null arrays.
            output += Array("*\(replies.count)\r\n".utf8)
            for reply in replies {
                if reply == .null { output += Array("*-1\r\n".utf8) } else { RESPEncoder.encode(reply, into: &output) }
            }
        default:
            RESPEncoder.encode(reply, into: &output)
        }
    }

    /// Queues what waits in the session's mailbox (messages published by other clients).
    func deliverMail() {
        var output: [UInt8] = []
        writeMail(into: &output)
        sendLater(output)
    }

    /// The session's messages and further confirmations: arrays in RESP2, pushes in RESP3.
    private func writeMail(into output: inout [UInt8], beforeReply: Bool = false) {
        for message in session.subscriber.takeMail(beforeReply: beforeReply) {
            if session.protocolVersion == 3 {
                Resp3Shape.plain(message).write(into: &output, push: true)
            } else {
                RESPEncoder.encode(message, into: &output)
            }
        }
    }

    var hasMail: Bool { session.subscriber.hasMail }

    /// Before a successful `AUTH` only `AUTH`, `HELLO ... AUTH` and `QUIT` run, with Redis's
    /// replies; nil when the command is a HELLO whose password passed, to run as it is.
    private func authenticate(_ command: RedisCommandArgv, password: [UInt8]) -> RedisValue? {
        let name = command.first.map(lowercasedCommandName) ?? ""
        if name == "quit" { return .simpleString("OK") }
        if name == "hello" {
            guard let auth = command.lastIndex(where: { $0.count == 4 && lowercasedCommandName($0) == "auth" }), auth >= 2, auth + 2 < command.count else {
                return .error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
            }
            guard command[auth + 1] == Array("default".utf8), command[auth + 2] == password else {
                return .error("WRONGPASS invalid username-password pair or user is disabled.")
            }
            passwordToPass = nil
            session.authenticatedByServer(password: password)
            return nil
        }
        guard name == "auth" else { return .error("NOAUTH Authentication required.") }
        guard command.count == 2 || command.count == 3 else { return .error("ERR wrong number of arguments for 'auth' command") }
        if command.count == 3 && command[1] != Array("default".utf8) || command.last! != password {
            return .error("WRONGPASS invalid username-password pair or user is disabled.")
        }
        passwordToPass = nil
        session.authenticatedByServer(password: password)
        return .simpleString("OK")
    }

    /// Queues bytes for the turn's end.
    private func sendLater(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        if unsent.isEmpty {
            loop.willReply(self)
            unsent = bytes
        } else {
            unsent += bytes
        }
    }

    /// Writes everything queued, waiting for room on a non-blocking socket if the client reads
    /// slowly. False when the client cannot take it.
    func sendUnsent() -> Bool {
        defer { unsent = [] }
        return writeAll(unsent)
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                offset += written
            } else if written < 0 && (errno == EINTR) {
                continue
            } else if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                var waiter = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                guard poll(&waiter, 1, 5000) > 0 else { return false }
            } else {
                return false
            }
        }
        return true
    }
}

/// `ip:port` of either end of a connected socket, as CLIENT LIST shows it (a unix socket's
/// path and 0).
func socketAddress(_ fd: Int32, peer: Bool) -> String {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let found = withUnsafeMutablePointer(to: &storage) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { peer ? getpeername(fd, $0, &length) == 0 : getsockname(fd, $0, &length) == 0 }
    }
    guard found else { return "" }
    switch Int32(storage.ss_family) {
    case AF_INET:
        return withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                var raw = address.pointee.sin_addr
                inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
                return "\(String(cString: text)):\(UInt16(bigEndian: address.pointee.sin_port))"
            }
        }
    case AF_UNIX:
        return withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { address in
                var path = address.pointee.sun_path
                return withUnsafeBytes(of: &path) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } + ":0"
            }
        }
    default:
        return ""
    }
}

func setNonBlocking(_ fd: Int32) {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
}
