/// Writes RESP2: replies as a server sends them (the stub-server's output) and commands as a
/// client sends them. Reading RESP is hiredis's job; writing it is a few lines with no parsing.
public enum RESPEncoder {
    /// A command as a multibulk of bulk strings, appended without an intermediate copy: the
    /// client's hot path (hiredis's formatter spent a fifth of a pipeline in sprintf).
    public static func appendCommand(_ command: RedisCommandArgv, to out: inout [UInt8]) {
        var size = 16
        for argument in command { size += argument.count + 16 }
        out.reserveCapacity(out.count + size)
        out.append(UInt8(ascii: "*"))
        appendDecimal(command.count, to: &out)
        for argument in command {
            out.append(UInt8(ascii: "$"))
            appendDecimal(argument.count, to: &out)
            out.append(contentsOf: argument)
            out.append(13)
            out.append(10)
        }
    }

    /// A non-negative count in decimal, then CRLF.
    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(ascii: "0") + UInt8(value))
        } else {
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                         UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            var rest = value
            withUnsafeMutableBytes(of: &digits) { buffer in
                while rest > 0 {
                    buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                    count += 1
                }
                for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
            }
        }
        out.append(13)
        out.append(10)
    }

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
