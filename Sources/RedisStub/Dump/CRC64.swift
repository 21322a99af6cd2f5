/// The checksum ending every DUMP payload: CRC-64 with Jones's polynomial, reflected, starting
/// from 0 (Redis's crc64.c; the check value of "123456789" is 0xe9c6d914c4b8d9ca).
enum CRC64 {
    private static let table: [UInt64] = (0..<256).map { index in
        var value = UInt64(index)
        for _ in 0..<8 { value = value & 1 == 1 ? (value >> 1) ^ 0x95AC_9329_AC4B_C9B5 : value >> 1 }
        return value
    }

    static func checksum(_ bytes: some Sequence<UInt8>, startingWith initial: UInt64 = 0) -> UInt64 {
        var crc = initial
        for byte in bytes { crc = table[Int((crc ^ UInt64(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc
    }
}
