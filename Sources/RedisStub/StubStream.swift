import RedisClientCore
/// A stream: entries in id order, and consumer groups with their pending-entries lists.
final class StubStream: StubContainer {
    static func extract(_ value: StubValue) -> StubStream? { if case .stream(let stream) = value { stream } else { nil } }
    var value: StubValue { .stream(self) }

    var entries: [(id: StreamID, fields: [[UInt8]])] = []
    var lastID = StreamID.zero
    var groups: [[UInt8]: StubConsumerGroup] = [:]

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
        return true
    }
}

final class StubConsumerGroup {
    var lastDelivered: StreamID
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
