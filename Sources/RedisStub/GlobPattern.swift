import RedisClientCore
/// Redis's glob (`stringmatchlen`): `*`, `?`, `[abc]`, `[^a]`, `[a-z]`, `\` escapes, on bytes.
enum GlobPattern {
    static func matches(_ pattern: [UInt8], _ string: [UInt8]) -> Bool {
        matches(pattern[...], string[...])
    }

    private static func matches(_ pattern: ArraySlice<UInt8>, _ string: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var s = string.startIndex
        let star = UInt8(ascii: "*"), question = UInt8(ascii: "?"), open = UInt8(ascii: "[")
        let close = UInt8(ascii: "]"), backslash = UInt8(ascii: "\\"), caret = UInt8(ascii: "^")
        let dash = UInt8(ascii: "-")
        while p < pattern.endIndex && s < string.endIndex {
            switch pattern[p] {
            case star:
                while p + 1 < pattern.endIndex && pattern[p + 1] == star { p += 1 }
                if p + 1 == pattern.endIndex { return true }
                while s < string.endIndex {
                    if matches(pattern[(p + 1)...], string[s...]) { return true }
                    s += 1
                }
                return false
            case question:
                s += 1
            case open:
                p += 1
                let negate = p < pattern.endIndex && pattern[p] == caret
                if negate { p += 1 }
                var matched = false
                while true {
                    if p < pattern.endIndex && pattern[p] == backslash && pattern.endIndex - p >= 2 {
                        p += 1
                        if pattern[p] == string[s] { matched = true }
                    } else if p < pattern.endIndex && pattern[p] == close {
                        break
                    } else if p >= pattern.endIndex {
                        p -= 1
                        break
                    } else if pattern.endIndex - p >= 3 && pattern[p + 1] == dash {
                        let bounds = (pattern[p], pattern[p + 2])
                        let (low, high) = bounds.0 <= bounds.1 ? bounds : (bounds.1, bounds.0)
                        p += 2
                        if (low...high).contains(string[s]) { matched = true }
                    } else if pattern[p] == string[s] {
                        matched = true
                    }
                    p += 1
                }
                if negate { matched.toggle() }
                if !matched { return false }
                s += 1
            case backslash where pattern.endIndex - p >= 2:
                p += 1
                if pattern[p] != string[s] { return false }
                s += 1
            default:
                if pattern[p] != string[s] { return false }
                s += 1
            }
            p += 1
            if s == string.endIndex {
                while p < pattern.endIndex && pattern[p] == star { p += 1 }
                break
            }
        }
        return p == pattern.endIndex && s == string.endIndex
    }
}
