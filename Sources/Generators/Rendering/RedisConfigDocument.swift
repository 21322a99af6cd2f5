/// A redis.conf / sentinel.conf as directives, rendered with Redis's own quoting rules
/// (`sdssplitargs`): an argument with a space, a quote or a control byte is double-quoted.
struct RedisConfigDocument {
    enum Line {
        case comment(String)
        case blank
        case directive([String])
    }

    var lines: [Line] = []

    mutating func comment(_ text: String) { lines.append(.comment(text)) }
    mutating func blank() { lines.append(.blank) }
    mutating func directive(_ words: String...) { lines.append(.directive(words)) }
    mutating func directive(_ words: [String]) { lines.append(.directive(words)) }

    func render(header: [String]) -> String {
        var out = header.map { "# \($0)\n" }.joined()
        for line in lines {
            switch line {
            case .comment(let text): out += "# \(text)\n"
            case .blank: out += "\n"
            case .directive(let words): out += words.map(Self.argument).joined(separator: " ") + "\n"
            }
        }
        return out
    }

    static func argument(_ word: String) -> String {
        let needsQuotes = word.isEmpty || word.unicodeScalars.contains { scalar in
            scalar.value <= 0x20 || scalar.value >= 0x7F || scalar == "\"" || scalar == "'" || scalar == "\\"
        }
        guard needsQuotes else { return word }
        var out = "\""
        for byte in word.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return out + "\""
    }
}
