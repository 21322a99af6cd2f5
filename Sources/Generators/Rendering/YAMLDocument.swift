/// A YAML document as a tree, rendered in block style with deterministic key order (the order
/// the generator inserted) and quoting decided in one place, so no value can change the shape.
indirect enum YAMLValue {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case sequence([YAMLValue])
    case mapping([YAMLEntry])

    static func strings(_ values: [String]) -> YAMLValue { .sequence(values.map { .string($0) }) }
}

struct YAMLEntry {
    var key: String
    var value: YAMLValue
    /// Written as `# comment` lines above the key.
    var comment: String?

    init(_ key: String, _ value: YAMLValue, comment: String? = nil) {
        self.key = key
        self.value = value
        self.comment = comment
    }
}

enum YAMLRenderer {
    static func render(_ root: [YAMLEntry], header: [String]) -> String {
        var out = header.map { "# \($0)\n" }.joined()
        renderMapping(root, indent: 0, into: &out)
        return out
    }

    private static func renderMapping(_ entries: [YAMLEntry], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for entry in entries {
            if let comment = entry.comment {
                for line in comment.split(separator: "\n", omittingEmptySubsequences: false) { out += "\(pad)# \(line)\n" }
            }
            out += pad + scalar(entry.key) + ":"
            renderNested(entry.value, indent: indent, into: &out)
        }
    }

    /// After `key:` or `-`: scalars and empty collections stay on the line, others go below.
    private static func renderNested(_ value: YAMLValue, indent: Int, into out: inout String) {
        switch value {
        case .mapping(let entries) where !entries.isEmpty:
            out += "\n"
            renderMapping(entries, indent: indent + 2, into: &out)
        case .sequence(let items) where !items.isEmpty:
            out += "\n"
            renderSequence(items, indent: indent + 2, into: &out)
        default:
            out += " " + inline(value) + "\n"
        }
    }

    private static func renderSequence(_ items: [YAMLValue], indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        for item in items {
            switch item {
            case .mapping(let entries) where !entries.isEmpty:
                // `- key: value` with the rest of the mapping aligned under the first key.
                var nested = ""
                renderMapping(entries, indent: indent + 2, into: &nested)
                out += pad + "- " + nested.dropFirst(indent + 2)
            default:
                out += pad + "-"
                renderNested(item, indent: indent, into: &out)
            }
        }
    }

    private static func inline(_ value: YAMLValue) -> String {
        switch value {
        case .string(let text): return scalar(text)
        case .int(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .sequence: return "[]"
        case .mapping: return "{}"
        }
    }

    /// Plain when YAML 1.1 and 1.2 both read it back as the same string, double-quoted otherwise.
    static func scalar(_ text: String) -> String {
        isPlainSafe(text) ? text : quoted(text)
    }

    private static let reserved: Set<String> = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "", ".inf", ".nan",
    ]

    private static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !reserved.contains(text.lowercased()) else { return false }
        let allowed = text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_./@:+=,".unicodeScalars.contains(scalar))
        }
        let startsWell = first.properties.isAlphabetic || first == "." || first == "/" || first == "_"
            || (text.hasPrefix("--") && text.count > 2)
        guard allowed, startsWell else { return false }
        // `a: b` and `http://x` read fine, but a trailing or spaced colon would start a mapping.
        return !text.hasSuffix(":")
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if let escaped = sharedEscape(scalar) {
                out += escaped
            } else if scalar.value < 0x20 || scalar.value == 0x7F {
                out += hexEscape(scalar, prefix: "\\x", digits: 2)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
