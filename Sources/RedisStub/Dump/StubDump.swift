/// A value as Redis 7.0 serializes it for DUMP, and back for RESTORE: each type in the
/// encoding Redis would hold it in (a string; a list's listpack nodes; a set's intset or its
/// members; a hash or sorted set as one listpack or element by element; a stream's listpack
/// nodes with their master entries, then its ids and consumer groups).
enum StubDump {
    static func object(_ entry: StubEntry) -> [UInt8] {
        var writer = RDBWriter()
        switch entry.value {
        case .string(let bytes):
            writer.type(.string)
            writer.string(bytes)
        case .list(let list):
            writer.type(.quicklist2)
            let nodes = Listpack.nodes(list.items)
            writer.length(nodes.count)
            for node in nodes {
                // A packed node (2); Redis keeps elements of 1 GB and more plain (1).
                writer.length(2)
                writer.string(Listpack.encode(Array(node)))
            }
        case .set(let set) where !set.isHashtable:
            writer.type(.intset)
            writer.string(Intset.encode(set.members.compactMap(StubParse.parseInteger), width: set.intsetWidth))
        case .set(let set):
            writer.type(.set)
            writer.length(set.members.count)
            for member in set.members { writer.string(member) }
        case .hash(let hash) where !hash.isHashtable:
            writer.type(.hashListpack)
            writer.string(Listpack.encode(hash.order.flatMap { [$0, hash.fields[$0]!] }))
        case .hash(let hash):
            writer.type(.hash)
            writer.length(hash.order.count)
            for field in hash.order {
                writer.string(field)
                writer.string(hash.fields[field]!)
            }
        case .sortedSet(let zset) where !zset.isSkiplist:
            writer.type(.sortedSetListpack)
            writer.string(Listpack.encode(zset.ordered.flatMap { [$0.member, Listpack.score($0.score)] }))
        case .sortedSet(let zset):
            // From the skiplist's tail: highest score first.
            writer.type(.sortedSet2)
            writer.length(zset.count)
            for (score, member) in zset.ordered.reversed() {
                writer.string(member)
                writer.binaryDouble(score)
            }
        case .stream(let stream):
            writer.type(.streamListpacks2)
            StreamDump.write(stream, into: &writer)
        }
        return writer.bytes
    }

    /// The value in a payload's object, or nil when it is not one this Redis reads.
    static func value(_ object: ArraySlice<UInt8>) -> StubValue? {
        var reader = RDBReader(object)
        guard let type = reader.byte().flatMap(RDB.ObjectType.init(rawValue:)), let value = read(type, &reader), reader.atEnd else { return nil }
        // Redis refuses empty containers ("empty keys").
        return value.isEmptyContainer ? nil : value
    }

    private static func read(_ type: RDB.ObjectType, _ reader: inout RDBReader) -> StubValue? {
        switch type {
        case .string:
            return reader.string().map { .string($0) }
        case .list:
            guard let items = strings(&reader) else { return nil }
            return list(items)
        case .quicklist2:
            guard let count = reader.length() else { return nil }
            var items: [[UInt8]] = []
            for _ in 0..<count {
                guard let container = reader.length(), let data = reader.string() else { return nil }
                switch container {
                case 1: items.append(data)
                case 2:
                    guard let elements = Listpack.decode(data) else { return nil }
                    items += elements
                default: return nil
                }
            }
            return list(items)
        case .set:
            guard let members = strings(&reader) else { return nil }
            return set(members)
        case .intset:
            guard let (width, members) = reader.string().flatMap(Intset.decode), case .set(let set)? = set(members.map(StubFormat.integer)) else { return nil }
            set.intsetWidth = width
            return .set(set)
        case .hash:
            guard let elements = strings(&reader, perElement: 2) else { return nil }
            return hash(elements)
        case .hashListpack:
            guard let elements = reader.string().flatMap(Listpack.decode), elements.count % 2 == 0 else { return nil }
            return hash(elements)
        case .sortedSet, .sortedSet2:
            guard let count = reader.length() else { return nil }
            var pairs: [(member: [UInt8], score: Double)] = []
            for _ in 0..<count {
                guard let member = reader.string(), let score = type == .sortedSet2 ? reader.binaryDouble() : reader.textDouble(), !score.isNaN
                else { return nil }
                pairs.append((member, score))
            }
            return sortedSet(pairs)
        case .sortedSetListpack:
            guard let elements = Listpack.decode(reader.string() ?? []), elements.count % 2 == 0 else { return nil }
            var pairs: [(member: [UInt8], score: Double)] = []
            for index in stride(from: 0, to: elements.count, by: 2) {
                guard let score = Double(String(decoding: elements[index + 1], as: UTF8.self)), !score.isNaN else { return nil }
                pairs.append((elements[index], score))
            }
            return sortedSet(pairs)
        case .streamListpacks2:
            return StreamDump.read(&reader).map { .stream($0) }
        }
    }

    /// A length, then that many strings (or pairs).
    private static func strings(_ reader: inout RDBReader, perElement: Int = 1) -> [[UInt8]]? {
        guard let count = reader.length() else { return nil }
        var elements: [[UInt8]] = []
        for _ in 0..<(count * perElement) {
            guard let element = reader.string() else { return nil }
            elements.append(element)
        }
        return elements
    }

    private static func list(_ items: [[UInt8]]) -> StubValue {
        let list = StubList()
        list.items = items
        return .list(list)
    }

    private static func set(_ members: [[UInt8]]) -> StubValue? {
        let set = StubSet()
        set.members = Set(members)
        return set.members.count == members.count ? .set(set) : nil
    }

    private static func hash(_ elements: [[UInt8]]) -> StubValue? {
        let hash = StubHash()
        for index in stride(from: 0, to: elements.count, by: 2) where !hash.set(elements[index], elements[index + 1]) { return nil }
        return .hash(hash)
    }

    private static func sortedSet(_ pairs: [(member: [UInt8], score: Double)]) -> StubValue? {
        let zset = StubSortedSet()
        for (member, score) in pairs where !zset.set(member, score: score) { return nil }
        return .sortedSet(zset)
    }
}

extension Intset {
    /// Encoding width, count (little-endian 32-bit each), then the sorted integers.
    static func encode(_ values: [Int64], width: Int) -> [UInt8] {
        littleEndian(UInt64(width), bytes: 4) + littleEndian(UInt64(values.count), bytes: 4)
            + values.sorted().flatMap { littleEndian(UInt64(bitPattern: $0), bytes: width) }
    }

    static func decode(_ bytes: [UInt8]) -> (width: Int, values: [Int64])? {
        guard bytes.count >= 8 else { return nil }
        let width = Int(littleEndianValue(bytes[0..<4]))
        let count = Int(littleEndianValue(bytes[4..<8]))
        guard [2, 4, 8].contains(width), bytes.count == 8 + width * count else { return nil }
        let shift = UInt64(64 - width * 8)
        return (width, (0..<count).map { index in
            let start = 8 + index * width
            return Int64(bitPattern: littleEndianValue(bytes[start..<(start + width)]) << shift) >> Int64(shift)
        })
    }
}
