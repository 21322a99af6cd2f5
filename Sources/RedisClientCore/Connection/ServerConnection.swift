import CHiredis

#if canImport(Glibc)
import Glibc
#endif

/// A blocking connection to one real server: ``RESPEncoder`` writes the commands and hiredis's
/// reader parses the replies; the bytes go over a ``ByteStream`` — a plain socket, or TLS on
/// top of one — so one code path serves `redis://`, `unix://` and `rediss://`.
///
/// Not thread-safe by itself; ``RedisClient`` serialises access. After any transport error the
/// session is dropped, because its stream position is unknown; the next command reconnects
/// (and re-authenticates and re-selects) on demand — never a silent retry.
final class ServerConnection: RedisConnection {
    let settings: ConnectionSettings
    private var stream: (any ByteStream)?
    private var reader: UnsafeMutablePointer<redisReader>?
    private var output: [UInt8] = []
    private var input = [UInt8](repeating: 0, count: 16 * 1024)

    var isStub: Bool { false }

    /// Whether a session is open; a command sent now goes out on it without reconnecting.
    var isConnected: Bool { stream != nil }

    init(settings: ConnectionSettings) {
        self.settings = settings
    }

    deinit {
        disconnect()
    }

    /// Connects and runs the handshake now rather than on the first command.
    func connect() throws(RedisError) {
        try ensureConnected()
    }

    func disconnect() {
        stream?.close()
        stream = nil
        if let reader { redisReaderFree(reader) }
        reader = nil
    }

    func send(_ command: RedisCommandArgv) throws -> RedisValue {
        try ensureConnected()
        output.removeAll(keepingCapacity: true)
        RESPEncoder.appendCommand(command, to: &output)
        let deadline = ContinuousClock.now + settings.commandTimeout
        try flush(deadline: deadline)
        return try readReply(deadline: deadline)
    }

    func pipeline(_ commands: [RedisCommandArgv]) throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        return try readReplies(commands.count, deadline: writePipeline(commands))
    }

    /// A pipeline's first half: every command written, no reply read. A cluster client writes
    /// to every node before it reads from any, so the nodes work at the same time.
    func writePipeline(_ commands: [RedisCommandArgv]) throws -> ContinuousClock.Instant {
        try ensureConnected()
        output.removeAll(keepingCapacity: true)
        for command in commands { RESPEncoder.appendCommand(command, to: &output) }
        let deadline = ContinuousClock.now + settings.commandTimeout
        try flush(deadline: deadline)
        return deadline
    }

    /// Its second half: the replies, in order.
    func readReplies(_ count: Int, deadline: ContinuousClock.Instant) throws -> [RedisValue] {
        var replies: [RedisValue] = []
        replies.reserveCapacity(count)
        for _ in 0..<count { replies.append(try readReply(deadline: deadline)) }
        return replies
    }

    // MARK: - Connecting

    private func ensureConnected() throws(RedisError) {
        if stream != nil { return }
        let deadline = ContinuousClock.now + settings.connectTimeout
        let socket = try SocketStream.connect(to: settings.url.endpoint, deadline: deadline)
        socket.block(timeout: settings.connectTimeout)
        var opened: any ByteStream = socket
        if settings.url.usesTLS, case .tcp(let host, _) = settings.url.endpoint {
            opened = try TLSStream.connect(over: socket, host: host, options: settings.tls, deadline: deadline)
        }
        stream = opened
        reader = redisReaderCreate()
        do {
            try handshake(deadline: deadline)
        } catch {
            disconnect()
            throw error
        }
        socket.setTimeout(settings.commandTimeout)
    }

    /// AUTH, SELECT and PING in one round trip, all under the connect timeout.
    private func handshake(deadline: ContinuousClock.Instant) throws(RedisError) {
        let url = settings.url
        var commands: [RedisCommandArgv] = []
        if let password = url.password {
            commands.append(url.username.map { argv("AUTH", $0, password) } ?? argv("AUTH", password))
        }
        if url.database != 0 { commands.append(argv("SELECT", url.database)) }
        commands.append(argv("PING"))
        output.removeAll(keepingCapacity: true)
        for command in commands { RESPEncoder.appendCommand(command, to: &output) }
        try flush(deadline: deadline)
        for command in commands {
            let reply = try readReply(deadline: deadline)
            guard case .error(let message) = reply else { continue }
            let name = String(decoding: command[0], as: UTF8.self)
            if name == "AUTH" || message.hasPrefix("NOAUTH") || message.hasPrefix("WRONGPASS") {
                throw .authenticationFailed(message)
            }
            throw .reply(message)
        }
    }

    // MARK: - Protocol

    private func flush(deadline: ContinuousClock.Instant) throws(RedisError) {
        guard let stream else { throw .connectionClosed("not connected") }
        // withUnsafeBytes rethrows untyped errors: carry the typed one out by hand.
        var failure: RedisError?
        output.withUnsafeBytes { bytes in
            do throws(RedisError) { try stream.write(bytes, deadline: deadline) } catch { failure = error }
        }
        if let failure {
            disconnect()
            throw failure
        }
    }

    private func readReply(deadline: ContinuousClock.Instant) throws(RedisError) -> RedisValue {
        guard let stream, let reader else { throw .connectionClosed("not connected") }
        var buffered = 0
        do throws(RedisError) {
            while true {
                var raw: UnsafeMutableRawPointer?
                guard redisReaderGetReply(reader, &raw) == REDIS_OK else {
                    let message = withUnsafeBytes(of: reader.pointee.errstr) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                    throw RedisError.protocolError(message)
                }
                if let raw {
                    defer { freeReplyObject(raw) }
                    return Self.value(of: raw.assumingMemoryBound(to: redisReply.self))
                }
                var failure: RedisError?
                let count = input.withUnsafeMutableBytes { buffer -> Int in
                    do throws(RedisError) { return try stream.read(into: buffer, deadline: deadline) } catch { failure = error; return 0 }
                }
                if let failure { throw failure }
                buffered += count
                if buffered > settings.maxReplyBytes {
                    throw RedisError.protocolError("a reply larger than \(settings.maxReplyBytes) bytes; refused rather than buffered")
                }
                input.withUnsafeBytes { bytes in
                    _ = redisReaderFeed(reader, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), count)
                }
            }
        } catch {
            disconnect()
            throw error
        }
    }

    static func value(of reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let node = reply.pointee
        switch node.type {
        case REDIS_REPLY_STRING:
            return .bulkString(Array(UnsafeRawBufferPointer(start: node.str, count: Int(node.len))))
        case REDIS_REPLY_STATUS:
            return .simpleString(String(decoding: UnsafeRawBufferPointer(start: node.str, count: Int(node.len)), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: UnsafeRawBufferPointer(start: node.str, count: Int(node.len)), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(node.integer))
        case REDIS_REPLY_ARRAY:
            var elements: [RedisValue] = []
            elements.reserveCapacity(Int(node.elements))
            for index in 0..<Int(node.elements) {
                elements.append(value(of: node.element[index]!))
            }
            return .array(elements)
        default:
            return .null
        }
    }
}
