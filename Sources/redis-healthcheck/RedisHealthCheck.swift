import InfraSupport
import HealthCheck
import HealthCheckContract
import Logging
import RedisClientCore

#if canImport(Glibc)
import Glibc
#endif

/// `redis-healthcheck probe|smoke`. Exit 0 healthy, 1 unhealthy (Docker's contract), 2 usage.
@main
enum RedisHealthCheck {
    static let usage = """
        usage: redis-healthcheck probe [--role auto|master|replica|sentinel] [--mode readiness|liveness]
                                       [--url URL] [--master-name NAME] [--timeout SECONDS]
                                       [--max-lag SECONDS] [--replicas N] [--format text|json]
               redis-healthcheck smoke [--url URL] [--timeout SECONDS] [--format text|json]
                                       [--junit FILE] [--metrics-file FILE]
                                       [--failover [--acks N] [--trigger sentinel|external]
                                                                  [--duration SECONDS] [--keep]]

        Health checks that judge what Redis answers, never a stub. Credentials come from the
        URL, else REDIS_PASSWORD_FILE, REDIS_PASSWORD or REDISCLI_AUTH (and REDIS_USERNAME);
        never from arguments. Without --url the URL is resolved as the factory resolves it
        (EMBEDDINGS_REDIS_URL, REDIS_URL, ...). URLs may be redis+sentinel://.

        probe: one server by its role; one line on stdout says why. --timeout is one deadline
               for the whole probe, connect included (default 2). --replicas N: a Sentinel
               is ready only when it knows N replicas of its master (in any state).
        smoke: every command family under a unique key prefix, cleaned up after; exit 1 on any
               failed step. --failover: acknowledged writes through a SENTINEL FAILOVER
               (--trigger external: through whatever you do to the master meanwhile, a kill or
               a cut network; with a plain URL the drill writes to that server for --duration
               seconds). --keep leaves the keys and prints the acknowledged sequence.
               --metrics-file: the run in node_exporter's textfile format (per step pass/fail
               and seconds, the run's result and time, the connection series), replaced whole.

        """

    static func main() {
        var arguments = Arguments(CommandLine.arguments.dropFirst())
        if arguments.isEmpty {
            writeAll(usage, to: STDERR_FILENO)
            exit(2)
        }
        if arguments.flag("--help") || arguments.flag("-h") {
            writeAll(usage, to: STDOUT_FILENO)
            exit(0)
        }
        let subcommand = CommandLine.arguments[1]
        arguments = Arguments(CommandLine.arguments.dropFirst(2))
        do throws(Arguments.UsageError) {
            switch subcommand {
            case ProbeRequest.subcommand: exit(try ProbeCommand(&arguments).run())
            case "smoke": exit(try SmokeCommand(&arguments).run())
            default: throw Arguments.UsageError(message: "unknown command '\(subcommand)' (probe or smoke)")
            }
        } catch {
            writeAll("error: \(error.message)\n\(usage)", to: STDERR_FILENO)
            exit(2)
        }
    }
}

enum OutputFormat: String, CaseIterable { case text, json }

/// Connection options every subcommand shares: one timeout, credentials from the environment.
/// No log handler and no metrics: the process prints its verdict and exits before anything
/// could read either, and creating them touched a megabyte of code.
func healthCheckConnection(timeout seconds: Double) -> ConnectionOptions {
    var connection = ConnectionOptions(logger: Logger(label: "redis-healthcheck") { _ in SwiftLogNoOpLogHandler() }, metrics: .disabled)
    let deadline = Duration.milliseconds(Int64(seconds * 1000))
    connection.connectTimeout = deadline
    connection.commandTimeout = deadline
    // A probe or smoke test reads small replies; a server announcing a huge one is unhealthy,
    // not a reason to hold hundreds of megabytes.
    connection.maxReplyBytes = 16 << 20
    connection.settings = RedisSettings()
    // Credentials as redis-cli takes them too: REDIS_PASSWORD and REDISCLI_AUTH.
    connection.environmentCredentials = .passwordFileOrVariables
    return connection
}
