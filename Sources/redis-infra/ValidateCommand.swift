import InfraSupport
import ArgumentParser
import Generators
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
        var together = TopologySetRules(diagnostics: diagnostics)
        for file in files {
            guard let bytes = readTopologyFile(file) else {
                unreadable = true
                continue
            }
            if let topology = TopologyLoading.load(bytes, file: file, diagnostics: diagnostics, targets: Generator.targetReaders) {
                _ = together.admit(topology)
            }
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
