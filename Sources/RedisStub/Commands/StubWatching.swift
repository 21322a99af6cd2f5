import RedisClientCore

/// `WATCH` and `UNWATCH`, for the session that runs them (``StubExecution/session``): EXEC
/// runs nothing when a watched key was modified by anyone (``StubSignals``) or expired since.
extension StubCommands {
    static let watching: [String: StubCommand] = [
        "watch": StubCommand(-2) { execution, command in
            for key in command.dropFirst() {
                // A key already dead is deleted now, so its deletion spoils nothing later.
                _ = execution.database.entry(key, now: execution.now, touching: false)
                execution.state.signals.watch(WatchedKey(database: execution.databaseIndex, key: HashedBytes(key)), by: execution.session.watch)
            }
            return .ok
        },
        "unwatch": StubCommand(1) { execution, _ in
            execution.state.signals.unwatchAll(execution.session.watch)
            return .ok
        },
    ]
}
