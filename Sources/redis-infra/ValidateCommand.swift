import ArgumentParser
import RedisFactory
import Topology

#if canImport(Glibc)
import Glibc
#endif

/// `redis-infra validate FILE...`: every problem in every topology, located like a compiler's.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check topology files; report every problem as FILE:LINE:COL: error: ...",
        discussion: "Exit 0 when valid (warnings allowed), 1 when any file has an error, 2 on usage or an unreadable file."
    )

    @Argument(help: "Topology YAML files.")
    var files: [String]

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one topology file") }
    }

    func run() throws {
        let diagnostics = DiagnosticsCollector()
        var unreadable = false
        for file in files {
            guard let bytes = readFile(file) else {
                printError("error: cannot read '\(file)': \(String(cString: strerror(errno)))")
                unreadable = true
                continue
            }
            _ = TopologyLoading.load(bytes, file: file, diagnostics: diagnostics)
        }
        let found = diagnostics.sorted
        switch format {
        case .text:
            writeStandardOutput(Array(found.map { $0.description + "\n" }.joined().utf8))
        case .json:
            let rows = found.map { item in
                "{\"file\":\(jsonQuoted(item.location.file)),\"line\":\(item.location.line),\"column\":\(item.location.column),"
                    + "\"severity\":\(jsonQuoted(item.severity.rawValue)),\"message\":\(jsonQuoted(item.message))}"
            }
            writeStandardOutput(Array(("[" + rows.joined(separator: ",") + "]\n").utf8))
        }
        if unreadable { throw ExitCode(2) }
        if diagnostics.hasErrors { throw ExitCode(1) }
    }
}

/// A whole file, or nil (errno set) when it cannot be read.
func readFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var contents: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 && errno == EINTR { continue }
        if count < 0 { return nil }
        if count == 0 { return contents }
        contents += chunk[0..<count]
    }
}
