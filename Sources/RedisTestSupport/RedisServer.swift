import Foundation
import RedisFactory

/// A real `redis-server` started on a free loopback port (and optionally a unix socket) for one
/// test, with its own config file and data directory, stopped when the test lets go of it.
public final class RedisServer: @unchecked Sendable {
    public struct Options: Sendable {
        /// `requirepass` for the default user.
        public var password: String?
        /// An ACL user with every permission, besides the default one.
        public var aclUser: (name: String, password: String)?
        public var unixSocket = false
        /// Extra `directive value` lines for the config file.
        public var extraConfig: [String] = []
        /// Start `redis-sentinel` instead of `redis-server` (it needs `sentinel monitor` lines).
        public var sentinel = false
        /// Serve TLS only, on the server's port, with these files (`tls-auth-clients` as given).
        public var tls: (certificate: String, key: String, ca: String, authClients: String)?
        /// Which server binary: the run's engine unless a benchmark compares both.
        public var engine = ServerEngine.current

        public init(
            password: String? = nil,
            aclUser: (name: String, password: String)? = nil,
            unixSocket: Bool = false,
            extraConfig: [String] = [],
            sentinel: Bool = false,
            tls: (certificate: String, key: String, ca: String, authClients: String)? = nil
        ) {
            self.password = password
            self.aclUser = aclUser
            self.unixSocket = unixSocket
            self.extraConfig = extraConfig
            self.sentinel = sentinel
            self.tls = tls
        }
    }

    public let port: Int
    public let directory: URL
    public let socketPath: String?
    private let process: Process

    public var pid: Int32 { process.processIdentifier }
    public var host: String { "127.0.0.1" }
    /// `redis://127.0.0.1:<port>`, without credentials.
    public var url: String { "redis://127.0.0.1:\(port)" }

    public static func start(_ options: Options = Options()) throws -> RedisServer {
        var lastError: Error?
        // A free port can be taken between picking it and binding it; try a few.
        for _ in 0..<5 {
            do {
                return try RedisServer(options: options, port: try freeLoopbackPort())
            } catch {
                lastError = error
            }
        }
        throw lastError!
    }

    private init(options: Options, port: Int) throws {
        self.port = port
        directory = try makeTemporaryDirectory(prefix: "redis-test")
        socketPath = options.unixSocket ? directory.appendingPathComponent("redis.sock").path : nil

        var config = [
            "bind 127.0.0.1",
            "port \(port)",
            "dir \(directory.path)",
            "logfile \(directory.appendingPathComponent("redis.log").path)",
            "save \"\"",
            "appendonly no",
            "daemonize no",
        ]
        if let socketPath { config += ["unixsocket \(socketPath)", "unixsocketperm 700"] }
        if let password = options.password { config.append("requirepass \(password)") }
        if let user = options.aclUser { config.append("user \(user.name) on >\(user.password) ~* &* +@all") }
        if let tls = options.tls {
            config += [
                "port 0", "tls-port \(port)", "tls-cert-file \(tls.certificate)", "tls-key-file \(tls.key)",
                "tls-ca-cert-file \(tls.ca)", "tls-auth-clients \(tls.authClients)",
            ]
        }
        config += options.extraConfig
        let configFile = directory.appendingPathComponent("redis.conf")
        try (config.joined(separator: "\n") + "\n").write(to: configFile, atomically: true, encoding: .utf8)

        process = Process()
        let launch = options.engine.arguments(configFile: configFile.path, sentinel: options.sentinel)
        process.executableURL = URL(fileURLWithPath: launch.executable)
        process.arguments = launch.arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        ChildProcesses.track(process.processIdentifier)

        let socketPath = socketPath
        do {
            try waitUntilListening(process, port: port, log: directory.appendingPathComponent("redis.log")) {
                socketPath.map { FileManager.default.fileExists(atPath: $0) } ?? true
            }
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    public func stop() {
        if process.isRunning {
            // SIGKILL: a child spawned from a test thread inherits that thread's signal mask, in
            // which SIGTERM can be blocked; and a test server holds nothing worth saving.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        ChildProcesses.untrack(process.processIdentifier)
        try? FileManager.default.removeItem(at: directory)
    }

    /// SIGSTOP: the kernel still accepts connections, but nothing answers.
    public func suspend() { kill(process.processIdentifier, SIGSTOP) }

    public func resume() { kill(process.processIdentifier, SIGCONT) }
}

public struct TestSupportError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A loopback port nothing listens on right now (bound, read back, released).
public func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestSupportError("socket() failed") }
    defer { close(fd) }
    guard let port = bindLoopback(fd) else { throw TestSupportError("bind() to a free loopback port failed") }
    return port
}

/// Binds a socket to a free port on 127.0.0.1; the port, or nil.
private func bindLoopback(_ fd: Int32) -> Int? {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
}

func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
        }
    }
}

public func makeTemporaryDirectory(prefix: String) throws -> URL {
    var template = Array((NSTemporaryDirectory() + "/\(prefix).XXXXXX").utf8CString)
    let made = template.withUnsafeMutableBufferPointer { buffer -> String? in
        mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
    }
    guard let made else { throw TestSupportError("mkdtemp failed") }
    return URL(fileURLWithPath: made)
}

extension RedisServer {
    /// A plain client on this server, for checks that need no factory options.
    public func client() throws -> RedisClient {
        try RedisFactory.makeClient(preferredURL: url, fallbackToFake: false, context: "test-check")
    }
}

/// A loopback port that accepts connections (the kernel completes the handshake) and never
/// answers: a frozen or blackholed server, as a client sees it.
public final class SilentListener: @unchecked Sendable {
    public let port: Int
    private let fd: Int32

    public init() throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestSupportError("socket() failed") }
        guard let port = bindLoopback(fd), listen(fd, 16) == 0 else {
            close(fd)
            throw TestSupportError("cannot listen on a loopback port")
        }
        self.port = port
    }

    deinit { close(fd) }
}
