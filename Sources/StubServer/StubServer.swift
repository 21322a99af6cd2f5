#if canImport(Glibc)
import Glibc
#endif
import RedisFactory
import Synchronization

/// Serves the in-memory stub over RESP2 on a loopback TCP port or a unix socket, so that any
/// client in any language can use it through a plain `REDIS_URL`.
///
/// Like Redis, one event-loop thread serves every connection (poll, non-blocking sockets), so
/// pipelining clients are not slowed by threads handing a lock around. A connection that sends
/// a blocking read (`XREADGROUP ... BLOCK`) moves to a thread of its own for the rest of its
/// life, so it waits without stalling the others. Each connection keeps its own session
/// (`SELECT`, `MULTI`, `CLIENT SETNAME`).
public final class StubServer: Sendable {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    public let store: StubStore
    public let endpoint: Endpoint
    let listener: Int32
    /// Connections handed to their own threads, so shutdown can close them.
    private let threadedConnections = Mutex<Set<Int32>>([])
    private let stopping = Atomic<Bool>(false)

    /// Binds and listens; port 0 picks a free port (see ``endpoint``).
    public init(endpoint: Endpoint, store: StubStore = StubStore()) throws(StubServerError) {
        self.store = store
        (listener, self.endpoint) = try Self.listen(on: endpoint)
    }

    public func stop() {
        stopping.store(true, ordering: .releasing)
    }

    /// Serves until ``stop()`` is called or `shouldStop` answers true, then closes everything.
    public func run(until shouldStop: @escaping @Sendable () -> Bool = { false }) {
        setNonBlocking(listener)
        var connections: [Int32: ClientConnection] = [:]
        while !stopping.load(ordering: .acquiring) && !shouldStop() {
            // poll(2) over the listener and every connection: a stub serves tens of clients,
            // where rebuilding the set each turn costs less than a syscall.
            var watched = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            watched += connections.keys.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&watched, nfds_t(watched.count), 100) > 0 else { continue }
            for entry in watched where entry.revents != 0 {
                if entry.fd == listener {
                    acceptAll(into: &connections)
                } else if let connection = connections[entry.fd] {
                    switch serveReady(connection) {
                    case .open: continue
                    case .closed: close(entry.fd)
                    case .handedOff: break
                    }
                    connections[entry.fd] = nil
                }
            }
        }
        close(listener)
        if case .unix(let path) = endpoint { unlink(path) }
        for fd in connections.keys { close(fd) }
        threadedConnections.withLock { clients in
            for client in clients { Glibc.shutdown(client, Int32(SHUT_RDWR)) }
        }
        for _ in 0..<100 where !threadedConnections.withLock({ $0.isEmpty }) { usleep(10_000) }
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
            connections[client] = ClientConnection(fd: client, session: InMemoryRedis(store: store))
        }
    }

    private enum State { case open, closed, handedOff }

    /// Reads what is there, answers every complete command, writes the replies.
    private func serveReady(_ connection: ClientConnection) -> State {
        guard connection.readAvailable() else { return .closed }
        let (commands, problem) = connection.takeCommands()
        if let blocking = commands.firstIndex(where: ClientConnection.mayBlock) {
            guard connection.respond(to: Array(commands[..<blocking]), problem: nil) else { return .closed }
            handOff(connection, starting: Array(commands[blocking...]), problem: problem)
            return .handedOff
        }
        return connection.respond(to: commands, problem: problem) && !connection.peerClosed ? .open : .closed
    }

    /// Moves a connection to its own thread, where a blocking read may wait.
    private func handOff(_ connection: ClientConnection, starting commands: [RedisCommandArgv], problem: String?) {
        setBlocking(connection.fd)
        threadedConnections.withLock { _ = $0.insert(connection.fd) }
        startThread { [self] in
            if connection.respond(to: commands, problem: problem) {
                while connection.readAvailable() {
                    let (more, trouble) = connection.takeCommands()
                    guard connection.respond(to: more, problem: trouble) else { break }
                }
            }
            threadedConnections.withLock { _ = $0.remove(connection.fd) }
            close(connection.fd)
        }
    }

}

/// One client's socket, request reader and session.
final class ClientConnection: @unchecked Sendable {
    let fd: Int32
    private let session: InMemoryRedis
    private let requests = RequestReader()
    private var input = [UInt8](repeating: 0, count: 64 * 1024)

    init(fd: Int32, session: InMemoryRedis) {
        self.fd = fd
        self.session = session
    }

    /// Set once the client closed its end; what it sent before is still answered.
    private(set) var peerClosed = false

    /// Reads what the socket holds (a blocking socket: waits for at least one read). False when
    /// nothing more will come.
    func readAvailable() -> Bool {
        var readAnything = false
        while true {
            let count = input.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                requests.feed(input[0..<count])
                readAnything = true
                if count < input.count || isBlocking { return true }
            } else if count < 0 && errno == EINTR {
                continue
            } else if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return true
            } else {
                peerClosed = true
                return readAnything
            }
        }
    }

    private var isBlocking: Bool { fcntl(fd, F_GETFL) & O_NONBLOCK == 0 }

    /// Every complete command received, and a protocol problem or `QUIT` ("") that ends the
    /// connection after the replies.
    func takeCommands() -> ([RedisCommandArgv], String?) {
        var commands: [RedisCommandArgv] = []
        while true {
            switch requests.next() {
            case .needMore:
                return (commands, nil)
            case .protocolError(let message):
                return (commands, message)
            case .command(let command):
                commands.append(command)
                if command.count == 1, command[0].count == 4, lowercasedCommandName(command[0]) == "quit" {
                    return (commands, "")
                }
            }
        }
    }

    /// Runs the commands as one pipeline and writes every reply. False when the connection is
    /// to be closed (a protocol error, `QUIT`, or a failed write).
    func respond(to commands: [RedisCommandArgv], problem: String?) -> Bool {
        var output: [UInt8] = []
        let replies = (try? session.pipeline(commands)) ?? commands.map { _ in .error("ERR internal error") }
        for reply in replies { RESPEncoder.encode(reply, into: &output) }
        if let problem, !problem.isEmpty { RESPEncoder.encode(.error("ERR Protocol error: \(problem)"), into: &output) }
        return writeAll(output) && problem == nil
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

    /// `XREADGROUP ... BLOCK ms` may wait for another client's XADD.
    static func mayBlock(_ command: RedisCommandArgv) -> Bool {
        guard command.count > 3, lowercasedCommandName(command[0]) == "xreadgroup" else { return false }
        return command.contains { $0.count == 5 && String(decoding: $0, as: UTF8.self).uppercased() == "BLOCK" }
    }
}

func setNonBlocking(_ fd: Int32) {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
}

func setBlocking(_ fd: Int32) {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
}

/// A detached pthread running `body`; a connection waiting in a blocking read must not hold a
/// thread of Dispatch's or Swift concurrency's shared pools.
func startThread(_ body: @escaping @Sendable () -> Void) {
    final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let started = pthread_create(&thread, nil, { raw in
        let box = Unmanaged<AnyObject>.fromOpaque(raw!).takeRetainedValue() as! Box
        box.body()
        return nil
    }, context)
    if started == 0 {
        pthread_detach(thread)
    } else {
        Unmanaged<AnyObject>.fromOpaque(context).release()
    }
}
