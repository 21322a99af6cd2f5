/// The pieces of Redis's RDB format a DUMP payload is made of: lengths in 1, 2, 5 or 9 bytes,
/// strings as small integers, LZF blobs or plain bytes, doubles as 8 little-endian bytes.
/// A payload is one object (its type byte, then its body), the RDB version (10 for Redis 7.0)
/// and a CRC-64 of all that, both little-endian.
enum RDB {
    static let version: UInt16 = 10

    /// The object types of Redis 7.0's RDB version 10 the stub reads; it writes those Redis
    /// 7.0 writes (the old list, set and zset forms are read only).
    enum ObjectType: UInt8 {
        case string = 0, list = 1, set = 2, sortedSet = 3, hash = 4, sortedSet2 = 5, intset = 11
        case hashListpack = 16, sortedSetListpack = 17, quicklist2 = 18, streamListpacks2 = 19
    }

    /// Wraps an object's bytes with the version and checksum.
    static func payload(_ object: [UInt8]) -> [UInt8] {
        let body = object + littleEndian(UInt64(version), bytes: 2)
        return body + littleEndian(CRC64.checksum(body), bytes: 8)
    }

    /// The object's bytes, when the footer is one this Redis accepts: a version no newer than
    /// its own and a matching checksum.
    static func object(inPayload payload: [UInt8]) -> ArraySlice<UInt8>? {
        guard payload.count >= 10 else { return nil }
        let footer = payload.count - 10
        guard littleEndianValue(payload[footer..<(footer + 2)]) <= UInt64(version),
              littleEndianValue(payload[(footer + 2)...]) == CRC64.checksum(payload[..<(footer + 2)])
        else { return nil }
        return payload[..<footer]
    }
}

struct RDBWriter {
    private(set) var bytes: [UInt8] = []

    mutating func type(_ type: RDB.ObjectType) { bytes.append(type.rawValue) }

    /// A negative count (a stream group's unknown reads, -1) is written as Redis's unsigned cast.
    mutating func length(_ value: Int) { length(UInt64(bitPattern: Int64(value))) }

    mutating func length(_ value: UInt64) {
        switch value {
        case ..<64: bytes.append(UInt8(value))
        case ..<16_384: bytes += [0x40 | UInt8(value >> 8), UInt8(value & 0xFF)]
        case ...UInt64(UInt32.max): bytes += [0x80] + littleEndian(value, bytes: 4).reversed()
        default: bytes += [0x81] + littleEndian(value, bytes: 8).reversed()
        }
    }

    /// As rdbSaveRawString: a short decimal integer as 1, 2 or 4 bytes; past 20 bytes LZF
    /// when that saves at least 4 bytes; otherwise the length and the bytes.
    mutating func string(_ value: [UInt8]) {
        if value.count <= 11, let integer = StubParse.parseInteger(value), let encoded = Self.encodedInteger(integer) {
            bytes += encoded
            return
        }
        if value.count > 20, let compressed = LZF.compress(value, limit: value.count - 4) {
            bytes.append(0xC3)
            length(compressed.count)
            length(value.count)
            bytes += compressed
            return
        }
        length(value.count)
        bytes += value
    }

    private static func encodedInteger(_ value: Int64) -> [UInt8]? {
        switch value {
        case -128...127: [0xC0, UInt8(truncatingIfNeeded: value)]
        case -32_768...32_767: [0xC1] + littleEndian(UInt64(bitPattern: value), bytes: 2)
        case Int64(Int32.min)...Int64(Int32.max): [0xC2] + littleEndian(UInt64(bitPattern: value), bytes: 4)
        default: nil
        }
    }

    mutating func binaryDouble(_ value: Double) { bytes += littleEndian(value.bitPattern, bytes: 8) }

    mutating func milliseconds(_ value: Int64) { bytes += littleEndian(UInt64(bitPattern: value), bytes: 8) }

    mutating func raw(_ value: [UInt8]) { bytes += value }
}

/// Reads what ``RDBWriter`` writes; every read answers nil past the end or on a bad encoding.
struct RDBReader {
    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    var atEnd: Bool { position == bytes.endIndex }

    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, bytes.endIndex - position >= count else { return nil }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    mutating func byte() -> UInt8? { take(1)?.first }

    /// A length, or the special encoding a string starts with (`encoded`).
    private mutating func lengthOrEncoding() -> (value: UInt64, encoded: Bool)? {
        guard let first = byte() else { return nil }
        switch first >> 6 {
        case 0: return (UInt64(first & 0x3F), false)
        case 1: return byte().map { (UInt64(first & 0x3F) << 8 | UInt64($0), false) }
        case 3: return (UInt64(first & 0x3F), true)
        default:
            let width = first == 0x80 ? 4 : first == 0x81 ? 8 : 0
            guard width > 0, let value = take(width) else { return nil }
            return (value.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }, false)
        }
    }

    /// A count: nil past what an array could hold.
    mutating func length() -> Int? {
        guard let value = length64(), value <= UInt64(Int32.max) else { return nil }
        return Int(value)
    }

    /// An id part or a counter, all 64 bits.
    mutating func length64() -> UInt64? {
        guard let (value, encoded) = lengthOrEncoding(), !encoded else { return nil }
        return value
    }

    mutating func string() -> [UInt8]? {
        guard let (header, encoded) = lengthOrEncoding() else { return nil }
        let value = Int(clamping: header)
        guard encoded else { return take(value).map(Array.init) }
        func integer(_ width: Int) -> [UInt8]? {
            guard let raw = take(width) else { return nil }
            let bits = UInt64(width * 8)
            return StubFormat.integer(Int64(bitPattern: littleEndianValue(raw) << (64 - bits)) >> Int64(64 - bits))
        }
        switch value {
        case 0: return integer(1)
        case 1: return integer(2)
        case 2: return integer(4)
        case 3:
            guard let compressed = self.length(), let original = self.length(), let data = take(compressed) else { return nil }
            return LZF.decompress(Array(data), length: original)
        default: return nil
        }
    }

    mutating func binaryDouble() -> Double? {
        take(8).map { Double(bitPattern: littleEndianValue($0)) }
    }

    /// The old text form: a length byte, or 253 / 254 / 255 for nan / inf / -inf.
    mutating func textDouble() -> Double? {
        guard let count = byte() else { return nil }
        switch count {
        case 253: return .nan
        case 254: return .infinity
        case 255: return -.infinity
        default: return take(Int(count)).flatMap { Double(String(decoding: $0, as: UTF8.self)) }
        }
    }

    mutating func milliseconds() -> Int64? {
        take(8).map { Int64(bitPattern: littleEndianValue($0)) }
    }
}
