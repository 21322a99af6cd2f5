import Foundation

/// Repeated samples of one measure: median, min and max, as every row reports them.
struct Summary {
    var samples: [Double]
    var median: Double { let sorted = samples.sorted(); return sorted[sorted.count / 2] }
    var min: Double { samples.min() ?? .nan }
    var max: Double { samples.max() ?? .nan }

    /// Milliseconds, for latencies.
    var millisecondsRow: String {
        String(format: "%10.2f %10.2f %10.2f", median * 1000, min * 1000, max * 1000)
    }

    /// As they are, for rates.
    var rateRow: String {
        String(format: "%12.0f %12.0f %12.0f", median, min, max)
    }
}

func measure(_ runs: Int, _ body: () throws -> Void) rethrows -> Summary {
    var samples: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return Summary(samples: samples)
}

func report(_ label: String, _ row: String) {
    print(label.padding(toLength: 48, withPad: " ", startingAt: 0) + row)
}
