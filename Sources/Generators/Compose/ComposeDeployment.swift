import Topology

/// `compose/<name>/`: the Redis overlay, the clients overlay, node configs, start.sh and
/// .env.example of a self-hosted deployment, all from one `DeploymentPlan`.
enum ComposeDeployment: DeploymentTarget {
    static var reader: (any TargetReader.Type)? { ComposeTarget.self }

    static func folder(for topology: Topology) -> String { "compose/\(topology.name.value)" }

    static func files(for topology: Topology, header: GeneratedHeader) -> [GeneratedFile] {
        guard let compose = topology.target(ComposeTarget.self) else { return [] }
        let plan = DeploymentPlan(topology: topology, compose: compose)
        var files = [ComposeOverlay.file(plan: plan, header: header)]
        if let clients = ComposeOverlay.clientsFile(plan: plan, header: header) { files.append(clients) }
        files += plan.nodes.map { NodeConfigs.redis($0, plan: plan, header: header) }
        if plan.isHA { files.append(NodeConfigs.sentinel(plan: plan, header: header)) }
        files.append(StartScript.file(plan: plan, header: header))
        files.append(EnvExample.file(plan: plan, header: header))
        return files
    }
}
