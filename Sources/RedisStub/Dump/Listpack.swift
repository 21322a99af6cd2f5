/// Redis 7.0's listpack, the compact encoding of small hashes, sorted sets and list nodes: a
/// 6-byte header (total bytes, element count, little-endian), entries, an end byte 0xFF. Each
/// entry is an integer in the smallest of its integer encodings or a string behind a 1, 2 or
/// 5 byte length, followed by that entry's own length written backwards, 7 bits to a byte.
enum Listpack {
    static func encode(_ elements: [[UInt8]]) -> [UInt8] {
        var body: [UInt8] = []
        for element in elements { appendEntry(element, to: &body) }
        let total = 6 + body.count + 1
        return littleEndian(UInt64(total), bytes: 4) + littleEndian(UInt64(min(elements.count, 65_535)), bytes: 2) + body + [0xFF]
    }

    /// One entry's bytes, back-length included.
    static func entrySize(_ element: [UInt8]) -> Int {
        var bytes: [UInt8] = []
        appendEntry(element, to: &bytes)
        return bytes.count
    }

    private static func appendEntry(_ element: [UInt8], to output: inout [UInt8]) {
        let start = output.count
        if let integer = StubParse.parseInteger(element) {
            switch integer {
            case 0...127: output.append(UInt8(integer))
            case -4096...4095:
                let bits = UInt16(bitPattern: Int16(integer)) & 0x1FFF
                output += [0xC0 | UInt8(bits >> 8), UInt8(bits & 0xFF)]
            case Int64(Int16.min)...Int64(Int16.max): output += [0xF1] + littleEndian(UInt64(bitPattern: integer), bytes: 2)
            case -8_388_608...8_388_607: output += [0xF2] + littleEndian(UInt64(bitPattern: integer), bytes: 3)
            case Int64(Int32.min)...Int64(Int32.max): output += [0xF3] + littleEndian(UInt64(bitPattern: integer), bytes: 4)
            default: output += [0xF4] + littleEndian(UInt64(bitPattern: integer), bytes: 8)
            }
        } else if element.count < 64 {
            output.append(0x80 | UInt8(element.count))
            output += element
        } else if element.count < 4096 {
            output += [0xE0 | UInt8(element.count >> 8), UInt8(element.count & 0xFF)]
            output += element
        } else {
            output += [0xF0] + littleEndian(UInt64(element.count), bytes: 4)
            output += element
        }
        output += backLength(output.count - start)
    }

    private static func backLength(_ length: Int) -> [UInt8] {
        let groups = length <= 127 ? 1 : length < 16_383 ? 2 : length < 2_097_151 ? 3 : length < 268_435_455 ? 4 : 5
        // Most significant group first; every group but the first carries the high bit.
        return (0..<groups).map { index in
            let group = UInt8((length >> (7 * (groups - 1 - index))) & 0x7F)
            return index == 0 ? group : group | 0x80
        }
    }

    /// The elements, integers written out in decimal; nil when the bytes are not a listpack.
    static func decode(_ bytes: [UInt8]) -> [[UInt8]]? {
        guard bytes.count >= 7, Int(littleEndianValue(bytes[0..<4])) == bytes.count, bytes.last == 0xFF else { return nil }
        var elements: [[UInt8]] = []
        var position = 6
        while position < bytes.count - 1 {
            let start = position
            let marker = bytes[position]
            func take(_ count: Int) -> ArraySlice<UInt8>? {
                guard position + count <= bytes.count - 1 else { return nil }
                defer { position += count }
                return bytes[position..<(position + count)]
            }
            func signed(_ slice: ArraySlice<UInt8>) -> Int64 {
                let bits = slice.count * 8
                let value = littleEndianValue(slice)
                return bits == 64 ? Int64(bitPattern: value) : Int64(bitPattern: value << (64 - UInt64(bits))) >> (64 - Int64(bits))
            }
            position += 1
            if marker & 0x80 == 0 {
                elements.append(StubFormat.integer(Int64(marker)))
            } else if marker & 0xC0 == 0x80 {
                guard let string = take(Int(marker & 0x3F)) else { return nil }
                elements.append(Array(string))
            } else if marker & 0xE0 == 0xC0 {
                guard let low = take(1) else { return nil }
                let bits = Int64(marker & 0x1F) << 8 | Int64(low.first!)
                elements.append(StubFormat.integer(bits >= 4096 ? bits - 8192 : bits))
            } else if marker & 0xF0 == 0xE0 {
                guard let low = take(1), let string = take(Int(marker & 0x0F) << 8 | Int(low.first!)) else { return nil }
                elements.append(Array(string))
            } else {
                switch marker {
                case 0xF0:
                    guard let length = take(4), let string = take(Int(littleEndianValue(length))) else { return nil }
                    elements.append(Array(string))
                case 0xF1, 0xF2, 0xF3, 0xF4:
                    guard let value = take([0xF1: 2, 0xF2: 3, 0xF3: 4, 0xF4: 8][marker]!) else { return nil }
                    elements.append(StubFormat.integer(signed(value)))
                default:
                    return nil
                }
            }
            let expected = backLength(position - start)
            guard let written = take(expected.count), Array(written) == expected else { return nil }
        }
        return elements
    }
}

func littleEndian(_ value: UInt64, bytes: Int) -> [UInt8] {
    (0..<bytes).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
}

func littleEndianValue(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
}
