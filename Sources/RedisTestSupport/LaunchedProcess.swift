import Foundation

/// A long-running program a test starts (a generated start script that execs redis-server),
/// ready once its loopback port accepts connections, killed when the test lets go of it.
public final class LaunchedProcess: @unchecked Sendable {
    public let port: Int
    private let process: Process

    public init(_ executable: String, _ arguments: [String], environment: [String: String], port: Int, log: URL) throws {
        self.port = port
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        try process.run()
        ChildProcesses.track(process.processIdentifier)
        do {
            try waitUntilListening(process, port: port, log: log)
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    public var isRunning: Bool { process.isRunning }

    /// SIGKILL, as a crash would (and SIGTERM may be blocked in a child of a test thread).
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        ChildProcesses.untrack(process.processIdentifier)
    }
}

/// Waits until a freshly started server accepts connections on `port` (and `ready` holds),
/// for at most 10 s; if it exits first, the error carries the end of its log.
func waitUntilListening(_ process: Process, port: Int, log: URL, ready: () -> Bool = { true }) throws {
    let deadline = Date().addingTimeInterval(10)
    while !canConnect(port: port) || !ready() {
        guard process.isRunning else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw TestSupportError("\(process.executableURL?.lastPathComponent ?? "server") exited at start (port \(port)): \(text.suffix(800))")
        }
        guard Date() < deadline else {
            throw TestSupportError("\(process.executableURL?.lastPathComponent ?? "server") did not listen on port \(port) within 10 s")
        }
        usleep(10_000)
    }
}

/// Polls until `condition` holds or `seconds` pass; returns whether it held.
public func eventually(within seconds: Double, every interval: Double = 0.1, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(UInt32(interval * 1_000_000))
    }
    return condition()
}
