extension RedisConnection {
    /// "PONG", or the message echoed back.
    @discardableResult
    public func ping(_ message: String? = nil) throws -> String {
        try call(message.map { argv("PING", $0) } ?? argv("PING")).string()
    }

    public func select(_ database: Int) throws {
        try call(argv("SELECT", database)).ok()
    }

    public func auth(username: String? = nil, password: String) throws {
        try call(username.map { argv("AUTH", $0, password) } ?? argv("AUTH", password)).ok()
    }

    /// `INFO [section]` as Redis's text.
    public func info(_ section: String? = nil) throws -> String {
        try call(section.map { argv("INFO", $0) } ?? argv("INFO")).string()
    }

    /// `INFO` parsed into `field: value`, section headers and blank lines dropped.
    public func infoFields(_ section: String? = nil) throws -> [String: String] {
        parseInfo(try info(section))
    }

    /// The server's clock.
    public func time() throws -> (seconds: Int, microseconds: Int) {
        let reply = try call(argv("TIME"))
        let parts = try reply.strings()
        guard parts.count == 2, let seconds = Int(parts[0]), let micros = Int(parts[1]) else {
            throw reply.unexpected()
        }
        return (seconds, micros)
    }
}

/// `INFO`'s `field:value` lines, split at the first colon.
public func parseInfo(_ text: String) -> [String: String] {
    var fields: [String: String] = [:]
    for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
        guard !line.hasPrefix("#"), let colon = line.firstIndex(of: ":") else { continue }
        fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
    }
    return fields
}

/// Which server answered, from INFO's server section: `server_name` (Valkey says `valkey`;
/// Redis 7.0 has no such field) and that engine's own version (Valkey also reports a
/// Redis-compatible `redis_version`, which is not its own).
public struct ServerIdentity: Sendable, Equatable, CustomStringConvertible {
    public var engine: String
    public var version: String

    public init?(info: [String: String]) {
        let engine = info["server_name"] ?? "redis"
        guard let version = info["\(engine)_version"] ?? info["redis_version"] else { return nil }
        self.engine = engine
        self.version = version
    }

    public var description: String { "\(engine) \(version)" }
}
