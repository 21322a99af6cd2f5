import RedisFactory

#if canImport(Glibc)
import Glibc
#endif

/// `smoke --failover`: writes a numbered sequence, each write acknowledged by `WAIT n`, while
/// Sentinel fails the master over; follows the new master through the same client, then reads
/// back every acknowledged write. An acknowledged write that is gone is data loss.
public struct FailoverDrill {
    public struct Report: Sendable {
        public var acknowledged: Int
        /// Sequence numbers acknowledged by a replica and missing afterwards.
        public var lost: [Int]
        public var failedAttempts: Int
        /// The longest stretch without a successful write.
        public var longestWriteGap: Duration
        /// From `SENTINEL FAILOVER` to the first write the new master took; nil when none did.
        public var newMasterAfter: Duration?
        public var detail: String
        /// Replicas each acknowledged write was confirmed by (`WAIT n`).
        public var acknowledgements: Int

        public var passed: Bool { lost.isEmpty && newMasterAfter != nil }
    }

    let client: RedisClient
    let prefix: String
    let deadline: Duration
    /// Writes before the failover and after the new master answers.
    let writesAround: Int
    /// Replicas that must confirm a write (`WAIT n`) for it to count as acknowledged; nil:
    /// every replica connected when the drill starts.
    let acknowledgements: Int?

    public init(
        client: RedisClient, prefix: String = SmokeTest.uniquePrefix() + "failover:", deadline: Duration = .seconds(60),
        writesAround: Int = 50, acknowledgements: Int? = nil
    ) {
        self.client = client
        self.prefix = prefix
        self.deadline = deadline
        self.writesAround = writesAround
        self.acknowledgements = acknowledgements
    }

    public func run() throws -> Report {
        guard let masterName = client.sentinelMasterName else {
            throw RedisError.unsupported("--failover needs a Sentinel URL (redis+sentinel://host:26379,.../<master name>)")
        }
        let clock = ContinuousClock()
        let oldRunID = try infoField("server", "run_id") ?? ""
        // WAIT 1 proves one replica has a write, but Sentinel may promote another: a write
        // only one replica confirmed can be lost in a failover (seen here: 1 of 1244). All
        // replicas confirming is what survives whichever one is promoted.
        let needed = try max(1, acknowledgements ?? Int(infoField("replication", "connected_slaves") ?? "1") ?? 1)
        var acknowledged: [Int] = []
        var written = 0
        var failures = 0
        var lastSuccess = clock.now
        var longestGap: Duration = .zero
        var newMasterAt: ContinuousClock.Instant?
        var triggeredAt: ContinuousClock.Instant?
        var afterNewMaster = 0
        var detail = "ok"
        defer { cleanUp(upTo: written) }

        let start = clock.now
        while clock.now - start < deadline {
            if triggeredAt == nil && acknowledged.count >= writesAround {
                let reply = try client.sendToSentinel(argv("SENTINEL", "FAILOVER", masterName))
                if case .error(let message) = reply { throw RedisError.reply(message) }
                triggeredAt = clock.now
            }
            let sequence = written + 1
            do {
                let replies = try client.pipeline([
                    argv("SET", prefix + String(sequence), String(sequence), "EX", "600"),
                    argv("WAIT", String(needed), "1000"),
                ])
                guard replies[0].string == "OK" else { throw RedisError.reply(replies[0].errorMessage ?? "\(replies[0])") }
                written = sequence
                if replies[1].integer.map({ $0 >= needed }) == true { acknowledged.append(sequence) }
                longestGap = max(longestGap, clock.now - lastSuccess)
                lastSuccess = clock.now
            } catch {
                failures += 1
                // Unacknowledged: it may or may not have been applied; only acked writes count.
                written = max(written, sequence)
                usleep(20_000)
                continue
            }
            if triggeredAt != nil, newMasterAt == nil, (try? infoField("server", "run_id")).map({ $0 != oldRunID }) == true {
                newMasterAt = clock.now
            }
            if newMasterAt != nil {
                afterNewMaster += 1
                if afterNewMaster >= writesAround { break }
            }
        }
        if newMasterAt == nil { detail = "no new master took writes within \(deadline)" }
        let lost = try missing(acknowledged)
        return Report(
            acknowledged: acknowledged.count, lost: lost, failedAttempts: failures, longestWriteGap: longestGap,
            newMasterAfter: zip(triggeredAt, newMasterAt).map { $1 - $0 }, detail: detail, acknowledgements: needed
        )
    }

    private func infoField(_ section: String, _ field: String) throws -> String? {
        let info = try client.send(argv("INFO", section)).string ?? ""
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
