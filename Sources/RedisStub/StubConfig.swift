/// The configuration parameters the stub keeps, as `CONFIG GET`/`SET` see them: the encoding
/// thresholds that decide what `OBJECT ENCODING` answers, `maxmemory-policy` and its LFU
/// parameters (what `OBJECT FREQ` counts by), and the few a
/// client library asks for at start. Redis 7.0's defaults and checks.
struct StubConfig {
    enum Kind {
        case integer(ClosedRange<Int64>)
        /// Bytes, with an optional unit (`64`, `1kb`): Redis's memory parameters.
        case memory
        case choice([String])
        /// Read-only here: the stub keeps nothing on disk, and has 16 databases.
        case fixed
    }

    /// Canonical name → (value, kind). The old `ziplist` names are aliases.
    private(set) var values: [String: String] = [
        "set-max-intset-entries": "512",
        "hash-max-listpack-entries": "512", "hash-max-listpack-value": "64",
        "zset-max-listpack-entries": "128", "zset-max-listpack-value": "64",
        "list-max-listpack-size": "-2",
        "maxmemory-policy": "noeviction", "lfu-log-factor": "10", "lfu-decay-time": "1",
        "save": "", "appendonly": "no", "databases": "16",
    ]
    static let kinds: [String: Kind] = [
        "set-max-intset-entries": .integer(0...Int64.max),
        "hash-max-listpack-entries": .integer(0...Int64.max), "hash-max-listpack-value": .memory,
        "zset-max-listpack-entries": .integer(0...Int64.max), "zset-max-listpack-value": .memory,
        "list-max-listpack-size": .integer(Int64(Int32.min)...Int64(Int32.max)),
        "maxmemory-policy": .choice(["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"]),
        "lfu-log-factor": .integer(0...Int64(Int32.max)), "lfu-decay-time": .integer(0...Int64(Int32.max)),
        "save": .fixed, "appendonly": .fixed, "databases": .fixed,
    ]
    static let aliases = [
        "hash-max-ziplist-entries": "hash-max-listpack-entries", "hash-max-ziplist-value": "hash-max-listpack-value",
        "zset-max-ziplist-entries": "zset-max-listpack-entries", "zset-max-ziplist-value": "zset-max-listpack-value",
        "list-max-ziplist-size": "list-max-listpack-size",
    ]

    func integer(_ name: String) -> Int { Int(values[name].flatMap { Int64($0) } ?? 0) }

    /// An LFU policy: OBJECT FREQ answers, OBJECT IDLETIME refuses.
    var evictsByFrequency: Bool { values["maxmemory-policy"]!.hasSuffix("-lfu") }

    /// Redis's `memtoull`: digits and an optional unit (b, k, kb, m, mb, g, gb).
    static func memory(_ text: String) -> Int64? {
        let lowered = text.lowercased()
        let digits = lowered.prefix { $0.isASCII && $0.isNumber }
        let units: [String: Int64] = ["": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1_000_000, "mb": 1 << 20, "g": 1_000_000_000, "gb": 1 << 30]
        guard !digits.isEmpty, let number = Int64(digits), let unit = units[String(lowered.dropFirst(digits.count))] else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: unit)
        return overflow ? nil : bytes
    }

    /// `CONFIG GET pattern...`: every name (aliases too) a pattern matches, with its value; a
    /// name asked without wildcards is answered as it was written.
    func get(_ patterns: [[UInt8]]) -> [(String, String)] {
        let names = Array(values.keys) + Array(Self.aliases.keys)
        var seen = Set<String>()
        var found: [(String, String)] = []
        for pattern in patterns {
            let written = String(decoding: pattern, as: UTF8.self)
            if !written.contains(where: { "*?[".contains($0) }) {
                let name = written.lowercased()
                if let value = values[Self.aliases[name] ?? name], seen.insert(name).inserted { found.append((written, value)) }
                continue
            }
            let lowered = Array(written.lowercased().utf8)
            for name in names.sorted() where GlobPattern.matches(lowered, Array(name.utf8)) && seen.insert(name).inserted {
                found.append((name, values[Self.aliases[name] ?? name]!))
            }
        }
        return found
    }

    /// `CONFIG SET name value ...`: all checked first, then all set, as Redis does.
    mutating func set(_ pairs: [(name: String, value: String)]) throws(StubError) {
        var checked: [(String, String)] = []
        var seen = Set<String>()
        for (written, value) in pairs {
            let name = Self.aliases[written.lowercased()] ?? written.lowercased()
            guard let kind = Self.kinds[name] else {
                throw StubError("ERR Unknown option or number of arguments for CONFIG SET - '\(written)'")
            }
            let failed = { (why: String) in StubError("ERR CONFIG SET failed (possibly related to argument '\(written)') - \(why)") }
            guard seen.insert(name).inserted else { throw failed("duplicate parameter") }
            switch kind {
            case .integer(let range):
                guard let number = StubParse.parseInteger(Array(value.utf8)) else { throw failed("argument couldn't be parsed into an integer") }
                guard range.contains(number) else { throw failed("argument must be between \(range.lowerBound) and \(range.upperBound) inclusive") }
                checked.append((name, String(number)))
            case .memory:
                guard let bytes = Self.memory(value) else { throw failed("argument must be a memory value") }
                checked.append((name, String(bytes)))
            case .choice(let choices):
                guard choices.contains(value.lowercased()) else { throw failed("argument(s) must be one of the following: \(choices.joined(separator: ", "))") }
                checked.append((name, value.lowercased()))
            case .fixed:
                throw failed("not settable in the stub")
            }
        }
        for (name, value) in checked { values[name] = value }
    }
}
