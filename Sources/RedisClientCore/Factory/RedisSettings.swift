/// Settings an application points the factory at: a dotenv-style file (`KEY=VALUE` lines, `#`
/// comments, optional `export ` and quotes), the format the Python services already keep
/// their settings in. Only `EMBEDDINGS_REDIS_URL` and `REDIS_URL` are read by the factory.
public struct RedisSettings: Sendable, Equatable {
    /// Names a settings file for processes that are not told one explicitly.
    public static let fileEnvironmentVariable = "REDIS_INFRA_SETTINGS"

    public var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    public subscript(key: String) -> String? { values[key] }

    public static func load(path: String) throws(RedisError) -> RedisSettings {
        let bytes = try readConfigurationFile(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .settings("\(path): not valid UTF-8")
        }
        return try parse(text, file: path)
    }

    /// The file named by `REDIS_INFRA_SETTINGS`, or empty settings when it is unset.
    public static func fromEnvironment(_ environment: [String: String]? = nil) throws(RedisError) -> RedisSettings {
        let path = environment.map { $0[fileEnvironmentVariable] } ?? processEnvironment(fileEnvironmentVariable)
        guard let path, !path.isEmpty else { return RedisSettings() }
        return try load(path: path)
    }

    static func parse(_ text: String, file: String) throws(RedisError) -> RedisSettings {
        var values: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.drop(while: { $0 == " " || $0 == "\t" })
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count) }
            guard let eq = line.firstIndex(of: "=") else {
                // The line itself is not echoed: it may be a pasted secret.
                throw .settings("\(file):\(index + 1): expected KEY=VALUE")
            }
            let key = line[..<eq].trimmingSpaces()
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else {
                throw .settings("\(file):\(index + 1): invalid key name")
            }
            var value = line[line.index(after: eq)...].trimmingSpaces()
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            }
            values[String(key)] = String(value)
        }
        return RedisSettings(values)
    }
}

extension Substring {
    func trimmingSpaces() -> Substring {
        var trimmed = self
        while let first = trimmed.first, first == " " || first == "\t" { trimmed.removeFirst() }
        while let last = trimmed.last, last == " " || last == "\t" { trimmed.removeLast() }
        return trimmed
    }
}
