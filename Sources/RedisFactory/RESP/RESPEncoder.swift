/// Writes a reply in RESP2, as a server sends it (the stub-server's only output format).
/// Reading RESP is hiredis's job; writing it is a few lines with no parsing in it.
public enum RESPEncoder {
    public static func encode(_ value: RedisValue, into out: inout [UInt8]) {
        switch value {
        case .simpleString(let text):
            out.append(UInt8(ascii: "+"))
            appendLine(text, to: &out)
        case .error(let message):
            out.append(UInt8(ascii: "-"))
            appendLine(message, to: &out)
        case .integer(let number):
            out.append(UInt8(ascii: ":"))
            appendLine(String(number), to: &out)
        case .bulkString(let bytes):
            out.append(UInt8(ascii: "$"))
            appendLine(String(bytes.count), to: &out)
            out.append(contentsOf: bytes)
            out.append(contentsOf: [13, 10])
        case .null:
            out.append(contentsOf: Array("$-1\r\n".utf8))
        case .array(let elements):
            out.append(UInt8(ascii: "*"))
            appendLine(String(elements.count), to: &out)
            for element in elements { encode(element, into: &out) }
        }
    }

    public static func encode(_ value: RedisValue) -> [UInt8] {
        var out: [UInt8] = []
        encode(value, into: &out)
        return out
    }

    /// Status and error lines cannot carry CR or LF: they would end the line early.
    private static func appendLine(_ text: String, to out: inout [UInt8]) {
        for byte in text.utf8 { out.append(byte == 13 || byte == 10 ? 32 : byte) }
        out.append(contentsOf: [13, 10])
    }
}
