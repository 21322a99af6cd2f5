import RedisClientCore

/// HyperLogLog as Redis 7.0 stores it — a string: `HYLL`, the encoding, the cached count,
/// then 16,384 six-bit registers, sparse (run-length opcodes, edited in place exactly as
/// Redis edits them) until a register passes 32 or the string 3,000 bytes, then dense — so
/// PFCOUNT, GET and STRLEN answer what Redis answers. MurmurHash64A picks each register.
extension StubCommands {
    static let hyperLogLogs: [String: StubCommand] = [
        "pfadd": StubCommand(-2) { execution, command throws(StubError) in
            var updated = false
            var value: [UInt8]
            if let existing = try existingHLL(&execution, command[1]) {
                value = existing
            } else {
                value = HyperLogLog.empty
                updated = true
            }
            for element in command.dropFirst(2) {
                let (index, count) = HyperLogLog.pattern(element)
                if try HyperLogLog.set(&value, index, count) { updated = true }
            }
            guard updated else { return .integer(0) }
            HyperLogLog.invalidateCache(&value)
            execution.database.replaceString(command[1], value, form: .edited)
            return .integer(1)
        },
        "pfcount": StubCommand(-2) { execution, command throws(StubError) in
            if command.count > 2 {
                var maximum = [UInt8](repeating: 0, count: HyperLogLog.registerCount)
                for key in command.dropFirst() {
                    guard let value = try existingHLL(&execution, key) else { continue }
                    try HyperLogLog.merge(value, into: &maximum)
                }
                return .integer(Int64(HyperLogLog.estimate(maximum)))
            }
            guard var value = try existingHLL(&execution, command[1]) else { return .integer(0) }
            if let cached = HyperLogLog.cachedCount(value) { return .integer(Int64(cached)) }
            let count = HyperLogLog.estimate(try HyperLogLog.registers(value))
            // Redis keeps the count in the header (and so writes the key).
            for byte in 0..<8 { value[8 + byte] = UInt8(truncatingIfNeeded: count >> (8 * UInt64(byte))) }
            execution.database.replaceString(command[1], value, form: .edited)
            return .integer(Int64(count))
        },
        "pfmerge": StubCommand(-2) { execution, command throws(StubError) in
            var maximum = [UInt8](repeating: 0, count: HyperLogLog.registerCount)
            var anyDense = false
            for key in command.dropFirst() {
                guard let value = try existingHLL(&execution, key) else { continue }
                if value[4] == HyperLogLog.dense { anyDense = true }
                try HyperLogLog.merge(value, into: &maximum)
            }
            var value = try existingHLL(&execution, command[1]) ?? HyperLogLog.empty
            if anyDense { value = try HyperLogLog.densified(value) }
            for (index, count) in maximum.enumerated() where count != 0 { _ = try HyperLogLog.set(&value, index, count) }
            HyperLogLog.invalidateCache(&value)
            execution.database.replaceString(command[1], value, form: .edited)
            return .ok
        },
        "pfdebug": StubCommand(3) { execution, command throws(StubError) in
            let subcommand = StubParse.upper(command[1])
            guard let value = try existingHLL(&execution, command[2]) else { throw StubError("ERR The specified key does not exist") }
            guard ["GETREG", "DECODE", "ENCODING", "TODENSE"].contains(subcommand) else {
                throw StubError("ERR Unknown PFDEBUG subcommand '\(String(decoding: command[1], as: UTF8.self))'")
            }
            switch subcommand {
            case "ENCODING":
                return .simpleString(value[4] == HyperLogLog.dense ? "dense" : "sparse")
            case "DECODE":
                guard value[4] == HyperLogLog.sparse else { throw StubError("ERR HLL encoding is not sparse") }
                return .bulkString(Array(HyperLogLog.decoded(value).utf8))
            default:
                // GETREG and TODENSE both leave the key dense.
                let wasSparse = value[4] == HyperLogLog.sparse
                let dense = try HyperLogLog.densified(value)
                if wasSparse { execution.database.replaceStringUnsignalled(command[2], dense) }
                if subcommand == "TODENSE" { return .bool(wasSparse) }
                return .array(try HyperLogLog.registers(dense).map { .integer(Int($0)) })
            }
        },
        "pfselftest": StubCommand(1) { _, _ in .ok },
    ]

    /// The key's HLL string; nil when absent; WRONGTYPE when it holds anything else.
    private static func existingHLL(_ execution: inout StubExecution, _ key: StubKey) throws(StubError) -> [UInt8]? {
        guard let value = try execution.database.string(key, now: execution.now) else { return nil }
        guard HyperLogLog.isValid(value) else { throw StubError("WRONGTYPE Key is not a valid HyperLogLog string value.") }
        return value
    }
}

/// Redis's hyperloglog.c, byte for byte where the bytes show.
enum HyperLogLog {
    static let registerCount = 16384
    static let headerSize = 16
    static let denseSize = headerSize + registerCount * 6 / 8
    static let dense: UInt8 = 0
    static let sparse: UInt8 = 1
    static let sparseMaxBytes = 3000
    static let corrupted = StubError("INVALIDOBJ Corrupted HLL object detected")

    /// A new HLL: sparse, one XZERO opcode over every register, the count cache marked stale.
    static let empty: [UInt8] = Array("HYLL".utf8) + [sparse, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0x80] + [0x7f, 0xff]

    static func isValid(_ value: [UInt8]) -> Bool {
        guard value.count >= headerSize, value.starts(with: Array("HYLL".utf8)), value[4] <= sparse else { return false }
        return value[4] == sparse || value.count == denseSize
    }

    static func invalidateCache(_ value: inout [UInt8]) { value[15] |= 0x80 }

    static func cachedCount(_ value: [UInt8]) -> UInt64? {
        guard value[15] & 0x80 == 0 else { return nil }
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(value[8 + $1]) << (8 * UInt64($1)) }
    }

    /// The register an element falls in (the hash's low 14 bits) and the length of the run
    /// of zeros after them, plus one.
    static func pattern(_ element: [UInt8]) -> (index: Int, count: UInt8) {
        var hash = murmurHash64A(element, seed: 0xadc8_3b19)
        let index = Int(hash & UInt64(registerCount - 1))
        hash >>= 14
        hash |= 1 << 50
        return (index, UInt8(hash.trailingZeroBitCount + 1))
    }

    static func murmurHash64A(_ bytes: [UInt8], seed: UInt64) -> UInt64 {
        let m: UInt64 = 0xc6a4_a793_5bd1_e995
        var h = seed ^ (UInt64(bytes.count) &* m)
        let blocks = bytes.count / 8
        for block in 0..<blocks {
            var k: UInt64 = 0
            for byte in 0..<8 { k |= UInt64(bytes[block * 8 + byte]) << (8 * UInt64(byte)) }
            k = k &* m
            k ^= k >> 47
            k = k &* m
            h ^= k
            h = h &* m
        }
        let tail = bytes[(blocks * 8)...]
        if !tail.isEmpty {
            for (offset, byte) in tail.enumerated().reversed() { h ^= UInt64(byte) << (8 * UInt64(offset)) }
            h = h &* m
        }
        h ^= h >> 47
        h = h &* m
        h ^= h >> 47
        return h
    }

    // MARK: - Registers

    static func denseRegister(_ value: [UInt8], _ index: Int) -> UInt8 {
        let byte = headerSize + index * 6 / 8
        let shift = index * 6 & 7
        let low = Int(value[byte]) >> shift
        let high = byte + 1 < value.count ? Int(value[byte + 1]) << (8 - shift) : 0
        return UInt8((low | high) & 63)
    }

    static func setDenseRegister(_ value: inout [UInt8], _ index: Int, _ count: UInt8) {
        let byte = headerSize + index * 6 / 8
        let shift = index * 6 & 7
        value[byte] &= ~UInt8(truncatingIfNeeded: 63 << shift)
        value[byte] |= UInt8(truncatingIfNeeded: Int(count) << shift)
        if byte + 1 < value.count {
            value[byte + 1] &= ~UInt8(truncatingIfNeeded: 63 >> (8 - shift))
            value[byte + 1] |= UInt8(truncatingIfNeeded: Int(count) >> (8 - shift))
        }
    }

    /// Every register's value, from either encoding; a sparse run past 16,384 registers (or
    /// short of them) is a corrupted HLL.
    static func registers(_ value: [UInt8]) throws(StubError) -> [UInt8] {
        if value[4] == dense { return (0..<registerCount).map { denseRegister(value, $0) } }
        var registers: [UInt8] = []
        registers.reserveCapacity(registerCount)
        var position = headerSize
        while position < value.count {
            let (run, count, width) = opcode(value, position)
            guard registers.count + run <= registerCount else { throw corrupted }
            registers += repeatElement(count, count: run)
            position += width
        }
        guard registers.count == registerCount else { throw corrupted }
        return registers
    }

    /// The sparse opcode at `position`: registers covered, their value, its length in bytes.
    static func opcode(_ value: [UInt8], _ position: Int) -> (run: Int, count: UInt8, width: Int) {
        let byte = value[position]
        if byte & 0xc0 == 0 { return (Int(byte & 0x3f) + 1, 0, 1) }
        if byte & 0xc0 == 0x40 {
            let low = position + 1 < value.count ? Int(value[position + 1]) : 0
            return ((Int(byte & 0x3f) << 8 | low) + 1, 0, 2)
        }
        return (Int(byte & 3) + 1, (byte >> 2 & 0x1f) + 1, 1)
    }

    static func merge(_ value: [UInt8], into maximum: inout [UInt8]) throws(StubError) {
        for (index, count) in try registers(value).enumerated() where count > maximum[index] { maximum[index] = count }
    }

    /// The same registers, dense, with the header kept.
    static func densified(_ value: [UInt8]) throws(StubError) -> [UInt8] {
        guard value[4] == sparse else { return value }
        let registers = try registers(value)
        var result = Array(value[..<headerSize]) + [UInt8](repeating: 0, count: denseSize - headerSize)
        result[4] = dense
        for (index, count) in registers.enumerated() where count != 0 { setDenseRegister(&result, index, count) }
        return result
    }

    /// PFDEBUG DECODE's text: `z:n` (ZERO), `Z:n` (XZERO), `v:value,run` (VAL).
    static func decoded(_ value: [UInt8]) -> String {
        var parts: [String] = []
        var position = headerSize
        while position < value.count {
            let (run, count, width) = opcode(value, position)
            let byte = value[position]
            parts.append(byte & 0xc0 == 0 ? "z:\(run)" : byte & 0xc0 == 0x40 ? "Z:\(run)" : "v:\(count),\(run)")
            position += width
        }
        return parts.joined(separator: " ")
    }

    /// Raises register `index` to `count` when it is lower: true when it was. A sparse HLL is
    /// edited as hllSparseSet edits it, or turned dense when it must be.
    static func set(_ value: inout [UInt8], _ index: Int, _ count: UInt8) throws(StubError) -> Bool {
        if value[4] == dense {
            guard count > denseRegister(value, index) else { return false }
            setDenseRegister(&value, index, count)
            return true
        }
        guard count <= 32 else { return try promote(&value, index, count) }
        // Step 1: the opcode covering the register, and the one before it.
        var position = headerSize
        var first = 0
        var previous: Int?
        var found: (run: Int, count: UInt8, width: Int)?
        while position < value.count {
            let current = opcode(value, position)
            if index <= first + current.run - 1 {
                found = current
                break
            }
            previous = position
            position += current.width
            first += current.run
        }
        guard let (run, oldCount, width) = found else { throw corrupted }
        let isValue = value[position] & 0x80 != 0
        let isZero = value[position] & 0xc0 == 0
        // Step 2: a value already as high; a one-register opcode rewritten in place.
        if isValue && oldCount >= count { return false }
        if (isValue || isZero) && run == 1 {
            value[position] = valueOpcode(count, 1)
        } else {
            // The general case: split the opcode around the register.
            var sequence: [UInt8] = []
            let last = first + run - 1
            if isValue {
                if index != first { sequence.append(valueOpcode(oldCount, index - first)) }
                sequence.append(valueOpcode(count, 1))
                if index != last { sequence.append(valueOpcode(oldCount, last - index)) }
            } else {
                if index != first { sequence += zeroOpcode(index - first) }
                sequence.append(valueOpcode(count, 1))
                if index != last { sequence += zeroOpcode(last - index) }
            }
            // Step 3: in place of the old opcode, unless that grows the string too much.
            if sequence.count > width && value.count + sequence.count - width > sparseMaxBytes {
                return try promote(&value, index, count)
            }
            value.replaceSubrange(position..<(position + width), with: sequence)
        }
        // Step 4: merge neighbouring VAL opcodes of one value, from the opcode before.
        var scan = previous ?? headerSize
        var budget = 5
        while scan < value.count && budget > 0 {
            budget -= 1
            let byte = value[scan]
            if byte & 0xc0 == 0x40 {
                scan += 2
                continue
            }
            if byte & 0xc0 == 0 {
                scan += 1
                continue
            }
            if scan + 1 < value.count && value[scan + 1] & 0x80 != 0 {
                let left = opcode(value, scan)
                let right = opcode(value, scan + 1)
                if left.count == right.count && left.run + right.run <= 4 {
                    value[scan + 1] = valueOpcode(left.count, left.run + right.run)
                    // Try the merged opcode against the next one (that costs a step too).
                    value.remove(at: scan)
                    continue
                }
            }
            scan += 1
        }
        return true
    }

    private static func promote(_ value: inout [UInt8], _ index: Int, _ count: UInt8) throws(StubError) -> Bool {
        value = try densified(value)
        setDenseRegister(&value, index, max(count, denseRegister(value, index)))
        return true
    }

    private static func valueOpcode(_ count: UInt8, _ run: Int) -> UInt8 { 0x80 | (count - 1) << 2 | UInt8(run - 1) }

    private static func zeroOpcode(_ run: Int) -> [UInt8] {
        run > 64 ? [0x40 | UInt8((run - 1) >> 8), UInt8((run - 1) & 0xff)] : [UInt8(run - 1)]
    }

    // MARK: - Counting

    /// Ertl's estimator over the registers' histogram, as Redis 5+ counts.
    static func estimate(_ registers: [UInt8]) -> UInt64 {
        let m = Double(registerCount)
        var histogram = [Int](repeating: 0, count: 64)
        for register in registers { histogram[Int(register)] += 1 }
        var z = m * tau((m - Double(histogram[51])) / m)
        for j in stride(from: 50, through: 1, by: -1) {
            z += Double(histogram[j])
            z *= 0.5
        }
        z += m * sigma(Double(histogram[0]) / m)
        return UInt64((0.721347520444481703680 * m * m / z).rounded())
    }

    private static func sigma(_ x: Double) -> Double {
        if x == 1 { return .infinity }
        var x = x
        var y = 1.0
        var z = x
        var previous: Double
        repeat {
            x *= x
            previous = z
            z += x * y
            y += y
        } while previous != z
        return z
    }

    private static func tau(_ x: Double) -> Double {
        if x == 0 || x == 1 { return 0 }
        var x = x
        var y = 1.0
        var z = 1 - x
        var previous: Double
        repeat {
            x = x.squareRoot()
            previous = z
            y *= 0.5
            z -= (1 - x) * (1 - x) * y
        } while previous != z
        return z / 3
    }
}
