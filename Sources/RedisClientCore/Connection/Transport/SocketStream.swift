#if canImport(Glibc)
import InfraSupport
import Glibc
#endif

/// A TCP or unix socket. Connecting is non-blocking with a `poll` bounded by the deadline, so a
/// blackholed address cannot hold a caller past it; after that the socket blocks with
/// `SO_RCVTIMEO`/`SO_SNDTIMEO` set to the I/O timeout, so a round trip costs one `send` and one
/// `recv` (a speculative non-blocking read and a `poll` cost 12 % of sequential throughput).
final class SocketStream: ByteStream {
    private(set) var fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit { close() }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    static func connect(to endpoint: RedisURL.Endpoint, deadline: ContinuousClock.Instant) throws(RedisError) -> SocketStream {
        switch endpoint {
        case .tcp(let host, let port): return try connectTCP(host: host, port: port, deadline: deadline)
        case .unix(let path): return try connectUnix(path: path, deadline: deadline)
        case .sentinel: throw .unsupported("a Sentinel URL needs a SentinelConnection")
        case .cluster: throw .unsupported("a cluster URL needs a ClusterConnection")
        }
    }

    private static func connectTCP(host: String, port: Int, deadline: ContinuousClock.Instant) throws(RedisError) -> SocketStream {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &found)
        guard status == 0, let first = found else {
            throw .io("cannot resolve '\(host)': \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var lastError: RedisError = .connectionRefused("Connection refused")
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            candidate = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), address.pointee.ai_protocol)
            guard fd >= 0 else { lastError = .io(String(cString: strerror(errno))); continue }
            let stream = SocketStream(fd: fd)
            do {
                try stream.finishConnect(Glibc.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen), deadline: deadline)
                var on: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
                setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, socklen_t(MemoryLayout<Int32>.size))
                return stream
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    private static func connectUnix(path: String, deadline: ContinuousClock.Instant) throws(RedisError) -> SocketStream {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw .io("unix socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw .io(String(cString: strerror(errno))) }
        let stream = SocketStream(fd: fd)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try stream.finishConnect(result, deadline: deadline)
        return stream
    }

    private func finishConnect(_ result: Int32, deadline: ContinuousClock.Instant) throws(RedisError) {
        if result == 0 { return }
        guard errno == EINPROGRESS || errno == EAGAIN else { throw Self.socketError(errno) }
        try wait(for: Int16(POLLOUT), deadline: deadline, timedOutMessage: "Connection timed out")
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
        if error != 0 { throw Self.socketError(error) }
    }

    /// From now on the socket blocks, each send or receive for at most `timeout`.
    func block(timeout: Duration) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
        setTimeout(timeout)
    }

    func setTimeout(_ timeout: Duration) {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    func write(_ bytes: UnsafeRawBufferPointer, deadline: ContinuousClock.Instant) throws(RedisError) {
        var offset = 0
        while offset < bytes.count {
            let sent = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if sent > 0 {
                offset += sent
            } else if errno == EINTR {
                continue
            } else if errno == EAGAIN {
                throw .timedOut("Resource temporarily unavailable")
            } else {
                throw Self.socketError(errno)
            }
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, deadline: ContinuousClock.Instant) throws(RedisError) -> Int {
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 { return count }
            if count == 0 { throw .connectionClosed("Server closed the connection") }
            if errno == EINTR { continue }
            if errno == EAGAIN { throw .timedOut("Resource temporarily unavailable") }
            throw Self.socketError(errno)
        }
    }

    /// Waits until the socket is ready for `events`, or throws a timeout at the deadline.
    func wait(for events: Int16, deadline: ContinuousClock.Instant, timedOutMessage: String) throws(RedisError) {
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { throw .timedOut(timedOutMessage) }
            let milliseconds = Int32(clamping: remaining.wholeMilliseconds + 1)
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw .io(String(cString: strerror(errno))) }
        }
    }

    /// A failed socket call's errno as the typed error callers tell apart (refused, timed out,
    /// closed under us), with the system's own words.
    private static func socketError(_ code: Int32) -> RedisError {
        let message = String(cString: strerror(code))
        switch code {
        case ECONNREFUSED, ENOENT: return .connectionRefused(message)
        case ETIMEDOUT: return .timedOut(message)
        case ECONNRESET, EPIPE: return .connectionClosed(message)
        default: return .io(message)
        }
    }
}
