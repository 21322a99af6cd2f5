import RedisClientCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parsing of arguments exactly as Redis parses them, so the stub accepts and rejects the same
/// input: integers by `string2ll`'s rules, floats by `strtod` without surrounding space or NaN.
enum StubParse {
    /// Redis's `string2ll`: optional '-', no '+', no leading zeros, no spaces, fits in 64 bits.
    static func parseInteger(_ bytes: [UInt8]) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
        if bytes == [UInt8(ascii: "0")] { return 0 }
        var index = 0
        let negative = bytes[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        guard index < bytes.count, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
        var magnitude: UInt64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let (times, overflowTimes) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflowTimes, !overflowSum else { return nil }
            magnitude = sum
            index += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    static func integer(_ bytes: [UInt8], or error: StubError = .notInteger) throws(StubError) -> Int64 {
        guard let value = parseInteger(bytes) else { throw error }
        return value
    }

    /// Redis's `string2d`: strtod over the whole string, no leading space, not NaN.
    static func parseDouble(_ bytes: [UInt8]) -> Double? {
        guard !bytes.isEmpty, bytes.count < 256, !isSpace(bytes[0]), !bytes.contains(0) else { return nil }
        var terminated = bytes
        terminated.append(0)
        return terminated.withUnsafeBufferPointer { buffer -> Double? in
            let start = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let value = strtod(start, &end)
            guard let end, end - UnsafeMutablePointer(mutating: start) == bytes.count, !value.isNaN else { return nil }
            if errno == ERANGE && !value.isInfinite && value != 0 { return nil }
            return value
        }
    }

    static func double(_ bytes: [UInt8], or error: StubError = .notFloat) throws(StubError) -> Double {
        guard let value = parseDouble(bytes) else { throw error }
        return value
    }

    /// A score range end: `1.5`, `(1.5`, `-inf`, `+inf`.
    static func scoreLimit(_ bytes: [UInt8]) throws(StubError) -> ScoreLimit {
        if bytes.first == UInt8(ascii: "(") {
            return ScoreLimit(value: try double(Array(bytes.dropFirst()), or: .minMaxNotFloat), exclusive: true)
        }
        return ScoreLimit(value: try double(bytes, or: .minMaxNotFloat), exclusive: false)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0d).contains(byte)
    }

    static func upper(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).uppercased()
    }
}

enum StubFormat {
    /// Redis 7.0 replies doubles with `%.17g` (and `inf` / `-inf`).
    static func double(_ value: Double) -> [UInt8] {
        if value == .infinity { return Array("inf".utf8) }
        if value == -.infinity { return Array("-inf".utf8) }
        var buffer = [CChar](repeating: 0, count: 64)
        let length = withVaList([value]) { arguments in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, 64, "%.17g", arguments) }
        }
        return buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }
    }

    static func integer(_ value: Int64) -> [UInt8] { Array(String(value).utf8) }
}
