import Topology

/// One deployment target on the generator's side: the folder it owns under `--out`, named
/// here once, and its files, a pure function of the topology. Its keys, catalogue, reader and
/// rules live in the Topology module's `Targets/` folder of the same name.
///
/// To add a target: a folder with a type conforming to this protocol, and one line in
/// `Generator.targets`.
protocol DeploymentTarget {
    /// The folder it owns for this topology: stale files there are removed, also when the
    /// topology no longer asks for the target.
    static func folder(for topology: Topology) -> String
    /// Its files (none when the topology does not ask for it), every path under `folder`.
    static func files(for topology: Topology, header: GeneratedHeader) -> [GeneratedFile]
}
