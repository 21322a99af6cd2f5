import RedisClientCore

#if canImport(Glibc)
import Glibc
#endif

/// `smoke --failover`: writes a numbered sequence, each write acknowledged by `WAIT n`, while
/// the master fails; follows the new master through the same client, then reads back every
/// acknowledged write. An acknowledged write that is gone is data loss.
///
/// The failure is Sentinel's own `SENTINEL FAILOVER` (`.sentinel`), or one caused from outside
/// (`.external`: a killed container, a cut network) while the drill writes. Through a plain URL
/// the drill writes to that one server for its whole deadline; with `keep` it leaves its keys
/// and reports the acknowledged sequence, for a reader on the other side of a partition.
public struct FailoverDrill {
    public enum Trigger: String, Sendable, CaseIterable {
        case sentinel, external
    }

    public struct Report: Sendable {
        /// Sequence numbers acknowledged by every replica asked (`WAIT n`), in order.
        public var acknowledgedSequence: [Int]
        public var acknowledged: Int { acknowledgedSequence.count }
        /// Sequence numbers acknowledged and missing afterwards (empty when not read back).
        public var lost: [Int]
        /// Writes the server took (`OK`) that too few replicas confirmed: what a partitioned
        /// master accepts before `min-replicas-to-write` stops it.
        public var acceptedUnacknowledged: Int
        public var failedAttempts: Int
        /// The longest stretch without a successful write.
        public var longestWriteGap: Duration
        /// From the trigger (`SENTINEL FAILOVER`, or the first failed write for an external
        /// one) to the first write the new master took; nil when none did.
        public var newMasterAfter: Duration?
        /// Wall-clock time of that first write, Unix milliseconds: comparable with the clock of
        /// whoever killed the master.
        public var newMasterAtUnixMilliseconds: Int64?
        public var detail: String
        /// Replicas each acknowledged write was confirmed by (`WAIT n`).
        public var acknowledgements: Int
        public var expectsNewMaster: Bool
        public var verified: Bool
        /// Every key the drill wrote starts with it.
        public var prefix: String

        public var passed: Bool { lost.isEmpty && (!expectsNewMaster || newMasterAfter != nil) }

        /// "1-50,52-900": the acknowledged sequence, short enough to print.
        public var acknowledgedRanges: String {
            var ranges: [String] = []
            var index = 0
            let sequence = acknowledgedSequence
            while index < sequence.count {
                var end = index
                while end + 1 < sequence.count && sequence[end + 1] == sequence[end] + 1 { end += 1 }
                ranges.append(end == index ? String(sequence[index]) : "\(sequence[index])-\(sequence[end])")
                index = end + 1
            }
            return ranges.joined(separator: ",")
        }
    }

    let client: RedisClient
    let prefix: String
    let deadline: Duration
    /// Writes before the failover and after the new master answers.
    let writesAround: Int
    /// Replicas that must confirm a write (`WAIT n`) for it to count as acknowledged; nil:
    /// every replica connected when the drill starts.
    let acknowledgements: Int?
    let trigger: Trigger
    /// Leave the keys in place and skip the read-back (someone else verifies, later).
    let keep: Bool

    public init(
        client: RedisClient, prefix: String = SmokeRun.uniquePrefix() + "failover:", deadline: Duration = .seconds(60),
        writesAround: Int = 50, acknowledgements: Int? = nil, trigger: Trigger = .sentinel, keep: Bool = false
    ) {
        self.client = client
        self.prefix = prefix
        self.deadline = deadline
        self.writesAround = writesAround
        self.acknowledgements = acknowledgements
        self.trigger = trigger
        self.keep = keep
    }

    public func run() throws -> Report {
        let masterName = client.sentinelMasterName
        if trigger == .sentinel && masterName == nil {
            throw RedisError.unsupported("--failover needs a Sentinel URL (redis+sentinel://host:26379,.../<master name>), or --trigger external")
        }
        let clock = ContinuousClock()
        // Through Sentinels, or the master of the drill's one slot in a cluster (every key
        // shares the prefix's hash tag): a new master is what the drill waits for.
        let followsMaster = masterName != nil || client.isCluster
        let oldRunID = try infoField("server", "run_id") ?? ""
        // WAIT 1 proves one replica has a write, but Sentinel may promote another: a write
        // only one replica confirmed can be lost in a failover (seen here: 1 of 1244). All
        // replicas confirming is what survives whichever one is promoted.
        let asked = try max(1, acknowledgements ?? Int(infoField("replication", "connected_slaves") ?? "1") ?? 1)
        var needed = asked
        var acknowledged: [Int] = []
        var acceptedUnacknowledged = 0
        var written = 0
        var failures = 0
        var lastSuccess = clock.now
        var longestGap: Duration = .zero
        var newMasterAt: ContinuousClock.Instant?
        var newMasterAtUnix: Int64?
        var armedAt: ContinuousClock.Instant?
        var triggeredAt: ContinuousClock.Instant?
        var afterNewMaster = 0
        defer { if !keep { cleanUp(upTo: written) } }

        let start = clock.now
        while clock.now - start < deadline {
            if armedAt == nil && acknowledged.count >= writesAround {
                armedAt = clock.now
                if trigger == .sentinel, let masterName {
                    let reply = try client.sendToSentinel(argv("SENTINEL", "FAILOVER", masterName))
                    if case .error(let message) = reply { throw RedisError.reply(message) }
                    triggeredAt = armedAt
                }
            }
            let sequence = written + 1
            do {
                let replies = try client.pipeline([
                    argv("SET", prefix + String(sequence), String(sequence), "EX", "600"),
                    argv("WAIT", String(needed), "1000"),
                ])
                guard replies[0].string == "OK" else { throw RedisError.reply(replies[0].errorMessage ?? "\(replies[0])") }
                written = sequence
                if replies[1].integer.map({ $0 >= needed }) == true {
                    acknowledged.append(sequence)
                } else {
                    acceptedUnacknowledged += 1
                }
                longestGap = max(longestGap, clock.now - lastSuccess)
                lastSuccess = clock.now
            } catch {
                failures += 1
                if armedAt != nil && triggeredAt == nil { triggeredAt = clock.now }
                // Unacknowledged: it may or may not have been applied; only acked writes count.
                written = max(written, sequence)
                usleep(20_000)
                continue
            }
            if triggeredAt != nil, newMasterAt == nil, followsMaster, (try? infoField("server", "run_id")).map({ $0 != oldRunID }) == true {
                newMasterAt = clock.now
                newMasterAtUnix = Self.unixMilliseconds()
                // A killed master leaves one replica fewer: ask only what is there, or every
                // later write would wait out WAIT's timeout.
                if let connected = (try? infoField("replication", "connected_slaves")).flatMap({ $0.flatMap { Int($0) } }) {
                    needed = min(needed, max(1, connected))
                }
            }
            if newMasterAt != nil {
                afterNewMaster += 1
                if afterNewMaster >= writesAround { break }
            }
        }
        let expectsNewMaster = followsMaster
        let detail = expectsNewMaster && newMasterAt == nil ? "no new master took writes within \(deadline)" : "ok"
        let lost = keep ? [] : try missing(acknowledged)
        return Report(
            acknowledgedSequence: acknowledged, lost: lost, acceptedUnacknowledged: acceptedUnacknowledged, failedAttempts: failures,
            longestWriteGap: longestGap, newMasterAfter: zip(triggeredAt, newMasterAt).map { $1 - $0 },
            newMasterAtUnixMilliseconds: newMasterAtUnix, detail: detail, acknowledgements: asked,
            expectsNewMaster: expectsNewMaster, verified: !keep, prefix: prefix
        )
    }

    static func unixMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// A field of the INFO of the server the drill writes to (in a cluster, its keys' master).
    private func infoField(_ section: String, _ field: String) throws -> String? {
        let info = try client.send(argv("INFO", section), routedBy: prefix).string ?? ""
        let line = info.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }).first { $0.hasPrefix(field + ":") }
        return line.map { String($0.dropFirst(field.count + 1)) }
    }

    private func missing(_ sequence: [Int]) throws -> [Int] {
        var lost: [Int] = []
        var index = 0
        while index < sequence.count {
            let chunk = Array(sequence[index..<min(index + 500, sequence.count)])
            let values = try client.send([Array("MGET".utf8)] + chunk.map { Array((prefix + String($0)).utf8) }).array ?? []
            for (number, value) in zip(chunk, values) where value.string != String(number) { lost.append(number) }
            index += 500
        }
        return lost
    }

    private func cleanUp(upTo written: Int) {
        var first = 1
        while first <= written {
            let last = min(first + 499, written)
            _ = try? client.send([Array("DEL".utf8)] + (first...last).map { Array((prefix + String($0)).utf8) })
            first = last + 1
        }
    }
}

private func zip<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
