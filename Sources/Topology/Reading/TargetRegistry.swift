/// What a deployment target registers with the topology loader: it reads its own key under
/// `targets:` and keeps its own rules. Each target lives in one folder of the Generators module
/// with its renderer (docs/architecture.md, "To add a deployment target").
package protocol TargetReader {
    /// Its key under `targets:`.
    static var key: String { get }
    /// Its keys, by the dotted path of the mapping they belong to (`targets.compose`, ...):
    /// unknown keys are refused against these, and docs/topology.md must list them.
    static var schema: [String: [String]] { get }
    /// Its settings from the `targets` mapping (none when its key is absent); problems are
    /// reported into the mapping's collector at their nodes.
    static func read(_ targets: MappingReader, name: Located<String>) -> [any TargetSettings]
}

/// One target's settings, as its reader made them.
package protocol TargetSettings: Sendable {
    /// Where its settings start, for errors about the target as a whole.
    var location: SourceLocation { get }
    /// It runs servers (and Sentinels) of its own: the advice about the Sentinels' password, and
    /// exporters beside the nodes, apply.
    var runsOwnServers: Bool { get }
    /// nil when it deploys this mode; else why not, reported at `location`. An exhaustive
    /// switch in each target, so that a new mode does not compile until each says what it does.
    func refusal(of mode: RedisMode) -> String?
    /// Its rules beyond its types, reported through the validator.
    func check(_ topology: Topology, _ validator: TopologyValidator)
}

extension Topology {
    /// The first target of this kind the topology names.
    package func target<T: TargetSettings>(_ kind: T.Type) -> T? {
        targets.lazy.compactMap { $0 as? T }.first
    }

    /// Every target of this kind, in the topology's order.
    package func targets<T: TargetSettings>(of kind: T.Type) -> [T] {
        targets.compactMap { $0 as? T }
    }
}

extension TopologyValidator {
    func checkTargets(_ topology: Topology) {
        for target in topology.targets {
            if let reason = target.refusal(of: topology.redis.mode.value) { error(reason, at: target.location) }
            target.check(topology, self)
        }
    }
}
