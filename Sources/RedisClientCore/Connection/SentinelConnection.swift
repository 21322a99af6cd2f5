#if canImport(Glibc)
import Glibc
#endif

/// A connection to whichever server the Sentinels name master, followed across failovers.
///
/// It asks the Sentinels in turn for `SENTINEL GET-MASTER-ADDR-BY-NAME`, connects, and accepts
/// the server only if `ROLE` says master (a demoted node still answering at the old address is
/// refused). After a connection error, a timeout, or a `READONLY` or `NOREPLICAS` reply it drops the master and
/// finds it again; it repeats the failed command once, within the command timeout, only when
/// that cannot run it twice: the command never left (the connect failed), the server refused it
/// (`READONLY`), or it only reads.
final class SentinelConnection: RedisConnection {
    let settings: ConnectionSettings
    private var sentinels: [RedisURL.HostAndPort]
    private let masterName: String
    private let sentinelCredentials: (username: String?, password: String?)
    private var master: ServerConnection?

    var isStub: Bool { false }

    init(settings: ConnectionSettings, sentinelPassword: String?) {
        self.settings = settings
        guard case .sentinel(let sentinels, let masterName) = settings.url.endpoint else {
            preconditionFailure("SentinelConnection needs a Sentinel URL")
        }
        self.sentinels = sentinels
        self.masterName = masterName
        let url = settings.url
        sentinelCredentials = sentinelPassword != nil || url.sentinelUsername != nil
            ? (url.sentinelUsername, sentinelPassword)
            : (url.username, url.password)
    }

    /// Finds and connects to the master now, within the connect timeout per Sentinel asked.
    func connect() throws(RedisError) {
        _ = try connectedMaster(deadline: ContinuousClock.now + settings.connectTimeout * max(1, sentinels.count))
    }

    func send(_ command: RedisCommandArgv) throws -> RedisValue {
        try withRediscovery(canRepeat: RepeatSafety.isReadOnly(command), refused: Self.refused) { connection in try connection.send(command) }
    }

    /// A pipeline is repeated after a refusal only if nothing in it ran with an effect: every
    /// reply is a refusal or answers a read.
    func pipeline(_ commands: [RedisCommandArgv]) throws -> [RedisValue] {
        try withRediscovery(
            canRepeat: commands.allSatisfy(RepeatSafety.isReadOnly),
            refused: { replies in
                replies.contains(where: Self.refused) && zip(commands, replies).allSatisfy { Self.refused($1) || RepeatSafety.isReadOnly($0) }
            }
        ) { connection in try connection.pipeline(commands) }
    }

    private func withRediscovery<T>(canRepeat: Bool, refused: (T) -> Bool, _ body: (ServerConnection) throws -> T) throws -> T {
        let deadline = ContinuousClock.now + settings.commandTimeout
        var repeated = false
        while true {
            let connection: ServerConnection
            do {
                connection = try connectedMaster(deadline: deadline)
            } catch {
                // Nothing was sent: finding the master again once is always safe.
                guard !repeated, ContinuousClock.now < deadline else { throw error }
                repeated = true
                continue
            }
            do {
                let result = try body(connection)
                if refused(result) {
                    // The server refused the write: it is a replica now.
                    dropMaster()
                    guard !repeated, ContinuousClock.now < deadline else { return result }
                    repeated = true
                    continue
                }
                return result
            } catch let error as RedisError {
                dropMaster()
                guard canRepeat, !repeated, ContinuousClock.now < deadline, error.isTransport else { throw error }
                repeated = true
            }
        }
    }

    private func dropMaster() {
        master?.disconnect()
        master = nil
    }

    // MARK: - Discovery

    private func connectedMaster(deadline: ContinuousClock.Instant) throws(RedisError) -> ServerConnection {
        if let master, master.isConnected { return master }
        master = nil
        var problems: [String] = []
        var unaware = 0
        for (index, sentinel) in sentinels.enumerated() {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { break }
            let address: RedisURL.HostAndPort
            do {
                guard let found = try ask(sentinel, timeout: min(settings.connectTimeout, remaining)) else {
                    problems.append("\(sentinel) does not know master '\(masterName)'")
                    unaware += 1
                    continue
                }
                address = found
            } catch {
                problems.append("\(sentinel): \(error)")
                continue
            }
            let candidate = ServerConnection(settings: masterSettings(address, timeout: min(settings.connectTimeout, deadline - ContinuousClock.now)))
            do {
                try candidate.connect()
                let role = try candidate.send(argv("ROLE"))
                guard role.array?.first?.string == "master" else {
                    candidate.disconnect()
                    problems.append("\(sentinel) named \(address), which is not a master (failover in progress?)")
                    continue
                }
            } catch let error as RedisError {
                // A wrong password is the caller's to fix, not a reason to try the next Sentinel.
                if case .authenticationFailed = error { throw error }
                problems.append("master \(address) from \(sentinel): \(error)")
                continue
            } catch {
                problems.append("master \(address) from \(sentinel): \(error)")
                continue
            }
            // Ask the Sentinel that answered first next time, as redis-py does.
            if index > 0 { sentinels.insert(sentinels.remove(at: index), at: 0) }
            master = candidate
            return candidate
        }
        if problems.isEmpty { problems.append("no time left to ask a Sentinel") }
        if unaware == problems.count {
            throw .unknownMaster("no Sentinel knows a master named '\(masterName)' (asked \(sentinels.map(\.description).joined(separator: ", "))); check the name in the URL")
        }
        throw .connectionRefused("no master '\(masterName)' found through the Sentinels: " + problems.joined(separator: "; "))
    }

    /// The master's address by one Sentinel's account; nil when it does not know the name.
    private func ask(_ sentinel: RedisURL.HostAndPort, timeout: Duration) throws(RedisError) -> RedisURL.HostAndPort? {
        let reply = try sendTo(sentinel, argv("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName), timeout: timeout)
        if case .error(let message) = reply { throw .reply(message) }
        guard let pair = reply.array, pair.count == 2, let host = pair[0].string, let port = pair[1].string.flatMap({ Int($0) }) else {
            return nil
        }
        return RedisURL.HostAndPort(host: host, port: port)
    }

    /// One command to the first Sentinel that answers (`SENTINEL FAILOVER` for a drill).
    func sendToSentinel(_ command: RedisCommandArgv) throws(RedisError) -> RedisValue {
        var last: RedisError = .connectionRefused("no Sentinel to ask")
        for sentinel in sentinels {
            do {
                return try sendTo(sentinel, command, timeout: settings.connectTimeout)
            } catch {
                last = error
            }
        }
        throw last
    }

    var name: String { masterName }

    /// A short-lived session on one Sentinel, with the Sentinels' credentials (or none, when
    /// the Sentinels have no password while the master has one).
    private func sendTo(_ sentinel: RedisURL.HostAndPort, _ command: RedisCommandArgv, timeout: Duration) throws(RedisError) -> RedisValue {
        var url = RedisURL(scheme: settings.url.usesTLS ? .rediss : .redis, endpoint: .tcp(host: sentinel.host, port: sentinel.port))
        url.username = sentinelCredentials.username
        url.password = sentinelCredentials.password
        var connection = ServerConnection(settings: ConnectionSettings(url: url, connectTimeout: timeout, commandTimeout: timeout, tls: settings.tls))
        defer { connection.disconnect() }
        do {
            try connection.connect()
        } catch .authenticationFailed(let message) where message.contains("without any password configured") {
            url.username = nil
            url.password = nil
            connection = ServerConnection(settings: ConnectionSettings(url: url, connectTimeout: timeout, commandTimeout: timeout, tls: settings.tls))
            try connection.connect()
        }
        do {
            return try connection.send(command)
        } catch let error as RedisError {
            throw error
        } catch {
            throw .io("\(error)")
        }
    }

    private func masterSettings(_ address: RedisURL.HostAndPort, timeout: Duration) -> ConnectionSettings {
        settings.forServer(address, connectTimeout: max(timeout, .milliseconds(1)))
    }

    // MARK: - Safety of a repeat

    /// `READONLY` (a replica now) or `NOREPLICAS` (a master cut off from its replicas, as an
    /// old master is during a failover): the server refused the write, so it did not run.
    private static func refused(_ value: RedisValue) -> Bool {
        guard let message = value.errorMessage else { return false }
        return message.hasPrefix("READONLY") || message.hasPrefix("NOREPLICAS")
    }
}
