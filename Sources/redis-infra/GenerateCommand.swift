import InfraSupport
import ArgumentParser
import Generators
import Topology

#if canImport(Glibc)
import Glibc
#endif

/// `redis-infra generate FILE...`: YAML -> Topology -> files, all or nothing.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write Compose overlays, node configs, health-check scripts and Terraform modules for topologies.",
        discussion: """
            Writes under OUT: compose/<name>/, healthchecks/<name>/, terraform/<name>/<provider>/. Identical input gives identical \
            bytes. Nothing is written when any topology has an error. --check writes nothing and \
            exits 1 listing every file that is missing, differs or is stale.
            """
    )

    @Argument(help: "Topology YAML files.")
    var files: [String]

    @Option(name: .customLong("out"), help: "Output root directory.")
    var outputRoot = "."

    @Flag(help: "Compare with what is on disk instead of writing.")
    var check = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one topology file") }
    }

    func run() throws {
        let diagnostics = DiagnosticsCollector()
        var generated: [GeneratedFile] = []
        var owned: [String] = []
        var together = TopologySetRules(diagnostics: diagnostics)
        for file in files {
            guard let bytes = readTopologyFile(file) else { throw ExitCode(2) }
            guard let topology = TopologyLoading.load(bytes, file: file, diagnostics: diagnostics, targets: Generator.targetReaders) else { continue }
            guard together.admit(topology) else { continue }
            generated += Generator.files(for: topology, source: file)
            owned += Generator.ownedFolders(for: topology)
        }
        let found = diagnostics.sorted
        if !found.isEmpty { printError(found.map(\.description).joined(separator: "\n")) }
        if diagnostics.hasErrors {
            printError("error: nothing written: fix the errors above")
            throw ExitCode(1)
        }

        let tree = OutputTree(root: outputRoot)
        if check {
            let differences: [OutputTree.Difference]
            do {
                try OutputTree.checkPaths(generated)
                differences = try tree.locked(exclusive: false) { () throws(OutputTree.WriteError) in tree.differences(generated, ownedDirectories: owned) }
            } catch {
                printError("error: \(error.description)")
                throw ExitCode(1)
            }
            if differences.isEmpty {
                writeStandardOutput(Array("up to date: \(generated.count) files\n".utf8))
                return
            }
            writeStandardOutput(Array(differences.map { "\($0)\n" }.joined().utf8))
            printError("error: \(differences.count) generated file(s) out of date; run: redis-infra generate \(files.joined(separator: " "))")
            throw ExitCode(1)
        }
        do {
            try OutputTree.checkPaths(generated)
            let (written, stale) = try tree.locked(exclusive: true) { () throws(OutputTree.WriteError) in
                let stale = tree.staleFiles(generated, ownedDirectories: owned)
                return (try tree.write(generated, removing: stale), stale)
            }
            let lines = written.map { "wrote \($0)\n" } + stale.map { "removed \($0)\n" }
                + ["\(generated.count) files, \(written.count) changed, \(stale.count) removed\n"]
            writeStandardOutput(Array(lines.joined().utf8))
        } catch {
            printError("error: \(error.description)" + (error.partial ? "" : "; nothing changed"))
            throw ExitCode(1)
        }
    }
}
