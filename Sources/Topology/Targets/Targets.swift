/// Where the generator writes deployments for this topology. Each target lives in its own
/// folder beside this file, with its settings, keys, catalogue, reader and rules; this file
/// registers them under `targets:`.
public struct Targets: Sendable {
    public var compose: ComposeTarget?
    public var terraform: [TerraformTarget]
}

/// The question every target answers for each mode (next, for each engine): an exhaustive
/// switch, so that a new mode does not compile until every target says what it does with it.
protocol TargetSettings {
    /// nil when the target deploys this mode; else why not, reported at the target's line.
    static func refusal(of mode: RedisMode) -> String?
}

/// The providers `targets.terraform[]` takes. A new provider is a new case here, and the
/// compiler then lists each switch that must say what the provider does.
public enum TerraformProvider: String, CaseIterable, Sendable {
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

public enum TerraformTarget: Sendable {
    case aws(AWSTarget)
    case gcp(GCPTarget)

    public var provider: TerraformProvider {
        switch self {
        case .aws: .aws
        case .gcp: .gcp
        }
    }

    public var location: SourceLocation {
        switch self {
        case .aws(let aws): aws.location
        case .gcp(let gcp): gcp.location
        }
    }
}

extension TopologyReader {
    func readTargets(_ targets: MappingReader?, name: Located<String>, at location: SourceLocation) -> Targets {
        guard let targets else { return Targets(compose: nil, terraform: []) }
        defer { targets.finish() }
        let compose = targets.child("compose").map { readCompose($0, name: name) }
        let providers = TerraformProvider.allCases.map(\.rawValue)
        let terraform = targets.list("terraform").compactMap { item -> TerraformTarget? in
            guard let entry = MappingReader(item, path: "targets.terraform[]", diagnostics: diagnostics) else { return nil }
            defer { entry.finish() }
            guard entry.has("provider") else {
                diagnostics.error("a Terraform target needs a 'provider' (\(providers.joined(separator: " or ")))", at: item.location)
                return nil
            }
            // An unknown provider is an error at its line (from `choice`), never read as another.
            let name = entry.choice("provider", from: providers, default: "")
            guard case .mapping(let pairs) = item.kind, let provider = TerraformProvider(rawValue: name.value) else { return nil }
            for pair in pairs where !provider.keys.contains(pair.name) && TerraformProvider.allKeys.contains(pair.name) {
                diagnostics.error("'\(pair.name)' does not apply to provider \(provider.rawValue)", at: pair.key.location)
            }
            switch provider {
            case .aws: return .aws(readAWS(entry, at: item.location))
            case .gcp: return .gcp(readGCP(entry, at: item.location))
            }
        }
        return Targets(compose: compose, terraform: terraform)
    }
}

extension TopologyValidator {
    func checkTargets(_ topology: Topology) {
        let mode = topology.redis.mode.value
        if let compose = topology.targets.compose {
            if let reason = ComposeTarget.refusal(of: mode) { error(reason, at: compose.file.location) }
            checkCompose(compose, topology)
        }
        var seen: [TerraformProvider: SourceLocation] = [:]
        for target in topology.targets.terraform {
            let provider = target.provider
            if let first = seen[provider] {
                error("a second \(provider.rawValue) target (first at \(first.line):\(first.column)); both would write terraform/\(topology.name.value)/\(provider.rawValue)/", at: target.location)
            }
            seen[provider] = seen[provider] ?? target.location
            switch target {
            case .aws(let aws):
                if let reason = AWSTarget.refusal(of: mode) { error(reason, at: aws.location) }
                checkAWS(aws, topology)
            case .gcp(let gcp):
                if let reason = GCPTarget.refusal(of: mode) { error(reason, at: gcp.location) }
                checkGCP(gcp, topology)
            }
        }
    }
}
