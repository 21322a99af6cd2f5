import RedisClientCore
import Synchronization

/// What CLIENT LIST shows of one session: kept in the store (under its lock) while the session
/// lives, written by the session as it runs commands.
public final class StubClientInfo: @unchecked Sendable {
    public let id: Int64
    let createdAt: Int64
    var lastActive: Int64
    var name: [UInt8]?
    /// `ip:port` of the peer and of the server's socket; a session in the caller's process has
    /// neither.
    var address = "", localAddress = "", fd = -1
    var database = 0
    /// The protocol HELLO chose: 2, or 3 on a server that writes RESP3.
    var protocolVersion = 2
    /// The ACL user the session runs as, and whether it authenticated (or needed not: a
    /// session made while the default user had no password).
    var user = "default"
    var authenticated = true
    /// Kept as sent: its full name (`client|list`) is worked out only when CLIENT LIST asks,
    /// not on every command.
    var lastCommand: RedisCommandArgv?
    /// Commands queued in MULTI; nil outside it.
    var queued: Int?
    var blocked = false, noEvict = false
    /// CLIENT KILL reached it: its connection closes (after its reply, when it killed itself).
    public internal(set) var killed = false
    /// CLIENT UNBLOCK's request for the blocked session: answer its timeout's null, or an error.
    public internal(set) var unblock: Unblock?
    let subscriber: StubSubscriber
    let watch: StubWatch

    public enum Unblock: Sendable { case timeout, error }

    init(id: Int64, now: Int64, subscriber: StubSubscriber, watch: StubWatch) {
        self.id = id
        createdAt = now
        lastActive = now
        self.subscriber = subscriber
        self.watch = watch
    }

    /// One CLIENT LIST line, Redis 7.0's fields in its order; the buffer and memory figures
    /// are the stub's (it keeps no per-client buffers).
    func line(now: Int64) -> String {
        var flags = ""
        if subscriber.isSubscribed { flags += "P" }
        if queued != nil { flags += "x" }
        if blocked { flags += "b" }
        if noEvict { flags += "e" }
        let fields: [(String, String)] = [
            ("id", "\(id)"), ("addr", address), ("laddr", localAddress), ("fd", "\(fd)"), ("name", String(decoding: name ?? [], as: UTF8.self)),
            ("age", "\((now - createdAt) / 1000)"), ("idle", "\((now - lastActive) / 1000)"), ("flags", flags.isEmpty ? "N" : flags),
            ("db", "\(database)"), ("sub", "\(subscriber.channels.count)"), ("psub", "\(subscriber.patterns.count)"),
            ("ssub", "\(subscriber.shardChannels.count)"), ("multi", "\(queued ?? -1)"), ("qbuf", "0"), ("qbuf-free", "0"), ("argv-mem", "0"),
            ("multi-mem", "0"), ("rbs", "0"), ("rbp", "0"), ("obl", "0"), ("oll", "0"), ("omem", "0"), ("tot-mem", "0"), ("events", "r"),
            ("cmd", lastCommand.map(commandFullName) ?? "NULL"), ("user", user), ("redir", "-1"), ("resp", String(protocolVersion)),
        ]
        return fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ") + "\n"
    }
}

/// Every live session's CLIENT LIST entry, by id (part of the store's state, under its lock).
final class StubClients {
    private(set) var byID: [Int64: StubClientInfo] = [:]

    func add(_ client: StubClientInfo) { byID[client.id] = client }
    func remove(_ id: Int64) { byID[id] = nil }

    var all: [StubClientInfo] { byID.values.sorted { $0.id < $1.id } }
}

/// The full name Redis shows for a command in CLIENT LIST's `cmd=`: `client|list` for a
/// container's subcommand.
func commandFullName(_ command: RedisCommandArgv) -> String {
    guard let first = command.first else { return "NULL" }
    let name = lowercasedCommandName(first)
    guard command.count > 1, StubCommands.table[name]?.subcommands != nil || InMemoryRedis.sessionContainers.contains(name) else { return name }
    return name + "|" + lowercasedCommandName(command[1])
}
