extension RedisConnection {
    /// `MULTI`, the commands, `EXEC`, sent as one pipeline. Answers `EXEC`'s replies (an error
    /// reply for a command that failed inside the transaction). A command Redis refuses at
    /// queueing time aborts the whole transaction with `EXECABORT`, thrown as a server error.
    public func transaction(_ commands: [RedisCommandArgv]) throws -> [RedisValue] {
        let replies = try pipeline([argv("MULTI")] + commands + [argv("EXEC")])
        guard let exec = replies.last else { return [] }
        switch exec {
        case .array(let results): return results
        case .error(let message): throw RedisError.reply(message)
        default: throw RedisError.unexpectedReply(command: "EXEC", reply: exec)
        }
    }
}
