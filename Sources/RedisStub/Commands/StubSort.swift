#if canImport(Glibc)
import Glibc
#endif
import RedisClientCore

/// `SORT` and `SORT_RO` as Redis 7.0 runs them: numbers read with strtod (ties broken
/// byte-wise), ALPHA byte-wise (the C locale's strcoll), BY and GET patterns with `*`, `#` and
/// `->field`, BY without `*` for no sorting at all, LIMIT, STORE into a list.
extension StubCommands {
    static let sorting: [String: StubCommand] = [
        "sort": StubCommand(-2) { execution, command throws(StubError) in try sort(&execution, command, readOnly: false) },
        "sort_ro": StubCommand(-2) { execution, command throws(StubError) in try sort(&execution, command, readOnly: true) },
    ]

    private struct SortOptions {
        var descending = false
        var alpha = false
        var limit: (start: Int64, count: Int64)?
        var store: StubKey?
        var by: [UInt8]?
        var gets: [[UInt8]] = []
        /// BY a pattern without `*`: the elements keep their order.
        var dontSort: Bool { by.map { !$0.contains(UInt8(ascii: "*")) } ?? false }
    }

    private static func sortOptions(_ command: RedisCommandArgv, readOnly: Bool) throws(StubError) -> SortOptions {
        var options = SortOptions()
        var index = 2
        while index < command.count {
            let remaining = command.count - index - 1
            switch StubParse.upper(command[index]) {
            case "ASC": options.descending = false
            case "DESC": options.descending = true
            case "ALPHA": options.alpha = true
            case "LIMIT" where remaining >= 2:
                options.limit = (try StubParse.integer(command[index + 1]), try StubParse.integer(command[index + 2]))
                index += 2
            case "STORE" where remaining >= 1 && !readOnly:
                options.store = command[index + 1]
                index += 1
            case "BY" where remaining >= 1:
                options.by = command[index + 1]
                index += 1
            case "GET" where remaining >= 1:
                options.gets.append(command[index + 1])
                index += 1
            default:
                throw .syntax
            }
            index += 1
        }
        return options
    }

    private static func sort(_ execution: inout StubExecution, _ command: RedisCommandArgv, readOnly: Bool) throws(StubError) -> RedisValue {
        var options = try sortOptions(command, readOnly: readOnly)
        var elements: [[UInt8]]
        var isSet = false
        switch execution.database.entry(command[1], now: execution.now)?.value {
        case nil: elements = []
        case .list(let list): elements = list.items
        case .set(let set):
            elements = Array(set.members)
            isSet = true
        case .sortedSet(let zset):
            // Redis converts the sorted set to a skiplist to sort it, for good.
            zset.isSkiplist = true
            elements = zset.ordered.map(\.member)
        default: throw .wrongType
        }
        // A set has no order of its own: stored (or in a script) it is sorted as ALPHA.
        if options.dontSort && isSet && options.store != nil {
            options.by = nil
            options.alpha = true
        }

        let count = elements.count
        var start = Int(clamping: max(options.limit?.start ?? 0, 0))
        var end = options.limit.map { $0.count < 0 ? count - 1 : Int(clamping: Int64(start) &+ $0.count &- 1) } ?? count - 1
        if start >= count {
            start = count - 1
            end = count - 2
        }
        end = min(end, count - 1)

        if options.dontSort {
            if options.descending { elements.reverse() }
        } else {
            elements = try sorted(elements, by: options, in: execution)
        }
        let chosen = end >= start ? Array(elements[start...end]) : []

        if let destination = options.store {
            let values = options.gets.isEmpty ? chosen : chosen.flatMap { element in
                options.gets.map { lookUp($0, element, in: execution) ?? [] }
            }
            if values.isEmpty {
                execution.database.remove(destination)
            } else {
                let list = StubList()
                list.items = values
                execution.database.put(destination, .list(list))
            }
            return .integer(values.count)
        }
        guard !options.gets.isEmpty else { return .bulks(chosen) }
        return .array(chosen.flatMap { element in
            options.gets.map { lookUp($0, element, in: execution).map(RedisValue.bulkString) ?? .null }
        })
    }

    /// Numbers (each element's, or its BY key's; 0 when that key is missing) ascending with
    /// byte-wise ties, or ALPHA byte-wise; DESC reverses the comparison, ties too.
    private static func sorted(_ elements: [[UInt8]], by options: SortOptions, in execution: StubExecution) throws(StubError) -> [[UInt8]] {
        let keys = elements.map { element in options.by.map { lookUp($0, element, in: execution) } ?? element }
        var order = Array(elements.indices)
        if options.alpha {
            // With BY, a missing key sorts first and equal keys keep their order.
            let byPattern = options.by != nil
            order.sort { left, right in
                let comparison: Int
                switch (keys[left], keys[right]) {
                case (nil, nil): comparison = 0
                case (nil, _): comparison = -1
                case (_, nil): comparison = 1
                case (let a?, let b?): comparison = byPattern ? cStringCompare(a, b) : bytewise(a, b)
                }
                return options.descending ? comparison > 0 : comparison < 0
            }
            return order.map { elements[$0] }
        }
        var scores: [Double] = []
        scores.reserveCapacity(elements.count)
        for key in keys {
            guard let key else {
                scores.append(0)
                continue
            }
            guard let score = strtodWhole(key) else { throw StubError("ERR One or more scores can't be converted into double") }
            scores.append(score)
        }
        order.sort { left, right in
            var comparison = scores[left] > scores[right] ? 1 : scores[left] < scores[right] ? -1 : 0
            if comparison == 0 { comparison = bytewise(elements[left], elements[right]) }
            return options.descending ? comparison > 0 : comparison < 0
        }
        return order.map { elements[$0] }
    }

    /// Redis's lookupKeyByPattern: `#` is the element; otherwise the first `*` takes the
    /// element, and `->field` after it reads a hash field; only a string (or a hash, for a
    /// field) answers.
    private static func lookUp(_ pattern: [UInt8], _ element: [UInt8], in execution: StubExecution) -> [UInt8]? {
        if pattern == [UInt8(ascii: "#")] { return element }
        guard let star = pattern.firstIndex(of: UInt8(ascii: "*")) else { return nil }
        var field: [UInt8]?
        var keyEnd = pattern.count
        if let arrow = pattern[(star + 1)...].firstRange(of: [UInt8(ascii: "-"), UInt8(ascii: ">")]), arrow.upperBound < pattern.count {
            field = Array(pattern[arrow.upperBound...])
            keyEnd = arrow.lowerBound
        }
        let key = Array(pattern[..<star]) + element + Array(pattern[(star + 1)..<keyEnd])
        switch (execution.database.entry(key, now: execution.now)?.value, field) {
        case (.string(let value)?, nil): return value
        case (.hash(let hash)?, let field?): return hash.fields[field]
        default: return nil
        }
    }

    /// memcmp over the common length, then the shorter first: Redis's compareStringObjects.
    private static func bytewise(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.lexicographicallyPrecedes(b) ? -1 : a == b ? 0 : 1
    }

    /// strcoll in the C locale: strcmp, which stops at the first NUL.
    private static func cStringCompare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        bytewise(Array(a.prefix { $0 != 0 }), Array(b.prefix { $0 != 0 }))
    }

    /// strtod over the whole value, as SORT reads a score: leading spaces allowed, nothing
    /// after the number, no NaN, no overflow; the empty string is 0.
    private static func strtodWhole(_ bytes: [UInt8]) -> Double? {
        var terminated = bytes.prefix { $0 != 0 }.map { CChar(bitPattern: $0) }
        terminated.append(0)
        return terminated.withUnsafeBufferPointer { buffer -> Double? in
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let value = strtod(buffer.baseAddress!, &end)
            guard let end, end.pointee == 0, errno != ERANGE, !value.isNaN else { return nil }
            return value
        }
    }
}
