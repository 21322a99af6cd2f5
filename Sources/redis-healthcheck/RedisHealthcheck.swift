import ArgumentParser
import Dispatch
import HealthCheck
import RedisFactory

#if canImport(Glibc)
import Glibc
#endif

@main
struct RedisHealthcheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redis-healthcheck",
        abstract: "Health checks that judge what Redis answers. Exit 0 healthy, 1 unhealthy, 2 usage.",
        subcommands: [ProbeCommand.self, SmokeCommand.self]
    )

    /// Usage errors exit 2 (Docker reads 1 as unhealthy); argument-parser's default is 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure || code.rawValue == 64 {
                writeAll(fullMessage(for: error) + "\n", to: STDERR_FILENO)
                Glibc.exit(2)
            }
            exit(withError: error)
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument { case text, json }

extension ProbeRole: ExpressibleByArgument {}
extension ProbeMode: ExpressibleByArgument {}

struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Probe one server by its role; one line on stdout says why.",
        discussion: """
            Credentials come from REDIS_PASSWORD_FILE, REDIS_PASSWORD or REDISCLI_AUTH (and \
            REDIS_USERNAME), or the URL; never from arguments. Without --url the URL is resolved \
            as the factory resolves it (REDIS_URL, ...). Never falls back to a stub.
            """
    )

    @Option(help: "Role to check: auto (read ROLE), master, replica or sentinel.")
    var role: ProbeRole = .auto

    @Option(help: "liveness (the process answers) or readiness (it can serve).")
    var mode: ProbeMode = .readiness

    @Option(help: "Redis URL (credentials in it are never printed).")
    var url: String?

    @Option(help: "Master name, for sentinel checks.")
    var masterName = "mymaster"

    @Option(help: "One deadline for the whole probe, connect included, in seconds.")
    var timeout: Double = 2

    @Option(help: "Largest replica lag accepted (master_last_io_seconds_ago), in seconds.")
    var maxLag: Int = 10

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        guard timeout > 0 && timeout <= 300 else { throw ValidationError("--timeout must be above 0 and at most 300 seconds") }
        guard maxLag >= 0 else { throw ValidationError("--max-lag must not be negative") }
    }

    func run() throws {
        var options = ProbeOptions()
        options.role = role
        options.mode = mode
        options.masterName = masterName
        options.maxLagSeconds = maxLag
        var connection = ConnectionOptions()
        let deadline = Duration.milliseconds(Int64(timeout * 1000))
        connection.connectTimeout = deadline
        connection.commandTimeout = deadline
        connection.settings = RedisSettings()
        connection.logger.logLevel = .critical
        ProbeCredentials.apply(to: &connection)

        // One hard deadline for everything: a blackholed server must not hold the probe past it.
        let verdict = Self.withDeadline(seconds: timeout) { [url, connection, options] in
            Probe.run(url: url, options: options, connection: connection)
        } ?? .unhealthy("no answer within the \(timeout)s deadline")
        switch format {
        case .text:
            writeAll(verdict.line + "\n", to: STDOUT_FILENO)
        case .json:
            let role = verdict.role.map { "\"\($0)\"" } ?? "null"
            writeAll("{\"healthy\":\(verdict.healthy),\"role\":\(role),\"mode\":\"\(mode.rawValue)\",\"reason\":\(jsonQuoted(verdict.reason))}\n", to: STDOUT_FILENO)
        }
        if !verdict.healthy { throw ExitCode(1) }
    }

    static func withDeadline(seconds: Double, _ body: @escaping @Sendable () -> Verdict) -> Verdict? {
        final class Box: @unchecked Sendable { var verdict: Verdict? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            box.verdict = body()
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return box.verdict
    }
}
