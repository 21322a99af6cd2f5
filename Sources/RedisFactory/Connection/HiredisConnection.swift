import CHiredis

/// A blocking connection to a real server through hiredis.
///
/// Not thread-safe by itself (a hiredis context is not); ``RedisClient`` serialises access.
/// After any transport error the context is dropped, because its stream position is unknown;
/// the next command reconnects (and re-authenticates and re-selects) on demand.
final class HiredisConnection: RedisConnection {
    let settings: ConnectionSettings
    private var context: UnsafeMutablePointer<redisContext>?

    var isStub: Bool { false }

    /// Whether a session is open; a command sent now goes out on it without reconnecting.
    var isConnected: Bool { context != nil }

    init(settings: ConnectionSettings) {
        self.settings = settings
    }

    deinit {
        disconnect()
    }

    /// Connects and runs the handshake now rather than on the first command.
    func connect() throws(RedisError) {
        _ = try connectedContext()
    }

    func disconnect() {
        if let context { redisFree(context) }
        context = nil
    }

    func send(_ command: RedisCommandArgv) throws -> RedisValue {
        let context = try connectedContext()
        append(command, to: context)
        return try readReply(from: context)
    }

    func pipeline(_ commands: [RedisCommandArgv]) throws -> [RedisValue] {
        guard !commands.isEmpty else { return [] }
        let context = try connectedContext()
        for command in commands { append(command, to: context) }
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands { replies.append(try readReply(from: context)) }
        return replies
    }

    // MARK: - Connecting

    private func connectedContext() throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        if let context { return context }
        let fresh = try open()
        do {
            try handshake(fresh)
        } catch {
            redisFree(fresh)
            throw error
        }
        redisSetTimeout(fresh, timeval(settings.commandTimeout))
        context = fresh
        return fresh
    }

    private func open() throws(RedisError) -> UnsafeMutablePointer<redisContext> {
        let timeout = timeval(settings.connectTimeout)
        let opened: UnsafeMutablePointer<redisContext>?
        switch settings.url.endpoint {
        case .tcp(let host, let port):
            if settings.url.usesTLS {
                throw .unsupported("TLS (rediss://) transport is not available yet; use redis:// or a unix socket")
            }
            opened = redisConnectWithTimeout(host, Int32(port), timeout)
        case .unix(let path):
            opened = redisConnectUnixWithTimeout(path, timeout)
        case .sentinel:
            throw .unsupported("a Sentinel URL needs a SentinelConnection")
        }
        guard let opened else { throw .io("cannot allocate a hiredis context") }
        if opened.pointee.err != 0 {
            let error = Self.transportError(opened)
            redisFree(opened)
            throw error
        }
        if case .tcp = settings.url.endpoint { redisEnableKeepAlive(opened) }
        return opened
    }

    /// AUTH, SELECT and PING in one round trip, all under the connect timeout.
    private func handshake(_ context: UnsafeMutablePointer<redisContext>) throws(RedisError) {
        redisSetTimeout(context, timeval(settings.connectTimeout))
        let url = settings.url
        var commands: [RedisCommandArgv] = []
        if let password = url.password {
            commands.append(url.username.map { argv("AUTH", $0, password) } ?? argv("AUTH", password))
        }
        if url.database != 0 { commands.append(argv("SELECT", url.database)) }
        commands.append(argv("PING"))
        for command in commands { append(command, to: context) }
        for command in commands {
            let reply = try readReply(from: context, dropOnError: false)
            guard case .error(let message) = reply else { continue }
            let name = String(decoding: command[0], as: UTF8.self)
            if name == "AUTH" || message.hasPrefix("NOAUTH") || message.hasPrefix("WRONGPASS") {
                throw .authenticationFailed(message)
            }
            throw .reply(message)
        }
    }

    // MARK: - Protocol

    private func append(_ command: RedisCommandArgv, to context: UnsafeMutablePointer<redisContext>) {
        // One contiguous copy of the arguments, so every pointer stays valid for the call.
        var lengths = [Int](repeating: 0, count: command.count)
        var total = 0
        for (index, argument) in command.enumerated() {
            lengths[index] = argument.count
            total += argument.count
        }
        var joined = [UInt8]()
        joined.reserveCapacity(total + 1)
        for argument in command { joined.append(contentsOf: argument) }
        joined.append(0)
        joined.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
            var pointers = [UnsafePointer<CChar>?](repeating: nil, count: command.count)
            var offset = 0
            for index in command.indices {
                pointers[index] = base + offset
                offset += lengths[index]
            }
            // Appending only fills hiredis's output buffer; it fails only when out of memory,
            // which the following read reports.
            _ = redisAppendCommandArgv(context, Int32(command.count), &pointers, lengths)
        }
    }

    private func readReply(
        from context: UnsafeMutablePointer<redisContext>,
        dropOnError: Bool = true
    ) throws(RedisError) -> RedisValue {
        var raw: UnsafeMutableRawPointer?
        guard redisGetReply(context, &raw) == REDIS_OK, let raw else {
            let error = Self.transportError(context)
            if dropOnError { disconnect() }
            throw error
        }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        return Self.value(of: reply)
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

    /// Classifies a failed context by hiredis's error code and `errstr`.
    static func transportError(_ context: UnsafeMutablePointer<redisContext>) -> RedisError {
        let message = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        switch context.pointee.err {
        case REDIS_ERR_EOF:
            return .connectionClosed(message)
        case REDIS_ERR_PROTOCOL:
            return .protocolError(message)
        default:
            let lowered = message.lowercased()
            if lowered.contains("refused") || lowered.contains("no such file") { return .connectionRefused(message) }
            if lowered.contains("timed out") || lowered.contains("temporarily unavailable")
                || lowered.contains("in progress")
            {
                return .timedOut(message)
            }
            if lowered.contains("reset") || lowered.contains("broken pipe") { return .connectionClosed(message) }
            return .io(message)
        }
    }
}

extension timeval {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self.init(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
