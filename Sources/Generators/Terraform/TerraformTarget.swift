import Topology

/// The providers `targets.terraform[]` takes. A new provider is a new case here and a folder
/// beside AWS/ and GCP/; the compiler then lists each switch that must say what it does.
enum TerraformProvider: String, CaseIterable, Sendable {
    case aws
    case gcp

    /// The keys of an entry with this provider.
    var keys: [String] {
        switch self {
        case .aws: AWSTarget.keys
        case .gcp: GCPTarget.keys
        }
    }

    /// Every provider's keys, once each, in order: what `targets.terraform[]` may hold.
    static var allKeys: [String] {
        var seen: Set<String> = []
        return allCases.flatMap(\.keys).filter { seen.insert($0).inserted }
    }
}

/// One `targets.terraform[]` entry: a module for its provider.
enum TerraformTarget: Sendable {
    case aws(AWSTarget)
    case gcp(GCPTarget)

    var provider: TerraformProvider {
        switch self {
        case .aws: .aws
        case .gcp: .gcp
        }
    }
}

extension TerraformTarget: TargetReader {
    static let key = "terraform"
    static let schema = ["targets.terraform[]": TerraformProvider.allKeys]

    static func read(_ targets: MappingReader, name: Located<String>) -> [any TargetSettings] {
        let providers = TerraformProvider.allCases.map(\.rawValue)
        return targets.list(key).compactMap { item -> TerraformTarget? in
            guard let entry = targets.mapping(item, path: "targets.terraform[]") else { return nil }
            defer { entry.finish() }
            guard entry.has("provider") else {
                entry.diagnostics.error("a Terraform target needs a 'provider' (\(providers.joined(separator: " or ")))", at: item.location)
                return nil
            }
            // An unknown provider is an error at its line (from `choice`), never read as another.
            let name = entry.choice("provider", from: providers, default: "")
            guard case .mapping(let pairs) = item.kind, let provider = TerraformProvider(rawValue: name.value) else { return nil }
            for pair in pairs where !provider.keys.contains(pair.name) && TerraformProvider.allKeys.contains(pair.name) {
                entry.diagnostics.error("'\(pair.name)' does not apply to provider \(provider.rawValue)", at: pair.key.location)
            }
            switch provider {
            case .aws: return .aws(AWSTarget.read(entry, at: item.location))
            case .gcp: return .gcp(GCPTarget.read(entry, at: item.location))
            }
        }
    }
}

extension TerraformTarget: TargetSettings {
    var location: SourceLocation {
        switch self {
        case .aws(let aws): aws.location
        case .gcp(let gcp): gcp.location
        }
    }

    var runsOwnServers: Bool { false }

    func refusal(of mode: RedisMode) -> String? {
        switch self {
        case .aws(let aws): aws.refusal(of: mode)
        case .gcp(let gcp): gcp.refusal(of: mode)
        }
    }

    func check(_ topology: Topology, _ validator: TopologyValidator) {
        // One module per provider: a second entry would write the same folder.
        let first = topology.targets(of: TerraformTarget.self).first { $0.provider == provider }!.location
        if first != location {
            validator.error("a second \(provider.rawValue) target (first at \(first.line):\(first.column)); both would write terraform/\(topology.name.value)/\(provider.rawValue)/", at: location)
        }
        switch self {
        case .aws(let aws): aws.check(topology, validator)
        case .gcp(let gcp): gcp.check(topology, validator)
        }
    }
}

extension TerraformTarget {
    /// A managed service takes only some of what the topology says; each key it cannot honour
    /// gets a warning at its line, naming the provider, instead of vanishing from the output.
    /// `directives`: the `redis.config` directives the module writes for this provider.
    static func warnAboutDroppedKeys(_ topology: Topology, service: String, directives: Set<String>, _ validator: TopologyValidator) {
        let redis = topology.redis
        func warn(_ what: String, _ why: String, at location: SourceLocation) {
            validator.warning("\(what) is not applied on \(service): \(why)", at: location)
        }
        if let maxmemory = redis.maxmemory {
            warn("'redis.maxmemory'", "the node size decides the memory there", at: maxmemory.location)
        }
        if redis.minReplicasToWrite.value > 0 {
            warn("'redis.min_replicas_to_write'", "this module does not set it there; writes are not refused when replicas fall behind", at: redis.minReplicasToWrite.location)
        }
        for command in redis.disabledCommands {
            warn("'redis.disabled_commands' (\(command.value.uppercased()))", "it has no rename-command", at: command.location)
        }
        for (directive, _) in redis.config where !directives.contains(directive.value) {
            warn("'redis.config.\(directive.value)'", "it is not a setting \(service) takes from this module (it applies to Compose)", at: directive.location)
        }
    }
}
