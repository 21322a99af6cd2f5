import Foundation
import RedisTestSupport

/// `redis-healthcheck probe --role master` (full readiness checks) beside `redis-cli ping` and
/// the Bitnami-style `timeout 1 redis-cli ping | grep PONG`, against one local master: median
/// wall time and peak RSS over `runs` runs each, as ratios to `redis-cli ping`.
func probeBenchmark(runs: Int, binary: String?) throws {
    let server = try RedisServer.start()
    let probe = binary ?? productsDirectory.appendingPathComponent("redis-healthcheck").path
    let commands: [(String, [String])] = [
        ("redis-cli ping", ["/usr/bin/redis-cli", "-p", "\(server.port)", "ping"]),
        ("timeout 1 redis-cli ping | grep PONG", ["/bin/sh", "-c", "timeout 1 redis-cli -p \(server.port) ping | grep -q PONG"]),
        ("redis-healthcheck probe --role master", [probe, "probe", "--role", "master", "--url", server.url]),
    ]
    print("health probe, \(runs) runs".padding(toLength: 44, withPad: " ", startingAt: 0) + "wall ms median   min    max   peak RSS MB   wall ×  RSS ×")
    var anchor: (wall: Double, rss: Double)?
    for (label, argv) in commands {
        var walls: [Double] = []
        var peaks: [Double] = []
        for _ in 0..<runs {
            let (seconds, rssKB, status) = try spawnMeasured(argv)
            precondition(status == 0, "\(label) failed")
            walls.append(seconds)
            peaks.append(Double(rssKB) / 1024)
        }
        let wall = Summary(samples: walls)
        let rss = Summary(samples: peaks).median
        let base = anchor ?? (wall.median, rss)
        anchor = base
        print(label.padding(toLength: 44, withPad: " ", startingAt: 0)
            + String(format: "%8.2f %6.2f %6.2f   %8.1f   %6.2f %6.2f", wall.median * 1000, wall.min * 1000, wall.max * 1000, rss, wall.median / base.wall, rss / base.rss))
    }
}

/// Runs a command under GNU time (a real fork, so the peak RSS is the command's own, not
/// inherited from this process as posix_spawn's vfork would make it); answers wall time, peak
/// RSS in KB and exit status. Spawned and reaped directly (posix_spawn, waitpid), output to
/// /dev/null: Foundation's Process and pipes added tens of milliseconds of their own.
func spawnMeasured(_ argv: [String]) throws -> (Double, Int, Int32) {
    let report = FileManager.default.temporaryDirectory.appendingPathComponent("probe-bench-\(getpid()).rss").path
    let words = ["/usr/bin/time", "-f", "%M", "-o", report] + argv
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    var cArguments = words.map { strdup($0) } + [nil]
    defer { cArguments.forEach { free($0) } }
    var pid: pid_t = 0
    let start = DispatchTime.now().uptimeNanoseconds
    guard posix_spawn(&pid, words[0], &actions, nil, &cArguments, environ) == 0 else { throw TestSupportError("cannot spawn \(words[0])") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let text = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
    let kilobytes = Int(text.split(separator: "\n").last.map(String.init) ?? "") ?? 0
    return (seconds, kilobytes, (status >> 8) & 0xff)
}
