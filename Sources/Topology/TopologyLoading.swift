/// Parse → read → validate, one file: the topology when it has no errors, and every
/// diagnostic (warnings included) in the collector.
public enum TopologyLoading {
    /// - Parameter targets: the targets a topology may name under `targets:` (the generator's
    ///   registry, `Generator.targetReaders`).
    package static func load(_ bytes: [UInt8], file: String, diagnostics: DiagnosticsCollector, targets: [any TargetReader.Type]) -> Topology? {
        guard let root = YAMLLoader().load(bytes, file: file, diagnostics: diagnostics) else { return nil }
        guard let topology = TopologyReader(diagnostics: diagnostics, targets: targets).read(root) else { return nil }
        TopologyValidator(diagnostics: diagnostics).validate(topology)
        return diagnostics.hasErrors ? nil : topology
    }
}
