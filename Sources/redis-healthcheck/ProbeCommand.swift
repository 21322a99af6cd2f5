import HealthCheck
import RedisFactory

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
    var format: OutputFormat

    init(_ arguments: inout Arguments) throws(Arguments.UsageError) {
        role = try arguments.choice("--role", default: .auto)
        mode = try arguments.choice("--mode", default: .readiness)
        url = try arguments.option("--url")
        masterName = try arguments.option("--master-name") ?? "mymaster"
        timeout = try arguments.number("--timeout", default: 2, in: 0.001...300)
        maxLag = Int(try arguments.number("--max-lag", default: 10, in: 0...86_400).rounded(.up))
        format = try arguments.choice("--format", default: .text)
        try arguments.finish()
    }

    func run() -> Int32 {
        var options = ProbeOptions()
        options.role = role
        options.mode = mode
        options.masterName = masterName
        options.maxLagSeconds = maxLag
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
            return "{\"healthy\":\(verdict.healthy),\"role\":\(role),\"mode\":\"\(mode.rawValue)\",\"reason\":\(jsonQuoted(verdict.reason))}\n"
        }
    }
}

/// SIGALRM after the deadline: print the prepared verdict and exit 1 from the handler. No
/// thread, no Dispatch: the bytes are ready before the timer starts.
enum Deadline {
    nonisolated(unsafe) private static var message: [UInt8] = []

    static func arm(seconds: Double, output: String) {
        message = Array(output.utf8)
        signal(SIGALRM) { _ in
            Deadline.message.withUnsafeBytes { bytes in _ = write(STDOUT_FILENO, bytes.baseAddress, bytes.count) }
            _exit(1)
        }
        let whole = Int(seconds)
        var timer = itimerval(it_interval: timeval(), it_value: timeval(tv_sec: whole, tv_usec: Int((seconds - Double(whole)) * 1_000_000)))
        setitimer(Int32(ITIMER_REAL.rawValue), &timer, nil)
    }

    static func disarm() {
        var off = itimerval()
        setitimer(Int32(ITIMER_REAL.rawValue), &off, nil)
    }
}
