#if canImport(Glibc)
import Glibc
#endif
import RedisFactory
import Synchronization

/// Serves the in-memory stub over RESP2 on a loopback TCP port or a unix socket, so that any
/// client in any language can use it through a plain `REDIS_URL`. One thread per connection;
/// each connection has its own session (`SELECT`, `MULTI`, `CLIENT SETNAME`, a blocked read).
public final class StubServer: Sendable {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
    }

    public let store: StubStore
    public let endpoint: Endpoint
    private let listener: Int32
    private let connections = Mutex<Set<Int32>>([])
    private let stopping = Atomic<Bool>(false)

    /// Binds and listens; port 0 picks a free port (see ``endpoint``).
    public init(endpoint: Endpoint, store: StubStore = StubStore()) throws(StubServerError) {
        self.store = store
        (listener, self.endpoint) = try Self.listen(on: endpoint)
    }

    /// Accepts connections until ``stop()`` is called or `shouldStop` answers true.
    public func run(until shouldStop: @escaping @Sendable () -> Bool = { false }) {
        var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        while !stopping.load(ordering: .acquiring) && !shouldStop() {
            guard poll(&poller, 1, 100) > 0 else { continue }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { continue }
            if case .tcp = endpoint {
                var on: Int32 = 1
                setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            }
            connections.withLock { _ = $0.insert(client) }
            startThread { [self] in
                serve(client)
                connections.withLock { _ = $0.remove(client) }
                close(client)
            }
        }
        shutdownAll()
    }

    public func stop() {
        stopping.store(true, ordering: .releasing)
    }

    /// Closes the listener and every connection; removes the unix socket file.
    private func shutdownAll() {
        close(listener)
        if case .unix(let path) = endpoint { unlink(path) }
        connections.withLock { clients in
            for client in clients { Glibc.shutdown(client, Int32(SHUT_RDWR)) }
        }
        // Give the connection threads a moment to see their sockets closed.
        for _ in 0..<100 where !connections.withLock({ $0.isEmpty }) { usleep(10_000) }
    }

    private func serve(_ client: Int32) {
        let session = InMemoryRedis(store: store)
        let requests = RequestReader()
        var input = [UInt8](repeating: 0, count: 64 * 1024)
        var output: [UInt8] = []
        while true {
            let count = input.withUnsafeMutableBytes { read(client, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            requests.feed(input[0..<count])
            // Every complete command in this read runs as one pipeline, then one write.
            var commands: [RedisCommandArgv] = []
            var problem: String?
            reading: while true {
                switch requests.next() {
                case .needMore:
                    break reading
                case .protocolError(let message):
                    problem = message
                    break reading
                case .command(let command):
                    commands.append(command)
                    if command.count == 1, command[0].count == 4, String(decoding: command[0], as: UTF8.self).lowercased() == "quit" {
                        problem = ""
                        break reading
                    }
                }
            }
            let replies = (try? session.pipeline(commands)) ?? commands.map { _ in .error("ERR internal error") }
            for reply in replies { RESPEncoder.encode(reply, into: &output) }
            if let problem, !problem.isEmpty { RESPEncoder.encode(.error("ERR Protocol error: \(problem)"), into: &output) }
            let closing = problem != nil
            guard writeAll(client, output) else { return }
            output.removeAll(keepingCapacity: true)
            if closing { return }
        }
    }

    private func writeAll(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(client, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    private static func listen(on endpoint: Endpoint) throws(StubServerError) -> (Int32, Endpoint) {
        switch endpoint {
        case .tcp(let host, let port):
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw .init("socket: \(String(cString: strerror(errno)))") }
            var on: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
                close(fd)
                throw .init("'\(host)' is not an IPv4 address to bind")
            }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(fd, pointer, length) == 0 && Glibc.listen(fd, 511) == 0 && getsockname(fd, pointer, &length) == 0
                }
            }
            guard bound else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw .init("cannot listen on \(host):\(port): \(reason)")
            }
            return (fd, .tcp(host: host, port: Int(UInt16(bigEndian: address.sin_port))))
        case .unix(let path):
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw .init("socket: \(String(cString: strerror(errno)))") }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let capacity = MemoryLayout.size(ofValue: address.sun_path)
            guard path.utf8.count < capacity else {
                close(fd)
                throw .init("unix socket path is longer than \(capacity - 1) bytes")
            }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: path.utf8)
                raw[path.utf8.count] = 0
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 && Glibc.listen(fd, 511) == 0
                }
            }
            guard bound else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw .init("cannot listen on \(path): \(reason)")
            }
            chmod(path, 0o700)
            return (fd, endpoint)
        }
    }
}

public struct StubServerError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A detached pthread running `body`; connection threads block in read(2), which would starve
/// Dispatch's or Swift concurrency's shared pools.
private func startThread(_ body: @escaping @Sendable () -> Void) {
    final class Box { let body: @Sendable () -> Void; init(_ body: @escaping @Sendable () -> Void) { self.body = body } }
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
