import Topology

/// Topology in, files out: every target is a pure function of the topology, and the result is
/// sorted by path, so the same input always gives the same bytes in the same order.
public enum Generator {
    /// Every target the generator writes, in no particular order (the output is sorted).
    static let targets: [any DeploymentTarget.Type] = [
        ComposeDeployment.self,
        HealthCheckScripts.self,
        MonitoringFiles.self,
        TerraformModules.self,
    ]

    /// - Parameter source: the topology's file name, written into each file's header (the
    ///   name only, so that output does not depend on where the checkout is).
    public static func files(for topology: Topology, source: String) -> [GeneratedFile] {
        let header = GeneratedHeader(source: source.split(separator: "/").last.map(String.init) ?? source)
        return targets.flatMap { $0.files(for: topology, header: header) }.sorted { $0.path < $1.path }
    }

    /// What the topology loader reads under `targets:`: every registered target's reader.
    package static var targetReaders: [any TargetReader.Type] { targets.compactMap { $0.reader } }

    /// The folders under `--out` this topology's targets own, whether or not they write there.
    public static func ownedFolders(for topology: Topology) -> [String] {
        targets.map { $0.folder(for: topology) }
    }
}
