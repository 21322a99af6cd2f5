import InfraSupport
import ArgumentParser
import RedisFactory
import RedisStub

#if canImport(Glibc)
import Glibc
#endif

/// `redis-infra cli`: commands from stdin, one per line with redis-cli's quoting, each reply
/// printed exactly as `redis-cli` prints it when its output is not a terminal.
struct CLICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cli",
        abstract: "Send commands from stdin to the stub or a server; print replies as redis-cli does.",
        discussion: """
            Reads one command per line (redis-cli quoting: "double" with \\n \\xHH escapes, \
            'single'), a leading number repeats the command, quit or exit stops. Without --stub \
            or --url the URL is resolved as the factory does, falling back to the stub.
            """
    )

    @Flag(help: "Use a fresh in-memory stub.")
    var stub = false

    @Option(help: "A Redis URL to connect to (no fallback to the stub).")
    var url: String?

    func validate() throws {
        if stub && url != nil { throw ValidationError("--stub and --url exclude each other") }
        if url == "" { throw ValidationError("--url is empty; leave it out to resolve the URL from the settings and environment") }
    }

    func run() throws {
        let connection: any RedisConnection
        do {
            if stub {
                connection = InMemoryRedis()
            } else {
                connection = try RedisFactory.makeClient(
                    preferredURL: url, decodeResponses: false, fallbackToFake: url == nil, context: "redis-infra-cli"
                )
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode(url == nil ? 2 : 1)
        }
        for line in try readStandardInput().split(separator: 10, omittingEmptySubsequences: false) {
            guard !line.isEmpty else { continue }
            guard var arguments = CommandLineSplitter.split(Array(line)) else {
                writeStandardOutput(Array("Invalid argument(s)\n".utf8))
                continue
            }
            guard let first = arguments.first else { continue }
            let name = String(decoding: first, as: UTF8.self).lowercased()
            if name == "quit" || name == "exit" { return }
            var repeatCount = 1
            if arguments.count > 1, let count = Int(String(decoding: first, as: UTF8.self)) {
                guard count > 0 else {
                    writeStandardOutput(Array("Invalid redis-cli repeat command option value.\n".utf8))
                    continue
                }
                repeatCount = count
                arguments.removeFirst()
            }
            for _ in 0..<repeatCount {
                do {
                    writeStandardOutput(RawReplyFormat.render(try connection.send(arguments)) + [10])
                } catch {
                    printError("error: \(error)")
                    throw ExitCode(1)
                }
            }
        }
    }
}

/// redis-cli's raw output (`cliFormatReplyRaw`), used whenever its stdout is not a terminal:
/// strings as they are, integers in decimal, nil as nothing, errors followed by a newline,
/// array elements one per line, nested arrays flattened.
enum RawReplyFormat {
    static func render(_ reply: RedisValue) -> [UInt8] {
        switch reply {
        case .null: return []
        case .error(let message): return Array(message.utf8) + [10]
        case .simpleString(let text): return Array(text.utf8)
        case .bulkString(let bytes): return bytes
        case .integer(let number): return Array(String(number).utf8)
        case .array(let elements):
            var out: [UInt8] = []
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(10) }
                out += render(element)
            }
            return out
        }
    }
}

func readStandardInput() throws -> [UInt8] {
    try readWholeFile("/dev/stdin", limit: 1 << 30, regularFileOnly: false)
}

func writeStandardOutput(_ bytes: [UInt8]) {
    writeAll(bytes, to: STDOUT_FILENO)
}
