import RedisClientCore

/// `LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]`: the longest common subsequence
/// by the usual dynamic-programming table, walked back from the ends as Redis walks it, so
/// the IDX ranges come out in Redis's order (last match first).
extension StubCommands {
    static let lcs: [String: StubCommand] = ["lcs": StubCommand(-3, longestCommonSubsequence)]

    static func longestCommonSubsequence(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        // Both keys' types first, then the options.
        let notStrings = StubError("ERR The specified keys must contain string values")
        var values: [[UInt8]] = []
        for key in command[1...2] {
            guard let entry = execution.database.entry(key, now: execution.now) else {
                values.append([])
                continue
            }
            guard case .string(let bytes) = entry.value else { throw notStrings }
            values.append(bytes)
        }
        var wantLength = false, wantRanges = false, withMatchLength = false
        var minimum: Int64 = 0
        var index = 3
        while index < command.count {
            switch StubParse.upper(command[index]) {
            case "LEN": wantLength = true
            case "IDX": wantRanges = true
            case "WITHMATCHLEN": withMatchLength = true
            case "MINMATCHLEN" where index + 1 < command.count:
                index += 1
                minimum = max(try StubParse.integer(command[index]), 0)
            default: throw .syntax
            }
            index += 1
        }
        if wantLength && wantRanges { throw StubError("ERR If you want both the length and indexes, please just use IDX.") }

        let (a, b) = (values[0], values[1])
        // Redis's table of 32-bit lengths may not outgrow proto-max-bulk-len (512 MB).
        guard (a.count + 1) * (b.count + 1) * 4 <= 512 * 1024 * 1024 else {
            throw StubError("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
        }
        let width = b.count + 1
        var table = [Int](repeating: 0, count: (a.count + 1) * width)
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                table[i * width + j] = a[i - 1] == b[j - 1] ? table[(i - 1) * width + j - 1] + 1 : max(table[(i - 1) * width + j], table[i * width + j - 1])
            }
        }
        let length = table[a.count * width + b.count]
        if wantLength { return .integer(length) }

        var common = [UInt8](repeating: 0, count: length)
        var ranges: [RedisValue] = []
        var open: (a: ClosedRange<Int>, b: ClosedRange<Int>)?
        var (i, j, remaining) = (a.count, b.count, length)
        while i > 0 && j > 0 {
            var close = false
            if a[i - 1] == b[j - 1] {
                common[remaining - 1] = a[i - 1]
                if let current = open {
                    // Extend backwards while the match stays contiguous in both.
                    if current.a.lowerBound == i && current.b.lowerBound == j {
                        open = ((i - 1)...current.a.upperBound, (j - 1)...current.b.upperBound)
                    } else {
                        close = true
                    }
                } else {
                    open = ((i - 1)...(i - 1), (j - 1)...(j - 1))
                }
                if let current = open, current.a.lowerBound == 0 || current.b.lowerBound == 0 { close = true }
                remaining -= 1
                i -= 1
                j -= 1
            } else {
                if table[(i - 1) * width + j] > table[i * width + j - 1] { i -= 1 } else { j -= 1 }
                close = open != nil
            }
            if close, let current = open {
                if current.a.count >= minimum {
                    var range: [RedisValue] = [
                        .array([.integer(current.a.lowerBound), .integer(current.a.upperBound)]),
                        .array([.integer(current.b.lowerBound), .integer(current.b.upperBound)]),
                    ]
                    if withMatchLength { range.append(.integer(current.a.count)) }
                    ranges.append(.array(range))
                }
                open = nil
            }
        }
        guard wantRanges else { return .bulkString(common) }
        return .array([.bulk("matches"), .array(ranges), .bulk("len"), .integer(length)])
    }
}
