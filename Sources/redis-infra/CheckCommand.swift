import ArgumentParser
import RedisFactory

/// `redis-infra check`: which Redis would the factory use, and does it answer?
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Resolve the Redis URL as the factory does, connect, and report what answered.",
        discussion: """
            URL order: --url, settings EMBEDDINGS_REDIS_URL, env EMBEDDINGS_REDIS_URL, settings \
            REDIS_URL, env REDIS_URL, redis://127.0.0.1:6379. Settings come from --settings or \
            the file named by REDIS_INFRA_SETTINGS. Exit 0 when a client was made (real, or the \
            stub without --strict), 1 when Redis is unreachable with --strict, 2 on bad input.
            """
    )

    @Option(help: "Redis URL; credentials are never printed.")
    var url: String?

    @Option(help: "A settings file (KEY=VALUE lines) to resolve the URL from.")
    var settings: String?

    @Flag(help: "Do not fall back to the in-memory stub: exit 1 when Redis is unreachable.")
    var strict = false

    @Option(help: "Connect timeout in seconds (default: the URL's connect_timeout, else 1).")
    var connectTimeout: Double?

    @Option(help: "The context label used in the factory's metrics.")
    var context = "redis-infra-check"

    @Option(help: "Output format: text, json, or prometheus (the check as gauges and the factory's own series, for a textfile collector).")
    var format: CheckFormat = .text

    func validate() throws {
        if url == "" {
            throw ValidationError("--url is empty; leave it out to resolve the URL from the settings and environment")
        }
        if let connectTimeout, !(connectTimeout > 0 && connectTimeout <= 3600) {
            throw ValidationError("--connect-timeout must be a number of seconds above 0")
        }
    }

    func run() throws {
        var options = ConnectionOptions()
        options.connectTimeout = connectTimeout.map { .milliseconds(Int64(($0 * 1000).rounded())) }
        let report: CheckReport
        do {
            if let settings { options.settings = try RedisSettings.load(path: settings) }
            let client = try RedisFactory.makeClient(
                preferredURL: url, fallbackToFake: !strict, context: context, options: options
            )
            report = CheckReport.probe(client)
        } catch let error as RedisError {
            if case .invalidURL = error { throw usageFailure(error) }
            if case .settings = error { throw usageFailure(error) }
            let resolved = try? RedisFactory.resolveURL(preferredURL: url, options: options)
            CheckReport.unreachable(resolved, error: error).print(format)
            throw ExitCode(1)
        }
        report.print(format)
    }

    private func usageFailure(_ error: RedisError) -> Error {
        printError("error: \(error)")
        return ExitCode(2)
    }
}
