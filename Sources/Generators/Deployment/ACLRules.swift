import Topology

extension ACLUser {
    /// The user's ACL rules as Redis takes them: its key pattern, its own rules, and dangerous
    /// commands (CONFIG, DEBUG, FLUSHALL, KEYS, ...) denied unless its rules speak of
    /// @dangerous themselves. `extra` comes last, so no earlier rule takes it away. The same
    /// rules on every target: a `user` line for Compose, an access string for ElastiCache.
    func aclRules(extra: [String] = []) -> [String] {
        let speaksOfDangerous = categories.contains { $0.value.dropFirst() == "@dangerous" }
        return [keys.value] + categories.map(\.value) + (speaksOfDangerous ? [] : ["-@dangerous"]) + extra
    }
}
