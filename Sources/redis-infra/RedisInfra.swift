import ArgumentParser

@main
struct RedisInfra: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redis-infra",
        abstract: "Redis deployment tooling: client checks, topology generation.",
        subcommands: [CheckCommand.self, ValidateCommand.self, GenerateCommand.self, CLICommand.self, StubServerCommand.self]
    )
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
