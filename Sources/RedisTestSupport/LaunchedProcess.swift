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
        let deadline = Date().addingTimeInterval(10)
        while !canConnect(port: port) {
            guard process.isRunning else {
                let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                throw TestSupportError("\(executable) exited at start (port \(port)): \(text.suffix(800))")
            }
            guard Date() < deadline else {
                stop()
                throw TestSupportError("\(executable) did not listen on port \(port) within 10 s")
            }
            usleep(10_000)
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
