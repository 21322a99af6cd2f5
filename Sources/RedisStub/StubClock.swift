import RedisClientCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The stub's one source of time: expiry, `TIME`, stream ids. Tests drive a ``ManualClock``.
public protocol StubClock: Sendable {
    /// Unix time in milliseconds.
    func nowMilliseconds() -> Int64
    /// Unix time in microseconds (for `TIME`).
    func nowMicroseconds() -> Int64
}

public struct SystemClock: StubClock {
    public init() {}

    public func nowMilliseconds() -> Int64 { nowMicroseconds() / 1000 }

    public func nowMicroseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }
}

/// A clock that moves only when told to.
public final class ManualClock: StubClock {
    private let micros: Atomic<Int64>

    public init(milliseconds: Int64 = 1_700_000_000_000) {
        micros = Atomic(milliseconds * 1000)
    }

    public func nowMilliseconds() -> Int64 { micros.load(ordering: .relaxed) / 1000 }
    public func nowMicroseconds() -> Int64 { micros.load(ordering: .relaxed) }

    public func advance(milliseconds: Int64) {
        micros.add(milliseconds * 1000, ordering: .relaxed)
    }
}
