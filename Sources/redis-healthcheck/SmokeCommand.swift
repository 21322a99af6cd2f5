import ArgumentParser
import HealthCheck
import RedisFactory

#if canImport(Glibc)
import Glibc
#endif

/// `redis-healthcheck smoke`: the staging smoke test, as a table, JSON or JUnit.
struct SmokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smoke",
        abstract: "Exercise every command family against a real server; exit 1 on any failed step."
    )

    @Option(help: "Redis URL (default: the factory's resolution order).")
    var url: String?

    @Option(help: "Connect and per-command timeout, in seconds.")
    var timeout: Double = 5

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Option(help: "Also write a JUnit XML report to this file.")
    var junit: String?

    func run() throws {
        var connection = ConnectionOptions()
        connection.connectTimeout = .milliseconds(Int64(timeout * 1000))
        connection.commandTimeout = .milliseconds(Int64(timeout * 1000))
        connection.settings = RedisSettings()
        connection.logger.logLevel = .critical
        ProbeCredentials.apply(to: &connection)
        let client: RedisClient
        do {
            client = try RedisFactory.makeClient(preferredURL: url, fallbackToFake: false, context: "smoke", options: connection)
        } catch {
            writeAll("smoke: cannot connect: \(error)\n", to: STDOUT_FILENO)
            throw ExitCode(1)
        }
        let steps = SmokeTest(client: client).run()
        switch format {
        case .text:
            var text = "step".padding(36) + "result  ms\n"
            for step in steps {
                text += step.name.padding(36) + (step.passed ? "pass    " : "FAIL    ") + threeDecimals(step.milliseconds)
                text += step.passed ? "\n" : "  \(step.detail)\n"
            }
            writeAll(text, to: STDOUT_FILENO)
        case .json:
            let rows = steps.map { "{\"step\":\(jsonQuoted($0.name)),\"passed\":\($0.passed),\"ms\":\(threeDecimals($0.milliseconds)),\"detail\":\(jsonQuoted($0.detail))}" }
            writeAll("[" + rows.joined(separator: ",") + "]\n", to: STDOUT_FILENO)
        }
        if let junit { try writeJUnit(steps, to: junit) }
        if steps.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }

    private func writeJUnit(_ steps: [SmokeTest.Step], to path: String) throws {
        func escape(_ text: String) -> String {
            text.replacingAll("&", "&amp;").replacingAll("<", "&lt;").replacingAll(">", "&gt;").replacingAll("\"", "&quot;")
        }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuite name=\"redis-smoke\" tests=\"\(steps.count)\" failures=\"\(steps.filter { !$0.passed }.count)\">\n"
        for step in steps {
            xml += "  <testcase name=\"\(escape(step.name))\" time=\"\(threeDecimals(step.milliseconds / 1000))\""
            xml += step.passed ? "/>\n" : ">\n    <failure message=\"\(escape(step.detail))\"/>\n  </testcase>\n"
        }
        xml += "</testsuite>\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ValidationError("cannot write '\(path)'") }
        defer { close(fd) }
        writeAll(xml, to: fd)
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }

    func replacingAll(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
