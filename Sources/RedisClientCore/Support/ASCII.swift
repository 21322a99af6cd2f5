/// The value of one hexadecimal digit, for percent-decoding and `\xHH` escapes.
func hexValue(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
}

/// A command name in lower case: ASCII-only folding, without `String.lowercased()`'s Unicode
/// machinery on the stub's hot path.
/// Folded straight into the string's storage: a name of up to 15 bytes is a small string,
/// so no array and no heap allocation (clients send `SET`, not `set`).
public func lowercasedCommandName(_ bytes: [UInt8]) -> String {
    String(unsafeUninitializedCapacity: bytes.count) { storage in
        for (index, byte) in bytes.enumerated() { storage[index] = (65...90).contains(byte) ? byte | 0x20 : byte }
        return bytes.count
    }
}
