/// The rule a cluster enforces on every command, kept where no cluster runs: a stand-in for a
/// cluster URL (the in-memory stub) refuses keys in different slots exactly as
/// ``ClusterConnection`` does, so code that passes in CI does not fail in production.
public final class SlotGuard: RedisConnection {
    private let wrapped: any RedisConnection

    public init(_ wrapped: any RedisConnection) {
        self.wrapped = wrapped
    }

    public var isStub: Bool { wrapped.isStub }

    public func send(_ command: RedisCommandArgv) throws -> RedisValue {
        _ = try ClusterSlotRule.commonSlot(of: StaticCommandKeys.keysOrFirstArgument(of: command))
        return try wrapped.send(command)
    }

    public func pipeline(_ commands: [RedisCommandArgv]) throws -> [RedisValue] {
        if commands.contains(where: { $0.first.map { String(decoding: $0, as: UTF8.self).uppercased() } == "MULTI" }) {
            _ = try ClusterSlotRule.commonSlot(of: commands.flatMap(StaticCommandKeys.keysOrFirstArgument(of:)))
        } else {
            for command in commands { _ = try ClusterSlotRule.commonSlot(of: StaticCommandKeys.keysOrFirstArgument(of: command)) }
        }
        return try wrapped.pipeline(commands)
    }
}

/// One slot for all these keys, or the typed refusal that names each key's slot.
enum ClusterSlotRule {
    static func commonSlot(of keys: [[UInt8]]) throws(RedisError) -> Int? {
        let slots = keys.map { (key: $0, slot: KeySlot.of($0)) }
        guard let first = slots.first else { return nil }
        if slots.contains(where: { $0.slot != first.slot }) {
            let named = slots.prefix(8).map { "\(String(decoding: $0.key, as: UTF8.self)) → \($0.slot)" }.joined(separator: ", ")
            throw .crossSlot("CROSSSLOT keys in different slots (\(named)); give them one hash tag, like {user:1}:a and {user:1}:b")
        }
        return first.slot
    }
}
