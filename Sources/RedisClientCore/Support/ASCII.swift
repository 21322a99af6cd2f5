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
public func lowercasedCommandName(_ bytes: [UInt8]) -> String {
    if !bytes.contains(where: { (65...90).contains($0) }) { return String(decoding: bytes, as: UTF8.self) }
    return String(decoding: bytes.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
}
