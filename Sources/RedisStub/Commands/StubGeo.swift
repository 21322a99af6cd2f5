#if canImport(Glibc)
import Glibc
#endif
import RedisClientCore

/// Geo commands as Redis 7.0 runs them: a sorted set scored by a 52-bit geohash (latitudes
/// within ±85.05112878, as Web Mercator), positions decoded to their cell's centre, haversine
/// distances on Redis's earth radius, replies formatted as Redis formats them.
extension StubCommands {
    static let geo: [String: StubCommand] = [
        "geoadd": StubCommand(-5, geoadd),
        "geopos": StubCommand(-2) { execution, command throws(StubError) in
            let zset = try execution.database.sortedSet(command[1], now: execution.now)
            return .array(command.dropFirst(2).map { member in
                guard let score = zset?.score(of: member) else { return .null }
                let (longitude, latitude) = Geohash.decode(score)
                return .array([.bulkString(LongDouble.human(Float80(longitude))), .bulkString(LongDouble.human(Float80(latitude)))])
            })
        },
        "geodist": StubCommand(-4) { execution, command throws(StubError) in
            guard command.count <= 5 else { throw .syntax }
            let meters = try command.count == 5 ? Geohash.unit(command[4]) : 1
            guard let zset = try execution.database.sortedSet(command[1], now: execution.now),
                  let first = zset.score(of: command[2]), let second = zset.score(of: command[3]) else { return .null }
            let (lon1, lat1) = Geohash.decode(first)
            let (lon2, lat2) = Geohash.decode(second)
            return .bulkString(Geohash.distanceText(Geohash.distance(lon1, lat1, lon2, lat2) / meters))
        },
        "geohash": StubCommand(-2) { execution, command throws(StubError) in
            let zset = try execution.database.sortedSet(command[1], now: execution.now)
            return .array(command.dropFirst(2).map { member in
                zset?.score(of: member).map { .bulkString(Array(Geohash.standardText($0).utf8)) } ?? .null
            })
        },
        "georadius": StubCommand(-6) { execution, command throws(StubError) in try geoSearch(&execution, command, .radiusAtCoordinates(storing: true)) },
        "georadius_ro": StubCommand(-6) { execution, command throws(StubError) in try geoSearch(&execution, command, .radiusAtCoordinates(storing: false)) },
        "georadiusbymember": StubCommand(-5) { execution, command throws(StubError) in try geoSearch(&execution, command, .radiusAtMember(storing: true)) },
        "georadiusbymember_ro": StubCommand(-5) { execution, command throws(StubError) in try geoSearch(&execution, command, .radiusAtMember(storing: false)) },
        "geosearch": StubCommand(-7) { execution, command throws(StubError) in try geoSearch(&execution, command, .search(storing: false)) },
        "geosearchstore": StubCommand(-8) { execution, command throws(StubError) in try geoSearch(&execution, command, .search(storing: true)) },
    ]

    /// `GEOADD key [NX|XX] [CH] longitude latitude member ...`: ZADD with geohash scores, as
    /// Redis rewrites it.
    private static func geoadd(_ execution: inout StubExecution, _ command: RedisCommandArgv) throws(StubError) -> RedisValue {
        var index = 2
        var flags: [[UInt8]] = []
        var (nx, xx) = (false, false)
        while index < command.count {
            let option = StubParse.upper(command[index])
            guard ["NX", "XX", "CH"].contains(option) else { break }
            nx = nx || option == "NX"
            xx = xx || option == "XX"
            flags.append(command[index])
            index += 1
        }
        guard (command.count - index) % 3 == 0, !(nx && xx) else { throw .syntax }
        var zadd: RedisCommandArgv = [Array("zadd".utf8), command[1]] + flags
        while index < command.count {
            let (longitude, latitude) = try Geohash.coordinates(command[index], command[index + 1])
            zadd += [Array(String(Geohash.encode(longitude, latitude)).utf8), command[index + 2]]
            index += 3
        }
        return try StubCommands.zadd(&execution, zadd)
    }

    enum GeoSearchKind {
        case radiusAtCoordinates(storing: Bool)
        case radiusAtMember(storing: Bool)
        case search(storing: Bool)
    }

    private enum GeoShape {
        case radius(meters: Double)
        case box(width: Double, height: Double)
    }

    /// georadiusGeneric: every GEORADIUS*, GEOSEARCH and GEOSEARCHSTORE, with Redis's order of
    /// checks and errors.
    private static func geoSearch(_ execution: inout StubExecution, _ command: RedisCommandArgv, _ kind: GeoSearchKind) throws(StubError) -> RedisValue {
        let sourceIndex: Int
        var storeKey: StubKey?
        switch kind {
        case .search(storing: true):
            sourceIndex = 2
            storeKey = command[1]
        default:
            sourceIndex = 1
        }
        let zset = try execution.database.sortedSet(command[sourceIndex], now: execution.now)
        var center: (longitude: Double, latitude: Double)?
        var shape: GeoShape?
        var conversion = 1.0
        let baseArguments: Int
        var storingAllowed = false
        var isSearch = false
        switch kind {
        case .radiusAtCoordinates(let storing):
            baseArguments = 6
            storingAllowed = storing
            center = try Geohash.coordinates(command[2], command[3])
            let (radius, meters) = try geoDistance(command[4], command[5])
            conversion = meters
            shape = .radius(meters: radius * meters)
        case .radiusAtMember(let storing):
            baseArguments = 5
            storingAllowed = storing
            if let zset {
                guard let score = zset.score(of: command[2]) else { throw StubError("ERR could not decode requested zset member") }
                center = Geohash.decode(score)
                let (radius, meters) = try geoDistance(command[3], command[4])
                conversion = meters
                shape = .radius(meters: radius * meters)
            }
        case .search(let storing):
            baseArguments = storing ? 3 : 2
            isSearch = true
        }

        var (withDistance, withHash, withCoordinates, any) = (false, false, false, false)
        var sortAscending: Bool?
        var count: Int64 = 0
        var storeDistances = false
        var (fromMember, fromCoordinates, byRadius, byBox) = (false, false, false, false)
        var index = baseArguments
        while index < command.count {
            let remaining = command.count - index - 1
            let storesHere = storingAllowed && !isSearch
            switch StubParse.upper(command[index]) {
            case "WITHDIST": withDistance = true
            case "WITHHASH": withHash = true
            case "WITHCOORD": withCoordinates = true
            case "ANY": any = true
            case "ASC": sortAscending = true
            case "DESC": sortAscending = false
            case "COUNT" where remaining >= 1:
                count = try StubParse.integer(command[index + 1])
                guard count > 0 else { throw StubError("ERR COUNT must be > 0") }
                index += 1
            case "STORE" where storesHere && remaining >= 1:
                storeKey = command[index + 1]
                storeDistances = false
                index += 1
            case "STOREDIST" where storesHere && remaining >= 1:
                storeKey = command[index + 1]
                storeDistances = true
                index += 1
            case "STOREDIST" where isSearch && storeKey != nil:
                storeDistances = true
            case "FROMMEMBER" where isSearch && remaining >= 1 && !fromCoordinates:
                if let zset {
                    guard let score = zset.score(of: command[index + 1]) else { throw StubError("ERR could not decode requested zset member") }
                    center = Geohash.decode(score)
                }
                fromMember = true
                index += 1
            case "FROMLONLAT" where isSearch && remaining >= 2 && !fromMember:
                center = try Geohash.coordinates(command[index + 1], command[index + 2])
                fromCoordinates = true
                index += 2
            case "BYRADIUS" where isSearch && remaining >= 2 && !byBox:
                let (radius, meters) = try geoDistance(command[index + 1], command[index + 2])
                conversion = meters
                shape = .radius(meters: radius * meters)
                byRadius = true
                index += 2
            case "BYBOX" where isSearch && remaining >= 3 && !byRadius:
                let width = try StubParse.double(command[index + 1], or: StubError("ERR need numeric width"))
                let height = try StubParse.double(command[index + 2], or: StubError("ERR need numeric height"))
                guard width >= 0, height >= 0 else { throw StubError("ERR height or width cannot be negative") }
                conversion = try Geohash.unit(command[index + 3])
                shape = .box(width: width * conversion, height: height * conversion)
                byBox = true
                index += 3
            default:
                throw .syntax
            }
            index += 1
        }
        let name = String(decoding: command[0], as: UTF8.self)
        if storeKey != nil && (withDistance || withHash || withCoordinates) {
            throw StubError("ERR \(isSearch ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS") is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
        }
        if isSearch && !(fromMember || fromCoordinates) { throw StubError("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for \(name)") }
        if isSearch && !(byRadius || byBox) { throw StubError("ERR exactly one of BYRADIUS and BYBOX can be specified for \(name)") }
        if any && count == 0 { throw StubError("ERR the ANY argument requires COUNT argument") }

        guard let zset, let center, let shape else {
            if let storeKey {
                execution.database.remove(storeKey)
                return .integer(0)
            }
            return .array([])
        }
        if count != 0 && sortAscending == nil && !any { sortAscending = true }

        // Every member in the shape, with its distance from the centre (in meters).
        var found: [(member: [UInt8], score: Double, distance: Double, longitude: Double, latitude: Double)] = []
        for (score, member) in zset.ordered {
            let (longitude, latitude) = Geohash.decode(score)
            let distance: Double
            switch shape {
            case .radius(let meters):
                distance = Geohash.distance(center.longitude, center.latitude, longitude, latitude)
                guard distance <= meters else { continue }
            case .box(let width, let height):
                guard Geohash.latitudeDistance(latitude, center.latitude) <= height / 2,
                      Geohash.distance(longitude, latitude, center.longitude, latitude) <= width / 2 else { continue }
                distance = Geohash.distance(center.longitude, center.latitude, longitude, latitude)
            }
            found.append((member, score, distance, longitude, latitude))
            if any && found.count == count { break }
        }
        if let ascending = sortAscending {
            found.sort { ascending ? $0.distance < $1.distance : $0.distance > $1.distance }
        }
        if count > 0 && found.count > count { found = Array(found.prefix(Int(count))) }

        if let storeKey {
            guard !found.isEmpty else {
                execution.database.remove(storeKey)
                return .integer(0)
            }
            let stored = StubSortedSet()
            for item in found { _ = stored.set(item.member, score: storeDistances ? item.distance / conversion : item.score) }
            execution.database.put(storeKey, .sortedSet(stored))
            return .integer(found.count)
        }
        let withAnything = withDistance || withHash || withCoordinates
        return .array(found.map { item in
            guard withAnything else { return .bulkString(item.member) }
            var parts: [RedisValue] = [.bulkString(item.member)]
            if withDistance { parts.append(.bulkString(Geohash.distanceText(item.distance / conversion))) }
            if withHash { parts.append(.integer(Geohash.cSignedCast(item.score))) }
            if withCoordinates {
                parts.append(.array([.bulkString(LongDouble.human(Float80(item.longitude))), .bulkString(LongDouble.human(Float80(item.latitude)))]))
            }
            return .array(parts)
        })
    }

    /// A radius and its unit: the number, and meters per unit.
    private static func geoDistance(_ value: [UInt8], _ unit: [UInt8]) throws(StubError) -> (Double, Double) {
        let distance = try StubParse.double(value, or: StubError("ERR need numeric radius"))
        guard distance >= 0 else { throw StubError("ERR radius cannot be negative") }
        return (distance, try Geohash.unit(unit))
    }
}

/// Redis's geohash.c and geohash_helper.c.
enum Geohash {
    static let latitudeLimit = 85.05112878
    static let earthRadius = 6372797.560856
    /// Redis's D_R: multiplying by it rounds differently from dividing by 180 after.
    static let degreesToRadians = Double.pi / 180

    /// Meters per unit: m, km, ft, mi.
    static func unit(_ bytes: [UInt8]) throws(StubError) -> Double {
        switch String(decoding: bytes, as: UTF8.self).lowercased() {
        case "m": return 1
        case "km": return 1000
        case "ft": return 0.3048
        case "mi": return 1609.34
        default: throw StubError("ERR unsupported unit provided. please use M, KM, FT, MI")
        }
    }

    static func coordinates(_ longitudeText: [UInt8], _ latitudeText: [UInt8]) throws(StubError) -> (longitude: Double, latitude: Double) {
        let longitude = try StubParse.double(longitudeText)
        let latitude = try StubParse.double(latitudeText)
        guard (-180...180).contains(longitude), (-latitudeLimit...latitudeLimit).contains(latitude) else {
            throw StubError("ERR invalid longitude,latitude pair \(String(format6: longitude)),\(String(format6: latitude))")
        }
        return (longitude, latitude)
    }

    /// The 52-bit interleaved hash (latitude bits even, longitude odd) of a position.
    static func encode(_ longitude: Double, _ latitude: Double, latitudeRange: ClosedRange<Double> = -latitudeLimit...latitudeLimit) -> UInt64 {
        let latitudeOffset = (latitude - latitudeRange.lowerBound) / (latitudeRange.upperBound - latitudeRange.lowerBound) * Double(1 << 26)
        let longitudeOffset = (longitude + 180) / 360 * Double(1 << 26)
        return spread(UInt32(latitudeOffset)) | spread(UInt32(longitudeOffset)) << 1
    }

    /// The centre of a hash's cell, clamped to the valid range.
    static func decode(_ score: Double) -> (longitude: Double, latitude: Double) {
        let bits = cCast(score)
        let latitudeCell = Double(squash(bits))
        let longitudeCell = Double(squash(bits >> 1))
        let step = Double(1 << 26)
        let latitudeScale = latitudeLimit * 2
        let latitudeMin = -latitudeLimit + (latitudeCell / step) * latitudeScale
        let latitudeMax = -latitudeLimit + ((latitudeCell + 1) / step) * latitudeScale
        let longitudeMin = -180 + (longitudeCell / step) * 360
        let longitudeMax = -180 + ((longitudeCell + 1) / step) * 360
        let longitude = min(180, max(-180, (longitudeMin + longitudeMax) / 2))
        let latitude = min(latitudeLimit, max(-latitudeLimit, (latitudeMin + latitudeMax) / 2))
        return (longitude, latitude)
    }

    /// `(uint64_t)score` as x86-64 code compiled by gcc computes it for any sorted-set score
    /// (GEOPOS of a member another command scored): truncation, two's complement below zero,
    /// 2^63 for what is below -2^63, 0 from 2^64 up (infinities included).
    static func cCast(_ score: Double) -> UInt64 {
        let twoTo63 = 9_223_372_036_854_775_808.0
        if score.isNaN { return 1 << 63 }
        if score < twoTo63 { return score >= -twoTo63 ? UInt64(bitPattern: Int64(score)) : 1 << 63 }
        if score < twoTo63 * 2 { return UInt64(bitPattern: Int64(score - twoTo63)) ^ 1 << 63 }
        return 0
    }

    /// `(long long)score`, as x86-64 computes it: truncation, and 2^63 negated for what does
    /// not fit (infinities too).
    static func cSignedCast(_ score: Double) -> Int64 {
        guard !score.isNaN, score >= -9_223_372_036_854_775_808.0, score < 9_223_372_036_854_775_808.0 else { return .min }
        return Int64(score)
    }

    /// GEOHASH's text: the position re-encoded on the standard ±90 latitudes, 11 base-32
    /// characters (the last always '0': 52 bits fill ten).
    static func standardText(_ score: Double) -> String {
        let (longitude, latitude) = decode(score)
        let bits = encode(longitude, latitude, latitudeRange: -90...90)
        let alphabet: [Character] = Array("0123456789bcdefghjkmnpqrstuvwxyz")
        var text = ""
        for index in 0..<10 {
            let shift = UInt64(52 - (index + 1) * 5)
            text.append(alphabet[Int((bits >> shift) & 0x1f)])
        }
        return text + "0"
    }

    static func distance(_ lon1: Double, _ lat1: Double, _ lon2: Double, _ lat2: Double) -> Double {
        let lon1r = lon1 * degreesToRadians
        let lon2r = lon2 * degreesToRadians
        let v = sin((lon2r - lon1r) / 2)
        // Redis skips the trigonometry when the longitudes agree.
        if v == 0 { return latitudeDistance(lat1, lat2) }
        let lat1r = lat1 * degreesToRadians
        let lat2r = lat2 * degreesToRadians
        let u = sin((lat2r - lat1r) / 2)
        let a = u * u + cos(lat1r) * cos(lat2r) * v * v
        return 2 * earthRadius * asin(a.squareRoot())
    }

    static func latitudeDistance(_ lat1: Double, _ lat2: Double) -> Double {
        earthRadius * abs(lat2 * degreesToRadians - lat1 * degreesToRadians)
    }

    /// `%.4f`.
    static func distanceText(_ value: Double) -> [UInt8] { Array(String(format4: value).utf8) }

    private static func spread(_ value: UInt32) -> UInt64 {
        var x = UInt64(value)
        x = (x | x << 16) & 0x0000_FFFF_0000_FFFF
        x = (x | x << 8) & 0x00FF_00FF_00FF_00FF
        x = (x | x << 4) & 0x0F0F_0F0F_0F0F_0F0F
        x = (x | x << 2) & 0x3333_3333_3333_3333
        x = (x | x << 1) & 0x5555_5555_5555_5555
        return x
    }

    private static func squash(_ value: UInt64) -> UInt32 {
        var x = value & 0x5555_5555_5555_5555
        x = (x | x >> 1) & 0x3333_3333_3333_3333
        x = (x | x >> 2) & 0x0F0F_0F0F_0F0F_0F0F
        x = (x | x >> 4) & 0x00FF_00FF_00FF_00FF
        x = (x | x >> 8) & 0x0000_FFFF_0000_FFFF
        x = (x | x >> 16) & 0x0000_0000_FFFF_FFFF
        return UInt32(x)
    }
}

private extension String {
    init(format6 value: Double) { self = String(cString: withVaList([value]) { arguments in Geohash.formatted("%f", arguments) }) }
    init(format4 value: Double) { self = String(cString: withVaList([value]) { arguments in Geohash.formatted("%.4f", arguments) }) }
}

extension Geohash {
    fileprivate static func formatted(_ format: String, _ arguments: CVaListPointer) -> [CChar] {
        var buffer = [CChar](repeating: 0, count: 512)
        _ = buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, arguments) }
        return buffer
    }
}
