import RedisClientCore

/// Redis 7.0's description of its commands (Generated/RedisCommandTable.swift), parsed once:
/// what COMMAND answers for the commands the stub serves, and the key specifications
/// COMMAND GETKEYS follows.
enum StubCommandTable {
    struct Entry {
        let info: RedisValue
        let docs: RedisValue
    }

    /// By lower-case name; containers carry their subcommands inside.
    static let entries: [String: Entry] = {
        var infos = RESPLines(RedisCommandTable.info)
        var docs = RESPLines(RedisCommandTable.docs)
        var entries: [String: Entry] = [:]
        while let info = infos.next(), let doc = docs.next() {
            // COMMAND INFO name is a one-element array; COMMAND DOCS name a name-doc pair.
            guard case .array(let infoElements) = info, let entry = infoElements.first, case .array(let docElements) = doc, docElements.count == 2,
                  let name = entry.array?.first?.string
            else { continue }
            entries[name] = Entry(info: inNameOrder(info: entry), docs: inNameOrder(docs: docElements[1]))
        }
        return entries
    }()

    /// A container's subcommands come in Redis's hash-table order, which changes from one
    /// server process to the next: the stub lists them by name.
    static func inNameOrder(info: RedisValue) -> RedisValue {
        guard var fields = info.array, fields.count > 9, let subcommands = fields[9].array, !subcommands.isEmpty else { return info }
        fields[9] = .array(subcommands.sorted { ($0.array?.first?.string ?? "") < ($1.array?.first?.string ?? "") })
        return .array(fields)
    }

    static func inNameOrder(docs: RedisValue) -> RedisValue {
        guard var fields = docs.array, let index = fields.firstIndex(of: .bulk("subcommands")), index + 1 < fields.count,
              let subcommands = fields[index + 1].array
        else { return docs }
        let pairs = stride(from: 0, to: subcommands.count - 1, by: 2).map { (subcommands[$0], subcommands[$0 + 1]) }
        fields[index + 1] = .array(pairs.sorted { ($0.0.string ?? "") < ($1.0.string ?? "") }.flatMap { [$0.0, $0.1] })
        return .array(fields)
    }

    /// The commands the stub serves, as COMMAND lists them.
    static var served: [(name: String, entry: Entry)] {
        entries.filter { StubCoverage.served.contains($0.key) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// A served command's entry (any of Redis's with `served` false), or a container's
    /// subcommand's (`client|list` or the two words).
    static func entry(_ words: ArraySlice<[UInt8]>, served: Bool = true) -> RedisValue? {
        guard let first = words.first else { return nil }
        let name = lowercasedCommandName(first)
        if let bar = name.firstIndex(of: "|") {
            return entry([Array(name[..<bar].utf8), Array(name[name.index(after: bar)...].utf8)][...], served: served)
        }
        guard !served || StubCoverage.served.contains(name), let info = entries[name]?.info else { return nil }
        guard words.count > 1, let subcommands = info.array?[9].array, !subcommands.isEmpty else { return info }
        let full = name + "|" + lowercasedCommandName(words[words.startIndex + 1])
        return subcommands.first { $0.array?.first?.string == full }
    }
}

extension StubCommandTable {
    /// A served command's documentation, or a served container's subcommand's (`client|list`).
    static func docs(_ name: String) -> RedisValue? {
        let parts = name.split(separator: "|", maxSplits: 1).map(String.init)
        guard StubCoverage.served.contains(parts[0]), let docs = entries[parts[0]]?.docs else { return nil }
        guard parts.count == 2 else { return docs }
        let fields = docs.array ?? []
        guard let index = fields.firstIndex(of: .bulk("subcommands")), index + 1 < fields.count, let subcommands = fields[index + 1].array,
              let position = subcommands.firstIndex(of: .bulk(name)), position + 1 < subcommands.count
        else { return nil }
        return subcommands[position + 1]
    }
}

/// RESP with each line on a line of its own (no reply in the table holds a line break).
struct RESPLines {
    private var lines: [Substring]
    private var position = 0

    init(_ text: String) { lines = text.split(separator: "\n", omittingEmptySubsequences: false) }

    mutating func next() -> RedisValue? {
        guard position < lines.count, let kind = lines[position].first else { return nil }
        let rest = lines[position].dropFirst()
        position += 1
        switch kind {
        case "+": return .simpleString(String(rest))
        case "-": return .error(String(rest))
        case ":": return Int64(rest).map { .integer($0) }
        case "$":
            guard let size = Int(rest), size >= 0 else { return .null }
            defer { position += 1 }
            return .bulkString(Array(lines[position].utf8))
        case "*":
            guard let count = Int(rest), count >= 0 else { return .null }
            var elements: [RedisValue] = []
            for _ in 0..<count {
                guard let element = next() else { return nil }
                elements.append(element)
            }
            return .array(elements)
        default: return nil
        }
    }
}
