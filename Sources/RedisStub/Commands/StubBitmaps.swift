import RedisClientCore

/// Redis 7.0's bitmap commands over string values (bits counted from each byte's most
/// significant bit, as Redis counts them), but BITFIELD.
extension StubCommands {
    static let bitmaps: [String: StubCommand] = [
        "setbit": StubCommand(4) { execution, command throws(StubError) in
            let offset = try bitOffset(command[2])
            guard command[3] == [UInt8(ascii: "0")] || command[3] == [UInt8(ascii: "1")] else {
                throw StubError("ERR bit is not an integer or out of range")
            }
            let existing = try execution.database.string(command[1], now: execution.now)
            var value = existing ?? []
            let byte = Int(offset / 8)
            let mask = UInt8(0x80) >> UInt8(offset % 8)
            if value.count <= byte { value += [UInt8](repeating: 0, count: byte + 1 - value.count) }
            let old = value[byte] & mask != 0
            let on = command[3] == [UInt8(ascii: "1")]
            // Redis 7.0 writes (and so spoils a WATCH) only when the key is new, grows or the
            // bit flips; the value becomes a raw string either way.
            guard existing == nil || value.count != existing!.count || old != on else {
                execution.database.setStringForm(command[1], .edited)
                return .bool(old)
            }
            if on { value[byte] |= mask } else { value[byte] &= ~mask }
            execution.database.replaceString(command[1], value, form: .edited)
            return .bool(old)
        },
        "getbit": StubCommand(3) { execution, command throws(StubError) in
            let offset = try bitOffset(command[2])
            guard let value = try execution.database.string(command[1], now: execution.now), Int(offset / 8) < value.count else { return .integer(0) }
            return .bool(value[Int(offset / 8)] & (UInt8(0x80) >> UInt8(offset % 8)) != 0)
        },
        "bitcount": StubCommand(-2) { execution, command throws(StubError) in
            guard let value = try execution.database.string(command[1], now: execution.now) else { return .integer(0) }
            guard command.count != 2 else { return .integer(value.reduce(0) { $0 + $1.nonzeroBitCount }) }
            guard command.count == 4 || command.count == 5 else { throw .syntax }
            let start = try StubParse.integer(command[2])
            let end = try StubParse.integer(command[3])
            let inBits = try command.count == 5 ? unit(command[4]) : false
            guard let range = bitRange(start, end, length: Int64(value.count) * (inBits ? 8 : 1)) else { return .integer(0) }
            let bits = inBits ? range : (range.lowerBound * 8)...(range.upperBound * 8 + 7)
            return .integer(bits.filter { bit(value, $0) }.count)
        },
        "bitpos": StubCommand(-3) { execution, command throws(StubError) in
            let wanted = try StubParse.integer(command[2])
            guard wanted == 0 || wanted == 1 else { throw StubError("ERR The bit argument must be 1 or 0.") }
            guard let value = try execution.database.string(command[1], now: execution.now) else { return .integer(wanted == 1 ? -1 : 0) }
            guard command.count <= 6 else { throw .syntax }
            let inBits = try command.count == 6 ? unit(command[5]) : false
            let length = Int64(value.count) * (inBits ? 8 : 1)
            let start = try command.count >= 4 ? StubParse.integer(command[3]) : 0
            let endGiven = command.count >= 5
            let end = try endGiven ? StubParse.integer(command[4]) : length - 1
            guard let range = bitRange(start, end, length: length) else { return .integer(-1) }
            let bits = inBits ? range : (range.lowerBound * 8)...(range.upperBound * 8 + 7)
            if let found = bits.first(where: { bit(value, $0) == (wanted == 1) }) { return .integer(found) }
            // Looking for a 0 in a value of all 1s with no end: the first bit past it.
            if wanted == 0 && !endGiven { return .integer(Int(bits.upperBound) + 1) }
            return .integer(-1)
        },
        "bitop": StubCommand(-4) { execution, command throws(StubError) in
            let operation = StubParse.upper(command[1])
            guard ["AND", "OR", "XOR", "NOT"].contains(operation) else { throw .syntax }
            let sources = Array(command.dropFirst(3))
            if operation == "NOT" && sources.count != 1 { throw StubError("ERR BITOP NOT must be called with a single source key.") }
            var values: [[UInt8]] = []
            for key in sources { values.append(try execution.database.string(key, now: execution.now) ?? []) }
            let length = values.map(\.count).max() ?? 0
            guard length > 0 else {
                execution.database.remove(command[2])
                return .integer(0)
            }
            let padded = values.map { $0 + [UInt8](repeating: 0, count: length - $0.count) }
            let result: [UInt8] = (0..<length).map { index in
                switch operation {
                case "NOT": return ~padded[0][index]
                case "AND": return padded.reduce(0xff) { $0 & $1[index] }
                case "OR": return padded.reduce(0) { $0 | $1[index] }
                default: return padded.reduce(0) { $0 ^ $1[index] }
                }
            }
            execution.database.put(command[2], StubEntry(value: .string(result), expiresAt: nil, stringForm: .edited))
            return .integer(length)
        },
    ]

    /// A bit offset: an integer from 0 below 2^32 (512 MB of bits).
    static func bitOffset(_ bytes: [UInt8]) throws(StubError) -> Int64 {
        guard let offset = StubParse.parseInteger(bytes), offset >= 0, offset < 1 << 32 else {
            throw StubError("ERR bit offset is not an integer or out of range")
        }
        return offset
    }

    /// BYTE (false) or BIT (true).
    static func unit(_ bytes: [UInt8]) throws(StubError) -> Bool {
        switch StubParse.upper(bytes) {
        case "BIT": return true
        case "BYTE": return false
        default: throw .syntax
        }
    }

    /// BITCOUNT's and BITPOS's range rules: negatives from the end, clamped; nil when empty.
    static func bitRange(_ start: Int64, _ end: Int64, length: Int64) -> ClosedRange<Int64>? {
        if start < 0 && end < 0 && start > end { return nil }
        var first = start < 0 ? length + start : start
        var last = end < 0 ? length + end : end
        first = max(first, 0)
        last = max(last, 0)
        if last >= length { last = length - 1 }
        return first <= last && length > 0 ? first...last : nil
    }

    static func bit(_ value: [UInt8], _ index: Int64) -> Bool {
        value[Int(index / 8)] & (UInt8(0x80) >> UInt8(index % 8)) != 0
    }
}
