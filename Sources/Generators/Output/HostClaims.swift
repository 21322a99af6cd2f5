import Topology

/// What a topology's Compose deployment takes on its Docker host: its network's subnet and the
/// loopback ports it publishes. Two deployments on one host must not share either.
public struct HostClaims: Sendable {
    public var subnet: Located<String>
    public var ports: [(port: Int, location: SourceLocation)]

    /// nil when the topology has no Compose target.
    public init?(_ topology: Topology) {
        guard let compose = topology.target(ComposeTarget.self) else { return nil }
        let plan = DeploymentPlan(topology: topology, compose: compose)
        subnet = Located(plan.subnet, at: compose.subnet?.location ?? compose.file.location)
        guard compose.publishPort.value else {
            ports = []
            return
        }
        let at = compose.publishPort.location
        ports = plan.nodes.map { (plan.publishedPort(of: $0), at) } + plan.sentinels.indices.map { (plan.publishedSentinelPort(index: $0), at) }
    }
}
