extension Duration {
    /// Whole milliseconds, rounded down.
    public var wholeMilliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }

    /// Milliseconds with their fraction, for reports.
    public var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) * 1e-15 }

    /// Seconds with their fraction, for metrics.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
