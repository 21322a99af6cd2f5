import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

@main
struct RedisInfra: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redis-infra",
        abstract: "Redis deployment tooling: client checks, topology generation.",
        subcommands: [CheckCommand.self, ValidateCommand.self, GenerateCommand.self, CLICommand.self, StubServerCommand.self]
    )

    /// Usage mistakes (an unknown flag, a missing file argument, an out-of-range value) exit 2,
    /// as the README documents and as the health check does; ArgumentParser's own code is 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            guard code == .validationFailure else { exit(withError: error) }
            let message = fullMessage(for: error)
            if !message.isEmpty { printError(message) }
            Glibc.exit(2)
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `check` also speaks Prometheus's text format.
enum CheckFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, prometheus
}
