import RedisClientCore

/// Sorted-set ranges by member (`[a`, `(a`, `-`, `+`): ZRANGEBYLEX, ZREVRANGEBYLEX, ZLEXCOUNT,
/// ZREMRANGEBYLEX (and ZRANGE's BYLEX, ZRANGESTORE). Meant for members of one score; with
/// mixed scores Redis walks its listpack from one end, and so does the stub.
extension StubCommands {
    static let lexRanges: [String: StubCommand] = [
        "zrangebylex": StubCommand(-4) { execution, command throws(StubError) in
            try zrange(&execution, Array(command.prefix(4)) + [Array("BYLEX".utf8)] + command.dropFirst(4))
        },
        "zrevrangebylex": StubCommand(-4) { execution, command throws(StubError) in
            try zrange(&execution, Array(command.prefix(4)) + [Array("BYLEX".utf8), Array("REV".utf8)] + command.dropFirst(4))
        },
        "zlexcount": StubCommand(4) { execution, command throws(StubError) in
            let range = try LexRange(min: command[2], max: command[3])
            return .integer(try execution.database.sortedSet(command[1], now: execution.now).map { range.elements(of: $0, reverse: false).count } ?? 0)
        },
        "zremrangebylex": StubCommand(4) { execution, command throws(StubError) in
            let range = try LexRange(min: command[2], max: command[3])
            guard let zset = try execution.database.sortedSet(command[1], now: execution.now) else { return .integer(0) }
            let doomed = range.elements(of: zset, reverse: false)
            for element in doomed { zset.remove(element.member) }
            execution.database.removeIfEmpty(command[1])
            return .integer(doomed.count)
        },
        "zrangestore": StubCommand(-5) { execution, command throws(StubError) in
            try zrange(&execution, command, destination: command[1])
        },
    ]
}

/// A member range: `-` and `+` below and above everything, `[x` inclusive, `(x` exclusive.
struct LexRange {
    enum Bound {
        case lowest, highest
        case member([UInt8], inclusive: Bool)
    }

    var min: Bound
    var max: Bound

    init(min: [UInt8], max: [UInt8]) throws(StubError) {
        self.min = try Self.bound(min)
        self.max = try Self.bound(max)
    }

    private static func bound(_ bytes: [UInt8]) throws(StubError) -> Bound {
        switch bytes.first {
        case UInt8(ascii: "-") where bytes.count == 1: return .lowest
        case UInt8(ascii: "+") where bytes.count == 1: return .highest
        case UInt8(ascii: "["): return .member(Array(bytes.dropFirst()), inclusive: true)
        case UInt8(ascii: "("): return .member(Array(bytes.dropFirst()), inclusive: false)
        default: throw StubError("ERR min or max not valid string range item")
        }
    }

    /// Orders bounds and members alike: `-` below all, `+` above all, bytes by memcmp.
    private static func rank(_ bound: Bound) -> (Int, [UInt8]) {
        switch bound {
        case .lowest: return (0, [])
        case .highest: return (2, [])
        case .member(let bytes, _): return (1, bytes)
        }
    }

    private static func compare(_ a: (Int, [UInt8]), _ b: (Int, [UInt8])) -> Int {
        if a.0 != b.0 { return a.0 < b.0 ? -1 : 1 }
        if a.1 == b.1 { return 0 }
        return a.1.lexicographicallyPrecedes(b.1) ? -1 : 1
    }

    func admitsFromBelow(_ member: [UInt8]) -> Bool {
        let order = Self.compare((1, member), Self.rank(min))
        if case .member(_, let inclusive) = min { return inclusive ? order >= 0 : order > 0 }
        return order > 0
    }

    func admitsFromAbove(_ member: [UInt8]) -> Bool {
        let order = Self.compare((1, member), Self.rank(max))
        if case .member(_, let inclusive) = max { return inclusive ? order <= 0 : order < 0 }
        return order < 0
    }

    /// No member can be in it: min above max, or equal with an end open.
    var isEmpty: Bool {
        let order = Self.compare(Self.rank(min), Self.rank(max))
        let open: Bool = {
            if case .member(_, let inclusive) = min, !inclusive { return true }
            if case .member(_, let inclusive) = max, !inclusive { return true }
            if case .member = min, case .member = max { return false }
            return true
        }()
        return order > 0 || (order == 0 && open)
    }

    /// The run Redis's listpack walk finds: from the first element (the last, reversed) inside
    /// the range, while elements stay inside it.
    func elements(of zset: StubSortedSet, reverse: Bool) -> [(score: Double, member: [UInt8])] {
        let ordered = zset.ordered
        guard !isEmpty, let last = ordered.last, let first = ordered.first,
              admitsFromBelow(last.member), admitsFromAbove(first.member) else { return [] }
        if reverse {
            guard let start = ordered.lastIndex(where: { admitsFromAbove($0.member) }) else { return [] }
            return Array(ordered[...start].reversed().prefix { admitsFromBelow($0.member) })
        }
        guard let start = ordered.firstIndex(where: { admitsFromBelow($0.member) }) else { return [] }
        return Array(ordered[start...].prefix { admitsFromAbove($0.member) })
    }
}
