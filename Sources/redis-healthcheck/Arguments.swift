import HealthCheckContract
import RedisClientCore

/// A small argument reader. The health check runs every few seconds in every container, so it
/// parses by hand: swift-argument-parser's parse path alone touched 3.2 MB of code pages here
/// (measured in /proc/self/smaps), about half of redis-cli's whole footprint.
struct Arguments {
    struct UsageError: Error {
        var message: String
    }

    private var words: [String]

    init(_ words: some Sequence<String>) { self.words = Array(words) }

    var isEmpty: Bool { words.isEmpty }

    mutating func flag(_ name: String) -> Bool {
        guard let index = words.firstIndex(of: name) else { return false }
        words.remove(at: index)
        return true
    }

    /// `--name value` or `--name=value`; the last one given wins.
    mutating func option(_ name: String) throws(UsageError) -> String? {
        var found: String?
        var index = 0
        while index < words.count {
            if words[index] == name {
                guard index + 1 < words.count, !words[index + 1].hasPrefix("--") else { throw UsageError(message: "\(name) needs a value") }
                found = words[index + 1]
                words.removeSubrange(index...index + 1)
            } else if words[index].hasPrefix(name + "=") {
                found = String(words[index].dropFirst(name.count + 1))
                words.remove(at: index)
            } else {
                index += 1
            }
        }
        return found
    }

    mutating func choice<T: RawRepresentable & CaseIterable>(_ name: String, default value: T) throws(UsageError) -> T where T.RawValue == String {
        guard let text = try option(name) else { return value }
        guard let chosen = T(rawValue: text) else {
            throw UsageError(message: "\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'")
        }
        return chosen
    }

    mutating func number(_ name: String, default value: Double, in range: ClosedRange<Double>) throws(UsageError) -> Double {
        guard let text = try option(name) else { return value }
        guard let number = Double(text), range.contains(number) else {
            throw UsageError(message: "\(name) must be a number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return number
    }

    /// `--url`, checked before anything connects: a malformed URL is a usage mistake (exit 2),
    /// not an unhealthy server. The error names the bad part, never the password.
    mutating func url() throws(UsageError) -> String? {
        guard let text = try option(ProbeFlag.url.rawValue) else { return nil }
        if text.isEmpty { throw UsageError(message: "--url is empty; leave it out to resolve the URL from the environment") }
        do {
            _ = try RedisURL(parsing: text)
        } catch {
            throw UsageError(message: "--url: \(error)")
        }
        return text
    }

    /// A whole number (a count of replicas, say), nil when not given.
    mutating func count(_ name: String, in range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = try option(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(message: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'")
        }
        return number
    }

    /// Anything left over is a mistake worth naming.
    func finish() throws(UsageError) {
        if let first = words.first { throw UsageError(message: "unexpected argument '\(first)'") }
    }
}
