import Foundation

/// `redis-infra stub-server` started as a process on a free loopback port (or a unix socket),
/// stopped with SIGTERM when the test lets go of it.
public final class StubServerProcess: @unchecked Sendable {
    public let port: Int?
    public let socketPath: String?
    public let process: Process
    private var exitStatus: Int32?

    public var url: String { socketPath.map { "unix://\($0)" } ?? "redis://127.0.0.1:\(port!)" }

    public init(unixSocket: String? = nil, arguments: [String] = []) throws {
        process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("redis-infra")
        process.arguments = ["stub-server"] + (unixSocket.map { ["--unix", $0] } ?? ["--port", "0"]) + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        ChildProcesses.track(process.processIdentifier)
        // The first line says where it listens, once it does.
        var line = Data()
        while line.last != UInt8(ascii: "\n") {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            guard !byte.isEmpty else { throw TestSupportError("stub-server exited before listening") }
            line += byte
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("listening on ") else { throw TestSupportError("stub-server said: \(text)") }
        let place = String(text.dropFirst("listening on ".count))
        socketPath = unixSocket
        port = unixSocket == nil ? Int(place.split(separator: ":").last!) : nil
    }

    /// SIGTERM, then the exit status (0 on a clean shutdown).
    @discardableResult
    public func terminate() -> Int32 {
        if let exitStatus { return exitStatus }
        process.terminate()
        process.waitUntilExit()
        ChildProcesses.untrack(process.processIdentifier)
        exitStatus = process.terminationStatus
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        ChildProcesses.untrack(process.processIdentifier)
    }
}

/// One command as a redis-cli input line: every argument double-quoted, with escapes.
public func redisCLILine(_ command: [String]) -> String {
    command.map { argument in
        var quoted = "\""
        for byte in argument.utf8 {
            switch byte {
            case UInt8(ascii: "\""): quoted += "\\\""
            case UInt8(ascii: "\\"): quoted += "\\\\"
            case 10: quoted += "\\n"
            case 32...126: quoted.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16)
                quoted += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return quoted + "\""
    }.joined(separator: " ")
}
