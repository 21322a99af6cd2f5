import Foundation

/// The result of running one of the package's executables.
public struct CommandResult: Sendable {
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String
}

/// Where SwiftPM put the package's executables: beside the test bundle.
public var productsDirectory: URL {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
    while directory.path != "/" && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("redis-infra").path) {
        directory = directory.deletingLastPathComponent()
    }
    return directory
}

/// The package's root folder, where scripts/test.sh puts `.venv-tools`.
public var packageRoot: URL {
    var directory = productsDirectory
    while directory.path != "/" && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
        directory = directory.deletingLastPathComponent()
    }
    return directory
}

/// Runs a product with arguments and an environment of its own (nothing inherited but PATH).
public func runProduct(
    _ name: String, _ arguments: [String], environment: [String: String] = [:], stdin: String = ""
) throws -> CommandResult {
    try runSystem(
        productsDirectory.appendingPathComponent(name).path, arguments, stdin: stdin,
        environment: environment.merging(["PATH": "/usr/bin:/bin"], uniquingKeysWith: { mine, _ in mine })
    )
}

/// Runs a program with arguments and stdin, capturing stdout and stderr; both pipes are read
/// to the end before waiting, so a chatty child cannot block on a full pipe.
public func runSystem(_ path: String, _ arguments: [String], stdin: String = "", environment: [String: String]? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    let group = DispatchGroup()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    DispatchQueue.global().async {
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try? input.fileHandleForWriting.close()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return CommandResult(
        exitCode: process.terminationStatus,
        stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self)
    )
}
