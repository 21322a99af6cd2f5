// Compiled into one module with the Generators sources, over a Topology module built from
// its sources (see scripts/fuzz-generate.sh).
import Glibc
import Topology

/// A scratch root per process, and a sibling that must stay empty: whatever a topology says,
/// generated files land under the root and nowhere else.
private let scratch: (root: String, outside: String) = {
    let base = "/tmp/redis-infra-generate-fuzz-\(getpid())"
    mkdir(base, 0o700)
    mkdir(base + "/out", 0o700)
    mkdir(base + "/outside", 0o700)
    return (base + "/out", base + "/outside")
}()

/// libFuzzer entry: any bytes through load → validate → generate. A valid topology must give
/// files whose paths stay in its own three folders, each once; writing them under the root
/// must leave its sibling untouched.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    let diagnostics = DiagnosticsCollector()
    guard let topology = TopologyLoading.load(bytes, file: "fuzz.yaml", diagnostics: diagnostics, targets: Generator.targetReaders), !diagnostics.hasErrors else { return 0 }
    let name = topology.name.value
    let owned = ["compose/\(name)/", "healthchecks/\(name)/", "terraform/\(name)/"]
    var seen: Set<String> = []
    for file in Generator.files(for: topology, source: "fuzz.yaml") {
        let parts = file.path.split(separator: "/", omittingEmptySubsequences: false)
        if file.path.hasPrefix("/") || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            fatalError("a path leaves the output root: \(file.path)")
        }
        if !owned.contains(where: { file.path.hasPrefix($0) }) { fatalError("a path outside the topology's folders: \(file.path)") }
        if !seen.insert(file.path).inserted { fatalError("two files at \(file.path)") }
        write(file.path, file.contents)
    }
    if let directory = opendir(scratch.outside) {
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if entryName != "." && entryName != ".." { fatalError("written outside the root: \(entryName)") }
        }
    }
    return 0
}

private func write(_ relative: String, _ contents: String) {
    var path = scratch.root
    for part in relative.split(separator: "/").dropLast() {
        path += "/" + part
        mkdir(path, 0o700)
    }
    let fd = open(scratch.root + "/" + relative, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
    guard fd >= 0 else { fatalError("cannot write \(relative): errno \(errno)") }
    _ = Array(contents.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    close(fd)
}
