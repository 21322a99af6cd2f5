/// The server software a topology deploys: Redis, or Valkey (the Linux Foundation's BSD fork of
/// Redis 7.2). Both speak the same protocol and read the same config directives; they differ in
/// versions, binary names, images and what the managed services call them.
public enum Engine: String, Sendable, CaseIterable {
    case redis, valkey

    /// How messages and documents name it.
    public var label: String {
        switch self {
        case .redis: "Redis"
        case .valkey: "Valkey"
        }
    }

    /// The versions a topology may name for this engine.
    public var versions: [String] {
        switch self {
        case .redis: ["6.2", "7.0", "7.1", "7.2"]
        case .valkey: ["7.2", "8.0", "8.1", "9.0"]
        }
    }

    public var defaultVersion: String {
        switch self {
        case .redis: "7.0"
        case .valkey: "8.1"
        }
    }

    /// The server binary in its images (Sentinel runs as `<server> --sentinel`).
    public var serverCommand: String { "\(rawValue)-server" }
    public var cliCommand: String { "\(rawValue)-cli" }
}
