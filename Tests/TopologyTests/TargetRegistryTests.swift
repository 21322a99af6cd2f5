import Testing
@testable import Topology
import struct Topology.SourceLocation

/// The loader knows no target: what it reads under `targets:` is what it is handed. A target
/// made here, and nowhere registered in the generator, is read, checked and refused like the
/// real ones.
@Suite struct TargetRegistryTests {
    struct SingleNodeOnly: TargetReader, TargetSettings {
        static let key = "single"
        static let schema = ["targets.single": ["size"]]
        var location: SourceLocation
        var size: Located<Int>
        var runsOwnServers: Bool { false }

        static func read(_ targets: MappingReader, name: Located<String>) -> [any TargetSettings] {
            guard let mapping = targets.child(key) else { return [] }
            defer { mapping.finish() }
            return [SingleNodeOnly(location: mapping.location, size: mapping.int("size", default: 1, range: 1...8))]
        }

        func refusal(of mode: RedisMode) -> String? {
            switch mode {
            case .standalone: nil
            case .sentinel, .cluster: "the single target runs one node; it cannot deploy \(mode.rawValue) mode"
            }
        }

        func check(_ topology: Topology, _ validator: TopologyValidator) {
            if size.value > 4 { validator.error("'targets.single.size' is at most 4 here", at: size.location) }
        }
    }

    func diagnostics(_ text: String, targets: [any TargetReader.Type]) -> [String] {
        let collector = DiagnosticsCollector()
        _ = TopologyLoading.load(Array(text.utf8), file: "t.yaml", diagnostics: collector, targets: targets)
        return collector.sorted.map(\.description)
    }

    @Test func aRegisteredTargetIsReadCheckedAndRefusesAModeAtItsLine() {
        let found = diagnostics("name: a\nredis: {mode: sentinel}\ntargets:\n  single: {size: 5, colour: red}\n", targets: [SingleNodeOnly.self])
        #expect(found.contains("t.yaml:4:11: error: the single target runs one node; it cannot deploy sentinel mode"), "\(found)")
        #expect(found.contains("t.yaml:4:18: error: 'targets.single.size' is at most 4 here"), "\(found)")
        #expect(found.contains("t.yaml:4:21: error: unknown key 'colour' in 'targets.single'"), "\(found)")
    }

    @Test func anUnregisteredTargetIsAnUnknownKey() {
        let found = diagnostics("name: a\ntargets:\n  singel: {}\n", targets: [SingleNodeOnly.self])
        #expect(found == ["t.yaml:3:3: error: unknown key 'singel' in 'targets'; did you mean 'single'?"], "\(found)")
    }
}
