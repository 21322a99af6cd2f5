import HealthCheckContract
import Topology

/// One `redis-healthcheck probe` call with a topology's settings, shared by the Compose
/// healthcheck and the generated scripts so both always ask the same question. The flags are
/// spelt by the contract the binary parses with.
struct ProbeInvocation {
    var url: String
    var request: ProbeRequest
    var role: ProbeRole { request.role }

    init(role: ProbeRole, url: String, masterName: String? = nil, replicas: Int? = nil, healthcheck: HealthCheckSettings) {
        self.url = url
        // The probe must answer before Docker gives up on it: half a second of margin, or half.
        let limit = healthcheck.timeout.value
        let timeout = limit > .seconds(1) ? limit - .milliseconds(500) : limit / 2
        // Redis reports the lag in whole seconds.
        let maxLag = role == .sentinel ? nil : Int((healthcheck.maxReplicaLag.value.wholeMilliseconds + 999) / 1000)
        request = ProbeRequest(role: role, timeout: timeout.secondsText, masterName: masterName, replicas: replicas, maxLagSeconds: maxLag)
    }

    /// Arguments after the binary's name, for an exec list (Compose): mode readiness.
    var arguments: [String] { request.words(mode: ProbeMode.readiness.rawValue, url: url, literal: { $0 }) }
}
