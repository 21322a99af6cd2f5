import RedisClientCore
/// A sorted set: members ordered by (score, member bytes), as Redis's skiplist orders them.
final class StubSortedSet: StubContainer {
    static func extract(_ value: StubValue) -> StubSortedSet? { if case .sortedSet(let zset) = value { zset } else { nil } }
    var value: StubValue { .sortedSet(self) }

    private(set) var scores: [[UInt8]: Double] = [:]
    /// Sorted by score, then by member bytes (memcmp order).
    private(set) var ordered: [(score: Double, member: [UInt8])] = []

    var count: Int { ordered.count }
    /// Converted from a listpack (StubEncoding), for good.
    var isSkiplist = false

    func score(of member: [UInt8]) -> Double? { scores[member] }

    /// Inserts or moves a member; answers true when it was added.
    @discardableResult
    func set(_ member: [UInt8], score: Double) -> Bool {
        if let old = scores[member] {
            if old == score { return false }
            ordered.remove(at: index(of: member, score: old))
            insert(member, score)
            return false
        }
        insert(member, score)
        return true
    }

    @discardableResult
    func remove(_ member: [UInt8]) -> Bool {
        guard let old = scores.removeValue(forKey: member) else { return false }
        ordered.remove(at: index(of: member, score: old))
        return true
    }

    /// The first position whose element is not below (score, member).
    private func lowerBound(_ score: Double, _ member: [UInt8]) -> Int {
        var low = 0
        var high = ordered.count
        while low < high {
            let mid = (low + high) / 2
            let element = ordered[mid]
            if element.score < score || (element.score == score && element.member.lexicographicallyPrecedes(member)) {
                low = mid + 1
            } else {
                high = mid
            }
        }
        return low
    }

    private func index(of member: [UInt8], score: Double) -> Int { lowerBound(score, member) }

    private func insert(_ member: [UInt8], _ score: Double) {
        scores[member] = score
        ordered.insert((score, member), at: lowerBound(score, member))
    }

    /// Positions of the elements within a score range.
    func range(min: ScoreLimit, max: ScoreLimit) -> Range<Int> {
        let start = ordered.partitioningIndex { min.admitsFromBelow($0.score) }
        let end = ordered.partitioningIndex { !max.admitsFromAbove($0.score) }
        return start < end ? start..<end : start..<start
    }
}

/// One end of a score range as Redis parses it: `1`, `(1`, `-inf`, `+inf`.
struct ScoreLimit {
    var value: Double
    var exclusive: Bool

    func admitsFromBelow(_ score: Double) -> Bool { exclusive ? score > value : score >= value }
    func admitsFromAbove(_ score: Double) -> Bool { exclusive ? score < value : score <= value }
}

extension Array {
    /// The first index whose element satisfies a predicate that is false, then true, along the array.
    func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if belongs(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
