// Compiled into one module with the Topology sources (see scripts/fuzz-topology.sh).

/// libFuzzer entry: any bytes through load → read → validate must end in a topology or in
/// located diagnostics, never in a crash, a hang or unbounded memory.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: data, count: size))
    let diagnostics = DiagnosticsCollector()
    // No targets: those are the generator's, fuzzed with it by scripts/fuzz-generate.sh.
    let topology = TopologyLoading.load(bytes, file: "fuzz.yaml", diagnostics: diagnostics, targets: [])
    if topology == nil && !diagnostics.hasErrors { fatalError("rejected without an error") }
    for diagnostic in diagnostics.diagnostics where diagnostic.location.line < 1 || diagnostic.location.column < 1 {
        fatalError("unlocated diagnostic: \(diagnostic)")
    }
    return 0
}
