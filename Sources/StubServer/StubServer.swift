#if canImport(Glibc)
import Glibc
#endif
import RedisClientCore
import RedisStub
import Synchronization

/// Serves the in-memory stub over RESP2 on a loopback TCP port or a unix socket, so that any
/// client in any language can use it through a plain `REDIS_URL`.
///
/// Like Redis, one event-loop thread serves every connection (poll, non-blocking sockets), so
/// pipelining clients are not slowed by threads handing a lock around. A blocking read
/// (`XREADGROUP ... BLOCK`) that finds nothing parks its client in the loop, as Redis does: the
/// loop asks again when a stream has grown or answers null at the timeout, and a client that
/// hangs up while parked is dropped without its read ever running. No thread per client, so a
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
        (listener, self.endpoint) = try Self.listen(on: endpoint)
    }

    public func stop() {
        stopping.store(true, ordering: .releasing)
    }

    /// Serves until ``stop()`` is called or `shouldStop` answers true, then closes everything.
    public func run(until shouldStop: @escaping @Sendable () -> Bool = { false }) {
        setNonBlocking(listener)
        var connections: [Int32: ClientConnection] = [:]
        let clock = ContinuousClock()
        while !stopping.load(ordering: .acquiring) && !shouldStop() {
            // poll(2) over the listener and every connection: a stub serves tens of clients,
            // where rebuilding the set each turn costs less than a syscall. Parked readers are
            // watched too: their hang-up must free them.
            var watched = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            watched += connections.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            // One pass, no allocation: is anyone parked, and whose timeout comes first.
            var parked = false
            var nearest: ContinuousClock.Instant?
            for connection in connections.values where connection.isBlocked {
                parked = true
                if let deadline = connection.blockDeadline, nearest.map({ deadline < $0 }) ?? true { nearest = deadline }
            }
            let wait = nearest.map { max(0, min(100, Int32((($0 - clock.now) / .milliseconds(1)).rounded(.up)))) } ?? 100
            if poll(&watched, nfds_t(watched.count), wait) > 0 {
                for entry in watched where entry.revents != 0 {
                    if entry.fd == listener {
                        acceptAll(into: &connections)
                    } else if let connection = connections[entry.fd], !connection.serveReadable(now: clock.now) {
                        close(entry.fd)
                        connections[entry.fd] = nil
                    }
                }
            }
            // Parked readers: a stream grew (any client's XADD above), or a timeout ran out.
            guard parked else { continue }
            let writes = store.streamWriteCount
            for (fd, connection) in connections where connection.isBlocked && !connection.retryBlocked(streamWrites: writes, now: clock.now) {
                close(fd)
                connections[fd] = nil
            }
        }
        close(listener)
        if case .unix(let path) = endpoint { unlink(path) }
        for fd in connections.keys { close(fd) }
    }

    private func acceptAll(into connections: inout [Int32: ClientConnection]) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            if case .tcp = endpoint {
                var on: Int32 = 1
                setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            }
            setNonBlocking(client)
            connections[client] = ClientConnection(fd: client, session: InMemoryRedis(store: store), password: password)
        }
    }
}

/// One client's socket, request reader and session, and the commands it sent while parked.
final class ClientConnection: @unchecked Sendable {
    let fd: Int32
    private let session: InMemoryRedis
    private let requests = RequestReader()
    private var input = [UInt8](repeating: 0, count: 64 * 1024)
    /// Received, not yet run: what follows a parked read waits for it, in order.
    private var queued: [RedisCommandArgv] = []
    /// A protocol problem or `QUIT` (""): the connection ends once everything before it is answered.
    private var ending: String?
    /// The parked read, when to give up on it (nil: never), and the stream writes it has seen.
    private var blocked: (command: RedisCommandArgv, deadline: ContinuousClock.Instant?, seen: Int)?
    /// nil once authenticated, or when the server asks for no password.
    private var passwordToPass: [UInt8]?

    init(fd: Int32, session: InMemoryRedis, password: [UInt8]? = nil) {
        self.fd = fd
        self.session = session
        passwordToPass = password
    }

    var isBlocked: Bool { blocked != nil }
    var blockDeadline: ContinuousClock.Instant? { blocked?.deadline }

    /// Reads what arrived and answers what can be answered. False when the connection is done.
    func serveReadable(now: ContinuousClock.Instant) -> Bool {
        let (readAnything, peerClosed) = readAvailable()
        // A parked client that hangs up is dropped: its read never runs, as in Redis.
        if peerClosed && (blocked != nil || !readAnything) { return false }
        takeCommands()
        if blocked != nil { return true }
        return runQueued(now: now) && !peerClosed
    }

    /// Asks the parked read again when a stream grew, or answers null when its time is up.
    func retryBlocked(streamWrites: Int, now: ContinuousClock.Instant) -> Bool {
        guard let parked = blocked else { return true }
        var output: [UInt8] = []
        if streamWrites != parked.seen {
            blocked?.seen = streamWrites
            if let reply = session.attempt(parked.command).reply {
                blocked = nil
                RESPEncoder.encode(reply, into: &output)
            }
        }
        if let deadline = blocked?.deadline, now >= deadline {
            blocked = nil
            RESPEncoder.encode(.null, into: &output)
        }
        guard blocked == nil else { return true }
        return writeAll(output) && runQueued(now: now)
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
            RESPEncoder.encode(authenticate(queued.removeFirst(), password: password), into: &output)
        }
        while !queued.isEmpty {
            let plain = queued.firstIndex(where: InMemoryRedis.mayBlock) ?? queued.count
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
                for reply in replies { RESPEncoder.encode(reply, into: &output) }
                continue
            }
            let command = queued.removeFirst()
            let (reply, block) = session.attempt(command)
            if let reply {
                RESPEncoder.encode(reply, into: &output)
                continue
            }
            let deadline = (block ?? 0) == 0 ? nil : now.advanced(by: .milliseconds(block!))
            blocked = (command, deadline, session.store.streamWriteCount)
            return writeAll(output)
        }
        if let ending, !ending.isEmpty { RESPEncoder.encode(.error("ERR Protocol error: \(ending)"), into: &output) }
        return writeAll(output) && ending == nil
    }

    /// Before a successful `AUTH` only `AUTH` and `QUIT` run, with Redis's replies.
    private func authenticate(_ command: RedisCommandArgv, password: [UInt8]) -> RedisValue {
        let name = command.first.map(lowercasedCommandName) ?? ""
        if name == "quit" { return .simpleString("OK") }
        guard name == "auth" else { return .error("NOAUTH Authentication required.") }
        guard command.count == 2 || command.count == 3 else { return .error("ERR wrong number of arguments for 'auth' command") }
        if command.count == 3 && command[1] != Array("default".utf8) || command.last! != password {
            return .error("WRONGPASS invalid username-password pair or user is disabled.")
        }
        passwordToPass = nil
        return .simpleString("OK")
    }

    /// Writes everything, waiting for room on a non-blocking socket if the client reads slowly.
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

func setNonBlocking(_ fd: Int32) {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
}
