import Topology

/// `terraform/<name>/<provider>/`: one module per `targets.terraform[]` entry, by provider.
enum TerraformModules: DeploymentTarget {
    static var reader: (any TargetReader.Type)? { TerraformTarget.self }

    static func folder(for topology: Topology) -> String { "terraform/\(topology.name.value)" }

    static func files(for topology: Topology, header: GeneratedHeader) -> [GeneratedFile] {
        topology.targets(of: TerraformTarget.self).flatMap { target -> [GeneratedFile] in
            let directory = "\(folder(for: topology))/\(target.provider.rawValue)"
            let module = switch target {
            case .aws(let aws): AWSModule.module(topology, aws, directory: directory)
            case .gcp(let gcp): GCPModule.module(topology, gcp, directory: directory)
            }
            return module.files(header: header)
        }
    }
}
