import Topology

/// One deployment target: the reader of its key under `targets:` (its settings, keys,
/// catalogue and rules, `TargetReader`), the folder it owns under `--out`, named here once, and
/// its files, a pure function of the topology. Each lives in one folder of this module.
///
/// To add a target: a folder with a type conforming to this protocol, and one line in
/// `Generator.targets`.
protocol DeploymentTarget {
    /// What reads its key under `targets:`; nil for a target every topology gets (the
    /// health-check scripts).
    static var reader: (any TargetReader.Type)? { get }
    /// The folder it owns for this topology: stale files there are removed, also when the
    /// topology no longer asks for the target.
    static func folder(for topology: Topology) -> String
    /// Its files (none when the topology does not ask for it), every path under `folder`.
    static func files(for topology: Topology, header: GeneratedHeader) -> [GeneratedFile]
}

extension DeploymentTarget {
    static var reader: (any TargetReader.Type)? { nil }
}
