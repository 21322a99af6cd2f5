/// A stream in RDB type 19 (Redis 7.0's STREAM_LISTPACKS_2): its listpack nodes, each keyed by
/// its first id (16 bytes, big-endian) and opening with a master entry (live count, deleted
/// count, the first entry's fields, 0); each entry then as flags, id deltas from the key,
/// fields (or only values when they are the master's), and its own element count. After the
/// nodes: length, last id, first id, highest deleted id, entries added, the consumer groups.
enum StreamDump {
    /// Redis's defaults: stream-node-max-entries and stream-node-max-bytes.
    static let nodeMaxEntries = 100, nodeMaxBytes = 4096
    static let sameFields: Int64 = 2, deleted: Int64 = 1

    /// The nodes XADD would have built for these entries (entries deleted since are not
    /// kept by the stub, so they are not in its nodes).
    static func nodes(_ entries: [(id: StreamID, fields: [[UInt8]])]) -> [(key: StreamID, elements: [[UInt8]])] {
        var nodes: [(key: StreamID, elements: [[UInt8]])] = []
        var master: [[UInt8]] = []
        var count = 0
        for entry in entries {
            let names = stride(from: 0, to: entry.fields.count, by: 2).map { entry.fields[$0] }
            let added = entry.fields.reduce(0) { $0 + $1.count }
            if nodes.isEmpty || Listpack.encode(nodes[nodes.count - 1].elements).count + added >= nodeMaxBytes || count >= nodeMaxEntries {
                master = names
                count = 0
                nodes.append((entry.id, [integer(0), integer(0), integer(Int64(names.count))] + names + [integer(0)]))
            }
            count += 1
            let key = nodes[nodes.count - 1].key
            var elements: [[UInt8]] = []
            let same = names == master
            elements.append(integer(same ? sameFields : 0))
            elements.append(integer(Int64(bitPattern: entry.id.milliseconds &- key.milliseconds)))
            elements.append(integer(Int64(bitPattern: entry.id.sequence &- key.sequence)))
            if same {
                elements += stride(from: 1, to: entry.fields.count, by: 2).map { entry.fields[$0] }
            } else {
                elements.append(integer(Int64(names.count)))
                elements += entry.fields
            }
            elements.append(integer(Int64(elements.count)))
            nodes[nodes.count - 1].elements += elements
            nodes[nodes.count - 1].elements[0] = integer(Int64(count))
        }
        return nodes
    }

    static func write(_ stream: StubStream, into writer: inout RDBWriter) {
        let nodes = nodes(stream.entries)
        writer.length(nodes.count)
        for node in nodes {
            writer.string(key(node.key))
            writer.string(Listpack.encode(node.elements))
        }
        writer.length(stream.entries.count)
        for id in [stream.lastID, stream.firstID, stream.maxDeletedID] {
            writer.length(id.milliseconds)
            writer.length(id.sequence)
        }
        writer.length(Int(stream.entriesAdded))
        writer.length(stream.groups.count)
        for (name, group) in stream.groups.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            writer.string(name)
            writer.length(group.lastDelivered.milliseconds)
            writer.length(group.lastDelivered.sequence)
            // An unknown count of reads is -1, written as an unsigned 64-bit length.
            writer.length(Int(group.entriesRead ?? -1))
            let pending = group.pending.sorted { $0.key < $1.key }
            writer.length(pending.count)
            for (id, delivery) in pending {
                writer.raw(key(id))
                writer.milliseconds(delivery.deliveredAt)
                writer.length(Int(delivery.deliveryCount))
            }
            writer.length(group.consumers.count)
            for (consumer, seen) in group.consumers.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                writer.string(consumer)
                writer.milliseconds(seen)
                let owned = pending.filter { $0.value.consumer == consumer }
                writer.length(owned.count)
                for (id, _) in owned { writer.raw(key(id)) }
            }
        }
    }

    static func read(_ reader: inout RDBReader) -> StubStream? {
        let stream = StubStream()
        guard let nodeCount = reader.length() else { return nil }
        for _ in 0..<nodeCount {
            guard let keyBytes = reader.string(), let master = id(keyBytes[...]), let elements = reader.string().flatMap(Listpack.decode),
                  let entries = entries(of: elements, master: master)
            else { return nil }
            stream.entries += entries
        }
        guard stream.entries.map(\.id) == stream.entries.map(\.id).sorted(), Set(stream.entries.map(\.id)).count == stream.entries.count,
              let length = reader.length(), length == stream.entries.count,
              let last = readID(&reader), let _ = readID(&reader), let maxDeleted = readID(&reader), let added = reader.length64(),
              let groupCount = reader.length()
        else { return nil }
        stream.lastID = last
        stream.maxDeletedID = maxDeleted
        stream.entriesAdded = Int64(bitPattern: added)
        for _ in 0..<groupCount {
            guard let name = reader.string(), let lastDelivered = readID(&reader), let read = reader.length64(), let pendingCount = reader.length()
            else { return nil }
            let group = StubConsumerGroup(lastDelivered: lastDelivered)
            group.entriesRead = read == .max ? nil : Int64(bitPattern: read)
            for _ in 0..<pendingCount {
                guard let id = reader.take(16).flatMap(id), let time = reader.milliseconds(), let count = reader.length() else { return nil }
                group.pending[id] = PendingDelivery(consumer: [], deliveredAt: time, deliveryCount: Int64(count))
            }
            guard let consumerCount = reader.length() else { return nil }
            for _ in 0..<consumerCount {
                guard let consumer = reader.string(), let seen = reader.milliseconds(), let owned = reader.length() else { return nil }
                group.consumers[consumer] = seen
                for _ in 0..<owned {
                    // A consumer's pending entry must be one of the group's.
                    guard let id = reader.take(16).flatMap(id), group.pending[id] != nil else { return nil }
                    group.pending[id]!.consumer = consumer
                }
            }
            guard group.pending.values.allSatisfy({ !$0.consumer.isEmpty }), stream.groups.updateValue(group, forKey: name) == nil else { return nil }
        }
        return stream
    }

    /// A node's live entries, from its master entry and the deltas.
    private static func entries(of elements: [[UInt8]], master: StreamID) -> [(id: StreamID, fields: [[UInt8]])]? {
        var position = 0
        func next() -> [UInt8]? {
            guard position < elements.count else { return nil }
            defer { position += 1 }
            return elements[position]
        }
        func nextInteger() -> Int64? { next().flatMap(StubParse.parseInteger) }
        guard let _ = nextInteger(), let _ = nextInteger(), let fieldCount = nextInteger(), fieldCount >= 0 else { return nil }
        var masterFields: [[UInt8]] = []
        for _ in 0..<fieldCount {
            guard let field = next() else { return nil }
            masterFields.append(field)
        }
        guard nextInteger() == 0 else { return nil }
        var entries: [(id: StreamID, fields: [[UInt8]])] = []
        while position < elements.count {
            let start = position
            guard let flags = nextInteger(), let milliseconds = nextInteger(), let sequence = nextInteger() else { return nil }
            var fields: [[UInt8]] = []
            if flags & sameFields != 0 {
                for field in masterFields {
                    guard let value = next() else { return nil }
                    fields += [field, value]
                }
            } else {
                guard let count = nextInteger(), count >= 0 else { return nil }
                for _ in 0..<(count * 2) {
                    guard let element = next() else { return nil }
                    fields.append(element)
                }
            }
            guard let count = nextInteger(), Int(count) == position - start - 1 else { return nil }
            let id = StreamID(milliseconds: master.milliseconds &+ UInt64(bitPattern: milliseconds), sequence: master.sequence &+ UInt64(bitPattern: sequence))
            if flags & deleted == 0 { entries.append((id, fields)) }
        }
        return entries
    }

    private static func readID(_ reader: inout RDBReader) -> StreamID? {
        guard let milliseconds = reader.length64(), let sequence = reader.length64() else { return nil }
        return StreamID(milliseconds: milliseconds, sequence: sequence)
    }

    private static func key(_ id: StreamID) -> [UInt8] {
        littleEndian(id.milliseconds, bytes: 8).reversed() + littleEndian(id.sequence, bytes: 8).reversed()
    }

    private static func id(_ bytes: ArraySlice<UInt8>) -> StreamID? {
        guard bytes.count == 16 else { return nil }
        let values = [bytes.prefix(8), bytes.suffix(8)].map { $0.reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
        return StreamID(milliseconds: values[0], sequence: values[1])
    }

    private static func integer(_ value: Int64) -> [UInt8] { StubFormat.integer(value) }
}
