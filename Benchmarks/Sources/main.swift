import Foundation

// Benchmarks that measure against real anchors in the same run; see docs/benchmarks.md.
//   redis-infra-benchmarks all [--quick]     every section below, in one table (CI: --quick)
//   redis-infra-benchmarks client [--quick]  the client vs redis-benchmark; TLS; Sentinel discovery
//   redis-infra-benchmarks fallback [runs]   the factory's fallback decision vs redis-py
//   redis-infra-benchmarks stub [--quick]    the stub vs a loopback redis-server, and the
//                                            stub-server vs redis-server under redis-benchmark
//   redis-infra-benchmarks probe [runs] [--binary PATH]   redis-healthcheck probe vs redis-cli ping
//   redis-infra-benchmarks generate [runs]   redis-infra generate, 50-node topology
//   redis-infra-benchmarks memory [commands] client RSS growth over many commands
//   redis-infra-benchmarks cluster [--quick] the cluster client vs redis-benchmark --cluster; a reshard
//   redis-infra-benchmarks engines [--quick] the client and the probe on Redis and on Valkey

let arguments = Array(CommandLine.arguments.dropFirst())
let quick = arguments.contains("--quick")
let count = arguments.dropFirst().first.flatMap(Int.init)
switch arguments.first {
case "all":
    print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB; \(quick ? "quick" : "full") run")
    try await clientBenchmark(quick: quick)
    print("")
    try fallbackBenchmark(runs: quick ? 5 : 20)
    print("")
    try stubBenchmark(quick: quick)
    print("")
    try probeBenchmark(runs: quick ? 10 : 30, binary: nil)
    try generateBenchmark(runs: quick ? 3 : 10)
    try memoryBenchmark(commands: quick ? 100_000 : 1_000_000)
    try await clusterBenchmark(quick: quick)
    try engineBenchmark(quick: quick)
    print("\nall sections done")
case "client":
    try await clientBenchmark(quick: quick)
case "fallback":
    try fallbackBenchmark(runs: count ?? 20)
case "stub":
    try stubBenchmark(quick: quick)
case "probe":
    let rest = Array(arguments.dropFirst())
    let binary = rest.firstIndex(of: "--binary").flatMap { $0 + 1 < rest.count ? rest[$0 + 1] : nil }
    try probeBenchmark(runs: rest.first.flatMap(Int.init) ?? 30, binary: binary)
case "generate":
    try generateBenchmark(runs: count ?? 10)
case "profile-pipeline":
    // For callgrind: only the client's pipelined path, against REDIS_URL.
    try profilePipeline(batches: count ?? 1000)
case "profile-sequential":
    try profileSequential(commands: count ?? 10_000)
case "memory":
    try memoryBenchmark(commands: count ?? 1_000_000)
case "cluster":
    try await clusterBenchmark(quick: quick)
case "engines":
    try engineBenchmark(quick: quick)
default:
    print("usage: redis-infra-benchmarks all [--quick] | client [--quick] | fallback [runs] | stub [--quick] | probe [runs] [--binary PATH] | generate [runs] | memory [commands] | cluster [--quick] | engines [--quick]")
    exit(2)
}
