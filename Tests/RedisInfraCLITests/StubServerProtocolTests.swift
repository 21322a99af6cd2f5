import Foundation
import RedisTestSupport
import Testing

/// The stub-server's protocol edges, over a raw socket: inline requests, pipelines, Redis's
/// protocol errors (answered, then the connection closed), per-connection state, many clients.
@Suite struct StubServerProtocolTests {
    @Test func inlineAndMultibulkRequestsMix() throws {
        let stub = try StubServerProcess()
        let socket = try RawSocket(port: stub.port!)
        try socket.send("PING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na b\r\nGET k\r\nSET q \"x\\ny\"\r\nGET q\r\n")
        #expect(try socket.receive(until: "$3\r\nx\ny\r\n") == "+PONG\r\n+OK\r\n$3\r\na b\r\n+OK\r\n$3\r\nx\ny\r\n")
    }

    @Test(arguments: [
        ("*2147483648\r\n", "-ERR Protocol error: invalid multibulk length\r\n"),
        ("*1\r\n:5\r\n", "-ERR Protocol error: expected '$', got ':'\r\n"),
        ("SET \"unbalanced\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n"),
        (String(repeating: "x", count: 70_000), "-ERR Protocol error: too big inline request\r\n"),
    ])
    func badRequestsGetRedisErrorsAndAClosedConnection(request: String, reply: String) throws {
        let stub = try StubServerProcess()
        let socket = try RawSocket(port: stub.port!)
        try socket.send(request)
        #expect(try socket.receiveAll() == reply)
        // The server itself is fine.
        let other = try RawSocket(port: stub.port!)
        try other.send("PING\r\n")
        #expect(try other.receive(until: "\r\n") == "+PONG\r\n")
    }

    @Test func helloThreeIsRefusedAsByARESP2OnlyServer() throws {
        let stub = try StubServerProcess()
        let socket = try RawSocket(port: stub.port!)
        try socket.send("HELLO 3\r\n")
        #expect(try socket.receive(until: "\r\n") == "-NOPROTO unsupported protocol version\r\n")
    }

    @Test func connectionsKeepTheirOwnState() throws {
        let stub = try StubServerProcess()
        let first = try RawSocket(port: stub.port!)
        let second = try RawSocket(port: stub.port!)
        try first.send("SELECT 2\r\nSET k one\r\nMULTI\r\nSET k two\r\n")
        #expect(try first.receive(until: "QUEUED\r\n") == "+OK\r\n+OK\r\n+OK\r\n+QUEUED\r\n")
        try second.send("GET k\r\nSELECT 2\r\nGET k\r\n")
        #expect(try second.receive(until: "one\r\n") == "$-1\r\n+OK\r\n$3\r\none\r\n")
        try first.send("EXEC\r\nQUIT\r\n")
        #expect(try first.receiveAll() == "*1\r\n+OK\r\n+OK\r\n")
    }

    @Test func blockedReaderWaitsWithoutStallingOthers() throws {
        let stub = try StubServerProcess()
        let reader = try RawSocket(port: stub.port!)
        try reader.send("XGROUP CREATE jobs g $ MKSTREAM\r\nXREADGROUP GROUP g c BLOCK 0 STREAMS jobs >\r\n")
        #expect(try reader.receive(until: "+OK\r\n") == "+OK\r\n")
        let writer = try RawSocket(port: stub.port!)
        try writer.send("PING\r\nXADD jobs 1-1 job a\r\n")
        #expect(try writer.receive(until: "1-1\r\n") == "+PONG\r\n$3\r\n1-1\r\n")
        #expect(try reader.receive(until: "a\r\n") == "*1\r\n*2\r\n$4\r\njobs\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$3\r\njob\r\n$1\r\na\r\n")
        // The handed-off connection goes on serving.
        try reader.send("XPENDING jobs g\r\n")
        #expect(try reader.receive(until: "1\r\n").hasPrefix("*4\r\n:1\r\n"))
        #expect(stub.terminate() == 0)
    }

    @Test func manyConcurrentClients() throws {
        let stub = try StubServerProcess()
        // Forty connections open at once, each with a pipeline in flight before any is read.
        let sockets = try (0..<40).map { _ in try RawSocket(port: stub.port!) }
        for socket in sockets { try socket.send(String(repeating: "INCR counter\r\n", count: 50)) }
        for socket in sockets { #expect(try socket.receive(lines: 50).utf8.filter { $0 == 10 }.count == 50) }
        let check = try RawSocket(port: stub.port!)
        try check.send("GET counter\r\n")
        #expect(try check.receive(until: "2000\r\n") == "$4\r\n2000\r\n")
    }
}

/// A blocking loopback TCP client for protocol tests.
final class RawSocket {
    let fd: Int32

    init(port: Int) throws {
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

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return }
            offset += written
        }
    }

    /// Reads until the text received so far ends with `suffix` (or the connection closes).
    func receive(until suffix: String) throws -> String {
        var received: [UInt8] = []
        while !received.hasSuffix(Array(suffix.utf8)) {
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            received += chunk[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    func receive(lines: Int) throws -> String {
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
    func receiveAll() throws -> String {
        try receive(until: "\u{0}never")
    }
}

extension Array where Element == UInt8 {
    func hasSuffix(_ suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}
