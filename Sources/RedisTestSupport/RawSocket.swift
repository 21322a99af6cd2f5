import Foundation

/// A blocking loopback TCP client for protocol tests.
public final class RawSocket {
    public let fd: Int32

    public init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw TestSupportError("connect failed") }
    }

    deinit { close(fd) }

    public func send(_ text: String) throws {
        try send(bytes: Array(text.utf8))
    }

    public func send(bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return }
            offset += written
        }
    }

    /// Reads until the text received so far ends with `suffix` (or the connection closes).
    public func receive(until suffix: String) throws -> String {
        String(decoding: try receive(untilBytes: Array(suffix.utf8)), as: UTF8.self)
    }

    /// Reads until the bytes received so far end with `suffix` (or the connection closes).
    public func receive(untilBytes suffix: [UInt8]) throws -> [UInt8] {
        var received: [UInt8] = []
        while !received.hasSuffix(suffix) {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            received += chunk[0..<count]
        }
        return received
    }

    public func receive(lines: Int) throws -> String {
        var received = ""
        // Counted in bytes: "\r\n" is a single Character to Swift.
        while received.utf8.filter({ $0 == 10 }).count < lines {
            let more = try receive(until: "\n")
            guard !more.isEmpty else { break }
            received += more
        }
        return received
    }

    /// Everything until the server closes the connection.
    public func receiveAll() throws -> String {
        try receive(until: "\u{0}never")
    }
}

extension Array where Element == UInt8 {
    public func hasSuffix(_ suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
