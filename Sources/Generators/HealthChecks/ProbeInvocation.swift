import Topology

/// One `redis-healthcheck probe` call with a topology's settings, shared by the Compose
/// healthcheck and the generated scripts so both always ask the same question.
struct ProbeInvocation {
    var role: String
    var url: String
    var masterName: String?
    var timeout: Duration
    var maxLag: Duration?
    /// Sentinels: the replicas a Sentinel must know before it can fail over.
    var replicas: Int?

    init(role: String, url: String, masterName: String? = nil, replicas: Int? = nil, healthcheck: HealthcheckSettings) {
        self.role = role
        self.url = url
        self.masterName = masterName
        self.replicas = replicas
        // The probe must answer before Docker gives up on it: half a second of margin, or half.
        let limit = healthcheck.timeout.value
        timeout = limit > .seconds(1) ? limit - .milliseconds(500) : limit / 2
        maxLag = role == "sentinel" ? nil : healthcheck.maxReplicaLag.value
    }

    /// Arguments after the binary's name, for an exec list (Compose): mode readiness.
    var arguments: [String] { words(mode: "readiness", url: url, literal: { $0 }) }

    /// The same arguments as words of some other form, where the mode may be an expansion (a
    /// script's `"${REDIS_PROBE_MODE:-...}"`); without a URL the probe reads it from the
    /// environment itself.
    func words<Word>(mode: Word, url: Word?, literal: (String) -> Word) -> [Word] {
        var words = [literal("probe"), literal("--role"), literal(role), literal("--mode"), mode]
        if let url { words += [literal("--url"), url] }
        words += [literal("--timeout"), literal(timeout.secondsText)]
        if let masterName { words += [literal("--master-name"), literal(masterName)] }
        if let replicas { words += [literal("--replicas"), literal(String(replicas))] }
        // Redis reports the lag in whole seconds.
        if let maxLag { words += [literal("--max-lag"), literal(String((maxLag.wholeMilliseconds + 999) / 1000))] }
        return words
    }
}
