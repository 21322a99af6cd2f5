/// The ACL users a generated deployment defines for itself, next to the topology's own, each
/// allowed exactly what its job needs: a topology may not take their names.
public enum DeploymentUser: String, CaseIterable, Sendable {
    /// The Sentinels' user on the nodes (with `sentinel.password`).
    case sentinel
    /// The health check's user, in every container it probes.
    case healthcheck

    public var purpose: String {
        switch self {
        case .sentinel: "the Sentinels' user on the nodes"
        case .healthcheck: "the health check's user"
        }
    }
}
