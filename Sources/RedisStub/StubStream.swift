import RedisClientCore
/// A stream: entries in id order, and consumer groups with their pending-entries lists.
final class StubStream: StubContainer {
    static func extract(_ value: StubValue) -> StubStream? { if case .stream(let stream) = value { stream } else { nil } }
    var value: StubValue { .stream(self) }

    var entries: [(id: StreamID, fields: [[UInt8]])] = []
    var lastID = StreamID.zero
    /// Listpack nodes: one per 100 entries, as Redis's default stream-node-max-entries packs
    /// them (deletions and entry sizes also shape Redis's; docs/stub.md).
    var estimatedNodes: Int { (entries.count + 99) / 100 }
    var groups: [[UInt8]: StubConsumerGroup] = [:]
    /// Every entry ever added (XADD), for XINFO and consumer groups' lag.
    var entriesAdded: Int64 = 0
    /// The highest id XDEL removed: entries after a group's last delivery may be missing.
    var maxDeletedID = StreamID.zero

    /// The position of the first entry whose id is not below `id`.
    func index(from id: StreamID) -> Int {
        entries.partitioningIndex { $0.id >= id }
    }

    func entry(_ id: StreamID) -> [[UInt8]]? {
        let position = index(from: id)
        guard position < entries.count, entries[position].id == id else { return nil }
        return entries[position].fields
    }

    func remove(_ id: StreamID) -> Bool {
        let position = index(from: id)
        guard position < entries.count, entries[position].id == id else { return false }
        entries.remove(at: position)
        maxDeletedID = Swift.max(maxDeletedID, id)
        return true
    }
}

extension StubStream {
    /// The first entry's id, 0-0 when there is none (Redis's first_id).
    var firstID: StreamID { entries.first?.id ?? .zero }

    /// Redis's streamRangeHasTombstones: an XDEL at or after `start` among the entries.
    func hasTombstone(from start: StreamID) -> Bool {
        guard !entries.isEmpty, maxDeletedID != .zero, firstID <= maxDeletedID else { return false }
        return start <= maxDeletedID
    }

    /// Redis's streamEstimateDistanceFromFirstEverEntry: how many entries come up to `id`,
    /// when the stream can tell (nil when an XDEL makes it unknowable).
    func entriesUpTo(_ id: StreamID) -> Int64? {
        if entriesAdded == 0 { return 0 }
        if entries.isEmpty && id <= lastID { return entriesAdded }
        if id == lastID { return entriesAdded }
        if id > lastID { return nil }
        if maxDeletedID == .zero || maxDeletedID < firstID {
            if id < firstID { return entriesAdded - Int64(entries.count) }
            if id == firstID { return entriesAdded - Int64(entries.count) + 1 }
        }
        return nil
    }

    /// A group's lag: entries added it has not read, when that can be told.
    func lag(of group: StubConsumerGroup) -> Int64? {
        if entriesAdded == 0 { return 0 }
        if let read = group.entriesRead, !hasTombstone(from: group.lastDelivered) { return entriesAdded - read }
        return entriesUpTo(group.lastDelivered).map { entriesAdded - $0 }
    }

    /// A group moves past `id` as it delivers it: Redis counts the read when it can.
    func deliver(_ id: StreamID, to group: StubConsumerGroup) {
        guard id > group.lastDelivered else { return }
        if let read = group.entriesRead, !hasTombstone(from: id) {
            group.entriesRead = read + 1
        } else if entriesAdded > 0 {
            group.entriesRead = entriesUpTo(id)
        }
        group.lastDelivered = id
    }
}

final class StubConsumerGroup {
    var lastDelivered: StreamID
    /// How many of the stream's entries the group has read, when known (Redis's entries_read;
    /// nil is its -1).
    var entriesRead: Int64?
    /// The pending-entries list: delivered, not yet acknowledged.
    var pending: [StreamID: PendingDelivery] = [:]
    /// Consumers by name, with the time each was last seen.
    var consumers: [[UInt8]: Int64] = [:]

    init(lastDelivered: StreamID) {
        self.lastDelivered = lastDelivered
    }

    func pendingIDs(of consumer: [UInt8]? = nil) -> [StreamID] {
        pending.filter { consumer == nil || $0.value.consumer == consumer }.keys.sorted()
    }
}

struct PendingDelivery {
    var consumer: [UInt8]
    var deliveredAt: Int64
    var deliveryCount: Int64
}

/// A stream id `ms-seq`, ordered as Redis orders them.
struct StreamID: Comparable, Hashable {
    var milliseconds: UInt64
    var sequence: UInt64

    static let zero = StreamID(milliseconds: 0, sequence: 0)
    static let max = StreamID(milliseconds: .max, sequence: .max)

    static func < (lhs: StreamID, rhs: StreamID) -> Bool {
        (lhs.milliseconds, lhs.sequence) < (rhs.milliseconds, rhs.sequence)
    }

    var bytes: [UInt8] { Array("\(milliseconds)-\(sequence)".utf8) }

    /// The next id in order, or nil after the largest.
    var successor: StreamID? {
        if sequence < .max { return StreamID(milliseconds: milliseconds, sequence: sequence + 1) }
        if milliseconds < .max { return StreamID(milliseconds: milliseconds + 1, sequence: 0) }
        return nil
    }

    var predecessor: StreamID? {
        if sequence > 0 { return StreamID(milliseconds: milliseconds, sequence: sequence - 1) }
        if milliseconds > 0 { return StreamID(milliseconds: milliseconds - 1, sequence: .max) }
        return nil
    }

    /// `ms-seq`, or `ms` alone with the sequence given by `missingSequence`.
    static func parse(_ bytes: [UInt8], missingSequence: UInt64 = 0) -> StreamID? {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard let milliseconds = parseUnsigned(parts[0]) else { return nil }
        if parts.count == 1 { return StreamID(milliseconds: milliseconds, sequence: missingSequence) }
        guard let sequence = parseUnsigned(parts[1]) else { return nil }
        return StreamID(milliseconds: milliseconds, sequence: sequence)
    }

    /// Redis reads id parts with `string2ull`: digits only, no sign, no spaces.
    private static func parseUnsigned(_ text: Substring) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return UInt64(text)
    }
}
