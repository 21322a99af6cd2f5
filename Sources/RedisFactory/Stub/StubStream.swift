/// A stream: entries by id, consumer groups with their pending-entries lists.
final class StubStream {
    var entries: [(id: StreamID, fields: [[UInt8]])] = []
    var lastID = StreamID(milliseconds: 0, sequence: 0)
}

/// A stream id `ms-seq`, ordered as Redis orders them.
struct StreamID: Comparable, Hashable {
    var milliseconds: UInt64
    var sequence: UInt64

    static func < (lhs: StreamID, rhs: StreamID) -> Bool {
        (lhs.milliseconds, lhs.sequence) < (rhs.milliseconds, rhs.sequence)
    }

    var text: String { "\(milliseconds)-\(sequence)" }
}
