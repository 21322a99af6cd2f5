/// Splits a command line into arguments by redis-cli's rules (`sdssplitargs`): blanks separate
/// arguments; "double quotes" take `\n \r \t \b \a \xHH` and `\<any>` escapes; 'single quotes'
/// take `\'`; a closing quote must be followed by a blank or the end of the line. Used by
/// `redis-infra cli` and by the stub-server for inline requests.
public enum CommandLineSplitter {
    /// The arguments, or nil for unbalanced quotes (redis-cli's "Invalid argument(s)").
    public static func split(_ line: [UInt8]) -> [[UInt8]]? {
        var arguments: [[UInt8]] = []
        var index = 0
        func at(_ position: Int) -> UInt8 { position < line.count ? line[position] : 0 }
        while true {
            while index < line.count && isBlank(line[index]) { index += 1 }
            guard index < line.count else { return arguments }
            var current: [UInt8] = []
            var inDouble = false
            var inSingle = false
            var done = false
            while !done {
                let byte = at(index)
                if inDouble {
                    if byte == UInt8(ascii: "\\") && at(index + 1) == UInt8(ascii: "x"),
                       let high = hexValue(at(index + 2)), let low = hexValue(at(index + 3)) {
                        current.append(high << 4 | low)
                        index += 3
                    } else if byte == UInt8(ascii: "\\") && at(index + 1) != 0 {
                        index += 1
                        switch at(index) {
                        case UInt8(ascii: "n"): current.append(10)
                        case UInt8(ascii: "r"): current.append(13)
                        case UInt8(ascii: "t"): current.append(9)
                        case UInt8(ascii: "b"): current.append(8)
                        case UInt8(ascii: "a"): current.append(7)
                        default: current.append(at(index))
                        }
                    } else if byte == UInt8(ascii: "\"") || index >= line.count {
                        guard closesQuote(byte, UInt8(ascii: "\""), next: at(index + 1)) else { return nil }
                        done = true
                    } else {
                        current.append(byte)
                    }
                } else if inSingle {
                    if byte == UInt8(ascii: "\\") && at(index + 1) == UInt8(ascii: "'") {
                        index += 1
                        current.append(UInt8(ascii: "'"))
                    } else if byte == UInt8(ascii: "'") || index >= line.count {
                        guard closesQuote(byte, UInt8(ascii: "'"), next: at(index + 1)) else { return nil }
                        done = true
                    } else {
                        current.append(byte)
                    }
                } else {
                    switch byte {
                    case UInt8(ascii: " "), 10, 13, 9, 0: done = true
                    case UInt8(ascii: "\""): inDouble = true
                    case UInt8(ascii: "'"): inSingle = true
                    default: current.append(byte)
                    }
                }
                if index < line.count { index += 1 }
            }
            arguments.append(current)
        }
    }

    /// A quote closes only when it is really there (the end of the line means unbalanced
    /// quotes) and is followed by a blank or the end of the line.
    private static func closesQuote(_ byte: UInt8, _ quote: UInt8, next: UInt8) -> Bool {
        byte == quote && (next == 0 || isBlank(next))
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 32 || (9...13).contains(byte)
    }
}
