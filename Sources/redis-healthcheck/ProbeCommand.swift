import InfraSupport
import HealthCheck
import HealthCheckContract
import RedisClientCore

#if canImport(Glibc)
import Glibc
#endif

/// `redis-healthcheck probe`: one server judged by its role, one line saying why.
struct ProbeCommand {
    var role: ProbeRole
    var mode: ProbeMode
    var url: String?
    var masterName: String
    var timeout: Double
    var maxLag: Int
    var replicas: Int
    var format: OutputFormat

    init(_ arguments: inout Arguments) throws(Arguments.UsageError) {
        role = try arguments.choice(ProbeFlag.role.rawValue, default: .auto)
        mode = try arguments.choice(ProbeFlag.mode.rawValue, default: .readiness)
        url = try arguments.url()
        masterName = try arguments.option(ProbeFlag.masterName.rawValue) ?? "mymaster"
        timeout = try arguments.number(ProbeFlag.timeout.rawValue, default: 2, in: 0.001...300)
        maxLag = Int(try arguments.number(ProbeFlag.maxLag.rawValue, default: 10, in: 0...86_400).rounded(.up))
        replicas = try arguments.count(ProbeFlag.replicas.rawValue, in: 0...1000) ?? 0
        format = try arguments.choice(ProbeFlag.format.rawValue, default: .text)
        try arguments.finish()
    }

    func run() -> Int32 {
        var options = ProbeOptions()
        options.role = role
        options.mode = mode
        options.masterName = masterName
        options.maxLagSeconds = maxLag
        options.expectedReplicas = replicas
        let verdictIfLate = Verdict.unhealthy("no answer within the \(threeDecimals(timeout))s deadline")
        // One hard deadline for everything: a blackholed server must not hold the probe past it.
        Deadline.arm(seconds: timeout, output: render(verdictIfLate))
        let verdict = Probe.run(url: url, options: options, connection: healthCheckConnection(timeout: timeout))
        Deadline.disarm()
        writeAll(render(verdict), to: STDOUT_FILENO)
        return verdict.healthy ? 0 : 1
    }

    private func render(_ verdict: Verdict) -> String {
        switch format {
        case .text:
            return verdict.line + "\n"
        case .json:
            let role = verdict.role.map { "\"\($0)\"" } ?? "null"
            return "{\"healthy\":\(verdict.healthy),\"role\":\(role),\"mode\":\"\(mode.rawValue)\",\"reason\":\(jsonQuoted(verdict.reason)),\"server\":\(verdict.server.map { jsonQuoted($0.description) } ?? "null")}\n"
        }
    }
}
