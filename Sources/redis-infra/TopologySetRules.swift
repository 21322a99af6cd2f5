import Generators
import Topology

/// Rules across the topologies of one run (`generate` and `validate` take several): each would
/// be valid alone, but together they would collide on the output tree or on one Docker host.
struct TopologySetRules {
    let diagnostics: DiagnosticsCollector
    private var names: [String: SourceLocation] = [:]
    private var subnets: [String: (name: String, location: SourceLocation)] = [:]
    private var ports: [Int: (name: String, location: SourceLocation)] = [:]

    init(diagnostics: DiagnosticsCollector) {
        self.diagnostics = diagnostics
    }

    /// Adds one topology; false when its name is already taken (its files would overwrite).
    mutating func admit(_ topology: Topology) -> Bool {
        let name = topology.name
        if let first = names[name.value] {
            diagnostics.error("topology name '\(name.value)' is also used by \(Self.place(first)); both would write compose/\(name.value)/", at: name.location)
            return false
        }
        names[name.value] = name.location
        guard let claims = HostClaims(topology) else { return true }
        if let first = subnets[claims.subnet.value] {
            diagnostics.error(
                "subnet \(claims.subnet.value) is also claimed by '\(first.name)' (\(Self.place(first.location))); on one Docker host the second network would not be created. Set 'targets.compose.subnet' to another /24",
                at: claims.subnet.location
            )
        } else {
            subnets[claims.subnet.value] = (name.value, claims.subnet.location)
        }
        for claim in claims.ports {
            if let first = ports[claim.port] {
                diagnostics.error(
                    "host port 127.0.0.1:\(claim.port) is also published by '\(first.name)' (\(Self.place(first.location))); the second deployment would not start",
                    at: claim.location
                )
            } else {
                ports[claim.port] = (name.value, claim.location)
            }
        }
        return true
    }

    private static func place(_ location: SourceLocation) -> String { "\(location.file):\(location.line):\(location.column)" }
}
