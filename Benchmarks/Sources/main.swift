import Foundation

// Benchmarks that measure against real anchors in the same run; see docs/benchmarks.md.
//   redis-infra-benchmarks fallback [runs]   the factory's fallback decision vs redis-py
//   redis-infra-benchmarks stub [--quick]    the stub vs a loopback redis-server, and the
//                                            stub-server vs redis-server under redis-benchmark
//   redis-infra-benchmarks probe [runs] [--binary PATH]   redis-healthcheck probe vs redis-cli ping

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "fallback":
    try fallbackBenchmark(runs: arguments.dropFirst().first.flatMap(Int.init) ?? 20)
case "stub":
    try stubBenchmark(quick: arguments.contains("--quick"))
case "probe":
    let rest = Array(arguments.dropFirst())
    let binary = rest.firstIndex(of: "--binary").flatMap { $0 + 1 < rest.count ? rest[$0 + 1] : nil }
    try probeBenchmark(runs: rest.first.flatMap(Int.init) ?? 30, binary: binary)
default:
    print("usage: redis-infra-benchmarks fallback [runs] | stub [--quick] | probe [runs] [--binary PATH]")
    exit(2)
}
