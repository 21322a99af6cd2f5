import RedisClientCore

/// An ACL user as Redis 7.0 keeps one: enabled or not, its password hashes (or `nopass`),
/// its root selector and any further selectors. A new user is off, with no password, no keys,
/// no channels and no commands.
struct StubUser: Equatable {
    var enabled = false
    var noPass = false
    /// SHA-256 hex, in the order they were added.
    var passwords: [String] = []
    /// `sanitize-payload` (true), `skip-sanitize-payload` (false), or neither.
    var sanitizePayload: Bool?
    var root = StubAclSelector()
    var selectors: [StubAclSelector] = []

    static let `default`: StubUser = {
        var user = StubUser(enabled: true, noPass: true)
        for rule in ["~*", "&*", "+@all"] { try? user.root.apply(Array(rule.utf8)) }
        return user
    }()

    /// ACL SETUSER's rules, all or none: the reason of the first refused one, as Redis words it.
    mutating func apply(_ rules: [[UInt8]]) throws(StubError) {
        var changed = self
        var index = 0
        while index < rules.count {
            var rule = rules[index]
            // A selector may span arguments: `(+get` `~x)`.
            if rule.first == UInt8(ascii: "("), rule.last != UInt8(ascii: ")") || rule.count == 1 {
                while index + 1 < rules.count, rule.last != UInt8(ascii: ")") || rule.count == 1 {
                    index += 1
                    rule += [UInt8(ascii: " ")] + rules[index]
                }
            }
            do {
                try changed.apply(rule)
            } catch {
                throw StubError("ERR Error in ACL SETUSER modifier '\(String(decoding: rule, as: UTF8.self))': \(error.message)")
            }
            index += 1
        }
        self = changed
    }

    private mutating func apply(_ rule: [UInt8]) throws(StubError) {
        let text = String(decoding: rule, as: UTF8.self)
        switch text.lowercased() {
        case "on": enabled = true
        case "off": enabled = false
        case "nopass": noPass = true; passwords = []
        case "resetpass": noPass = false; passwords = []
        case "sanitize-payload": sanitizePayload = true
        case "skip-sanitize-payload": sanitizePayload = false
        case "clearselectors": selectors = []
        case "reset":
            self = StubUser(sanitizePayload: true)
        default:
            switch rule.first {
            case UInt8(ascii: ">"):
                let hash = SHA256.hex(Array(rule.dropFirst()))
                if !passwords.contains(hash) { passwords.append(hash) }
                noPass = false
            case UInt8(ascii: "#"):
                let hash = try Self.checkedHash(rule)
                if !passwords.contains(hash) { passwords.append(hash) }
                noPass = false
            case UInt8(ascii: "<"):
                try removePassword(SHA256.hex(Array(rule.dropFirst())))
            case UInt8(ascii: "!"):
                try removePassword(Self.checkedHash(rule))
            case UInt8(ascii: "(") where rule.last == UInt8(ascii: ")"):
                var selector = StubAclSelector()
                for word in rule.dropFirst().dropLast().split(separator: UInt8(ascii: " ")) { try selector.apply(Array(word)) }
                selectors.append(selector)
            default:
                try root.apply(rule)
            }
        }
    }

    private mutating func removePassword(_ hash: String) throws(StubError) {
        guard let index = passwords.firstIndex(of: hash) else { throw StubError("The password you are trying to remove from the user does not exist") }
        passwords.remove(at: index)
    }

    private static func checkedHash(_ rule: [UInt8]) throws(StubError) -> String {
        let hash = rule.dropFirst()
        guard hash.count == 64, hash.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }) else {
            throw StubError("The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters")
        }
        return String(decoding: hash, as: UTF8.self)
    }

    func accepts(password: [UInt8]) -> Bool {
        enabled && (noPass || passwords.contains(SHA256.hex(password)))
    }

    /// Every command, key and channel, as the default user allows them: no check needed.
    var allowsEverything: Bool { root.allCommands && root.allKeys && root.allChannels && root.allowed.count == StubAclCatalogue.commands.count }

    /// Why the user may not run the command (nil: it may), and the key or channel: allowed by
    /// any one selector, or refused with the most telling of their reasons (Redis's order:
    /// command, key, channel; the later key on a tie).
    func check(_ command: RedisCommandArgv) -> (denial: StubAclSelector.Denial, object: [UInt8]?)? {
        var worst: (denial: StubAclSelector.Denial, object: [UInt8]?)?
        for selector in [root] + selectors {
            guard let refusal = selector.check(command) else { return nil }
            if worst == nil || refusal.denial > worst!.denial { worst = refusal }
        }
        return worst
    }

    var flags: [String] {
        [enabled ? "on" : "off"] + (noPass ? ["nopass"] : []) + (sanitizePayload.map { $0 ? ["sanitize-payload"] : ["skip-sanitize-payload"] } ?? [])
    }

    /// ACL LIST's line.
    func line(name: String) -> String {
        (["user", name] + flags + passwords.map { "#" + $0 } + [root.description] + selectors.map { "(" + $0.description + ")" }).joined(separator: " ")
    }

    /// ACL GETUSER's reply.
    var details: RedisValue {
        .array([
            .bulk("flags"), .array(flags.map { .bulk($0) }), .bulk("passwords"), .array(passwords.map { .bulk($0) }),
            .bulk("commands"), .bulk(root.commandRules), .bulk("keys"), .bulk(root.keysDescription),
            .bulk("channels"), .bulk(root.channelsDescription(listing: false)),
            .bulk("selectors"), .array(selectors.map { selector in
                .array([
                    .bulk("commands"), .bulk(selector.commandRules), .bulk("keys"), .bulk(selector.keysDescription),
                    .bulk("channels"), .bulk(selector.channelsDescription(listing: false)),
                ])
            }),
        ])
    }
}

/// One ACL LOG entry: a refusal, grouped with the same refusal again within a minute.
struct StubAclLogEntry {
    var count = 1
    let reason: String
    let context: String
    let object: String
    let username: String
    var updatedAt: Int64
    var clientInfo: String

    /// Redis's addACLLogEntry: a match among the ten newest within 60 s counts up and moves
    /// to the front; otherwise a new entry, at most 128 kept.
    static func add(_ entry: StubAclLogEntry, to log: inout [StubAclLogEntry]) {
        if let index = log.prefix(10).firstIndex(where: {
            $0.reason == entry.reason && $0.context == entry.context && $0.object == entry.object && $0.username == entry.username
                && abs(entry.updatedAt - $0.updatedAt) <= 60_000
        }) {
            var match = log.remove(at: index)
            match.count += 1
            match.updatedAt = entry.updatedAt
            match.clientInfo = entry.clientInfo
            log.insert(match, at: 0)
        } else {
            log.insert(entry, at: 0)
            if log.count > 128 { log.removeLast() }
        }
    }

    func reply(now: Int64) -> RedisValue {
        .array([
            .bulk("count"), .integer(Int64(count)), .bulk("reason"), .bulk(reason), .bulk("context"), .bulk(context),
            .bulk("object"), .bulk(object), .bulk("username"), .bulk(username),
            .bulk("age-seconds"), .bulkString(StubFormat.double(Double(now - updatedAt) / 1000)), .bulk("client-info"), .bulk(clientInfo),
        ])
    }
}
