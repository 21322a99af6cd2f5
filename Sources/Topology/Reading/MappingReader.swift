/// Reads one YAML mapping of the topology: typed values with defaults, every problem reported
/// at its node, unknown keys refused with a "did you mean".
package final class MappingReader {
    package let node: YAMLNode
    package let path: String
    package let diagnostics: DiagnosticsCollector
    /// Every known key by schema path: the topology's own and its registered targets'.
    let schema: [String: [String]]
    private let pairs: [YAMLPair]
    private var used = Set<String>()

    /// nil (after reporting) when the node is not a mapping.
    init?(_ node: YAMLNode, path: String, diagnostics: DiagnosticsCollector, schema: [String: [String]]) {
        self.node = node
        self.path = path
        self.diagnostics = diagnostics
        self.schema = schema
        guard case .mapping(let pairs) = node.kind else {
            diagnostics.error("'\(path.isEmpty ? "topology" : path)' must be a mapping, not \(node.kindDescription)", at: node.location)
            return nil
        }
        self.pairs = pairs
    }

    package var location: SourceLocation { node.location }

    package func has(_ key: String) -> Bool { pairs.contains { $0.name == key } }

    /// The keys as written, each where it was written.
    package var writtenKeys: [Located<String>] { pairs.map { Located($0.name, at: $0.key.location) } }

    package func value(_ key: String) -> YAMLNode? {
        used.insert(key)
        return pairs.first { $0.name == key }?.value
    }

    package func child(_ key: String) -> MappingReader? {
        guard let value = value(key), !value.isNull else { return nil }
        return MappingReader(value, path: qualified(key), diagnostics: diagnostics, schema: schema)
    }

    /// Another mapping under this one (a list's item), read with the same schema.
    package func mapping(_ node: YAMLNode, path: String) -> MappingReader? {
        MappingReader(node, path: path, diagnostics: diagnostics, schema: schema)
    }

    package func qualified(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Reports every key this mapping does not know, with the closest known one.
    package func finish(schemaPath: String? = nil) {
        let known = schema[schemaPath ?? path] ?? []
        for pair in pairs where !known.contains(pair.name) {
            let suggestion = closest(pair.name, in: known).map { "; did you mean '\($0)'?" } ?? ""
            diagnostics.error("unknown key '\(pair.name)' in '\(path.isEmpty ? "topology" : path)'\(suggestion)", at: pair.key.location)
        }
    }

    // MARK: - Typed values

    package func string(_ key: String, default fallback: String? = nil) -> Located<String>? {
        guard let value = value(key), !value.isNull else { return fallback.map { Located($0, at: location) } }
        guard let text = value.scalar else {
            diagnostics.error("'\(qualified(key))' must be a string, not \(value.kindDescription)", at: value.location)
            return fallback.map { Located($0, at: value.location) }
        }
        return Located(text, at: value.location)
    }

    package func int(_ key: String, default fallback: Int, range: ClosedRange<Int>) -> Located<Int> {
        guard let value = value(key), !value.isNull else { return Located(fallback, at: location) }
        guard let text = value.scalar, let number = Int(text) else {
            diagnostics.error("'\(qualified(key))' must be a whole number, not \(describe(value))", at: value.location)
            return Located(fallback, at: value.location)
        }
        guard range.contains(number) else {
            diagnostics.error("'\(qualified(key))' must be between \(range.lowerBound) and \(range.upperBound), not \(number)", at: value.location)
            return Located(fallback, at: value.location)
        }
        return Located(number, at: value.location)
    }

    /// YAML 1.1 booleans: true/false, yes/no, on/off.
    package func bool(_ key: String, default fallback: Bool) -> Located<Bool> {
        guard let value = value(key), !value.isNull else { return Located(fallback, at: location) }
        switch value.scalar?.lowercased() {
        case "true", "yes", "on": return Located(true, at: value.location)
        case "false", "no", "off": return Located(false, at: value.location)
        default:
            diagnostics.error("'\(qualified(key))' must be true or false, not \(describe(value))", at: value.location)
            return Located(fallback, at: value.location)
        }
    }

    package func choice(_ key: String, from choices: [String], default fallback: String) -> Located<String> {
        guard let text = string(key, default: fallback) else { return Located(fallback, at: location) }
        guard choices.contains(text.value) else {
            let suggestion = closest(text.value, in: choices).map { "did you mean '\($0)'? " } ?? ""
            diagnostics.error(
                "'\(qualified(key))' must be one of \(choices.joined(separator: ", ")); \(suggestion)got '\(text.value)'",
                at: text.location
            )
            return Located(fallback, at: text.location)
        }
        return text
    }

    /// `500ms`, `5s`, `1m`, `2h`.
    package func duration(_ key: String, default fallback: Duration) -> Located<Duration> {
        guard let value = value(key), !value.isNull else { return Located(fallback, at: location) }
        guard let text = value.scalar, let parsed = Self.parseDuration(text) else {
            diagnostics.error("'\(qualified(key))' must be a duration like 500ms, 5s, 1m or 2h, not \(describe(value))", at: value.location)
            return Located(fallback, at: value.location)
        }
        return Located(parsed, at: value.location)
    }

    /// Redis's memory units: `512mb`, `2gb`, `1k` (1000) or `1kb` (1024), or bytes.
    package func size(_ key: String) -> Located<Int64>? {
        guard let value = value(key), !value.isNull else { return nil }
        guard let text = value.scalar, let bytes = Self.parseSize(text) else {
            diagnostics.error("'\(qualified(key))' must be a size like 512mb or 2gb, not \(describe(value))", at: value.location)
            return nil
        }
        return Located(bytes, at: value.location)
    }

    package func list(_ key: String) -> [YAMLNode] {
        guard let value = value(key), !value.isNull else { return [] }
        guard case .sequence(let items) = value.kind else {
            diagnostics.error("'\(qualified(key))' must be a list, not \(value.kindDescription)", at: value.location)
            return []
        }
        return items
    }

    package func strings(_ key: String) -> [Located<String>] {
        list(key).compactMap { item in
            guard let text = item.scalar else {
                diagnostics.error("'\(qualified(key))' must list strings, not \(item.kindDescription)", at: item.location)
                return nil
            }
            return Located(text, at: item.location)
        }
    }

    private func describe(_ node: YAMLNode) -> String {
        node.scalar.map { "'\($0)'" } ?? node.kindDescription
    }

    static func parseDuration(_ text: String) -> Duration? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, milliseconds) in units where text.hasSuffix(suffix) {
            let digits = text.dropLast(suffix.count)
            guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let amount = Int64(digits), amount >= 0 else { continue }
            return .milliseconds(amount * milliseconds)
        }
        return nil
    }

    static func parseSize(_ text: String) -> Int64? {
        let lowered = text.lowercased()
        let units: [(String, Int64)] = [
            ("kb", 1024), ("mb", 1024 * 1024), ("gb", 1024 * 1024 * 1024), ("k", 1000), ("m", 1_000_000), ("g", 1_000_000_000), ("", 1),
        ]
        for (suffix, factor) in units where lowered.hasSuffix(suffix) {
            guard let amount = Int64(lowered.dropLast(suffix.count)), amount > 0 else { continue }
            let (bytes, overflow) = amount.multipliedReportingOverflow(by: factor)
            return overflow ? nil : bytes
        }
        return nil
    }
}

/// The closest name by edit distance, when it is close enough to be a likely typo.
package func closest(_ word: String, in candidates: [String]) -> String? {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }.min { $0.1 < $1.1 }
    guard let (best, distance) = scored, distance <= max(2, word.count / 3) else { return nil }
    return best
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for (i, charA) in a.enumerated() {
        var current = [i + 1] + Array(repeating: 0, count: b.count)
        for (j, charB) in b.enumerated() {
            current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (charA == charB ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
