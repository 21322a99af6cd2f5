/// Which arguments of a command are keys, as the server's own command table says
/// (`COMMAND INFO`, asked once per command name and kept): the first key, the last, the step.
/// Where the table cannot say — keys that move with the arguments, or a subcommand's keys — the
/// server is asked for this very command (`COMMAND GETKEYS`). The commands with several keys —
/// scripts and functions among them — are read from ``StaticCommandKeys`` without asking.
final class CommandKeys {
    private enum Spec {
        case positions(first: Int, last: Int, step: Int)
        case knownHere
        case askServer
        case none
    }

    private var specs: [String: Spec] = [:]
    /// The same, by the name's bytes as callers spell them: no text decoded per command.
    private var specsBySpelling: [[UInt8]: Spec] = [:]

    /// The keys of `command`; `ask` sends a command to some node of the cluster.
    func keys(of command: RedisCommandArgv, ask: (RedisCommandArgv) throws -> RedisValue) throws -> [[UInt8]] {
        guard let first = command.first else { return [] }
        let spec: Spec
        if let known = specsBySpelling[first] {
            spec = known
        } else {
            let name = String(decoding: first, as: UTF8.self).uppercased()
            spec = try specs[name] ?? learn(name, ask: ask)
            specsBySpelling[first] = spec
        }
        switch spec {
        case .none:
            return []
        case .knownHere:
            return StaticCommandKeys.keys(of: command)
        case .positions(let firstKey, let lastKey, let step):
            let last = lastKey < 0 ? command.count + lastKey : lastKey
            guard firstKey < command.count, last >= firstKey else { return [] }
            return stride(from: firstKey, through: min(last, command.count - 1), by: max(step, 1)).map { command[$0] }
        case .askServer:
            guard command.count > 1 else { return [] }
            let reply = try ask(argv("COMMAND", "GETKEYS") + command)
            // An error here means the command has no key arguments.
            return reply.array?.compactMap(\.bytes) ?? []
        }
    }

    /// The one slot of the command's keys (nil without keys), or the refusal naming each key's
    /// slot. Asked of every command a cluster client sends: a command whose keys sit at fixed
    /// positions is hashed where it lies, without collecting its keys first.
    func slot(of command: RedisCommandArgv, ask: (RedisCommandArgv) throws -> RedisValue) throws -> Int? {
        guard let first = command.first, case .positions(let firstKey, let lastKey, let step)? = specsBySpelling[first] else {
            return try ClusterSlotRule.commonSlot(of: keys(of: command, ask: ask))
        }
        let last = min(lastKey < 0 ? command.count + lastKey : lastKey, command.count - 1)
        guard firstKey < command.count, last >= firstKey else { return nil }
        let slot = KeySlot.of(command[firstKey])
        for index in stride(from: firstKey + max(step, 1), through: last, by: max(step, 1)) where KeySlot.of(command[index]) != slot {
            return try ClusterSlotRule.commonSlot(of: keys(of: command, ask: ask))
        }
        return slot
    }

    private func learn(_ name: String, ask: (RedisCommandArgv) throws -> RedisValue) throws -> Spec {
        let spec: Spec
        if StaticCommandKeys.knows(name) {
            spec = .knownHere
        } else if let info = try ask(argv("COMMAND", "INFO", name)).array?.first?.array, info.count >= 6,
                  let first = info[3].integer, let last = info[4].integer, let step = info[5].integer {
            let flags = Set(info[2].array?.compactMap(\.string) ?? [])
            let subcommands = info.count > 9 ? info[9].array ?? [] : []
            if flags.contains("movablekeys") || !subcommands.isEmpty {
                spec = .askServer
            } else {
                spec = first == 0 ? .none : .positions(first: Int(first), last: Int(last), step: Int(step))
            }
        } else {
            // Unknown to the server: it will say so itself, from any node.
            spec = .none
        }
        specs[name] = spec
        return spec
    }
}
