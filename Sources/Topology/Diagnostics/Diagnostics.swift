/// Where something is in a source file, 1-based like a compiler's messages.
public struct SourceLocation: Sendable, Hashable, Comparable {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }

    public var location: SourceLocation
    public var severity: Severity
    public var message: String

    public init(_ severity: Severity, _ message: String, at location: SourceLocation) {
        self.severity = severity
        self.message = message
        self.location = location
    }

    /// `topology.yaml:12:5: error: ...`, as a compiler prints it.
    public var description: String {
        "\(location.file):\(location.line):\(location.column): \(severity.rawValue): \(message)"
    }
}

/// The one collector every stage (load, translate, validate) reports into, so a run shows every
/// problem it found, sorted by position, not just the first.
public final class DiagnosticsCollector {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public func error(_ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(.error, message, at: location))
    }

    public func warning(_ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(.warning, message, at: location))
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// By file, line, column; each distinct diagnostic once.
    public var sorted: [Diagnostic] {
        var seen = Set<Diagnostic>()
        return diagnostics
            .sorted { $0.location < $1.location || ($0.location == $1.location && $0.message < $1.message) }
            .filter { seen.insert($0).inserted }
    }
}
