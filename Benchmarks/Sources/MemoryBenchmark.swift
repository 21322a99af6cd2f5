import Foundation
import RedisFactory
import RedisTestSupport

/// Resident memory of one client across many commands: measured after a warm-up and at the
/// end; a leak shows as growth proportional to the commands sent.
func memoryBenchmark(commands: Int) throws {
    let server = try RedisServer.start()
    let client = try RedisFactory.makeClient(preferredURL: server.url, fallbackToFake: false, context: "bench", options: quietOptions)
    let warmUp = commands / 10
    for index in 0..<warmUp { try client.set("m:\(index % 100)", "v"); _ = try client.get("m:\(index % 100)") }
    let before = residentKilobytes()
    for index in 0..<(commands - warmUp) / 2 { try client.set("m:\(index % 100)", "v"); _ = try client.get("m:\(index % 100)") }
    let after = residentKilobytes()
    header("client memory over \(commands) commands, KB", "")
    print("RSS after warm-up \(before) KB, at the end \(after) KB, growth \(after - before) KB"
        + String(format: " (%.3f bytes per command)   target flat", Double((after - before) * 1024) / Double(commands - warmUp)))
}

func residentKilobytes() -> Int {
    let text = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
    let pages = Int(text.split(separator: " ").dropFirst().first ?? "") ?? 0
    return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
}
