import RedisClientCore

/// `BITFIELD` and `BITFIELD_RO`: signed and unsigned integers of 1 to 64 (63) bits at any bit
/// offset, read and written most significant bit first, with WRAP, SAT and FAIL overflow, in
/// Redis 7.0's arithmetic.
extension StubCommands {
    static let bitfields: [String: StubCommand] = [
        "bitfield": StubCommand(-2) { execution, command throws(StubError) in try bitfield(&execution, command, readOnly: false) },
        "bitfield_ro": StubCommand(-2) { execution, command throws(StubError) in try bitfield(&execution, command, readOnly: true) },
    ]

    private enum Overflow { case wrap, sat, fail }

    private struct FieldOperation {
        enum Kind { case get, set, incrby }
        let kind: Kind
        let signed: Bool
        let bits: Int
        let offset: Int
        let value: Int64
        let overflow: Overflow
    }

    private static func fieldOperations(_ command: RedisCommandArgv) throws(StubError) -> [FieldOperation] {
        var operations: [FieldOperation] = []
        var overflow = Overflow.wrap
        var index = 2
        while index < command.count {
            let remaining = command.count - index - 1
            let kind: FieldOperation.Kind
            switch StubParse.upper(command[index]) {
            case "GET" where remaining >= 2: kind = .get
            case "SET" where remaining >= 3: kind = .set
            case "INCRBY" where remaining >= 3: kind = .incrby
            case "OVERFLOW" where remaining >= 1:
                switch StubParse.upper(command[index + 1]) {
                case "WRAP": overflow = .wrap
                case "SAT": overflow = .sat
                case "FAIL": overflow = .fail
                default: throw StubError("ERR Invalid OVERFLOW type specified")
                }
                index += 2
                continue
            default:
                throw .syntax
            }
            let (signed, bits) = try fieldType(command[index + 1])
            let offset = try fieldOffset(command[index + 2], bits: bits)
            let value = kind == .get ? 0 : try StubParse.integer(command[index + 3])
            operations.append(FieldOperation(kind: kind, signed: signed, bits: bits, offset: offset, value: value, overflow: overflow))
            index += kind == .get ? 3 : 4
        }
        return operations
    }

    /// `i1`…`i64` or `u1`…`u63`, lower case only.
    private static func fieldType(_ bytes: [UInt8]) throws(StubError) -> (signed: Bool, bits: Int) {
        let error = StubError("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")
        guard let first = bytes.first, first == UInt8(ascii: "i") || first == UInt8(ascii: "u"),
              let bits = StubParse.parseInteger(Array(bytes.dropFirst())) else { throw error }
        let signed = first == UInt8(ascii: "i")
        guard bits >= 1, bits <= (signed ? 64 : 63) else { throw error }
        return (signed, Int(bits))
    }

    /// A bit offset, or `#n` for the n-th field of this width; within 512 MB.
    private static func fieldOffset(_ bytes: [UInt8], bits: Int) throws(StubError) -> Int {
        let error = StubError("ERR bit offset is not an integer or out of range")
        let byWidth = bytes.first == UInt8(ascii: "#")
        guard var offset = StubParse.parseInteger(Array(bytes.dropFirst(byWidth ? 1 : 0))) else { throw error }
        if byWidth { offset = offset &* Int64(bits) }
        guard offset >= 0, offset >> 3 < 512 * 1024 * 1024 else { throw error }
        return Int(offset)
    }

    private static func bitfield(_ execution: inout StubExecution, _ command: RedisCommandArgv, readOnly: Bool) throws(StubError) -> RedisValue {
        let operations = try fieldOperations(command)
        let writes = operations.filter { $0.kind != .get }
        guard writes.isEmpty || !readOnly else { throw StubError("ERR BITFIELD_RO only supports the GET subcommand") }
        let existing = try execution.database.string(command[1], now: execution.now)
        if writes.isEmpty {
            let value = existing ?? []
            return .array(operations.map { .integer(read($0, from: value)) })
        }

        // Room up to the farthest bit any write reaches, even one that FAIL stops.
        var value = existing ?? []
        let needed = writes.map { ($0.offset + $0.bits - 1) / 8 + 1 }.max()!
        if value.count < needed { value += [UInt8](repeating: 0, count: needed - value.count) }
        var changes = 0
        var replies: [RedisValue] = []
        for operation in operations {
            guard operation.kind != .get else {
                replies.append(.integer(read(operation, from: value)))
                continue
            }
            let old = read(operation, from: value)
            let (result, overflowed) = operation.kind == .incrby
                ? add(old, operation.value, operation)
                : add(operation.value, 0, operation)
            if overflowed && operation.overflow == .fail {
                replies.append(.null)
                continue
            }
            write(result, operation, into: &value)
            changes += 1
            replies.append(.integer(operation.kind == .incrby ? result : old))
        }
        // Redis writes (and so spoils a WATCH) when the key is new or grew, or a field was set.
        if existing == nil || value.count != existing!.count || changes > 0 {
            execution.database.replaceString(command[1], value, form: .edited)
        } else {
            execution.database.setStringForm(command[1], .edited)
        }
        return .array(replies)
    }

    private static func read(_ operation: FieldOperation, from value: [UInt8]) -> Int64 {
        var raw: UInt64 = 0
        for bit in operation.offset..<(operation.offset + operation.bits) {
            let byte = bit >> 3
            let set = byte < value.count && value[byte] & (0x80 >> UInt8(bit & 7)) != 0
            raw = raw << 1 | (set ? 1 : 0)
        }
        if operation.signed && operation.bits < 64 && raw & (1 << (operation.bits - 1)) != 0 { raw |= ~0 << operation.bits }
        return Int64(bitPattern: raw)
    }

    private static func write(_ number: Int64, _ operation: FieldOperation, into value: inout [UInt8]) {
        let raw = UInt64(bitPattern: number)
        for (position, bit) in (operation.offset..<(operation.offset + operation.bits)).enumerated() {
            let mask = UInt8(0x80) >> UInt8(bit & 7)
            if raw >> (operation.bits - 1 - position) & 1 == 1 { value[bit >> 3] |= mask } else { value[bit >> 3] &= ~mask }
        }
    }

    /// `value + increment` in the field's width: the result, and whether it overflowed (then
    /// wrapped or saturated as the operation says; FAIL leaves the field alone).
    private static func add(_ value: Int64, _ increment: Int64, _ operation: FieldOperation) -> (Int64, Bool) {
        let bits = UInt64(operation.bits)
        if operation.signed {
            let max: Int64 = bits == 64 ? .max : (1 << (bits - 1)) - 1
            let min = -max - 1
            let maxIncrement = Int64(bitPattern: UInt64(bitPattern: max) &- UInt64(bitPattern: value))
            let minIncrement = min &- value
            let wrapped: Int64 = {
                var sum = UInt64(bitPattern: value) &+ UInt64(bitPattern: increment)
                if bits < 64 {
                    let mask = ~UInt64(0) << bits
                    sum = sum & (1 << (bits - 1)) != 0 ? sum | mask : sum & ~mask
                }
                return Int64(bitPattern: sum)
            }()
            if value > max || (bits != 64 && increment > maxIncrement) || (value >= 0 && increment > 0 && increment > maxIncrement) {
                return (operation.overflow == .sat ? max : wrapped, true)
            }
            if value < min || (bits != 64 && increment < minIncrement) || (value < 0 && increment < 0 && increment < minIncrement) {
                return (operation.overflow == .sat ? min : wrapped, true)
            }
            return (value &+ increment, false)
        }
        let unsignedValue = UInt64(bitPattern: value)
        let max: UInt64 = (1 << bits) - 1
        let maxIncrement = Int64(bitPattern: max &- unsignedValue)
        let minIncrement = Int64(bitPattern: 0 &- unsignedValue)
        let wrapped = Int64(bitPattern: (unsignedValue &+ UInt64(bitPattern: increment)) & ~(~UInt64(0) << bits))
        if unsignedValue > max || (increment > 0 && increment > maxIncrement) {
            return (operation.overflow == .sat ? Int64(max) : wrapped, true)
        }
        if increment < 0 && increment < minIncrement {
            return (operation.overflow == .sat ? 0 : wrapped, true)
        }
        return (Int64(bitPattern: unsignedValue &+ UInt64(bitPattern: increment)), false)
    }
}
