import Topology

/// Topology in, files out: every generator is a pure function of the topology, and the result
/// is sorted by path, so the same input always gives the same bytes in the same order.
public enum Generator {
    /// - Parameter source: the topology's file name, written into each file's header (the
    ///   name only, so that output does not depend on where the checkout is).
    public static func files(for topology: Topology, source: String) -> [GeneratedFile] {
        let header = GeneratedHeader(source: source.split(separator: "/").last.map(String.init) ?? source)
        var files: [GeneratedFile] = []
        var plan: DeploymentPlan?
        if let compose = topology.targets.compose {
            let deployment = DeploymentPlan(topology: topology, compose: compose)
            plan = deployment
            files.append(ComposeOverlay.file(plan: deployment, header: header))
            if let clients = ComposeOverlay.clientsFile(plan: deployment, header: header) { files.append(clients) }
            files += deployment.nodes.map { NodeConfigs.redis($0, plan: deployment, header: header) }
            if deployment.isHA { files.append(NodeConfigs.sentinel(plan: deployment, header: header)) }
            files.append(StartScript.file(plan: deployment, header: header))
            files.append(EnvExample.file(plan: deployment, header: header))
        }
        files += HealthcheckScripts.files(topology: topology, plan: plan, header: header)
        for target in topology.targets.terraform {
            switch target {
            case .aws(let aws): files += AWSModule.module(topology, aws).files(header: header)
            case .gcp(let gcp): files += GCPModule.module(topology, gcp).files(header: header)
            }
        }
        return files.sorted { $0.path < $1.path }
    }
}
