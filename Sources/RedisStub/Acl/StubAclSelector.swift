import RedisClientCore

/// One ACL selector, as Redis 7.0 keeps it: the commands it allows (each command and
/// subcommand of Redis's table by its full name, `client|id`), the key patterns with their
/// read/write permissions, the channel patterns. A user has a root selector and may add more
/// in parentheses; a command runs when any one of them allows all of it.
struct StubAclSelector: Equatable {
    struct KeyPattern: Equatable {
        let pattern: [UInt8]
        let read: Bool, write: Bool
    }

    private(set) var allowed: Set<String> = []
    /// Set by `+@all` (allcommands), cleared by `-@all`: also allows commands Redis adds later,
    /// which is how its rules are described (`+@all ...` rather than `-@all ...`).
    private(set) var allCommands = false
    /// `+select|0`-style rules: a command allowed with these first arguments only.
    private(set) var firstArguments: [String: [[UInt8]]] = [:]
    private(set) var allKeys = false
    private(set) var keys: [KeyPattern] = []
    private(set) var allChannels = false
    private(set) var channels: [[UInt8]] = []

    /// Applies one rule; the reason Redis gives when it is refused.
    mutating func apply(_ rule: [UInt8]) throws(StubError) {
        let text = String(decoding: rule, as: UTF8.self)
        let lowered = text.lowercased()
        switch lowered {
        case "allkeys": setAllKeys()
        case "resetkeys": allKeys = false; keys = []
        case "allchannels": allChannels = true; channels = []
        case "resetchannels": allChannels = false; channels = []
        case "allcommands": setCategory("all", allowed: true)
        case "nocommands": setCategory("all", allowed: false)
        default:
            if rule.first == UInt8(ascii: "~") || rule.first == UInt8(ascii: "%") {
                try addKeyPattern(rule)
            } else if rule.first == UInt8(ascii: "&") {
                guard !allChannels else {
                    throw StubError("Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels")
                }
                let pattern = Array(rule.dropFirst())
                if pattern == [UInt8(ascii: "*")] { allChannels = true; channels = [] } else if !channels.contains(pattern) { channels.append(pattern) }
            } else if let sign = rule.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                try setCommands(String(lowered.dropFirst()), allowed: sign == UInt8(ascii: "+"))
            } else {
                throw StubError("Syntax error")
            }
        }
    }

    private mutating func setAllKeys() {
        allKeys = true
        keys = []
    }

    /// `~pattern`, or `%R~`, `%W~`, `%RW~` for read or write access only.
    private mutating func addKeyPattern(_ rule: [UInt8]) throws(StubError) {
        var (read, write) = (true, true)
        var pattern = Array(rule.dropFirst())
        if rule.first == UInt8(ascii: "%") {
            guard let tilde = rule.firstIndex(of: UInt8(ascii: "~")), tilde > 1 else { throw StubError("Syntax error") }
            let letters = rule[1..<tilde].map { $0 | 0x20 }
            guard letters.allSatisfy({ $0 == UInt8(ascii: "r") || $0 == UInt8(ascii: "w") }) else { throw StubError("Syntax error") }
            (read, write) = (letters.contains(UInt8(ascii: "r")), letters.contains(UInt8(ascii: "w")))
            pattern = Array(rule[(tilde + 1)...])
        }
        guard !allKeys else {
            throw StubError("Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns")
        }
        if read && write && pattern == [UInt8(ascii: "*")] { return setAllKeys() }
        if let index = keys.firstIndex(where: { $0.pattern == pattern }) {
            keys[index] = KeyPattern(pattern: pattern, read: keys[index].read || read, write: keys[index].write || write)
        } else {
            keys.append(KeyPattern(pattern: pattern, read: read, write: write))
        }
    }

    /// `+name`, `-name`, `+@category`, `-@category`, `+container|sub`, `+command|firstarg`.
    private mutating func setCommands(_ name: String, allowed allow: Bool) throws(StubError) {
        if name.hasPrefix("@") {
            let category = String(name.dropFirst())
            guard category == "all" || StubAclCatalogue.categories.contains(category) else { throw StubError("Unknown command or category name in ACL") }
            return setCategory(category, allowed: allow)
        }
        if let bar = name.firstIndex(of: "|") {
            let parent = String(name[..<bar])
            guard StubAclCatalogue.commands[parent] != nil else { throw StubError("Unknown command or category name in ACL") }
            if StubAclCatalogue.commands[name] != nil {
                set(name, allow)
                return
            }
            // A first argument of a command without subcommands (deprecated in Redis 7.0,
            // still accepted): only `+`, and not for a container's unknown subcommand.
            guard allow, !StubAclCatalogue.hasSubcommands(parent), !name[name.index(after: bar)...].contains("|") else {
                throw StubError(allow ? "Unknown command or category name in ACL" : "Allowing first-arg of a subcommand is not supported")
            }
            if !allowed.contains(parent) { firstArguments[parent, default: []].append(Array(name[name.index(after: bar)...].utf8)) }
            return
        }
        guard StubAclCatalogue.commands[name] != nil else { throw StubError("Unknown command or category name in ACL") }
        set(name, allow)
        for sub in StubAclCatalogue.subcommands(of: name) { set(sub, allow) }
    }

    private mutating func set(_ name: String, _ allow: Bool) {
        if allow { allowed.insert(name) } else { allowed.remove(name) }
        firstArguments[name] = nil
    }

    private mutating func setCategory(_ category: String, allowed allow: Bool) {
        if category == "all" {
            allowed = allow ? Set(StubAclCatalogue.commands.keys) : []
            allCommands = allow
            firstArguments = [:]
            return
        }
        for (name, categories) in StubAclCatalogue.commands where categories.contains(category) { set(name, allow) }
    }

    // MARK: - Checking

    enum Denial: Int, Comparable {
        case command = 1, key = 2, channel = 4
        static func < (lhs: Denial, rhs: Denial) -> Bool { lhs.rawValue < rhs.rawValue }

        /// ACL LOG's reason.
        var name: String {
            switch self {
            case .command: "command"
            case .key: "key"
            case .channel: "channel"
            }
        }
    }

    /// Why this selector refuses the command (nil: it allows it), and the key or channel.
    func check(_ command: RedisCommandArgv) -> (denial: Denial, object: [UInt8]?)? {
        let name = lowercasedCommandName(command[0])
        let full = command.count > 1 && StubAclCatalogue.hasSubcommands(name) ? name + "|" + lowercasedCommandName(command[1]) : name
        if !allowed.contains(full) && !(allCommands && StubAclCatalogue.commands[full] == nil) {
            let firstArgumentAllowed = command.count > 1 && (firstArguments[name]?.contains { $0.map { $0 | 0x20 } == command[1].map { $0 | 0x20 } } ?? false)
            if !firstArgumentAllowed { return (.command, nil) }
        }
        if !allKeys, let keys = try? StubKeySpecs.keys(command[...]) {
            for key in keys where !allowsKey(key) { return (.key, key.name) }
        }
        if !allChannels {
            for channel in Self.channels(of: command, name: name) where !allowsChannel(channel.name, isPattern: channel.isPattern) {
                return (.channel, channel.name)
            }
        }
        return nil
    }

    /// Redis's ACLSelectorCheckKey: the access the key's specification asks for, against every
    /// pattern with at least that permission.
    private func allowsKey(_ key: StubKeySpecs.Key) -> Bool {
        let read = key.flags.contains("access")
        let write = key.flags.contains { ["insert", "delete", "update"].contains($0) }
        return keys.contains { pattern in
            (!read || pattern.read) && (!write || pattern.write) && GlobPattern.matches(pattern.pattern, key.name)
        }
    }

    /// A channel matches a channel pattern; a pattern (PSUBSCRIBE) must be one of them.
    private func allowsChannel(_ channel: [UInt8], isPattern: Bool) -> Bool {
        channels.contains { isPattern ? $0 == channel : GlobPattern.matches($0, channel) }
    }

    private static func channels(of command: RedisCommandArgv, name: String) -> [(name: [UInt8], isPattern: Bool)] {
        switch name {
        case "publish", "spublish": command.count > 1 ? [(command[1], false)] : []
        case "subscribe", "ssubscribe": command.dropFirst().map { ($0, false) }
        case "psubscribe": command.dropFirst().map { ($0, true) }
        default: []
        }
    }

    // MARK: - Describing

    /// Redis's ACLDescribeSelector: keys, channels, then the command rules.
    var description: String {
        ([keysDescription, channelsDescription(listing: true)].filter { !$0.isEmpty } + [commandRules]).joined(separator: " ")
    }

    var keysDescription: String {
        allKeys ? "~*" : keys.map { pattern in
            let prefix = pattern.read && pattern.write ? "~" : pattern.read ? "%R~" : "%W~"
            return prefix + String(decoding: pattern.pattern, as: UTF8.self)
        }.joined(separator: " ")
    }

    /// `&*`, or (in ACL LIST) `resetchannels` and the patterns.
    func channelsDescription(listing: Bool) -> String {
        if allChannels { return "&*" }
        let patterns = channels.map { "&" + String(decoding: $0, as: UTF8.self) }
        return ((listing ? ["resetchannels"] : []) + patterns).joined(separator: " ")
    }

    /// Redis's ACLDescribeSelectorCommandRules: `+@all` or `-@all`, then categories by best
    /// fit (each round the category with more commands in common with what is left to
    /// describe than not, and the fewest differences), then the single commands that still
    /// differ (by name; Redis lists them in its hash table's order), then first arguments.
    var commandRules: String {
        let additive = !allCommands
        var rules = [additive ? "-@all" : "+@all"]
        var sketch = StubAclSelector()
        sketch.setCategory("all", allowed: !additive)
        var left = allowed
        var applied = Set<String>()
        while true {
            var best: (category: String, differ: Int, same: Int)?
            for category in StubAclCatalogue.categories where !applied.contains(category) {
                let members = StubAclCatalogue.members(of: category)
                let on = members.filter { left.contains($0) }.count
                let (differ, same) = additive ? (members.count - on, on) : (on, members.count - on)
                if same > differ, best == nil || differ < best!.differ || differ == best!.differ && same > best!.same {
                    best = (category, differ, same)
                }
            }
            guard let best else { break }
            rules.append((additive ? "+@" : "-@") + best.category)
            sketch.setCategory(best.category, allowed: additive)
            let members = StubAclCatalogue.members(of: best.category)
            if additive { left.subtract(members) } else { left.formUnion(members) }
            applied.insert(best.category)
        }
        for name in StubAclCatalogue.commands.keys.filter({ !$0.contains("|") }).sorted() {
            if allowed.contains(name) != sketch.allowed.contains(name) {
                rules.append((allowed.contains(name) ? "+" : "-") + name)
                try? sketch.setCommands(name, allowed: allowed.contains(name))
            }
            for sub in StubAclCatalogue.subcommands(of: name) where allowed.contains(sub) != sketch.allowed.contains(sub) {
                rules.append((allowed.contains(sub) ? "+" : "-") + sub)
                sketch.set(sub, allowed.contains(sub))
            }
            for argument in firstArguments[name] ?? [] { rules.append("+" + name + "|" + String(decoding: argument, as: UTF8.self)) }
        }
        return rules.joined(separator: " ")
    }
}

/// Redis 7.0's commands and subcommands with their ACL categories, from its command table.
enum StubAclCatalogue {
    /// Full name (`client|id`) → categories without the `@`.
    static let commands: [String: Set<String>] = {
        var commands: [String: Set<String>] = [:]
        func add(_ info: RedisValue) {
            guard let fields = info.array, fields.count > 9, let name = fields[0].string else { return }
            commands[name] = Set((fields[6].array ?? []).compactMap { $0.string.map { String($0.dropFirst()) } })
            for sub in fields[9].array ?? [] { add(sub) }
        }
        for entry in StubCommandTable.entries.values { add(entry.info) }
        return commands
    }()

    private static let containers: [String: [String]] = Dictionary(grouping: commands.keys.filter { $0.contains("|") }) {
        String($0[..<$0.firstIndex(of: "|")!])
    }

    static func hasSubcommands(_ name: String) -> Bool { containers[name] != nil }

    /// Every command and subcommand in a category.
    static func members(of category: String) -> Set<String> { categoryMembers[category] ?? [] }

    private static let categoryMembers: [String: Set<String>] = {
        var members: [String: Set<String>] = [:]
        for (name, categories) in commands { for category in categories { members[category, default: []].insert(name) } }
        return members
    }()

    /// AUTH, HELLO, QUIT, RESET and the like (`no_auth`): run before authenticating, and
    /// never refused by an ACL.
    static func skipsAuthentication(_ command: RedisCommandArgv) -> Bool {
        noAuthentication.contains(lowercasedCommandName(command[0]))
    }

    private static let noAuthentication: Set<String> = Set(StubCommandTable.entries.compactMap { name, entry in
        (entry.info.array?[2].array ?? []).contains(.simpleString("no_auth")) ? name : nil
    })
    static func subcommands(of name: String) -> [String] { (containers[name] ?? []).sorted() }

    /// Redis's ACL categories, in its ACLCommandCategories order.
    static let categories = [
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo", "stream", "pubsub",
        "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
    ]
}
